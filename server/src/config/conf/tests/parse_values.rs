//! Go's `conf/parse_test.go`, the tests on text: values, variables, numbers, samples, and
//! which configs without values are valid.

use super::P::{A, B, F, I};
use super::{check, check_with, m, parse_err, s, P};
use crate::config::conf::{parse_bytes_with, MemHost, Mode};

// go: conf/TestSimpleTopLevel
#[test]
fn simple_top_level() {
    check(
        "foo='1'; bar=2.2; baz=true; boo=22",
        m(&[
            ("foo", s("1")),
            ("bar", F(2.2)),
            ("baz", B(true)),
            ("boo", I(22)),
        ]),
    );
}

// go: conf/TestBools
#[test]
fn bools() {
    for text in ["foo=true", "foo=TRUE", "foo=true", "foo=yes", "foo=on"] {
        check(text, m(&[("foo", B(true))]));
    }
}

// go: conf/TestSimpleVariable
#[test]
fn simple_variable() {
    check(
        "\n  index = 22\n  foo = $index\n",
        m(&[("index", I(22)), ("foo", I(22))]),
    );
}

// go: conf/TestNestedVariable
#[test]
fn nested_variable() {
    let text = r#"
  index = 22
  nest {
    index = 11
    foo = $index
  }
  bar = $index
"#;
    check(
        text,
        m(&[
            ("index", I(22)),
            ("nest", m(&[("index", I(11)), ("foo", I(11))])),
            ("bar", I(22)),
        ]),
    );
}

// go: conf/TestMissingVariable
#[test]
fn missing_variable() {
    let e = parse_err("foo=$index");
    assert!(e.to_string().starts_with("variable reference"), "{e}");
    assert_eq!(
        e.to_string(),
        "variable reference for 'index' on line 1 can not be found"
    );
}

// go: conf/TestEnvVariable
#[test]
fn env_variable() {
    let host = MemHost::new().with_env("__UNIQ22__", "22");
    check_with("foo = $__UNIQ22__", &host, m(&[("foo", I(22))]));
}

// go: conf/TestEnvVariableString
#[test]
fn env_variable_string() {
    let host = MemHost::new().with_env("__UNIQ22__", "xyz");
    check_with("foo = $__UNIQ22__", &host, m(&[("foo", s("xyz"))]));
}

// go: conf/TestEnvVariableStringStartingWithNumber
#[test]
fn env_variable_string_starting_with_number() {
    // Go's test parses the literal text "foo = $%s" (it never formats the name in), so the
    // error it gets is a missing variable `%s`; the same input gives the same error here.
    let host = MemHost::new().with_env("__UNIQ22__", "3xyz");
    let e = parse_bytes_with(b"foo = $%s", None, &host, Mode::Plain).unwrap_err();
    assert_eq!(
        e.to_string(),
        "variable reference for '%s' on line 1 can not be found"
    );
    // With the name formatted in, `3xyz` is a string that starts with a digit, which is fine.
    check_with("foo = $__UNIQ22__", &host, m(&[("foo", s("3xyz"))]));
}

// go: conf/TestEnvVariableStringStartingWithNumberAndSizeUnit
#[test]
fn env_variable_string_starting_with_number_and_size_unit() {
    let host = MemHost::new().with_env("__UNIQ22__", "3Gyz");
    check_with("foo = $__UNIQ22__", &host, m(&[("foo", s("3Gyz"))]));
}

// go: conf/TestEnvVariableStringStartingWithNumberUsingQuotes
#[test]
fn env_variable_string_starting_with_number_using_quotes() {
    let host = MemHost::new().with_env("__UNIQ22__", "'3xyz'");
    check_with("foo = $__UNIQ22__", &host, m(&[("foo", s("3xyz"))]));
}

// go: conf/TestBcryptVariable
#[test]
fn bcrypt_variable() {
    check("password: $2a$11$ooo", m(&[("password", s("$2a$11$ooo"))]));
}

// go: conf/TestConvenientNumbers
#[test]
fn convenient_numbers() {
    let text = r#"
k = 8k
kb = 4kb
ki = 3ki
kib = 4ki
m = 1m
mb = 2MB
mi = 2Mi
mib = 64MiB
g = 2g
gb = 22GB
gi = 22Gi
gib = 22GiB
tb = 22TB
ti = 22Ti
tib = 22TiB
pb = 22PB
pi = 22Pi
pib = 22PiB
"#;
    const K: i64 = 1024;
    check(
        text,
        m(&[
            ("k", I(8 * 1000)),
            ("kb", I(4 * K)),
            ("ki", I(3 * K)),
            ("kib", I(4 * K)),
            ("m", I(1000 * 1000)),
            ("mb", I(2 * K * K)),
            ("mi", I(2 * K * K)),
            ("mib", I(64 * K * K)),
            ("g", I(2 * 1000 * 1000 * 1000)),
            ("gb", I(22 * K * K * K)),
            ("gi", I(22 * K * K * K)),
            ("gib", I(22 * K * K * K)),
            ("tb", I(22 * K * K * K * K)),
            ("ti", I(22 * K * K * K * K)),
            ("tib", I(22 * K * K * K * K)),
            ("pb", I(22 * K * K * K * K * K)),
            ("pi", I(22 * K * K * K * K * K)),
            ("pib", I(22 * K * K * K * K * K)),
        ]),
    );
}

// go: conf/TestSample1
#[test]
fn sample1() {
    let text = r#"
foo  {
  host {
    ip   = '127.0.0.1'
    port = 4242
  }
  servers = [ "a.com", "b.com", "c.com"]
}
"#;
    check(
        text,
        m(&[(
            "foo",
            m(&[
                ("host", m(&[("ip", s("127.0.0.1")), ("port", I(4242))])),
                ("servers", A(vec![s("a.com"), s("b.com"), s("c.com")])),
            ]),
        )]),
    );
}

// go: conf/TestSample2
#[test]
fn sample2() {
    let text = r#"
cluster {
  port: 4244

  authorization {
    user: route_user
    password: top_secret
    timeout: 1
  }

  # Routes are actively solicited and connected to from this server.
  # Other servers can connect to us if they supply the correct credentials
  # in their routes definitions from above.

  // Test both styles of comments

  routes = [
    nats-route://foo:bar@apcera.me:4245
    nats-route://foo:bar@apcera.me:4246
  ]
}
"#;
    check(
        text,
        m(&[(
            "cluster",
            m(&[
                ("port", I(4244)),
                (
                    "authorization",
                    m(&[
                        ("user", s("route_user")),
                        ("password", s("top_secret")),
                        ("timeout", I(1)),
                    ]),
                ),
                (
                    "routes",
                    A(vec![
                        s("nats-route://foo:bar@apcera.me:4245"),
                        s("nats-route://foo:bar@apcera.me:4246"),
                    ]),
                ),
            ]),
        )]),
    );
}

// go: conf/TestSample3
#[test]
fn sample3() {
    let text = "\nfoo  {\n  expr = '(true == \"false\")'\n  text = 'This is a multi-line\ntext block.'\n}\n";
    check(
        text,
        m(&[(
            "foo",
            m(&[
                ("expr", s("(true == \"false\")")),
                ("text", s("This is a multi-line\ntext block.")),
            ]),
        )]),
    );
}

// go: conf/TestSample4
#[test]
fn sample4() {
    let text = "\n  array [\n    { abc: 123 }\n    { xyz: \"word\" }\n  ]\n";
    check(
        text,
        m(&[(
            "array",
            A(vec![m(&[("abc", I(123))]), m(&[("xyz", s("word"))])]),
        )]),
    );
}

// go: conf/TestSample5
#[test]
fn sample5() {
    let text = "\n  now = 2016-05-04T18:53:41Z\n  gmt = false\n\n";
    check(
        text,
        m(&[
            ("now", P::D("2016-05-04T18:53:41Z".to_string())),
            ("gmt", B(false)),
        ]),
    );
}

// go: conf/TestParserNoInfiniteLoop
#[test]
fn parser_no_infinite_loop() {
    for text in ["A@@Føøøø?˛ø:{øøøø˙˙", "include \"9/\u{FFFD}"] {
        let e = parse_bytes_with(text.as_bytes(), None, &MemHost::new(), Mode::Plain)
            .expect_err("an error");
        assert!(e.to_string().contains("Unexpected EOF"), "{e}");
    }
}

// go: conf/TestParseWithNoValuesAreInvalid
#[test]
fn parse_with_no_values_are_invalid() {
    let cases = [
        (
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "config is invalid (:1:41)",
        ),
        (
            "              aaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "config is invalid (:1:41)",
        ),
        (
            "     aaaaaaaaaaaaaaaaaaaaaaaaaaa         ",
            "config is invalid (:1:41)",
        ),
        (
            "\n          \t\t# with comments and no spaces to create key values\n         \t\t# is also an invalid config.\n         \t\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n                        ",
            "config is invalid (:5:25)",
        ),
        (
            "\n                        a,a,a,a,a,a,a,a,a,a,a\n                        ",
            "config is invalid (:3:25)",
        ),
    ];
    for (text, want) in cases {
        let e = parse_err(text);
        assert_eq!(e.to_string(), want, "input {text:?}");
    }
}

// go: conf/TestParseWithNoValuesEmptyConfigsAreValid
#[test]
fn parse_with_no_values_empty_configs_are_valid() {
    for text in [
        "",
        "\n\n\n                        ",
        "\n                        # just comments with no values\n                        # is still valid.\n                        ",
    ] {
        check(text, m(&[]));
    }
}

// go: conf/TestParseWithTrailingBracketsAreValid
#[test]
fn parse_with_trailing_brackets_are_valid() {
    check("{}", m(&[]));
    check(
        "\n                        {\n                        # comments in the body\n                        }\n                        ",
        m(&[]),
    );
    let users = || m(&[("users", A(vec![m(&[])]))]);
    // A stray closing bracket after the config is accepted.
    check(
        "\n                        accounts { users = [{}]}\n                        }\n                        ",
        m(&[("accounts", users())]),
    );
    check(
        "{\n                          accounts { users = [{}]}\n                        }\n                        ",
        m(&[("accounts", users())]),
    );
}
