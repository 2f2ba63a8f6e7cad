//! Times and durations as Go's monitoring JSON writes them: RFC 3339 with nanoseconds (trailing zeros
//! trimmed, `Z` for UTC) and `myUptime`'s `1d2h3m4s` form.

use std::time::{Duration, SystemTime};

/// Go's `time.Time` JSON form (RFC3339Nano) of a UTC instant.
pub fn rfc3339_nano(t: SystemTime) -> String {
    let dt = time::OffsetDateTime::from(t);
    let frac = dt.nanosecond();
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if frac > 0 {
        let f = format!("{frac:09}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Go's `myUptime`: whole seconds shown as `[Ny][Nd][Nh][Nm]Ns`.
pub fn uptime(d: Duration) -> String {
    let tsecs = d.as_secs();
    let tmins = tsecs / 60;
    let thrs = tmins / 60;
    let tdays = thrs / 24;
    let tyrs = tdays / 365;
    if tyrs > 0 {
        format!(
            "{}y{}d{}h{}m{}s",
            tyrs,
            tdays % 365,
            thrs % 24,
            tmins % 60,
            tsecs % 60
        )
    } else if tdays > 0 {
        format!("{}d{}h{}m{}s", tdays, thrs % 24, tmins % 60, tsecs % 60)
    } else if thrs > 0 {
        format!("{}h{}m{}s", thrs, tmins % 60, tsecs % 60)
    } else if tmins > 0 {
        format!("{}m{}s", tmins, tsecs % 60)
    } else {
        format!("{tsecs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // go: server/TestMyUptime
    #[test]
    fn uptime_like_go() {
        let mut d = Duration::from_secs(22);
        assert_eq!(uptime(d), "22s");
        d += Duration::from_secs(4 * 60);
        assert_eq!(uptime(d), "4m22s");
        d += Duration::from_secs(4 * 3600);
        assert_eq!(uptime(d), "4h4m22s");
        d += Duration::from_secs(32 * 24 * 3600);
        assert_eq!(uptime(d), "32d4h4m22s");
        d += Duration::from_secs(22 * 365 * 24 * 3600);
        assert_eq!(uptime(d), "22y32d4h4m22s");
    }

    #[test]
    fn formats_like_go() {
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 878_192_990);
        assert_eq!(rfc3339_nano(t), "2023-11-14T22:13:20.87819299Z");
        assert_eq!(rfc3339_nano(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(uptime(Duration::from_millis(999)), "0s");
        assert_eq!(uptime(Duration::from_secs(62)), "1m2s");
        assert_eq!(uptime(Duration::from_secs(3600 * 25 + 61)), "1d1h1m1s");
        assert_eq!(uptime(Duration::from_secs(86400 * 366)), "1y1d0h0m0s");
    }
}
