//! The `$JS.API` request handlers for accounts and streams (Go's `jsAccountInfoRequest`,
//! `jsStreamCreateRequest`, `jsStreamUpdateRequest`, `jsStreamInfoRequest`,
//! `jsStreamNamesRequest`, `jsStreamListRequest`, `jsStreamDeleteRequest`,
//! `jsStreamPurgeRequest`, `jsMsgGetRequest`, `jsMsgDeleteRequest` in jetstream_api.go).
//! Requests are queued from the publisher's delivery batch to one task that answers them in
//! order, so slow store operations never hold a client's read loop. An unknown API subject gets
//! no answer, as in Go.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use tokio::sync::mpsc;

use super::stream::InfoKind;
use super::{JetStream, JsAccount, Stream};
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::info::go_json;
use crate::jetstream::api::account::{JetStreamAccountStats, JetStreamApiStats, JetStreamTier};
use crate::jetstream::api::enums::{DiscardPolicy, RetentionPolicy, StorageType};
use crate::jetstream::api::responses::{
    self, types, AccountInfoResponse, ApiPaged, ApiResponse, MsgDeleteRequest, MsgGetRequest,
    MsgGetResponse, StreamCreateResponse, StreamInfoRequest, StreamInfoResponse,
    StreamListResponse, StreamNamesRequest, StreamNamesResponse, StreamPurgeRequest,
    StreamPurgeResponse, StreamUpdateResponse, SuccessResponse,
};
use crate::jetstream::api::stream_check::{check_create_request, check_stream_config};
use crate::jetstream::api::stream_config::JS_API_LEVEL;
use crate::jetstream::api::stream_info::StoredMsg;
use crate::jetstream::api::{ApiError, ErrorId, GoTime, StreamConfig};
use crate::server::ServerShared;

/// One request waiting for the API task.
struct ApiRequest {
    js: Weak<JetStream>,
    jsa: Arc<JsAccount>,
    subject: String,
    reply: Option<Vec<u8>>,
    /// The request's `Nats-Required-Api-Level` header, if any.
    required_level: Option<String>,
    /// The request's `Nats-Stream-Identity` header, if any (sourcing consumers).
    stream_identity: Option<String>,
    /// Who asked, as the API audit shows it (Go's detailed `ClientInfo`).
    client: AuditClient,
    body: Vec<u8>,
}

/// The queue to the API task.
pub struct ApiQueue {
    tx: mpsc::UnboundedSender<ApiRequest>,
}

impl ApiQueue {
    pub fn start(server: Weak<ServerShared>) -> ApiQueue {
        let (tx, mut rx) = mpsc::unbounded_channel::<ApiRequest>();
        tokio::spawn(async move {
            while let Some(req) = rx.recv().await {
                let (Some(server), Some(js)) = (server.upgrade(), req.js.upgrade()) else {
                    continue;
                };
                let answer = if crate::jetstream::api::stream_config::error_on_required_api_level(
                    req.required_level.as_deref(),
                ) {
                    // Go answers every API request asking for a newer level with this error.
                    required_level_error(&req.subject)
                } else {
                    let mut client = req.client.clone();
                    client.server = server.name.clone();
                    super::consumer_api::set_request_identity(req.stream_identity.clone());
                    dispatch(&server, &js, &req.jsa, &req.subject, &req.body, &client)
                };
                let header = super::consumer_api::take_answer_header();
                if let Some(body) = &answer {
                    audit(&server, &js, &req, body);
                }
                if let (Some(reply), Some(body)) = (&req.reply, answer) {
                    req.jsa.account.publish_internal(
                        &server,
                        reply,
                        None,
                        &header,
                        body.as_bytes(),
                    );
                }
                // Snapshot chunks follow the snapshot's reply.
                super::snapshot::reply_sent();
            }
        });
        ApiQueue { tx }
    }
}

/// The internal subscription on `$JS.API.>` of one account.
pub struct ApiHandler {
    js: Weak<JetStream>,
    jsa: Weak<JsAccount>,
}

impl ApiHandler {
    pub fn new(js: &Arc<JetStream>, jsa: &Arc<JsAccount>) -> ApiHandler {
        ApiHandler {
            js: Arc::downgrade(js),
            jsa: Arc::downgrade(jsa),
        }
    }
}

impl MsgHandler for ApiHandler {
    fn handle(&self, _fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let (Some(js), Some(jsa)) = (self.js.upgrade(), self.jsa.upgrade()) else {
            return false;
        };
        let hl = m.header_len.min(m.msg.len());
        let mut subject = String::from_utf8_lossy(m.subject).into_owned();
        // `$JS.<domain>.API.x` is `$JS.API.x`.
        if !js.domain.is_empty() {
            let pre = format!("$JS.{}.API.", js.domain);
            if let Some(rest) = subject.strip_prefix(&pre) {
                subject = format!("$JS.API.{rest}");
            }
        }
        let _ = js.api.tx.send(ApiRequest {
            js: Arc::downgrade(&js),
            jsa,
            subject,
            reply: m.reply.map(|r| r.to_vec()),
            required_level: crate::jetstream::store::header::slice_header(
                "Nats-Required-Api-Level",
                &m.msg[..hl],
            )
            .map(|v| String::from_utf8_lossy(v).into_owned()),
            stream_identity: crate::jetstream::store::header::slice_header(
                "Nats-Stream-Identity",
                &m.msg[..hl],
            )
            .map(|v| String::from_utf8_lossy(v).into_owned()),
            body: m.msg[hl..].to_vec(),
            client: AuditClient::of(ctx),
        });
        true
    }
}

/// Go's detailed `ClientInfo` of the requester, without the server (added when sent).
#[derive(serde::Serialize, Default, Clone)]
pub(super) struct AuditClient {
    start: String,
    host: String,
    id: u64,
    acc: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    lang: String,
    #[serde(rename = "ver", skip_serializing_if = "String::is_empty")]
    version: String,
    #[serde(skip_serializing_if = "is_zero")]
    rtt: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) server: String,
    kind: &'static str,
    client_type: &'static str,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl AuditClient {
    fn of(ctx: &PubCtx<'_>) -> AuditClient {
        let c = ctx.client;
        let meta = c.meta();
        AuditClient {
            start: crate::monitor::timefmt::rfc3339_nano(c.start),
            host: c.peer.ip().to_string(),
            id: c.cid,
            acc: ctx.account.name.clone(),
            user: c
                .auth
                .lock()
                .ok()
                .and_then(|a| a.as_ref().map(|a| a.user.clone()))
                .unwrap_or_default(),
            name: meta.name,
            lang: meta.lang,
            version: meta.version,
            rtt: meta.rtt.map(|d| d.as_nanos() as u64).unwrap_or(0),
            server: String::new(),
            kind: "Client",
            client_type: "nats",
        }
    }
}

/// Go's `sendJetStreamAPIAuditAdvisory` on `$JS.EVENT.ADVISORY.API`.
fn audit(server: &ServerShared, js: &JetStream, req: &ApiRequest, response: &str) {
    const SUBJECT: &str = "$JS.EVENT.ADVISORY.API";
    if !req.jsa.account.sublist.has_interest(SUBJECT.as_bytes()) {
        return;
    }
    #[derive(serde::Serialize)]
    struct Audit<'a> {
        #[serde(flatten)]
        event: super::advisory::TypedEvent,
        server: &'a str,
        client: &'a AuditClient,
        subject: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        request: &'a str,
        response: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        domain: &'a str,
    }
    let request = String::from_utf8_lossy(&req.body);
    let mut client = req.client.clone();
    client.server = server.name.clone();
    super::advisory::publish(
        server,
        &req.jsa.account,
        SUBJECT,
        &Audit {
            event: super::advisory::TypedEvent::new("io.nats.jetstream.advisory.v1.api_audit"),
            server: &server.name,
            client: &client,
            subject: &req.subject,
            request: &request,
            response,
            domain: &js.domain,
        },
    );
}

/// Answer one request; None for subjects Go does not answer.
fn dispatch(
    server: &Arc<ServerShared>,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    subject: &str,
    body: &[u8],
    client: &AuditClient,
) -> Option<String> {
    let rest = subject.strip_prefix("$JS.API.")?;
    let toks: Vec<&str> = rest.split('.').collect();
    let name = |i: usize| toks.get(i).copied().unwrap_or("");
    let answer = match (toks.as_slice(), toks.len()) {
        (["INFO"], _) => account_info(js, jsa),
        (["STREAM", "CREATE", _], _) => stream_create(server, js, jsa, name(2), body),
        (["STREAM", "UPDATE", _], _) => stream_update(server, js, jsa, name(2), body),
        (["STREAM", "INFO", _], _) => stream_info(server, jsa, name(2), body),
        (["STREAM", "DELETE", _], _) => stream_delete(server, js, jsa, name(2)),
        (["STREAM", "PURGE", _], _) => stream_purge(jsa, name(2), body),
        (["STREAM", "NAMES"], _) => stream_names(jsa, body),
        (["STREAM", "LIST"], _) => stream_list(server, jsa, body),
        (["STREAM", "MSG", "GET", _], _) => msg_get(jsa, name(3), body),
        (["STREAM", "MSG", "DELETE", _], _) => msg_delete(jsa, name(3), body),
        (["STREAM", "SNAPSHOT", _], _) => {
            super::snapshot::snapshot(server, js, jsa, name(2), body, client)
        }
        (["STREAM", "RESTORE", _], _) => {
            super::snapshot::restore(server, js, jsa, name(2), body, client)
        }
        (["CONSUMER", rest @ ..], _) => super::consumer_api::dispatch(server, js, jsa, rest, body)?,
        _ => return None,
    };
    js.api_total.fetch_add(1, Ordering::Relaxed);
    if answer.contains("\"error\":{") {
        js.api_errors.fetch_add(1, Ordering::Relaxed);
    }
    Some(answer)
}

/// The answer to a request that needs a newer API level, typed as its request's answer.
fn required_level_error(subject: &str) -> Option<String> {
    let rest = subject.strip_prefix("$JS.API.")?;
    let toks: Vec<&str> = rest.split('.').collect();
    let kind = match toks.as_slice() {
        ["INFO"] => types::ACCOUNT_INFO,
        ["STREAM", "CREATE", _] => types::STREAM_CREATE,
        ["STREAM", "UPDATE", _] => types::STREAM_UPDATE,
        ["STREAM", "INFO", _] => types::STREAM_INFO,
        ["STREAM", "DELETE", _] => types::STREAM_DELETE,
        ["STREAM", "PURGE", _] => types::STREAM_PURGE,
        ["STREAM", "NAMES"] => types::STREAM_NAMES,
        ["STREAM", "LIST"] => types::STREAM_LIST,
        ["STREAM", "MSG", "GET", _] => types::MSG_GET,
        ["STREAM", "MSG", "DELETE", _] => types::MSG_DELETE,
        ["STREAM", "SNAPSHOT", _] => types::STREAM_SNAPSHOT,
        ["STREAM", "RESTORE", _] => types::STREAM_RESTORE,
        ["CONSUMER", "CREATE", ..] | ["CONSUMER", "DURABLE", "CREATE", ..] => {
            types::CONSUMER_CREATE
        }
        ["CONSUMER", "INFO", _, _] => types::CONSUMER_INFO,
        ["CONSUMER", "PAUSE", _, _] => types::CONSUMER_PAUSE,
        ["CONSUMER", "UNPIN", _, _] => types::CONSUMER_UNPIN,
        ["CONSUMER", "RESET", _, _] => types::CONSUMER_RESET,
        _ => return None,
    };
    Some(err_json(kind, ErrorId::RequiredApiLevel.err()))
}

/// An error answer as Go marshals it: the response struct of that request with only the error
/// set, so paged answers keep their zero paging fields (and Go's nil or empty lists).
pub(super) fn err_json(kind: &str, e: ApiError) -> String {
    let mut out = go_json(&ApiResponse::err(kind, e));
    let tail = match kind {
        types::STREAM_INFO => r#","total":0,"offset":0,"limit":0"#,
        types::STREAM_NAMES => r#","total":0,"offset":0,"limit":0,"streams":null"#,
        types::STREAM_LIST => r#","total":0,"offset":0,"limit":0,"streams":[]"#,
        types::STREAM_PURGE => r#","purged":0"#,
        types::CONSUMER_PAUSE => r#","paused":false,"pause_until":"0001-01-01T00:00:00Z""#,
        types::CONSUMER_RESET => r#","reset_seq":0"#,
        "io.nats.jetstream.api.v1.consumer_names_response"
        | "io.nats.jetstream.api.v1.consumer_list_response" => {
            r#","total":0,"offset":0,"limit":0,"consumers":[]"#
        }
        _ => "",
    };
    if !tail.is_empty() && out.ends_with('}') {
        out.pop();
        out.push_str(tail);
        out.push('}');
    }
    out
}

/// Decode a request body as Go's `json.Unmarshal` does; an empty body is the default request
/// (Go's handlers skip decoding then).
fn decode<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
    go_name: &str,
) -> Result<T, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(T::default());
    }
    crate::jetstream::api::decode::decode_request(body, go_name)
        .map_err(|e| ErrorId::InvalidJSON.with_err(e))
}

/// A direct get request body, decoded as Go does.
pub fn decode_direct(body: &[u8]) -> Option<MsgGetRequest> {
    crate::jetstream::api::decode::decode_request(body, "JSApiMsgGetRequest").ok()
}

fn account_info(js: &JetStream, jsa: &JsAccount) -> String {
    let streams = jsa.streams();
    let reserved = |st: StorageType| -> u64 {
        streams
            .iter()
            .map(|s| s.config())
            .filter(|c| c.storage == st && c.max_bytes > 0)
            .map(|c| c.max_bytes as u64)
            .sum()
    };
    let stats = JetStreamAccountStats {
        tier: JetStreamTier {
            memory: jsa.usage(StorageType::Memory),
            store: jsa.usage(StorageType::File),
            reserved_memory: reserved(StorageType::Memory),
            reserved_store: reserved(StorageType::File),
            streams: streams.len() as i64,
            consumers: jsa.num_consumers() as i64,
            limits: jsa.limits.clone(),
        },
        domain: js.domain.clone(),
        api: JetStreamApiStats {
            level: JS_API_LEVEL as i64,
            total: js.api_total.load(Ordering::Relaxed),
            errors: js.api_errors.load(Ordering::Relaxed),
            inflight: 0,
        },
        ..Default::default()
    };
    go_json(&AccountInfoResponse {
        response: ApiResponse::new(types::ACCOUNT_INFO),
        stats: Some(stats),
    })
}

/// What the stream config check asks of this account.
struct CheckCtx<'a> {
    js: &'a JetStream,
    jsa: &'a JsAccount,
}

impl crate::jetstream::api::StreamCheckContext for CheckCtx<'_> {
    fn max_duplicates_window(&self) -> i64 {
        self.js.max_duplicates
    }

    fn stream_config(&self, name: &str) -> Option<StreamConfig> {
        self.jsa.stream(name).map(|s| (*s.config()).clone())
    }

    fn max_bytes_limits(&self, cfg: &StreamConfig) -> (bool, i64) {
        let l = &self.jsa.limits;
        let max = match cfg.storage {
            StorageType::Memory => l.memory_max_stream_bytes,
            StorageType::File => l.store_max_stream_bytes,
        };
        (l.max_bytes_required, max.max(0))
    }

    fn validate_mapping(&self, src: &str, dest: &str) -> Result<(), String> {
        crate::transform::validate_mapping(src, dest).map_err(|e| e.to_string())
    }

    fn subject_transform(&self, src: &str, dest: &str) -> Result<(), String> {
        crate::transform::SubjectTransform::new(src, dest)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn version() -> &'static str {
    crate::consts::VERSION
}

fn stream_create(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    subject_name: &str,
    body: &[u8],
) -> String {
    let kind = types::STREAM_CREATE;
    // Go's order: decode, static metadata, the request checks, the config checks, then what the
    // account already has.
    let mut req = match crate::jetstream::api::decode::decode_stream_config_request(body) {
        Ok(r) => r,
        Err(e) => return err_json(kind, ErrorId::InvalidJSON.with_err(e)),
    };
    req.config.set_static_metadata();
    if let Err(e) = check_create_request(subject_name, &req.config) {
        return err_json(kind, e);
    }
    if let Err(e) = limits_check(js, jsa, &req.config) {
        return err_json(kind, e);
    }
    let ctx = CheckCtx { js, jsa };
    let mut cfg = match check_stream_config(&req.config, &ctx, req.pedantic) {
        Ok(c) => c,
        Err(e) => return err_json(kind, e),
    };
    if cfg.replicas > 1 {
        return err_json(kind, ErrorId::StreamReplicasNotSupported.err());
    }
    if let Some(existing) = jsa.stream(&cfg.name) {
        // Go's addStream: the same config again is the existing stream (and Go still says
        // `did_create`).
        let current = existing.config();
        cfg.copy_metadata_from(Some(&current));
        if *current == cfg {
            return go_json(&StreamCreateResponse {
                response: ApiResponse::new(kind),
                info: Some(existing.info(&server.name, version(), InfoKind::Create)),
                did_create: true,
            });
        }
        return err_json(kind, ErrorId::StreamNameExist.err());
    }
    if let Err(e) = crate::jetstream::api::check_source_filters(&cfg, &ctx) {
        return err_json(kind, e);
    }
    if let Err(e) = check_overlap(jsa, &cfg, None) {
        return err_json(kind, e);
    }
    let stream = match Stream::open(js, jsa, cfg, GoTime::now()) {
        Ok(s) => s,
        Err(e) => return err_json(kind, e),
    };
    if let Err(e) = super::persist::write_meta(&stream) {
        let _ = stream.delete();
        return err_json(kind, ErrorId::StreamCreate.with_err(e));
    }
    jsa.insert_stream(stream.clone());
    super::advisory::stream_action(server, &jsa.account, &stream.name, "create", &js.domain);
    go_json(&StreamCreateResponse {
        response: ApiResponse::new(kind),
        info: Some(stream.info(&server.name, version(), InfoKind::Create)),
        did_create: true,
    })
}

/// Go's subject overlap check against the account's other streams.
fn check_overlap(jsa: &JsAccount, cfg: &StreamConfig, skip: Option<&str>) -> Result<(), ApiError> {
    for other in jsa.streams() {
        if Some(other.name.as_str()) == skip || other.name == cfg.name {
            continue;
        }
        let oc = other.config();
        for a in &cfg.subjects {
            for b in &oc.subjects {
                if crate::sublist::subjects_collide(a.as_bytes(), b.as_bytes()) {
                    return Err(ErrorId::StreamSubjectOverlap.err());
                }
            }
        }
    }
    Ok(())
}

/// Go's `checkStreamCfg` for a restore: the config as a create would check and default it.
pub(super) fn check_config(
    js: &JetStream,
    jsa: &JsAccount,
    cfg: &StreamConfig,
) -> Result<StreamConfig, ApiError> {
    let mut cfg = cfg.clone();
    cfg.set_static_metadata();
    let ctx = CheckCtx { js, jsa };
    check_stream_config(&cfg, &ctx, false)
}

/// Go's `jsNonClusteredStreamLimitsCheck` on the request's config: stream count, account and
/// server byte reservations.
pub(super) fn limits_check(
    js: &JetStream,
    jsa: &JsAccount,
    cfg: &StreamConfig,
) -> Result<(), ApiError> {
    use crate::jetstream::api::limits::non_clustered_stream_limits_check;
    let configs = account_configs(jsa);
    let limits = std::collections::BTreeMap::from([(String::new(), jsa.limits.clone())]);
    non_clustered_stream_limits_check(&limits, cfg, configs.iter(), &server_reservation(js))
        .map_err(limits_error)
}

/// The byte limits of Go's `configUpdateCheck`: only what the update adds to `max_bytes` is
/// reserved anew, on top of what the account's other streams and this one already hold.
fn update_limits_check(
    js: &JetStream,
    jsa: &JsAccount,
    old: &StreamConfig,
    cfg: &StreamConfig,
) -> Result<(), ApiError> {
    use crate::jetstream::api::limits::{
        account_reservation, add_saturate, check_limits, select_limits, tiered_reservation,
    };
    let limits = std::collections::BTreeMap::from([(String::new(), jsa.limits.clone())]);
    let Some((selected, tier)) =
        select_limits(&limits, cfg.replicas).or_else(|| select_limits(&limits, old.replicas))
    else {
        return Err(ErrorId::NoLimits.err());
    };
    let added = (cfg.max_bytes.max(0) - old.max_bytes.max(0)).max(0);
    let configs = account_configs(jsa);
    let reserved = add_saturate(
        tiered_reservation(&tier, cfg, configs.iter()),
        account_reservation(&tier, cfg.replicas, cfg.max_bytes - added),
    );
    let mut grown = cfg.clone();
    grown.max_bytes = added;
    check_limits(
        selected,
        &tier,
        &grown,
        Some(&server_reservation(js)),
        reserved,
        0,
    )
    .map_err(limits_error)
}

/// Go's `updateWithAdvisory`: lowered consumer limits may not leave consumers above them. Go
/// names them in its map order; they are sorted here.
fn check_consumer_limits(
    stream: &Stream,
    old: &StreamConfig,
    cfg: &StreamConfig,
) -> Result<(), ApiError> {
    let (o, n) = (&old.consumer_limits, &cfg.consumer_limits);
    let inactive = n.inactive_threshold > 0 && o.inactive_threshold != n.inactive_threshold;
    let pending = n.max_ack_pending > 0 && o.max_ack_pending != n.max_ack_pending;
    if !inactive && !pending {
        return Ok(());
    }
    let mut over: Vec<String> = stream
        .consumers()
        .iter()
        .filter(|c| {
            (n.inactive_threshold > 0 && c.cfg.inactive_threshold > n.inactive_threshold)
                || (n.max_ack_pending > 0 && c.cfg.max_ack_pending > n.max_ack_pending)
        })
        .map(|c| c.name.clone())
        .collect();
    if over.is_empty() {
        return Ok(());
    }
    over.sort();
    Err(ErrorId::StreamUpdate.with_err(format!(
        "change to limits violates consumers: {}",
        over.join(", ")
    )))
}

fn account_configs(jsa: &JsAccount) -> Vec<StreamConfig> {
    jsa.streams()
        .iter()
        .map(|s| (*s.config()).clone())
        .collect()
}

/// What the streams of all accounts reserve on this server, by storage.
fn server_reservation(js: &JetStream) -> crate::jetstream::api::limits::ServerReservation {
    let reserved = |st: StorageType| -> i64 {
        js.accounts()
            .iter()
            .flat_map(|a| a.streams())
            .map(|s| s.config())
            .filter(|c| c.storage == st && c.max_bytes > 0)
            .map(|c| c.max_bytes)
            .sum()
    };
    crate::jetstream::api::limits::ServerReservation {
        max_memory: js.max_memory,
        mem_reserved: reserved(StorageType::Memory),
        max_store: js.max_store,
        store_reserved: reserved(StorageType::File),
    }
}

fn limits_error(e: ApiError) -> ApiError {
    if e.err_code == 0 {
        ErrorId::StreamLimits.with_err(e.description)
    } else {
        e
    }
}

fn stream_update(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    subject_name: &str,
    body: &[u8],
) -> String {
    let kind = types::STREAM_UPDATE;
    let req = match crate::jetstream::api::decode::decode_stream_config_request(body) {
        Ok(r) => r,
        Err(e) => return err_json(kind, ErrorId::InvalidJSON.with_err(e)),
    };
    if subject_name != req.config.name {
        return err_json(kind, ErrorId::StreamMismatch.err());
    }
    let Some(stream) = jsa.stream(subject_name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    let ctx = CheckCtx { js, jsa };
    let mut cfg = match check_stream_config(&req.config, &ctx, req.pedantic) {
        Ok(c) => c,
        Err(e) => return err_json(kind, e),
    };
    let old = stream.config();
    cfg.copy_metadata_from(Some(&old));
    if let Err(e) = check_update(&old, &cfg) {
        return err_json(kind, e);
    }
    if cfg.sealed {
        // What a sealed stream must be (Go's `configUpdateCheck`).
        cfg.max_age = 0;
        cfg.discard = DiscardPolicy::New;
        cfg.deny_delete = true;
        cfg.deny_purge = true;
        cfg.allow_rollup = false;
    }
    if let Err(e) = update_limits_check(js, jsa, &old, &cfg) {
        return err_json(kind, e);
    }
    if let Err(e) = check_consumer_limits(&stream, &old, &cfg) {
        return err_json(kind, e);
    }
    if let Err(e) = check_overlap(jsa, &cfg, Some(subject_name)) {
        return err_json(kind, e);
    }
    if let Err(e) = stream.update(cfg) {
        return err_json(kind, e);
    }
    if let Err(e) = super::persist::write_meta(&stream) {
        return err_json(kind, ErrorId::StreamUpdate.with_err(e));
    }
    super::advisory::stream_action(server, &jsa.account, &stream.name, "modify", &js.domain);
    go_json(&StreamUpdateResponse {
        response: ApiResponse::new(kind),
        info: Some(stream.info(&server.name, version(), InfoKind::Update)),
    })
}

/// The parts of Go's `stream.checkConfigUpdate` a single server enforces.
fn check_update(old: &StreamConfig, new: &StreamConfig) -> Result<(), ApiError> {
    let invalid = |m: &str| ErrorId::StreamInvalidConfig.with_err(m);
    if new.storage != old.storage {
        return Err(invalid(
            "stream configuration update can not change storage type",
        ));
    }
    // Limits and interest can be swapped; work queues stay what they are.
    if new.retention != old.retention
        && (old.retention == RetentionPolicy::WorkQueue
            || new.retention == RetentionPolicy::WorkQueue)
    {
        return Err(invalid(
            "stream configuration update can not change retention policy to/from workqueue",
        ));
    }
    if old.sealed && !new.sealed {
        return Err(invalid(
            "stream configuration update can not unseal a sealed stream",
        ));
    }
    if old.deny_delete && !new.deny_delete {
        return Err(invalid(
            "stream configuration update can not cancel deny message deletes",
        ));
    }
    if old.deny_purge && !new.deny_purge {
        return Err(invalid(
            "stream configuration update can not cancel deny purge",
        ));
    }
    // Dropping the mirror promotes the stream to a normal one.
    if new.mirror.is_some() && old.mirror != new.mirror {
        return Err(ErrorId::StreamMirrorNotUpdatable.err());
    }
    if old.allow_msg_ttl && !new.allow_msg_ttl {
        return Err(invalid("message TTL status can not be disabled"));
    }
    if new.allow_msg_counter != old.allow_msg_counter {
        return Err(invalid(
            "stream configuration update can not change message counter setting",
        ));
    }
    if old.allow_msg_schedules && !new.allow_msg_schedules {
        return Err(invalid("message schedules can not be disabled"));
    }
    if old.persist_mode != new.persist_mode {
        return Err(invalid(
            "stream configuration update can not change persist mode",
        ));
    }
    Ok(())
}

fn stream_info(server: &ServerShared, jsa: &JsAccount, name: &str, body: &[u8]) -> String {
    let kind = types::STREAM_INFO;
    let req: StreamInfoRequest = match decode(body, "JSApiStreamInfoRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    let Some(stream) = jsa.stream(name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    let mut info = stream.info(&server.name, version(), InfoKind::Info);
    if req.deleted_details {
        info.state.deleted = stream.store().state().deleted;
    }
    let mut paged = ApiPaged::default();
    if !req.subjects_filter.is_empty() {
        let totals = stream.store().subjects_totals(&req.subjects_filter);
        let mut subjects: Vec<(String, u64)> = totals.into_iter().collect();
        subjects.sort();
        paged.total = subjects.len() as i64;
        paged.offset = req.offset.max(0);
        paged.limit = 100_000;
        info.state.subjects = subjects
            .into_iter()
            .skip(paged.offset as usize)
            .take(paged.limit as usize)
            .collect();
    }
    go_json(&StreamInfoResponse {
        response: ApiResponse::new(kind),
        paged,
        info: Some(info),
    })
}

fn stream_delete(server: &ServerShared, js: &JetStream, jsa: &JsAccount, name: &str) -> String {
    let kind = types::STREAM_DELETE;
    let Some(stream) = jsa.remove_stream(name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    if let Err(e) = stream.delete() {
        return err_json(kind, ErrorId::StreamDelete.with_err(e));
    }
    super::advisory::stream_action(server, &jsa.account, name, "delete", &js.domain);
    go_json(&SuccessResponse {
        response: ApiResponse::new(kind),
        success: true,
    })
}

fn stream_purge(jsa: &JsAccount, name: &str, body: &[u8]) -> String {
    let kind = types::STREAM_PURGE;
    let Some(stream) = jsa.stream(name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    if stream.config().sealed {
        return err_json(kind, ErrorId::StreamSealed.err());
    }
    if stream.config().deny_purge {
        return err_json(
            kind,
            ErrorId::StreamPurgeFailed.with_err("stream purge not permitted"),
        );
    }
    let req: StreamPurgeRequest = match decode(body, "JSApiStreamPurgeRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    if req.sequence > 0 && req.keep > 0 {
        return err_json(kind, ErrorId::BadRequest.err());
    }
    let res = if req.subject.is_empty() && req.sequence == 0 && req.keep == 0 {
        stream.store().purge()
    } else {
        stream
            .store()
            .purge_ex(&req.subject, req.sequence, req.keep)
    };
    stream.recount_pending();
    match res {
        Ok(purged) => go_json(&StreamPurgeResponse {
            response: ApiResponse::new(kind),
            success: true,
            purged,
        }),
        Err(e) => err_json(kind, ErrorId::StreamGeneralError.with_err(e)),
    }
}

fn stream_names(jsa: &JsAccount, body: &[u8]) -> String {
    let kind = types::STREAM_NAMES;
    let req: StreamNamesRequest = match decode(body, "JSApiStreamNamesRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    let mut names: Vec<String> = jsa
        .streams()
        .iter()
        .filter(|s| {
            req.subject.is_empty()
                || s.config().subjects.iter().any(|subj| {
                    crate::sublist::subjects_collide(req.subject.as_bytes(), subj.as_bytes())
                })
        })
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    let total = names.len() as i64;
    let offset = req.offset.clamp(0, total);
    let page: Vec<String> = names
        .into_iter()
        .skip(offset as usize)
        .take(responses::JS_API_NAMES_LIMIT as usize)
        .collect();
    go_json(&StreamNamesResponse {
        response: ApiResponse::new(kind),
        paged: ApiPaged {
            total,
            offset,
            limit: responses::JS_API_NAMES_LIMIT,
        },
        streams: Some(page),
    })
}

fn stream_list(server: &ServerShared, jsa: &JsAccount, body: &[u8]) -> String {
    let kind = types::STREAM_LIST;
    let req: StreamNamesRequest = match decode(body, "JSApiStreamNamesRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    let mut streams: Vec<Arc<Stream>> = jsa
        .streams()
        .into_iter()
        .filter(|s| {
            req.subject.is_empty()
                || s.config().subjects.iter().any(|subj| {
                    crate::sublist::subjects_collide(req.subject.as_bytes(), subj.as_bytes())
                })
        })
        .collect();
    streams.sort_by(|a, b| a.name.cmp(&b.name));
    let total = streams.len() as i64;
    let offset = req.offset.clamp(0, total);
    let page = streams
        .iter()
        .skip(offset as usize)
        .take(responses::JS_API_LIST_LIMIT as usize)
        .map(|s| s.info(&server.name, version(), InfoKind::List))
        .collect();
    go_json(&StreamListResponse {
        response: ApiResponse::new(kind),
        paged: ApiPaged {
            total,
            offset,
            limit: responses::JS_API_LIST_LIMIT,
        },
        streams: Some(page),
        ..Default::default()
    })
}

/// A stored message as MSG.GET returns it (headers and data base64).
pub fn stored_msg(m: &crate::jetstream::store::StoreMsg) -> StoredMsg {
    StoredMsg {
        subject: m.subject.to_string(),
        sequence: m.seq,
        header: m.hdr.to_vec(),
        data: m.msg.to_vec(),
        time: GoTime::from_unix_nanos(m.ts),
    }
}

/// Go's `jsMsgGetRequest` checks: no batch, and `seq`, `last_by_subj` and `start_time` exclude
/// each other (`next_by_subj` may go with `seq` or `start_time` as the filter).
fn check_msg_get(req: &MsgGetRequest) -> Result<(), ApiError> {
    let (seq, last, next, time) = (
        req.seq > 0,
        !req.last_for.is_empty(),
        !req.next_for.is_empty(),
        req.start_time.is_some(),
    );
    if req.batch > 0
        || req.max_bytes > 0
        || (seq && last)
        || (!seq && !last && !next && !time)
        || (seq && time)
        || (time && last)
        || (last && next)
    {
        return Err(ErrorId::BadRequest.err());
    }
    Ok(())
}

/// Go's `jsMsgGetRequest` lookup: a start time picks the first sequence at or after it.
fn lookup(
    stream: &Stream,
    req: &MsgGetRequest,
) -> Result<crate::jetstream::store::StoreMsg, ApiError> {
    let store = stream.store();
    let seq = match &req.start_time {
        Some(t) => store.get_seq_from_time(t.unix_nanos() as i64),
        None => req.seq,
    };
    let r = if seq > 0 && req.next_for.is_empty() {
        store.load_msg(seq)
    } else if !req.next_for.is_empty() {
        let wc = crate::sublist::subject_has_wildcard(req.next_for.as_bytes());
        store.load_next_msg(&req.next_for, wc, seq)
    } else {
        store.load_last_msg(&req.last_for)
    };
    r.map_err(|_| ErrorId::NoMessageFound.err())
}

fn msg_get(jsa: &JsAccount, name: &str, body: &[u8]) -> String {
    let kind = types::MSG_GET;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return err_json(kind, ErrorId::BadRequest.err());
    }
    let req: MsgGetRequest = match decode(body, "JSApiMsgGetRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    if let Err(e) = check_msg_get(&req) {
        return err_json(kind, e);
    }
    let Some(stream) = jsa.stream(name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    match lookup(&stream, &req) {
        Ok(m) => {
            let mut message = stored_msg(&m);
            if req.no_headers {
                message.header.clear();
            }
            go_json(&MsgGetResponse {
                response: ApiResponse::new(kind),
                message: Some(message),
            })
        }
        Err(e) => err_json(kind, e),
    }
}

fn msg_delete(jsa: &JsAccount, name: &str, body: &[u8]) -> String {
    let kind = types::MSG_DELETE;
    let Some(stream) = jsa.stream(name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    let cfg = stream.config();
    if cfg.sealed {
        return err_json(kind, ErrorId::StreamSealed.err());
    }
    if cfg.deny_delete {
        return err_json(
            kind,
            ErrorId::StreamMsgDeleteFailed.with_err("message delete not permitted"),
        );
    }
    let req: MsgDeleteRequest = match decode(body, "JSApiMsgDeleteRequest") {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    let res = if req.no_erase {
        stream.store().remove_msg(req.seq)
    } else {
        stream.store().erase_msg(req.seq)
    };
    stream.recount_pending();
    match res {
        Ok(true) => go_json(&SuccessResponse {
            response: ApiResponse::new(kind),
            success: true,
        }),
        Ok(false) => err_json(
            kind,
            ErrorId::StreamMsgDeleteFailed.with_err(format!("sequence [{}] not found", req.seq)),
        ),
        Err(e) => err_json(kind, ErrorId::StreamMsgDeleteFailed.with_err(e)),
    }
}
