//! Table tests: bytes in, ops or error out, for every op and every error. Expected values were checked
//! against the Go server v2.15.1 over raw TCP where the Go source left a doubt (bare `\n`, `\r` inside
//! arguments, CONNECT without a blank, client HMSG, lengths at the max_control_line boundary).

use super::{feed_all, hpub_op, parser, pub_op, sub_op, unsub_op, End, Op};
use crate::protocol::errors::{ErrAction, ProtoError};
use crate::protocol::parser::ClientParser;

fn ops_of(input: &[u8]) -> Vec<Op> {
    let out = feed_all(&mut parser(), input);
    assert_eq!(
        out.end,
        End::Clean,
        "input {:?} did not parse cleanly: {out:?}",
        String::from_utf8_lossy(input)
    );
    out.ops
}

fn err_of(p: &mut ClientParser, input: &[u8]) -> ProtoError {
    match feed_all(p, input).end {
        End::Error(e) => e,
        other => panic!(
            "input {:?}: expected an error, got {other:?}",
            String::from_utf8_lossy(input)
        ),
    }
}

#[test]
fn every_op_parses() {
    let cases: Vec<(&[u8], Vec<Op>)> = vec![
        (b"PING\r\n", vec![Op::Ping]),
        (b"ping\n", vec![Op::Ping]),
        (b"PiNg  \r  \n", vec![Op::Ping]),
        (b"PINGxyz\r\n", vec![Op::Ping]),
        (b"PING\t\r\n", vec![Op::Ping]),
        (b"PONG\r\n", vec![Op::Pong]),
        (b"pong\n", vec![Op::Pong]),
        (b"+OK\r\n", vec![Op::Ok]),
        (b"+ok\n", vec![Op::Ok]),
        (b"+OKjunk\r\n", vec![Op::Ok]),
        (
            b"CONNECT {\"verbose\":false}\r\n",
            vec![Op::Connect(b"{\"verbose\":false}".to_vec())],
        ),
        (b"connect {}\n", vec![Op::Connect(b"{}".to_vec())]),
        (b"CONNECT{}\r\n", vec![Op::Connect(b"{}".to_vec())]),
        (b"CONNECT\t \t{} \r\n", vec![Op::Connect(b"{} ".to_vec())]),
        // The first byte after the name starts the argument, even a `\n`; the line ends at the next one.
        (b"CONNECT\n{}\r\n", vec![Op::Connect(b"\n{}".to_vec())]),
        (b"CONNECT \r\n", vec![Op::Connect(b"\r".to_vec())]),
        (b"INFO {}\r\n", vec![Op::Info(b"{}".to_vec())]),
        (b"info{\"a\":1}\n", vec![Op::Info(b"{\"a\":1}".to_vec())]),
        (b"-ERR 'oops'\r\n", vec![Op::Err(b"'oops'".to_vec())]),
        (b"-err\t x y\r\n", vec![Op::Err(b"x y".to_vec())]),
        (
            b"PUB foo 5\r\nhello\r\n",
            vec![pub_op("foo", None, b"hello")],
        ),
        (
            b"pub foo.bar INBOX.22 11\r\nhello world\r\n",
            vec![pub_op("foo.bar", Some("INBOX.22"), b"hello world")],
        ),
        (b"PUB\tfoo\t\t2\r\nok\r\n", vec![pub_op("foo", None, b"ok")]),
        (b"PUB foo 0\r\n\r\n", vec![pub_op("foo", None, b"")]),
        (b"PUB foo 2\nok\r\n", vec![pub_op("foo", None, b"ok")]),
        (
            b"PUB foo 000000002\r\nok\r\n",
            vec![pub_op("foo", None, b"ok")],
        ),
        (b"PUB foo 2\r\n\r\n\r\n", vec![pub_op("foo", None, b"\r\n")]),
        // PUB splits on blanks only: a `\r` inside stays in the subject.
        (b"PUB a\rb 1\r\nx\r\n", vec![pub_op("a\rb", None, b"x")]),
        (
            b"HPUB foo 12 17\r\nname:derek\r\nHELLO\r\n",
            vec![hpub_op("foo", None, 12, b"name:derek\r\nHELLO")],
        ),
        (
            b"HPUB foo INBOX.22 0 5\r\nHELLO\r\n",
            vec![hpub_op("foo", Some("INBOX.22"), 0, b"HELLO")],
        ),
        (
            b"hpub\tfoo 2 2\r\nab\r\n",
            vec![hpub_op("foo", None, 2, b"ab")],
        ),
        (b"SUB foo 1\r\n", vec![sub_op("foo", None, "1")]),
        (b"SUB foo bar 1\r\n", vec![sub_op("foo", Some("bar"), "1")]),
        (b"sub\tfoo\t\t1\n", vec![sub_op("foo", None, "1")]),
        // SUB splits on `\r` and `\n` too; a `\r` anywhere makes Go drop the byte before `\n`.
        (b"SUB foo\r1\r\n", vec![sub_op("foo", None, "1")]),
        (b"SUB foo\r12\n", vec![sub_op("foo", None, "1")]),
        (b"SUB \nfoo 1\r\n", vec![sub_op("foo", None, "1")]),
        (b"UNSUB 1\r\n", vec![unsub_op("1", None)]),
        (b"UNSUB 1 5\r\n", vec![unsub_op("1", Some(5))]),
        (b"UNSUB 1 0\r\n", vec![unsub_op("1", Some(0))]),
        // A bad max is not an error in Go: the subscription is removed at once.
        (b"UNSUB 1 abc\r\n", vec![unsub_op("1", None)]),
        (b"unsub\t22\n", vec![unsub_op("22", None)]),
        // Go accepts a client HMSG line followed by an empty payload and delivers it nowhere.
        (b"HMSG foo 1 2\r\n\r\nPING\r\n", vec![Op::Ping]),
        (
            b"SUB foo 1\r\nPUB foo 2\r\nok\r\nPING\r\nPONG\r\nUNSUB 1\r\n",
            vec![
                sub_op("foo", None, "1"),
                pub_op("foo", None, b"ok"),
                Op::Ping,
                Op::Pong,
                unsub_op("1", None),
            ],
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            ops_of(input),
            want,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn consumed_covers_control_line_payload_and_crlf() {
    let mut p = parser();
    let buf = b"PUB foo 5\r\nhello\r\nPING\r\n";
    let (op, used) = p.parse(buf).unwrap().unwrap();
    assert_eq!(Op::from(&op), pub_op("foo", None, b"hello"));
    assert_eq!(used, 18);
    let (op, used) = p.parse(&buf[18..]).unwrap().unwrap();
    assert_eq!((Op::from(&op), used), (Op::Ping, 6));
    // An HMSG skipped before an op is part of that op's consumed bytes.
    let buf = b"HMSG x\r\n\r\nPONG\r\n";
    let (op, used) = p.parse(buf).unwrap().unwrap();
    assert_eq!((Op::from(&op), used), (Op::Pong, buf.len()));
}

#[test]
fn bad_op_names_and_server_only_ops_are_unknown() {
    let cases: &[&[u8]] = &[
        b"xxx",
        b"\r\n",
        b" PING",
        b"\x0bOK\r\n",
        b"Px",
        b"PIx",
        b"PINx",
        b"POx",
        b"PONx",
        b"+x",
        b"+Ox",
        b"-x",
        b"-Ex",
        b"-ERx",
        b"-ERRx",
        b"-ERR\r\n",
        b"Cx",
        b"COx",
        b"CONx",
        b"CONNx",
        b"CONNEx",
        b"CONNECx",
        b"PUx",
        b"PUBx",
        b"PUB\r\n",
        b"Hx",
        b"HPx",
        b"HPUx",
        b"HPUBx",
        b"HMx",
        b"HMSx",
        b"HMSGx",
        b"Sx",
        b"SUx",
        b"SUB\r\n",
        b"Ux",
        b"UNx",
        b"UNSx",
        b"UNSUx",
        b"UNSUBx",
        b"UNSUBUNSUB 1\r\n",
        b"UNSUB_2\r\n",
        b"UNSUB\r\n",
        b"Ix",
        b"INx",
        b"INFx",
        // Route, leaf and gateway ops.
        b"RS+ foo 1\r\n",
        b"RS- foo\r\n",
        b"LS+ foo\r\n",
        b"LS- foo\r\n",
        b"A+ $G\r\n",
        b"A- $G\r\n",
        b"MSG foo 1 2\r\nok\r\n",
        b"RMSG $G foo 2\r\nok\r\n",
        b"LMSG foo 2\r\nok\r\n",
    ];
    for input in cases {
        let e = err_of(&mut parser(), input);
        assert!(
            matches!(e, ProtoError::UnknownOp { .. }),
            "input {:?}: {e:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(e.wire_text(), Some("Unknown Protocol Operation"));
        assert_eq!(e.action(), ErrAction::SendAndClose);
    }
}

#[test]
fn payload_not_followed_by_crlf_is_unknown_op() {
    let cases: &[&[u8]] = &[
        b"PUB foo 2\r\nokX",
        b"PUB foo 2\r\nok \r\n",
        b"PUB foo 2\r\nok\r \n",
        b"PUB foo 2\r\nok\n",
        b"PUB foo.bar 11\r\nhello world hello world\r",
        b"HPUB foo 2 3\r\nab\r\n",
        b"HMSG foo 1 2\r\nPING\r\n",
    ];
    for input in cases {
        let e = err_of(&mut parser(), input);
        assert!(
            matches!(e, ProtoError::UnknownOp { .. }),
            "input {:?}: {e:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn unknown_op_snippet_starts_at_the_bad_byte() {
    // Go quotes 32 bytes from the failing byte, stopping one short of the end when the input is shorter.
    let e = err_of(&mut parser(), b"PING\r\nPUB foo 2\r\nokXYZ");
    assert_eq!(
        e,
        ProtoError::UnknownOp {
            snippet: "\"XY\"".into()
        }
    );
    let e = err_of(&mut parser(), b"PUX");
    assert_eq!(e.to_string(), "Client parser ERROR, proto='\"\"...'");
}

#[test]
fn bad_arguments_close_silently() {
    let cases: &[(&[u8], &str)] = &[
        (b"PUB foo\r\n", "processPub Parse Error: \"foo\""),
        (b"PUB  \r\n", "processPub Parse Error: \"\\r\""),
        (
            b"PUB foo bar baz 2\r\n",
            "processPub Parse Error: \"foo bar baz 2\"",
        ),
        (
            b"PUB foo bar       \r\n",
            "processPub Bad or Missing Size: \"foo bar       \"",
        ),
        (
            b"PUB foo -1\r\n",
            "processPub Bad or Missing Size: \"foo -1\"",
        ),
        (
            b"PUB foo +1\r\n",
            "processPub Bad or Missing Size: \"foo +1\"",
        ),
        (
            b"PUB foo 0000000002\r\n",
            "processPub Bad or Missing Size: \"foo 0000000002\"",
        ),
        (b"HPUB foo 2\r\n", "processHeaderPub Parse Error: \"foo 2\""),
        (
            b"HPUB a b c 1 2\r\n",
            "processHeaderPub Parse Error: \"a b c 1 2\"",
        ),
        (
            b"HPUB foo x 2\r\n",
            "processHeaderPub Bad or Missing Header Size: \"foo x 2\"",
        ),
        (
            b"HPUB foo 2 x\r\n",
            "processHeaderPub Bad or Missing Total Size: \"foo 2 x\"",
        ),
        (
            b"HPUB foo 3 2\r\n",
            "processHeaderPub Header Size larger then TotalSize: \"foo 3 2\"",
        ),
        (b"SUB foo\r\n", "processSub Parse Error: \"foo\""),
        (b"SUB  \r\n", "processSub Parse Error: \"\\r\""),
        (
            b"SUB foo bar baz 22\r\n",
            "processSub Parse Error: \"foo bar baz 22\"",
        ),
        (b"UNSUB \r\n", "processUnsub Parse Error: \"\\r\""),
        (
            b"UNSUB          \t       \r\n",
            "processUnsub Parse Error: \"\\r\"",
        ),
        (b"UNSUB 1 2 3\r\n", "processUnsub Parse Error: \"1 2 3\""),
    ];
    for (input, reason) in cases {
        let e = err_of(&mut parser(), input);
        assert_eq!(
            e,
            ProtoError::BadArgs {
                reason: reason.to_string()
            },
            "input {:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(e.wire_text(), None);
        assert_eq!(e.action(), ErrAction::CloseSilently);
    }
}

#[test]
fn hpub_without_headers_is_refused_before_its_arguments_are_read() {
    let mut p = ClientParser::new(4096, 1024);
    assert!(!p.headers());
    assert_eq!(
        err_of(&mut p, b"HPUB foo 0 2\r\nhi\r\n"),
        ProtoError::HeadersNotSupported
    );
    assert_eq!(
        err_of(&mut p, b"HPUB x\r\n"),
        ProtoError::HeadersNotSupported
    );
    assert_eq!(
        ProtoError::HeadersNotSupported.action(),
        ErrAction::CloseSilently
    );
    p.set_headers(true);
    assert_eq!(
        feed_all(&mut p, b"HPUB foo 0 2\r\nhi\r\n").ops,
        vec![hpub_op("foo", None, 0, b"hi")]
    );
    // The control line limit is checked first, as in Go.
    let mut p = ClientParser::new(4, 1024);
    assert!(matches!(
        err_of(&mut p, b"HPUB foo 0 2\r\n"),
        ProtoError::MaxControlLine { .. }
    ));
}

#[test]
fn max_payload_is_detected_on_the_control_line() {
    let mut p = ClientParser::new(4096, 10);
    p.set_headers(true);
    assert_eq!(
        feed_all(&mut p, b"PUB foo 10\r\n0123456789\r\n").ops,
        vec![pub_op("foo", None, b"0123456789")]
    );
    // No payload byte has arrived yet.
    let e = err_of(&mut p, b"PUB foo 11\r\n");
    assert_eq!(e, ProtoError::MaxPayload { size: 11, max: 10 });
    assert_eq!(e.wire_text(), Some("Maximum Payload Violation"));
    assert_eq!(e.action(), ErrAction::SendAndClose);
    assert_eq!(
        err_of(&mut p, b"HPUB foo 2 11\r\n"),
        ProtoError::MaxPayload { size: 11, max: 10 }
    );
    // Bad arguments are found before the size is compared.
    assert!(matches!(
        err_of(&mut p, b"HPUB foo 12 11\r\n"),
        ProtoError::BadArgs { .. }
    ));
    // A limit set later applies to the next op.
    p.set_max_payload(100);
    assert_eq!(p.max_payload(), 100);
    assert_eq!(feed_all(&mut p, b"PUB foo 11\r\n").end, End::Held(12));
    // Zero or negative: no limit.
    for max in [0, -1] {
        let mut p = ClientParser::new(4096, max);
        assert_eq!(
            feed_all(&mut p, b"PUB foo 999999999\r\n").end,
            End::Held(19)
        );
        assert_eq!(p.needed_len(), Some(19 + 999_999_999 + 2));
    }
}

#[test]
fn control_line_limit_counts_the_argument_only() {
    // max_control_line 8: the argument after the op name and its blanks, without the trailing `\r`.
    let ok: &[&[u8]] = &[
        b"PUB foo.ba 2\r\nok\r\n",
        b"PUB      foo.ba 2\r\nok\r\n",
        b"PUB foo.ba 2\nok\r\n",
        b"SUB foo.ba 1\r\n",
        b"CONNECT {}      \r\n",
        b"PING with a long tail\r\n",
    ];
    for input in ok {
        let out = feed_all(&mut ClientParser::new(8, 0), input);
        assert_eq!(
            out.end,
            End::Clean,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let too_long: &[(&[u8], usize)] = &[
        (b"PUB foo.bar.baz 2\r\nok\r\n", 13),
        (b"PUB foo.ba 2 \r\nok\r\n", 9),
        (b"PUB foo.bar 2\nok\r\n", 9),
        (b"SUB foo.bar 1\r\n", 9),
        (b"UNSUB 123456789\r\n", 9),
        (b"CONNECT {}       \r\n", 9),
        (b"INFO {\"a\":123}\r\n", 9),
        (b"-ERR 'too long'\r\n", 10),
        (b"HMSG foo 1 222\r\n\r\n", 9),
    ];
    for (input, len) in too_long {
        let e = err_of(&mut ClientParser::new(8, 0), input);
        assert_eq!(
            e,
            ProtoError::MaxControlLine { len: *len, max: 8 },
            "input {:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(e.wire_text(), Some("maximum control line exceeded"));
        assert_eq!(e.action(), ErrAction::SendAndClose);
    }
}

#[test]
fn unfinished_control_line_fails_once_certainly_too_long() {
    let held: &[&[u8]] = &[
        b"PUB foo.bar.",
        b"PUB foo.bar\r",
        b"PUB foo.bar.\r",
        b"PUB \r\r\r\r\r\r\r\r\r",
    ];
    for input in held {
        let out = feed_all(&mut ClientParser::new(8, 0), input);
        assert_eq!(
            out.end,
            End::Held(input.len()),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let failing: &[(&[u8], usize)] = &[
        (b"PUB foo.bar.b", 9),
        (b"PUB foo.bar.x\r", 9),
        (b"CONNECT {\"verbose\"", 10),
    ];
    for (input, len) in failing {
        let e = err_of(&mut ClientParser::new(8, 0), input);
        assert_eq!(
            e,
            ProtoError::MaxControlLine { len: *len, max: 8 },
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn default_control_line_limit_is_4096() {
    let mut p = ClientParser::new(0, 0);
    assert_eq!(p.max_control_line(), 4096);
    let mut line = b"PUB ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 4094));
    line.extend_from_slice(b" 0\r\n\r\n");
    assert_eq!(feed_all(&mut p, &line).end, End::Clean);
    let mut line = b"PUB ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 4095));
    line.extend_from_slice(b" 0\r\n\r\n");
    assert_eq!(
        err_of(&mut p, &line),
        ProtoError::MaxControlLine {
            len: 4097,
            max: 4096
        }
    );
    // A line that never ends fails as soon as 4097 argument bytes are held.
    let mut line = b"PUB ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 4096));
    assert_eq!(feed_all(&mut p, &line).end, End::Held(4100));
    line.push(b'a');
    assert_eq!(
        err_of(&mut p, &line),
        ProtoError::MaxControlLine {
            len: 4097,
            max: 4096
        }
    );
}

#[test]
fn bytes_go_skips_are_capped() {
    let limit = super::super::MIN_SKIP_LIMIT;
    let blanks = |n: usize| std::iter::repeat_n(b' ', n);
    // Blanks after an op name.
    let mut ok = b"PUB".to_vec();
    ok.extend(blanks(limit + 1));
    ok.extend_from_slice(b"foo 0\r\n\r\n");
    assert_eq!(
        feed_all(&mut parser(), &ok).ops,
        vec![pub_op("foo", None, b"")]
    );
    let mut bad = b"PUB".to_vec();
    bad.extend(blanks(limit + 2));
    assert!(matches!(
        err_of(&mut parser(), &bad),
        ProtoError::MaxControlLine { .. }
    ));
    // The rest of a PING line.
    let mut ok = b"PING".to_vec();
    ok.extend(blanks(limit));
    ok.push(b'\n');
    assert_eq!(feed_all(&mut parser(), &ok).ops, vec![Op::Ping]);
    let mut bad = b"PING".to_vec();
    bad.extend(blanks(limit + 1));
    assert!(matches!(
        err_of(&mut parser(), &bad),
        ProtoError::MaxControlLine { .. }
    ));
    // Client HMSG frames skipped in a row.
    let frame = b"HMSG a\r\n\r\n";
    let fits = limit / frame.len();
    let ok: Vec<u8> = frame
        .iter()
        .copied()
        .cycle()
        .take(fits * frame.len())
        .chain(*b"PING\r\n")
        .collect();
    assert_eq!(feed_all(&mut parser(), &ok).ops, vec![Op::Ping]);
    let bad: Vec<u8> = frame
        .iter()
        .copied()
        .cycle()
        .take((fits + 1) * frame.len())
        .collect();
    assert!(matches!(
        err_of(&mut parser(), &bad),
        ProtoError::MaxControlLine { .. }
    ));
}

#[test]
fn a_caller_that_shrinks_the_buffer_gets_a_fresh_parse() {
    let mut p = parser();
    assert_eq!(p.parse(b"PUB foo 5\r\nhel").unwrap(), None);
    assert_eq!(p.needed_len(), Some(18));
    let (op, used) = p.parse(b"PING\r\n").unwrap().unwrap();
    assert_eq!((Op::from(&op), used), (Op::Ping, 6));
    assert_eq!(p.needed_len(), None);
}
