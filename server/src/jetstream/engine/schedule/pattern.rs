//! Schedule patterns: when a message schedule fires next. Matches Go's `parseMsgSchedule`
//! (scheduler.go), `parseCron` (cron.go, after robfig/cron) and the `time.LoadLocation` a
//! `Nats-Schedule-Time-Zone` goes through.
//!
//! Times are Unix nanoseconds. Cron fields are matched on the wall clock of the schedule's zone,
//! with Go's `time.Date` rules for normalising out-of-range fields and for choosing an offset
//! around a daylight-saving change, so a pattern fires on the same instants as in Go.

const NANOS: i64 = 1_000_000_000;

/// A time zone: Go's `time.UTC` or one read from the zoneinfo database.
pub enum Zone {
    Utc,
    Tz(tz::TimeZone),
}

impl Zone {
    /// The zone's offset from UTC in seconds at a Unix time.
    fn offset(&self, unix_secs: i64) -> i64 {
        match self {
            Zone::Utc => 0,
            Zone::Tz(t) => t
                .find_local_time_type(unix_secs)
                .map(|l| i64::from(l.ut_offset()))
                .unwrap_or(0),
        }
    }

    /// The zone's offset in seconds at a Unix time in nanoseconds.
    pub fn offset_at(&self, nanos: i64) -> i32 {
        self.offset(nanos.div_euclid(NANOS)) as i32
    }
}

/// Go's zoneinfo directories on Unix (`platformZoneSources`).
const ZONE_SOURCES: [&str; 4] = [
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
    "/etc/zoneinfo/",
];

fn read_zone(dirs: &[&str], name: &str) -> Option<tz::TimeZone> {
    dirs.iter().find_map(|d| {
        let data = std::fs::read(format!("{d}{name}")).ok()?;
        tz::TimeZone::from_tz_data(&data).ok()
    })
}

/// Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` the server's zone, anything else a
/// zoneinfo file under `$ZONEINFO` or the system directories (names are case-sensitive; `..` and
/// absolute paths are refused).
pub fn load_location(name: &str) -> Option<Zone> {
    match name {
        "" | "UTC" => return Some(Zone::Utc),
        "Local" => return Some(local_zone()),
        _ => {}
    }
    if name.contains("..") || name.starts_with(['/', '\\']) {
        return None;
    }
    if let Ok(dir) = std::env::var("ZONEINFO") {
        if !dir.is_empty() {
            if let Some(z) = read_zone(&[&format!("{}/", dir.trim_end_matches('/'))], name) {
                return Some(Zone::Tz(z));
            }
        }
    }
    read_zone(&ZONE_SOURCES, name).map(Zone::Tz)
}

/// Go's `initLocal`: `$TZ` when set (empty is UTC), otherwise `/etc/localtime`; UTC when
/// neither loads.
fn local_zone() -> Zone {
    let found = match std::env::var("TZ") {
        Err(_) => read_zone(&["/etc/"], "localtime"),
        Ok(tz) => {
            let tz = tz.strip_prefix(':').unwrap_or(&tz);
            if tz.starts_with('/') {
                read_zone(&[""], tz)
            } else if !tz.is_empty() && tz != "UTC" {
                read_zone(&ZONE_SOURCES, tz)
            } else {
                None
            }
        }
    };
    found.map(Zone::Tz).unwrap_or(Zone::Utc)
}

/// When a schedule fires: the instant, the UTC offset to show it with, and whether it repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    pub at: i64,
    pub offset: i32,
    pub repeat: bool,
}

impl Next {
    /// Go's `Format(time.RFC3339Nano)` of the instant in its zone.
    pub fn rfc3339(&self) -> String {
        use time::{OffsetDateTime, UtcOffset};
        let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.at))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let off = UtcOffset::from_whole_seconds(self.offset).unwrap_or(UtcOffset::UTC);
        crate::jetstream::api::GoTime::from(t.to_offset(off)).to_string()
    }
}

/// Go's `Time.Round(time.Second)` on Unix nanoseconds: halves round up.
fn round_second(ns: i64) -> i64 {
    ns.saturating_add(NANOS / 2).div_euclid(NANOS) * NANOS
}

/// Go's `parseMsgSchedule` with `now` as the current time: `Ok(None)` for an empty pattern,
/// `Err(())` for an invalid one. `@at` and `@every` take no time zone; `@every` needs at least a
/// second; a repeating schedule whose next time has passed (after a restart) skips to the next
/// one after `now` and fires once.
pub fn parse_msg_schedule(
    pattern: &str,
    loc: Option<&Zone>,
    ts: i64,
    now: i64,
) -> Result<Option<Next>, ()> {
    if pattern.is_empty() {
        return Ok(None);
    }
    if let Some(at) = pattern.strip_prefix("@at ") {
        if loc.is_some() {
            return Err(());
        }
        let t = crate::jetstream::api::GoTime::parse_rfc3339(at).map_err(|_| ())?;
        if t.is_zero() {
            // Go's zero time: no schedule at all.
            return Ok(None);
        }
        let at = t.unix_nanos().clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        return Ok(Some(Next {
            at,
            offset: 0,
            repeat: false,
        }));
    }
    if let Some(every) = pattern.strip_prefix("@every ") {
        if loc.is_some() {
            return Err(());
        }
        let dur = crate::gofmt::parse_go_duration(every).map_err(|_| ())?;
        if dur.as_secs() < 1 {
            return Err(());
        }
        let dur = i64::try_from(dur.as_nanos()).unwrap_or(i64::MAX);
        let mut next = round_second(ts).saturating_add(dur);
        if next < now {
            next = round_second(now).saturating_add(dur);
        }
        return Ok(Some(Next {
            at: next,
            offset: 0,
            repeat: true,
        }));
    }
    let pattern = match pattern {
        "@yearly" | "@annually" => "0 0 0 1 1 *",
        "@monthly" => "0 0 0 1 * *",
        "@weekly" => "0 0 0 * * 0",
        "@daily" | "@midnight" => "0 0 0 * * *",
        "@hourly" => "0 0 * * * *",
        p => p,
    };
    let zone = loc.unwrap_or(&Zone::Utc);
    let cron = Cron::parse(pattern)?;
    let mut next = cron.next(zone, ts)?;
    if next < now {
        next = cron.next(zone, round_second(now))?;
    }
    Ok(Some(Next {
        at: next,
        offset: zone.offset_at(next),
        repeat: true,
    }))
}

/// A wall-clock reading (Go's `Time` fields in a location).
#[derive(Debug, Clone, Copy)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nsec: i64,
    weekday: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn civil(ns: i64, zone: &Zone) -> Civil {
    let secs = ns.div_euclid(NANOS);
    let local = secs + zone.offset(secs);
    let days = local.div_euclid(86_400);
    let sod = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        min: sod / 60 % 60,
        sec: sod % 60,
        nsec: ns.rem_euclid(NANOS),
        weekday: (days + 4).rem_euclid(7),
    }
}

/// Go's `norm`: carry `lo` into `hi` so that `0 <= lo < base`.
fn norm(hi: i64, lo: i64, base: i64) -> (i64, i64) {
    let (mut hi, mut lo) = (hi, lo);
    if lo < 0 {
        let n = (-lo - 1) / base + 1;
        hi -= n;
        lo += n * base;
    }
    if lo >= base {
        let n = lo / base;
        hi += n;
        lo -= n * base;
    }
    (hi, lo)
}

/// Go's `time.Date`: fields out of range carry over; a wall time that a zone change skips or
/// repeats takes the offset Go picks.
#[allow(clippy::too_many_arguments)]
fn date(y: i64, mon: i64, d: i64, h: i64, mi: i64, s: i64, ns: i64, zone: &Zone) -> i64 {
    let (y, m0) = norm(y, mon - 1, 12);
    let (s, ns) = norm(s, ns, NANOS);
    let (mi, s) = norm(mi, s, 60);
    let (h, mi) = norm(h, mi, 60);
    let (d, h) = norm(d, h, 24);
    let days = days_from_civil(y, m0 + 1, 1) + d - 1;
    let mut unix = days * 86_400 + h * 3600 + mi * 60 + s;
    let off = zone.offset(unix);
    if off != 0 {
        unix -= zone.offset(unix - off);
    }
    unix.saturating_mul(NANOS).saturating_add(ns)
}

/// Go's `Time.AddDate`.
fn add_date(ns: i64, zone: &Zone, months: i64, days: i64) -> i64 {
    let c = civil(ns, zone);
    date(
        c.year,
        c.month + months,
        c.day + days,
        c.hour,
        c.min,
        c.sec,
        c.nsec,
        zone,
    )
}

/// Go's `starBit`: the field was `*` or `?`.
const STAR: u64 = 1 << 63;

struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

/// A parsed six-field cron pattern: one bit per allowed value.
struct Cron {
    second: u64,
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

/// Go's `strconv.Atoi` for a non-negative value.
fn parse_uint(expr: &str) -> Result<u64, ()> {
    let n: i64 = expr.parse().map_err(|_| ())?;
    u64::try_from(n).map_err(|_| ())
}

fn parse_int_or_name(expr: &str, b: &Bounds) -> Result<u64, ()> {
    let lower = expr.to_lowercase();
    if let Some((_, v)) = b.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    parse_uint(expr)
}

/// Go's `getBits`: the values from `min` to `max` in steps of `step`.
fn get_bits(min: u64, max: u64, step: u64) -> u64 {
    if step == 1 {
        return !(u64::MAX << (max + 1)) & (u64::MAX << min);
    }
    let mut bits = 0;
    let mut i = min;
    while i <= max {
        bits |= 1 << i;
        i += step;
    }
    bits
}

/// Go's `getRange`: `*`, `?`, `n`, `n-m`, each with an optional `/step`.
fn get_range(expr: &str, b: &Bounds) -> Result<u64, ()> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let (start, mut end, mut extra);
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        (start, end, extra) = (b.min, b.max, STAR);
    } else {
        start = parse_int_or_name(low_and_high[0], b)?;
        end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], b)?,
            _ => return Err(()),
        };
        extra = 0;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = parse_uint(range_and_step[1])?;
            if single {
                end = b.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(()),
    };
    if start < b.min || end > b.max || start > end || step == 0 {
        return Err(());
    }
    Ok(get_bits(start, end, step) | extra)
}

/// Go's `getField`: comma-separated ranges. A field that allows no value at all never matches;
/// Go searches five years before it gives up, this says so at once.
fn get_field(field: &str, b: &Bounds) -> Result<u64, ()> {
    let mut bits = 0;
    for expr in field.split(',').filter(|e| !e.is_empty()) {
        bits |= get_range(expr, b)?;
    }
    if bits & !STAR == 0 {
        return Err(());
    }
    Ok(bits)
}

impl Cron {
    fn parse(pattern: &str) -> Result<Cron, ()> {
        let f: Vec<&str> = pattern.split_whitespace().collect();
        if f.len() != 6 {
            return Err(());
        }
        Ok(Cron {
            second: get_field(f[0], &SECONDS)?,
            minute: get_field(f[1], &MINUTES)?,
            hour: get_field(f[2], &HOURS)?,
            dom: get_field(f[3], &DOM)?,
            month: get_field(f[4], &MONTHS)?,
            dow: get_field(f[5], &DOW)?,
        })
    }

    /// Go's `dayMatches`: with a `*` in either day field both must match, otherwise either.
    fn day_matches(&self, c: &Civil) -> bool {
        let dom = (1u64 << c.day) & self.dom > 0;
        let dow = (1u64 << c.weekday) & self.dow > 0;
        if self.dom & STAR > 0 || self.dow & STAR > 0 {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// Go's `parseCron` search: the first matching second after `ts`, at most five years on.
    fn next(&self, zone: &Zone, ts: i64) -> Result<i64, ()> {
        let bit = |v: i64| 1u64 << v;
        let mut next = ts.div_euclid(NANOS) * NANOS + NANOS;
        let mut truncated = false;
        let year_limit = civil(next, zone).year + 5;
        'wrap: loop {
            let mut c = civil(next, zone);
            if c.year > year_limit {
                return Err(());
            }
            while bit(c.month) & self.month == 0 {
                if !truncated {
                    truncated = true;
                    next = date(c.year, c.month, 1, 0, 0, 0, 0, zone);
                }
                next = add_date(next, zone, 1, 0);
                c = civil(next, zone);
                if c.month == 1 {
                    continue 'wrap;
                }
            }
            while !self.day_matches(&c) {
                if !truncated {
                    truncated = true;
                    next = date(c.year, c.month, c.day, 0, 0, 0, 0, zone);
                }
                next = add_date(next, zone, 0, 1);
                c = civil(next, zone);
                if c.day == 1 {
                    continue 'wrap;
                }
            }
            while bit(c.hour) & self.hour == 0 {
                if !truncated {
                    truncated = true;
                    next = date(c.year, c.month, c.day, c.hour, 0, 0, 0, zone);
                }
                next = next.saturating_add(3600 * NANOS);
                c = civil(next, zone);
                if c.hour == 0 {
                    continue 'wrap;
                }
            }
            while bit(c.min) & self.minute == 0 {
                if !truncated {
                    truncated = true;
                    next = next.div_euclid(60 * NANOS) * 60 * NANOS;
                }
                next = next.saturating_add(60 * NANOS);
                c = civil(next, zone);
                if c.min == 0 {
                    continue 'wrap;
                }
            }
            while bit(c.sec) & self.second == 0 {
                if !truncated {
                    truncated = true;
                    next = next.div_euclid(NANOS) * NANOS;
                }
                next = next.saturating_add(NANOS);
                c = civil(next, zone);
                if c.sec == 0 {
                    continue 'wrap;
                }
            }
            return Ok(next);
        }
    }
}

#[cfg(test)]
mod tests;
