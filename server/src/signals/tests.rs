//! `--signal` resolution with a stand-in pgrep and kill, the pid and ports files, and signal names.

use std::cell::RefCell;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rnats-signals-{name}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn no_pgrep() -> Result<Vec<u8>, ()> {
    panic!("pgrep must not run when a pid is given")
}

fn no_kill(_: i64, _: libc::c_int) -> io::Result<()> {
    panic!("no signal may be sent")
}

/// Runs `process_signal_with` with pgrep printing `pgrep_out` and a kill that records its calls and
/// fails with "no such process".
fn with_fakes(
    command: &str,
    pid: &str,
    pgrep_out: Result<Vec<u8>, ()>,
) -> (Result<(), String>, Vec<(i64, i32)>) {
    let calls = RefCell::new(Vec::new());
    let mut pgrep = || pgrep_out.clone();
    let mut kill = |pid: i64, sig: libc::c_int| {
        calls.borrow_mut().push((pid, sig));
        Err(io::Error::from_raw_os_error(libc::ESRCH))
    };
    let result = process_signal_with(command, pid, &mut pgrep, &mut kill);
    (result, calls.into_inner())
}

// go: server/TestProcessSignalNoProcesses
#[test]
fn no_running_server() {
    // pgrep exits non-zero with no output when nothing matches.
    let (result, calls) = with_fakes("stop", "", Ok(Vec::new()));
    assert_eq!(result, Err("no nats-server processes running".to_string()));
    assert!(calls.is_empty());
    // The command is only checked once a process is found.
    let (result, _) = with_fakes("bogus", "", Ok(Vec::new()));
    assert_eq!(result, Err("no nats-server processes running".to_string()));
}

// go: server/TestProcessSignalMultipleProcesses
#[test]
fn several_servers_without_a_pid_is_an_error() {
    let out = format!("123\n456\n{}\n", std::process::id());
    let (result, calls) = with_fakes("stop", "", Ok(out.into_bytes()));
    assert_eq!(
        result,
        Err("multiple nats-server processes running:\n123\n456".to_string())
    );
    assert!(calls.is_empty());
}

// go: server/TestProcessSignalMultipleProcessesGlob
#[test]
fn glob_signals_every_server() {
    let out = format!("123\n456\n{}\n", std::process::id());
    let (result, calls) = with_fakes("stop", "*", Ok(out.into_bytes()));
    assert_eq!(calls, vec![(123, libc::SIGKILL), (456, libc::SIGKILL)]);
    let msg = result.unwrap_err();
    let lines: Vec<&str> = msg.split('\n').collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "");
    assert_eq!(lines[1], "signal \"stop\" 123: no such process");
    assert_eq!(lines[2], "signal \"stop\" 456: no such process");
}

// go: server/TestProcessSignalMultipleProcessesGlobPartial
#[test]
fn glob_prefix_selects_servers() {
    let out = format!("123\n124\n456\n{}\n", std::process::id());
    let (result, calls) = with_fakes("stop", "12*", Ok(out.into_bytes()));
    assert_eq!(calls, vec![(123, libc::SIGKILL), (124, libc::SIGKILL)]);
    let msg = result.unwrap_err();
    let lines: Vec<&str> = msg.split('\n').collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "");
    assert!(lines[1].starts_with("signal \"stop\" 123:"));
    assert!(lines[2].starts_with("signal \"stop\" 124:"));
}

// go: server/TestProcessSignalPgrepError
#[test]
fn pgrep_that_cannot_run() {
    let (result, _) = with_fakes("stop", "", Err(()));
    assert_eq!(
        result,
        Err("unable to resolve pid, try providing one".to_string())
    );
}

// go: server/TestProcessSignalPgrepMangled
#[test]
fn pgrep_output_that_is_not_pids() {
    let (result, _) = with_fakes("stop", "", Ok(b"12x".to_vec()));
    assert_eq!(
        result,
        Err("unable to resolve pid, try providing one".to_string())
    );
}

// go: server/TestProcessSignalResolveSingleProcess
#[test]
fn single_server_is_found_with_pgrep() {
    let out = format!("123\n{}\n", std::process::id());
    let mut sent = Vec::new();
    let mut pgrep = || Ok(out.clone().into_bytes());
    let mut kill = |pid: i64, sig: libc::c_int| {
        sent.push((pid, sig));
        Ok(())
    };
    assert_eq!(
        process_signal_with("stop", "", &mut pgrep, &mut kill),
        Ok(())
    );
    assert_eq!(sent, vec![(123, libc::SIGKILL)]);
}

// go: server/TestProcessSignalInvalidCommand
#[test]
fn unknown_command() {
    assert_eq!(
        process_signal_with("invalid", "123", &mut no_pgrep, &mut no_kill),
        Err("unknown signal \"invalid\"".to_string())
    );
}

// go: server/TestProcessSignalInvalidPid
#[test]
fn pid_that_is_not_a_number() {
    assert_eq!(
        process_signal_with("stop", "abc", &mut no_pgrep, &mut no_kill),
        Err("invalid pid: abc".to_string())
    );
}

fn sends(command: &str) -> libc::c_int {
    let mut sent = Vec::new();
    let mut kill = |pid: i64, sig: libc::c_int| {
        sent.push((pid, sig));
        Ok(())
    };
    assert_eq!(
        process_signal_with(command, "123", &mut no_pgrep, &mut kill),
        Ok(())
    );
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, 123);
    sent[0].1
}

// go: server/TestProcessSignalQuitProcess
#[test]
fn quit_sends_sigint() {
    assert_eq!(sends("quit"), libc::SIGINT);
}

// go: server/TestProcessSignalTermProcess
#[test]
fn term_sends_sigterm() {
    assert_eq!(sends("term"), libc::SIGTERM);
}

// go: server/TestProcessSignalReopenProcess
#[test]
fn reopen_sends_sigusr1() {
    assert_eq!(sends("reopen"), libc::SIGUSR1);
}

// go: server/TestProcessSignalReloadProcess
#[test]
fn reload_sends_sighup() {
    assert_eq!(sends("reload"), libc::SIGHUP);
}

// go: server/TestProcessSignalLameDuckMode
#[test]
fn ldm_sends_sigusr2() {
    assert_eq!(sends("ldm"), libc::SIGUSR2);
}

#[test]
fn stop_sends_sigkill_and_the_mapping_is_complete() {
    assert_eq!(sends("stop"), libc::SIGKILL);
    assert_eq!(
        command_to_signal("STOP"),
        Err("unknown signal \"STOP\"".to_string())
    );
}

#[test]
fn pid_text_follows_atoi() {
    assert_eq!(sends("stop"), libc::SIGKILL);
    let mut sent = Vec::new();
    let mut kill = |pid: i64, _: libc::c_int| {
        sent.push(pid);
        Ok(())
    };
    assert_eq!(
        process_signal_with("stop", "+123", &mut no_pgrep, &mut kill),
        Ok(())
    );
    // "+123" is 123, but it is not the text "123": Go skips it, so nothing is sent.
    assert!(sent.is_empty());
    for bad in ["12 ", " 12", "1_2", "0x10", "123\n"] {
        assert_eq!(
            process_signal_with("stop", bad, &mut no_pgrep, &mut no_kill),
            Err(format!("invalid pid: {bad}"))
        );
    }
}

#[test]
fn pid_files_are_read_as_is() {
    let dir = temp_dir("pidfile");
    let file = dir.join("n.pid");
    std::fs::write(&file, b"abc").unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(maybe_read_pid_file(path), "abc");
    assert_eq!(maybe_read_pid_file("/nonexistent/123"), "/nonexistent/123");
    // Resolved before the pid is checked; no signal is sent for an invalid pid.
    assert_eq!(
        run_signal_command("stop", Some(path)),
        Err("invalid pid: abc".into())
    );
    std::fs::write(&file, b"123\n").unwrap();
    assert_eq!(
        run_signal_command("stop", Some(path)),
        Err("invalid pid: 123\n".into())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn real_signals_reach_a_child_and_errors_read_as_go() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    assert_eq!(process_signal("term", &pid), Ok(()));
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    // Above any possible pid_max: no such process.
    assert_eq!(
        process_signal("quit", "2147483647"),
        Err("\nsignal \"quit\" 2147483647: no such process".to_string())
    );
}

#[test]
fn os_errors_are_worded_as_go() {
    let t = |code| go_error_text(&io::Error::from_raw_os_error(code));
    assert_eq!(t(libc::ESRCH), "no such process");
    assert_eq!(t(libc::EPERM), "operation not permitted");
    assert_eq!(t(libc::ENOENT), "no such file or directory");
    assert_eq!(t(libc::EACCES), "permission denied");
}

#[test]
fn pid_file_holds_the_bare_pid() {
    let dir = temp_dir("pid");
    let path = dir.join("nats.pid");
    std::fs::write(&path, b"a much longer previous content").unwrap();
    write_pid_file(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        std::process::id().to_string()
    );
    let fresh = dir.join("fresh.pid");
    write_pid_file(&fresh).unwrap();
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(write_pid_file(&dir.join("missing/x.pid")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ports_json_matches_go() {
    let ports = Ports {
        nats: vec!["nats://127.0.0.1:14333".into(), "nats://[::1]:14333".into()],
        monitoring: vec!["http://127.0.0.1:18222".into()],
        ..Ports::default()
    };
    assert_eq!(
        serde_json::to_string(&ports).unwrap(),
        r#"{"nats":["nats://127.0.0.1:14333","nats://[::1]:14333"],"monitoring":["http://127.0.0.1:18222"]}"#
    );
    let all = Ports {
        nats: vec!["n".into()],
        monitoring: vec!["m".into()],
        cluster: vec!["c".into()],
        profile: vec!["p".into()],
        websocket: vec!["w".into()],
    };
    assert_eq!(
        serde_json::to_string(&all).unwrap(),
        r#"{"nats":["n"],"monitoring":["m"],"cluster":["c"],"profile":["p"],"websocket":["w"]}"#
    );
    assert_eq!(serde_json::to_string(&Ports::default()).unwrap(), "{}");
    let back: Ports = serde_json::from_str(r#"{"nats":["n"]}"#).unwrap();
    assert_eq!(back.nats, vec!["n".to_string()]);
}

#[test]
fn ports_file_is_named_after_the_executable_and_pid() {
    let dir = temp_dir("ports");
    let ports = Ports {
        nats: vec!["nats://127.0.0.1:4222".into()],
        ..Ports::default()
    };
    let path = write_ports_file(&dir, &ports).unwrap();
    let arg0 = std::env::args().next().unwrap();
    let exe = std::path::Path::new(&arg0)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(exe_name(), exe);
    assert_eq!(
        path,
        dir.join(format!("{exe}_{}.ports", std::process::id()))
    );
    assert_eq!(path, ports_file_path(&dir));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        r#"{"nats":["nats://127.0.0.1:4222"]}"#
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o111, 0, "not executable");
    assert_eq!(mode & 0o600, 0o600);
    remove_ports_file(&dir).unwrap();
    assert!(!path.exists());
    assert!(remove_ports_file(&dir).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn host_ports_of_listeners() {
    assert_eq!(
        resolve_host_ports("127.0.0.1:4222".parse().unwrap()),
        vec!["127.0.0.1:4222".to_string()]
    );
    assert_eq!(
        resolve_host_ports("[::1]:4222".parse().unwrap()),
        vec!["[::1]:4222".to_string()]
    );
    assert_eq!(
        format_urls("nats", "10.1.2.3:4222".parse().unwrap()),
        vec!["nats://10.1.2.3:4222".to_string()]
    );
    // An unspecified address lists every interface address, loopback (index 1) first, IPv4 before IPv6.
    let all = resolve_host_ports("0.0.0.0:4222".parse().unwrap());
    assert_eq!(
        all.first().map(String::as_str),
        Some("127.0.0.1:4222"),
        "{all:?}"
    );
    assert!(all.iter().all(|hp| hp.ends_with(":4222")));
    if let Some(v6) = all.iter().position(|hp| hp == "[::1]:4222") {
        assert!(v6 > 0);
    }
    assert_eq!(resolve_host_ports("[::]:4222".parse().unwrap()), all);
}

#[test]
fn server_signal_names_are_go_names() {
    let all = [
        (ServerSignal::Interrupt, "interrupt", libc::SIGINT),
        (ServerSignal::Terminate, "terminated", libc::SIGTERM),
        (
            ServerSignal::ReopenLog,
            "user defined signal 1",
            libc::SIGUSR1,
        ),
        (
            ServerSignal::LameDuck,
            "user defined signal 2",
            libc::SIGUSR2,
        ),
        (ServerSignal::Reload, "hangup", libc::SIGHUP),
    ];
    for (sig, name, num) in all {
        assert_eq!((sig.name(), sig.number()), (name, num));
    }
    assert_eq!(
        ServerSignal::Terminate.trapped_message(),
        "Trapped \"terminated\" signal"
    );
}

#[tokio::test]
async fn listener_receives_a_signal() {
    let mut listener = SignalListener::new().unwrap();
    // SAFETY: raising a signal this process now handles.
    unsafe { libc::raise(libc::SIGHUP) };
    let got = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
        .await
        .unwrap();
    assert_eq!(got, Some(ServerSignal::Reload));
}
