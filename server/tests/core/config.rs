//! Configuration files: `-t` verdicts and messages byte for byte as the Go binary gives them, the file's
//! options reaching the running server, and flags overriding the file.

use std::process::Command;

use crate::support::*;

fn rnats_bin() -> &'static str {
    env!("CARGO_BIN_EXE_rnats-server")
}

/// (stdout, stderr, exit code) of `<bin> args...`.
fn run(bin: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(bin).args(args).output().expect("run binary");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

const CASES: &[(&str, &str)] = &[
    ("valid", "listen: 127.0.0.1:4333\nserver_name: srv1\nmax_payload: 2MB\nping_interval: \"30s\"\nwrite_deadline: \"5s\"\n"),
    ("separators", "port = 4222\nmax_connections: 100\nping_max 3\n# comment\n// comment\nmax_pending: 64MB\n"),
    ("variables", "MP = 1024\nmax_payload: $MP\nserver_name: \"a-$MP\"\n"),
    ("unknown_field", "port: 4222\nfoo: bar\n"),
    // One error per file: Go walks the top-level keys in map order, which is random, so several errors
    // come out in no fixed order.
    ("wrong_type_int", "max_payload: \"x\"\n"),
    ("wrong_type_bool", "debug: 1\n"),
    ("int_duration", "write_deadline: 5\n"),
    ("bad_duration", "ping_interval: \"5x\"\n"),
    ("too_big", "max_payload: 3000000000\n"),
    ("server_name_space", "server_name: \"a b\"\n"),
    ("lame_duck_short", "lame_duck_duration: \"5s\"\n"),
    ("unbalanced", "port: 4222\nlisten: {\n"),
    ("bad_listen", "listen: \"nope\"\n"),
    ("empty", ""),
    ("undefined_variable", "port: $NOPE_NOT_SET\n"),
];

#[test]
fn check_config_matches_the_go_binary() {
    let go = go_server_bin();
    let dir = TempDir::new("conf");
    for (name, text) in CASES {
        let path = dir.0.join(format!("{name}.conf"));
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let ours = run(std::path::Path::new(rnats_bin()), &["-t", "-c", p]);
        let theirs = run(&go, &["-t", "-c", p]);
        assert_eq!(ours, theirs, "{name}: rnats vs Go for -t");
    }
    // A missing file.
    let missing = dir.0.join("missing.conf");
    let m = missing.to_str().unwrap();
    assert_eq!(
        run(std::path::Path::new(rnats_bin()), &["-t", "-c", m]),
        run(&go, &["-t", "-c", m])
    );
}

#[test]
fn unsupported_sections_are_rejected_with_their_position() {
    let dir = TempDir::new("conf-unsup");
    let path = dir.0.join("gw.conf");
    std::fs::write(&path, "port: 4222\n\ngateway {\n  name: a\n}\n").unwrap();
    let (_, err, code) = run(
        std::path::Path::new(rnats_bin()),
        &["-t", "-c", path.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{}:3:1: \"gateway\" is not supported yet",
            path.display()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn file_options_reach_the_server_and_flags_override_them() {
    let dir = TempDir::new("conf-run");
    let path = dir.0.join("srv.conf");
    std::fs::write(
        &path,
        "listen: 127.0.0.1:1\nserver_name: from-file\nmax_payload: 2KB\n",
    )
    .unwrap();
    let mut child = Command::new(rnats_bin())
        .args([
            "-c",
            path.to_str().unwrap(),
            "-p",
            "-1",
            "--ports_file_dir",
            dir.0.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    let addr: std::net::SocketAddr = loop {
        let ports = std::fs::read_dir(&dir.0)
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.path().extension().is_some_and(|x| x == "ports"));
        if let Some(p) = ports.and_then(|e| std::fs::read_to_string(e.path()).ok()) {
            let v: serde_json::Value = serde_json::from_str(&p).unwrap();
            break v["nats"][0]
                .as_str()
                .unwrap()
                .trim_start_matches("nats://")
                .parse()
                .unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no ports file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut line = String::new();
    let mut r = tokio::io::BufReader::new(&mut s);
    tokio::time::timeout(
        WAIT,
        tokio::io::AsyncBufReadExt::read_line(&mut r, &mut line),
    )
    .await
    .unwrap()
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let info: serde_json::Value = serde_json::from_str(&line[5..line.len() - 3]).unwrap();
    assert_eq!(info["server_name"], "from-file");
    assert_eq!(info["max_payload"], 2048, "KB is 1024-based as in Go");
    assert_ne!(info["port"], 1, "-p overrides the file's listen port");
}

#[test]
fn sighup_reloads_the_file() {
    let dir = TempDir::new("conf-hup");
    let path = dir.0.join("srv.conf");
    let log = dir.0.join("srv.log");
    std::fs::write(&path, "listen: 127.0.0.1:-1\n").unwrap();
    let mut child = Command::new(rnats_bin())
        .args(["-c", path.to_str().unwrap(), "-l", log.to_str().unwrap()])
        .spawn()
        .unwrap();
    let wait_log = |want: &str| {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains(want) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let ready = wait_log("Server is ready");
    std::fs::write(
        &path,
        "listen: 127.0.0.1:-1\ndebug: true\nping_interval: \"30s\"\n",
    )
    .unwrap();
    // Signal only the child we started, by its PID.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let reloaded = wait_log("Reloaded server configuration (sha256:");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(ready, "server did not start: {text}");
    assert!(reloaded, "no reload logged: {text}");
    assert!(text.contains("Trapped \"hangup\" signal"), "{text}");
    assert!(text.contains("Reloaded: debug = true"), "{text}");
    assert!(text.contains("Reloaded: ping_interval = 30s"), "{text}");
}
