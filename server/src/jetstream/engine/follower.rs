//! The follower of a mirror's or source's origin, as Go's `setupMirrorConsumer` /
//! `trySetupSourceConsumer`: the stream's account sends a consumer create request on
//! `$JS.API.CONSUMER.CREATE...` (for an `external` origin on `<api>.CONSUMER.CREATE...`, which
//! service imports carry to the other account's `$JS.API`), or resets the user's durable
//! (durable sourcing); the push consumer delivers on `$JS.M.<id>` / `$JS.S.<id>` (or
//! `<deliver>.M.<id>` through a stream import, or the durable's own subject), flow control is
//! answered on its `$JS.FC...` reply and idle heartbeats tell a stalled or gapped consumer, which
//! is then set up again from the last sequence taken (`processInboundMirrorMsg`,
//! `processInboundSourceMsg`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use super::Stream;
use crate::accounts::imports::MsgHandler;
use crate::accounts::imports::PubCtx;
use crate::client::delivery::{Fanout, Message};
use crate::client::SubRef;
use crate::jetstream::api::stream_config::StreamSource;
use crate::jetstream::api::{ApiError, ErrorId};
use crate::jetstream::store::header::slice_header;

/// Go's `sourceHealthHB` and `sourceHealthCheckInterval`.
const HEARTBEAT: Duration = Duration::from_secs(1);
const HEALTH_CHECK: Duration = Duration::from_secs(10);
/// Go's `srcConsumerWaitTime`.
const CREATE_WAIT: Duration = Duration::from_secs(30);
/// Go's `sourceConsumerRetryThreshold`, `retryBackOff` and `retryMaximum`.
const RETRY_THRESHOLD: Duration = Duration::from_secs(2);
const RETRY_BACKOFF: Duration = Duration::from_secs(5);
const RETRY_MAXIMUM: Duration = Duration::from_secs(120);

/// What the stream info shows of an external origin.
#[derive(Default)]
pub struct Progress {
    pub lag: u64,
    pub active: Option<Instant>,
    pub err: Option<ApiError>,
    /// The highest origin sequence taken (Go's `si.sseq`, shown as a source's `seq`).
    pub sseq: u64,
    /// Whether a consumer on the origin was set up once (a mirror's info then shows its filter).
    pub ready: bool,
}

/// One external origin being followed; dropping the origin cancels it.
pub struct ExtState {
    pub progress: Mutex<Progress>,
    cancelled: AtomicBool,
    wake: Notify,
}

impl ExtState {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    fn set(&self, f: impl FnOnce(&mut Progress)) {
        if let Ok(mut p) = self.progress.lock() {
            f(&mut p);
        }
    }
}

/// A message that arrived on the deliver or reply subject.
struct Inbound {
    reply: Option<String>,
    subject: String,
    hdr: Vec<u8>,
    msg: Vec<u8>,
}

/// The internal subscription handing messages to the follower task.
struct Inbox(mpsc::UnboundedSender<Inbound>);

impl MsgHandler for Inbox {
    fn handle(&self, _fan: &mut Fanout<'_>, _ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let hl = m.header_len.min(m.msg.len());
        self.0
            .send(Inbound {
                reply: m.reply.map(|r| String::from_utf8_lossy(r).into_owned()),
                subject: String::from_utf8_lossy(m.subject).into_owned(),
                hdr: m.msg[..hl].to_vec(),
                msg: m.msg[hl..].to_vec(),
            })
            .is_ok()
    }
}

/// Start following `cfg` (a mirror or a source of `stream` with `external` set).
pub fn start(stream: &Arc<Stream>, cfg: StreamSource, mirror: bool) -> Arc<ExtState> {
    let state = Arc::new(ExtState {
        progress: Mutex::new(Progress::default()),
        cancelled: AtomicBool::new(false),
        wake: Notify::new(),
    });
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let mut f = Follower {
            stream: Arc::downgrade(stream),
            cfg,
            mirror,
            state: state.clone(),
            dseq: 0,
            sseq: 0,
            cname: String::new(),
            ident: String::new(),
            fails: 0,
            last_request: None,
            legacy: false,
            transforms: Vec::new(),
        };
        f.transforms = super::source::transforms_of(&f.cfg);
        rt.spawn(f.run());
    }
    state
}

/// Why a consumer's messages stopped being taken.
enum End {
    /// Create the consumer again (from the last sequence taken).
    Retry,
    /// The origin was removed or the stream stopped.
    Stop,
}

struct Follower {
    stream: Weak<Stream>,
    cfg: StreamSource,
    mirror: bool,
    state: Arc<ExtState>,
    /// Last delivery and origin sequences taken from the current consumer.
    dseq: u64,
    sseq: u64,
    cname: String,
    /// The origin stream's identity, as its create answer named it.
    ident: String,
    fails: u32,
    last_request: Option<Instant>,
    /// The origin does not know sourcing consumers: ask as older servers are asked.
    legacy: bool,
    transforms: Vec<crate::transform::SubjectTransform>,
}

/// A unique subject token (Go's `syncSubject` suffix).
fn token() -> String {
    super::node_hash(&format!(
        "{}{}",
        rand::random::<u64>(),
        rand::random::<u64>()
    ))
}

/// Go's `ackReplyInfo`: (origin sequence, delivery sequence, delivery count, timestamp, pending)
/// and the consumer name of a `$JS.ACK` reply.
fn ack_reply_info(reply: &str) -> Option<(u64, u64, u64, i64, u64, &str)> {
    let t: Vec<&str> = reply.split('.').collect();
    if t.len() < 9 || t[0] != "$JS" || t[1] != "ACK" || (t.len() != 9 && t.len() < 11) {
        return None;
    }
    let o = if t.len() == 9 { 2 } else { 4 };
    Some((
        t[o + 3].parse().ok()?,
        t[o + 4].parse().ok()?,
        t[o + 2].parse().ok()?,
        t[o + 5].parse().ok()?,
        t[o + 6].parse().ok()?,
        t[o + 1],
    ))
}

/// Go's `tryDeleteSourcingConsumer`, when a stream is deleted or stops following an origin: one
/// request to delete the sourcing consumer by its stable name, no answer awaited. A durable the
/// user named is left alone. Like Go, the stable name misses the suffix an origin adds to a
/// direct consumer, which then goes by its inactivity threshold.
pub(super) fn delete_sourcing_consumer(s: &Stream, cfg: &StreamSource, mirror: bool) {
    if cfg.consumer.is_some() {
        return;
    }
    let Some(server) = s.server() else {
        return;
    };
    let prefix = if mirror { "JS_MIRROR" } else { "JS_SRC" };
    let subject = format!(
        "$JS.API.CONSUMER.DELETE.{}.{prefix}_{}",
        cfg.name,
        stable_id(s, cfg)
    );
    let api = cfg
        .external
        .as_ref()
        .map(|e| e.api_prefix.as_str())
        .unwrap_or("");
    let subject = api_subject(&subject, api);
    s.account
        .publish_internal(&server, subject.as_bytes(), None, b"", b"");
}

/// Go's `createStableConsumerHash` / `createSourcingConsumerHash` input: the same for every
/// setup of one origin by one stream.
fn stable_id(s: &Stream, cfg: &StreamSource) -> String {
    super::node_hash(&format!("{}{}{}", s.account.name, s.name, cfg.index_name()))
}

/// An API subject as sent through `api_prefix` (the external stream's `api`), if any.
fn api_subject(subject: &str, api_prefix: &str) -> String {
    if api_prefix.is_empty() {
        subject.to_string()
    } else {
        subject
            .replacen("$JS.API", api_prefix, 1)
            .replace("..", ".")
    }
}

impl Follower {
    async fn run(mut self) {
        loop {
            if self.state.is_cancelled() {
                return;
            }
            let Some(s) = self.stream.upgrade().filter(|s| !s.is_stopped()) else {
                return;
            };
            // Go throttles requests and backs off after failures.
            let mut wait = self
                .last_request
                .map(|t| RETRY_THRESHOLD.saturating_sub(t.elapsed()))
                .unwrap_or_default();
            if self.fails > 0 {
                wait += (RETRY_BACKOFF * self.fails * 2).min(RETRY_MAXIMUM);
                wait += Duration::from_millis(100 + rand::random::<u64>() % 100);
            }
            drop(s);
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.state.wake.notified() => {}
                }
                if self.state.is_cancelled() {
                    return;
                }
            }
            match self.follow_once().await {
                End::Stop => return,
                End::Retry => {}
            }
        }
    }

    /// One consumer: create it, take its messages until it stalls, gaps or fails.
    async fn follow_once(&mut self) -> End {
        let Some(s) = self.stream.upgrade() else {
            return End::Stop;
        };
        let Some(server) = s.server() else {
            return End::Stop;
        };
        let acc = s.account.clone();
        let ext = self.cfg.external.clone().unwrap_or_default();
        let kind = if self.mirror { "M" } else { "S" };
        let durable = self.cfg.consumer.clone();
        let (deliver, req, subject) = match &durable {
            // A durable the user made on the origin: reset it to just past its ack floor and
            // take what it delivers on its own subject (Go's durable sourcing).
            Some(c) => {
                let subject = format!("$JS.API.CONSUMER.RESET.{}.{}", self.cfg.name, c.name);
                (
                    c.deliver_subject.clone(),
                    Value::Null,
                    api_subject(&subject, &ext.api_prefix),
                )
            }
            None => {
                let deliver = if ext.deliver_prefix.is_empty() {
                    format!("$JS.{kind}.{}", token())
                } else {
                    format!("{}.{kind}.{}", ext.deliver_prefix, token()).replace("..", ".")
                };
                let (req, subject) = self.create_request(&s, &deliver, &ext.api_prefix);
                (deliver, req, subject)
            }
        };
        if durable.is_some() {
            // What was taken before decides what a redelivery repeats.
            self.sseq = if self.mirror {
                s.store().fast_state().last_seq
            } else {
                super::source::last_sourced(&s, &self.cfg).unwrap_or(self.sseq)
            };
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let reply = format!("$JSC.R.{}", token());
        let subs: Vec<SubRef> = [reply.as_str(), deliver.as_str()]
            .into_iter()
            .filter_map(|subj| {
                let sub = acc.subscribe_internal(subj.as_bytes(), Arc::new(Inbox(tx.clone())))?;
                crate::accounts::imports::add_shadows(&acc, &acc.imports(), &sub);
                Some(sub)
            })
            .collect();
        let unsubscribe = |subs: &[SubRef]| {
            for sub in subs {
                acc.unsubscribe_internal(sub);
            }
        };
        let mut hdr = format!(
            "NATS/1.0\r\nNats-Required-Api-Level: {}\r\n",
            if self.mirror { 4 } else { 5 }
        );
        if !self.mirror && !self.ident.is_empty() {
            hdr.push_str(&format!("Nats-Stream-Identity: {}\r\n", self.ident));
        }
        hdr.push_str("\r\n");
        if self.legacy || durable.is_some() {
            hdr.clear();
        }
        let body = if durable.is_some() {
            String::new()
        } else {
            req.to_string()
        };
        self.last_request = Some(Instant::now());
        self.dseq = 0;
        self.cname.clear();
        acc.publish_internal(
            &server,
            subject.as_bytes(),
            Some(reply.as_bytes()),
            hdr.as_bytes(),
            body.as_bytes(),
        );
        drop(s);
        // The create answer.
        let deadline = tokio::time::Instant::now() + CREATE_WAIT;
        let answer = loop {
            let next = tokio::select! {
                m = tokio::time::timeout_at(deadline, rx.recv()) => m,
                _ = self.state.wake.notified() => Ok(None),
            };
            if self.state.is_cancelled() {
                unsubscribe(&subs);
                return End::Stop;
            }
            match next {
                Ok(Some(m)) if m.subject == reply => break Some(m),
                Ok(Some(_)) => continue,
                _ => break None,
            }
        };
        let Some(answer) = answer else {
            unsubscribe(&subs);
            self.fails += 1;
            return End::Retry;
        };
        let v: Value = serde_json::from_slice(&answer.msg).unwrap_or(Value::Null);
        if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
            let e: ApiError =
                serde_json::from_value(e.clone()).unwrap_or_else(|_| ErrorId::InvalidJSON.err());
            unsubscribe(&subs);
            // An origin without sourcing consumers is asked again the older way.
            if !self.legacy && durable.is_none() && (e.err_code == 10185 || e.err_code == 10025) {
                self.legacy = true;
                return End::Retry;
            }
            tracing::warn!(
                "JetStream error response for create {} consumer: {}",
                if self.mirror { "mirror" } else { "source" },
                e.description
            );
            self.state.set(|p| p.err = Some(e));
            self.fails += 1;
            return End::Retry;
        }
        let Some(name) = v["name"].as_str().filter(|n| !n.is_empty()) else {
            unsubscribe(&subs);
            let err = if self.mirror {
                ErrorId::MirrorConsumerSetupFailed
            } else {
                ErrorId::SourceConsumerSetupFailed
            };
            self.state
                .set(|p| p.err = Some(err.fill(&[("{err}", &"invalid consumer create response")])));
            self.fails += 1;
            return End::Retry;
        };
        if durable.is_some() && v["config"]["ack_policy"] != "flow_control" {
            // Only a consumer acknowledged by flow control replies can feed a stream.
            unsubscribe(&subs);
            let err = if self.mirror {
                ErrorId::MirrorConsumerRequiresAckFC
            } else {
                ErrorId::SourceConsumerRequiresAckFC
            };
            self.state.set(|p| p.err = Some(err.err()));
            self.fails += 1;
            return End::Retry;
        }
        self.cname = name.to_string();
        if let Some(id) = slice_header("Nats-Stream-Identity", &answer.hdr) {
            self.ident = String::from_utf8_lossy(id).into_owned();
        }
        self.fails = 0;
        let sseq = self.sseq;
        self.state.set(|p| {
            p.err = None;
            p.active = Some(Instant::now());
            p.ready = true;
            p.sseq = sseq;
        });
        let end = self.take_messages(&mut rx, &reply).await;
        unsubscribe(&subs);
        end
    }

    /// The consumer create request and the subject it goes to.
    fn create_request(&self, s: &Stream, deliver: &str, api_prefix: &str) -> (Value, String) {
        let cfg = &self.cfg;
        let state = s.store().fast_state();
        let id = stable_id(s, cfg);
        let (prefix, meta_pre) = if self.mirror {
            ("JS_MIRROR", "_nats.mirror")
        } else {
            ("JS_SRC", "_nats.src")
        };
        let mut meta = serde_json::Map::new();
        meta.insert(format!("{meta_pre}.stream"), json!(s.name));
        meta.insert(format!("{meta_pre}.acc"), json!(s.account.name));
        let domain = s.domain();
        if !domain.is_empty() {
            meta.insert(format!("{meta_pre}.domain"), json!(domain));
        }
        let name = if self.legacy {
            format!("{prefix}_{id}_{}", token())
        } else {
            format!("{prefix}_{id}")
        };
        let mut c = json!({
            "name": name,
            "deliver_subject": deliver,
            "deliver_policy": "all",
            "ack_policy": "none",
            "ack_wait": 22 * 3600 * 1_000_000_000i64,
            "max_deliver": 1,
            "idle_heartbeat": HEARTBEAT.as_nanos() as i64,
            "flow_control": true,
            "direct": true,
            "inactive_threshold": HEALTH_CHECK.as_nanos() as i64,
            "metadata": meta,
        });
        if !self.legacy {
            c["sourcing"] = json!(true);
        }
        let by_seq = |c: &mut Value, seq: u64| {
            c["deliver_policy"] = json!("by_start_sequence");
            c["opt_start_seq"] = json!(seq);
        };
        let by_time = |c: &mut Value, t: &crate::jetstream::api::GoTime| {
            c["deliver_policy"] = json!("by_start_time");
            c["opt_start_time"] = serde_json::to_value(t).unwrap_or(Value::Null);
        };
        if self.mirror {
            if state.msgs == 0 && state.first_seq == 0 {
                if cfg.opt_start_seq > 0 {
                    by_seq(&mut c, cfg.opt_start_seq);
                } else if let Some(t) = &cfg.opt_start_time {
                    by_time(&mut c, t);
                }
            } else {
                by_seq(&mut c, state.last_seq + 1);
            }
        } else {
            let taken = if self.sseq > 0 {
                Some(self.sseq)
            } else {
                super::source::last_sourced(s, cfg)
            };
            if let Some(seq) = taken {
                self.state.set(|p| p.sseq = p.sseq.max(seq));
            }
            match taken {
                Some(seq) => by_seq(&mut c, seq + 1),
                None if cfg.opt_start_seq > 0 => by_seq(&mut c, cfg.opt_start_seq),
                None => {
                    if let Some(t) = &cfg.opt_start_time {
                        by_time(&mut c, t);
                    }
                }
            }
        }
        // Filters: the filter subject, else the transforms' sources (one of them as the
        // filter subject, so the extended create subject can name it).
        let mut filter = cfg.filter_subject.clone();
        let sources: Vec<String> = cfg
            .subject_transforms
            .iter()
            .map(|t| t.source.clone())
            .collect();
        if filter.is_empty() && sources.len() == 1 {
            filter = sources[0].clone();
        } else if !sources.is_empty() {
            c["filter_subjects"] = json!(sources);
        }
        if !filter.is_empty() {
            c["filter_subject"] = json!(filter);
        }
        let subject = if filter.is_empty() {
            format!("$JS.API.CONSUMER.CREATE.{}", cfg.name)
        } else {
            format!("$JS.API.CONSUMER.CREATE.{}.{name}.{filter}", cfg.name)
        };
        (
            json!({"stream_name": cfg.name, "config": c}),
            api_subject(&subject, api_prefix),
        )
    }

    /// Take the consumer's messages until it stalls (no message or heartbeat for the health
    /// check interval), shows a gap, or the origin goes away.
    async fn take_messages(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Inbound>,
        reply: &str,
    ) -> End {
        loop {
            let first = tokio::select! {
                m = tokio::time::timeout(HEALTH_CHECK, rx.recv()) => m,
                _ = self.state.wake.notified() => Ok(None),
            };
            if self.state.is_cancelled() {
                return End::Stop;
            }
            let Ok(Some(first)) = first else {
                // Stalled.
                return End::Retry;
            };
            let Some(s) = self.stream.upgrade().filter(|s| !s.is_stopped()) else {
                return End::Stop;
            };
            let mut next = Some(first);
            let mut stored = false;
            while let Some(m) = next.take() {
                if m.subject != reply {
                    match self.inbound(&s, m) {
                        Ok(took) => stored |= took,
                        Err(end) => {
                            if stored {
                                s.after_sourcing();
                            }
                            return end;
                        }
                    }
                }
                next = rx.try_recv().ok();
            }
            if stored {
                s.after_sourcing();
            }
        }
    }

    /// One delivery: a control message or a message to store. Ok(true) when stored.
    fn inbound(&mut self, s: &Arc<Stream>, m: Inbound) -> Result<bool, End> {
        self.state.set(|p| p.active = Some(Instant::now()));
        let control = m.msg.is_empty() && m.hdr.starts_with(b"NATS/1.0 100 ");
        if control {
            let server = s.server().ok_or(End::Stop)?;
            if let Some(reply) = m.reply.as_deref().filter(|r| !r.is_empty()) {
                // Flow control: answer with what was taken (Go's handleFlowControl).
                let h = format!(
                    "NATS/1.0\r\nNats-Last-Consumer: {}\r\nNats-Last-Stream: {}\r\n\r\n",
                    self.dseq, self.sseq
                );
                s.account
                    .publish_internal(&server, reply.as_bytes(), None, h.as_bytes(), b"");
                return Ok(false);
            }
            let last = slice_header("Nats-Last-Consumer", &m.hdr)
                .and_then(|v| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
                .unwrap_or(0);
            if last > 0 && last != self.dseq {
                return Err(End::Retry);
            }
            if let Some(fc) =
                slice_header("Nats-Consumer-Stalled", &m.hdr).filter(|v| !v.is_empty())
            {
                s.account.publish_internal(&server, fc, None, b"", b"");
            }
            return Ok(false);
        }
        let Some((sseq, dseq, dc, ts, pending, cname)) =
            m.reply.as_deref().and_then(ack_reply_info)
        else {
            return Ok(false);
        };
        if cname != self.cname || dc > 1 {
            return Ok(false);
        }
        if sseq <= self.sseq {
            if dseq == self.dseq + 1 {
                self.dseq += 1;
            }
            return Ok(false);
        }
        if dseq != self.dseq + 1 {
            // Deliveries were lost: start again after the last one taken.
            return Err(End::Retry);
        }
        self.dseq = dseq;
        let lag = pending.saturating_sub(1);
        self.state.set(|p| p.lag = lag);
        let mut subject = m.subject.clone();
        for tr in &self.transforms {
            if let Ok(t) = tr.matches(&subject) {
                subject = t;
                break;
            }
        }
        if self.mirror {
            if !s.store_mirrored(&subject, &m.hdr, &m.msg, sseq, ts) {
                return Err(End::Retry);
            }
            self.sseq = sseq;
        } else {
            let iname = self.cfg.index_name();
            let mut parts = iname.splitn(3, ' ');
            let (name, fsrc, fdst) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(">"),
                parts.next().unwrap_or(">"),
            );
            let mut value = format!("{name} {sseq} {fsrc} {fdst} {}", m.subject);
            if !self.ident.is_empty() {
                value.push(' ');
                value.push_str(&self.ident);
            }
            s.store_sourced(&subject, &m.hdr, &m.msg, &value);
            self.sseq = sseq;
        }
        self.state.set(|p| p.sseq = sseq);
        Ok(true)
    }
}
