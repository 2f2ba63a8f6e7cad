//! Property tests: no input makes the lexer or parser panic or loop, the lexer ends within a
//! bounded number of items, and every parse error carries a position.

use proptest::prelude::*;

use super::super::lexer::{ItemType, Lexer};
use crate::config::conf::{parse_bytes_with, MemHost, Mode};

/// Configs to mutate: every construct of the format appears in one of them.
const SEEDS: &[&str] = &[
    "listen: 127.0.0.1:4222\nport = 4222; debug true\n",
    "authorization {\n  users = [\n    {user: alice, password: $PASS}\n  ]\n  timeout: 0.5\n}\n",
    "a = \"x\\ty\\x41\\\"\" # comment\nb = 'raw' // other\nc = 1kb, d = -2.5, e = 2016-05-04T18:53:41Z\n",
    "v = 1\nm { v = 2, w = $v, n { x = [$v, {y: $v}] } }\nz = $v\n",
    "{\n  \"json\": {\"a\": [1, 2, 3], \"b\": null}\n}\n",
    "text (\n  block ) string\n)\ninclude 'inc.conf'\nk = 10.0.0.1:80\n",
    "PASS = $2a$11$abcdefghij\nq: [ a, b\n c ]\nbool = OFF\nnum = 3Gyz\n",
    "x { include loop.conf }\ny = $CYCLE\n",
];

/// Bytes the format cares about, so random input reaches deep states often.
const ALPHABET: &[u8] = b" \t\n\r{}[]()=:;,#/\\\"'$-.0123456789abcxyzTZkKmbBiIe\x00\xc3\xa9";

fn host() -> MemHost {
    MemHost::new()
        .with_file("inc.conf", "i = 1\nj = [1, 2]\n")
        .with_file("loop.conf", "include loop.conf\n")
        .with_env("PASS", "secret")
        .with_env("CYCLE", "$CYCLE")
}

fn check_input(input: &[u8]) {
    // The lexer ends (with EOF or an error) within a bound tied to the input size.
    let mut lx = Lexer::new(input);
    let mut n = 0;
    loop {
        let item = lx.next_item();
        n += 1;
        if matches!(item.typ, ItemType::Eof | ItemType::Error) {
            break;
        }
        assert!(n <= 2 * input.len() + 4, "lexer does not end: {input:?}");
    }
    for mode in [Mode::Pedantic, Mode::Plain] {
        if let Err(e) = parse_bytes_with(input, None, &host(), mode) {
            assert!(
                e.pos.is_some(),
                "error without a position: {e} for {input:?}"
            );
            assert!(!e.message.is_empty());
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
}

fn apply(seed: &str, edits: &[Edit]) -> Vec<u8> {
    let mut b = seed.as_bytes().to_vec();
    for e in edits {
        match *e {
            Edit::Insert(i, c) => {
                let i = i % (b.len() + 1);
                b.insert(i, c);
            }
            Edit::Delete(i) if !b.is_empty() => {
                let i = i % b.len();
                b.remove(i);
            }
            Edit::Replace(i, c) if !b.is_empty() => {
                let i = i % b.len();
                b[i] = c;
            }
            _ => {}
        }
    }
    b
}

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => proptest::sample::select(ALPHABET),
        1 => any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), byte()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte()).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(input in proptest::collection::vec(byte(), 0..200)) {
        check_input(&input);
    }

    #[test]
    fn mutated_configs_never_panic(
        seed in proptest::sample::select(SEEDS),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        check_input(&apply(seed, &edits));
    }
}

#[test]
fn seeds_parse_or_fail_cleanly() {
    for seed in SEEDS {
        check_input(seed.as_bytes());
    }
}
