//! Tests of the client parser: tables of inputs and outcomes, split reads, ports of Go's parser tests,
//! and property tests. Shared here: an owned copy of an op, and a driver that feeds a parser the way a
//! connection does (append, parse until it needs more, drop what was consumed).

mod go_ports;
mod prop;
mod split;
mod table;

use super::ClientParser;
use crate::protocol::errors::ProtoError;
use crate::protocol::ops::ClientOp;

/// An op copied out of the read buffer, so ops from different feeds can be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Op {
    Connect(Vec<u8>),
    Pub {
        subject: Vec<u8>,
        reply: Option<Vec<u8>>,
        payload: Vec<u8>,
    },
    HPub {
        subject: Vec<u8>,
        reply: Option<Vec<u8>>,
        header_len: usize,
        msg: Vec<u8>,
    },
    Sub {
        subject: Vec<u8>,
        queue: Option<Vec<u8>>,
        sid: Vec<u8>,
    },
    Unsub {
        sid: Vec<u8>,
        max: Option<u64>,
    },
    Ping,
    Pong,
    Info(Vec<u8>),
    Ok,
    Err(Vec<u8>),
}

impl From<&ClientOp<'_>> for Op {
    fn from(op: &ClientOp<'_>) -> Op {
        match op {
            ClientOp::Connect(a) => Op::Connect(a.to_vec()),
            ClientOp::Pub {
                subject,
                reply,
                payload,
            } => Op::Pub {
                subject: subject.to_vec(),
                reply: reply.map(<[u8]>::to_vec),
                payload: payload.to_vec(),
            },
            ClientOp::HPub {
                subject,
                reply,
                header_len,
                msg,
            } => Op::HPub {
                subject: subject.to_vec(),
                reply: reply.map(<[u8]>::to_vec),
                header_len: *header_len,
                msg: msg.to_vec(),
            },
            ClientOp::Sub {
                subject,
                queue,
                sid,
            } => Op::Sub {
                subject: subject.to_vec(),
                queue: queue.map(<[u8]>::to_vec),
                sid: sid.to_vec(),
            },
            ClientOp::Unsub { sid, max } => Op::Unsub {
                sid: sid.to_vec(),
                max: *max,
            },
            ClientOp::Ping => Op::Ping,
            ClientOp::Pong => Op::Pong,
            ClientOp::Info(a) => Op::Info(a.to_vec()),
            ClientOp::Ok => Op::Ok,
            ClientOp::Err(a) => Op::Err(a.to_vec()),
        }
    }
}

pub(super) fn pub_op(subject: &str, reply: Option<&str>, payload: &[u8]) -> Op {
    Op::Pub {
        subject: subject.into(),
        reply: reply.map(Into::into),
        payload: payload.to_vec(),
    }
}

pub(super) fn hpub_op(subject: &str, reply: Option<&str>, header_len: usize, msg: &[u8]) -> Op {
    Op::HPub {
        subject: subject.into(),
        reply: reply.map(Into::into),
        header_len,
        msg: msg.to_vec(),
    }
}

pub(super) fn sub_op(subject: &str, queue: Option<&str>, sid: &str) -> Op {
    Op::Sub {
        subject: subject.into(),
        queue: queue.map(Into::into),
        sid: sid.into(),
    }
}

pub(super) fn unsub_op(sid: &str, max: Option<u64>) -> Op {
    Op::Unsub {
        sid: sid.into(),
        max,
    }
}

/// How a feed ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum End {
    /// Every byte was consumed by ops.
    Clean,
    /// This many bytes are held waiting for the rest of an op.
    Held(usize),
    /// A protocol error.
    Error(ProtoError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outcome {
    pub ops: Vec<Op>,
    pub end: End,
}

impl Outcome {
    /// The outcome with errors reduced to what must not depend on how the input was split: the error kind,
    /// and the full error for those found on a complete line (sizes and argument texts).
    pub fn split_invariant(&self) -> (Vec<Op>, String) {
        let end = match &self.end {
            End::Clean => "clean".to_string(),
            End::Held(_) => "held".to_string(),
            End::Error(ProtoError::UnknownOp { .. }) => "unknown op".to_string(),
            End::Error(ProtoError::MaxControlLine { .. }) => "max control line".to_string(),
            End::Error(e) => format!("{e:?}"),
        };
        (self.ops.clone(), end)
    }
}

/// A parser with Go's defaults (4096, 1 MiB) and headers on.
pub(super) fn parser() -> ClientParser {
    let mut p = ClientParser::new(4096, 1024 * 1024);
    p.set_headers(true);
    p
}

/// Feed `chunks` as a connection does. Checks on the way that each op consumes at least one byte and no
/// more than the buffer holds.
pub(super) fn feed<'c>(
    p: &mut ClientParser,
    chunks: impl IntoIterator<Item = &'c [u8]>,
) -> Outcome {
    let mut buf: Vec<u8> = Vec::new();
    let mut ops = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match p.parse(&buf) {
                Ok(Some((op, used))) => {
                    assert!(
                        used > 0 && used <= buf.len(),
                        "consumed {used} of {} bytes",
                        buf.len()
                    );
                    ops.push(Op::from(&op));
                    buf.drain(..used);
                }
                Ok(None) => break,
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

/// Feed the whole input at once.
pub(super) fn feed_all(p: &mut ClientParser, input: &[u8]) -> Outcome {
    feed(p, [input])
}

/// Feed the input one byte at a time.
pub(super) fn feed_bytes(p: &mut ClientParser, input: &[u8]) -> Outcome {
    feed(p, input.chunks(1))
}
