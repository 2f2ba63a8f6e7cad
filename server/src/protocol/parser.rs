//! The client protocol parser: bytes a client sends in, [`ClientOp`]s borrowed from those bytes out.
//!
//! It keeps the Go server's byte-level behaviour (`server/parser.go` `client.parse`, with the argument rules
//! of `client.go` `processPub`, `processHeaderPub`, `parseSub`/`splitArg`, `processUnsub` and `util.go`
//! `parseSize`) for the unsplit case, and gives the same result however the input is split across reads:
//! - op names are case-insensitive and checked byte by byte: the first wrong byte is `UnknownOp`, even
//!   before the line ends; the route, leaf and gateway ops (`RS+`, `LS+`, `A+`, `MSG`, `RMSG`, ...) fail there.
//! - a line ends at `\n`. The argument starts at the first byte after the blanks that follow the op name;
//!   when a `\r` occurs in it, the byte before the `\n` is dropped (Go's `drop`), which is the `\r` of `\r\n`.
//! - the argument, not the whole line, is held to `max_control_line`: the error comes when the line ends
//!   or as soon as the unfinished argument is certainly too long, as Go checks at the end of each read.
//! - PUB/HPUB sizes are checked on the control line, so `MaxPayload` comes before any payload arrives.
//! - the payload must be followed by exactly `\r\n`; any other byte there is `UnknownOp`.
//!
//! Go skips some bytes without storing them: blanks after an op name, the rest of a PING/PONG/+OK line,
//! and a client `HMSG` line followed by `\r\n` (Go treats it as an empty message with no subject, which
//! reaches nobody). Here those bytes stay in the caller's buffer until the op completes, so each such run
//! is capped at `max(max_control_line, 64 KiB)` and a longer one is `MaxControlLine`; that cap is the one
//! deliberate difference from Go, which accepts such runs without limit.
//!
//! Resumption: on `Ok(None)` the parser remembers how far it scanned (positions in the caller's buffer),
//! so a line or payload arriving in many small reads is scanned once. The caller must pass the same bytes
//! again, with more appended; the buffer always starts at an op boundary.

use memchr::memchr;

use super::errors::ProtoError;
use super::ops::ClientOp;

mod args;
mod control;
#[cfg(test)]
mod tests;

pub use crate::gofmt::go_quote;
pub use args::proto_snippet;
use args::{is_blank, Span};

/// Go's `MAX_CONTROL_LINE_SIZE`, used when `max_control_line` is 0.
pub const DEFAULT_MAX_CONTROL_LINE: usize = 4096;
/// Go's `PROTO_SNIPPET_SIZE`: bytes of input quoted in an unknown-op log line.
pub const PROTO_SNIPPET_SIZE: usize = 32;
/// Floor of the cap on bytes Go skips without storing (see the module header): Go's largest read buffer.
pub const MIN_SKIP_LIMIT: usize = 64 * 1024;

/// Ops whose control line carries an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineOp {
    Pub,
    HPub,
    Sub,
    Unsub,
    Connect,
    Info,
    Err,
    /// HMSG from a client: accepted and dropped, as Go does.
    HMsg,
}

/// Ops whose line carries nothing the server uses: the rest of the line is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BareOp {
    Ping,
    Pong,
    Ok,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    Pub,
    HPub,
    HMsg,
}

/// A control line that announced a payload; positions are in the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PendingPayload {
    kind: PayloadKind,
    subject: Span,
    reply: Option<Span>,
    header_len: usize,
    size: usize,
    /// First payload byte.
    start: usize,
}

/// Where the parser stopped on an incomplete op. Every position is in the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// At an op boundary (at `base`): nothing is remembered; the op name is matched again.
    Start,
    /// Skipping blanks after an op name; the run began at `from`, `pos` is the next byte to look at.
    Blanks { op: LineOp, from: usize, pos: usize },
    /// The argument starts at `arg`; there is no `\n` before `pos`.
    Line { op: LineOp, arg: usize, pos: usize },
    /// PING/PONG/+OK matched, the rest of the line began at `from`; no `\n` before `pos`.
    Bare { op: BareOp, from: usize, pos: usize },
    /// Waiting for the payload and its `\r\n`.
    Payload(PendingPayload),
}

impl Phase {
    /// The buffer length this phase assumes the caller still holds.
    fn high_water(&self) -> usize {
        match *self {
            Phase::Start => 0,
            Phase::Blanks { pos, .. } | Phase::Line { pos, .. } | Phase::Bare { pos, .. } => pos,
            Phase::Payload(p) => p.start,
        }
    }
}

enum Step<'a> {
    /// An op, and the end of its bytes.
    Done(ClientOp<'a>, usize),
    /// Bytes up to this position were consumed without an op (a client HMSG).
    Skipped(usize),
    /// More bytes are needed.
    Pending,
}

/// Resumable parser for one client connection. See the module header for the rules it keeps.
#[derive(Debug, Clone)]
pub struct ClientParser {
    max_control_line: usize,
    max_payload: i64,
    headers: bool,
    /// Start of the current op: non-zero only after skipped HMSG frames not yet handed back.
    base: usize,
    phase: Phase,
}

impl ClientParser {
    /// max_control_line: Go's max_control_line (bytes, default 4096; 0 means 4096 as in Go's client setup).
    /// max_payload: Go's max_payload (int32; <= 0 means no limit).
    pub fn new(max_control_line: usize, max_payload: i64) -> Self {
        let max_control_line = if max_control_line == 0 {
            DEFAULT_MAX_CONTROL_LINE
        } else {
            max_control_line
        };
        ClientParser {
            max_control_line,
            max_payload,
            headers: false,
            base: 0,
            phase: Phase::Start,
        }
    }

    /// After CONNECT {"headers":true}; HPUB is refused while false.
    pub fn set_headers(&mut self, enabled: bool) {
        self.headers = enabled;
    }

    /// A new limit for the control lines still to come (0 means the default, as in [`Self::new`]).
    pub fn set_max_control_line(&mut self, max: usize) {
        self.max_control_line = if max == 0 {
            DEFAULT_MAX_CONTROL_LINE
        } else {
            max
        };
    }

    pub fn set_max_payload(&mut self, max: i64) {
        self.max_payload = max;
    }

    pub fn headers(&self) -> bool {
        self.headers
    }

    pub fn max_payload(&self) -> i64 {
        self.max_payload
    }

    pub fn max_control_line(&self) -> usize {
        self.max_control_line
    }

    /// When the current op is waiting for its payload: the buffer length that completes it
    /// (useful to reserve capacity once). `None` when the length is not known yet.
    pub fn needed_len(&self) -> Option<usize> {
        match self.phase {
            Phase::Payload(p) => Some(p.start.saturating_add(p.size).saturating_add(2)),
            _ => None,
        }
    }

    /// Forget any partial op (the caller dropped its buffer).
    pub fn reset(&mut self) {
        self.base = 0;
        self.phase = Phase::Start;
    }

    /// Parse the next op at the start of `buf`. Ok(Some((op, consumed))): the op and how many bytes of `buf`
    /// it used (control line, payload and its CRLF). Ok(None): `buf` holds only an incomplete op; the caller
    /// keeps those bytes, appends more and calls again with the longer buffer. Err(e): protocol error; the
    /// connection is then handled per `e.action()`.
    pub fn parse<'a>(
        &mut self,
        buf: &'a [u8],
    ) -> Result<Option<(ClientOp<'a>, usize)>, ProtoError> {
        // A shorter buffer than last time breaks the contract; start over rather than index past its end.
        if self.base > buf.len() || self.phase.high_water() > buf.len() {
            self.reset();
        }
        let res = self.run(buf);
        if !matches!(res, Ok(None)) {
            self.reset();
        }
        res
    }

    fn run<'a>(&mut self, buf: &'a [u8]) -> Result<Option<(ClientOp<'a>, usize)>, ProtoError> {
        loop {
            let step = match self.phase {
                Phase::Start => self.start(buf, self.base)?,
                Phase::Blanks { op, from, pos } => self.blanks(buf, op, from, pos)?,
                Phase::Line { op, arg, pos } => self.line(buf, op, arg, pos)?,
                Phase::Bare { op, from, pos } => self.bare(buf, op, from, pos)?,
                Phase::Payload(p) => self.payload(buf, p)?,
            };
            match step {
                Step::Done(op, end) => return Ok(Some((op, end))),
                Step::Pending => return Ok(None),
                Step::Skipped(end) => {
                    let limit = self.skip_limit();
                    if end > limit {
                        return Err(ProtoError::MaxControlLine {
                            len: end,
                            max: limit,
                        });
                    }
                    self.base = end;
                    self.phase = Phase::Start;
                }
            }
        }
    }

    fn skip_limit(&self) -> usize {
        self.max_control_line.max(MIN_SKIP_LIMIT)
    }

    /// Match the op name at `base` (Go's OP_START .. OP_xxx states) and move on to its arguments.
    fn start<'a>(&mut self, buf: &'a [u8], base: usize) -> Result<Step<'a>, ProtoError> {
        let Some(&first) = buf.get(base) else {
            return Ok(Step::Pending);
        };
        let p = base + 1;
        // The op, the name letters still to match from `at`, and whether a blank must follow the name.
        enum Name {
            Line(LineOp, bool),
            Bare(BareOp),
        }
        let (name, at, rest): (Name, usize, &[u8]) = match first {
            // Two ops share each of these first letters: the second byte decides.
            b'P' | b'p' | b'H' | b'h' => {
                let Some(&second) = buf.get(p) else {
                    return Ok(Step::Pending);
                };
                match (first | 0x20, second | 0x20) {
                    (b'p', b'u') => (Name::Line(LineOp::Pub, true), p + 1, b"b"),
                    (b'p', b'i') => (Name::Bare(BareOp::Ping), p + 1, b"ng"),
                    (b'p', b'o') => (Name::Bare(BareOp::Pong), p + 1, b"ng"),
                    (b'h', b'p') => (Name::Line(LineOp::HPub, true), p + 1, b"ub"),
                    (b'h', b'm') => (Name::Line(LineOp::HMsg, true), p + 1, b"sg"),
                    _ => return Err(unknown(buf, p)),
                }
            }
            b'S' | b's' => (Name::Line(LineOp::Sub, true), p, b"ub"),
            b'U' | b'u' => (Name::Line(LineOp::Unsub, true), p, b"nsub"),
            b'C' | b'c' => (Name::Line(LineOp::Connect, false), p, b"onnect"),
            b'I' | b'i' => (Name::Line(LineOp::Info, false), p, b"nfo"),
            b'+' => (Name::Bare(BareOp::Ok), p, b"ok"),
            b'-' => (Name::Line(LineOp::Err, true), p, b"err"),
            _ => return Err(unknown(buf, base)),
        };
        let Some(end) = letters(buf, at, rest)? else {
            return Ok(Step::Pending);
        };
        match name {
            Name::Bare(op) => self.bare(buf, op, end, end),
            // CONNECT and INFO need no blank after the name (Go's OP_CONNECT/OP_INFO skip blanks directly).
            Name::Line(op, false) => self.blanks(buf, op, end, end),
            Name::Line(op, true) => match buf.get(end) {
                None => Ok(Step::Pending),
                Some(&b) if is_blank(b) => self.blanks(buf, op, end + 1, end + 1),
                Some(_) => Err(unknown(buf, end)),
            },
        }
    }

    /// Skip blanks before the argument; the first other byte (even `\r` or `\n`) starts it, as in Go.
    fn blanks<'a>(
        &mut self,
        buf: &'a [u8],
        op: LineOp,
        from: usize,
        pos: usize,
    ) -> Result<Step<'a>, ProtoError> {
        let rest = buf.get(pos..).unwrap_or(&[]);
        let arg = pos + rest.iter().take_while(|&&b| is_blank(b)).count();
        let limit = self.skip_limit();
        if arg - from > limit {
            return Err(ProtoError::MaxControlLine {
                len: arg - from,
                max: limit,
            });
        }
        if arg >= buf.len() {
            self.phase = Phase::Blanks { op, from, pos: arg };
            return Ok(Step::Pending);
        }
        self.line(buf, op, arg, arg + 1)
    }

    /// Find the end of the argument that starts at `arg`, check its length, then act on it.
    fn line<'a>(
        &mut self,
        buf: &'a [u8],
        op: LineOp,
        arg: usize,
        pos: usize,
    ) -> Result<Step<'a>, ProtoError> {
        let mcl = self.max_control_line;
        let from = pos.max(arg + 1).min(buf.len());
        let Some(k) = memchr(b'\n', &buf[from..]) else {
            // Unfinished: Go checks what it holds at the end of each read. The final argument is at least
            // this long (one byte less once a `\r` has been seen), so a longer one fails now.
            let scanned = buf.len() - arg;
            if scanned > mcl {
                let cr = usize::from(has_cr(buf, arg + 1, buf.len()));
                if scanned - cr > mcl {
                    return Err(ProtoError::MaxControlLine {
                        len: scanned - cr,
                        max: mcl,
                    });
                }
            }
            self.phase = Phase::Line {
                op,
                arg,
                pos: buf.len(),
            };
            return Ok(Step::Pending);
        };
        let nl = from + k;
        // Go's `drop`: set by any `\r` after the first argument byte; it cuts the byte before `\n`.
        let drop = if nl > arg + 1 && buf[nl - 1] == b'\r' {
            1
        } else {
            usize::from(has_cr(buf, arg + 1, nl))
        };
        let end = nl - drop;
        if end - arg > mcl {
            return Err(ProtoError::MaxControlLine {
                len: end - arg,
                max: mcl,
            });
        }
        self.dispatch(buf, op, arg, end, nl + 1)
    }

    /// The rest of a PING/PONG/+OK line: anything up to `\n` is ignored, as in Go.
    fn bare<'a>(
        &mut self,
        buf: &'a [u8],
        op: BareOp,
        from: usize,
        pos: usize,
    ) -> Result<Step<'a>, ProtoError> {
        let limit = self.skip_limit();
        let pos = pos.min(buf.len());
        // Nearly every PING/PONG/+OK line ends right after its name.
        let found = match buf.get(pos..pos + 2) {
            Some(b"\r\n") => Some(1),
            _ if buf.get(pos) == Some(&b'\n') => Some(0),
            _ => memchr(b'\n', &buf[pos..]),
        };
        match found {
            Some(k) => {
                let nl = pos + k;
                if nl - from > limit {
                    return Err(ProtoError::MaxControlLine {
                        len: nl - from,
                        max: limit,
                    });
                }
                let op = match op {
                    BareOp::Ping => ClientOp::Ping,
                    BareOp::Pong => ClientOp::Pong,
                    BareOp::Ok => ClientOp::Ok,
                };
                Ok(Step::Done(op, nl + 1))
            }
            None => {
                if buf.len() - from > limit {
                    return Err(ProtoError::MaxControlLine {
                        len: buf.len() - from,
                        max: limit,
                    });
                }
                self.phase = Phase::Bare {
                    op,
                    from,
                    pos: buf.len(),
                };
                Ok(Step::Pending)
            }
        }
    }
}

/// Match the lowercase letters `rest` at `pos`, either case. `Ok(None)`: the input ends first.
#[inline]
fn letters(buf: &[u8], pos: usize, rest: &[u8]) -> Result<Option<usize>, ProtoError> {
    for (k, &want) in rest.iter().enumerate() {
        match buf.get(pos + k) {
            None => return Ok(None),
            // `want` is a lowercase letter, so only its two cases pass.
            Some(&b) if b | 0x20 == want => {}
            Some(_) => return Err(unknown(buf, pos + k)),
        }
    }
    Ok(Some(pos + rest.len()))
}

#[inline]
fn has_cr(buf: &[u8], from: usize, to: usize) -> bool {
    from < to && memchr(b'\r', &buf[from..to]).is_some()
}

#[cold]
fn unknown(buf: &[u8], at: usize) -> ProtoError {
    ProtoError::UnknownOp {
        snippet: proto_snippet(at, PROTO_SNIPPET_SIZE, buf),
    }
}
