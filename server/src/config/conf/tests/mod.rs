//! Tests of the conf format: Go's lexer and parser tests ported (`lex_*`, `parse_*`), error
//! texts and digests taken from the Go binary (`go_texts`), our own edge cases (`edges`), and a
//! property test that no input panics (`fuzz`).

mod digest;
mod edges;
mod fuzz;
mod go_texts;
mod lex_layout;
mod lex_structure;
mod lex_values;
mod parse_files;
mod parse_values;

use super::lexer::{Item, ItemType, Lexer};

/// An expected item.
fn it(typ: ItemType, val: impl AsRef<[u8]>, line: usize, pos: usize) -> Item {
    Item {
        typ,
        val: val.as_ref().to_vec(),
        line,
        pos,
    }
}

/// The end of the stream; its line and position are not compared (Go's tests do not either).
fn eof() -> Item {
    it(ItemType::Eof, "", 0, 0)
}

/// Lexes `input` and checks the whole item stream, up to and including the first `Eof` or
/// `Error`, against `want`.
fn expect(input: impl AsRef<[u8]>, want: &[Item]) {
    let input = input.as_ref();
    let mut lx = Lexer::new(input);
    let mut got = Vec::new();
    loop {
        let item = lx.next_item();
        let done = matches!(item.typ, ItemType::Eof | ItemType::Error);
        got.push(item);
        if done || got.len() > want.len() + 10 {
            break;
        }
    }
    let same = got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            if w.typ == ItemType::Eof {
                g.typ == ItemType::Eof
            } else {
                g == w
            }
        });
    assert!(
        same,
        "input {:?}\nwant {:?}\n got {:?}",
        String::from_utf8_lossy(input),
        show(want),
        show(&got)
    );
}

fn show(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            format!(
                "({:?}, {:?}, {}, {})",
                i.typ,
                String::from_utf8_lossy(&i.val),
                i.line,
                i.pos
            )
        })
        .collect()
}

/// A parsed value without positions, maps sorted by key, for comparing whole trees.
#[derive(Debug, PartialEq)]
enum P {
    M(Vec<(String, P)>),
    A(Vec<P>),
    S(String),
    I(i64),
    F(f64),
    B(bool),
    D(String),
}

fn plain(m: &super::Map) -> P {
    let mut kv: Vec<(String, P)> = m
        .iter()
        .map(|e| (e.key.clone(), plain_value(&e.value.value)))
        .collect();
    kv.sort_by(|a, b| a.0.cmp(&b.0));
    P::M(kv)
}

fn plain_value(v: &super::Value) -> P {
    use super::Value;
    match v {
        Value::Map(m) => plain(m),
        Value::Array(a) => P::A(a.iter().map(|e| plain_value(&e.value)).collect()),
        Value::String(s) => P::S(s.clone()),
        Value::Integer(i) => P::I(*i),
        Value::Float(f) => P::F(*f),
        Value::Bool(b) => P::B(*b),
        Value::Datetime(d) => P::D(d.to_string()),
    }
}

/// An expected map (order does not matter).
fn m(kv: &[(&str, P)]) -> P {
    let mut kv: Vec<(String, P)> = kv
        .iter()
        .map(|(k, v)| (k.to_string(), clone_p(v)))
        .collect();
    kv.sort_by(|a, b| a.0.cmp(&b.0));
    P::M(kv)
}

fn clone_p(p: &P) -> P {
    match p {
        P::M(kv) => P::M(kv.iter().map(|(k, v)| (k.clone(), clone_p(v))).collect()),
        P::A(a) => P::A(a.iter().map(clone_p).collect()),
        P::S(s) => P::S(s.clone()),
        P::I(i) => P::I(*i),
        P::F(f) => P::F(*f),
        P::B(b) => P::B(*b),
        P::D(d) => P::D(d.clone()),
    }
}

fn s(v: &str) -> P {
    P::S(v.to_string())
}

/// Parses `text` in both of Go's modes, as Go's `test` helper does: the plain result must equal
/// `want`, and the pedantic one must give the same JSON.
fn check_with(text: &str, host: &super::MemHost, want: P) {
    use super::{parse_bytes_with, Mode};
    let plain_map = parse_bytes_with(text.as_bytes(), None, host, Mode::Plain)
        .unwrap_or_else(|e| panic!("plain parse of {text:?}: {e}"));
    assert_eq!(plain(&plain_map), want, "input {text:?}");
    let checked = parse_bytes_with(text.as_bytes(), None, host, Mode::Pedantic)
        .unwrap_or_else(|e| panic!("pedantic parse of {text:?}: {e}"));
    assert_eq!(
        super::digest::to_go_json(&plain_map),
        super::digest::to_go_json(&checked)
    );
}

fn check(text: &str, want: P) {
    check_with(text, &super::MemHost::new(), want)
}

/// Parses `text` (no file, empty host) and returns the error.
fn parse_err(text: &str) -> super::ConfError {
    match super::parse_bytes_with(
        text.as_bytes(),
        None,
        &super::MemHost::new(),
        super::Mode::Pedantic,
    ) {
        Ok(m) => panic!("parse of {text:?} succeeded: {:?}", plain(&m)),
        Err(e) => e,
    }
}

/// The directory of the checked-in config fixtures.
fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conf")
}
