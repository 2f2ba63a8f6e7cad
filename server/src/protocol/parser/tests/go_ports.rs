//! Ports of the client cases of Go's `server/parser_test.go` and `server/split_test.go`. Go's tests look at
//! parser states (`c.state`, `c.pa`, `c.argBuf`); the ports check what those states lead to: no op and no
//! error while an op is incomplete, then the op with the same subject, reply, sizes and payload.

use super::{feed, feed_all, hpub_op, parser, pub_op, sub_op, unsub_op, End, Op};
use crate::protocol::errors::ProtoError;
use crate::protocol::parser::{proto_snippet, ClientParser, PROTO_SNIPPET_SIZE};

/// A connection's view: append `chunk`, parse what is complete.
struct Conn {
    p: ClientParser,
    buf: Vec<u8>,
}

impl Conn {
    fn new(p: ClientParser) -> Conn {
        Conn { p, buf: Vec::new() }
    }

    fn push(&mut self, chunk: &[u8]) -> Result<Vec<Op>, ProtoError> {
        self.buf.extend_from_slice(chunk);
        let mut ops = Vec::new();
        while let Some((op, used)) = self.p.parse(&self.buf)? {
            ops.push(Op::from(&op));
            self.buf.drain(..used);
        }
        Ok(ops)
    }
}

/// Go's `dummyClient()`: max_control_line 4096, no payload limit.
fn go_client() -> Conn {
    Conn::new(ClientParser::new(4096, 0))
}

/// The split tests use max_control_line 1024.
fn split_client() -> Conn {
    Conn::new(ClientParser::new(1024, 0))
}

fn held(conn: &mut Conn, chunk: &[u8]) {
    assert_eq!(
        conn.push(chunk),
        Ok(vec![]),
        "chunk {:?}",
        String::from_utf8_lossy(chunk)
    );
}

// go: server/TestParsePing
#[test]
fn ping_byte_by_byte_and_with_trailing_blanks() {
    let mut c = go_client();
    let ping = b"PING\r\n";
    for i in 0..5 {
        held(&mut c, &ping[i..i + 1]);
    }
    assert_eq!(c.push(&ping[5..]), Ok(vec![Op::Ping]));
    assert_eq!(c.push(ping), Ok(vec![Op::Ping]));
    // Blanks and `\r` before the `\n` are tolerated; the op ends only at `\n`.
    held(&mut c, b"PING  \r");
    let mut c = go_client();
    assert_eq!(c.push(b"PING  \r  \n"), Ok(vec![Op::Ping]));
}

// go: server/TestParseConnect
#[test]
fn connect_argument_starts_after_the_name_and_blank() {
    let connect = b"CONNECT {\"verbose\":false,\"pedantic\":true,\"tls_required\":false}\r\n";
    let out = feed_all(&mut parser(), connect);
    assert_eq!(out.end, End::Clean);
    assert_eq!(
        out.ops,
        vec![Op::Connect(connect[8..connect.len() - 2].to_vec())]
    );
}

// go: server/TestParseSub
#[test]
fn sub_waits_for_the_newline_after_cr() {
    let mut c = go_client();
    held(&mut c, b"SUB foo 1\r");
    assert_eq!(c.push(b"\n"), Ok(vec![sub_op("foo", None, "1")]));
}

// go: server/TestParsePub
#[test]
fn pub_arguments_and_oversized_body() {
    let mut c = go_client();
    held(&mut c, b"PUB foo 5\r\nhello\r");
    assert_eq!(c.push(b"\n"), Ok(vec![pub_op("foo", None, b"hello")]));

    let mut c = go_client();
    held(&mut c, b"PUB foo.bar INBOX.22 11\r\nhello world\r");
    assert_eq!(
        c.push(b"\n"),
        Ok(vec![pub_op("foo.bar", Some("INBOX.22"), b"hello world")])
    );

    // More bytes than the size announced.
    let mut c = go_client();
    let e = c.push(b"PUB foo.bar 11\r\nhello world hello world\r");
    assert!(matches!(e, Err(ProtoError::UnknownOp { .. })), "{e:?}");
}

// go: server/TestParsePubSizeOverflow
#[test]
fn pub_size_overflow_is_an_error() {
    let mut c = go_client();
    let e = c.push(b"PUB foo 3333333333333333333333333333333333333333333333333333333333333333\r\n");
    assert!(matches!(e, Err(ProtoError::BadArgs { .. })), "{e:?}");
}

fn payload_of(size: usize) -> Vec<u8> {
    (0..size).map(|i| b'a' + (i % 26) as u8).collect()
}

// go: server/TestParsePubArg
#[test]
fn pub_argument_splitting() {
    let cases: &[(&str, &str, Option<&str>, usize)] = &[
        ("a 2", "a", None, 2),
        ("a 222", "a", None, 222),
        ("foo 22", "foo", None, 22),
        (" foo 22", "foo", None, 22),
        ("foo 22 ", "foo", None, 22),
        ("foo   22", "foo", None, 22),
        (" foo 22 ", "foo", None, 22),
        (" foo   22 ", "foo", None, 22),
        ("foo bar 22", "foo", Some("bar"), 22),
        (" foo bar 22", "foo", Some("bar"), 22),
        ("foo bar 22 ", "foo", Some("bar"), 22),
        ("foo  bar  22", "foo", Some("bar"), 22),
        (" foo bar 22 ", "foo", Some("bar"), 22),
        ("  foo   bar  22  ", "foo", Some("bar"), 22),
        ("  foo   bar  2222  ", "foo", Some("bar"), 2222),
        ("  foo     2222  ", "foo", None, 2222),
        ("a\t2", "a", None, 2),
        ("a\t222", "a", None, 222),
        ("foo\t22", "foo", None, 22),
        ("\tfoo\t22", "foo", None, 22),
        ("foo\t22\t", "foo", None, 22),
        ("foo\t\t\t22", "foo", None, 22),
        ("\tfoo\t22\t", "foo", None, 22),
        ("\tfoo\t\t\t22\t", "foo", None, 22),
        ("foo\tbar\t22", "foo", Some("bar"), 22),
        ("\tfoo\tbar\t22", "foo", Some("bar"), 22),
        ("foo\tbar\t22\t", "foo", Some("bar"), 22),
        ("foo\t\tbar\t\t22", "foo", Some("bar"), 22),
        ("\tfoo\tbar\t22\t", "foo", Some("bar"), 22),
        ("\t \tfoo\t \t \tbar\t \t22\t \t", "foo", Some("bar"), 22),
        ("\t\tfoo\t\t\tbar\t\t2222\t\t", "foo", Some("bar"), 2222),
        ("\t \tfoo\t \t \t\t\t2222\t \t", "foo", None, 2222),
    ];
    for &(arg, subject, reply, size) in cases {
        let payload = payload_of(size);
        let mut input = format!("PUB {arg}\r\n").into_bytes();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n");
        let out = feed_all(&mut ClientParser::new(4096, 0), &input);
        assert_eq!(out.end, End::Clean, "arg {arg:?}");
        assert_eq!(
            out.ops,
            vec![pub_op(subject, reply, &payload)],
            "arg {arg:?}"
        );
    }
}

// go: server/TestParsePubBadSize
#[test]
fn pub_size_beyond_nine_digits_is_bad_even_with_a_max_payload() {
    let mut c = Conn::new(ClientParser::new(4096, 32768));
    let e = c.push(b"PUB foo 2222222222222222\r\n");
    assert!(matches!(e, Err(ProtoError::BadArgs { .. })), "{e:?}");
}

// go: server/TestParseHeaderPub
#[test]
fn hpub_arguments() {
    let headers_on = || {
        let mut p = ClientParser::new(4096, 0);
        p.set_headers(true);
        Conn::new(p)
    };
    let mut c = headers_on();
    held(&mut c, b"HPUB foo 12 17\r\nname:derek\r\nHELLO\r");
    assert_eq!(
        c.push(b"\n"),
        Ok(vec![hpub_op("foo", None, 12, b"name:derek\r\nHELLO")])
    );

    let mut c = headers_on();
    held(&mut c, b"HPUB foo INBOX.22 12 17\r\nname:derek\r\nHELLO\r");
    assert_eq!(
        c.push(b"\n"),
        Ok(vec![hpub_op(
            "foo",
            Some("INBOX.22"),
            12,
            b"name:derek\r\nHELLO"
        )])
    );

    let mut c = headers_on();
    held(&mut c, b"HPUB foo INBOX.22 0 5\r\nHELLO\r");
    assert_eq!(
        c.push(b"\n"),
        Ok(vec![hpub_op("foo", Some("INBOX.22"), 0, b"HELLO")])
    );
}

// go: server/TestParseHeaderPubArg
#[test]
fn hpub_argument_splitting() {
    let cases: &[(&str, &str, Option<&str>, usize, usize)] = &[
        ("a 2 4", "a", None, 2, 4),
        ("a 22 222", "a", None, 22, 222),
        ("foo 3 22", "foo", None, 3, 22),
        (" foo   1 22", "foo", None, 1, 22),
        ("foo 0   22 ", "foo", None, 0, 22),
        ("foo  0     22", "foo", None, 0, 22),
        (" foo 1 22 ", "foo", None, 1, 22),
        (" foo   3 22 ", "foo", None, 3, 22),
        ("foo bar 1 22", "foo", Some("bar"), 1, 22),
        (" foo bar 11 22", "foo", Some("bar"), 11, 22),
        ("foo bar 11 22 ", "foo", Some("bar"), 11, 22),
        ("foo  bar  11  22", "foo", Some("bar"), 11, 22),
        (" foo bar  11 22 ", "foo", Some("bar"), 11, 22),
        ("  foo   bar  11   22  ", "foo", Some("bar"), 11, 22),
        ("  foo   bar  22   2222  ", "foo", Some("bar"), 22, 2222),
        ("  foo 1    2222  ", "foo", None, 1, 2222),
        ("a\t2\t22", "a", None, 2, 22),
        ("a\t2\t\t222", "a", None, 2, 222),
        ("foo\t2 22", "foo", None, 2, 22),
        ("\tfoo\t11\t  22", "foo", None, 11, 22),
        ("foo\t11\t22\t", "foo", None, 11, 22),
        ("foo\t\t\t11 22", "foo", None, 11, 22),
        ("\tfoo\t11\t \t 22\t", "foo", None, 11, 22),
        ("\tfoo\t\t\t11 22\t", "foo", None, 11, 22),
        ("foo\tbar\t2 22", "foo", Some("bar"), 2, 22),
        ("\tfoo\tbar\t11\t22", "foo", Some("bar"), 11, 22),
        ("foo\tbar\t11\t\t22\t ", "foo", Some("bar"), 11, 22),
        ("foo\t\tbar\t\t11\t\t\t22", "foo", Some("bar"), 11, 22),
        ("\tfoo\tbar\t11\t22\t", "foo", Some("bar"), 11, 22),
        (
            "\t \tfoo\t \t \tbar\t \t11\t 22\t \t",
            "foo",
            Some("bar"),
            11,
            22,
        ),
        (
            "\t\tfoo\t\t\tbar\t\t22\t\t\t2222\t\t",
            "foo",
            Some("bar"),
            22,
            2222,
        ),
        (
            "\t \tfoo\t \t \t\t\t11\t\t 2222\t \t",
            "foo",
            None,
            11,
            2222,
        ),
    ];
    for &(arg, subject, reply, hdr, size) in cases {
        let msg = payload_of(size);
        let mut input = format!("HPUB {arg}\r\n").into_bytes();
        input.extend_from_slice(&msg);
        input.extend_from_slice(b"\r\n");
        let mut p = ClientParser::new(4096, 0);
        p.set_headers(true);
        let out = feed_all(&mut p, &input);
        assert_eq!(out.end, End::Clean, "arg {arg:?}");
        assert_eq!(
            out.ops,
            vec![hpub_op(subject, reply, hdr, &msg)],
            "arg {arg:?}"
        );
    }
}

// go: server/TestProtoSnippet
#[test]
fn proto_snippet_windows() {
    let sample = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let expected = [
        "\"abcdefghijklmnopqrstuvwxyzABCDEF\"",
        "\"bcdefghijklmnopqrstuvwxyzABCDEFG\"",
        "\"cdefghijklmnopqrstuvwxyzABCDEFGH\"",
        "\"defghijklmnopqrstuvwxyzABCDEFGHI\"",
        "\"efghijklmnopqrstuvwxyzABCDEFGHIJ\"",
        "\"fghijklmnopqrstuvwxyzABCDEFGHIJK\"",
        "\"ghijklmnopqrstuvwxyzABCDEFGHIJKL\"",
        "\"hijklmnopqrstuvwxyzABCDEFGHIJKLM\"",
        "\"ijklmnopqrstuvwxyzABCDEFGHIJKLMN\"",
        "\"jklmnopqrstuvwxyzABCDEFGHIJKLMNO\"",
        "\"klmnopqrstuvwxyzABCDEFGHIJKLMNOP\"",
        "\"lmnopqrstuvwxyzABCDEFGHIJKLMNOPQ\"",
        "\"mnopqrstuvwxyzABCDEFGHIJKLMNOPQR\"",
        "\"nopqrstuvwxyzABCDEFGHIJKLMNOPQRS\"",
        "\"opqrstuvwxyzABCDEFGHIJKLMNOPQRST\"",
        "\"pqrstuvwxyzABCDEFGHIJKLMNOPQRSTU\"",
        "\"qrstuvwxyzABCDEFGHIJKLMNOPQRSTUV\"",
        "\"rstuvwxyzABCDEFGHIJKLMNOPQRSTUVW\"",
        "\"stuvwxyzABCDEFGHIJKLMNOPQRSTUVWX\"",
        "\"tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"uvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\"",
        "\"vwxyzABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"wxyzABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"xyzABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"yzABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"zABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"ABCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"BCDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"CDEFGHIJKLMNOPQRSTUVWXY\"",
        "\"DEFGHIJKLMNOPQRSTUVWXY\"",
        "\"EFGHIJKLMNOPQRSTUVWXY\"",
        "\"FGHIJKLMNOPQRSTUVWXY\"",
        "\"GHIJKLMNOPQRSTUVWXY\"",
        "\"HIJKLMNOPQRSTUVWXY\"",
        "\"IJKLMNOPQRSTUVWXY\"",
        "\"JKLMNOPQRSTUVWXY\"",
        "\"KLMNOPQRSTUVWXY\"",
        "\"LMNOPQRSTUVWXY\"",
        "\"MNOPQRSTUVWXY\"",
        "\"NOPQRSTUVWXY\"",
        "\"OPQRSTUVWXY\"",
        "\"PQRSTUVWXY\"",
        "\"QRSTUVWXY\"",
        "\"RSTUVWXY\"",
        "\"STUVWXY\"",
        "\"TUVWXY\"",
        "\"UVWXY\"",
        "\"VWXY\"",
        "\"WXY\"",
        "\"XY\"",
        "\"Y\"",
        "\"\"",
        "\"\"",
        "\"\"",
        "\"\"",
    ];
    for (start, want) in expected.iter().enumerate() {
        assert_eq!(
            proto_snippet(start, PROTO_SNIPPET_SIZE, sample),
            *want,
            "start {start}"
        );
    }
}

// go: server/TestParseOK
#[test]
fn ok_byte_by_byte() {
    let mut c = go_client();
    let ok = b"+OK\r\n";
    for i in 0..4 {
        held(&mut c, &ok[i..i + 1]);
    }
    assert_eq!(c.push(&ok[4..]), Ok(vec![Op::Ok]));
}

// go: server/TestSplitBufferSubOp
#[test]
fn split_sub() {
    let mut c = split_client();
    let sub = b"SUB foo 1\r\n";
    held(&mut c, &sub[..6]);
    assert_eq!(c.push(&sub[6..]), Ok(vec![sub_op("foo", None, "1")]));
}

// go: server/TestSplitBufferUnsubOp
#[test]
fn split_unsub() {
    let mut c = split_client();
    assert_eq!(
        c.push(b"SUB foo 1024\r\n"),
        Ok(vec![sub_op("foo", None, "1024")])
    );
    let unsub = b"UNSUB 1024\r\n";
    held(&mut c, &unsub[..8]);
    assert_eq!(c.push(&unsub[8..]), Ok(vec![unsub_op("1024", None)]));
}

// go: server/TestSplitBufferPubOp
#[test]
fn split_pub_in_seven_reads() {
    let mut c = split_client();
    let pub_ = b"PUB foo.bar INBOX.22 11\r\nhello world\r";
    for (a, b) in [
        (0, 2),
        (2, 9),
        (9, 15),
        (15, 22),
        (22, 25),
        (25, 33),
        (33, pub_.len()),
    ] {
        held(&mut c, &pub_[a..b]);
    }
    assert_eq!(c.p.needed_len(), Some(pub_.len() + 1));
    assert_eq!(
        c.push(b"\n"),
        Ok(vec![pub_op("foo.bar", Some("INBOX.22"), b"hello world")])
    );
}

// go: server/TestSplitBufferPubOp2
#[test]
fn split_pub_inside_the_payload() {
    let mut c = split_client();
    let pub_ = b"PUB foo.bar INBOX.22 11\r\nhello world\r\n";
    held(&mut c, &pub_[..30]);
    assert_eq!(
        c.push(&pub_[30..]),
        Ok(vec![pub_op("foo.bar", Some("INBOX.22"), b"hello world")])
    );
}

// go: server/TestSplitBufferPubOp5
#[test]
fn split_pub_between_cr_and_lf() {
    let mut c = split_client();
    let pub_ = b"PUB foo 11\r\nhello world\r\n";
    held(&mut c, &pub_[..pub_.len() - 1]);
    assert_eq!(
        c.push(&pub_[pub_.len() - 1..]),
        Ok(vec![pub_op("foo", None, b"hello world")])
    );
}

// go: server/TestSplitConnectArg
#[test]
fn split_connect_argument() {
    let all = b"CONNECT {\"verbose\":false,\"tls_required\":false,\"user\":\"test\",\"pedantic\":true,\"pass\":\"pass\"}\r\n";
    let json = &all[8..all.len() - 2];
    let n = all.len();
    let out = feed(
        &mut ClientParser::new(1024, 0),
        [&all[..5], &all[5..22], &all[22..n - 2], &all[n - 2..]],
    );
    assert_eq!(out.end, End::Clean);
    assert_eq!(out.ops, vec![Op::Connect(json.to_vec())]);
}
