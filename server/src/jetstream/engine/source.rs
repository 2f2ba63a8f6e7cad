//! Mirrors and sources (Go's `setupMirrorConsumer`, `setupSourceConsumer`,
//! `processInboundMirrorMsg`, `processInboundSourceMsg`, `genSourceHeader`). Every origin, in
//! this account or reached through another account's or domain's API (`external`), is followed
//! through a consumer on it, as Go does (see `follower.rs`): the origin's retention sees the
//! sourcing consumer, so a work queue or interest origin hands its messages over and lets them
//! go, and the account's consumer counts and advisories are Go's.

use std::sync::{Arc, Mutex};

use super::Stream;
use crate::jetstream::api::stream_config::StreamSource;
use crate::jetstream::api::stream_info::StreamSourceInfo;

/// Progress of one mirror or source.
pub struct Origin {
    pub cfg: StreamSource,
    pub mirror: bool,
    /// The follower of the origin, once started.
    ext: Option<Arc<super::follower::ExtState>>,
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

impl Origin {
    fn new(cfg: &StreamSource, mirror: bool) -> Origin {
        Origin {
            cfg: cfg.clone(),
            mirror,
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
        let Some(p) = self.ext.as_ref().and_then(|e| e.progress.lock().ok()) else {
            return i;
        };
        i.lag = p.lag;
        i.active = p
            .active
            .map(|t| t.elapsed().as_nanos() as i64)
            .unwrap_or(-1);
        i.error = p.err.clone();
        if self.mirror {
            if p.ready {
                i.filter_subject = self.cfg.filter_subject.clone();
            }
        } else {
            i.seq = p.sseq;
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

/// Start following the origins of `stream` that are not followed yet.
pub fn start(stream: &Arc<Stream>, origins: &Mutex<Vec<Origin>>) {
    if let Ok(mut list) = origins.lock() {
        for o in list.iter_mut().filter(|o| o.ext.is_none()) {
            o.ext = Some(super::follower::start(stream, o.cfg.clone(), o.mirror));
        }
    }
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

/// The stream no longer follows these origins (deleted, or the sources changed): stop each
/// follower and ask the origin to drop its sourcing consumer.
pub fn forget(stream: &Stream, gone: Vec<Origin>) {
    for o in gone {
        super::follower::delete_sourcing_consumer(stream, &o.cfg, o.mirror);
    }
}
