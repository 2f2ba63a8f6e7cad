//! Property tests on random and mutated-valid input. Oracle: the parser never panics; an op never consumes
//! zero bytes or more than the buffer holds; the bytes a connection must hold for an unfinished op stay
//! under a bound set by the limits (so a peer cannot make the buffer grow without end); and splitting the
//! input differently never changes the ops or the kind of ending.

use proptest::collection::vec;
use proptest::prelude::*;

use super::{feed_all, End, Op, Outcome};
use crate::protocol::parser::args::{fields, is_blank, is_split_sep};
use crate::protocol::parser::{ClientParser, MIN_SKIP_LIMIT};

const MCL: usize = 64;
const MAX_PAYLOAD: i64 = 256;

fn small_parser(headers: bool) -> ClientParser {
    let mut p = ClientParser::new(MCL, MAX_PAYLOAD);
    p.set_headers(headers);
    p
}

/// The most a connection may have to hold for one unfinished op: a run of skipped HMSG frames, an op name,
/// a run of blanks, the argument with its line end, then the payload and its CRLF.
fn held_bound() -> usize {
    let skip = MCL.max(MIN_SKIP_LIMIT);
    skip + 8 + skip + (MCL + 2) + MAX_PAYLOAD as usize + 2
}

/// Feed like a connection, checking the oracle after every call.
fn feed_checked(p: &mut ClientParser, input: &[u8], cuts: &[usize]) -> Outcome {
    let mut chunks = Vec::new();
    let mut last = 0;
    let mut sorted: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    sorted.sort_unstable();
    for c in sorted {
        chunks.push(&input[last..c]);
        last = c;
    }
    chunks.push(&input[last..]);
    let mut buf = Vec::new();
    let mut ops = Vec::new();
    for chunk in &chunks {
        buf.extend_from_slice(chunk);
        loop {
            match p.parse(&buf) {
                Ok(Some((op, used))) => {
                    assert!(
                        used > 0 && used <= buf.len(),
                        "consumed {used} of {}",
                        buf.len()
                    );
                    ops.push(Op::from(&op));
                    buf.drain(..used);
                }
                Ok(None) => {
                    assert!(buf.len() <= held_bound(), "holding {} bytes", buf.len());
                    if let Some(n) = p.needed_len() {
                        assert!(
                            n >= buf.len() && n <= held_bound(),
                            "needs {n} holding {}",
                            buf.len()
                        );
                    }
                    break;
                }
                Err(e) => {
                    return Outcome {
                        ops,
                        end: End::Error(e),
                    }
                }
            }
        }
    }
    let end = if buf.is_empty() {
        End::Clean
    } else {
        End::Held(buf.len())
    };
    Outcome { ops, end }
}

/// Bytes drawn mostly from the protocol's alphabet, so random input reaches deep states.
fn proto_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        6 => prop::sample::select(b"PUBSHMGINOKCTERpubshmgincokter+-0123456789 \t\r\n.*>{}\"".to_vec()),
        1 => any::<u8>(),
    ]
}

/// One well-formed op.
fn valid_op() -> impl Strategy<Value = Vec<u8>> {
    let subject = "[a-z]{1,6}(\\.[a-z]{1,4}){0,2}";
    prop_oneof![
        Just(b"PING\r\n".to_vec()),
        Just(b"PONG\r\n".to_vec()),
        Just(b"+OK\r\n".to_vec()),
        Just(b"CONNECT {\"verbose\":false,\"headers\":true}\r\n".to_vec()),
        Just(b"INFO {}\r\n".to_vec()),
        Just(b"HMSG x\r\n\r\n".to_vec()),
        (subject, "[0-9]{1,3}").prop_map(|(s, sid)| format!("SUB {s} {sid}\r\n").into_bytes()),
        (subject, "[a-z]{1,4}", "[0-9]{1,3}")
            .prop_map(|(s, q, sid)| format!("SUB {s} {q} {sid}\r\n").into_bytes()),
        ("[0-9]{1,3}", prop::option::of(0u32..100)).prop_map(|(sid, max)| match max {
            Some(m) => format!("UNSUB {sid} {m}\r\n").into_bytes(),
            None => format!("unsub {sid}\n").into_bytes(),
        }),
        (
            subject,
            prop::option::of("[A-Z_.]{1,8}"),
            vec(any::<u8>(), 0..40)
        )
            .prop_map(|(s, r, payload)| {
                let mut op = match r {
                    Some(r) => format!("PUB {s} {r} {}\r\n", payload.len()),
                    None => format!("pub\t{s}\t{}\n", payload.len()),
                }
                .into_bytes();
                op.extend_from_slice(&payload);
                op.extend_from_slice(b"\r\n");
                op
            }),
        (subject, vec(any::<u8>(), 0..20), vec(any::<u8>(), 0..20)).prop_map(|(s, h, payload)| {
            let mut op =
                format!("HPUB {s} {} {}\r\n", h.len(), h.len() + payload.len()).into_bytes();
            op.extend_from_slice(&h);
            op.extend_from_slice(&payload);
            op.extend_from_slice(b"\r\n");
            op
        }),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), proto_byte()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), proto_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut input: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = input.len();
        match *m {
            Mutation::Flip(i, b) if n > 0 => input[i % n] = b,
            Mutation::Insert(i, b) => input.insert(i % (n + 1), b),
            Mutation::Delete(i) if n > 0 => {
                input.remove(i % n);
            }
            Mutation::Truncate(i) => input.truncate(i % (n + 1)),
            _ => {}
        }
    }
    input
}

fn mutated_valid() -> impl Strategy<Value = Vec<u8>> {
    (vec(valid_op(), 1..12), vec(mutation(), 0..4))
        .prop_map(|(ops, muts)| mutate(ops.concat(), &muts))
}

/// A short pattern repeated into a long input: long blank runs, long lines, many HMSG frames.
fn long_repeats() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop::sample::select(vec![
        b"PUB".to_vec(),
        b"PUB foo ".to_vec(),
        b"PING".to_vec(),
        b"CONNECT".to_vec(),
        b"SUB ".to_vec(),
        Vec::new(),
    ]);
    let unit = prop::sample::select(vec![
        b" ".to_vec(),
        b"\t".to_vec(),
        b"x".to_vec(),
        b"\r".to_vec(),
        b"HMSG a\r\n\r\n".to_vec(),
        b"PING\r\n".to_vec(),
    ]);
    (prefix, unit, 1usize..80_000).prop_map(|(prefix, unit, n)| {
        let mut v = prefix;
        v.extend(unit.iter().copied().cycle().take(n));
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_break_the_oracle(input in vec(proto_byte(), 0..600), cuts in vec(any::<usize>(), 0..6), headers: bool) {
        let whole = feed_all(&mut small_parser(headers), &input).split_invariant();
        let split = feed_checked(&mut small_parser(headers), &input, &cuts).split_invariant();
        prop_assert_eq!(split, whole);
    }

    #[test]
    fn mutated_valid_input_never_breaks_the_oracle(input in mutated_valid(), cuts in vec(any::<usize>(), 0..6), headers: bool) {
        let whole = feed_all(&mut small_parser(headers), &input).split_invariant();
        let split = feed_checked(&mut small_parser(headers), &input, &cuts).split_invariant();
        prop_assert_eq!(split, whole);
    }

    #[test]
    fn valid_input_parses_cleanly_however_split(ops in vec(valid_op(), 1..12), cuts in vec(any::<usize>(), 0..8)) {
        // A final PING, because skipped HMSG frames are handed back only with the op after them.
        let input = [ops.concat(), b"PING\r\n".to_vec()].concat();
        let whole = feed_all(&mut small_parser(true), &input);
        prop_assert_eq!(&whole.end, &End::Clean);
        // HMSG frames yield no op; everything else yields one.
        let expected = ops.iter().filter(|o| !o.starts_with(b"HMSG")).count() + 1;
        prop_assert_eq!(whole.ops.len(), expected);
        let split = feed_checked(&mut small_parser(true), &input, &cuts);
        prop_assert_eq!(split, whole);
    }

    #[test]
    fn arbitrary_buffers_from_a_careless_caller_never_panic(bufs in vec(vec(proto_byte(), 0..80), 1..20)) {
        let mut p = small_parser(true);
        for b in &bufs {
            if let Ok(Some((_, used))) = p.parse(b) {
                prop_assert!(used > 0 && used <= b.len());
            }
        }
    }
}

/// The plain definition of splitting: maximal runs of non-separator bytes.
fn naive_fields(arg: &[u8], sep: fn(u8) -> bool) -> Vec<&[u8]> {
    arg.split(|&b| sep(b)).filter(|f| !f.is_empty()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn word_at_a_time_splitting_matches_the_plain_definition(
        arg in vec(prop_oneof![4 => proto_byte(), 1 => 0u8..=0x21, 1 => 0x7fu8..=0xff], 0..70),
        pad in 0usize..4,
    ) {
        // Also place the argument at an offset inside a larger buffer, as the parser does.
        let buf: Vec<u8> = std::iter::repeat_n(b'x', pad).chain(arg.iter().copied()).chain(*b"yz").collect();
        for sep in [is_blank as fn(u8) -> bool, is_split_sep] {
            let want = naive_fields(&arg, sep);
            let got = fields::<8>(&buf, pad, pad + arg.len(), sep);
            prop_assert_eq!(got.count, want.len());
            for (i, w) in want.iter().take(8).enumerate() {
                prop_assert_eq!(got.get(i, &buf), *w);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn long_runs_stay_bounded(input in long_repeats(), cuts in vec(any::<usize>(), 0..4)) {
        let whole = feed_all(&mut small_parser(true), &input).split_invariant();
        let split = feed_checked(&mut small_parser(true), &input, &cuts).split_invariant();
        prop_assert_eq!(split, whole);
    }
}
