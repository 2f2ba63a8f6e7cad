//! The config digest: Go's `TestParseDigest`, SHA-256 test vectors, and Go's JSON number and
//! string forms.

use crate::config::conf::digest::{go_float, to_go_json};
use crate::config::conf::sha256::{hex, sha256};
use crate::config::conf::{parse_bytes_with, parse_file_with, MemHost, Mode};

fn file_digest(main: &str, includes: &[(&str, &str)]) -> String {
    let mut host = MemHost::new().with_file("/t/nats.conf", main);
    for (name, text) in includes {
        host = host.with_file(&format!("/t/{name}"), *text);
    }
    let map = parse_file_with("/t/nats.conf", &host, Mode::Pedantic).unwrap();
    crate::config::conf::digest(&map)
}

// go: conf/TestParseDigest
#[test]
fn parse_digest() {
    const FOO_BAR: &str = "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
    assert_eq!(file_digest("foo = bar", &[]), FOO_BAR);
    assert_eq!(
        file_digest(
            "# Comments and whitespace have no effect\n                        foo = bar\n                        ",
            &[]
        ),
        FOO_BAR
    );
    assert_eq!(
        file_digest(
            "# Syntax changes have no effect\n                        'foo': 'bar'\n                        ",
            &[]
        ),
        FOO_BAR
    );
    assert_eq!(
        file_digest(
            "# Syntax changes have no effect\n                        { 'foo': 'bar' }\n                        ",
            &[]
        ),
        FOO_BAR
    );

    let substitutions = r#"# substitutions
                        BAR_USERS = { users = [ {user = "bar"} ]}
                        hello = 'world'
                        accounts {
                          QUUX_USERS = [ { user: quux }]
                          bar = $BAR_USERS
                          quux = { users = $QUUX_USERS }
                        }
                        very { nested { env { VAR = 'NESTED', quux = $VAR }}}
                        "#;
    assert_eq!(
        file_digest(substitutions, &[]),
        "sha256:bddb282343249c26d3edcef9bfaa9d2711505fc67210380e871405ba394a9186"
    );
    let expanded = r#"# substitutions, same as previous one without env vars.
                        hello = 'world'
                        accounts {
                          bar  = { users = [ { user = "bar" } ]}
                          quux = { users = [ { user: quux   } ]}
                        }
                        very { nested { env { quux = 'NESTED' }}}
                        "#;
    assert_eq!(
        file_digest(expanded, &[]),
        "sha256:34f8faf3f269fe7509edc4742f20c8c4a7ad51fe21f8b361764314b533ac3ab5"
    );
    let reused = r#"# substitutions
                        BAR_USERS = { users = [ {user = "foo"} ]}
                        bar = $BAR_USERS
                        accounts {
                          users = $BAR_USERS
                        }
                        "#;
    assert_eq!(
        file_digest(reused, &[]),
        "sha256:b0e2ba0b8ec2cb75681b5c5d61789cda0c9942c2f9fe16cdb7f6703364485360"
    );
    let written_out = r#"# substitutions
                        bar = { users = [ {user = "foo"} ]}
                        accounts {
                          users = { users = [ {user = "foo"} ]}
                        }
                        "#;
    assert_eq!(
        file_digest(written_out, &[]),
        "sha256:f5d943b4ed22b80c6199203f8a7eaa8eb68ef7b2d46ef6b1b26f05e21f8beb13"
    );

    const INCLUDED: &str =
        "sha256:e72d70c91b64b0f880f86decb95ec2600cbdcf8bdcd2355fce5ebc54a84a77e9";
    let two_includes = r#"# includes
			accounts {
                          foo { include 'foo.conf'}
                          bar { users = [{user = "bar"}] }
                          quux { include 'quux.conf'}
                        }
                        "#;
    assert_eq!(
        file_digest(
            two_includes,
            &[
                ("foo.conf", r#" users = [{user = "foo"}]"#),
                ("quux.conf", r#" users = [{user = "quux"}]"#),
            ]
        ),
        INCLUDED
    );
    let three_includes = r#"# includes
			accounts {
                          foo { include 'foo.conf'}
                          bar { include 'bar.conf'}
                          quux { include 'quux.conf'}
                        }
                        "#;
    assert_eq!(
        file_digest(
            three_includes,
            &[
                ("foo.conf", r#" users = [{user = "foo"}]"#),
                ("bar.conf", r#" users = [{user = "bar"}]"#),
                ("quux.conf", r#" users = [{user = "quux"}]"#),
            ]
        ),
        INCLUDED
    );
}

#[test]
fn sha256_standard_vectors() {
    let cases: [(&[u8], &str); 4] = [
        (
            b"",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
        (
            b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(hex(&sha256(input)), want);
    }
    // A million 'a's crosses many blocks.
    assert_eq!(
        hex(&sha256(&vec![b'a'; 1_000_000])),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

#[test]
fn go_float_forms() {
    let cases = [
        (0.0, "0"),
        (-0.0, "-0"),
        (2.2, "2.2"),
        (1.0, "1"),
        (0.5, "0.5"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-10, "1.5e-10"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.2345e300, "1.2345e+300"),
        (-1e21, "-1e+21"),
        (123456.789, "123456.789"),
    ];
    for (f, want) in cases {
        assert_eq!(go_float(f), want, "{f:e}");
    }
}

#[test]
fn go_json_strings_and_order() {
    let text = "b = \"<a&b>\\t\\r\\n\\\"\\\\\\x01\\x7f\"\na = [1, 2.5, true, 2016-05-04T18:53:41Z ]\nB = { z = 1, y = 'é\u{2028}' }\n";
    let map = parse_bytes_with(text.as_bytes(), None, &MemHost::new(), Mode::Pedantic).unwrap();
    let json = String::from_utf8(to_go_json(&map)).unwrap();
    assert_eq!(
        json,
        "{\"B\":{\"y\":\"é\\u2028\",\"z\":1},\"a\":[1,2.5,true,\"2016-05-04T18:53:41Z\"],\"b\":\"\\u003ca\\u0026b\\u003e\\t\\r\\n\\\"\\\\\\u0001\u{7f}\"}\n"
    );
}
