//! What a complete control line leads to: the argument rules of Go's `processPub`, `processHeaderPub`,
//! `parseSub` and `processUnsub` (counts, sizes, header size, max payload, in Go's order), then the wait
//! for a payload and the `\r\n` that must follow it (Go's MSG_PAYLOAD, MSG_END_R and MSG_END_N states).
//! A failed argument check is `BadArgs` with the text Go logs; Go closes those connections without `-ERR`.

use super::args::{fields, is_blank, is_split_sep, parse_size, Span};
use super::{unknown, ClientParser, LineOp, PayloadKind, PendingPayload, Phase, Step};
use crate::gofmt::go_quote;
use crate::protocol::errors::ProtoError;
use crate::protocol::ops::ClientOp;

impl ClientParser {
    /// Act on a complete control line: the argument is `buf[arg..end]`, the next byte is at `next`.
    pub(super) fn dispatch<'a>(
        &mut self,
        buf: &'a [u8],
        op: LineOp,
        arg: usize,
        end: usize,
        next: usize,
    ) -> Result<Step<'a>, ProtoError> {
        let raw = &buf[arg..end];
        match op {
            LineOp::Connect => Ok(Step::Done(ClientOp::Connect(raw), next)),
            LineOp::Info => Ok(Step::Done(ClientOp::Info(raw), next)),
            LineOp::Err => Ok(Step::Done(ClientOp::Err(raw), next)),
            LineOp::Sub => {
                let f = fields::<3>(buf, arg, end, is_split_sep);
                let (subject, queue, sid) = match f.count {
                    2 => (f.get(0, buf), None, f.get(1, buf)),
                    3 => (f.get(0, buf), Some(f.get(1, buf)), f.get(2, buf)),
                    _ => return Err(bad_args("processSub Parse Error", raw)),
                };
                Ok(Step::Done(
                    ClientOp::Sub {
                        subject,
                        queue,
                        sid,
                    },
                    next,
                ))
            }
            LineOp::Unsub => {
                let f = fields::<2>(buf, arg, end, is_split_sep);
                // A bad max is no error in Go: it becomes -1, which like 0 means "remove now". Here it
                // comes out as None, the same as no max.
                let max = match f.count {
                    1 => None,
                    2 => parse_size(f.get(1, buf)).map(|n| n as u64),
                    _ => return Err(bad_args("processUnsub Parse Error", raw)),
                };
                Ok(Step::Done(
                    ClientOp::Unsub {
                        sid: f.get(0, buf),
                        max,
                    },
                    next,
                ))
            }
            LineOp::Pub => {
                let f = fields::<3>(buf, arg, end, is_blank);
                let (subject, reply, size) = match f.count {
                    2 => (f.spans[0], None, f.get(1, buf)),
                    3 => (f.spans[0], Some(f.spans[1]), f.get(2, buf)),
                    _ => return Err(bad_args("processPub Parse Error", raw)),
                };
                let Some(size) = parse_size(size) else {
                    return Err(bad_args("processPub Bad or Missing Size", raw));
                };
                self.check_max_payload(size)?;
                self.payload(
                    buf,
                    PendingPayload {
                        kind: PayloadKind::Pub,
                        subject,
                        reply,
                        header_len: 0,
                        size,
                        start: next,
                    },
                )
            }
            LineOp::HPub => {
                if !self.headers {
                    return Err(ProtoError::HeadersNotSupported);
                }
                let f = fields::<4>(buf, arg, end, is_blank);
                let (subject, reply, hdr, size) = match f.count {
                    3 => (f.spans[0], None, f.get(1, buf), f.get(2, buf)),
                    4 => (f.spans[0], Some(f.spans[1]), f.get(2, buf), f.get(3, buf)),
                    _ => return Err(bad_args("processHeaderPub Parse Error", raw)),
                };
                let Some(header_len) = parse_size(hdr) else {
                    return Err(bad_args("processHeaderPub Bad or Missing Header Size", raw));
                };
                let Some(size) = parse_size(size) else {
                    return Err(bad_args("processHeaderPub Bad or Missing Total Size", raw));
                };
                if header_len > size {
                    return Err(bad_args(
                        "processHeaderPub Header Size larger then TotalSize",
                        raw,
                    ));
                }
                self.check_max_payload(size)?;
                self.payload(
                    buf,
                    PendingPayload {
                        kind: PayloadKind::HPub,
                        subject,
                        reply,
                        header_len,
                        size,
                        start: next,
                    },
                )
            }
            // Go reads no arguments for a client's HMSG and expects an empty payload.
            LineOp::HMsg => self.payload(
                buf,
                PendingPayload {
                    kind: PayloadKind::HMsg,
                    subject: Span {
                        start: next,
                        end: next,
                    },
                    reply: None,
                    header_len: 0,
                    size: 0,
                    start: next,
                },
            ),
        }
    }

    fn check_max_payload(&self, size: usize) -> Result<(), ProtoError> {
        if self.max_payload > 0 && size as i64 > self.max_payload {
            return Err(ProtoError::MaxPayload {
                size,
                max: self.max_payload,
            });
        }
        Ok(())
    }

    /// Wait for `size` payload bytes, then exactly `\r\n` (Go's MSG_PAYLOAD, MSG_END_R, MSG_END_N).
    pub(super) fn payload<'a>(
        &mut self,
        buf: &'a [u8],
        p: PendingPayload,
    ) -> Result<Step<'a>, ProtoError> {
        let end = p.start.saturating_add(p.size);
        match buf.get(end) {
            None => {}
            Some(&b'\r') => match buf.get(end + 1) {
                None => {}
                Some(&b'\n') => {
                    let payload = &buf[p.start..end];
                    let subject = p.subject.of(buf);
                    let reply = p.reply.map(|r| r.of(buf));
                    let op = match p.kind {
                        PayloadKind::Pub => ClientOp::Pub {
                            subject,
                            reply,
                            payload,
                        },
                        PayloadKind::HPub => ClientOp::HPub {
                            subject,
                            reply,
                            header_len: p.header_len,
                            msg: payload,
                        },
                        PayloadKind::HMsg => return Ok(Step::Skipped(end + 2)),
                    };
                    return Ok(Step::Done(op, end + 2));
                }
                Some(_) => return Err(unknown(buf, end + 1)),
            },
            Some(_) => return Err(unknown(buf, end)),
        }
        self.phase = Phase::Payload(p);
        Ok(Step::Pending)
    }
}

#[cold]
fn bad_args(what: &str, arg: &[u8]) -> ProtoError {
    ProtoError::BadArgs {
        reason: format!("{what}: {}", go_quote(arg)),
    }
}
