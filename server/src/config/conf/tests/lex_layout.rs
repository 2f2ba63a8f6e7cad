//! Go's `conf/lex_test.go`, last part: dangling quotes and brackets, quoted map keys, block
//! strings, IP addresses, arrays of maps, includes and JSON-like input.

use super::ItemType::*;
use super::{eof, expect, it};

// go: conf/TestDanglingQuotedString
#[test]
fn dangling_quoted_string() {
    expect(
        r#"
listen: "localhost:4242

http: localhost:8222
"#,
        &[it(Key, "listen", 2, 1), it(Error, "Unexpected EOF.", 5, 1)],
    );
}

// go: conf/TestKeyDanglingQuotedString
#[test]
fn key_dangling_quoted_string() {
    expect(
        r#"
foo = "
listen: "

http: localhost:8222

"
"#,
        &[
            it(Key, "foo", 2, 1),
            it(String, "\nlisten: ", 3, 8),
            it(Key, "http", 5, 1),
            it(String, "localhost:8222", 5, 7),
            it(Error, "Unexpected EOF.", 8, 1),
        ],
    );
}

// go: conf/TestDanglingSingleQuotedString
#[test]
fn dangling_single_quoted_string() {
    expect(
        r#"
listen: 'localhost:4242

http: localhost:8222
"#,
        &[it(Key, "listen", 2, 1), it(Error, "Unexpected EOF.", 5, 1)],
    );
}

// go: conf/TestKeyDanglingSingleQuotedString
#[test]
fn key_dangling_single_quoted_string() {
    expect(
        r#"
foo = '
listen: '

http: localhost:8222

'
"#,
        &[
            it(Key, "foo", 2, 1),
            it(String, "\nlisten: ", 3, 8),
            it(Key, "http", 5, 1),
            it(String, "localhost:8222", 5, 7),
            it(Error, "Unexpected EOF.", 8, 1),
        ],
    );
}

// go: conf/TestMapDanglingBracket
#[test]
fn map_dangling_bracket() {
    expect(
        r#"
listen = 4222

cluster = {

  foo = bar

"#,
        &[
            it(Key, "listen", 2, 1),
            it(Integer, "4222", 2, 10),
            it(Key, "cluster", 4, 1),
            it(MapStart, "", 4, 12),
            it(Key, "foo", 6, 3),
            it(String, "bar", 6, 9),
            it(Error, "Unexpected EOF processing map.", 8, 1),
        ],
    );
}

// go: conf/TestBlockDanglingParens
#[test]
fn block_dangling_parens() {
    expect(
        r#"
listen = 4222

quote = (

  foo = bar

"#,
        &[
            it(Key, "listen", 2, 1),
            it(Integer, "4222", 2, 10),
            it(Key, "quote", 4, 1),
            it(Error, "Unexpected EOF processing block.", 8, 1),
        ],
    );
}

// go: conf/TestMapQuotedKeys
#[test]
fn map_quoted_keys() {
    expect(
        "foo = {'bar' = 4242}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 7),
            it(Key, "bar", 1, 8),
            it(Integer, "4242", 1, 15),
            it(MapEnd, "", 1, 20),
            eof(),
        ],
    );
    expect(
        "foo = {\"bar\" = 4242}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 7),
            it(Key, "bar", 1, 8),
            it(Integer, "4242", 1, 15),
            it(MapEnd, "", 1, 20),
            eof(),
        ],
    );
}

// go: conf/TestSpecialCharsMapQuotedKeys
#[test]
fn special_chars_map_quoted_keys() {
    expect(
        "foo = {'bar-1.2.3' = { port:4242 }}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 7),
            it(Key, "bar-1.2.3", 1, 8),
            it(MapStart, "", 1, 22),
            it(Key, "port", 1, 23),
            it(Integer, "4242", 1, 28),
            it(MapEnd, "", 1, 34),
            it(MapEnd, "", 1, 35),
            eof(),
        ],
    );
    expect(
        "foo = {\"bar-1.2.3\" = { port:4242 }}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 7),
            it(Key, "bar-1.2.3", 1, 8),
            it(MapStart, "", 1, 22),
            it(Key, "port", 1, 23),
            it(Integer, "4242", 1, 28),
            it(MapEnd, "", 1, 34),
            it(MapEnd, "", 1, 35),
            eof(),
        ],
    );
}

// go: conf/TestDoubleNestedMapsNewLines
#[test]
fn double_nested_maps_new_lines() {
    expect(
        r#"
systems {
  allinone {
    description: "This is a description."
  }
}
"#,
        &[
            it(Key, "systems", 2, 1),
            it(MapStart, "", 2, 10),
            it(Key, "allinone", 3, 3),
            it(MapStart, "", 3, 13),
            it(Key, "description", 4, 5),
            it(String, "This is a description.", 4, 19),
            it(MapEnd, "", 5, 4),
            it(MapEnd, "", 6, 2),
            eof(),
        ],
    );
}

// go: conf/TestBlockString
#[test]
fn block_string() {
    expect(
        r#"
numbers (
1234567890
)
"#,
        &[
            it(Key, "numbers", 2, 1),
            it(String, "\n1234567890\n", 4, 10),
            eof(),
        ],
    );
}

// MANUAL TestBlockStringEOF

// go: conf/TestBlockStringMultiLine
#[test]
fn block_string_multi_line() {
    expect(
        r#"
numbers (
  12(34)56
  (
    7890
  )
)
"#,
        &[
            it(Key, "numbers", 2, 1),
            it(
                String,
                r#"
  12(34)56
  (
    7890
  )
"#,
                7,
                10,
            ),
            eof(),
        ],
    );
}

// go: conf/TestUnquotedIPAddr
#[test]
fn unquoted_ip_addr() {
    expect(
        "listen: 127.0.0.1:4222",
        &[
            it(Key, "listen", 1, 0),
            it(String, "127.0.0.1:4222", 1, 8),
            eof(),
        ],
    );
    expect(
        "listen: 127.0.0.1",
        &[
            it(Key, "listen", 1, 0),
            it(String, "127.0.0.1", 1, 8),
            eof(),
        ],
    );
    expect(
        "listen: apcera.me:80",
        &[
            it(Key, "listen", 1, 0),
            it(String, "apcera.me:80", 1, 8),
            eof(),
        ],
    );
    expect(
        "listen: nats.io:-1",
        &[
            it(Key, "listen", 1, 0),
            it(String, "nats.io:-1", 1, 8),
            eof(),
        ],
    );
    expect(
        "listen: -1",
        &[it(Key, "listen", 1, 0), it(Integer, "-1", 1, 8), eof()],
    );
    expect(
        "listen: :-1",
        &[it(Key, "listen", 1, 0), it(String, ":-1", 1, 8), eof()],
    );
    expect(
        "listen = :80",
        &[it(Key, "listen", 1, 0), it(String, ":80", 1, 9), eof()],
    );
    expect(
        "listen = [localhost:4222, localhost:4333]",
        &[
            it(Key, "listen", 1, 0),
            it(ArrayStart, "", 1, 10),
            it(String, "localhost:4222", 1, 10),
            it(String, "localhost:4333", 1, 26),
            it(ArrayEnd, "", 1, 41),
            eof(),
        ],
    );
}

// go: conf/TestArrayOfMaps
#[test]
fn array_of_maps() {
    expect(
        r#"
authorization {
    users = [
      {user: alice, password: foo}
      {user: bob,   password: bar}
    ]
    timeout: 0.5
}
"#,
        &[
            it(Key, "authorization", 2, 1),
            it(MapStart, "", 2, 16),
            it(Key, "users", 3, 5),
            it(ArrayStart, "", 3, 14),
            it(MapStart, "", 4, 8),
            it(Key, "user", 4, 8),
            it(String, "alice", 4, 14),
            it(Key, "password", 4, 21),
            it(String, "foo", 4, 31),
            it(MapEnd, "", 4, 35),
            it(MapStart, "", 5, 8),
            it(Key, "user", 5, 8),
            it(String, "bob", 5, 14),
            it(Key, "password", 5, 21),
            it(String, "bar", 5, 31),
            it(MapEnd, "", 5, 35),
            it(ArrayEnd, "", 6, 6),
            it(Key, "timeout", 7, 5),
            it(Float, "0.5", 7, 14),
            it(MapEnd, "", 8, 2),
            eof(),
        ],
    );
}

// go: conf/TestInclude
#[test]
fn include() {
    expect(
        "include \"users.conf\"",
        &[it(Include, "users.conf", 1, 9), eof()],
    );
    expect(
        "include 'users.conf'",
        &[it(Include, "users.conf", 1, 9), eof()],
    );
    expect(
        "include users.conf",
        &[it(Include, "users.conf", 1, 8), eof()],
    );
}

// go: conf/TestMapInclude
#[test]
fn map_include() {
    expect(
        "foo { include users.conf }",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 5),
            it(Include, "users.conf", 1, 14),
            it(MapEnd, "", 1, 26),
            eof(),
        ],
    );
    expect(
        "foo {include users.conf}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 5),
            it(Include, "users.conf", 1, 13),
            it(MapEnd, "", 1, 24),
            eof(),
        ],
    );
    expect(
        "foo { include 'users.conf' }",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 5),
            it(Include, "users.conf", 1, 15),
            it(MapEnd, "", 1, 28),
            eof(),
        ],
    );
    expect(
        "foo { include \"users.conf\"}",
        &[
            it(Key, "foo", 1, 0),
            it(MapStart, "", 1, 5),
            it(Include, "users.conf", 1, 15),
            it(MapEnd, "", 1, 27),
            eof(),
        ],
    );
}

// MANUAL TestJSONCompat

// go: conf/TestBlockStringEOF
#[test]
fn block_string_eof() {
    // The block of `block_string` with its last new line replaced by a NUL byte, which the
    // lexer reads as the end of input.
    let mut input = b"\nnumbers (\n1234567890\n)\n".to_vec();
    input.pop();
    input.push(0);
    expect(
        &input,
        &[
            it(Key, "numbers", 2, 1),
            it(String, "\n1234567890\n", 4, 10),
            eof(),
        ],
    );
}

// go: conf/TestJSONCompat
#[test]
fn json_compat() {
    // Go's table also lists a `}` key before the end; its `expect` stops at the first EOF, which
    // comes first, so those entries are never compared. Here the streams are checked in full.
    let single = r#"
                        {
                          "http_port": 8223
                        }
                        "#;
    expect(
        single,
        &[
            it(Key, "http_port", 3, 28),
            it(Integer, "8223", 3, 40),
            eof(),
        ],
    );

    let two = r#"
                        {
                          "http_port": 8223,
                          "port": 4223
                        }
                        "#;
    expect(
        two,
        &[
            it(Key, "http_port", 3, 28),
            it(Integer, "8223", 3, 40),
            it(Key, "port", 4, 28),
            it(Integer, "4223", 4, 35),
            eof(),
        ],
    );

    let many = r#"
                        {
                          "http_port": 8223,
                          "port": 4223,
                          "max_payload": "5MB",
                          "debug": true,
                          "max_control_line": 1024
                        }
                        "#;
    expect(
        many,
        &[
            it(Key, "http_port", 3, 28),
            it(Integer, "8223", 3, 40),
            it(Key, "port", 4, 28),
            it(Integer, "4223", 4, 35),
            it(Key, "max_payload", 5, 28),
            it(String, "5MB", 5, 43),
            it(Key, "debug", 6, 28),
            it(Bool, "true", 6, 36),
            it(Key, "max_control_line", 7, 28),
            it(Integer, "1024", 7, 47),
            eof(),
        ],
    );

    let flat = "{\"http_port\": 8224,\"port\": 4224}\n                        ";
    expect(
        flat,
        &[
            it(Key, "http_port", 1, 2),
            it(Integer, "8224", 1, 14),
            it(Key, "port", 1, 20),
            it(Integer, "4224", 1, 27),
            eof(),
        ],
    );

    let flat_nl =
        "{\"http_port\": 8225,\"port\": 4225\n                        }\n                        ";
    expect(
        flat_nl,
        &[
            it(Key, "http_port", 1, 2),
            it(Integer, "8225", 1, 14),
            it(Key, "port", 1, 20),
            it(Integer, "4225", 1, 27),
            eof(),
        ],
    );

    let ugly = concat!(
        r#"{"http_port": 8227,"port": 4227,"write_deadline": "1h","cluster": {"port": 6222,"#,
        r#""routes": ["nats://127.0.0.1:4222","nats://127.0.0.1:4223","nats://127.0.0.1:4224"]}}"#,
        "\n                        "
    );
    expect(
        ugly,
        &[
            it(Key, "http_port", 1, 2),
            it(Integer, "8227", 1, 14),
            it(Key, "port", 1, 20),
            it(Integer, "4227", 1, 27),
            it(Key, "write_deadline", 1, 33),
            it(String, "1h", 1, 51),
            it(Key, "cluster", 1, 56),
            it(MapStart, "", 1, 67),
            it(Key, "port", 1, 68),
            it(Integer, "6222", 1, 75),
            it(Key, "routes", 1, 81),
            it(ArrayStart, "", 1, 91),
            it(String, "nats://127.0.0.1:4222", 1, 92),
            it(String, "nats://127.0.0.1:4223", 1, 116),
            it(String, "nats://127.0.0.1:4224", 1, 140),
            it(ArrayEnd, "", 1, 163),
            it(MapEnd, "", 1, 164),
            eof(),
        ],
    );

    let pretty = r#"
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
    expect(
        pretty,
        &[
            it(Key, "http_port", 3, 28),
            it(Integer, "8227", 3, 40),
            it(Key, "port", 4, 28),
            it(Integer, "4227", 4, 35),
            it(Key, "write_deadline", 5, 28),
            it(String, "1h", 5, 46),
            it(Key, "cluster", 6, 28),
            it(MapStart, "", 6, 39),
            it(Key, "port", 7, 30),
            it(Integer, "6222", 7, 37),
            it(Key, "routes", 8, 30),
            it(ArrayStart, "", 8, 40),
            it(String, "nats://127.0.0.1:4222", 9, 32),
            it(String, "nats://127.0.0.1:4223", 10, 32),
            it(String, "nats://127.0.0.1:4224", 11, 32),
            it(ArrayEnd, "", 12, 30),
            it(MapEnd, "", 13, 28),
            eof(),
        ],
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
    expect(
        blocks,
        &[
            it(Key, "jetstream", 2, 28),
            it(MapStart, "", 2, 41),
            it(Key, "store_dir", 3, 30),
            it(String, "/tmp/nats", 3, 43),
            it(Key, "max_mem", 4, 30),
            it(Integer, "1000000", 4, 40),
            it(MapEnd, "", 5, 28),
            it(Key, "port", 6, 28),
            it(Integer, "4222", 6, 35),
            it(Key, "server_name", 7, 28),
            it(String, "nats1", 7, 43),
            eof(),
        ],
    );
}
