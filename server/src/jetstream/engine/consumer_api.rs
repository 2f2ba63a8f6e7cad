//! The consumer requests of `$JS.API` (Go's `jsConsumerCreateRequest`,
//! `jsConsumerInfoRequest`, `jsConsumerNamesRequest`, `jsConsumerListRequest`,
//! `jsConsumerDeleteRequest` in jetstream_api.go) for a single server.

use std::sync::Arc;

use serde::Serialize;

use super::consumer::{check, config, Consumer};
use super::{JetStream, JsAccount};
use crate::info::go_json;
use crate::jetstream::api::consumer_config::{ConsumerConfig, ConsumerInfo, CreateConsumerRequest};
use crate::jetstream::api::responses::{
    types, ApiPaged, ApiResponse, ConsumerInfoResponse, StreamNamesRequest, SuccessResponse,
};
use crate::jetstream::api::{ApiError, ErrorId};
use crate::server::ServerShared;

const CONSUMER_NAMES: &str = "io.nats.jetstream.api.v1.consumer_names_response";
const CONSUMER_LIST: &str = "io.nats.jetstream.api.v1.consumer_list_response";
const CONSUMER_DELETE: &str = "io.nats.jetstream.api.v1.consumer_delete_response";
/// Go's `JSApiNamesLimit` and `JSApiListLimit`.
const NAMES_LIMIT: i64 = 1024;
const LIST_LIMIT: i64 = 256;

thread_local! {
    /// The `Nats-Stream-Identity` of the request being answered (the API task answers one
    /// request at a time) and the header block its answer carries.
    static REQUEST_IDENTITY: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    static ANSWER_HEADER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Set before a request is dispatched: its `Nats-Stream-Identity` header.
pub fn set_request_identity(identity: Option<String>) {
    REQUEST_IDENTITY.with(|r| *r.borrow_mut() = identity);
    ANSWER_HEADER.with(|h| h.borrow_mut().clear());
}

/// The header block the answer to the request just dispatched carries (empty for none).
pub fn take_answer_header() -> Vec<u8> {
    ANSWER_HEADER.with(|h| std::mem::take(&mut *h.borrow_mut()))
}

fn err_json(kind: &str, e: ApiError) -> String {
    super::api::err_json(kind, e)
}

/// Answer a `$JS.API.CONSUMER.*` request; None when Go does not answer (MSG.NEXT is the consumer's).
pub fn dispatch(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    toks: &[&str],
    body: &[u8],
) -> Option<String> {
    Some(match toks {
        ["CREATE", stream] => create(server, js, jsa, stream, None, None, body),
        ["CREATE", stream, name] => create(server, js, jsa, stream, Some(name), None, body),
        ["CREATE", stream, name, filter @ ..] => {
            let f = filter.join(".");
            create(server, js, jsa, stream, Some(name), Some(&f), body)
        }
        ["DURABLE", "CREATE", stream, name] => create_durable(server, js, jsa, stream, name, body),
        ["INFO", stream, name] => info(server, jsa, stream, name),
        ["NAMES", stream] => names(jsa, stream, body),
        ["LIST", stream] => list(server, jsa, stream, body),
        ["DELETE", stream, name] => delete(server, js, jsa, stream, name),
        ["PAUSE", stream, name] => super::consumer_ctl::pause(js, jsa, stream, name, body),
        ["UNPIN", stream, name] => super::consumer_ctl::unpin(js, jsa, stream, name, body),
        ["RESET", stream, name] => super::consumer_ctl::reset(jsa, stream, name, body)?,
        _ => return None,
    })
}

fn decode_create(body: &[u8]) -> Result<CreateConsumerRequest, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ErrorId::ConsumerConfigRequired.err());
    }
    crate::jetstream::api::decode::decode_request(body, "CreateConsumerRequest")
        .map_err(|e| ErrorId::InvalidJSON.with_err(e))
}

/// Which create subject a request came on (Go's `ccReqType`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CreateKind {
    /// `CONSUMER.CREATE.<stream>`: the name, if any, is in the body.
    LegacyEphemeral,
    /// `CONSUMER.DURABLE.CREATE.<stream>.<durable>`.
    LegacyDurable,
    /// `CONSUMER.CREATE.<stream>.<name>[.<filter>]`.
    New,
}

fn create_durable(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream: &str,
    durable: &str,
    body: &[u8],
) -> String {
    create_as(
        server,
        js,
        jsa,
        CreateKind::LegacyDurable,
        stream,
        Some(durable),
        None,
        body,
    )
}

fn create(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream: &str,
    name: Option<&str>,
    filter: Option<&str>,
    body: &[u8],
) -> String {
    let kind = if name.is_some() {
        CreateKind::New
    } else {
        CreateKind::LegacyEphemeral
    };
    create_as(server, js, jsa, kind, stream, name, filter, body)
}

/// Go's `jsConsumerCreateRequest` for one server: the subject and the body must agree before
/// the config is looked at.
#[allow(clippy::too_many_arguments)]
fn create_as(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    rt: CreateKind,
    stream: &str,
    name: Option<&str>,
    filter: Option<&str>,
    body: &[u8],
) -> String {
    let kind = types::CONSUMER_CREATE;
    let mut req = match decode_create(body) {
        Ok(r) => r,
        Err(e) => return err_json(kind, e),
    };
    if req.stream != stream {
        return err_json(kind, ErrorId::StreamMismatch.err());
    }
    let consumer_name = match name {
        Some(n) => n.to_string(),
        None => req.config.name.clone(),
    };
    if consumer_name.contains(['\\', '/']) {
        return err_json(kind, ErrorId::ConsumerNameContainsPathSeparators.err());
    }
    let cfg = &mut req.config;
    match rt {
        CreateKind::LegacyDurable => {
            if cfg.durable.is_empty() {
                return err_json(kind, ErrorId::ConsumerDurableNameNotSet.err());
            }
            if cfg.durable != consumer_name {
                return err_json(kind, ErrorId::ConsumerDurableNameNotMatchSubject.err());
            }
            cfg.name = consumer_name;
        }
        CreateKind::New => {
            if !cfg.durable.is_empty() && cfg.durable != consumer_name {
                return err_json(kind, ErrorId::ConsumerDurableNameNotMatchSubject.err());
            }
            cfg.name = consumer_name;
        }
        CreateKind::LegacyEphemeral => {
            if !cfg.durable.is_empty() {
                return err_json(kind, ErrorId::ConsumerEphemeralWithDurableName.err());
            }
        }
    }
    if let Some(f) = filter.filter(|f| !f.is_empty()) {
        if !cfg.filter_subjects.is_empty() {
            return err_json(kind, ErrorId::ConsumerMultipleFiltersNotAllowed.err());
        }
        if cfg.filter_subject != f {
            return err_json(kind, ErrorId::ConsumerCreateFilterSubjectMismatch.err());
        }
    }
    if cfg.replicas > 1 {
        return err_json(kind, ErrorId::StreamReplicasNotSupported.err());
    }
    finish_create(server, js, jsa, stream, req)
}

fn finish_create(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream_name: &str,
    req: CreateConsumerRequest,
) -> String {
    let kind = types::CONSUMER_CREATE;
    if !req.stream.is_empty() && req.stream != stream_name {
        return err_json(kind, ErrorId::StreamMismatch.err());
    }
    let Some(stream) = jsa.stream(stream_name) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    let mut cfg = req.config;
    let scfg = stream.config();
    // A sourcing consumer of another stream: Go makes it durable (acked by flow control) on an
    // interest or work queue stream, else it keeps the stable name with a random suffix.
    if cfg.direct && cfg.sourcing && !cfg.name.is_empty() {
        if scfg.retention != crate::jetstream::api::enums::RetentionPolicy::Limits {
            cfg.direct = false;
            cfg.durable = cfg.name.clone();
            cfg.ack_policy = crate::jetstream::api::enums::AckPolicy::FlowControl;
            cfg.ack_wait = 0;
            cfg.max_deliver = 0;
            cfg.inactive_threshold = 0;
        } else {
            cfg.name = format!(
                "{}-{}",
                cfg.name,
                super::node_hash(&rand::random::<u64>().to_string())
            );
        }
    }
    // Go's stream identity check for direct and sourcing consumers; the answer names it.
    let identity = (cfg.direct || cfg.sourcing).then(|| stream.identity());
    if let Some(id) = &identity {
        let asked = REQUEST_IDENTITY.with(|r| r.borrow().clone());
        if asked.is_some_and(|a| !a.is_empty() && a != *id) {
            return err_json(
                kind,
                ErrorId::ConsumerStreamIdentityMismatch.fill(&[("{msg}", id)]),
            );
        }
    }
    // Go sets the defaults first, then checks (addConsumerWithAssignment).
    config::set_defaults(&mut cfg, &scfg, jsa.limits.max_ack_pending);
    let opts = server.opts();
    let limits = check::Limits {
        server_max_ack_pending: opts.js.limits.max_ack_pending,
        server_max_request_batch: opts.js.limits.max_request_batch,
        account_max_ack_pending: jsa.limits.max_ack_pending,
    };
    if let Err(e) = check::go_rules(&cfg, &scfg, &limits).and_then(|()| config::check(&cfg, &scfg))
    {
        return err_json(kind, e);
    }
    let name = if !cfg.durable.is_empty() {
        cfg.durable.clone()
    } else if !cfg.name.is_empty() {
        cfg.name.clone()
    } else {
        let n = super::node_hash(&format!(
            "{}{}",
            rand::random::<u64>(),
            rand::random::<u64>()
        ));
        cfg.name = n.clone();
        n
    };
    if !cfg.durable.is_empty() && cfg.name.is_empty() {
        cfg.name = cfg.durable.clone();
    }
    // An existing consumer keeps its pause: only the pause request changes it.
    if let Some(existing) = stream.consumer(&name) {
        cfg.pause_until = existing.cfg.pause_until;
    }
    config::set_static_metadata(&mut cfg);
    let c = match create_or_update(
        server,
        js,
        jsa,
        &stream,
        stream_name,
        name,
        cfg,
        &req.action,
    ) {
        Ok(c) => c,
        Err(e) => return err_json(kind, e),
    };
    let answer = go_json(&ConsumerInfoResponse {
        response: ApiResponse::new(kind),
        info: Some(c.info(&server.name)),
    });
    if let Some(id) = identity {
        let h = format!("NATS/1.0\r\nNats-Stream-Identity: {id}\r\n\r\n");
        ANSWER_HEADER.with(|a| *a.borrow_mut() = h.into_bytes());
    }
    if c.paused_until().is_some() {
        super::advisory::consumer_pause(
            server,
            &jsa.account,
            stream_name,
            &c.name,
            c.cfg.pause_until,
            &js.domain,
        );
    }
    answer
}

/// Go's `addConsumerWithAction` for a checked config: the existing consumer as is, updated, or a
/// new one.
#[allow(clippy::too_many_arguments)]
fn create_or_update(
    server: &ServerShared,
    js: &Arc<JetStream>,
    jsa: &Arc<JsAccount>,
    stream: &Arc<super::Stream>,
    stream_name: &str,
    name: String,
    cfg: ConsumerConfig,
    action: &str,
) -> Result<Arc<Consumer>, ApiError> {
    if let Some(existing) = stream.consumer(&name) {
        if action == "create" && existing.cfg != cfg {
            return Err(ErrorId::ConsumerAlreadyExists.err());
        }
        if existing.cfg == cfg {
            return Ok(existing);
        }
        // Go's updateConfig: allowed changes apply and the consumer carries on from its state.
        let interest = !existing.cfg.deliver_subject.is_empty()
            && jsa
                .account
                .sublist
                .has_interest(existing.cfg.deliver_subject.as_bytes());
        config::check_update(&existing.cfg, &cfg, interest)?;
        let c = Consumer::update(stream, &existing, cfg);
        stream.add_consumer(c.clone());
        return Ok(c);
    } else if action == "update" {
        return Err(ErrorId::ConsumerDoesNotExist.err());
    }
    let limits = &jsa.limits;
    if limits.max_consumers > 0 && stream.consumers().len() as i64 >= limits.max_consumers {
        return Err(ErrorId::MaximumConsumersLimit.err());
    }
    let scfg = stream.config();
    if scfg.max_consumers > 0 && stream.consumers().len() as i64 >= scfg.max_consumers {
        return Err(ErrorId::MaximumConsumersLimit.err());
    }
    let c = Consumer::start(stream, name, cfg);
    stream.add_consumer(c.clone());
    super::advisory::consumer_action(
        server,
        &jsa.account,
        stream_name,
        &c.name,
        "create",
        &js.domain,
    );
    Ok(c)
}

fn info(server: &ServerShared, jsa: &JsAccount, stream: &str, name: &str) -> String {
    let kind = types::CONSUMER_INFO;
    let Some(s) = jsa.stream(stream) else {
        return err_json(kind, ErrorId::StreamNotFound.err());
    };
    let Some(c) = s.consumer(name) else {
        return err_json(kind, ErrorId::ConsumerNotFound.err());
    };
    go_json(&ConsumerInfoResponse {
        response: ApiResponse::new(kind),
        info: Some(c.info(&server.name)),
    })
}

#[derive(Serialize)]
struct NamesResponse {
    #[serde(flatten)]
    response: ApiResponse,
    #[serde(flatten)]
    paged: ApiPaged,
    consumers: Vec<String>,
}

#[derive(Serialize)]
struct ListResponse {
    #[serde(flatten)]
    response: ApiResponse,
    #[serde(flatten)]
    paged: ApiPaged,
    consumers: Vec<ConsumerInfo>,
}

fn offset(body: &[u8]) -> Result<i64, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(0);
    }
    crate::jetstream::api::decode::decode_request::<StreamNamesRequest>(
        body,
        "JSApiConsumersRequest",
    )
    .map(|r| r.offset.max(0))
    .map_err(|e| ErrorId::InvalidJSON.with_err(e))
}

fn names(jsa: &JsAccount, stream: &str, body: &[u8]) -> String {
    let Some(s) = jsa.stream(stream) else {
        return err_json(CONSUMER_NAMES, ErrorId::StreamNotFound.err());
    };
    let off = match offset(body) {
        Ok(o) => o,
        Err(e) => return err_json(CONSUMER_NAMES, e),
    };
    let mut all: Vec<String> = s
        .public_consumers()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    all.sort();
    let total = all.len() as i64;
    let off = off.min(total);
    go_json(&NamesResponse {
        response: ApiResponse::new(CONSUMER_NAMES),
        paged: ApiPaged {
            total,
            offset: off,
            limit: NAMES_LIMIT,
        },
        consumers: all
            .into_iter()
            .skip(off as usize)
            .take(NAMES_LIMIT as usize)
            .collect(),
    })
}

fn list(server: &ServerShared, jsa: &JsAccount, stream: &str, body: &[u8]) -> String {
    let Some(s) = jsa.stream(stream) else {
        return err_json(CONSUMER_LIST, ErrorId::StreamNotFound.err());
    };
    let off = match offset(body) {
        Ok(o) => o,
        Err(e) => return err_json(CONSUMER_LIST, e),
    };
    let mut all = s.public_consumers();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let total = all.len() as i64;
    let off = off.min(total);
    go_json(&ListResponse {
        response: ApiResponse::new(CONSUMER_LIST),
        paged: ApiPaged {
            total,
            offset: off,
            limit: LIST_LIMIT,
        },
        consumers: all
            .iter()
            .skip(off as usize)
            .take(LIST_LIMIT as usize)
            .map(|c| c.info(&server.name))
            .collect(),
    })
}

fn delete(
    server: &ServerShared,
    js: &JetStream,
    jsa: &JsAccount,
    stream: &str,
    name: &str,
) -> String {
    let Some(s) = jsa.stream(stream) else {
        return err_json(CONSUMER_DELETE, ErrorId::StreamNotFound.err());
    };
    if s.remove_consumer(name).is_none() {
        return err_json(CONSUMER_DELETE, ErrorId::ConsumerNotFound.err());
    }
    super::advisory::consumer_action(server, &jsa.account, stream, name, "delete", &js.domain);
    go_json(&SuccessResponse {
        response: ApiResponse::new(CONSUMER_DELETE),
        success: true,
    })
}
