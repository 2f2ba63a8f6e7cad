//! Go's `conf/parse_test.go`, the tests on files: includes (real fixture files and in-memory
//! ones), positions of included values, JSON-like files and top-level blocks.

use super::P::{A, B, F, I};
use super::{fixtures, m, plain, s, P};
use crate::config::conf::{
    parse_bytes_with, parse_file_with, parse_file_with_digest, MemHost, Mode, OsHost, Value,
};

const ALICE: &str = "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q";
const BOB: &str = "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly";

// go: conf/TestIncludes
#[test]
fn includes() {
    let path = fixtures().join("simple.conf");
    let map = parse_file_with(&path.to_string_lossy(), &OsHost, Mode::Plain).unwrap();
    let want = m(&[
        ("listen", s("127.0.0.1:4222")),
        (
            "authorization",
            m(&[
                ("ALICE_PASS", s(ALICE)),
                ("BOB_PASS", s(BOB)),
                (
                    "users",
                    A(vec![
                        m(&[("user", s("alice")), ("password", s(ALICE))]),
                        m(&[("user", s("bob")), ("password", s(BOB))]),
                    ]),
                ),
                ("timeout", F(0.5)),
            ]),
        ),
    ]);
    assert_eq!(plain(&map), want);
}

// go: conf/TestIncludeVariablesWithChecks
#[test]
fn include_variables_with_checks() {
    let text = r#"
authorization {

  include "./includes/passwords.conf"

  CAROL_PASS: foo

  users = [
   {user: alice, password: $ALICE_PASS}
   {user: bob,   password: $BOB_PASS}
   {user: carol, password: $CAROL_PASS}
  ]
}
"#;
    // Go parses this with no file name, so the include is relative to the working directory.
    let passwords = std::fs::read(fixtures().join("includes/passwords.conf")).unwrap();
    let host = MemHost::new().with_file("includes/passwords.conf", passwords);
    let map = parse_bytes_with(text.as_bytes(), None, &host, Mode::Pedantic).unwrap();
    let auth = map.get("authorization").unwrap().value.as_map().unwrap();
    let expect = |key: &str, val: &str, line: usize, col: usize| {
        let v = auth.get(key).unwrap_or_else(|| panic!("key {key}"));
        assert_eq!(v.value, Value::String(val.to_string()), "{key}");
        assert_eq!((v.pos.line, v.pos.col), (line, col), "{key}");
    };
    expect("ALICE_PASS", ALICE, 2, 1);
    expect("BOB_PASS", BOB, 3, 1);
    expect("CAROL_PASS", "foo", 6, 3);
    // The included values name their own file.
    let alice = auth.get("ALICE_PASS").unwrap();
    assert_eq!(alice.pos.file_name(), "includes/passwords.conf");
    assert_eq!(auth.get("CAROL_PASS").unwrap().pos.file, None);
}

// go: conf/TestParseWithNoValuesIncludes
#[test]
fn parse_with_no_values_includes() {
    let main1 = r#"# includes
			accounts {
                          foo { include 'foo.conf'}
                          bar { users = [{user = "bar"}] }
                          quux { include 'quux.conf'}
                        }
                        "#;
    let host = MemHost::new()
        .with_file("/c/foo.conf", "")
        .with_file("/c/quux.conf", "?????????????");
    let e = parse_bytes_with(
        main1.as_bytes(),
        Some("/c/nats.conf"),
        &host,
        Mode::Pedantic,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "error parsing include file 'quux.conf', config is invalid (/c/quux.conf:1:13)"
    );

    let main2 = r#"# includes
			accounts {
                          foo { include 'foo.conf'}
                          bar { include 'bar.conf'}
                          quux { include 'quux.conf'}
                        }
                        "#;
    let host = MemHost::new()
        .with_file("/c/foo.conf", "")
        .with_file("/c/bar.conf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .with_file(
            "/c/quux.conf",
            "\n                                   # just some comments,\n                                   # and no key values also ok.\n                                ",
        );
    let e = parse_bytes_with(
        main2.as_bytes(),
        Some("/c/nats.conf"),
        &host,
        Mode::Pedantic,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "error parsing include file 'bar.conf', config is invalid (/c/bar.conf:1:34)"
    );
}

fn parse_mem_file(host: MemHost, path: &str) -> P {
    plain(&parse_file_with(path, &host, Mode::Plain).unwrap_or_else(|e| panic!("{e}")))
}

// go: conf/TestJSONParseCompat
#[test]
fn json_parse_compat() {
    let nested = r#"
                        {
                          "http_port": 8227,
                          "port": 4227,
                          "write_deadline": "1h",
                          "cluster": {
                            "port": 6222,
                            "routes": [
                              "nats://127.0.0.1:4222",
                              "nats://127.0.0.1:4223",
                              "nats://127.0.0.1:4224"
                            ]
                          }
                        }
                        "#;
    assert_eq!(
        parse_mem_file(MemHost::new().with_file("/d/n.conf", nested), "/d/n.conf"),
        m(&[
            ("http_port", I(8227)),
            ("port", I(4227)),
            ("write_deadline", s("1h")),
            (
                "cluster",
                m(&[
                    ("port", I(6222)),
                    (
                        "routes",
                        A(vec![
                            s("nats://127.0.0.1:4222"),
                            s("nats://127.0.0.1:4223"),
                            s("nats://127.0.0.1:4224"),
                        ]),
                    ),
                ]),
            ),
        ])
    );

    let blocks = r#"{
                          "jetstream": {
                            "store_dir": "/tmp/nats"
                            "max_mem": 1000000,
                          },
                          "port": 4222,
                          "server_name": "nats1"
                        }
                        "#;
    assert_eq!(
        parse_mem_file(MemHost::new().with_file("/d/n.conf", blocks), "/d/n.conf"),
        m(&[
            (
                "jetstream",
                m(&[("store_dir", s("/tmp/nats")), ("max_mem", I(1_000_000))]),
            ),
            ("port", I(4222)),
            ("server_name", s("nats1")),
        ])
    );

    for empty in [
        "{}",
        "\n                        {\n                        }\n                        ",
    ] {
        let host = MemHost::new().with_file("/d/n.conf", empty);
        assert_eq!(parse_mem_file(host, "/d/n.conf"), m(&[]));
    }

    let with_includes = r#"
                        accounts {
                          foo  { include 'foo.json'  }
                          bar  { include 'bar.json'  }
                          quux { include 'quux.json' }
                        }
                        "#;
    let host = MemHost::new()
        .with_file("/d/n.conf", with_includes)
        .with_file("/d/foo.json", r#"{ "users": [ {"user": "foo"} ] }"#)
        .with_file(
            "/d/bar.json",
            "{\n                                  \"users\": [ {\"user\": \"bar\"} ]\n                                }",
        )
        .with_file("/d/quux.json", "{}");
    let users = |u: &str| m(&[("users", A(vec![m(&[("user", s(u))])]))]);
    assert_eq!(
        parse_mem_file(host, "/d/n.conf"),
        m(&[(
            "accounts",
            m(&[
                ("foo", users("foo")),
                ("bar", users("bar")),
                ("quux", m(&[]))
            ]),
        )])
    );
}

// go: conf/TestBlocks
#[test]
fn blocks() {
    let listen = || m(&[("listen", s("0.0.0.0:4222"))]);
    let server = |name: &str| {
        m(&[
            ("debug", B(false)),
            ("prof_port", I(8221)),
            ("server_name", s(name)),
        ])
    };
    let cases = [
        ("{ listen: 0.0.0.0:4222 }", listen()),
        ("{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t }", listen()),
        (
            "\n\t\t\t{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t}\n\t\t\t# wibble\n\t\t\t",
            listen(),
        ),
        (
            "\n\t\t\t{\n\t\t\t\t{\n\t\t\t\t\tlisten: 0.0.0.0:4222 // random comment\n\t\t\t\t}\n\t\t\t\t# wibble1\n\t\t\t}\n\t\t\t# wibble2\n\t\t\t",
            listen(),
        ),
        (
            "\n\t\t\t{\n\t\t\t  \"debug\":              False\n\t\t\t  \"prof_port\":          8221\n\t\t\t  \"server_name\":        \"aws-useast2-natscj1-1\"\n\t\t\t}\n\t\t\t",
            server("aws-useast2-natscj1-1"),
        ),
        (
            "\n\t\t\t{\n\t\t\t  \"debug\":              False\n\t\t\t  \"server_name\":        \"gcp-asianortheast3-natscj1-1\"\n\n\t\t\t  # Profile port specification.\n\t\t\t  \"prof_port\":          8221\n\t\t\t}\n\t\t\t",
            server("gcp-asianortheast3-natscj1-1"),
        ),
    ];
    for (text, want) in cases {
        let host = MemHost::new().with_file("/b/nats.conf", text);
        assert_eq!(parse_mem_file(host, "/b/nats.conf"), want, "input {text:?}");
    }
}

// go: conf/TestParseFileWithChecksDigestPreservesConfigKeyUsedAsVariable
#[test]
fn parse_file_with_checks_digest_preserves_config_key_used_as_variable() {
    let dir = std::env::temp_dir().join(format!("rnats-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("nats.conf");
    std::fs::write(&path, "\n\t\tport = 4222\n\t\tmonitor_port = $port\n\t").unwrap();
    let result = parse_file_with_digest(&path);
    std::fs::remove_dir_all(&dir).ok();
    let (map, digest) = result.unwrap();
    let port = map.entry("port").expect("a key used as a variable is kept");
    assert!(port.used_as_variable);
    assert_eq!(map.get("monitor_port").unwrap().value, Value::Integer(4222));
    assert!(!map.entry("monitor_port").unwrap().used_as_variable);
    assert!(
        digest.starts_with("sha256:") && digest.len() == 7 + 64,
        "{digest}"
    );
}
