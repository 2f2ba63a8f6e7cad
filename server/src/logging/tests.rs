//! Log line shape, level switches, the log file and its rotation, and the process-wide setup.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

/// The process-wide logger is shared: tests that change it take turns.
static GLOBAL: Mutex<()> = Mutex::new(());

fn plain(time: bool) -> LineFormat {
    LineFormat {
        prefix: String::new(),
        time,
        utc: false,
        colors: false,
    }
}

fn text(buf: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8(lock(buf).clone()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rnats-logging-{name}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Checks `s` against a mask where `9` stands for any digit and every other character for itself.
fn matches_mask(s: &str, mask: &str) -> bool {
    s.len() == mask.len()
        && s.bytes().zip(mask.bytes()).all(|(c, m)| match m {
            b'9' => c.is_ascii_digit(),
            _ => c == m,
        })
}

/// Splits `[pid] 2026/11/22 10:00:00.000000 [LBL] msg\n` and checks each part's shape.
fn assert_go_line(line: &str, label: &str, msg: &str) {
    let pid = format!("[{}] ", std::process::id());
    let rest = line
        .strip_prefix(&pid)
        .unwrap_or_else(|| panic!("no pid prefix in {line:?}"));
    let (stamp, rest) = rest.split_at(26);
    assert!(
        matches_mask(stamp, "9999/99/99 99:99:99.999999"),
        "timestamp shape in {line:?}"
    );
    assert_eq!(rest, format!(" [{label}] {msg}\n"), "in {line:?}");
}

#[test]
fn line_has_go_shape() {
    let (mut l, buf) = Logger::memory(LineFormat::new(true, false, false), true, true);
    l.notice("Starting nats-server");
    l.warn("w");
    l.error("e");
    l.fatal("f");
    l.debug("d");
    l.trace("t");
    let out = text(&buf);
    let lines: Vec<String> = out.split_inclusive('\n').map(String::from).collect();
    assert_eq!(lines.len(), 6);
    assert_go_line(&lines[0], "INF", "Starting nats-server");
    assert_go_line(&lines[1], "WRN", "w");
    assert_go_line(&lines[2], "ERR", "e");
    assert_go_line(&lines[3], "FTL", "f");
    assert_go_line(&lines[4], "DBG", "d");
    assert_go_line(&lines[5], "TRC", "t");
}

#[test]
fn timestamps_have_microseconds_and_utc_is_utc() {
    let at = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
    assert_eq!(timestamp(at, true), "2023/11/14 22:13:20.123456");
    let f = LineFormat {
        prefix: "[7] ".into(),
        time: true,
        utc: true,
        colors: false,
    };
    let mut out = Vec::new();
    f.write_line(&mut out, Level::Info, "x", at);
    assert_eq!(out, b"[7] 2023/11/14 22:13:20.123456 [INF] x\n");
    // Local time has the same shape.
    assert!(matches_mask(
        &timestamp(at, false),
        "9999/99/99 99:99:99.999999"
    ));
}

#[test]
fn without_time_the_label_follows_the_pid() {
    let (mut l, buf) = Logger::memory(LineFormat::new(false, false, false), false, false);
    l.notice("hello");
    assert_eq!(
        text(&buf),
        format!("[{}] [INF] hello\n", std::process::id())
    );
}

#[test]
fn a_message_ending_in_newline_gets_no_second_one() {
    let (mut l, buf) = Logger::memory(plain(false), false, false);
    l.notice("a\n");
    l.notice("b");
    assert_eq!(text(&buf), "[INF] a\n[INF] b\n");
}

// go: logger/TestStdLogger
#[test]
fn std_logger_without_time_debug_or_trace() {
    let (mut l, buf) = Logger::memory(plain(false), false, false);
    l.notice("n");
    l.debug("d");
    l.trace("t");
    assert_eq!(text(&buf), "[INF] n\n");
}

// go: logger/TestStdLoggerWithDebugTraceAndTime
#[test]
fn std_logger_with_debug_trace_and_time() {
    let (mut l, buf) = Logger::memory(plain(true), true, true);
    l.debug("d");
    l.trace("t");
    let out = text(&buf);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, label) in lines.iter().zip(["[DBG] d", "[TRC] t"]) {
        let (stamp, rest) = line.split_at(26);
        assert!(matches_mask(stamp, "9999/99/99 99:99:99.999999"), "{line}");
        assert_eq!(rest, format!(" {label}"));
    }
}

// go: logger/TestStdLoggerNotice
#[test]
fn std_logger_notice() {
    let (mut l, buf) = Logger::memory(plain(false), false, false);
    l.notice("foo");
    assert_eq!(text(&buf), "[INF] foo\n");
}

// go: logger/TestStdLoggerNoticeWithColor
#[test]
fn std_logger_notice_with_color() {
    let mut f = plain(false);
    f.colors = true;
    let (mut l, buf) = Logger::memory(f, false, false);
    l.notice("foo");
    assert_eq!(text(&buf), "[\x1b[32mINF\x1b[0m] foo\n");
}

#[test]
fn colored_labels_match_go() {
    let mut f = plain(false);
    f.colors = true;
    assert_eq!(f.label(Level::Debug), "[\x1b[36mDBG\x1b[0m] ");
    assert_eq!(f.label(Level::Warn), "[\x1b[0;93mWRN\x1b[0m] ");
    assert_eq!(f.label(Level::Error), "[\x1b[31mERR\x1b[0m] ");
    assert_eq!(f.label(Level::Fatal), "[\x1b[31mFTL\x1b[0m] ");
    assert_eq!(f.label(Level::Trace), "[\x1b[33mTRC\x1b[0m] ");
}

// go: logger/TestStdLoggerDebug
#[test]
fn std_logger_debug() {
    let (mut l, buf) = Logger::memory(plain(false), true, false);
    l.debug(&format!("foo {}", "bar"));
    assert_eq!(text(&buf), "[DBG] foo bar\n");
}

// go: logger/TestStdLoggerDebugWithOutDebug
#[test]
fn std_logger_debug_without_debug() {
    let (mut l, buf) = Logger::memory(plain(false), false, true);
    l.debug("foo");
    assert_eq!(text(&buf), "");
}

// go: logger/TestStdLoggerTrace
#[test]
fn std_logger_trace() {
    let (mut l, buf) = Logger::memory(plain(false), false, true);
    l.trace("foo");
    assert_eq!(text(&buf), "[TRC] foo\n");
}

// go: logger/TestStdLoggerTraceWithOutDebug
#[test]
fn std_logger_trace_without_trace() {
    let (mut l, buf) = Logger::memory(plain(false), true, false);
    l.trace("foo");
    assert_eq!(text(&buf), "");
}

// go: logger/TestFileLogger
#[test]
fn file_logger_appends_go_lines() {
    let dir = temp_dir("file");
    let path = dir.join("nats-server:log_1");
    std::fs::write(&path, b"").unwrap();
    let mut l = Logger::file(&path, plain(false), false, false).unwrap();
    l.notice("foo");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[INF] foo\n");

    let path = dir.join("nats-server:log_2");
    std::fs::write(&path, b"").unwrap();
    let mut l = Logger::file(&path, LineFormat::new(true, false, false), false, true).unwrap();
    l.error("foo");
    let content = std::fs::read_to_string(&path).unwrap();
    assert_go_line(&content, "ERR", "foo");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_logger_never_colors_and_reports_open_errors_as_go() {
    let dir = temp_dir("nocolor");
    let path = dir.join("x.log");
    let mut f = plain(false);
    f.colors = true;
    let mut l = Logger::file(&path, f, false, false).unwrap();
    l.notice("foo");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[INF] foo\n");
    let err = Logger::file(&dir.join("missing/x.log"), plain(false), false, false)
        .err()
        .unwrap();
    assert_eq!(
        err,
        format!(
            "error opening file: open {}: no such file or directory",
            dir.join("missing/x.log").display()
        )
    );
    let line = std_log_line(&err);
    assert!(matches_mask(&line[..20], "9999/99/99 99:99:99 "), "{line}");
    assert!(line.ends_with(&format!("{err}\n")));
    std::fs::remove_dir_all(&dir).unwrap();
}

// go: logger/TestFileLoggerSizeLimit
#[test]
fn file_logger_rotates_past_the_size_limit() {
    let (mut std_logger, _) = Logger::memory(LineFormat::new(true, false, false), false, false);
    let err = std_logger.set_size_limit(1000).unwrap_err();
    assert!(err.contains("only for file logger"), "{err}");

    // Rotation while writing.
    let dir = temp_dir("rotate");
    let path = dir.join("log_a");
    let mut l = Logger::file(&path, LineFormat::new(true, false, false), false, false).unwrap();
    l.set_size_limit(1000).unwrap();
    for _ in 0..50 {
        l.notice("This is a line in the log file");
    }
    let names = dir_names(&dir);
    assert!(names.len() > 1, "expected a rotation, got {names:?}");
    let last_backup = names.last().unwrap();
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(content.contains("Rotated log"), "{content}");
    assert!(content.contains(last_backup.as_str()), "{content}");
    // The rotation line is written directly, ending in CRLF, and quotes the backup path.
    let backup_path = dir.join(last_backup);
    assert!(content.contains(&format!(
        "[INF] Rotated log, backup saved as \"{}\"\r\n",
        backup_path.display()
    )));
    std::fs::remove_dir_all(&dir).unwrap();

    // No limit: no rotation. Then a limit below the current size rotates at once.
    let dir = temp_dir("rotate-late");
    let path = dir.join("log_b");
    let mut l = Logger::file(&path, LineFormat::new(true, false, false), false, false).unwrap();
    for i in 0..50 {
        l.notice(&format!("This is line {} in the log file", i + 1));
    }
    assert_eq!(dir_names(&dir).len(), 1, "expected no rotation");
    l.set_size_limit(1000).unwrap();
    let names = dir_names(&dir);
    assert!(names.len() > 1, "expected a rotation, got {names:?}");
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(content.contains("Rotated log") && content.contains(names.last().unwrap().as_str()));

    // A failed close doubles the limit and says so; the next rotation then succeeds.
    let mut l = Logger::file(&path, LineFormat::new(true, false, false), false, false).unwrap();
    l.set_size_limit(1000).unwrap();
    if let Sink::File(f) = &mut l.sink {
        f.fail_close = true;
    }
    l.notice(&format!("This is a big line: {:?}", vec![0u8; 1000]));
    if let Sink::File(f) = &mut l.sink {
        f.fail_close = false;
    }
    l.notice(&format!("This is a big line: {:?}", vec![0u8; 2000]));
    drop(l);
    let names = dir_names(&dir);
    let content = std::fs::read_to_string(dir.join(names.last().unwrap())).unwrap();
    assert!(
        content.contains("on purpose") && content.contains("size 2000"),
        "{content}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rotation_keeps_at_most_max_num_files() {
    let dir = temp_dir("purge");
    let path = dir.join("log_c");
    let mut l = Logger::file(&path, LineFormat::new(true, false, false), false, false).unwrap();
    l.set_size_limit(200).unwrap();
    l.set_max_num_files(2).unwrap();
    for i in 0..40 {
        l.notice(&format!("line {i} of a log that rotates often"));
        // Backups are named to the nanosecond; keep them distinct.
        std::thread::sleep(Duration::from_micros(50));
    }
    let names = dir_names(&dir);
    assert_eq!(names.len(), 2, "live file and one backup: {names:?}");
    assert!(names.contains(&"log_c".to_string()));
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(
        content.contains("[INF] Purged log file \"log_c."),
        "{content}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn backup_stamps_are_recognised() {
    assert!(file::is_backup_stamp("2026.11.22.06.24.19.082098957"));
    assert!(file::is_backup_stamp("2026.11.22.06.24.19"));
    assert!(!file::is_backup_stamp("2026.13.22.06.24.19.1"));
    assert!(!file::is_backup_stamp("old"));
    assert!(!file::is_backup_stamp("2026.11.22.06.24.19.0820989571"));
}

#[test]
fn global_switches_and_tracing_events() {
    let _turn = lock(&GLOBAL);
    let dir = temp_dir("global");
    let path = dir.join("server.log");

    // No logging: nothing is enabled.
    let guard = init(&Options {
        no_log: true,
        trace: true,
        ..Options::default()
    })
    .unwrap();
    assert!(!trace_enabled() && !debug_enabled());

    // Called again (a reload): replaces the setup without panicking.
    let opts = Options {
        log_file: Some(path.clone()),
        trace: true,
        max_traced_msg_len: 33,
        trace_verbose: true,
        ..Options::default()
    };
    let guard2 = init(&opts).unwrap();
    drop(guard); // an older guard leaves the new logger alone
    assert!(trace_enabled() && !debug_enabled());
    assert!(trace_verbose_enabled());
    assert_eq!(max_traced_msg_len(), 33);

    let layer = tracing_subscriber::registry().with(GoLineLayer);
    tracing::subscriber::with_default(layer, || {
        tracing::info!("unique-info-{}", 1);
        tracing::warn!(cid = 5, "unique-warn");
        tracing::debug!("unique-debug-hidden");
        tracing::trace!("unique-trace");
        fatal("unique-fatal");
        set_levels(true, false);
        assert!(debug_enabled() && !trace_enabled());
        tracing::debug!("unique-debug-shown");
        tracing::trace!("unique-trace-hidden");
    });
    let content = std::fs::read_to_string(&path).unwrap();
    let find = |needle: &str| {
        content
            .lines()
            .find(|l| l.contains(needle))
            .map(|l| format!("{l}\n"))
    };
    assert_go_line(&find("unique-info-1").unwrap(), "INF", "unique-info-1");
    assert_go_line(&find("unique-warn").unwrap(), "WRN", "unique-warn cid=5");
    assert_go_line(&find("unique-trace").unwrap(), "TRC", "unique-trace");
    assert_go_line(&find("unique-fatal").unwrap(), "FTL", "unique-fatal");
    assert_go_line(
        &find("unique-debug-shown").unwrap(),
        "DBG",
        "unique-debug-shown",
    );
    assert!(find("unique-debug-hidden").is_none() && find("unique-trace-hidden").is_none());

    // Re-open after an outside rotation: lines go to a fresh file at the same path.
    std::fs::rename(&path, dir.join("server.log.old")).unwrap();
    assert_eq!(reopen_log_file(), Ok(true));
    let layer = tracing_subscriber::registry().with(GoLineLayer);
    tracing::subscriber::with_default(layer, || tracing::info!("after-reopen"));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("[INF] after-reopen\n"));

    drop(guard2);
    assert!(!trace_enabled());
    assert_eq!(reopen_log_file(), Ok(false));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stderr_logger_is_not_reopened() {
    let _turn = lock(&GLOBAL);
    let guard = init(&Options::default()).unwrap();
    assert_eq!(reopen_log_file(), Ok(false));
    drop(guard);
}
