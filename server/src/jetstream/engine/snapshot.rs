//! Stream snapshots and restores on one server (Go's `jsStreamSnapshotRequest`,
//! `streamSnapshot`, `jsStreamRestoreRequest`, `processStreamRestore` and
//! `Account.RestoreStream`).
//!
//! The wire flow is Go's: the snapshot request is answered with the stream's config and state,
//! then the snapshot goes to `deliver_subject` in chunks, each (but a short last one) carrying an
//! ack subject `$JS.SNAPSHOT.ACK.<stream>.<id>.<size>.<index>`; at most `window_size /
//! chunk_size` chunks are unacknowledged, and without an ack for 5 seconds the sender gives up
//! with `408 No Flow Response`. The end is an empty message (with a `204` status once a full
//! chunk went out, as Go's). A restore is answered with a `deliver_subject` to send the chunks to;
//! each chunk is acknowledged with an empty message, an empty chunk ends the transfer and is
//! answered with the restored stream (or the error), and 5 seconds without a chunk drop it.
//!
//! The content is rnats's own: a tar (Snappy-framed) of the stream's metadata, its messages (a
//! file stream's block files, read under the store lock; a memory stream's messages with their
//! sequences and times), its durable consumers' config and state, closed by a manifest of every
//! file's size and SHA-256, so a truncated or damaged restore fails as a whole and leaves
//! nothing behind. A memory stream's snapshot restores as a memory or a file stream; a file
//! stream's only as a file stream. Go's snapshots use another format; the two servers cannot
//! read each other's snapshots. Go's snapshot and restore advisories are published as Go's.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::api::AuditClient;
use super::{JetStream, JsAccount, Stream};
use crate::accounts::{Account, MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::info::go_json;
use crate::jetstream::api::enums::StorageType;
use crate::jetstream::api::responses::{types, ApiResponse, StreamSnapshotResponse};
use crate::jetstream::api::{ApiError, ErrorId, GoTime, StreamConfig};
use crate::server::ServerShared;

const DEFAULT_CHUNK: usize = 128 * 1024;
const DEFAULT_WINDOW: usize = 8 * 1024 * 1024;
/// Go's `snapshotAckTimeout`.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Go's restore `activityInterval`.
const RESTORE_STALL: Duration = Duration::from_secs(5);
const MANIFEST: &str = "snapshot.json";
const SNAPPY_MAGIC: &[u8] = b"\xff\x06\x00\x00sNaPpY";
const STREAM_CREATE_RESPONSE: &str = "io.nats.jetstream.api.v1.stream_create_response";

/// Snapshot tasks waiting for their API reply to go out first.
static AFTER_REPLY: Mutex<Vec<oneshot::Sender<()>>> = Mutex::new(Vec::new());

/// Called by the API task once a reply is published: snapshot chunks may follow it now.
pub(super) fn reply_sent() {
    let waiting = std::mem::take(&mut *AFTER_REPLY.lock().unwrap_or_else(|e| e.into_inner()));
    for tx in waiting {
        let _ = tx.send(());
    }
}

/// Go's `JSApiStreamSnapshotRequest`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SnapshotRequest {
    deliver_subject: String,
    no_consumers: bool,
    chunk_size: i64,
    window_size: i64,
    #[serde(rename = "jsck")]
    check_msgs: bool,
}

/// Go's `JSApiStreamRestoreRequest` (the state is informational).
#[derive(Deserialize)]
struct RestoreRequest {
    #[serde(default)]
    config: serde_json::Value,
    #[serde(default)]
    #[allow(dead_code)]
    state: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
struct ManifestFile {
    name: String,
    size: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    stream: String,
    files: Vec<ManifestFile>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_empty_request(body: &[u8]) -> bool {
    body.iter().all(|b| b.is_ascii_whitespace())
}

fn snapshot_err(e: ApiError) -> String {
    super::api::err_json(types::STREAM_SNAPSHOT, e)
}

/// Go's `JSSnapshotCreateAdvisory`, `JSSnapshotCompleteAdvisory`, `JSRestoreCreateAdvisory`
/// and `JSRestoreCompleteAdvisory` in one shape: the fields a kind does not have stay out.
#[derive(Serialize)]
struct Advisory<'a> {
    #[serde(flatten)]
    event: super::advisory::TypedEvent,
    stream: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a crate::jetstream::api::stream_info::StreamState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<GoTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<GoTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<i64>,
    client: &'a AuditClient,
    #[serde(skip_serializing_if = "str::is_empty")]
    domain: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    error: &'a str,
}

impl<'a> Advisory<'a> {
    fn new(kind: &'static str, stream: &'a str, client: &'a AuditClient, domain: &'a str) -> Self {
        Advisory {
            event: super::advisory::TypedEvent::new(kind),
            stream,
            state: None,
            start: None,
            end: None,
            bytes: None,
            client,
            domain,
            error: "",
        }
    }

    fn publish(&self, server: &ServerShared, account: &Arc<Account>, prefix: &str) {
        let subject = format!("$JS.EVENT.ADVISORY.STREAM.{prefix}.{}", self.stream);
        super::advisory::publish(server, account, &subject, self);
    }
}

/// `$JS.API.STREAM.SNAPSHOT.<stream>`.
pub(super) fn snapshot(
    server: &Arc<ServerShared>,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    name: &str,
    body: &[u8],
    client: &AuditClient,
) -> String {
    if is_empty_request(body) {
        return snapshot_err(ErrorId::BadRequest.err());
    }
    let Some(stream) = jsa.stream(name) else {
        return snapshot_err(ErrorId::StreamNotFound.err());
    };
    let req: SnapshotRequest =
        match crate::jetstream::api::decode::decode_request(body, "JSApiStreamSnapshotRequest") {
            Ok(r) => r,
            Err(e) => return snapshot_err(ErrorId::InvalidJSON.with_err(e)),
        };
    if !crate::sublist::is_valid_publish_subject(req.deliver_subject.as_bytes()) {
        return snapshot_err(ErrorId::SnapshotDeliverSubjectInvalid.err());
    }
    if req.check_msgs {
        tracing::info!(
            "Starting health check and snapshot for stream '{} > {}'",
            jsa.account.name,
            stream.name
        );
    } else {
        tracing::info!(
            "Starting snapshot for stream '{} > {}'",
            jsa.account.name,
            stream.name
        );
    }
    let state = stream.state();
    let data = match build_archive(&stream, !req.no_consumers, req.check_msgs) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(
                "Snapshot of stream '{} > {}' failed: {}",
                jsa.account.name,
                stream.name,
                e
            );
            return snapshot_err(ErrorId::StreamSnapshot.with_err(e));
        }
    };
    let (tx, rx) = oneshot::channel();
    AFTER_REPLY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    let api_state = super::stream::api_state(&state);
    tokio::spawn(send_chunks(
        server.clone(),
        jsa.account.clone(),
        stream.name.clone(),
        data,
        req,
        Announce {
            state: api_state.clone(),
            client: client.clone(),
            domain: js.domain.clone(),
        },
        rx,
    ));
    go_json(&StreamSnapshotResponse {
        response: ApiResponse::new(types::STREAM_SNAPSHOT),
        config: Some((*stream.config()).clone()),
        state: Some(api_state),
    })
}

/// Where a memory stream's messages go in the archive.
const MEM_MSGS: &str = "mem/msgs.dat";

/// A file and its checksum file, as the consumer store writes them.
fn with_sum(files: &mut Vec<(String, Vec<u8>)>, name: &str, sum_name: &str, data: Vec<u8>) {
    let sum = hex(&Sha256::digest(&data)).into_bytes();
    files.push((name.to_string(), data));
    files.push((sum_name.to_string(), sum));
}

/// A memory stream's messages: first and last sequence and last time, then each message as
/// sequence, time, and length-prefixed subject, headers and payload (little-endian).
fn encode_mem_msgs(stream: &Stream) -> Result<Vec<u8>, String> {
    let store = stream.store();
    let st = store.state();
    let mut out = Vec::new();
    out.extend_from_slice(&st.first_seq.to_le_bytes());
    out.extend_from_slice(&st.last_seq.to_le_bytes());
    out.extend_from_slice(&st.last_ts.to_le_bytes());
    let mut seq = st.first_seq.max(1);
    loop {
        let m = match store.load_next_msg(">", true, seq) {
            Ok(m) if m.seq <= st.last_seq => m,
            Ok(_) | Err(crate::jetstream::store::StoreError::Eof) => break,
            Err(crate::jetstream::store::StoreError::MsgNotFound) => break,
            Err(e) => return Err(e.to_string()),
        };
        out.extend_from_slice(&m.seq.to_le_bytes());
        out.extend_from_slice(&m.ts.to_le_bytes());
        for part in [m.subject.as_bytes(), &m.hdr[..], &m.msg[..]] {
            out.extend_from_slice(&(part.len() as u32).to_le_bytes());
            out.extend_from_slice(part);
        }
        seq = m.seq + 1;
    }
    Ok(out)
}

/// One message of [`encode_mem_msgs`].
struct MemMsg {
    seq: u64,
    ts: i64,
    subject: String,
    hdr: Vec<u8>,
    msg: Vec<u8>,
}

/// Decode [`encode_mem_msgs`]: `(first_seq, last_seq, last_ts, messages)`.
fn decode_mem_msgs(data: &[u8]) -> Option<(u64, u64, i64, Vec<MemMsg>)> {
    let mut pos = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = data.get(pos..pos + n)?;
        pos += n;
        Some(s)
    };
    let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let first = u64_of(take(8)?);
    let last = u64_of(take(8)?);
    let last_ts = u64_of(take(8)?) as i64;
    let mut msgs = Vec::new();
    while let Some(b) = take(8) {
        let seq = u64_of(b);
        let ts = u64_of(take(8)?) as i64;
        let mut parts = Vec::new();
        for _ in 0..3 {
            let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            parts.push(take(n)?.to_vec());
        }
        let msg = parts.pop()?;
        let hdr = parts.pop()?;
        let subject = String::from_utf8(parts.pop()?).ok()?;
        msgs.push(MemMsg {
            seq,
            ts,
            subject,
            hdr,
            msg,
        });
    }
    Some((first, last, last_ts, msgs))
}

/// The snapshot archive: stream metadata, the messages (a file stream's block files, a memory
/// stream's messages), the durable consumers' config and state, and the manifest.
fn build_archive(stream: &Stream, consumers: bool, check: bool) -> Result<Vec<u8>, String> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let (meta, sum) = super::persist::meta_bytes(stream).map_err(|e| e.to_string())?;
    files.push((super::persist::META_FILE.into(), meta));
    files.push((super::persist::META_SUM.into(), sum));
    if let Some(dir) = &stream.dir {
        // An encrypted stream's blocks are sealed with its key: the (wrapped) key goes along,
        // so a server with the same encryption key can restore it under the same name.
        let key = crate::jetstream::store::crypt::KEY_FILE;
        if let Ok(k) = std::fs::read(dir.join(key)) {
            files.push((key.into(), k));
        }
        files.extend(
            stream
                .store()
                .snapshot_files(check)
                .map_err(|e| e.to_string())?,
        );
    } else {
        files.push((MEM_MSGS.into(), encode_mem_msgs(stream)?));
    }
    if consumers {
        use super::consumer::persist::{Meta, Saved};
        for c in stream.consumers().iter().filter(|c| c.is_durable()) {
            let meta = Meta {
                created: c.created,
                config: c.cfg.clone(),
            };
            let saved = match c.state.lock() {
                Ok(st) => Saved::of(&st),
                Err(_) => continue,
            };
            let base = format!("obs/{}", c.name);
            let meta = serde_json::to_vec(&meta).map_err(|e| e.to_string())?;
            let saved = serde_json::to_vec(&saved).map_err(|e| e.to_string())?;
            with_sum(
                &mut files,
                &format!("{base}/meta.inf"),
                &format!("{base}/meta.sum"),
                meta,
            );
            with_sum(
                &mut files,
                &format!("{base}/o.dat"),
                &format!("{base}/o.sum"),
                saved,
            );
        }
    }
    let manifest = Manifest {
        stream: stream.name.clone(),
        files: files
            .iter()
            .map(|(n, d)| ManifestFile {
                name: n.clone(),
                size: d.len() as u64,
                sha256: hex(&Sha256::digest(d)),
            })
            .collect(),
    };
    let manifest = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
    files.push((MANIFEST.into(), manifest));

    let enc = snap::write::FrameEncoder::new(Vec::new());
    let mut tar = tar::Builder::new(enc);
    for (name, data) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mtime(0);
        tar.append_data(&mut h, name, data.as_slice())
            .map_err(|e| e.to_string())?;
    }
    let enc = tar.into_inner().map_err(|e| e.to_string())?;
    enc.into_inner().map_err(|e| e.to_string())
}

/// Forwards every message on a subscription to a channel.
struct Forward {
    tx: mpsc::UnboundedSender<(Option<Vec<u8>>, Vec<u8>)>,
}

impl MsgHandler for Forward {
    fn handle(&self, _fan: &mut Fanout<'_>, _ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let hl = m.header_len.min(m.msg.len());
        let _ = self
            .tx
            .send((m.reply.map(|r| r.to_vec()), m.msg[hl..].to_vec()));
        true
    }
}

/// What the snapshot advisories tell.
struct Announce {
    state: crate::jetstream::api::stream_info::StreamState,
    client: AuditClient,
    domain: String,
}

/// Go's `streamSnapshot`: the chunk flow to the deliver subject.
async fn send_chunks(
    server: Arc<ServerShared>,
    account: Arc<Account>,
    stream: String,
    data: Vec<u8>,
    req: SnapshotRequest,
    ann: Announce,
    ready: oneshot::Receiver<()>,
) {
    let started = std::time::Instant::now();
    let start = GoTime::now();
    let bytes = ann.state.bytes;
    let _ = tokio::time::timeout(Duration::from_secs(1), ready).await;
    let mut adv = Advisory::new(
        "io.nats.jetstream.advisory.v1.snapshot_create",
        &stream,
        &ann.client,
        &ann.domain,
    );
    adv.state = Some(&ann.state);
    adv.publish(&server, &account, "SNAPSHOT_CREATE");
    let chunk_size = if req.chunk_size <= 0 {
        DEFAULT_CHUNK
    } else {
        req.chunk_size as usize
    }
    .clamp(1024, 1024 * 1024);
    let window = if req.window_size <= 0 {
        DEFAULT_WINDOW
    } else {
        req.window_size as usize
    }
    .clamp(1024, 32 * 1024 * 1024)
    .max(chunk_size);
    let deliver = req.deliver_subject.as_bytes();
    let interest = || account.sublist.has_interest(deliver);

    // Allow 2 seconds or so for interest to show up.
    let mut had_interest = interest();
    if !had_interest {
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if interest() {
                had_interest = true;
                break;
            }
        }
    }

    let (tx, mut rx) = mpsc::unbounded_channel();
    let ack_subj = format!("$JS.SNAPSHOT.ACK.{stream}.{}", super::advisory::event_id());
    let sub =
        account.subscribe_internal(format!("{ack_subj}.>").as_bytes(), Arc::new(Forward { tx }));
    let mut slots = window / chunk_size;
    let mut hdr: &[u8] = b"";
    let mut err: Option<&str> = None;
    let mut pos = 0usize;
    let mut index = 1u64;
    let mut ack_deadline = Instant::now() + ACK_TIMEOUT;
    loop {
        // Wait for a slot, as long as the receiver is there and acks come.
        while slots == 0 {
            tokio::select! {
                got = rx.recv() => {
                    if got.is_some() {
                        slots += 1;
                    }
                }
                _ = tokio::time::sleep_until(ack_deadline) => {
                    err = Some("no flow response");
                    hdr = b"NATS/1.0 408 No Flow Response\r\n\r\n";
                    break;
                }
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            if had_interest && !interest() {
                err = Some("no interest");
                hdr = b"NATS/1.0 408 No Interest\r\n\r\n";
                break;
            }
        }
        if err.is_some() {
            break;
        }
        while let Ok(_ack) = rx.try_recv() {
            slots += 1;
        }
        if had_interest && !interest() {
            err = Some("no interest");
            hdr = b"NATS/1.0 408 No Interest\r\n\r\n";
            break;
        }
        let end = (pos + chunk_size).min(data.len());
        let chunk = &data[pos..end];
        pos = end;
        if chunk.len() < chunk_size {
            // The short last chunk goes without an ack subject, as Go's.
            if !chunk.is_empty() {
                account.publish_internal(&server, deliver, None, b"", chunk);
            }
            break;
        }
        let reply = format!("{ack_subj}.{}.{index}", chunk.len());
        if hdr.is_empty() {
            hdr = b"NATS/1.0 204\r\n\r\n";
        }
        account.publish_internal(&server, deliver, Some(reply.as_bytes()), b"", chunk);
        slots -= 1;
        ack_deadline = Instant::now() + ACK_TIMEOUT;
        index += 1;
    }
    account.publish_internal(&server, deliver, None, hdr, b"");
    if let Some(s) = &sub {
        account.unsubscribe_internal(s);
    }
    let mut adv = Advisory::new(
        "io.nats.jetstream.advisory.v1.snapshot_complete",
        &stream,
        &ann.client,
        &ann.domain,
    );
    adv.start = Some(start);
    adv.end = Some(GoTime::now());
    adv.error = err.unwrap_or("");
    adv.publish(&server, &account, "SNAPSHOT_COMPLETE");
    match err {
        Some(e) => tracing::warn!(
            "Snapshot for stream '{} > {}' failed after {:?}: {}",
            account.name,
            stream,
            started.elapsed(),
            e
        ),
        None => tracing::info!(
            "Completed snapshot of {} for stream '{} > {}' in {:?}",
            super::friendly_bytes(bytes as i64),
            account.name,
            stream,
            started.elapsed()
        ),
    }
}

fn restore_err(e: ApiError) -> String {
    let mut out = go_json(&ApiResponse::err(types::STREAM_RESTORE, e));
    out.pop();
    out.push_str(r#","deliver_subject":""}"#);
    out
}

/// `$JS.API.STREAM.RESTORE.<stream>`: the checks, then the subscription for the chunks.
pub(super) fn restore(
    server: &Arc<ServerShared>,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    name: &str,
    body: &[u8],
    client: &AuditClient,
) -> String {
    if is_empty_request(body) {
        return restore_err(ErrorId::BadRequest.err());
    }
    let req: RestoreRequest =
        match crate::jetstream::api::decode::decode_request(body, "JSApiStreamRestoreRequest") {
            Ok(r) => r,
            Err(e) => return restore_err(ErrorId::InvalidJSON.with_err(e)),
        };
    let mut cfg_json = req.config;
    if !cfg_json.is_object() {
        cfg_json = serde_json::json!({});
    }
    let cfg_name = cfg_json
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    if cfg_name.is_empty() {
        cfg_json["name"] = serde_json::Value::String(name.to_string());
    } else if cfg_name != name {
        return restore_err(ErrorId::StreamMismatch.err());
    }
    if name.contains(['/', '\\']) {
        return restore_err(ErrorId::StreamNameContainsPathSeparators.err());
    }
    let cfg: StreamConfig = match serde_json::from_value(cfg_json) {
        Ok(c) => c,
        Err(e) => return restore_err(ErrorId::InvalidJSON.with_err(e)),
    };
    let cfg = match super::api::check_config(js, jsa, &cfg) {
        Ok(c) => c,
        Err(e) => return restore_err(e),
    };
    if let Err(e) = super::api::limits_check(js, jsa, &cfg) {
        return restore_err(e);
    }
    if jsa.stream(name).is_some() {
        return restore_err(ErrorId::StreamNameExistRestoreFailed.err());
    }
    tracing::info!(
        "Starting restore for stream '{} > {}'",
        jsa.account.name,
        name
    );
    let start = GoTime::now();
    Advisory::new(
        "io.nats.jetstream.advisory.v1.restore_create",
        name,
        client,
        &js.domain,
    )
    .publish(server, &jsa.account, "RESTORE_CREATE");
    let subject = format!(
        "$JS.SNAPSHOT.RESTORE.{name}.{}",
        super::advisory::event_id()
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let Some(sub) = jsa
        .account
        .subscribe_internal(subject.as_bytes(), Arc::new(Forward { tx }))
    else {
        return restore_err(
            ErrorId::RestoreSubscribeFailed
                .fill(&[("subject", &subject), ("err", &"invalid subject")]),
        );
    };
    tokio::spawn(receive_chunks(
        server.clone(),
        js.clone(),
        jsa.clone(),
        cfg,
        sub,
        rx,
        (start, client.clone()),
    ));
    #[derive(Serialize)]
    struct Resp<'a> {
        #[serde(flatten)]
        response: ApiResponse,
        deliver_subject: &'a str,
    }
    go_json(&Resp {
        response: ApiResponse::new(types::STREAM_RESTORE),
        deliver_subject: &subject,
    })
}

/// Go's restore monitor: collects the chunks, acks each, restores at the empty one.
async fn receive_chunks(
    server: Arc<ServerShared>,
    js: Arc<JetStream>,
    jsa: Arc<JsAccount>,
    cfg: StreamConfig,
    sub: crate::client::SubRef,
    mut rx: mpsc::UnboundedReceiver<(Option<Vec<u8>>, Vec<u8>)>,
    (start, client): (GoTime, AuditClient),
) {
    let complete = |bytes: usize| {
        let mut adv = Advisory::new(
            "io.nats.jetstream.advisory.v1.restore_complete",
            &cfg.name,
            &client,
            &js.domain,
        );
        adv.start = Some(start);
        adv.end = Some(GoTime::now());
        adv.bytes = Some(bytes as i64);
        adv.publish(&server, &jsa.account, "RESTORE_COMPLETE");
    };
    let account = jsa.account.clone();
    let started = std::time::Instant::now();
    let mut data: Vec<u8> = Vec::new();
    let done = loop {
        let next = tokio::time::timeout(RESTORE_STALL, rx.recv()).await;
        let Ok(Some((reply, chunk))) = next else {
            tracing::warn!(
                "restore for stream '{} > {}' is stalled",
                account.name,
                cfg.name
            );
            break None;
        };
        let Some(reply) = reply else {
            tracing::warn!(
                "restore for stream '{} > {}' requires reply subject for each chunk",
                account.name,
                cfg.name
            );
            complete(data.len());
            break None;
        };
        if chunk.is_empty() {
            break Some(reply);
        }
        data.extend_from_slice(&chunk);
        // Go checks the limits as the files arrive and answers the chunk that went over.
        if data.len() as i64 > room_for(&js, &jsa, &cfg) {
            let e = match cfg.storage {
                StorageType::Memory => ErrorId::MemoryResourcesExceeded.err(),
                StorageType::File => ErrorId::StorageResourcesExceeded.err(),
            };
            let answer = go_json(&ApiResponse::err(STREAM_CREATE_RESPONSE, e));
            account.publish_internal(&server, &reply, None, b"", answer.as_bytes());
            tracing::warn!(
                "Restore failed for {} for stream '{} > {}' in {:?}",
                super::friendly_bytes(data.len() as i64),
                account.name,
                cfg.name,
                started.elapsed()
            );
            complete(data.len());
            break None;
        }
        account.publish_internal(&server, &reply, None, b"", b"");
    };
    account.unsubscribe_internal(&sub);
    let Some(reply) = done else {
        return;
    };
    let total = data.len();
    let restored = restore_stream(&js, &jsa, &cfg, &data);
    complete(total);
    let answer = match restored {
        Ok(stream) => {
            tracing::info!(
                "Completed restore of {} for stream '{} > {}' in {:?}",
                super::friendly_bytes(total as i64),
                account.name,
                cfg.name,
                started.elapsed()
            );
            let info = stream.info(
                &server.name,
                crate::consts::VERSION,
                super::stream::InfoKind::Create,
            );
            #[derive(Serialize)]
            struct Resp {
                #[serde(flatten)]
                response: ApiResponse,
                config: StreamConfig,
                created: GoTime,
                state: crate::jetstream::api::stream_info::StreamState,
                ts: GoTime,
            }
            go_json(&Resp {
                response: ApiResponse::new(STREAM_CREATE_RESPONSE),
                config: info.config,
                created: info.created,
                state: info.state,
                ts: info.timestamp,
            })
        }
        Err(e) => {
            tracing::warn!(
                "Restore failed for {} for stream '{} > {}' in {:?}",
                super::friendly_bytes(total as i64),
                account.name,
                cfg.name,
                started.elapsed()
            );
            go_json(&ApiResponse::err(STREAM_CREATE_RESPONSE, e))
        }
    };
    account.publish_internal(&server, &reply, None, b"", answer.as_bytes());
}

/// Whether `data` starts with a tar header whose checksum holds.
fn looks_like_tar(data: &[u8]) -> bool {
    let Some(h) = data.get(..512) else {
        return false;
    };
    let field = String::from_utf8_lossy(&h[148..156]);
    let Ok(want) = u64::from_str_radix(field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
    else {
        return false;
    };
    let got: u64 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                *b as u64
            }
        })
        .sum();
    got == want
}

/// A path inside the archive that stays inside the target directory.
fn safe_path(name: &Path) -> bool {
    name.components().all(|c| matches!(c, Component::Normal(_)))
        && name.components().next().is_some()
}

/// Unpack into a fresh directory under the account's `__snapshots__` and check the manifest.
fn unpack(
    js: &JetStream,
    jsa: &JsAccount,
    data: &[u8],
    cfg: &StreamConfig,
) -> Result<PathBuf, ApiError> {
    let account = jsa.account.name.as_str();
    let fail = |e: String| ErrorId::StreamRestore.with_err(e);
    let unexpected = || fail(format!("unexpected content (account={account})"));
    if data.is_empty() {
        // Nothing came: Go's reader ends at once.
        return Err(fail("EOF".into()));
    }
    if !data.starts_with(SNAPPY_MAGIC) && !looks_like_tar(data) {
        // Neither of our formats: Go's reader says this of anything that is not S2.
        return Err(fail("s2: corrupt input".into()));
    }
    let reader: Box<dyn Read + '_> = if data.starts_with(SNAPPY_MAGIC) {
        Box::new(snap::read::FrameDecoder::new(data))
    } else {
        Box::new(data)
    };
    let base = js.store_dir.join(account).join("__snapshots__");
    std::fs::create_dir_all(&base)
        .map_err(|e| fail(format!("could not create snapshots directory - {e}")))?;
    let dir = base.join(format!("snap-{}", super::advisory::event_id()));
    std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
    let result = (|| {
        let mut archive = tar::Archive::new(reader);
        let mut manifest: Option<Manifest> = None;
        let mut written = 0u64;
        let room = room_for(js, jsa, cfg);
        for entry in archive.entries().map_err(|e| fail(e.to_string()))? {
            let mut entry = entry.map_err(|e| fail(e.to_string()))?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(unexpected());
            }
            let path = entry.path().map_err(|e| fail(e.to_string()))?.into_owned();
            if !safe_path(&path) {
                return Err(unexpected());
            }
            if manifest.is_some() {
                return Err(unexpected());
            }
            written += entry.header().size().unwrap_or(0);
            if written as i64 > room {
                return Err(match cfg.storage {
                    StorageType::Memory => ErrorId::MemoryResourcesExceeded.err(),
                    StorageType::File => ErrorId::StorageResourcesExceeded.err(),
                });
            }
            let mut buf = Vec::new();
            entry
                .read_to_end(&mut buf)
                .map_err(|e| fail(e.to_string()))?;
            if path == Path::new(MANIFEST) {
                manifest = Some(serde_json::from_slice(&buf).map_err(|_| unexpected())?);
                continue;
            }
            let target = dir.join(&path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
            }
            let mut f = std::fs::File::create(&target).map_err(|e| fail(e.to_string()))?;
            f.write_all(&buf).map_err(|e| fail(e.to_string()))?;
        }
        // Nothing counts without the manifest closing the archive, and every file must match.
        let Some(manifest) = manifest else {
            return Err(fail("unexpected EOF".into()));
        };
        for f in &manifest.files {
            let p = Path::new(&f.name);
            if !safe_path(p) {
                return Err(unexpected());
            }
            let got = std::fs::read(dir.join(p)).map_err(|_| fail("unexpected EOF".into()))?;
            if got.len() as u64 != f.size || hex(&Sha256::digest(&got)) != f.sha256 {
                return Err(fail(format!("checksum mismatch for {:?}", f.name)));
            }
        }
        if manifest.stream != cfg.name {
            return Err(fail("stream names do not match".into()));
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(dir),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

/// Bytes the restored stream may still take: the account's and the server's storage left
/// (Go's `checkAllLimits` as the files arrive).
fn room_for(js: &JetStream, jsa: &JsAccount, cfg: &StreamConfig) -> i64 {
    let (used, max) = js.usage_of(cfg.storage);
    let server_room = if max > 0 {
        max.saturating_sub(used)
    } else {
        i64::MAX
    };
    let acc_max = match cfg.storage {
        StorageType::Memory => jsa.limits.max_memory,
        StorageType::File => jsa.limits.max_store,
    };
    let acc_room = if acc_max >= 0 {
        acc_max.saturating_sub(jsa.usage(cfg.storage) as i64)
    } else {
        i64::MAX
    };
    server_room.min(acc_room)
}

/// Go's `Account.RestoreStream` after the transfer: unpack, check, move into place, open.
fn restore_stream(
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    cfg: &StreamConfig,
    data: &[u8],
) -> Result<Arc<Stream>, ApiError> {
    let tmp = unpack(js, jsa, data, cfg)?;
    let cleanup = |e: ApiError| {
        let _ = std::fs::remove_dir_all(&tmp);
        e
    };
    let meta = super::persist::read_meta(&tmp, None)
        .map_err(|e| cleanup(ErrorId::StreamRestore.with_err(e)))?;
    if meta.config.name != cfg.name {
        return Err(cleanup(
            ErrorId::StreamRestore.with_err("stream names do not match"),
        ));
    }
    if jsa.stream(&cfg.name).is_some() {
        return Err(cleanup(ErrorId::StreamNameExistRestoreFailed.err()));
    }
    let sdir = js.streams_dir(&jsa.account.name);
    let ndir = sdir.join(&cfg.name);
    let mem_msgs = tmp.join(MEM_MSGS);
    if mem_msgs.exists() {
        // A memory stream's messages: stored again one by one, into either kind of stream.
        let result = restore_messages(js, jsa, cfg, meta.created, &tmp, &mem_msgs);
        let _ = std::fs::remove_dir_all(&tmp);
        return result;
    }
    if cfg.storage == StorageType::Memory {
        return Err(cleanup(ErrorId::StreamRestore.with_err(
            "a file stream's snapshot cannot be restored as a memory stream",
        )));
    }
    std::fs::create_dir_all(&sdir).map_err(|e| cleanup(ErrorId::StreamRestore.with_err(e)))?;
    if ndir.exists() {
        let _ = std::fs::remove_dir_all(&ndir);
    }
    std::fs::rename(&tmp, &ndir).map_err(|e| cleanup(ErrorId::StreamRestore.with_err(e)))?;
    let stream = match Stream::open(js, jsa, cfg.clone(), meta.created) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&ndir);
            return Err(e);
        }
    };
    if let Err(e) = super::persist::write_meta(&stream) {
        let _ = stream.delete();
        return Err(ErrorId::StreamRestore.with_err(e));
    }
    super::persist::recover_consumers(&stream, &ndir);
    jsa.insert_stream(stream.clone());
    Ok(stream)
}

/// A new stream filled from a memory stream's messages, keeping sequences, gaps and times.
fn restore_messages(
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    cfg: &StreamConfig,
    created: GoTime,
    tmp: &Path,
    msgs: &Path,
) -> Result<Arc<Stream>, ApiError> {
    let fail = |e: String| ErrorId::StreamRestore.with_err(e);
    let data = std::fs::read(msgs).map_err(|e| fail(e.to_string()))?;
    let Some((first, last, _last_ts, msgs)) = decode_mem_msgs(&data) else {
        return Err(fail(format!(
            "unexpected content (account={})",
            jsa.account.name
        )));
    };
    if cfg.storage == StorageType::File {
        let ndir = js.streams_dir(&jsa.account.name).join(&cfg.name);
        if ndir.exists() {
            let _ = std::fs::remove_dir_all(&ndir);
        }
    }
    let stream = Stream::open(js, jsa, cfg.clone(), created)?;
    let store = stream.store().clone();
    let fill = || -> Result<(), String> {
        let mut next = store.fast_state().last_seq + 1;
        let skip_to = |next: &mut u64, seq: u64| -> Result<(), String> {
            if seq > *next {
                store
                    .skip_msgs(*next, seq - *next)
                    .map_err(|e| e.to_string())?;
                *next = seq;
            }
            Ok(())
        };
        if msgs.is_empty() && first > 1 {
            skip_to(&mut next, first)?;
        }
        for m in &msgs {
            skip_to(&mut next, m.seq)?;
            store
                .store_raw_msg(&m.subject, &m.hdr, &m.msg, m.seq, m.ts, 0, false)
                .map_err(|e| e.to_string())?;
            next = m.seq + 1;
        }
        skip_to(&mut next, last + 1)?;
        Ok(())
    };
    if let Err(e) = fill() {
        let _ = stream.delete();
        return Err(fail(e));
    }
    if let Err(e) = super::persist::write_meta(&stream) {
        let _ = stream.delete();
        return Err(fail(e.to_string()));
    }
    stream.sync_last_seq();
    super::persist::recover_consumers(&stream, tmp);
    if let Some(dir) = &stream.dir {
        // A file stream keeps its restored consumers on disk.
        use super::consumer::persist;
        for c in stream.consumers() {
            let meta = persist::Meta {
                created: c.created,
                config: c.cfg.clone(),
            };
            let _ = persist::write_meta(&persist::dir(dir, &c.name), &meta, stream.key.as_deref());
            c.mark_dirty();
            c.flush_state(true);
        }
    }
    jsa.insert_stream(stream.clone());
    Ok(stream)
}
