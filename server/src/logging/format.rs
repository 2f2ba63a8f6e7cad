//! The shape of one log line, byte for byte as the Go server writes it (Go: `log.Logger` with
//! `LstdFlags|Lmicroseconds`, the `[pid] ` prefix and the labels of logger/log.go):
//!
//! `[1234] 2026/11/22 10:00:00.000000 [INF] message\n` — with `-T=false` the time goes (`[1234] [INF] message`),
//! with `--logtime_utc` it is UTC, and on a terminal the label is coloured (`[\x1b[32mINF\x1b[0m] `).

use std::time::{SystemTime, UNIX_EPOCH};

/// The level of a line. `Fatal` is Go's `[FTL]`, which `tracing` has no level for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Fatal,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Fatal => "FTL",
            Level::Error => "ERR",
            Level::Warn => "WRN",
            Level::Info => "INF",
            Level::Debug => "DBG",
            Level::Trace => "TRC",
        }
    }

    /// The terminal colour of the label (Go: `setColoredLabelFormats`).
    fn color(self) -> &'static str {
        match self {
            Level::Fatal | Level::Error => "31",
            Level::Warn => "0;93",
            Level::Info => "32",
            Level::Debug => "36",
            Level::Trace => "33",
        }
    }
}

/// How lines are laid out for one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFormat {
    /// `"[<pid>] "`, or empty.
    pub prefix: String,
    /// Timestamp each line (`-T`, default true).
    pub time: bool,
    /// Timestamps in UTC rather than local time (`--logtime_utc`).
    pub utc: bool,
    /// Coloured labels (stderr on a terminal only).
    pub colors: bool,
}

impl LineFormat {
    /// The format Go's server uses: pid prefix, optional time, plain labels.
    pub fn new(time: bool, utc: bool, colors: bool) -> Self {
        LineFormat {
            prefix: pid_prefix(),
            time,
            utc,
            colors,
        }
    }

    /// The label of a level, with its trailing space (`"[INF] "`).
    pub fn label(&self, level: Level) -> String {
        if self.colors {
            format!("[\x1b[{}m{}\x1b[0m] ", level.color(), level.name())
        } else {
            format!("[{}] ", level.name())
        }
    }

    /// Appends one line to `out`: prefix, time, label, message, and a newline unless the message has one.
    pub fn write_line(&self, out: &mut Vec<u8>, level: Level, msg: &str, now: SystemTime) {
        out.extend_from_slice(self.prefix.as_bytes());
        if self.time {
            out.extend_from_slice(timestamp(now, self.utc).as_bytes());
            out.push(b' ');
        }
        out.extend_from_slice(self.label(level).as_bytes());
        out.extend_from_slice(msg.as_bytes());
        if !msg.ends_with('\n') {
            out.push(b'\n');
        }
    }
}

/// `"[<pid>] "` for this process.
pub fn pid_prefix() -> String {
    format!("[{}] ", std::process::id())
}

/// Broken-down calendar time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    pub nanos: u32,
}

/// `now` as calendar time, local or UTC (the C library applies the local zone, as Go reads /etc/localtime).
pub(crate) fn civil(now: SystemTime, utc: bool) -> Civil {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = libc::time_t::try_from(since.as_secs()).unwrap_or(libc::time_t::MAX);
    // SAFETY: `tm` is a plain C struct for which all-zero bytes are valid; both calls only write into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&secs, &mut tm).is_null()
        } else {
            !libc::localtime_r(&secs, &mut tm).is_null()
        }
    };
    if !ok {
        return Civil {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            min: 0,
            sec: 0,
            nanos: 0,
        };
    }
    Civil {
        year: tm.tm_year + 1900,
        month: (tm.tm_mon + 1) as u32,
        day: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        min: tm.tm_min as u32,
        sec: tm.tm_sec as u32,
        nanos: since.subsec_nanos(),
    }
}

/// `2026/11/22 10:00:00.000000` (Go's `LstdFlags|Lmicroseconds`).
pub fn timestamp(now: SystemTime, utc: bool) -> String {
    let c = civil(now, utc);
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}.{:06}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.min,
        c.sec,
        c.nanos / 1000
    )
}

/// A line as Go's default standard logger writes it (`2026/11/22 10:00:00 message`, local time, no
/// microseconds); Go prints fatal start-up errors of the logger itself this way.
pub fn std_log_line(msg: &str) -> String {
    let c = civil(SystemTime::now(), false);
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02} {msg}\n",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}
