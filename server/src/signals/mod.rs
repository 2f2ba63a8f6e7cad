//! Process signals: `--signal <command>[=<pid|pidfile>]` sent to a running server, the signals a running
//! server listens for, and the pid and ports files other tools read.
//!
//! Go: server/signal.go (`ProcessSignal`, `CommandToSignal`, `resolvePids`) and `processSignal` in
//! server/opts.go. Rules kept: commands map ldm→SIGUSR2, stop→SIGKILL, quit→SIGINT, term→SIGTERM,
//! reopen→SIGUSR1, reload→SIGHUP; without a pid, `pgrep nats-server` finds the server (our own process
//! excluded) and more than one is an error unless the pid ends with `*` (a prefix glob); every message is
//! Go's, printed by the caller as `nats-server: <message>` with exit status 1.

mod files;
mod listen;

#[cfg(test)]
mod tests;

use std::io;
use std::sync::Mutex;

use crate::flags::go_quote;

pub use files::{
    exe_name, format_urls, ports_file_path, remove_ports_file, resolve_host_ports, write_pid_file,
    write_ports_file, Ports,
};
pub use listen::{ServerSignal, SignalListener};

static PROCESS_NAME: Mutex<String> = Mutex::new(String::new());

/// The process name `--signal` looks for with pgrep (Go: `SetProcessName`); "nats-server" by default.
/// pgrep matches a pattern, so "nats-server" also finds a server running as `rnats-server`.
pub fn set_process_name(name: &str) {
    *PROCESS_NAME.lock().unwrap_or_else(|e| e.into_inner()) = name.to_string();
}

pub fn process_name() -> String {
    let name = PROCESS_NAME.lock().unwrap_or_else(|e| e.into_inner());
    if name.is_empty() {
        "nats-server".to_string()
    } else {
        name.clone()
    }
}

/// The signal number for a `--signal` command (Go: `CommandToSignal`).
pub fn command_to_signal(command: &str) -> Result<libc::c_int, String> {
    Ok(match command {
        "stop" => libc::SIGKILL,
        "quit" => libc::SIGINT,
        "reopen" => libc::SIGUSR1,
        "reload" => libc::SIGHUP,
        "ldm" => libc::SIGUSR2,
        "term" => libc::SIGTERM,
        _ => return Err(format!("unknown signal {}", go_quote(command))),
    })
}

/// Go's `maybeReadPidFile`: the contents of the file named `pid` if it can be read, else `pid` itself.
/// The contents are not trimmed (Go writes pid files without a newline).
pub fn maybe_read_pid_file(pid: &str) -> String {
    match std::fs::read(pid) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => pid.to_string(),
    }
}

/// Handles `Command::Signal` from the command line: resolves a pid file, then sends the signal.
/// `Ok` means exit 0 silently; `Err(msg)` means print `nats-server: <msg>` on stderr and exit 1.
pub fn run_signal_command(command: &str, pid: Option<&str>) -> Result<(), String> {
    let pid_expr = pid.map(maybe_read_pid_file).unwrap_or_default();
    process_signal(command, &pid_expr)
}

/// Sends the signal for `command` to the process `pid_expr`, or to the single running server when it is
/// empty, or to every running server whose pid starts with the digits before a trailing `*`
/// (Go: `ProcessSignal`).
pub fn process_signal(command: &str, pid_expr: &str) -> Result<(), String> {
    process_signal_with(command, pid_expr, &mut run_pgrep, &mut send_signal)
}

/// [`process_signal`] with the process lookup and the kill supplied by the caller.
///
/// `pgrep` returns what pgrep printed (a non-zero exit, meaning "none found", still counts as output),
/// or `Err` when it could not run at all.
pub fn process_signal_with(
    command: &str,
    pid_expr: &str,
    pgrep: &mut dyn FnMut() -> Result<Vec<u8>, ()>,
    kill: &mut dyn FnMut(i64, libc::c_int) -> io::Result<()>,
) -> Result<(), String> {
    let is_glob = pid_expr.ends_with('*');
    let pid_str = pid_expr.strip_suffix('*').unwrap_or(pid_expr);
    let mut pids = Vec::new();
    if !pid_str.is_empty() {
        let pid = atoi(pid_str).ok_or_else(|| format!("invalid pid: {pid_str}"))?;
        pids.push(pid);
    }
    if pid_str.is_empty() || is_glob {
        pids = resolve_pids(pgrep)?;
    }
    let name = process_name();
    if pids.len() > 1 && !is_glob {
        let mut msg = format!("multiple {name} processes running:");
        for p in &pids {
            msg.push_str(&format!("\n{p}"));
        }
        return Err(msg);
    }
    if pids.is_empty() {
        return Err(format!("no {name} processes running"));
    }
    let signum = command_to_signal(command)?;
    let mut errors = String::new();
    for pid in pids {
        let this = pid.to_string();
        if !pid_str.is_empty() && this != pid_str && (!is_glob || !this.starts_with(pid_str)) {
            continue;
        }
        if let Err(e) = kill(pid, signum) {
            errors.push_str(&format!(
                "\nsignal {} {pid}: {}",
                go_quote(command),
                go_error_text(&e)
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Go's `strconv.Atoi`: optional sign and decimal digits.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The pids pgrep reports, without our own (Go: `resolvePids`).
fn resolve_pids(pgrep: &mut dyn FnMut() -> Result<Vec<u8>, ()>) -> Result<Vec<i64>, String> {
    const UNRESOLVED: &str = "unable to resolve pid, try providing one";
    let output = pgrep().map_err(|_| UNRESOLVED.to_string())?;
    let me = i64::from(std::process::id());
    let mut pids = Vec::new();
    for line in String::from_utf8_lossy(&output).split('\n') {
        if line.is_empty() {
            continue;
        }
        let pid = atoi(line).ok_or_else(|| UNRESOLVED.to_string())?;
        if pid != me {
            pids.push(pid);
        }
    }
    Ok(pids)
}

fn run_pgrep() -> Result<Vec<u8>, ()> {
    std::process::Command::new("pgrep")
        .arg(process_name())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|out| out.stdout)
        .map_err(|_| ())
}

fn send_signal(pid: i64, signum: libc::c_int) -> io::Result<()> {
    // A pid the kernel cannot hold names no process.
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: kill takes plain integers and touches no memory of ours.
    if unsafe { libc::kill(pid, signum) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// An OS error worded as Go words it: the C library's text with a lower-case first letter
/// (`no such process`, `permission denied`), without Rust's "(os error N)".
pub fn go_error_text(e: &io::Error) -> String {
    let Some(code) = e.raw_os_error() else {
        return e.to_string();
    };
    let full = e.to_string();
    let suffix = format!(" (os error {code})");
    let text = full.strip_suffix(&suffix).unwrap_or(&full);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
