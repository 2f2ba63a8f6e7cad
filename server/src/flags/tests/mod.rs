//! Flag parser tests: every flag form, every flag, override order, and the commands (help, version,
//! signal, check). Expected texts were taken from the Go `nats-server` v2.15.1 binary.

mod errors;
mod text;

use super::*;
use crate::consts::{DEFAULT_HOST, DEFAULT_PORT};

fn args(line: &[&str]) -> Vec<String> {
    line.iter().map(|s| s.to_string()).collect()
}

fn run(line: &[&str]) -> (Options, FlagSet) {
    match parse_args(&args(line)) {
        Ok(Command::Run(opts, flags)) => (*opts, flags),
        other => panic!("{line:?}: expected Run, got {other:?}"),
    }
}

fn err(line: &[&str]) -> FlagError {
    match parse_args(&args(line)) {
        Err(e) => e,
        Ok(other) => panic!("{line:?}: expected an error, got {other:?}"),
    }
}

#[test]
fn every_flag_form_sets_the_port() {
    for line in [
        &["-p", "1234"][..],
        &["--p", "1234"],
        &["-p=1234"],
        &["--p=1234"],
        &["-port", "1234"],
        &["--port", "1234"],
        &["-port=1234"],
        &["--port=1234"],
        &["-p", "0x4d2"],
        &["-p=0o2322"],
        &["-p", "02322"],
        &["-p", "0b10011010010"],
        &["-p", "1_234"],
        &["-p", "+1234"],
    ] {
        let (opts, flags) = run(line);
        assert_eq!(opts.port, 1234, "{line:?}");
        assert!(flags.sets("port"), "{line:?}");
    }
}

// The 64 names Go's ConfigureOptions defines, each accepted in both dash forms with a value of its kind.
#[test]
fn every_go_flag_is_defined_with_its_kind() {
    assert_eq!(defs::FLAGS.len(), 64);
    for def in defs::FLAGS {
        let value = match def.kind {
            defs::Kind::Bool => None,
            defs::Kind::Int32 | defs::Kind::Int64 => Some("1"),
            defs::Kind::Str => Some("x"),
        };
        for dashes in ["-", "--"] {
            let flag = format!("{dashes}{}", def.name);
            let mut line = vec![flag.as_str()];
            line.extend(value);
            // Some flags lead to another command or a later check; none may be a syntax error.
            let result = parse_args(&args(&line));
            assert!(
                !matches!(result, Err(FlagError::Syntax(_))),
                "{line:?}: {result:?}"
            );
        }
        if def.kind != defs::Kind::Str {
            // Numbers and bools refuse text.
            let bad = format!("-{}=zz", def.name);
            assert!(
                matches!(parse_args(&args(&[&bad])), Err(FlagError::Syntax(_))),
                "{bad}"
            );
        }
    }
}

#[test]
fn a_value_may_start_with_a_dash() {
    assert_eq!(run(&["-p", "-1"]).0.port, -1);
    assert_eq!(run(&["-a", "-t"]).0.host, "-t");
}

#[test]
fn bool_flags_take_a_value_only_after_equals() {
    assert!(run(&["-D"]).0.debug);
    assert!(run(&["--D"]).0.debug);
    assert!(run(&["--debug"]).0.debug);
    for v in ["1", "t", "T", "TRUE", "true", "True"] {
        assert!(run(&[&format!("-D={v}")]).0.debug, "{v}");
    }
    for v in ["0", "f", "F", "FALSE", "false", "False"] {
        let (opts, flags) = run(&["-D", &format!("-D={v}")]);
        assert!(!opts.debug, "{v}");
        assert!(flags.sets("debug"));
    }
    // A bool flag does not take the next argument as its value: it stays a command word.
    assert_eq!(
        err(&["-D", "false"]),
        FlagError::Invalid("unrecognized command: \"false\"".into())
    );
}

#[test]
fn flags_stop_at_the_first_non_flag_argument() {
    assert_eq!(
        err(&["-p", "1", "foo", "-D"]),
        FlagError::Invalid("unrecognized command: \"foo\"".into())
    );
    assert_eq!(
        err(&["-"]),
        FlagError::Invalid("unrecognized command: \"-\"".into())
    );
    // "--" ends the flags and is dropped; what follows is a command word.
    assert!(matches!(
        parse_args(&args(&["--", "version"])),
        Ok(Command::Version)
    ));
    assert_eq!(
        err(&["--", "-p", "5"]),
        FlagError::Invalid("unrecognized command: \"-p\"".into())
    );
    let (opts, _) = run(&["-D", "--"]);
    assert!(opts.debug);
}

#[test]
fn each_flag_lands_in_its_option() {
    let (c, k) = crate::tls::test_key_pair("each-flag");
    let (o, _) = run(&[
        "-a",
        "127.0.0.2",
        "-n",
        "srv",
        "-P",
        "/tmp/x.pid",
        "-m",
        "8222",
        "-ms",
        "8223",
        "--client_advertise",
        "me:4222",
        "--ports_file_dir",
        "/tmp/pd",
        "-l",
        "/tmp/x.log",
        "-T=false",
        "--logtime_utc",
        "-s",
        "-r",
        "udp://127.0.0.1:514",
        "--log_size_limit",
        "1000",
        "--max_traced_msg_len",
        "64",
        "-js",
        "-sd",
        "/tmp/js",
        "--user",
        "u",
        "--pass",
        "pw",
        "--auth",
        "tok",
        "--profile",
        "6060",
        "--cluster_name",
        "c1",
        "--cluster_advertise",
        "adv:6222",
        "--no_advertise",
        "--connect_retries",
        "3",
        "--tlsverify",
        "--tlscert",
        &c,
        "--tlskey",
        &k,
        "--tlscacert",
        &c,
    ]);
    assert_eq!(o.host, "127.0.0.2");
    assert_eq!(o.server_name, "srv");
    assert_eq!(
        o.pid_file.as_deref(),
        Some(std::path::Path::new("/tmp/x.pid"))
    );
    assert_eq!(o.http_port, 8222);
    assert_eq!(o.https_port, 8223);
    assert_eq!(o.client_advertise, "me:4222");
    assert_eq!(
        o.ports_file_dir.as_deref(),
        Some(std::path::Path::new("/tmp/pd"))
    );
    assert_eq!(
        o.log_file.as_deref(),
        Some(std::path::Path::new("/tmp/x.log"))
    );
    assert!(!o.logtime);
    assert!(o.logtime_utc);
    assert!(o.syslog);
    assert_eq!(o.remote_syslog, "udp://127.0.0.1:514");
    assert_eq!(o.log_size_limit, 1000);
    assert_eq!(o.max_traced_msg_len, 64);
    assert!(o.jetstream);
    assert_eq!(o.store_dir, "/tmp/js");
    assert_eq!((o.username.as_str(), o.password.as_str()), ("u", "pw"));
    assert_eq!(o.authorization, "tok");
    assert_eq!(o.prof_port, 6060);
    assert_eq!(o.cluster.name, "c1");
    assert_eq!(o.cluster.advertise, "adv:6222");
    assert!(o.cluster.no_advertise);
    assert_eq!(o.cluster.connect_retries, 3);
    assert!(o.tls_verify);
    assert_eq!(
        (
            o.tls_cert.as_str(),
            o.tls_key.as_str(),
            o.tls_ca_cert.as_str()
        ),
        (c.as_str(), k.as_str(), c.as_str())
    );
    assert!(o.tls_config.as_ref().is_some_and(|t| t.verify));
}

#[test]
fn long_aliases_set_the_same_options() {
    let (o, _) = run(&[
        "--net",
        "10.0.0.1",
        "--server_name",
        "a",
        "--pid",
        "p",
        "--http_port",
        "1",
        "--https_port",
        "2",
        "--log",
        "l",
        "--logtime=false",
        "--syslog",
        "--remote_syslog",
        "r",
        "--jetstream",
        "--store_dir",
        "d",
        "--trace",
        "--debug",
    ]);
    assert_eq!(o.host, "10.0.0.1");
    assert_eq!(o.server_name, "a");
    assert_eq!(o.http_port, 1);
    assert_eq!(o.https_port, 2);
    assert!(o.pid_file.is_some() && o.log_file.is_some());
    assert!(!o.logtime && o.syslog && o.jetstream && o.trace && o.debug);
    assert_eq!((o.remote_syslog.as_str(), o.store_dir.as_str()), ("r", "d"));
    assert_eq!(run(&["--addr", "h"]).0.host, "h");
    assert_eq!(run(&["--name", "x"]).0.server_name, "x");
}

#[test]
fn unset_flags_keep_go_baseline_and_zero_values_become_the_baseline() {
    let (o, flags) = run(&[]);
    assert!(flags.is_empty());
    assert_eq!((o.host.as_str(), o.port), (DEFAULT_HOST, DEFAULT_PORT));
    assert!(o.logtime && !o.debug && !o.trace);
    // Go's baseline turns an explicit 0 port / empty host into the defaults.
    assert_eq!(run(&["-p", "0"]).0.port, DEFAULT_PORT);
    assert_eq!(run(&["-a", ""]).0.host, DEFAULT_HOST);
    // A negative traced length means unlimited, like 0.
    assert_eq!(run(&["--max_traced_msg_len=-5"]).0.max_traced_msg_len, 0);
}

#[test]
fn later_flags_override_earlier_ones() {
    assert_eq!(run(&["-p", "1", "--port", "2", "-p=3"]).0.port, 3);
    assert_eq!(run(&["-a", "h1", "--net", "h2"]).0.host, "h2");
}

#[test]
fn combined_log_flags_follow_go_visit_order() {
    let o = run(&["-DV"]).0;
    assert!(o.debug && o.trace && !o.trace_verbose);
    let o = run(&["-VV"]).0;
    assert!(!o.debug && o.trace && o.trace_verbose);
    let o = run(&["-DVV"]).0;
    assert!(o.debug && o.trace && o.trace_verbose);
    // "DV" is visited after "D" whatever the command-line order: DV wins.
    let o = run(&["-DV=false", "-D"]).0;
    assert!(!o.debug && !o.trace);
    let o = run(&["-D=false", "-DV"]).0;
    assert!(o.debug && o.trace);
    // "VV" is visited after "V".
    let o = run(&["-V", "-VV=false"]).0;
    assert!(!o.trace && !o.trace_verbose);
    let flags = run(&["-DV"]).1;
    assert!(flags.sets("debug") && flags.sets("trace") && !flags.sets("trace_verbose"));
}

// The config file sets values; flags given explicitly win when applied again (Go parses the flags a second
// time after loading the file).
#[test]
fn apply_overrides_a_loaded_config() {
    let (_, flags) = match parse_args(&args(&["-c", "x.conf", "-V=false", "-p", "7"])) {
        Ok(Command::Run(opts, flags)) => {
            assert_eq!(
                opts.config_file.as_deref(),
                Some(std::path::Path::new("x.conf"))
            );
            (opts, flags)
        }
        other => panic!("{other:?}"),
    };
    let mut from_file = Options {
        trace: true,
        debug: true,
        port: 5,
        server_name: "file".into(),
        ..Options::default()
    };
    flags.apply(&mut from_file).unwrap();
    assert!(!from_file.trace, "-V=false wins over the file");
    assert!(
        from_file.debug,
        "not given on the command line: the file's value stays"
    );
    assert_eq!(from_file.port, 7);
    assert_eq!(from_file.server_name, "file");

    let flags = match parse_args(&args(&["-c", "x.conf", "-DV=false"])) {
        Ok(Command::Run(_, f)) => f,
        other => panic!("{other:?}"),
    };
    let mut from_file = Options {
        trace: true,
        debug: true,
        ..Options::default()
    };
    flags.apply(&mut from_file).unwrap();
    assert!(!from_file.trace && !from_file.debug);
}

#[test]
fn config_defers_the_route_check_until_apply() {
    // Without a config file, routes need a cluster listener.
    assert_eq!(
        err(&["-routes", "nats://127.0.0.1:6223"]),
        FlagError::Invalid("solicited routes require cluster capabilities, e.g. --cluster".into())
    );
    // With one, the file may define the cluster: the check waits for apply.
    let flags = match parse_args(&args(&["-c", "x.conf", "-routes", "nats://127.0.0.1:6223"])) {
        Ok(Command::Run(_, f)) => f,
        other => panic!("{other:?}"),
    };
    let mut with_cluster = Options::default();
    with_cluster.cluster.port = 6222;
    flags.apply(&mut with_cluster).unwrap();
    assert_eq!(
        with_cluster.routes,
        vec!["nats://127.0.0.1:6223".to_string()]
    );
    assert!(flags.apply(&mut Options::default()).is_err());
}

#[test]
fn version_help_and_tls_help() {
    for line in [
        &["-v"][..],
        &["--version"],
        &["version"],
        &["VERSION"],
        &["-v", "-h"],
        &["-D", "version", "x"],
    ] {
        assert!(
            matches!(parse_args(&args(line)), Ok(Command::Version)),
            "{line:?}"
        );
    }
    for line in [&["-h"][..], &["--help"], &["help"], &["-h", "--help_tls"]] {
        assert!(
            matches!(parse_args(&args(line)), Ok(Command::Help)),
            "{line:?}"
        );
    }
    assert!(matches!(
        parse_args(&args(&["--help_tls"])),
        Ok(Command::HelpTls)
    ));
    // -v=false is not a request for the version.
    assert!(matches!(
        parse_args(&args(&["-v=false"])),
        Ok(Command::Run(..))
    ));
    // A flag error comes before everything else.
    assert!(matches!(
        parse_args(&args(&["-v", "-p", "x"])),
        Err(FlagError::Syntax(_))
    ));
    assert_eq!(
        version_text(),
        format!("nats-server: v{}\n", crate::consts::VERSION)
    );
    assert_eq!(version_text(), "nats-server: v2.15.1\n");
}

#[test]
fn usage_and_tls_help_texts_have_go_shape() {
    let u = usage_text();
    assert!(u.starts_with("\nUsage: nats-server [options]\n\nServer Options:\n"));
    assert!(u.ends_with("        --help_tls                   TLS help\n\n"));
    assert!(u.contains(
        "    -sl,--signal <signal>[=<pid>]    Send signal to nats-server process (ldm, stop, quit, term, reopen, reload)\n"
    ));
    let t = tls_help_text();
    assert!(t.starts_with(
        "\nTLS configuration is specified in the tls section of a configuration file:\n"
    ));
    assert!(t.contains("Available cipher suites include:\n    TLS_"));
    assert!(t.contains("\n\nAvailable curve preferences include:\n    "));
    assert!(t.ends_with("Note: Cache of server's own OCSP response (staple) is enabled using the 'ocsp' configuration option.\n"));
    assert_eq!(
        check_config_text("a.conf", "sha256:ab"),
        "nats-server: configuration file a.conf is valid (sha256:ab)\n"
    );
}

// go: server/TestProcessCommandLineArgs
#[test]
fn command_words_after_the_flags() {
    let (o, _) = run(&["-a", "127.0.0.1", "-p", "9090"]);
    assert_eq!((o.host.as_str(), o.port), ("127.0.0.1", 9090));
    assert!(matches!(
        parse_args(&args(&["version"])),
        Ok(Command::Version)
    ));
    assert!(matches!(parse_args(&args(&["help"])), Ok(Command::Help)));
    assert_eq!(
        err(&["foo", "-p", "9090"]),
        FlagError::Invalid("unrecognized command: \"foo\"".into())
    );
}

#[test]
fn signal_flag() {
    let sig = |line: &[&str]| match parse_args(&args(line)) {
        Ok(Command::Signal { command, pid }) => (command, pid),
        other => panic!("{line:?}: {other:?}"),
    };
    assert_eq!(sig(&["--signal", "stop"]), ("stop".into(), None));
    assert_eq!(
        sig(&["-sl=reload=123"]),
        ("reload".into(), Some("123".into()))
    );
    assert_eq!(
        sig(&["-sl", "quit=/var/run/n.pid"]),
        ("quit".into(), Some("/var/run/n.pid".into()))
    );
    assert_eq!(sig(&["-sl", "ldm="]), ("ldm".into(), Some(String::new())));
    // The signal is handled before -t is checked.
    assert_eq!(sig(&["-sl", "term", "-t"]).0, "term");
    assert_eq!(
        err(&["--signal=stop=1=2"]),
        FlagError::Invalid("invalid signal parameters: [2]".into())
    );
    assert_eq!(
        err(&["-sl", "quit=pid=foo=bar"]),
        FlagError::Invalid("invalid signal parameters: [foo bar]".into())
    );
    // An empty signal is no signal.
    assert!(matches!(parse_args(&args(&["-sl="])), Ok(Command::Run(..))));
}

#[test]
fn check_config_needs_a_config_file() {
    match parse_args(&args(&["-t", "-c", "a.conf"])) {
        Ok(Command::CheckConfig(o, _)) => {
            assert!(o.check_config);
            assert_eq!(
                o.config_file.as_deref(),
                Some(std::path::Path::new("a.conf"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cluster_and_routes_flags() {
    let (o, _) = run(&[
        "-cluster",
        "nats://127.0.0.1:6222",
        "-routes",
        "nats://127.0.0.1:6223",
    ]);
    assert_eq!(o.cluster.listen_str, "nats://127.0.0.1:6222");
    assert_eq!(
        (o.cluster.host.as_str(), o.cluster.port),
        ("127.0.0.1", 6222)
    );
    assert_eq!(o.routes_str, "nats://127.0.0.1:6223");
    assert_eq!(o.routes, vec!["nats://127.0.0.1:6223".to_string()]);

    let (o, _) = run(&[
        "--cluster_listen",
        "nats://ivan:pwd@127.0.0.1:6222",
        "--routes",
        "a, b ,c",
    ]);
    assert_eq!(
        (o.cluster.username.as_str(), o.cluster.password.as_str()),
        ("ivan", "pwd")
    );
    assert_eq!(o.routes, vec!["a", "b", "c"]);

    let (o, _) = run(&["-cluster", "nats://u:p@127.0.0.1:-1"]);
    assert_eq!(o.cluster.port, -1);
    assert_eq!(o.cluster.listen_str, "nats://u:p@127.0.0.1:0");

    // An empty listen URL disables clustering set by a config file.
    let flags = match parse_args(&args(&["-c", "x.conf", "-cluster", ""])) {
        Ok(Command::Run(_, f)) => f,
        other => panic!("{other:?}"),
    };
    let mut from_file = Options::default();
    from_file.cluster.port = 7244;
    from_file.cluster.username = "ruser".into();
    flags.apply(&mut from_file).unwrap();
    assert_eq!(from_file.cluster.port, 0);

    // A listen URL without credentials clears the file's credentials.
    let flags = match parse_args(&args(&[
        "-c",
        "x.conf",
        "-cluster",
        "nats://127.0.0.1:8224",
    ])) {
        Ok(Command::Run(_, f)) => f,
        other => panic!("{other:?}"),
    };
    let mut from_file = Options::default();
    from_file.cluster.username = "ruser".into();
    from_file.cluster.password = "pw".into();
    flags.apply(&mut from_file).unwrap();
    assert_eq!(from_file.cluster.port, 8224);
    assert!(from_file.cluster.username.is_empty() && from_file.cluster.password.is_empty());
}
