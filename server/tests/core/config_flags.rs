//! Command-line flags over a configuration file: flags given win over the file at start and again after
//! every reload, and a file that only warns still starts the server (warnings on stderr), as Go's
//! `ConfigureOptions` and `Reload` do.

use std::io::{BufRead, BufReader};
use std::process::{Command as Proc, Stdio};
use std::time::Duration;

use crate::config_opts::fixture;
use crate::support::*;
use server::flags::{parse_args, Command, FlagSet};
use server::Options;

/// Go's `ConfigureOptions` with `-c`: parse the flags, load the file, put the flags back on top.
fn configure(args: &[&str]) -> (Options, FlagSet) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let Ok(Command::Run(first, flags)) = parse_args(&args) else {
        panic!("flags refused: {args:?}");
    };
    let path = first.config_file.clone().expect("-c given");
    let mut o = Options::default();
    o.config_digest = server::config::options::load_file(&mut o, &path).expect("loads");
    flags.apply(&mut o).expect("flags apply");
    (o, flags)
}

/// TestMergeOverrides with the options rnats has (no metadata, feature flags or base path flag).
#[test]
fn flags_override_the_file() {
    let conf = fixture("test.conf");
    let (o, _) = configure(&[
        "-c",
        conf.to_str().unwrap(),
        "-p",
        "2222",
        "--pass",
        "porkchop",
        "-D",
        "-m",
        "8222",
        "--profile",
        "6789",
        "--no_advertise",
        "--connect_retries",
        "2",
        "-js",
        "-sd",
        "/store/dir",
    ]);
    // From the flags.
    assert_eq!(o.port, 2222);
    assert_eq!(o.password, "porkchop");
    assert!(o.debug);
    assert_eq!(o.http_port, 8222);
    assert_eq!(o.prof_port, 6789);
    assert!(o.cluster.no_advertise);
    assert_eq!(o.cluster.connect_retries, 2);
    assert!(o.jetstream);
    assert_eq!(o.store_dir, "/store/dir");
    // From the file.
    assert_eq!(
        (o.server_name.as_str(), o.host.as_str()),
        ("testing_server", "127.0.0.1")
    );
    assert_eq!(o.username, "derek");
    assert!(o.trace && !o.logtime && o.syslog);
    assert_eq!(
        (o.max_connections, o.max_subs, o.max_payload),
        (100, 1000, 65536)
    );
    assert_eq!(o.ping_interval, Duration::from_secs(60));
    assert_eq!(o.write_deadline, Duration::from_secs(3));
}

/// TestConfigReloadBoolFlags for the logging switches (cluster and JetStream are not built yet): the
/// value from file and flags holds at start and after a reload.
#[tokio::test]
async fn bool_flags_survive_a_reload() {
    type Get = fn(&Options) -> bool;
    let cases: &[(&str, &[&str], bool, Get)] = &[
        ("", &[], true, |o| o.logtime),
        ("", &["-T"], true, |o| o.logtime),
        ("logtime: false", &[], false, |o| o.logtime),
        ("logtime: false", &["-T"], true, |o| o.logtime),
        ("logtime: false", &["-logtime"], true, |o| o.logtime),
        ("logtime: true", &["-T=false"], false, |o| o.logtime),
        ("logtime: true", &["-logtime=false"], false, |o| o.logtime),
        ("", &["-D"], true, |o| o.debug),
        ("debug: false", &["-debug"], true, |o| o.debug),
        ("debug: true", &[], true, |o| o.debug),
        ("debug: true", &["-D=false"], false, |o| o.debug),
        ("", &["-V"], true, |o| o.trace),
        ("trace: false", &["-trace"], true, |o| o.trace),
        ("trace: true", &["-V=false"], false, |o| o.trace),
        ("", &["-s"], true, |o| o.syslog),
        ("syslog: false", &["-syslog"], true, |o| o.syslog),
        ("syslog: true", &[], true, |o| o.syslog),
        ("syslog: true", &["-s=false"], false, |o| o.syslog),
    ];
    let dir = TempDir::new("flags-reload");
    let path = dir.0.join("bool.conf");
    let log = dir.0.join("bool.log");
    for (content, flags, want, get) in cases {
        let text = format!(
            "listen: \"127.0.0.1:-1\"\nlogfile: \"{}\"\n{content}\n",
            log.display()
        );
        std::fs::write(&path, &text).unwrap();
        let mut args = vec!["-c", path.to_str().unwrap()];
        args.extend_from_slice(flags);
        let (mut o, given) = configure(&args);
        assert_eq!(get(&o), *want, "{content:?} {flags:?} at start");
        o.no_signals = true;
        o.no_log = true;
        let h = start(o).await;
        h.shared.set_reload_flags(given);
        std::fs::write(&path, format!("{text}max_connections: 1000\n")).unwrap();
        h.shared.reload().expect("reload");
        let now = h.shared.opts();
        assert_eq!(now.max_connections, 1000);
        assert_eq!(get(&now), *want, "{content:?} {flags:?} after reload");
        h.shutdown().await;
    }
}

/// A file with only warnings: Go prints them on stderr and runs.
#[test]
fn warnings_alone_do_not_stop_the_server() {
    let dir = TempDir::new("flags-warn");
    let path = dir.0.join("warn.conf");
    std::fs::write(&path, "listen: 127.0.0.1:-1\nping_interval: 5\n").unwrap();
    let mut child = Proc::new(env!("CARGO_BIN_EXE_rnats-server"))
        .args(["-c", path.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines().take(40) {
            let Ok(line) = line else { break };
            let done = line.contains("Server is ready");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    });
    // The reader stops at "Server is ready", at end of output, or after 40 lines.
    let deadline = std::time::Instant::now() + WAIT;
    while !reader.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let lines = reader.join().unwrap();
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            format!(
                "{}:2:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration",
                path.display()
            )
            .as_str()
        ),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Server is ready")),
        "{lines:?}"
    );
}
