//! One stream: its configuration, its store, the internal subscriptions on its subjects and the
//! publish path that stores a message and answers with a PubAck. Checks run in the order of Go's
//! `processJetStreamMsgWithBatch` (stream.go) with Go's errors; the publish runs inside the
//! publisher's delivery batch, so a PubAck leaves with the publisher's other deliveries.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, Weak};

use super::consumer::Consumer;
use super::JetStream;
use crate::accounts::{Account, MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::client::SubRef;
use crate::jetstream::api::enums::{DiscardPolicy, RetentionPolicy, StorageType};
use crate::jetstream::api::stream_info::{ClusterInfo, StreamInfo, StreamState as ApiState};
use crate::jetstream::api::{ApiError, ErrorId, GoTime, StreamConfig};
use crate::jetstream::store::header::slice_header;
use crate::jetstream::store::{
    self, FileStore, FileStoreConfig, MemStore, StoreConfig, StoreError, StreamStore,
};

/// Go's `JSMsgId` and friends.
pub const MSG_ID: &str = "Nats-Msg-Id";
pub const EXPECTED_STREAM: &str = "Nats-Expected-Stream";
pub const EXPECTED_LAST_SEQ: &str = "Nats-Expected-Last-Sequence";
pub const EXPECTED_LAST_SUBJ_SEQ: &str = "Nats-Expected-Last-Subject-Sequence";
pub const EXPECTED_LAST_SUBJ_SEQ_SUBJ: &str = "Nats-Expected-Last-Subject-Sequence-Subject";
pub const EXPECTED_LAST_MSG_ID: &str = "Nats-Expected-Last-Msg-Id";
pub const ROLLUP: &str = "Nats-Rollup";
pub const MSG_TTL: &str = "Nats-TTL";
pub const MSG_INCR: &str = "Nats-Incr";
pub const STREAM_SOURCE: &str = "Nats-Stream-Source";

/// Which API answer a stream info is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoKind {
    Create,
    Update,
    Info,
    List,
}

/// What the publish path keeps between messages (Go's `lseq`, `lmsgId`, `ddmap`).
#[derive(Default)]
pub(crate) struct PubState {
    pub(crate) last_seq: u64,
    pub(crate) last_msg_id: String,
    pub(crate) dedupe: HashMap<String, (u64, i64)>,
    /// Msg ids by arrival, for expiring the duplicate window.
    dedupe_order: VecDeque<(i64, String)>,
}

pub struct Stream {
    pub name: String,
    pub account: Arc<Account>,
    cfg: RwLock<Arc<StreamConfig>>,
    pub created: GoTime,
    store: Arc<dyn StreamStore>,
    pub(crate) state: Mutex<PubState>,
    /// Atomic batches being staged.
    pub(crate) batches: Mutex<super::batch::Batches>,
    subs: Mutex<Vec<SubRef>>,
    /// The stream's directory for a file stream.
    pub dir: Option<PathBuf>,
    /// The stream key of an encrypted file stream (its metadata and consumers are sealed too).
    pub key: Option<Arc<crate::jetstream::store::crypt::StreamKey>>,
    js: Weak<JetStream>,
    /// `{"stream":"<name>","seq":` (with the domain when set): Go's `mset.pubAck`.
    pub_ack: Vec<u8>,
    stopped: std::sync::atomic::AtomicBool,
    consumers: RwLock<std::collections::BTreeMap<String, Arc<Consumer>>>,
    /// The account's JetStream limits and usage (Go's `jsa.wouldExceedLimits`).
    account_limits: crate::jetstream::api::account::JetStreamAccountLimits,
    account_usage: Arc<super::account::Usage>,
    /// `sync_interval: always` on a file stream: publishes of one delivery batch share one fsync
    /// and their PubAcks wait for it (group commit).
    group_commit: bool,
    deferred_acks: Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
    /// Transforms built from the config: input subject transform and republish.
    transforms: RwLock<Arc<Transforms>>,
    /// The mirror or sources this stream follows, with their progress.
    origins: Arc<Mutex<Vec<super::source::Origin>>>,
    /// Message schedules (`allow_msg_schedules`) and their timer.
    pub(crate) schedules: Arc<super::schedule::Schedules>,
}

/// The stream's subject transforms (Go's `mset.itr` and `mset.tr`).
#[derive(Default)]
struct Transforms {
    input: Option<crate::transform::SubjectTransform>,
    republish: Option<(crate::transform::SubjectTransform, bool)>,
}

impl Transforms {
    fn of(cfg: &StreamConfig) -> Transforms {
        let input = cfg.subject_transform.as_ref().and_then(|t| {
            crate::transform::SubjectTransform::new(&t.source, &t.destination)
                .ok()
                .flatten()
        });
        let republish = cfg.republish.as_ref().and_then(|r| {
            crate::transform::SubjectTransform::new(&r.source, &r.destination)
                .ok()
                .flatten()
                .map(|t| (t, r.headers_only))
        });
        Transforms { input, republish }
    }
}

fn store_config(cfg: &StreamConfig) -> StoreConfig {
    StoreConfig {
        name: cfg.name.clone(),
        subjects: cfg.subjects.clone(),
        max_msgs: cfg.max_msgs,
        max_bytes: cfg.max_bytes,
        max_age: cfg.max_age,
        max_msgs_per_subject: cfg.max_msgs_per,
        max_msg_size: cfg.max_msg_size,
        discard: match cfg.discard {
            DiscardPolicy::New => store::DiscardPolicy::New,
            _ => store::DiscardPolicy::Old,
        },
        discard_new_per_subject: cfg.discard_new_per,
        allow_msg_ttl: cfg.allow_msg_ttl,
        first_seq: cfg.first_seq,
        compress: cfg.compression == crate::jetstream::api::enums::StoreCompression::S2,
    }
}

pub(crate) fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// The API view of a store's state.
pub fn api_state(s: &store::StreamState) -> ApiState {
    let t = |ns: i64| {
        if ns == 0 {
            GoTime::default()
        } else {
            GoTime::from_unix_nanos(ns)
        }
    };
    ApiState {
        msgs: s.msgs,
        bytes: s.bytes,
        first_seq: s.first_seq,
        first_time: t(s.first_ts),
        last_seq: s.last_seq,
        last_time: t(s.last_ts),
        num_subjects: s.num_subjects,
        num_deleted: s.num_deleted,
        deleted: s.deleted.clone(),
        consumers: s.consumers,
        ..ApiState::default()
    }
}

impl Stream {
    /// Open the store and subscribe the subjects (Go's `addStream` for a single server). `cfg`
    /// is already checked and defaulted.
    pub fn open(
        js: &Arc<JetStream>,
        jsa: &super::JsAccount,
        cfg: StreamConfig,
        created: GoTime,
    ) -> Result<Arc<Stream>, ApiError> {
        let account = &jsa.account;
        let scfg = store_config(&cfg);
        let mut key = None;
        let (store, dir): (Arc<dyn StreamStore>, Option<PathBuf>) = match cfg.storage {
            StorageType::Memory => (
                Arc::new(MemStore::new(scfg).map_err(|e| ErrorId::StreamCreate.with_err(e))?),
                None,
            ),
            StorageType::File => {
                let dir = js.streams_dir(&account.name).join(&cfg.name);
                use crate::jetstream::store::crypt;
                key = match &js.encryption {
                    Some(enc) => crypt::load_key(&dir, enc, &account.name, &cfg.name, true)
                        .map_err(|e| ErrorId::StreamCreate.with_err(e))?
                        .map(|(k, _)| k),
                    None if dir.join(crypt::KEY_FILE).exists() => {
                        return Err(ErrorId::StreamCreate.with_err("encryption not enabled"));
                    }
                    None => None,
                };
                let mut fcfg = FileStoreConfig::new(&dir);
                fcfg.sync_always = js.sync_always;
                fcfg.sync_interval = js.sync_interval;
                fcfg.key = key.clone();
                let fs =
                    FileStore::open(fcfg, scfg).map_err(|e| ErrorId::StreamCreate.with_err(e))?;
                (Arc::new(fs), Some(dir))
            }
        };
        let initial = store.fast_state().bytes as i64;
        js.add_usage(cfg.storage, initial);
        let usage = jsa.usage.clone();
        let add_account = move |u: &super::account::Usage, st: StorageType, n: i64| {
            let c = match st {
                StorageType::Memory => &u.mem,
                StorageType::File => &u.store,
            };
            c.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        };
        add_account(&usage, cfg.storage, initial);
        // The stream, once built: removals make its consumers count their pending again.
        let this: Arc<std::sync::OnceLock<std::sync::Weak<Stream>>> = Arc::default();
        {
            let jw = Arc::downgrade(js);
            let st = cfg.storage;
            let this = this.clone();
            store.register_storage_updates(Arc::new(move |u: &store::StorageUpdate| {
                if let Some(j) = jw.upgrade() {
                    j.add_usage(st, u.bytes);
                }
                add_account(&usage, st, u.bytes);
                if u.msgs < 0 {
                    if let Some(s) = this.get().and_then(std::sync::Weak::upgrade) {
                        for c in s.consumers() {
                            c.recount_pending();
                        }
                    }
                }
            }));
        }
        for d in store.take_diagnostics() {
            tracing::warn!(
                "JetStream stream '{} > {}': {:?}",
                account.name,
                cfg.name,
                d
            );
        }
        let pub_ack = if js.domain.is_empty() {
            format!("{{\"stream\":{:?},\"seq\":", cfg.name)
        } else {
            format!(
                "{{\"stream\":{:?},\"domain\":{:?},\"seq\":",
                cfg.name, js.domain
            )
        };
        let last_seq = store.fast_state().last_seq;
        let group_commit = dir.is_some() && js.sync_always;
        let s = Arc::new(Stream {
            name: cfg.name.clone(),
            account: account.clone(),
            cfg: RwLock::new(Arc::new(cfg)),
            created,
            store,
            state: Mutex::new(PubState {
                last_seq,
                ..PubState::default()
            }),
            subs: Mutex::new(Vec::new()),
            dir,
            key,
            js: Arc::downgrade(js),
            pub_ack: pub_ack.into_bytes(),
            stopped: std::sync::atomic::AtomicBool::new(false),
            batches: Mutex::new(Default::default()),
            consumers: RwLock::new(std::collections::BTreeMap::new()),
            account_limits: jsa.limits.clone(),
            account_usage: jsa.usage.clone(),
            group_commit,
            deferred_acks: Mutex::new(Vec::new()),
            transforms: RwLock::new(Arc::new(Transforms::default())),
            origins: Arc::new(Mutex::new(Vec::new())),
            schedules: Arc::default(),
        });
        let _ = this.set(Arc::downgrade(&s));
        if let Ok(mut o) = s.origins.lock() {
            *o = super::source::origins(&s);
        }
        super::source::start(&s, &s.origins);
        if let Ok(mut t) = s.transforms.write() {
            *t = Arc::new(Transforms::of(&s.config()));
        }
        s.subscribe();
        s.start_timers();
        super::schedule::start(&s);
        Ok(s)
    }

    /// The JetStream domain (empty without one).
    pub fn domain(&self) -> String {
        self.js
            .upgrade()
            .map(|j| j.domain.clone())
            .unwrap_or_default()
    }

    pub fn server(&self) -> Option<Arc<crate::server::ServerShared>> {
        self.js.upgrade()?.server()
    }

    pub fn consumer(&self, name: &str) -> Option<Arc<Consumer>> {
        self.consumers.read().ok()?.get(name).cloned()
    }

    pub fn consumers(&self) -> Vec<Arc<Consumer>> {
        self.consumers
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The consumers the names and list APIs show: all but the direct ones (Go's
    /// `getPublicConsumers`), such as the consumers feeding another stream's mirror or source.
    pub fn public_consumers(&self) -> Vec<Arc<Consumer>> {
        let mut v = self.consumers();
        v.retain(|c| !c.cfg.direct);
        v
    }

    pub fn add_consumer(&self, c: Arc<Consumer>) {
        if let Ok(mut m) = self.consumers.write() {
            m.insert(c.name.clone(), c);
        }
    }

    /// Stop and forget a consumer (delete, inactivity).
    pub fn remove_consumer(&self, name: &str) -> Option<Arc<Consumer>> {
        let c = self.consumers.write().ok()?.remove(name)?;
        c.stop();
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d.join("obs").join(name));
        }
        Some(c)
    }

    /// Messages went away outside the consumers' view (purge, delete, limits): their pending
    /// counts are taken again.
    pub fn recount_pending(&self) {
        for c in self.consumers() {
            c.recount_pending();
            c.signal();
        }
    }

    /// A consumer is done with `seq`: interest and work-queue streams drop what no consumer
    /// still needs (Go's `ackMsg`).
    pub fn ack_msg(&self, by: &Consumer, seq: u64) {
        let cfg = self.config();
        match cfg.retention {
            RetentionPolicy::WorkQueue => {
                let _ = self.store.remove_msg(seq);
            }
            RetentionPolicy::Interest => {
                let Ok(subject) = self.store.subject_for_seq(seq) else {
                    return;
                };
                let others_need = self
                    .consumers()
                    .iter()
                    .filter(|c| !std::ptr::eq(Arc::as_ptr(c), by))
                    .any(|c| c.needs(seq, &subject));
                if !others_need {
                    let _ = self.store.remove_msg(seq);
                }
            }
            _ => {}
        }
    }

    /// On an interest stream, drop what `c` has acknowledged (or skipped past) from `from` on
    /// and no other consumer still needs (Go's `checkStateForInterestStream`).
    pub fn drop_acked_by(&self, c: &Consumer, from: u64) {
        let st = self.store.fast_state();
        let delivered = c.delivered_stream_seq().min(st.last_seq);
        for seq in from.max(st.first_seq).max(1)..=delivered {
            let Ok(subject) = self.store.subject_for_seq(seq) else {
                continue;
            };
            if c.matches(&subject) && !c.needs(seq, &subject) {
                self.ack_msg(c, seq);
            }
        }
    }

    pub fn config(&self) -> Arc<StreamConfig> {
        self.cfg
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    pub fn store(&self) -> &Arc<dyn StreamStore> {
        &self.store
    }

    pub fn state(&self) -> store::StreamState {
        self.store.fast_state()
    }

    /// Subscribe the stream's subjects (and the direct get subjects) in its account.
    fn subscribe(self: &Arc<Self>) {
        let cfg = self.config();
        let handler: Arc<dyn MsgHandler> = Arc::new(StreamHandler {
            stream: Arc::downgrade(self),
        });
        let mut subs = Vec::new();
        let subjects = if cfg.subjects.is_empty() && cfg.mirror.is_none() && cfg.sources.is_empty()
        {
            vec![cfg.name.clone()]
        } else {
            cfg.subjects.clone()
        };
        for subj in &subjects {
            if let Some(s) = self
                .account
                .subscribe_internal(subj.as_bytes(), handler.clone())
            {
                subs.push(s);
            }
        }
        if cfg.allow_direct {
            subs.extend(super::direct::subscribe(self));
        }
        if let Ok(mut s) = self.subs.lock() {
            *s = subs;
        }
    }

    fn unsubscribe(&self) {
        let subs = self
            .subs
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        for s in subs {
            self.account.unsubscribe_internal(&s);
        }
    }

    /// Age and TTL expiry and the periodic sync, while the stream lives.
    fn start_timers(self: &Arc<Self>) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak = Arc::downgrade(self);
        let sync_every = self
            .js
            .upgrade()
            .map(|j| j.sync_interval)
            .unwrap_or(crate::jetstream::options::DEFAULT_SYNC_INTERVAL);
        rt.spawn(async move {
            let mut last_sync = std::time::Instant::now();
            loop {
                let wait = {
                    let Some(s) = weak.upgrade() else { return };
                    if s.is_stopped() {
                        return;
                    }
                    match s.store.next_expiry() {
                        Some(at) => {
                            let d = (at - now_nanos()).max(1_000_000) as u64;
                            std::time::Duration::from_nanos(d)
                                .min(std::time::Duration::from_secs(1))
                        }
                        None => std::time::Duration::from_secs(1),
                    }
                };
                tokio::time::sleep(wait).await;
                let Some(s) = weak.upgrade() else { return };
                if s.is_stopped() {
                    return;
                }
                if s.store.next_expiry().is_some_and(|at| at <= now_nanos()) {
                    let _ = s.store.expire_msgs(now_nanos());
                }
                if last_sync.elapsed() >= sync_every {
                    last_sync = std::time::Instant::now();
                    let _ = s.store.sync();
                }
            }
        });
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Stop serving and flush (shutdown).
    pub fn stop(&self) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::Release);
        for c in self.consumers() {
            c.stop();
        }
        self.unsubscribe();
        let _ = self.store.stop();
    }

    /// Remove the stream and its data (API delete).
    pub fn delete(&self) -> Result<(), StoreError> {
        self.stopped
            .store(true, std::sync::atomic::Ordering::Release);
        let origins = self
            .origins
            .lock()
            .map(|mut o| std::mem::take(&mut *o))
            .unwrap_or_default();
        super::source::forget(self, origins);
        let names: Vec<String> = self.consumers().iter().map(|c| c.name.clone()).collect();
        for n in names {
            self.remove_consumer(&n);
        }
        self.unsubscribe();
        self.store.delete()?;
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
        Ok(())
    }

    /// Replace the configuration (update): new limits apply at once; subscriptions follow.
    pub fn update(self: &Arc<Self>, cfg: StreamConfig) -> Result<(), ApiError> {
        self.store
            .update_config(&store_config(&cfg))
            .map_err(|e| ErrorId::StreamUpdate.with_err(e))?;
        self.unsubscribe();
        if let Ok(mut t) = self.transforms.write() {
            *t = Arc::new(Transforms::of(&cfg));
        }
        let old = self.config();
        // A mirror can only be dropped (promotion); its follower goes with it.
        let origins_changed = old.sources != cfg.sources || old.mirror != cfg.mirror;
        let to_interest =
            old.retention != cfg.retention && cfg.retention == RetentionPolicy::Interest;
        if let Ok(mut c) = self.cfg.write() {
            *c = Arc::new(cfg);
        }
        self.subscribe();
        super::schedule::start(self);
        if to_interest {
            let consumers = self.consumers();
            if consumers.is_empty() {
                // Nothing can ever want what is stored: Go's 2.15 update purges it.
                let _ = self.store.purge();
            }
            for c in consumers {
                self.drop_acked_by(&c, 0);
            }
            self.recount_pending();
        }
        if origins_changed {
            // Sources added by an update start where the stream's stored copies say; those kept
            // go on from where they were.
            let mut fresh = super::source::origins(self);
            let gone = match self.origins.lock() {
                Ok(mut o) => {
                    for n in fresh.iter_mut() {
                        if let Some(i) = o.iter().position(|x| x.cfg == n.cfg && !x.mirror) {
                            *n = o.remove(i);
                        }
                    }
                    std::mem::replace(&mut *o, fresh)
                }
                Err(_) => Vec::new(),
            };
            super::source::forget(self, gone);
            super::source::start(self, &self.origins);
        }
        Ok(())
    }

    /// Go's `StreamInfo` as each API answer builds it: create has neither domain nor cluster,
    /// update and list have the domain, info has both; list shows the stored config without the
    /// server's version metadata.
    pub fn info(&self, server_name: &str, version: &str, kind: InfoKind) -> StreamInfo {
        let cfg = self.config();
        let domain = self
            .js
            .upgrade()
            .map(|j| j.domain.clone())
            .unwrap_or_default();
        StreamInfo {
            config: if kind == InfoKind::List {
                (*cfg).clone()
            } else {
                cfg.with_dynamic_metadata(version)
            },
            created: self.created,
            state: {
                let mut st = api_state(&self.store.fast_state());
                // Consumers feeding other streams have no store of their own and go uncounted
                // here, as in Go.
                st.consumers = self.public_consumers().len();
                st
            },
            domain: if kind == InfoKind::Create {
                String::new()
            } else {
                domain
            },
            cluster: (kind == InfoKind::Info).then(|| ClusterInfo {
                leader: server_name.to_string(),
                ..ClusterInfo::default()
            }),
            mirror: self
                .origins
                .lock()
                .ok()
                .and_then(|o| o.iter().find(|o| o.mirror).map(|o| o.info())),
            sources: self
                .origins
                .lock()
                .map(|o| o.iter().filter(|o| !o.mirror).map(|o| o.info()).collect())
                .unwrap_or_default(),
            timestamp: GoTime::now(),
            ..StreamInfo::default()
        }
    }

    /// Take the store's last sequence as the publish path's (after messages were stored
    /// directly, as a restore does).
    pub(crate) fn sync_last_seq(&self) {
        let last = self.store.fast_state().last_seq;
        if let Ok(mut st) = self.state.lock() {
            st.last_seq = last;
        }
        super::schedule::recover(self);
    }

    /// A mirror keeps the origin's sequence: gaps in the origin stay gaps here (Go's
    /// `processInboundMirrorMsg`). False when the message could not be stored.
    pub(crate) fn store_mirrored(
        &self,
        subject: &str,
        m_hdr: &[u8],
        msg: &[u8],
        seq: u64,
        ts: i64,
    ) -> bool {
        let last = self.store.fast_state().last_seq;
        if seq <= last {
            return true;
        }
        if seq > last + 1 && last > 0 {
            let _ = self.store.skip_msgs(last + 1, seq - last - 1);
        }
        // Go drops the origin's expectations and batch headers: a mirror neither checks nor
        // batches.
        let hdr = if m_hdr.is_empty() {
            Vec::new()
        } else {
            let h = remove_header_prefix(m_hdr, "Nats-Expected-");
            remove_header_prefix(&h, "Nats-Batch-")
        };
        let ttl = crate::jetstream::store::header::message_ttl(&hdr);
        let r = if last == 0 && seq > 1 {
            // A new mirror starts at the origin's position.
            let _ = self.store.compact(seq);
            self.store
                .store_raw_msg(subject, &hdr, msg, seq, ts, ttl, false)
        } else {
            let at = if last == 0 { 0 } else { seq };
            self.store
                .store_raw_msg(subject, &hdr, msg, at, ts, ttl, false)
        };
        match r {
            Ok(()) => {
                if let Ok(mut st) = self.state.lock() {
                    st.last_seq = seq;
                }
                true
            }
            Err(e) => {
                tracing::warn!(
                    "JetStream mirror '{} > {}' could not store sequence {}: {}",
                    self.account.name,
                    self.name,
                    seq,
                    e
                );
                false
            }
        }
    }

    /// A sourced message: the publish path with the `Nats-Stream-Source` header set and the
    /// origin's expectations dropped (Go's `processInboundSourceMsg`).
    pub(crate) fn store_sourced(&self, subject: &str, hdr: &[u8], msg: &[u8], source: &str) {
        let mut h = if hdr.is_empty() {
            Vec::new()
        } else {
            remove_header(hdr, STREAM_SOURCE)
        };
        h = remove_header_prefix(&h, "Nats-Expected-");
        h = remove_header_prefix(&h, "Nats-Batch-");
        let mut out = if h.is_empty() {
            b"NATS/1.0\r\n".to_vec()
        } else {
            h[..h.len() - 2].to_vec()
        };
        out.extend_from_slice(STREAM_SOURCE.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(source.as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
        let mut republish = Vec::new();
        let _ = self.process_msg(subject, false, &out, msg, 0, &mut republish, true);
    }

    /// Hand buffered writes to the OS, or to the disk with `sync_always`.
    pub(crate) fn write_out(&self) -> Result<(), StoreError> {
        if self.group_commit {
            self.store.sync()
        } else {
            self.store.flush_all_pending()
        }
    }

    /// After a round of sourcing: consumers look again and file writes reach the OS.
    pub(crate) fn after_sourcing(&self) {
        for c in self.consumers() {
            c.recount_pending();
            c.signal();
        }
        let _ = self.write_out();
    }

    /// Go's stream identity: a hash of its creation time, telling a recreated stream apart.
    pub fn identity(&self) -> String {
        super::node_hash(&self.created.to_string())
    }

    /// The JetStream this stream belongs to, while it runs.
    pub(crate) fn jetstream(&self) -> Option<Arc<JetStream>> {
        self.js.upgrade()
    }

    /// The subject after the input transform (unchanged when it does not match).
    pub(crate) fn input_subject(&self, subject: &str) -> String {
        let t = self
            .transforms
            .read()
            .map(|t| t.clone())
            .unwrap_or_default();
        match &t.input {
            Some(tr) => tr.matches(subject).unwrap_or_else(|_| subject.to_string()),
            None => subject.to_string(),
        }
    }

    /// Go's `jsa.wouldExceedLimits`: the account's memory or storage limit (logged as Go does).
    pub(crate) fn account_would_exceed(
        &self,
        cfg: &StreamConfig,
        subject: &str,
        hdr: &[u8],
        msg: &[u8],
    ) -> bool {
        let size = self.store.msg_size(subject, hdr, msg) as i64;
        let (used, limit) = match cfg.storage {
            StorageType::Memory => (&self.account_usage.mem, self.account_limits.max_memory),
            StorageType::File => (&self.account_usage.store, self.account_limits.max_store),
        };
        if limit >= 0 && used.load(std::sync::atomic::Ordering::Relaxed) + size > limit {
            tracing::warn!(
                "JetStream {} resource limits exceeded for account: {:?}",
                if cfg.storage == StorageType::Memory {
                    "memory"
                } else {
                    "file"
                },
                self.account.name
            );
            return true;
        }
        false
    }

    /// The PubAck error response (Go's `JSPubAckResponse` with `PubAck{Stream: name}`).
    pub(crate) fn error_ack(&self, e: &ApiError) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Resp<'a> {
            error: &'a ApiError,
            stream: &'a str,
            seq: u64,
            #[serde(skip_serializing_if = "str::is_empty")]
            domain: &'a str,
        }
        let domain = self
            .js
            .upgrade()
            .map(|j| j.domain.clone())
            .unwrap_or_default();
        serde_json::to_vec(&Resp {
            error: e,
            stream: &self.name,
            seq: 0,
            domain: &domain,
        })
        .unwrap_or_default()
    }

    fn ok_ack(&self, seq: u64, duplicate: bool) -> Vec<u8> {
        let mut b = self.pub_ack.clone();
        b.extend_from_slice(itoa::Buffer::new().format(seq).as_bytes());
        if duplicate {
            b.extend_from_slice(b",\"duplicate\": true}");
        } else {
            b.push(b'}');
        }
        b
    }

    /// A counter stream's PubAck: the new total as `"val"`.
    fn counter_ack(&self, seq: u64, val: &str) -> Vec<u8> {
        let mut b = self.pub_ack.clone();
        b.extend_from_slice(itoa::Buffer::new().format(seq).as_bytes());
        b.extend_from_slice(b",\"val\":\"");
        b.extend_from_slice(val.as_bytes());
        b.extend_from_slice(b"\"}");
        b
    }

    /// Go's `processJetStreamMsg` for a single server. Returns the PubAck to send (None: no ack);
    /// republished messages (subject, headers, payload) are pushed on `republish`.
    #[allow(clippy::too_many_arguments)]
    pub fn process_msg(
        &self,
        subject: &str,
        has_reply: bool,
        hdr: &[u8],
        msg: &[u8],
        max_payload: i64,
        republish: &mut Vec<(String, Vec<u8>, Vec<u8>)>,
        sourced: bool,
    ) -> Option<Vec<u8>> {
        let Ok(mut st) = self.state.lock() else {
            return None;
        };
        let ack = self.process_msg_locked(
            &mut st,
            subject,
            has_reply,
            hdr,
            msg,
            max_payload,
            republish,
            sourced,
        );
        drop(st);
        ack
    }

    /// [`Stream::process_msg`] with the publish state already held (an atomic batch commit
    /// holds it across all its messages). A message carrying `Nats-Batch-Id` was checked when its
    /// batch committed: Go skips the consistency checks and acks with the batch id and count.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn process_msg_locked(
        &self,
        st: &mut PubState,
        subject: &str,
        has_reply: bool,
        hdr: &[u8],
        msg: &[u8],
        max_payload: i64,
        republish: &mut Vec<(String, Vec<u8>, Vec<u8>)>,
        sourced: bool,
    ) -> Option<Vec<u8>> {
        let cfg = self.config();
        let transforms = self
            .transforms
            .read()
            .map(|t| t.clone())
            .unwrap_or_default();
        // Go: the input transform applies first; a subject it does not match stays as it is.
        let transformed;
        let subject = match &transforms.input {
            Some(tr) => match tr.matches(subject) {
                Ok(t) => {
                    transformed = t;
                    transformed.as_str()
                }
                Err(_) => subject,
            },
            None => subject,
        };
        let respond = !cfg.no_ack && has_reply;
        let fail = |e: ApiError| respond.then(|| self.error_ack(&e));
        let batch = super::batch::batch_of(hdr);
        let check = batch.is_none();
        if check && cfg.sealed {
            return fail(ErrorId::StreamSealed.err());
        }
        // Go drops the cross-account request info before storing.
        let cleaned;
        let scheduled;
        let mut hdr = if !hdr.is_empty() && slice_header("Nats-Request-Info", hdr).is_some() {
            cleaned = remove_header(hdr, "Nats-Request-Info");
            &cleaned[..]
        } else {
            hdr
        };
        let mut msg_id = String::new();
        let (mut rollup_sub, mut rollup_all) = (false, false);
        let mut incr = None;
        if !hdr.is_empty() {
            if check {
                match super::counter::message_incr(hdr) {
                    Some(Err(())) => return fail(ErrorId::MessageIncrInvalid.err()),
                    Some(Ok(n)) => {
                        // A sourced counter message is stored as its origin's total.
                        if !sourced {
                            if let Err(e) =
                                super::counter::check_increment(hdr, msg, cfg.allow_msg_counter)
                            {
                                return fail(e);
                            }
                        }
                        incr = Some(n);
                    }
                    None => {}
                }
                if let Some(name) = slice_header(EXPECTED_STREAM, hdr) {
                    if !name.is_empty() && name != cfg.name.as_bytes() {
                        return fail(ErrorId::StreamNotMatch.err());
                    }
                }
                // An unreadable TTL is not "disabled" but invalid, found later (Go's order).
                let ttl = slice_header(MSG_TTL, hdr).and_then(parse_ttl);
                if ttl.is_some_and(|t| t != 0) && !cfg.allow_msg_ttl {
                    return fail(ErrorId::MessageTTLDisabled.err());
                }
                if let Some(seq) = parse_u64_header(hdr, EXPECTED_LAST_SUBJ_SEQ) {
                    let filter = slice_header(EXPECTED_LAST_SUBJ_SEQ_SUBJ, hdr)
                        .filter(|s| !s.is_empty())
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .unwrap_or_else(|| subject.to_string());
                    let fseq = match self.store.load_last_msg(&filter) {
                        Ok(m) => m.seq,
                        Err(_) => 0,
                    };
                    if fseq != seq {
                        return fail(ErrorId::StreamWrongLastSequence.fill(&[("{seq}", &fseq)]));
                    }
                } else if slice_header(EXPECTED_LAST_SUBJ_SEQ_SUBJ, hdr)
                    .is_some_and(|s| !s.is_empty())
                {
                    return fail(ErrorId::StreamExpectedLastSeqPerSubjectInvalid.err());
                }
                if let Some(seq) = parse_u64_header(hdr, EXPECTED_LAST_SEQ) {
                    if seq != st.last_seq {
                        let last = st.last_seq;
                        return fail(ErrorId::StreamWrongLastSequence.fill(&[("{seq}", &last)]));
                    }
                }
            }
            // Schedules are checked for batch messages too: their stored headers change.
            match super::schedule::check(&cfg, &*self.store, subject, hdr, sourced) {
                Ok(Some(h)) => {
                    scheduled = h;
                    hdr = &scheduled[..];
                }
                Ok(None) => {}
                Err(e) => return fail(e),
            }
            if check && !sourced && slice_header(STREAM_SOURCE, hdr).is_some_and(|s| !s.is_empty())
            {
                return fail(ErrorId::MessageSourceHdrNotAllowed.err());
            }
            if let Some(id) = slice_header(MSG_ID, hdr).filter(|v| !v.is_empty()) {
                msg_id = String::from_utf8_lossy(id).into_owned();
                if check {
                    prune_dedupe(st, cfg.duplicates);
                    if let Some((seq, _)) = st.dedupe.get(&msg_id) {
                        let seq = *seq;
                        return respond.then(|| self.ok_ack(seq, true));
                    }
                }
            }
            if check {
                if let Some(want) =
                    slice_header(EXPECTED_LAST_MSG_ID, hdr).filter(|v| !v.is_empty())
                {
                    if want != st.last_msg_id.as_bytes() {
                        let last = st.last_msg_id.clone();
                        return fail(ErrorId::StreamWrongLastMsgID.fill(&[("{id}", &last)]));
                    }
                }
            }
            if let Some(r) = slice_header(ROLLUP, hdr).filter(|v| !v.is_empty()) {
                // A sourced rollup is stored, but rolls nothing up unless this stream allows it.
                let purge = cfg.allow_rollup && !cfg.deny_purge;
                if check && !purge && !sourced {
                    return fail(ErrorId::StreamRollupFailed.with_err("rollup not permitted"));
                }
                match &r.to_ascii_lowercase()[..] {
                    b"sub" => rollup_sub = purge,
                    b"all" => rollup_all = purge,
                    other if check => {
                        let v = String::from_utf8_lossy(other).into_owned();
                        return fail(
                            ErrorId::StreamRollupFailed
                                .with_err(format!("rollup value invalid: {v:?}")),
                        );
                    }
                    _ => {}
                }
            }
        }
        // A counter stores its new total; the messages of a committed batch carry theirs already.
        let counter;
        let mut counter_val = None;
        let (hdr, msg) = if check && cfg.allow_msg_counter {
            let Some(incr) = incr else {
                return fail(ErrorId::MessageIncrMissing.err());
            };
            let applied = super::counter::running(&*self.store, subject)
                .and_then(|mut r| super::counter::apply(&mut r, subject, hdr, msg, incr));
            match applied {
                Ok(c) => counter = c,
                Err(e) => return fail(e),
            }
            counter_val = Some(counter.2.as_str());
            (&counter.0[..], &counter.1[..])
        } else {
            (hdr, msg)
        };
        let (hl, ml) = (hdr.len() as i64, msg.len() as i64);
        if check && max_payload > 0 && (hl > max_payload || ml > max_payload - hl) {
            return fail(ErrorId::StreamMessageExceedsMaximum.err());
        }
        let max_size = cfg.max_msg_size as i64;
        if check && max_size >= 0 && (hl > max_size || ml > max_size - hl) {
            return fail(ErrorId::StreamMessageExceedsMaximum.err());
        }
        if check && hdr.len() > u16::MAX as usize {
            return fail(ErrorId::StreamHeaderExceedsMaximum.err());
        }
        if let Some(js) = self.js.upgrade() {
            if js.limits_exceeded(cfg.storage) {
                return fail(ErrorId::InsufficientResources.err());
            }
        }
        // Go's PubAck: with the batch id and size for a batch commit, the total for a counter.
        let ack = |seq: u64| match (&batch, counter_val) {
            (Some((id, count)), _) => {
                let mut b = self.ok_ack(seq, false);
                b.pop();
                b.extend_from_slice(b",\"batch\":");
                b.extend_from_slice(serde_json::to_string(id).unwrap_or_default().as_bytes());
                b.extend_from_slice(format!(",\"count\":{count}}}").as_bytes());
                b
            }
            (None, Some(v)) => self.counter_ack(seq, v),
            (None, None) => self.ok_ack(seq, false),
        };
        // Interest retention keeps nothing no consumer wants (Go skips the sequence).
        if cfg.retention == RetentionPolicy::Interest
            && !self.consumers().iter().any(|c| c.matches(subject))
        {
            let Ok(seq) = self.store.skip_msg_no_interest(0) else {
                return None;
            };
            st.last_seq = seq;
            st.last_msg_id = msg_id.clone();
            if !msg_id.is_empty() {
                remember_msg_id(st, msg_id, seq);
            }
            super::schedule::stored(self, &cfg, None, subject, hdr);
            return respond.then(|| ack(seq));
        }
        if self.account_would_exceed(&cfg, subject, hdr, msg) {
            return fail(ErrorId::AccountResourcesExceeded.err());
        }
        let ttl = match slice_header(MSG_TTL, hdr) {
            Some(v) if !v.is_empty() => match parse_ttl(v) {
                Some(t) => t,
                None => return fail(ErrorId::MessageTTLInvalid.err()),
            },
            _ => 0,
        };
        let stored = if self.group_commit {
            self.store.store_msg_deferred(subject, hdr, msg, ttl)
        } else {
            self.store.store_msg(subject, hdr, msg, ttl)
        };
        let (seq, ts) = match stored {
            Ok(r) => r,
            Err(
                e @ (StoreError::MaxMsgs
                | StoreError::MaxBytes
                | StoreError::MaxMsgsPerSubject
                | StoreError::MsgTooLarge),
            ) => return fail(ErrorId::StreamStoreFailed.with_err(e)),
            Err(StoreError::Closed) => return None,
            Err(e) => {
                tracing::error!(
                    "JetStream failed to store a msg on stream '{} > {}': {}",
                    self.account.name,
                    self.name,
                    e
                );
                return None;
            }
        };
        st.last_seq = seq;
        st.last_msg_id = msg_id.clone();
        if !msg_id.is_empty() {
            remember_msg_id(st, msg_id, seq);
        }
        if rollup_sub {
            let _ = self.store.purge_ex(subject, 0, 1);
        } else if rollup_all {
            let _ = self.store.purge_ex("", 0, 1);
        }
        super::schedule::stored(self, &cfg, Some((seq, ts)), subject, hdr);
        if let Some((tr, headers_only)) = &transforms.republish {
            if let Ok(tsubj) = tr.matches(subject) {
                if crate::sublist::is_valid_publish_subject(tsubj.as_bytes()) {
                    republish.push(self.republished(subject, seq, hdr, msg, *headers_only, tsubj));
                }
            }
        }
        for c in self.consumers() {
            c.new_message(subject);
        }
        respond.then(|| ack(seq))
    }
}

impl Stream {
    /// Go's republish message: the original headers plus `Nats-Stream`, `Nats-Subject`,
    /// `Nats-Sequence`, `Nats-Time-Stamp`, `Nats-Last-Sequence` (and `Nats-Msg-Size` without the
    /// payload).
    fn republished(
        &self,
        subject: &str,
        seq: u64,
        hdr: &[u8],
        msg: &[u8],
        headers_only: bool,
        tsubj: String,
    ) -> (String, Vec<u8>, Vec<u8>) {
        let ts = self
            .store
            .load_msg(seq)
            .map(|m| m.ts)
            .unwrap_or_else(|_| now_nanos());
        // The previous message on this exact subject, for gap detection.
        let last = self
            .store
            .load_prev_msg(subject, false, seq.saturating_sub(1))
            .map(|m| m.seq)
            .unwrap_or(0);
        let mut h = if hdr.is_empty() {
            b"NATS/1.0\r\n".to_vec()
        } else {
            hdr[..hdr.len() - 2].to_vec()
        };
        let mut add = |k: &str, v: &str| {
            h.extend_from_slice(k.as_bytes());
            h.extend_from_slice(b": ");
            h.extend_from_slice(v.as_bytes());
            h.extend_from_slice(b"\r\n");
        };
        add("Nats-Stream", &self.name);
        add("Nats-Subject", subject);
        add("Nats-Sequence", &seq.to_string());
        add("Nats-Time-Stamp", &GoTime::from_unix_nanos(ts).to_string());
        add("Nats-Last-Sequence", &last.to_string());
        let payload = if headers_only {
            add("Nats-Msg-Size", &msg.len().to_string());
            Vec::new()
        } else {
            msg.to_vec()
        };
        h.extend_from_slice(b"\r\n");
        (tsubj, h, payload)
    }
}

fn remember_msg_id(st: &mut PubState, id: String, seq: u64) {
    let ts = now_nanos();
    st.dedupe.insert(id.clone(), (seq, ts));
    st.dedupe_order.push_back((ts, id));
}

/// Forget msg ids older than the duplicate window.
fn prune_dedupe(st: &mut PubState, window: i64) {
    let cutoff = now_nanos() - window;
    while let Some((ts, _)) = st.dedupe_order.front() {
        if *ts >= cutoff {
            break;
        }
        if let Some((_, id)) = st.dedupe_order.pop_front() {
            if st.dedupe.get(&id).is_some_and(|(_, t)| *t < cutoff) {
                st.dedupe.remove(&id);
            }
        }
    }
}

/// A header holding an unsigned integer (Go's `getExpectedLastSeq`: present and parseable).
fn parse_u64_header(hdr: &[u8], key: &str) -> Option<u64> {
    let v = slice_header(key, hdr)?;
    if v.is_empty() {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Go's `parseMessageTTL`: `never` is -1, a Go duration or a number of seconds, at least 1s.
pub(crate) fn parse_ttl(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?;
    if s.eq_ignore_ascii_case("never") {
        return Some(-1);
    }
    if let Ok(d) = crate::gofmt::parse_go_duration(s) {
        return (d.as_secs() >= 1).then_some(d.as_secs() as i64);
    }
    // Plain seconds (Go's parseInt64: digits only); 0 is no TTL.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// A header block without `key` (Go's `removeHeaderIfPresent`); an empty block when only the
/// status line would remain.
pub(crate) fn remove_header(hdr: &[u8], key: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(hdr.len());
    let mut lines = hdr.split_inclusive(|b| *b == b'\n');
    if let Some(first) = lines.next() {
        out.extend_from_slice(first);
    }
    let mut kept = 0;
    for line in lines {
        let name_end = line.iter().position(|b| *b == b':').unwrap_or(0);
        if name_end > 0 && line[..name_end].eq_ignore_ascii_case(key.as_bytes()) {
            continue;
        }
        if line != b"\r\n" {
            kept += 1;
        }
        out.extend_from_slice(line);
    }
    if kept == 0 {
        return Vec::new();
    }
    out
}

/// A file stream hands its buffered writes to the OS (with `sync_always`, to the disk: one fsync
/// for the whole batch, a group commit) before the batch's PubAcks are released. When that fails
/// (a full disk) nothing of the batch is acknowledged, as Go answers nothing on a write error:
/// the publishers time out, and the stream takes no more writes.
impl crate::client::delivery::BatchFinisher for Stream {
    fn finish(&self, fan: &mut Fanout<'_>) {
        let acks = self
            .deferred_acks
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default();
        if let Err(e) = self.write_out() {
            tracing::error!(
                "JetStream failed to store a msg on stream '{} > {}': {}",
                self.account.name,
                self.name,
                e
            );
            return;
        }
        if acks.is_empty() {
            return;
        }
        if let Some(server) = self.server() {
            for (reply, ack) in acks {
                self.account
                    .deliver_internal(fan, &server, &reply, None, b"", &ack);
            }
        }
    }
}

/// A header block without any header whose name starts with `prefix`.
fn remove_header_prefix(hdr: &[u8], prefix: &str) -> Vec<u8> {
    if hdr.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(hdr.len());
    let mut lines = hdr.split_inclusive(|b| *b == b'\n');
    if let Some(first) = lines.next() {
        out.extend_from_slice(first);
    }
    let mut kept = 0;
    for line in lines {
        if line.len() >= prefix.len()
            && line[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        {
            continue;
        }
        if line != b"\r\n" {
            kept += 1;
        }
        out.extend_from_slice(line);
    }
    if kept == 0 {
        return Vec::new();
    }
    out
}

/// The internal subscription on a stream's subjects.
struct StreamHandler {
    stream: Weak<Stream>,
}

impl MsgHandler for StreamHandler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(s) = self.stream.upgrade() else {
            return false;
        };
        let hl = m.header_len.min(m.msg.len());
        let (hdr, payload) = m.msg.split_at(hl);
        let subject = String::from_utf8_lossy(m.subject);
        let max_payload = ctx.server.opts().max_payload as i64;
        let mut republish = Vec::new();
        // Go routes a message with a batch id to the atomic batch path.
        let ack = match slice_header(super::batch::BATCH_ID, hdr).filter(|v| !v.is_empty()) {
            Some(id) => {
                let id = String::from_utf8_lossy(id).into_owned();
                let (ack, r) = s.process_batch_msg(
                    &id,
                    &subject,
                    m.reply.is_some(),
                    hdr,
                    payload,
                    max_payload,
                );
                republish = r;
                ack
            }
            None => s.process_msg(
                &subject,
                m.reply.is_some(),
                hdr,
                payload,
                max_payload,
                &mut republish,
                false,
            ),
        };
        for (subj, h, p) in republish {
            s.account
                .deliver_internal(fan, ctx.server, subj.as_bytes(), None, &h, &p);
        }
        if s.dir.is_some() {
            fan.finish_with(s.clone());
        }
        if let (Some(ack), Some(reply)) = (ack, m.reply) {
            if s.dir.is_some() {
                if let Ok(mut d) = s.deferred_acks.lock() {
                    d.push((reply.to_vec(), ack));
                }
            } else {
                s.account
                    .deliver_internal(fan, ctx.server, reply, None, b"", &ack);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_values_as_go() {
        assert_eq!(parse_ttl(b"never"), Some(-1));
        assert_eq!(parse_ttl(b"5s"), Some(5));
        assert_eq!(parse_ttl(b"10"), Some(10));
        assert_eq!(parse_ttl(b"500ms"), None);
        assert_eq!(parse_ttl(b"x"), None);
        assert_eq!(parse_ttl(b"0"), None);
        assert_eq!(parse_ttl(b"NEVER"), Some(-1));
        assert_eq!(parse_ttl(b"+5"), None);
        assert_eq!(parse_ttl(b"-5"), None);
    }

    #[test]
    fn removing_the_only_header_leaves_nothing() {
        assert!(remove_header(
            b"NATS/1.0\r\nNats-Request-Info: {}\r\n\r\n",
            "Nats-Request-Info"
        )
        .is_empty());
        assert_eq!(
            remove_header(
                b"NATS/1.0\r\nA: 1\r\nNats-Request-Info: {}\r\n\r\n",
                "Nats-Request-Info"
            ),
            b"NATS/1.0\r\nA: 1\r\n\r\n"
        );
    }
}
