//! The two message headers a store itself reads: `Nats-Rollup` (a rollup may pass a per-subject
//! discard-new limit) and `Nats-TTL` (a `never` TTL exempts a message from `max_age`, and the file
//! store recovers TTLs from it after a restart). Matches Go's `sliceHeader` and
//! `parseMessageTTL`; everything else about headers belongs to the stream layer.

/// Go `JSMsgRollup`.
pub const ROLLUP_HEADER: &str = "Nats-Rollup";
/// Go `JSMessageTTL`.
pub const TTL_HEADER: &str = "Nats-TTL";

/// Go `sliceHeader`: the value of header `key` in a `NATS/1.0` header block, without leading
/// spaces, or `None`. The key must start a line (follow a CRLF) and be followed by `:`.
pub fn slice_header<'a>(key: &str, hdr: &'a [u8]) -> Option<&'a [u8]> {
    let key = key.as_bytes();
    if hdr.is_empty() || key.is_empty() {
        return None;
    }
    let mut from = 0;
    while from + key.len() <= hdr.len() {
        let pos = from + memchr::memmem::find(&hdr[from..], key)?;
        let end = pos + key.len();
        let line_start = pos >= 2 && hdr[pos - 2] == b'\r' && hdr[pos - 1] == b'\n';
        if line_start && end < hdr.len() && hdr[end] == b':' {
            let mut i = end + 1;
            while i < hdr.len() && hdr[i] == b' ' {
                i += 1;
            }
            let start = i;
            while i < hdr.len() && !(hdr[i] == b'\r' && hdr.get(i + 1) == Some(&b'\n')) {
                i += 1;
            }
            return Some(&hdr[start..i]);
        }
        from = pos + 1;
    }
    None
}

/// Go `getMessageTTL` without the error: seconds to live, `-1` for `never`, `0` for none or an
/// invalid value.
pub fn message_ttl(hdr: &[u8]) -> i64 {
    match slice_header(TTL_HEADER, hdr) {
        Some(v) => std::str::from_utf8(v).map(parse_ttl).unwrap_or(0),
        None => 0,
    }
}

/// Go `parseMessageTTL`: `never`, a Go duration of at least one second, or whole seconds.
fn parse_ttl(v: &str) -> i64 {
    if v.eq_ignore_ascii_case("never") {
        return -1;
    }
    if let Some(ns) = parse_go_duration(v) {
        return if ns < 1_000_000_000 {
            0
        } else {
            ns / 1_000_000_000
        };
    }
    v.parse::<i64>().ok().filter(|t| *t >= 0).unwrap_or(0)
}

/// A Go `time.ParseDuration` value in nanoseconds, for the positive forms a TTL uses
/// (`90s`, `1h30m`, `1.5h`). Needs at least one unit; a bare number is not a duration.
fn parse_go_duration(s: &str) -> Option<i64> {
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += num * scale;
    }
    (total <= i64::MAX as f64).then_some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_header_forms() {
        let h = |v: &str| format!("NATS/1.0\r\nNats-TTL: {v}\r\n\r\n").into_bytes();
        assert_eq!(message_ttl(&h("never")), -1);
        assert_eq!(message_ttl(&h("10")), 10);
        assert_eq!(message_ttl(&h("2m")), 120);
        assert_eq!(message_ttl(&h("1h30m")), 5400);
        assert_eq!(message_ttl(&h("500ms")), 0);
        assert_eq!(message_ttl(&h("bogus")), 0);
        assert_eq!(message_ttl(b"NATS/1.0\r\nX-Nats-TTL: 5\r\n\r\n"), 0);
        assert_eq!(message_ttl(b""), 0);
    }

    #[test]
    fn slice_header_needs_line_start_and_colon() {
        let hdr = b"NATS/1.0\r\nFoo: bar\r\nNats-Rollup: sub\r\n\r\n";
        assert_eq!(slice_header("Nats-Rollup", hdr), Some(&b"sub"[..]));
        assert_eq!(slice_header("Foo", hdr), Some(&b"bar"[..]));
        assert_eq!(slice_header("Rollup", hdr), None);
    }
}
