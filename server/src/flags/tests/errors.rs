//! Refused command lines: Go's flag errors (stderr message, usage on stdout, exit 0), later errors
//! (`nats-server: ` prefix, exit 1), bad cluster URLs and incomplete TLS flags.

use super::super::*;
use super::{args, err, run};

#[test]
fn syntax_errors_match_go_and_exit_zero_after_usage() {
    let cases: &[(&[&str], &str)] = &[
        (&["-x"], "flag provided but not defined: -x"),
        (&["--xxx", "foo"], "flag provided but not defined: -xxx"),
        (&["-x=1"], "flag provided but not defined: -x"),
        (&["-p"], "flag needs an argument: -p"),
        (&["--signal"], "flag needs an argument: -signal"),
        (
            &["-p", "abc"],
            "invalid value \"abc\" for flag -p: parse error",
        ),
        (&["-p="], "invalid value \"\" for flag -p: parse error"),
        (
            &["-p", "_1"],
            "invalid value \"_1\" for flag -p: parse error",
        ),
        (
            &["-p", "1__0"],
            "invalid value \"1__0\" for flag -p: parse error",
        ),
        (
            &["-p", "0x"],
            "invalid value \"0x\" for flag -p: parse error",
        ),
        (
            &["-p", "99999999999999999999"],
            "invalid value \"99999999999999999999\" for flag -p: value out of range",
        ),
        (
            &["--log_size_limit", "9223372036854775808"],
            "invalid value \"9223372036854775808\" for flag -log_size_limit: value out of range",
        ),
        (&["-D=x"], "invalid boolean value \"x\" for -D: parse error"),
        (&["-D="], "invalid boolean value \"\" for -D: parse error"),
        (&["---p"], "bad flag syntax: ---p"),
        (&["-=x"], "bad flag syntax: -=x"),
        (&["--=x"], "bad flag syntax: --=x"),
        (
            &["-p", "1", "-x", "-v"],
            "flag provided but not defined: -x",
        ),
    ];
    for (line, msg) in cases {
        let e = err(line);
        assert_eq!(e, FlagError::Syntax(msg.to_string()), "{line:?}");
        assert_eq!(e.exit_code(), 0);
        assert_eq!(e.stderr_text(), format!("{msg}\n"));
        assert_eq!(e.stdout_text(), usage_text());
    }
    assert_eq!(
        parse_args(&args(&["--log_size_limit", "-9223372036854775808"]))
            .ok()
            .and_then(|c| match c {
                Command::Run(o, _) => Some(o.log_size_limit),
                _ => None,
            }),
        Some(i64::MIN)
    );
}

#[test]
fn later_errors_are_prefixed_and_exit_one() {
    let e = err(&["foo"]);
    assert_eq!(
        e.stderr_text(),
        "nats-server: unrecognized command: \"foo\"\n"
    );
    assert_eq!(e.stdout_text(), "");
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        err(&["-t"]),
        FlagError::Invalid(
            "must specify [-c, --config] option to check configuration file syntax".into()
        )
    );
}

#[test]
fn bad_cluster_urls_fail_with_go_messages() {
    let cases = [
        (":", "parse \":\": missing protocol scheme"),
        (
            "nats://127.0.0.1",
            "address 127.0.0.1: missing port in address",
        ),
        (
            "nats://127.0.0.1:xxx",
            "parse \"nats://127.0.0.1:xxx\": invalid port \":xxx\" after host",
        ),
        (
            "nats://ivan:127.0.0.1:6222",
            "address ivan:127.0.0.1:6222: too many colons in address",
        ),
        (
            "nats://ivan@127.0.0.1:6222",
            "expected cluster password to be set",
        ),
        ("nats://127.0.0.1:", "EOF"),
        (
            "nats://127.0.0.1:99999999999999999999",
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
        ),
        (
            "nats://a%zz:b@h:1",
            "parse \"nats://a%zz:b@h:1\": invalid URL escape \"%zz\"",
        ),
        (
            "nats://a:b@h%41:1",
            "parse \"nats://a:b@h%41:1\": invalid URL escape \"%41\"",
        ),
        (
            "nats://[zz]:1",
            "parse \"nats://[zz]:1\": invalid host: ParseAddr(\"zz\"): unable to parse IP",
        ),
        (
            "nats://[::1:1",
            "parse \"nats://[::1:1\": missing ']' in host",
        ),
        (
            "nats://[::1]x:1",
            "parse \"nats://[::1]x:1\": invalid port \"x:1\" after host",
        ),
        (
            "nats://h%20x:1",
            "parse \"nats://h%20x:1\": invalid URL escape \"%20\"",
        ),
        (
            "nats://u^:p@h:1",
            "parse \"nats://u^:p@h:1\": net/url: invalid userinfo",
        ),
        (
            "127.0.0.1:6222",
            "parse \"127.0.0.1:6222\": first path segment in URL cannot contain colon",
        ),
        ("localhost:6222", "missing port in address"),
        (
            "nats://h:1#%zz",
            "parse \"nats://h:1#%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "nats://h:1/%zz",
            "parse \"nats://h:1/%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "nats://u:p@h:1:-1",
            "address h:1:0: too many colons in address",
        ),
        (
            "nats://h:+1",
            "parse \"nats://h:+1\": invalid port \":+1\" after host",
        ),
        (
            "nats://[fe80::1%eth0]:1",
            "parse \"nats://[fe80::1%eth0]:1\": invalid URL escape \"%et\"",
        ),
    ];
    for (url, msg) in cases {
        assert_eq!(
            err(&["-cluster", url, "-routes", ""]),
            FlagError::Invalid(msg.to_string()),
            "{url}"
        );
    }
    // Accepted by Go too: the errors come later, when listening.
    for url in [
        "nats://h!x:1",
        "nats://h:1?%zz",
        "nats://h%25x:1",
        "nats://u%3a:p%40@h:1",
        "nats://[fe80::1%25eth0]:1",
    ] {
        run(&["-cluster", url]);
    }
}

#[test]
fn tls_flags() {
    assert_eq!(
        err(&["-tls"]),
        FlagError::Invalid("TLS Server certificate must be present and valid".into())
    );
    assert_eq!(
        err(&["-tlscert", "x"]),
        FlagError::Invalid("TLS Server private key must be present and valid".into())
    );
    assert_eq!(
        err(&["-tlsverify"]),
        FlagError::Invalid("TLS Server certificate must be present and valid".into())
    );
    assert_eq!(
        err(&["-tls", "-tlscert", "/nonexistent/c", "-tlskey", "k"]),
        FlagError::Invalid(
            "error parsing X509 certificate/key pair: open /nonexistent/c: no such file or directory"
                .into()
        )
    );
    let (c, k) = crate::tls::test_key_pair("flags");
    let (o, flags) = run(&["-tls", "-tlscert", &c, "-tlskey", &k]);
    assert!(o.tls);
    assert!(o.tls_config.as_ref().is_some_and(|t| !t.verify));
    assert_eq!(flags.tls_override(&o), TlsOverride::FromFlags);
    // -tls=false disables TLS whatever other TLS flags say.
    let (o, flags) = run(&["-tls=false", "-tlsverify"]);
    assert_eq!(flags.tls_override(&o), TlsOverride::Disable);
    let (o, flags) = run(&["-D"]);
    assert_eq!(flags.tls_override(&o), TlsOverride::Keep);
}
