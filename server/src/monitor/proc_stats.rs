//! Process memory and CPU figures for /varz, read from /proc like Go's `pse` package on Linux:
//! resident set size in bytes, and CPU use in percent averaged over the process lifetime.

use std::time::Instant;

pub fn mem_and_cpu(started: Instant) -> (i64, f64) {
    let page = 4096i64;
    let rss = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<i64>().ok())
        })
        .map_or(0, |pages| pages * page);
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may contain spaces) start after the last ')'.
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some(utime + stime)
        });
    let secs = started.elapsed().as_secs_f64();
    let cpu = match ticks {
        Some(t) if secs > 0.0 => ((t / 100.0) / secs * 100.0 * 10.0).round() / 10.0,
        _ => 0.0,
    };
    (rss, cpu)
}
