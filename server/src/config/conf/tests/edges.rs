//! Our own tests: positions of values, variable marks and scopes, include paths and cycles,
//! Go's path rules, the odd corners Go has (and we keep), and the value helpers.

use super::P::{A, I};
use super::{m, parse_err, plain, s};
use crate::config::conf::host::{clean, dir, join};
use crate::config::conf::text::is_digit;
use crate::config::conf::{
    parse_bytes_with, parse_file_with, ConfError, Datetime, Map, MemHost, Mode, Pos, Value,
};

fn parse(text: &str) -> Map {
    parse_bytes_with(text.as_bytes(), None, &MemHost::new(), Mode::Pedantic)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn at(pos: &Pos) -> (usize, usize) {
    (pos.line, pos.col)
}

#[test]
fn map_values_take_the_key_position_and_array_elements_their_own() {
    let map = parse("a = 1\nm {\n  b = [1, {c = 2}]\n}\n");
    assert_eq!(at(&map.get("a").unwrap().pos), (1, 0));
    let mv = map.get("m").unwrap();
    assert_eq!(at(&mv.pos), (2, 1));
    let b = mv.value.as_map().unwrap().get("b").unwrap();
    assert_eq!(at(&b.pos), (3, 3));
    let elems = b.value.as_array().unwrap();
    // The integer where it stands; the map where its closing brace ends (Go's MapEnd item).
    assert_eq!(at(&elems[0].pos), (3, 8));
    assert_eq!(at(&elems[1].pos), (3, 18));
    let c = elems[1].value.as_map().unwrap().get("c").unwrap();
    assert_eq!(at(&c.pos), (3, 12));
    assert_eq!(map.get("a").unwrap().pos.file, None);
}

#[test]
fn positions_display_as_go_sources() {
    let pos = Pos {
        file: Some("a/b.conf".into()),
        line: 3,
        col: 7,
    };
    assert_eq!(pos.to_string(), "a/b.conf:3:7");
    assert_eq!(
        Pos {
            file: None,
            line: 1,
            col: 2
        }
        .to_string(),
        ":1:2"
    );
    let e = parse_err("a = 1\nb = $nope\n");
    assert_eq!(
        e.to_string(),
        "variable reference for 'nope' on line 2 can not be found"
    );
    assert_eq!(
        e.located(),
        ":2:6: variable reference for 'nope' on line 2 can not be found"
    );
}

#[test]
fn included_values_name_their_file() {
    let host = MemHost::new()
        .with_file("etc/main.conf", "x = 1\ninclude sub/inc.conf\n")
        .with_file("etc/sub/inc.conf", "# first\nk = [1, 2 ]\n");
    let map = parse_file_with("etc/main.conf", &host, Mode::Pedantic).unwrap();
    let x = map.get("x").unwrap();
    assert_eq!(x.pos.file_name(), "etc/main.conf");
    let k = map.get("k").unwrap();
    assert_eq!(k.pos.file_name(), "etc/sub/inc.conf");
    assert_eq!(at(&k.pos), (2, 1));
    let elem = &k.value.as_array().unwrap()[0];
    assert_eq!(elem.pos.file_name(), "etc/sub/inc.conf");
    assert_eq!(at(&elem.pos), (2, 6));
    // Go lexes a number directly followed by ']' as part of a string: `[1, 2]` is broken.
    let e = parse_err("k = [1, 2]\n");
    assert!(e.to_string().contains("but got '\0' instead"), "{e}");
}

#[test]
fn environment_values_take_the_reference_position() {
    let host = MemHost::new().with_env("E", "{ y = [1 ] }");
    let map = parse_bytes_with(b"x = $E", None, &host, Mode::Pedantic).unwrap();
    let x = map.get("x").unwrap();
    assert_eq!(at(&x.pos), (1, 0));
    let y = x.value.as_map().unwrap().get("y").unwrap();
    assert_eq!(at(&y.pos), (1, 5));
    assert_eq!(at(&y.value.as_array().unwrap()[0].pos), (1, 5));
}

#[test]
fn variables_mark_the_entries_they_use() {
    let map = parse("a = 1\nb = $a\nm { d = 1, e = $d, f = $a }\n");
    assert!(map.entry("a").unwrap().used_as_variable);
    assert!(!map.entry("b").unwrap().used_as_variable);
    let inner = map.get("m").unwrap().value.as_map().unwrap();
    assert!(inner.entry("d").unwrap().used_as_variable);
    assert!(!inner.entry("e").unwrap().used_as_variable);
    // A key given again replaces the value in place, and the new value is not marked.
    let map = parse("a = 1\nb = $a\na = 2\n");
    let keys: Vec<&str> = map.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
    assert_eq!(map.get("a").unwrap().value, Value::Integer(2));
    assert!(!map.entry("a").unwrap().used_as_variable);
    assert_eq!(map.get("b").unwrap().value, Value::Integer(1));
}

#[test]
fn variables_resolve_innermost_map_first_and_skip_arrays() {
    let map = parse("v = 1\nm { v = 2, n { w = $v } }\nz = [ $v, { q = $v } ]\n");
    assert_eq!(
        plain(&map),
        m(&[
            ("v", I(1)),
            ("m", m(&[("v", I(2)), ("n", m(&[("w", I(2))]))])),
            ("z", A(vec![I(1), m(&[("q", I(1))])])),
        ])
    );
    // A map's own keys are not visible until it is closed, so `$m` inside `m` is unknown.
    assert_eq!(
        parse_err("m { x = $m }").to_string(),
        "variable reference for 'm' on line 1 can not be found"
    );
}

#[test]
fn environment_cycles_and_depth_end_in_errors() {
    let host = MemHost::new().with_env("A", "$A");
    let e = parse_bytes_with(b"x = $A", None, &host, Mode::Pedantic).unwrap_err();
    assert_eq!(
        e.to_string(),
        "variable reference for 'A' on line 1 could not be parsed: variable reference for 'A' on line 1 could not be parsed: variable reference cycle for 'A'"
    );
    // A long chain of distinct variables stops at a depth limit instead of exhausting the stack.
    let mut host = MemHost::new();
    for i in 0..200 {
        host = host.with_env(&format!("V{i}"), &format!("$V{}", i + 1));
    }
    let e = parse_bytes_with(b"x = $V0", None, &host, Mode::Pedantic).unwrap_err();
    assert!(e
        .to_string()
        .ends_with("variable references nested deeper than 64"));
}

#[test]
fn include_cycles_and_depth_end_in_errors() {
    let host = MemHost::new()
        .with_file("main.conf", "a = 1\ninclude loop.conf\n")
        .with_file("loop.conf", "include loop.conf\n");
    let e = parse_file_with("main.conf", &host, Mode::Pedantic).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error parsing include file 'loop.conf', error parsing include file 'loop.conf', include cycle detected"
    );
    assert_eq!(
        e.pos.map(|p| (p.file_name().to_string(), p.line)),
        Some(("loop.conf".to_string(), 1))
    );

    let mut host = MemHost::new().with_file("main.conf", "include d0.conf\n");
    for i in 0..100 {
        host = host.with_file(&format!("d{i}.conf"), format!("include d{}.conf\n", i + 1));
    }
    let e = parse_file_with("main.conf", &host, Mode::Pedantic).unwrap_err();
    assert!(
        e.to_string().ends_with("includes nested deeper than 64"),
        "{e}"
    );
}

#[test]
fn include_paths_join_as_go_does() {
    // Go's Join does not restart at an absolute path: `/inc.conf` is read next to the file.
    let host = MemHost::new()
        .with_file(
            "conf/main.conf",
            "include /inc.conf\ninclude '../top.conf'\n",
        )
        .with_file("conf/inc.conf", "a = 1\n")
        .with_file("top.conf", "b = 2\n");
    let map = parse_file_with("conf/main.conf", &host, Mode::Pedantic).unwrap();
    assert_eq!(plain(&map), m(&[("a", I(1)), ("b", I(2))]));
    // A missing include names the path as joined, in the OS error text.
    let host = MemHost::new().with_file("conf/main.conf", "include ./x/../y.conf\n");
    let e = parse_file_with("conf/main.conf", &host, Mode::Pedantic).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error parsing include file './x/../y.conf', open conf/y.conf: no such file or directory"
    );
    let e = parse_file_with("conf/main.conf", &host, Mode::Plain).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error parsing include file './x/../y.conf', error opening config file: open conf/y.conf: no such file or directory"
    );
}

#[test]
fn go_path_rules() {
    let cases = [
        ("", "."),
        ("abc", "abc"),
        ("abc/def/", "abc/def"),
        ("./", "."),
        ("../../", "../.."),
        ("abc//def//ghi", "abc/def/ghi"),
        ("//abc//", "/abc"),
        ("abc/./def", "abc/def"),
        ("abc/def/ghi/../jkl", "abc/def/jkl"),
        ("abc/def/../..", "."),
        ("/abc/def/../..", "/"),
        ("abc/def/../../..", ".."),
        ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
        ("/../abc", "/abc"),
        ("abc/../../././../def", "../../def"),
    ];
    for (input, want) in cases {
        assert_eq!(clean(input), want, "clean({input:?})");
    }
    assert_eq!(dir("main.conf"), ".");
    assert_eq!(dir(""), ".");
    assert_eq!(dir("/etc/nats/a.conf"), "/etc/nats");
    assert_eq!(dir("/a.conf"), "/");
    assert_eq!(join(".", "x.conf"), "x.conf");
    assert_eq!(join("/etc", "/abs.conf"), "/etc/abs.conf");
    assert_eq!(join(".", ""), ".");
}

#[test]
fn an_unknown_size_suffix_stores_nothing_and_shifts_keys() {
    // Go skips the value, leaving its key on the stack; the closing map then takes that key.
    // The Go server reports this file as `x.conf:1:16: unknown field "timeout"`.
    let map = parse("authorization { timeout = 1kbib }\n");
    assert_eq!(plain(&map), m(&[("timeout", m(&[]))]));
    assert_eq!(at(&map.get("timeout").unwrap().pos), (1, 16));
    assert_eq!(plain(&parse("a = 1kbib\nb = 2\n")), m(&[("b", I(2))]));
}

#[test]
fn lexer_corners_kept_from_go() {
    // A block string that ends the input keeps its ')' (the Go server hashes it that way too).
    assert_eq!(plain(&parse("x (\nabc\n)")), m(&[("x", s("\nabc\n)"))]));
    assert_eq!(plain(&parse("x (\nabc\n)\n")), m(&[("x", s("\nabc\n"))]));
    // A lone '/' before a map key is dropped.
    assert_eq!(
        plain(&parse("m { /k = 1 }")),
        m(&[("m", m(&[("k", I(1))]))])
    );
    // `İnclude` lower-cases to `include` in Go.
    let host = MemHost::new()
        .with_file("main.conf", "İnclude inc.conf\n")
        .with_file("inc.conf", "a = 1\n");
    let map = parse_file_with("main.conf", &host, Mode::Pedantic).unwrap();
    assert_eq!(plain(&map), m(&[("a", I(1))]));
    // Bytes that are not UTF-8 read as U+FFFD in values.
    let map = parse_bytes_with(b"a = \"x\\xffy\"", None, &MemHost::new(), Mode::Pedantic).unwrap();
    assert_eq!(
        map.get("a").unwrap().value,
        Value::String("x\u{FFFD}y".into())
    );
    // Carriage returns end values but do not start lines.
    let map = parse("a = 1\r\nb = 2\r\n");
    assert_eq!(at(&map.get("b").unwrap().pos), (2, 1));
    // Integers multiply in int64 and wrap, as Go's do.
    assert_eq!(
        parse("a = 9223372036854775807k").get("a").unwrap().value,
        Value::Integer(i64::MAX.wrapping_mul(1000))
    );
    assert_eq!(
        parse("a = 1e\nb = 1EiB").get("b").unwrap().value,
        Value::Integer(1 << 60)
    );
    assert_eq!(
        parse("a = -9223372036854775808").get("a").unwrap().value,
        Value::Integer(i64::MIN)
    );
}

#[test]
fn datetimes_validate_as_go_time_parse() {
    let ok = |s: &str| Datetime::parse(s.as_bytes());
    assert_eq!(
        ok("2016-05-04T18:53:41Z").map(|d| d.to_string()),
        Some("2016-05-04T18:53:41Z".to_string())
    );
    assert!(ok("2016-02-29T00:00:00Z").is_some());
    assert!(ok("2000-02-29T00:00:00Z").is_some());
    assert!(ok("0000-02-29T00:00:00Z").is_some());
    assert!(ok("1900-02-29T00:00:00Z").is_none());
    assert!(ok("2016-04-31T00:00:00Z").is_none());
    assert!(ok("2016-00-10T00:00:00Z").is_none());
    assert!(ok("2016-01-00T00:00:00Z").is_none());
    assert!(ok("2016-01-01T23:59:60Z").is_none());
    assert!(ok("2016-01-01T23:60:00Z").is_none());
    assert!(ok("٢٠-01-01T23:00:00Z").is_none());
    let e = parse_err("a = 2016-04-31T00:00:00Z");
    assert_eq!(
        e.to_string(),
        "expected Zulu formatted DateTime, but got '2016-04-31T00:00:00Z'"
    );
}

#[test]
fn digit_table_is_well_formed() {
    // Ten digits per script, sorted, and all of them numeric to Rust as well.
    let mut last = 0;
    for c in (0u32..0x20000)
        .filter_map(char::from_u32)
        .filter(|&c| is_digit(c))
    {
        assert!(c.is_numeric(), "{c:?}");
        assert!(c as u32 > last || last == 0);
        last = c as u32;
    }
    assert!(is_digit('7') && is_digit('\u{661}') && is_digit('\u{1FBF9}'));
    assert!(!is_digit('a') && !is_digit('\u{B2}') && !is_digit('\u{2160}'));
}

#[test]
fn value_helpers() {
    let map = parse("s = x\ni = 1\nf = 1.5\nb = on\nd = 2016-05-04T18:53:41Z\na = [1 ]\nm {}\n");
    let v = |k: &str| &map.get(k).unwrap().value;
    assert_eq!(v("s").as_str(), Some("x"));
    assert_eq!(v("i").as_i64(), Some(1));
    assert_eq!(v("f").as_f64(), Some(1.5));
    assert_eq!(v("b").as_bool(), Some(true));
    assert_eq!(v("a").as_array().map(|a| a.len()), Some(1));
    assert_eq!(v("m").as_map().map(|m| m.len()), Some(0));
    let names: Vec<&str> = ["s", "i", "f", "b", "d", "a", "m"]
        .iter()
        .map(|k| v(k).go_type_name())
        .collect();
    assert_eq!(
        names,
        [
            "string",
            "int64",
            "float64",
            "bool",
            "time.Time",
            "[]interface {}",
            "map[string]interface {}"
        ]
    );
    let e = ConfError {
        pos: None,
        message: "m".into(),
    };
    assert_eq!(e.located(), "m");
}

#[test]
fn real_files_and_environment() {
    use crate::config::conf::{config_digest, parse_file, parse_str};
    // The digest the Go server prints for `nats-server -t -c simple.conf`.
    let path = super::fixtures().join("simple.conf");
    assert_eq!(
        config_digest(&path).unwrap(),
        "sha256:1de53e34fb7f1fd0864ed7a40af35efdb19928ffd2e318b8ff45f9135297bb82"
    );
    let map = parse_file(&path).unwrap();
    let listen = map.get("listen").unwrap();
    assert_eq!(listen.pos.file_name(), path.to_string_lossy());
    assert_eq!(at(&listen.pos), (1, 0));

    let name = format!("RNATS_CONF_TEST_{}", std::process::id());
    std::env::set_var(&name, "{ a: 1 }");
    let parsed = parse_str(&format!("x = ${name}\n"));
    std::env::remove_var(&name);
    assert_eq!(plain(&parsed.unwrap()), m(&[("x", m(&[("a", I(1))]))]));
}
