//! Direct get: `$JS.API.DIRECT.GET.<stream>` (a JSON request) and
//! `$JS.API.DIRECT.GET.<stream>.<subject>` (the last message on a subject), answered with the raw
//! message and `Nats-Stream`, `Nats-Subject`, `Nats-Sequence`, `Nats-Time-Stamp` headers, or a
//! status (Go's `processDirectGetRequest`, `processDirectGetLastBySubjectRequest`,
//! `getDirectRequest` in stream.go).

use std::sync::{Arc, Weak};

use super::Stream;
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::client::SubRef;
use crate::jetstream::api::responses::MsgGetRequest;
use crate::jetstream::api::GoTime;
use crate::jetstream::store::StoreMsg;

/// Subscribe the direct get subjects of `stream`.
pub fn subscribe(stream: &Arc<Stream>) -> Vec<SubRef> {
    let mut subs = Vec::new();
    let by_req = format!("$JS.API.DIRECT.GET.{}", stream.name);
    let by_subj = format!("$JS.API.DIRECT.GET.{}.>", stream.name);
    for (subject, last_by_subject) in [(by_req, false), (by_subj, true)] {
        let h = Arc::new(DirectGet {
            stream: Arc::downgrade(stream),
            last_by_subject,
        });
        if let Some(s) = stream.account.subscribe_internal(subject.as_bytes(), h) {
            subs.push(s);
        }
    }
    subs
}

struct DirectGet {
    stream: Weak<Stream>,
    last_by_subject: bool,
}

fn status(code: &str) -> Vec<u8> {
    format!("NATS/1.0 {code}\r\n\r\n").into_bytes()
}

/// Go's `genHeader`: `key: value` added before the block's final blank line.
fn gen_header(hdr: &mut Vec<u8>, key: &str, value: &str) {
    if hdr.ends_with(b"\r\n\r\n") {
        hdr.truncate(hdr.len() - 2);
    }
    hdr.extend_from_slice(key.as_bytes());
    hdr.extend_from_slice(b": ");
    hdr.extend_from_slice(value.as_bytes());
    hdr.extend_from_slice(b"\r\n\r\n");
}

/// The headers of a direct get answer.
fn answer_headers(stream: &str, m: &StoreMsg, pending: Option<(u64, u64)>) -> Vec<u8> {
    let ts = GoTime::from_unix_nanos(m.ts).to_string();
    let mut hdr = if m.hdr.is_empty() {
        b"NATS/1.0\r\n\r\n".to_vec()
    } else {
        m.hdr.to_vec()
    };
    gen_header(&mut hdr, "Nats-Stream", stream);
    gen_header(&mut hdr, "Nats-Subject", &m.subject);
    gen_header(&mut hdr, "Nats-Sequence", &m.seq.to_string());
    gen_header(&mut hdr, "Nats-Time-Stamp", &ts);
    if let Some((np, lseq)) = pending {
        gen_header(&mut hdr, "Nats-Num-Pending", &np.to_string());
        gen_header(&mut hdr, "Nats-Last-Sequence", &lseq.to_string());
    }
    hdr
}

impl DirectGet {
    /// The answers to one request: (headers, payload) pairs.
    fn answers(&self, stream: &Stream, subject: &[u8], body: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut req = MsgGetRequest::default();
        if self.last_by_subject {
            if !body.is_empty() {
                match super::api::decode_direct(body) {
                    Some(r) => req = r,
                    None => return vec![(status("408 Malformed Request"), Vec::new())],
                }
            }
            // The subject after the fifth token is the key.
            let s = String::from_utf8_lossy(subject);
            let key = s.splitn(6, '.').nth(5).unwrap_or("").to_string();
            if key.is_empty()
                || !req.last_for.is_empty()
                || !req.next_for.is_empty()
                || !req.multi_last_for.is_empty()
                || req.seq != 0
                || req.batch != 0
                || req.start_time.is_some()
                || req.up_to_seq != 0
                || req.up_to_time.is_some()
            {
                return vec![(status("408 Bad Request"), Vec::new())];
            }
            req.last_for = key;
        } else {
            if body.is_empty() {
                return vec![(status("408 Empty Request"), Vec::new())];
            }
            match super::api::decode_direct(body) {
                Some(r) => req = r,
                None => return vec![(status("408 Malformed Request"), Vec::new())],
            }
            if req.seq == 0
                && req.last_for.is_empty()
                && req.next_for.is_empty()
                && req.multi_last_for.is_empty()
                && req.start_time.is_none()
            {
                return vec![(status("408 Empty Request"), Vec::new())];
            }
            let conflict = (req.seq > 0 && (!req.last_for.is_empty() || req.start_time.is_some()))
                || (req.start_time.is_some() && !req.last_for.is_empty())
                || (!req.last_for.is_empty() && !req.next_for.is_empty())
                || (!req.last_for.is_empty() && req.batch > 0)
                || (!req.last_for.is_empty() && !req.multi_last_for.is_empty())
                || (!req.next_for.is_empty() && !req.multi_last_for.is_empty())
                || (req.up_to_seq > 0 && req.up_to_time.is_some());
            if conflict {
                return vec![(status("408 Bad Request"), Vec::new())];
            }
        }
        get(stream, &req)
    }
}

/// Go's `getDirectRequest` (without multi_last, which answers 408 here until it is built).
fn get(stream: &Stream, req: &MsgGetRequest) -> Vec<(Vec<u8>, Vec<u8>)> {
    if !req.multi_last_for.is_empty() {
        return vec![(status("408 Bad Request"), Vec::new())];
    }
    let store = stream.store();
    let mut seq = match &req.start_time {
        Some(t) => store.get_seq_from_time(t.unix_nanos() as i64),
        None => req.seq,
    };
    let wc = crate::sublist::subject_has_wildcard(req.next_for.as_bytes());
    let is_batch = req.batch > 0;
    let batch = req.batch.max(1);
    let mut np = 0;
    if is_batch {
        match store.num_pending(seq, &req.next_for, false) {
            Ok((n, _)) => np = n,
            Err(_) => return Vec::new(),
        }
    }
    let max_bytes = if req.max_bytes > 0 {
        req.max_bytes as usize
    } else {
        64 * 1024 * 1024
    };
    let mut out = Vec::new();
    let mut sent = 0usize;
    let mut lseq = 0;
    for i in 0..batch {
        let r = if seq > 0 && req.next_for.is_empty() {
            if i == 0 && !is_batch {
                store.load_msg(seq)
            } else {
                store.load_next_msg(">", true, seq)
            }
        } else if !req.next_for.is_empty() {
            store.load_next_msg(&req.next_for, wc, seq)
        } else {
            store.load_last_msg(&req.last_for)
        };
        let m = match r {
            Ok(m) => m,
            Err(_) => {
                if batch > 1 && i > 0 {
                    break;
                }
                return vec![(status("404 Message Not Found"), Vec::new())];
            }
        };
        if req.up_to_seq > 0 && m.seq > req.up_to_seq {
            break;
        }
        seq = m.seq + 1;
        let pending = if is_batch {
            np = np.saturating_sub(1);
            Some((np, lseq))
        } else {
            None
        };
        let hdr = if req.no_headers {
            Vec::new()
        } else {
            answer_headers(&stream.name, &m, pending)
        };
        lseq = m.seq;
        sent += m.subject.len() + m.hdr.len() + m.msg.len();
        out.push((hdr, m.msg.to_vec()));
        if sent >= max_bytes
            || (!req.last_for.is_empty() && req.next_for.is_empty() && req.seq == 0)
        {
            break;
        }
    }
    if is_batch {
        let np = store
            .num_pending(seq, &req.next_for, false)
            .map(|(n, _)| n)
            .unwrap_or(np);
        out.push((
            format!(
                "NATS/1.0 204 EOB\r\nNats-Num-Pending: {np}\r\nNats-Last-Sequence: {lseq}\r\n\r\n"
            )
            .into_bytes(),
            Vec::new(),
        ));
    }
    out
}

impl MsgHandler for DirectGet {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(stream) = self.stream.upgrade() else {
            return false;
        };
        let Some(reply) = m.reply else {
            return true;
        };
        let hl = m.header_len.min(m.msg.len());
        for (hdr, payload) in self.answers(&stream, m.subject, &m.msg[hl..]) {
            stream
                .account
                .deliver_internal(fan, ctx.server, reply, None, &hdr, &payload);
        }
        true
    }
}
