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

    /// The inner date-time.
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// Parses Go's RFC 3339 form (`2006-01-02T15:04:05.999999999Z07:00`).
    pub fn parse_rfc3339(s: &str) -> Option<GoTime> {
        parse_rfc3339(s.as_bytes()).map(GoTime)
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
            Some(s) => GoTime::parse_rfc3339(&s).ok_or_else(|| {
                de::Error::custom(format!(
                    "parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse",
                    crate::gofmt::go_quote(format!("\"{s}\"").as_bytes())
                ))
            }),
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &c| {
        acc.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

fn parse_rfc3339(b: &[u8]) -> Option<OffsetDateTime> {
    // 2006-01-02T15:04:05 is 19 bytes, then an optional fraction and the zone.
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = Month::try_from(u8::try_from(digits(&b[5..7])?).ok()?).ok()?;
    let day = u8::try_from(digits(&b[8..10])?).ok()?;
    let hour = u8::try_from(digits(&b[11..13])?).ok()?;
    let minute = u8::try_from(digits(&b[14..16])?).ok()?;
    let second = u8::try_from(digits(&b[17..19])?).ok()?;
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&rest[1..=n])? * 10u32.pow(9 - n as u32);
        rest = &rest[1 + n..];
    }
    let offset = match rest {
        b"Z" => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = i8::try_from(digits(&[*h1, *h2])?).ok()?;
            let m = i8::try_from(digits(&[*m1, *m2])?).ok()?;
            if h > 23 || m > 59 {
                return None;
            }
            let (h, m) = if *sign == b'-' { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
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
            "2021-01-01T00:00:00+0200",
        ] {
            assert!(GoTime::parse_rfc3339(s).is_none(), "{s}");
        }
        assert!(serde_json::from_str::<GoTime>("\"yesterday\"").is_err());
    }
}
