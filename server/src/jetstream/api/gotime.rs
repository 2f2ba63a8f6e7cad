//! [`GoTime`]: a `time.Time` as Go's JSON writes and reads it in the JetStream API.
//!
//! Go marshals times as RFC 3339 with nanoseconds, trailing zeros of the fraction trimmed,
//! `Z` for a zero offset and `±hh:mm` otherwise; the zero time is `0001-01-01T00:00:00Z`.
//! A time read from a client keeps its offset, so it is written back the way it came in.
//! Reading is strict RFC 3339 like Go's `Time.UnmarshalJSON`; `null` leaves the zero time.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::gofmt::go_quote;

/// A point in time with the UTC offset it was given in, as Go's `time.Time` in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoTime(OffsetDateTime);

impl GoTime {
    /// Go's zero `time.Time`, `0001-01-01T00:00:00Z`.
    pub const ZERO: GoTime = GoTime(
        PrimitiveDateTime::new(
            match Date::from_calendar_date(1, Month::January, 1) {
                Ok(d) => d,
                Err(_) => Date::MIN,
            },
            Time::MIDNIGHT,
        )
        .assume_utc(),
    );

    /// The current time in UTC.
    pub fn now() -> GoTime {
        GoTime(OffsetDateTime::now_utc())
    }

    /// A wall-clock instant, in UTC.
    pub fn from_system(t: SystemTime) -> GoTime {
        GoTime(OffsetDateTime::from(t))
    }

    /// Unix nanoseconds, in UTC. Go stores message timestamps this way.
    pub fn from_unix_nanos(nanos: i64) -> GoTime {
        match OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)) {
            Ok(t) => GoTime(t),
            Err(_) => GoTime::ZERO,
        }
    }

    /// Nanoseconds since the Unix epoch (negative before it).
    pub fn unix_nanos(&self) -> i128 {
        self.0.unix_timestamp_nanos()
    }

    /// The instant as a `SystemTime`, or `None` before the Unix epoch.
    pub fn to_system(&self) -> Option<SystemTime> {
        let n = self.unix_nanos();
        let n = u64::try_from(n).ok()?;
        Some(SystemTime::UNIX_EPOCH + Duration::from_nanos(n))
    }

    /// Go's `IsZero`.
    pub fn is_zero(&self) -> bool {
        self.unix_nanos() == GoTime::ZERO.unix_nanos()
    }

    /// The same instant in UTC (Go's `Time.UTC`).
    pub fn utc(&self) -> GoTime {
        GoTime(self.0.to_offset(UtcOffset::UTC))
    }

    /// The inner date-time.
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// Parses Go's RFC 3339 form (`2006-01-02T15:04:05.999999999Z07:00`); the error is Go's
    /// `time.Parse` text.
    pub fn parse_rfc3339(s: &str) -> Result<GoTime, String> {
        parse_rfc3339(s).map(GoTime)
    }
}

impl Default for GoTime {
    fn default() -> Self {
        GoTime::ZERO
    }
}

impl From<OffsetDateTime> for GoTime {
    fn from(t: OffsetDateTime) -> Self {
        GoTime(t)
    }
}

/// Go's `Time.Format(time.RFC3339Nano)`.
impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let frac = t.nanosecond();
        if frac > 0 {
            let digits = format!("{frac:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        let off = t.offset();
        if off.is_utc() {
            f.write_str("Z")
        } else {
            let secs = off.whole_seconds();
            let sign = if secs < 0 { '-' } else { '+' };
            let secs = secs.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", secs / 3600, (secs / 60) % 60)
        }
    }
}

impl fmt::Debug for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(GoTime::ZERO),
            Some(s) => GoTime::parse_rfc3339(&s).map_err(de::Error::custom),
        }
    }
}

const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// Go's `time.Parse(time.RFC3339, s)`, walking the layout element by element so a failure
/// names the element as Go does: `cannot parse "x" as "2006"`, `month out of range`.
fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, String> {
    let b = s.as_bytes();
    let mut pos = 0usize;
    let cannot = |pos: usize, elem: &str| {
        format!(
            "parsing time {} as \"{LAYOUT}\": cannot parse {} as \"{elem}\"",
            go_quote(s.as_bytes()),
            go_quote(&b[pos..])
        )
    };
    let range = |what: &str| {
        format!(
            "parsing time {}: {what} out of range",
            go_quote(s.as_bytes())
        )
    };
    // A fixed-width number of `n` digits at `pos`.
    let num = |pos: usize, n: usize| -> Option<u32> {
        let d = b.get(pos..pos + n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            d.iter()
                .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0')),
        )
    };
    let lit = |pos: &mut usize, l: &str| -> Result<(), String> {
        if b[*pos..].starts_with(l.as_bytes()) {
            *pos += l.len();
            Ok(())
        } else {
            Err(cannot(*pos, l))
        }
    };
    let year = num(pos, 4).ok_or_else(|| cannot(pos, "2006"))?;
    pos += 4;
    lit(&mut pos, "-")?;
    let month = num(pos, 2).ok_or_else(|| cannot(pos, "01"))?;
    if !(1..=12).contains(&month) {
        return Err(range("month"));
    }
    pos += 2;
    lit(&mut pos, "-")?;
    let day = num(pos, 2).ok_or_else(|| cannot(pos, "02"))?;
    pos += 2;
    lit(&mut pos, "T")?;
    let hour = num(pos, 2).ok_or_else(|| cannot(pos, "15"))?;
    if hour > 23 {
        return Err(range("hour"));
    }
    pos += 2;
    lit(&mut pos, ":")?;
    let minute = num(pos, 2).ok_or_else(|| cannot(pos, "04"))?;
    if minute > 59 {
        return Err(range("minute"));
    }
    pos += 2;
    lit(&mut pos, ":")?;
    let second = num(pos, 2).ok_or_else(|| cannot(pos, "05"))?;
    if second > 59 {
        return Err(range("second"));
    }
    pos += 2;
    // Go reads a fraction after the seconds even though the layout shows none.
    let mut nanos = 0u32;
    if matches!(b.get(pos), Some(b'.' | b',')) && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        let n = b[pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let mut scale = 100_000_000u32;
        for &c in b[pos + 1..pos + 1 + n].iter().take(9) {
            nanos += u32::from(c - b'0') * scale;
            scale /= 10;
        }
        pos += 1 + n;
    }
    let offset = if b.get(pos) == Some(&b'Z') {
        pos += 1;
        UtcOffset::UTC
    } else {
        let tz = b.get(pos..pos + 6).ok_or_else(|| cannot(pos, "Z07:00"))?;
        let sign = match tz[0] {
            b'+' => 1i8,
            b'-' => -1i8,
            _ => return Err(cannot(pos, "Z07:00")),
        };
        let (Some(h), Some(m), b':') = (num(pos + 1, 2), num(pos + 4, 2), tz[3]) else {
            return Err(cannot(pos, "Z07:00"));
        };
        if h > 24 || m > 60 {
            return Err(range("time zone offset"));
        }
        pos += 6;
        UtcOffset::from_hms(sign * h as i8, sign * m as i8, 0)
            .map_err(|_| range("time zone offset"))?
    };
    if pos < b.len() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            go_quote(s.as_bytes()),
            go_quote(&b[pos..])
        ));
    }
    let month = Month::try_from(month as u8).map_err(|_| range("month"))?;
    let date = Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| range("day"))?;
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| range("second"))?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_fractions_format_like_go() {
        assert_eq!(GoTime::ZERO.to_string(), "0001-01-01T00:00:00Z");
        assert!(GoTime::ZERO.is_zero());
        assert_eq!(GoTime::default(), GoTime::ZERO);
        let t = GoTime::from_unix_nanos(1_700_000_000_878_192_990);
        assert_eq!(t.to_string(), "2023-11-14T22:13:20.87819299Z");
        assert_eq!(
            GoTime::from_unix_nanos(0).to_string(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn parse_keeps_the_offset_and_round_trips() {
        for s in [
            "2024-02-29T23:59:59.5+02:00",
            "2021-01-01T00:00:00Z",
            "1999-12-31T10:00:00.000000001-07:30",
        ] {
            let t = GoTime::parse_rfc3339(s).expect(s);
            assert_eq!(t.to_string(), s);
            let json = serde_json::to_string(&t).expect("serialize");
            assert_eq!(json, format!("\"{s}\""));
            let back: GoTime = serde_json::from_str(&json).expect("parse");
            assert_eq!(back, t);
        }
        // A zero offset written as +00:00 comes back as Z, as Go's formatter does.
        let t = GoTime::parse_rfc3339("2021-01-01T00:00:00+00:00").expect("parse");
        assert_eq!(t.to_string(), "2021-01-01T00:00:00Z");
        let null: GoTime = serde_json::from_str("null").expect("null");
        assert!(null.is_zero());
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "2021-01-01",
            "2021-01-01 00:00:00Z",
            "2021-02-30T00:00:00Z",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:00:00",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:00Zjunk",
            "2021-01-01T00:00:00+0200",
        ] {
            assert!(GoTime::parse_rfc3339(s).is_err(), "{s}");
        }
        // Observed from Go 2.15.1 for `"opt_start_time":"bad"`.
        assert_eq!(
            GoTime::parse_rfc3339("bad").err().as_deref(),
            Some(
                r#"parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006""#
            )
        );
        assert_eq!(
            GoTime::parse_rfc3339("2021-13-01T00:00:00Z")
                .err()
                .as_deref(),
            Some(r#"parsing time "2021-13-01T00:00:00Z": month out of range"#)
        );
        assert_eq!(
            GoTime::parse_rfc3339("2021-01-01 00:00:00Z")
                .err()
                .as_deref(),
            Some(
                r#"parsing time "2021-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T""#
            )
        );
    }
}
