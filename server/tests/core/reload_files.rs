//! Reloading log and pid files in the `rnats-server` process (Go's TestConfigReloadRotateFiles): after
//! SIGHUP with new names, the new log file receives the lines and the new pid file holds the pid.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

/// Wait (bounded) until `path` contains `want`.
fn wait_file(path: &std::path::Path, want: &str) -> bool {
    let deadline = Instant::now() + WAIT;
    loop {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(want)) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// go: server/TestConfigReloadRotateFiles
#[test]
fn reload_moves_to_new_log_and_pid_files() {
    let dir = TempDir::new("reload-files");
    let conf = dir.0.join("rotate.conf");
    let (log0, pid0) = (dir.0.join("log.txt"), dir.0.join("nats-server.pid"));
    let (log1, pid1) = (dir.0.join("log1.txt"), dir.0.join("nats-server1.pid"));
    let text = |log: &std::path::Path, pid: &std::path::Path| {
        format!(
            "listen:   127.0.0.1:-1\nlogfile: \"{}\"\npid_file: \"{}\"\n",
            log.display(),
            pid.display()
        )
    };
    std::fs::write(&conf, text(&log0, &pid0)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rnats-server"))
        .args(["-c", conf.to_str().unwrap()])
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let started = wait_file(&log0, "Server is ready") && wait_file(&pid0, &pid);
    std::fs::write(&conf, text(&log1, &pid1)).unwrap();
    // Signal only the child we started, by its PID.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let reloaded = wait_file(&log1, "Reloaded server configuration");
    let new_pid = wait_file(&pid1, &pid);
    let _ = child.kill();
    let _ = child.wait();
    assert!(started, "server did not start");
    assert!(
        reloaded,
        "new log file: {:?}",
        std::fs::read_to_string(&log1)
    );
    assert!(
        new_pid,
        "new pid file: {:?}",
        std::fs::read_to_string(&pid1)
    );
    let l1 = std::fs::read_to_string(&log1).unwrap();
    assert!(
        l1.contains(&format!("Reloaded: log_file = {}", log1.display())),
        "{l1}"
    );
    assert!(
        l1.contains(&format!("Reloaded: pid_file = {}", pid1.display())),
        "{l1}"
    );
    // The old files are left alone and can be moved away and removed.
    let moved = dir.0.join("log_old.txt");
    std::fs::rename(&log0, &moved).unwrap();
    std::fs::remove_file(&moved).unwrap();
    std::fs::remove_file(&pid0).unwrap();
}
