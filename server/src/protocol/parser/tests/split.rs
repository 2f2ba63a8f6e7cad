//! Split-read tests: the same input fed whole, at every split point, at every pair of split points and one
//! byte at a time must give the same ops and the same ending. Also: a payload or a long run of skipped bytes
//! trickled in one byte at a time is scanned once (the test would not finish if each call re-scanned).

use super::{feed, feed_all, feed_bytes, parser, pub_op, End, Op};
use crate::protocol::parser::ClientParser;

/// Inputs covering every op, every error and the odd cases of the tables.
fn corpus() -> Vec<Vec<u8>> {
    let texts: &[&[u8]] = &[
        b"PING\r\nPONG\r\n+OK\r\n",
        b"PiNg  \r  \nponG xyz\n+okay\r\n",
        b"CONNECT {\"verbose\":false,\"tls_required\":false,\"user\":\"test\",\"pedantic\":true,\"pass\":\"pass\"}\r\n",
        b"CONNECT{}\r\nCONNECT\n{}\r\nINFO {}\r\n-ERR 'x'\r\n",
        b"SUB foo 1\r\nSUB foo bar 2\r\nsub\tfoo\t\t3\nSUB foo\r12\nUNSUB 1\r\nUNSUB 2 5\r\nUNSUB 3 abc\r\n",
        b"PUB foo 5\r\nhello\r\nPUB foo.bar INBOX.22 11\r\nhello world\r\nPUB foo 0\r\n\r\n",
        b"PUB foo 2\r\n\r\n\r\nPUB a\rb 1\r\nx\r\npub\tfoo\t2\nok\r\n",
        b"HPUB foo 12 17\r\nname:derek\r\nHELLO\r\nHPUB foo INBOX.22 0 5\r\nHELLO\r\n",
        b"HMSG foo 1 2\r\n\r\nHMSG x\r\n\r\nPING\r\n",
        b"SUB foo 1\r\nPUB foo 2\r\nok\r\nPING\r\nPUB foo 2\r\nok",
        // Errors.
        b"PING\r\nPUX",
        b"PING\r\nRS+ foo 1\r\n",
        b"PUB foo 2\r\nokX",
        b"PUB foo 2\r\nok\r \n",
        b"PUB foo 2\r\nok\n",
        b"HMSG foo\r\nPING\r\n",
        b"SUB foo 1\r\nPUB foo\r\n",
        b"PUB foo 0000000002\r\nok\r\n",
        b"HPUB foo 3 2\r\n",
        b"SUB foo bar baz 22\r\n",
        b"UNSUB \r\n",
        b"PUB foo 2000000\r\n",
        b"PING\r\nPUB foo.bar.baz.qux 2\r\nok\r\n",
        b"PUB foo.bar.baz.qux.and.more",
        b"CONNECT {\"verbose\":false,\"pedantic\":true} \r",
    ];
    texts.iter().map(|t| t.to_vec()).collect()
}

/// A parser with a small control line limit so the corpus reaches it, and a 1000-byte max payload.
fn small() -> ClientParser {
    let mut p = ClientParser::new(16, 1000);
    p.set_headers(true);
    p
}

fn check_every_split(make: fn() -> ClientParser, input: &[u8]) {
    let whole = feed_all(&mut make(), input).split_invariant();
    let bytes = feed_bytes(&mut make(), input).split_invariant();
    assert_eq!(
        bytes,
        whole,
        "one byte at a time: {:?}",
        String::from_utf8_lossy(input)
    );
    for k in 0..=input.len() {
        let (a, b) = input.split_at(k);
        let got = feed(&mut make(), [a, b]).split_invariant();
        assert_eq!(
            got,
            whole,
            "split at {k}: {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn every_split_point_gives_the_same_ops() {
    for input in corpus() {
        check_every_split(parser, &input);
        check_every_split(small, &input);
    }
}

#[test]
fn every_pair_of_split_points_gives_the_same_ops() {
    for input in corpus().into_iter().filter(|i| i.len() <= 80) {
        let whole = feed_all(&mut small(), &input).split_invariant();
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let got =
                    feed(&mut small(), [&input[..i], &input[i..j], &input[j..]]).split_invariant();
                assert_eq!(
                    got,
                    whole,
                    "splits at {i},{j}: {:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}

#[test]
fn the_whole_corpus_as_one_stream_splits_cleanly() {
    // Only the inputs that end cleanly, so that the next one starts at an op boundary.
    let stream: Vec<u8> = corpus()
        .into_iter()
        .filter(|i| feed_all(&mut parser(), i).end == End::Clean)
        .flatten()
        .collect();
    let whole = feed_all(&mut parser(), &stream);
    assert_eq!(whole.end, End::Clean);
    assert!(whole.ops.len() >= 25, "{} ops", whole.ops.len());
    for size in [1, 2, 3, 5, 7, 11, 64, 512] {
        assert_eq!(
            feed(&mut parser(), stream.chunks(size)),
            whole,
            "chunks of {size}"
        );
    }
}

#[test]
fn a_trickled_payload_is_scanned_once() {
    let mut p = ClientParser::new(4096, 0);
    let size = 1 << 20;
    let mut input = format!("PUB big {size}\r\n").into_bytes();
    input.extend(std::iter::repeat_n(b'x', size));
    input.extend_from_slice(b"\r\n");
    let mut buf = Vec::with_capacity(input.len());
    let mut got = None;
    for &b in &input {
        buf.push(b);
        if let Some((op, used)) = p.parse(&buf).unwrap() {
            got = Some((Op::from(&op), used));
        }
    }
    let (op, used) = got.expect("an op");
    assert_eq!(used, input.len());
    assert_eq!(op, pub_op("big", None, &vec![b'x'; size]));
}

#[test]
fn trickled_lines_and_skipped_runs_are_scanned_once() {
    let limit = super::super::MIN_SKIP_LIMIT;
    let mut input = b"PUB".to_vec();
    input.extend(std::iter::repeat_n(b'\t', limit));
    input.extend_from_slice(b"foo 0\r\n\r\nPING");
    input.extend(std::iter::repeat_n(b' ', limit - 2));
    input.extend_from_slice(b"\r\nCONNECT {");
    input.extend(std::iter::repeat_n(b' ', 60_000));
    input.extend_from_slice(b"}\r\n");
    let mut p = ClientParser::new(64_000, 0);
    let out = feed_bytes(&mut p, &input);
    assert_eq!(out.end, End::Clean);
    assert_eq!(out.ops.len(), 3);
    assert_eq!(out.ops[0], pub_op("foo", None, b""));
    assert_eq!(out.ops[1], Op::Ping);
}
