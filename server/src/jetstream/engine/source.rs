//! Mirrors and sources of streams in the same account on this server (Go's `setupMirrorConsumer`,
//! `setupSourceConsumer`, `processInboundMirrorMsg`, `processInboundSourceMsg`,
//! `genSourceHeader`). One task per stream reads each origin's store from where it left off: a
//! mirror stores the origin's messages under their own sequences, a source appends them with a
//! `Nats-Stream-Source` header saying where each came from. Streams reached through another
//! account's or domain's API (`external`) are followed through a consumer, as Go does
//! (see `external.rs`).

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::{JetStream, Stream};
use crate::jetstream::api::stream_config::StreamSource;
use crate::jetstream::api::stream_info::StreamSourceInfo;
use crate::jetstream::store::StoreError;

/// How often a stream looks for new messages in its origins.
const POLL: Duration = Duration::from_millis(20);
/// Messages taken from one origin per round, so one busy origin cannot starve the others.
const BATCH: usize = 4096;

/// Progress of one mirror or source.
pub struct Origin {
    pub cfg: StreamSource,
    pub mirror: bool,
    /// The origin's next sequence to read (0: not started).
    next: u64,
    /// The highest origin sequence taken (shown as a source's `seq`).
    taken: u64,
    lag: u64,
    active: Option<Instant>,
    transforms: Vec<crate::transform::SubjectTransform>,
    /// The follower of an external origin.
    ext: Option<Arc<super::external::ExtState>>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(e) = &self.ext {
            e.cancel();
        }
    }
}

/// The subject transforms of a mirror or source.
pub(super) fn transforms_of(cfg: &StreamSource) -> Vec<crate::transform::SubjectTransform> {
    cfg.subject_transforms
        .iter()
        .filter_map(|t| {
            crate::transform::SubjectTransform::new(&t.source, &t.destination)
                .ok()
                .flatten()
        })
        .collect()
}

/// The origin subjects taken: the filter subject, else the transforms' sources (Go's consumer
/// `filter_subject` / `filter_subjects`); none means all.
fn filters_of(cfg: &StreamSource) -> Vec<String> {
    if !cfg.filter_subject.is_empty() {
        return vec![cfg.filter_subject.clone()];
    }
    cfg.subject_transforms
        .iter()
        .map(|t| {
            if t.source.is_empty() {
                ">".to_string()
            } else {
                t.source.clone()
            }
        })
        .collect()
}

impl Origin {
    fn new(cfg: &StreamSource, mirror: bool) -> Origin {
        let transforms = transforms_of(cfg);
        Origin {
            cfg: cfg.clone(),
            mirror,
            next: 0,
            taken: 0,
            lag: 0,
            active: None,
            transforms,
            ext: None,
        }
    }

    /// Go's `sourceInfo` / `mirrorInfo`.
    pub fn info(&self) -> StreamSourceInfo {
        let mut i = if self.mirror {
            StreamSourceInfo::initial_mirror(&self.cfg)
        } else {
            StreamSourceInfo::initial_source(&self.cfg)
        };
        let active = |a: Option<Instant>| a.map(|t| t.elapsed().as_nanos() as i64).unwrap_or(-1);
        let (ready, sseq) = match self.ext.as_ref().and_then(|e| e.progress.lock().ok()) {
            Some(p) => {
                i.lag = p.lag;
                i.active = active(p.active);
                i.error = p.err.clone();
                (p.ready, p.sseq)
            }
            None => {
                i.lag = self.lag;
                i.active = active(self.active);
                (self.next > 0, self.taken)
            }
        };
        if self.mirror {
            if ready {
                i.filter_subject = self.cfg.filter_subject.clone();
            }
        } else {
            i.seq = sseq;
        }
        i
    }
}

/// The origins of a stream, by its config.
pub fn origins(stream: &Stream) -> Vec<Origin> {
    let cfg = stream.config();
    let mut v = Vec::new();
    if let Some(m) = &cfg.mirror {
        v.push(Origin::new(m, true));
    }
    for s in &cfg.sources {
        v.push(Origin::new(s, false));
    }
    v
}

/// Start following the origins of `stream`, if it has any.
pub fn start(stream: &Arc<Stream>, js: &Arc<JetStream>, origins: Arc<Mutex<Vec<Origin>>>) {
    if let Ok(mut list) = origins.lock() {
        for o in list.iter_mut() {
            if o.cfg.external.is_some() && o.ext.is_none() {
                o.ext = Some(super::external::start(stream, o.cfg.clone(), o.mirror));
            }
        }
        if list.iter().all(|o| o.cfg.external.is_some()) {
            return;
        }
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if stream
        .sourcing
        .swap(true, std::sync::atomic::Ordering::AcqRel)
    {
        return;
    }
    let weak: Weak<Stream> = Arc::downgrade(stream);
    let jsw = Arc::downgrade(js);
    rt.spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let (Some(s), Some(js)) = (weak.upgrade(), jsw.upgrade()) else {
                return;
            };
            if s.is_stopped() {
                return;
            }
            let Some(jsa) = js.account(&s.account.name) else {
                continue;
            };
            let Ok(mut list) = origins.lock() else {
                return;
            };
            let mut moved = false;
            for o in list.iter_mut() {
                if o.cfg.external.is_some() {
                    continue;
                }
                let Some(origin) = jsa.stream(&o.cfg.name) else {
                    continue;
                };
                moved |= follow(&s, &origin, o);
            }
            drop(list);
            if moved {
                s.after_sourcing();
            }
        }
    });
}

/// Where a source starts: its configured sequence or time, else the origin's first message; a
/// mirror continues after its own last sequence.
fn start_seq(s: &Stream, origin: &Stream, o: &Origin) -> u64 {
    if o.mirror {
        let last = s.store().fast_state().last_seq;
        if last > 0 {
            return last + 1;
        }
    } else if let Some(seq) = last_sourced(s, &o.cfg) {
        return seq + 1;
    }
    if o.cfg.opt_start_seq > 0 {
        return o.cfg.opt_start_seq;
    }
    if let Some(t) = &o.cfg.opt_start_time {
        return origin.store().get_seq_from_time(t.unix_nanos() as i64);
    }
    origin.store().fast_state().first_seq.max(1)
}

/// The origin sequence of the newest message this stream took from source `o` (from the
/// `Nats-Stream-Source` headers, newest first).
pub(super) fn last_sourced(s: &Stream, cfg: &StreamSource) -> Option<u64> {
    let iname = cfg.index_name();
    let mut parts = iname.split(' ');
    let name = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let store = s.store();
    let mut seq = store.fast_state().last_seq;
    let mut looked = 0;
    while seq > 0 && looked < 100_000 {
        let m = store.load_prev_msg("", false, seq).ok()?;
        looked += 1;
        seq = m.seq.saturating_sub(1);
        let Some(h) =
            crate::jetstream::store::header::slice_header(super::stream::STREAM_SOURCE, &m.hdr)
        else {
            continue;
        };
        let h = String::from_utf8_lossy(h);
        let f: Vec<&str> = h.split(' ').collect();
        if f.len() >= 4 && f[0] == name && f[2..4] == rest[..] {
            return f[1].parse().ok();
        }
    }
    None
}

/// Copy what is new in `origin` for `o`. True when something was stored.
fn follow(s: &Stream, origin: &Stream, o: &mut Origin) -> bool {
    if o.next == 0 {
        o.next = start_seq(s, origin, o);
        o.active = Some(Instant::now());
        if !o.mirror {
            o.taken = last_sourced(s, &o.cfg).unwrap_or(0);
        }
    }
    let ostore = origin.store();
    let filters = filters_of(&o.cfg);
    let wc = filters
        .first()
        .is_some_and(|f| crate::sublist::subject_has_wildcard(f.as_bytes()));
    let mut moved = false;
    for _ in 0..BATCH {
        let next = match filters.as_slice() {
            [] => ostore.load_next_msg("", false, o.next),
            [f] => ostore.load_next_msg(f, wc, o.next),
            many => ostore.load_next_msg_multi(many, o.next),
        };
        let m = match next {
            Ok(m) => m,
            Err(StoreError::Eof) | Err(_) => break,
        };
        o.next = m.seq + 1;
        o.taken = m.seq;
        o.active = Some(Instant::now());
        let mut subject = m.subject.to_string();
        for tr in &o.transforms {
            if let Ok(t) = tr.matches(&subject) {
                subject = t;
                break;
            }
        }
        if o.mirror {
            if !s.store_mirrored(&subject, &m.hdr, &m.msg, m.seq, m.ts) {
                break;
            }
        } else {
            let iname = o.cfg.index_name();
            let mut parts = iname.splitn(3, ' ');
            let (name, fsrc, fdst) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(">"),
                parts.next().unwrap_or(">"),
            );
            // Go's genSourceHeader ends with the origin's identity: a hash of its creation time.
            let ident = origin.identity();
            let value = format!("{name} {} {fsrc} {fdst} {} {ident}", m.seq, m.subject);
            s.store_sourced(&subject, &m.hdr, &m.msg, &value);
        }
        moved = true;
    }
    let last = ostore.fast_state().last_seq;
    o.lag = last.saturating_sub(o.next.saturating_sub(1));
    moved
}
