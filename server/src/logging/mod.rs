//! Server logging: a `tracing` subscriber whose lines have the Go server's exact shape, the `-D`/`-V`
//! switches as cheap atomics, and the log file with Go's rotation.
//!
//! `tracing` levels map to Go's labels: ERROR→`[ERR]`, WARN→`[WRN]`, INFO→`[INF]`, DEBUG→`[DBG]`,
//! TRACE→`[TRC]`; an event with target [`FATAL_TARGET`] is `[FTL]`. Debug and trace lines are independent
//! switches, as in Go (`-V` alone shows trace lines but not debug lines), and only this crate's debug and
//! trace events are shown, so dependencies cannot change the output. Go: server/log.go `ConfigureLogger`,
//! logger/log.go. Syslog (`-s`, `-r`) is not implemented yet: those options log to stderr.

mod file;
mod format;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::options::Options;
use file::FileLog;

pub use format::{pid_prefix, std_log_line, timestamp, Level, LineFormat};

/// Target of events logged as `[FTL]` (Go's `Fatalf`): `tracing::error!(target: FATAL_TARGET, ...)`.
pub const FATAL_TARGET: &str = "server::fatal";

enum Sink {
    Stderr,
    File(FileLog),
    Memory(Arc<Mutex<Vec<u8>>>),
}

/// One log output with Go's line shape and Go's own debug/trace switches (Go: `logger.Logger`).
pub struct Logger {
    format: LineFormat,
    sink: Sink,
    debug: bool,
    trace: bool,
    buf: Vec<u8>,
}

impl Logger {
    /// Lines to stderr (Go: `NewStdLogger`).
    pub fn stderr(format: LineFormat, debug: bool, trace: bool) -> Logger {
        Logger::with_sink(format, Sink::Stderr, debug, trace)
    }

    /// Lines appended to a file, with plain labels (Go: `NewFileLogger`). The error is Go's text,
    /// `error opening file: open <path>: <reason>`.
    pub fn file(
        path: &Path,
        mut format: LineFormat,
        debug: bool,
        trace: bool,
    ) -> Result<Logger, String> {
        let file =
            FileLog::open(path, format.time).map_err(|e| format!("error opening file: {e}"))?;
        format.colors = false;
        Ok(Logger::with_sink(format, Sink::File(file), debug, trace))
    }

    /// Lines collected in memory (for tests of what gets logged).
    pub fn memory(format: LineFormat, debug: bool, trace: bool) -> (Logger, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let logger = Logger::with_sink(format, Sink::Memory(buf.clone()), debug, trace);
        (logger, buf)
    }

    fn with_sink(format: LineFormat, sink: Sink, debug: bool, trace: bool) -> Logger {
        Logger {
            format,
            sink,
            debug,
            trace,
            buf: Vec::with_capacity(256),
        }
    }

    /// Rotate the file past `limit` bytes (Go: `SetSizeLimit`); only a file logger can.
    pub fn set_size_limit(&mut self, limit: i64) -> Result<(), String> {
        let Sink::File(f) = &mut self.sink else {
            return Err("can set log size limit only for file logger".into());
        };
        if f.set_limit(limit) {
            self.notice("Rotating logfile...");
        }
        Ok(())
    }

    /// Keep at most `max` log files, the live one included (Go: `SetMaxNumFiles`); only a file logger can.
    pub fn set_max_num_files(&mut self, max: usize) -> Result<(), String> {
        let Sink::File(f) = &mut self.sink else {
            return Err("can set log max number of files only for file logger".into());
        };
        f.set_max_num_files(max);
        Ok(())
    }

    /// Writes one line unless its level is switched off.
    pub fn log(&mut self, level: Level, msg: &str) {
        if (level == Level::Debug && !self.debug) || (level == Level::Trace && !self.trace) {
            return;
        }
        self.buf.clear();
        self.format
            .write_line(&mut self.buf, level, msg, SystemTime::now());
        // A log line that cannot be written has nowhere else to go.
        let _ = match &mut self.sink {
            Sink::Stderr => std::io::stderr().write_all(&self.buf),
            Sink::File(f) => f.write(&self.buf),
            Sink::Memory(m) => {
                lock(m).extend_from_slice(&self.buf);
                Ok(())
            }
        };
    }

    pub fn notice(&mut self, msg: &str) {
        self.log(Level::Info, msg);
    }
    pub fn warn(&mut self, msg: &str) {
        self.log(Level::Warn, msg);
    }
    pub fn error(&mut self, msg: &str) {
        self.log(Level::Error, msg);
    }
    pub fn fatal(&mut self, msg: &str) {
        self.log(Level::Fatal, msg);
    }
    pub fn debug(&mut self, msg: &str) {
        self.log(Level::Debug, msg);
    }
    pub fn trace(&mut self, msg: &str) {
        self.log(Level::Trace, msg);
    }

    fn set_levels(&mut self, debug: bool, trace: bool) {
        self.debug = debug;
        self.trace = trace;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while logging leaves the data usable: keep logging.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process-wide logger the `tracing` layer writes to, and the switches read on hot paths.
static LOGGER: Mutex<Option<Logger>> = Mutex::new(None);
static GENERATION: AtomicU64 = AtomicU64::new(0);
static ACTIVE: AtomicBool = AtomicBool::new(false);
static DEBUG: AtomicBool = AtomicBool::new(false);
static TRACE: AtomicBool = AtomicBool::new(false);
static TRACE_VERBOSE: AtomicBool = AtomicBool::new(false);
static MAX_TRACED_MSG_LEN: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// Keeps the logger set up by [`init`]; dropping it closes the log file (Go closes its logger at exit).
/// A later `init` replaces the logger, and dropping an older guard then leaves the new one alone.
#[must_use = "dropping the guard closes the logger"]
pub struct LogGuard {
    generation: u64,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        let mut logger = lock(&LOGGER);
        if GENERATION.load(Ordering::Acquire) == self.generation {
            *logger = None;
            ACTIVE.store(false, Ordering::Release);
            tracing::callsite::rebuild_interest_cache();
        }
    }
}

/// Sets up logging from the options, as Go's `ConfigureLogger`: nothing with `no_log`, a file with
/// `log_file` (and its size limit and file count), stderr otherwise (coloured labels on a terminal).
/// Safe to call again (for a reload, or from several tests): the new setup replaces the old one.
/// The error is the text Go prints (through [`std_log_line`]) before exiting with status 1.
pub fn init(opts: &Options) -> Result<LogGuard, String> {
    let logger = build(opts)?;
    MAX_TRACED_MSG_LEN.store(opts.max_traced_msg_len, Ordering::Relaxed);
    TRACE_VERBOSE.store(opts.trace_verbose, Ordering::Relaxed);
    let generation = {
        let mut slot = lock(&LOGGER);
        ACTIVE.store(logger.is_some(), Ordering::Release);
        *slot = logger;
        GENERATION.fetch_add(1, Ordering::AcqRel) + 1
    };
    set_levels(opts.debug, opts.trace);
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(GoLineLayer);
        // Another global subscriber (a test harness's) wins; our lines then go through it.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    Ok(LogGuard { generation })
}

/// A configuration reload changed where or how lines are written (Go re-runs `ConfigureLogger`): the
/// logger in place, if any, is replaced by one built from `opts`; the holder of the [`LogGuard`] keeps
/// it. Nothing happens when logging is off.
pub fn reconfigure(opts: &Options) -> Result<(), String> {
    if !ACTIVE.load(Ordering::Acquire) || opts.no_log {
        return Ok(());
    }
    let logger = build(opts)?;
    {
        let mut slot = lock(&LOGGER);
        if slot.is_none() {
            return Ok(());
        }
        *slot = logger;
    }
    set_levels(opts.debug, opts.trace);
    Ok(())
}

fn build(opts: &Options) -> Result<Option<Logger>, String> {
    let format = LineFormat::new(opts.logtime, opts.logtime_utc, stderr_is_terminal());
    let logger = if opts.no_log {
        None
    } else if let Some(path) = &opts.log_file {
        let mut l = Logger::file(path, format, opts.debug, opts.trace)?;
        if opts.log_size_limit > 0 {
            l.set_size_limit(opts.log_size_limit)?;
        }
        if opts.log_max_files > 0 {
            // Go falls back to "no maximum" when the value does not fit an int.
            l.set_max_num_files(usize::try_from(opts.log_max_files).unwrap_or(0))?;
        }
        Some(l)
    } else {
        Some(Logger::stderr(format, opts.debug, opts.trace))
    };
    Ok(logger)
}

/// Switches debug and trace lines on or off (`-D`, `-V`; config reload).
pub fn set_levels(debug: bool, trace: bool) {
    DEBUG.store(debug, Ordering::Relaxed);
    TRACE.store(trace, Ordering::Relaxed);
    if let Some(l) = lock(&LOGGER).as_mut() {
        l.set_levels(debug, trace);
    }
    tracing::callsite::rebuild_interest_cache();
}

/// Verbose trace: trace the system account too (`-VV`, `-DVV`).
pub fn set_trace_verbose(on: bool) {
    TRACE_VERBOSE.store(on, Ordering::Relaxed);
}

/// True when trace lines are written; cheap, for hot paths to skip building them.
#[inline]
pub fn trace_enabled() -> bool {
    TRACE.load(Ordering::Relaxed) && ACTIVE.load(Ordering::Relaxed)
}

/// True when debug lines are written.
#[inline]
pub fn debug_enabled() -> bool {
    DEBUG.load(Ordering::Relaxed) && ACTIVE.load(Ordering::Relaxed)
}

/// True when the system account is traced as well (`-VV`).
#[inline]
pub fn trace_verbose_enabled() -> bool {
    TRACE_VERBOSE.load(Ordering::Relaxed)
}

/// The longest message payload a trace line shows (`--max_traced_msg_len`); 0 means no limit.
#[inline]
pub fn max_traced_msg_len() -> usize {
    MAX_TRACED_MSG_LEN.load(Ordering::Relaxed)
}

pub fn set_max_traced_msg_len(len: usize) {
    MAX_TRACED_MSG_LEN.store(len, Ordering::Relaxed);
}

/// Re-opens the log file after an outside rotation (SIGUSR1; Go: `ReOpenLogFile`). Returns false when
/// logging does not go to a file, so the caller can log "File log re-open ignored, not a file logger".
pub fn reopen_log_file() -> Result<bool, String> {
    let mut slot = lock(&LOGGER);
    let Some(logger) = slot.as_mut() else {
        return Ok(false);
    };
    let Sink::File(old) = &logger.sink else {
        return Ok(false);
    };
    let (limit, max_files) = (old.limit_setting(), old.max_num_files());
    let mut fresh = Logger::file(
        old.path(),
        logger.format.clone(),
        logger.debug,
        logger.trace,
    )?;
    if limit > 0 {
        fresh.set_size_limit(limit)?;
    }
    if max_files > 0 {
        fresh.set_max_num_files(max_files)?;
    }
    *logger = fresh;
    Ok(true)
}

/// Logs a `[FTL]` line. Go's `Fatalf` then exits with status 1; the caller decides that here.
pub fn fatal(msg: &str) {
    tracing::error!(target: FATAL_TARGET, "{msg}");
}

fn stderr_is_terminal() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDERR_FILENO) == 1 }
}

/// Which events are written: errors, warnings and notices from anywhere while logging is on; debug and
/// trace lines from this crate only, when switched on.
fn wanted(meta: &Metadata<'_>) -> bool {
    if !meta.is_event() || !ACTIVE.load(Ordering::Relaxed) {
        return false;
    }
    let ours = || meta.target().starts_with("server") || meta.target().starts_with("rnats");
    match *meta.level() {
        tracing::Level::DEBUG => DEBUG.load(Ordering::Relaxed) && ours(),
        tracing::Level::TRACE => TRACE.load(Ordering::Relaxed) && ours(),
        _ => true,
    }
}

fn level_of(meta: &Metadata<'_>) -> Level {
    if meta.target() == FATAL_TARGET {
        return Level::Fatal;
    }
    match *meta.level() {
        tracing::Level::ERROR => Level::Error,
        tracing::Level::WARN => Level::Warn,
        tracing::Level::INFO => Level::Info,
        tracing::Level::DEBUG => Level::Debug,
        tracing::Level::TRACE => Level::Trace,
    }
}

/// Renders an event's message; other fields follow as ` name=value`.
#[derive(Default)]
pub(crate) struct MessageVisitor {
    pub message: String,
    extra: String,
}

impl MessageVisitor {
    pub fn finish(mut self) -> String {
        self.message.push_str(&self.extra);
        self.message
    }
}

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.extra, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.extra, " {}={value:?}", field.name());
        }
    }
}

/// The `tracing` layer writing to the process-wide [`Logger`].
struct GoLineLayer;

impl<S: Subscriber> Layer<S> for GoLineLayer {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_event() {
            // Asked again on every event, so switches take effect at once.
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        wanted(meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(if !ACTIVE.load(Ordering::Relaxed) {
            LevelFilter::OFF
        } else if TRACE.load(Ordering::Relaxed) {
            LevelFilter::TRACE
        } else if DEBUG.load(Ordering::Relaxed) {
            LevelFilter::DEBUG
        } else {
            LevelFilter::INFO
        })
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut visitor = MessageVisitor::default();
        event.record(&mut visitor);
        let msg = visitor.finish();
        if let Some(l) = lock(&LOGGER).as_mut() {
            l.log(level_of(event.metadata()), &msg);
        }
    }
}
