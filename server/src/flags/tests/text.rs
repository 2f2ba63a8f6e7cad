//! The text functions behind the flags: Go quoting, Go integer syntax, argument redaction and URL parsing.

use super::super::*;

#[test]
fn go_quote_escapes_like_strconv_quote() {
    assert_eq!(go_quote("foo"), "\"foo\"");
    assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_eq!(
        go_quote("\n\t\r\u{7}\u{8}\u{c}\u{b}"),
        "\"\\n\\t\\r\\a\\b\\f\\v\""
    );
    assert_eq!(go_quote("\u{1}\u{7f}"), "\"\\x01\\x7f\"");
    assert_eq!(go_quote("é世"), "\"é世\"");
    assert_eq!(go_quote("\u{a0}\u{200b}"), "\"\\u00a0\\u200b\"");
}

#[test]
fn int_values_follow_strconv_base_zero() {
    use crate::flags::goflag::{parse_int, NumError};
    let ok = [
        ("0", 0),
        ("-0", 0),
        ("10", 10),
        ("010", 8),
        ("0x1F", 31),
        ("0X1f", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("0x_1f", 31),
        ("-9223372036854775808", i64::MIN),
        ("9223372036854775807", i64::MAX),
    ];
    for (s, v) in ok {
        assert_eq!(parse_int(s), Ok(v), "{s}");
    }
    for s in [
        "", "-", "+", "08", "0b2", "1_", "_1", "1__0", "0x", "1e3", " 1", "0x_",
    ] {
        assert_eq!(parse_int(s), Err(NumError::Syntax), "{s:?}");
    }
    for s in [
        "9223372036854775808",
        "-9223372036854775809",
        "0xffffffffffffffffff",
    ] {
        assert_eq!(parse_int(s), Err(NumError::Range), "{s}");
    }
}

// go: server/TestRedactArgs
#[test]
fn redact_args_hides_secrets() {
    for dash in ["-", "--"] {
        for tag in ["user", "pass", "auth"] {
            for value in ["hello", "hello world"] {
                let flag = format!("{dash}{tag}");
                let mut a = vec![flag.clone(), value.to_string()];
                redact_args(&mut a);
                assert_eq!(a, vec![flag.clone(), "[REDACTED]".to_string()]);
                let mut a = vec![format!("{flag}={value}")];
                redact_args(&mut a);
                assert_eq!(a, vec![format!("{flag}=[REDACTED]")]);
            }
        }
    }
    let cases = [
        (
            "routes",
            "nats://ruser:s3cret@127.0.0.1:6222",
            "nats://[REDACTED]@127.0.0.1:6222",
        ),
        ("routes", "nats://127.0.0.1:6222", "nats://127.0.0.1:6222"),
        (
            "routes",
            "nats://ruser:s3cret@127.0.0.1:6222, nats://ruser2:s3cret2@127.0.0.1:6223",
            "nats://[REDACTED]@127.0.0.1:6222,nats://[REDACTED]@127.0.0.1:6223",
        ),
        (
            "cluster",
            "nats://cuser:s3cret@127.0.0.1:6224",
            "nats://[REDACTED]@127.0.0.1:6224",
        ),
        ("cluster", "nats://127.0.0.1:6224", "nats://127.0.0.1:6224"),
        (
            "cluster",
            "nats://cuser,extra:s3cret@127.0.0.1:6224",
            "nats://[REDACTED]@127.0.0.1:6224",
        ),
        (
            "cluster",
            "nats://cuser:s3cret@127.0.0.1:-1",
            "nats://[REDACTED]@127.0.0.1:-1",
        ),
        (
            "cluster_listen",
            "nats://luser:s3cret@127.0.0.1:6225",
            "nats://[REDACTED]@127.0.0.1:6225",
        ),
        (
            "cluster_listen",
            "nats://luser,extra:s3cret@127.0.0.1:6225",
            "nats://[REDACTED]@127.0.0.1:6225",
        ),
        (
            "cluster_listen",
            "nats://luser:s3cret@127.0.0.1:-1",
            "nats://[REDACTED]@127.0.0.1:-1",
        ),
    ];
    for dash in ["-", "--"] {
        for (tag, input, expected) in cases {
            let flag = format!("{dash}{tag}");
            let mut a = vec![flag.clone(), input.to_string()];
            redact_args(&mut a);
            assert_eq!(
                a,
                vec![flag.clone(), expected.to_string()],
                "{flag} {input}"
            );
            let mut a = vec![format!("{flag}={input}")];
            redact_args(&mut a);
            assert_eq!(a, vec![format!("{flag}={expected}")], "{flag}={input}");
        }
    }
}

#[test]
fn url_parts_and_split_host_port() {
    let u = url::parse("NATS://u%40x:p%3a@h.example:4222/p?q=1#f").unwrap();
    assert_eq!(u.scheme, "nats");
    assert_eq!(
        u.user,
        Some(url::UserInfo {
            username: "u@x".into(),
            password: Some("p:".into())
        })
    );
    assert_eq!((u.host.as_str(), u.path.as_str()), ("h.example:4222", "/p"));
    assert_eq!((u.raw_query.as_str(), u.fragment.as_str()), ("q=1", "f"));
    assert_eq!(url::parse("localhost:4222").unwrap().opaque, "4222");
    assert_eq!(
        url::split_host_port("[::1]:4222"),
        Ok(("::1".to_string(), "4222".to_string()))
    );
    assert_eq!(
        url::split_host_port("[::1]"),
        Err("address [::1]: missing port in address".to_string())
    );
    assert_eq!(
        url::split_host_port("[::1]:1:2"),
        Err("address [::1]:1:2: too many colons in address".to_string())
    );
    assert_eq!(
        url::split_host_port("[::1:2"),
        Err("address [::1:2: missing ']' in address".to_string())
    );
    assert_eq!(
        url::split_host_port("a]:1"),
        Err("address a]:1: unexpected ']' in address".to_string())
    );
}
