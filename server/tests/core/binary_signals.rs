//! The server process and its signals: SIGINT and SIGTERM end it with status 0, SIGUSR1 re-opens the log
//! file, `-P` writes the pid file, and options Go refuses exit before starting. Go: server/signal_test.go,
//! test/pid_test.go.

use crate::process::*;
use crate::support::*;

// go: server/TestSignalInterruptHasSuccessfulExit
#[tokio::test]
async fn sigint_shuts_down_with_status_zero() {
    let mut p = ServerProc::start(&[]).await;
    // Serving first, so the signal hits a running server.
    let mut r = Raw::connect_to(p.addr).await;
    r.expect_line("INFO", |l| l.starts_with("INFO {")).await;
    p.signal(libc::SIGINT);
    let st = p.wait_exit().await;
    assert_eq!(st.code(), Some(0), "{st}; stderr: {}", p.stderr_text());
    r.expect_close_after(b"").await;
    let log = p.stderr_text();
    assert!(log.contains("Trapped \"interrupt\" signal"), "{log}");
    assert!(log.contains("Server Exiting.."), "{log}");
}

// go: server/TestSignalTermHasSuccessfulExit
#[tokio::test]
async fn sigterm_shuts_down_with_status_zero() {
    let mut p = ServerProc::start(&[]).await;
    p.signal(libc::SIGTERM);
    let st = p.wait_exit().await;
    assert_eq!(st.code(), Some(0), "{st}; stderr: {}", p.stderr_text());
    assert!(p.stderr_text().contains("Trapped \"terminated\" signal"));
}

// go: test/TestPidFile
#[tokio::test]
async fn pid_file_holds_the_server_pid_and_stays_after_shutdown() {
    let scratch = ScratchDir::new("pid");
    let pid_file = scratch.path().join("nats-server.pid");
    let pid_arg = pid_file.to_string_lossy().into_owned();
    let mut p = ServerProc::start(&["-P", &pid_arg]).await;
    let pid = p.pid();
    p.signal(libc::SIGINT);
    assert_eq!(p.wait_exit().await.code(), Some(0));
    let text = std::fs::read_to_string(&pid_file).expect("pid file stays after shutdown");
    assert_eq!(text, pid.to_string(), "pid file holds the bare pid");
}

// go: server/TestSignalToReOpenLogFile
#[tokio::test]
async fn sigusr1_reopens_a_renamed_log_file() {
    let scratch = ScratchDir::new("log");
    let log = scratch.path().join("test.log");
    let log_arg = log.to_string_lossy().into_owned();
    let p = ServerProc::start(&["-l", &log_arg]).await;
    wait_for_file(&log, "the startup lines", |t| t.contains("Server is ready")).await;
    // An outside rotation: the server keeps writing to the renamed file until told to re-open.
    let bak = scratch.path().join("test.log.bak");
    std::fs::rename(&log, &bak).expect("rename log");
    p.signal(libc::SIGUSR1);
    let text = wait_for_file(&log, "the re-open notice", |t| {
        t.contains("File log re-opened")
    })
    .await;
    assert!(!text.contains("Server is ready"), "a fresh file: {text}");
    let old = std::fs::read_to_string(&bak).expect("renamed log");
    assert!(old.contains("Server is ready"), "{old}");
    assert!(
        old.contains("Trapped \"user defined signal 1\" signal"),
        "{old}"
    );
}

#[tokio::test]
async fn server_name_with_spaces_is_refused_before_starting() {
    let (code, stderr) = run_to_exit(&["-a", "127.0.0.1", "-p", "-1", "-n", "a b"]).await;
    assert_eq!(code, Some(1));
    assert_eq!(stderr, "nats-server: server name cannot contain spaces\n");
}
