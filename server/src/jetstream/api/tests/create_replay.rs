//! Replays Go's stream create requests through our decode, checks and response building on
//! a simulated single-server account, and compares each answer with Go's.

use std::collections::BTreeMap;

use super::go_fixtures::CASES;
use crate::info::go_json;
use crate::jetstream::api::decode::decode_stream_config_request;
use crate::jetstream::api::responses::{
    stream_name_from_subject, types, ApiResponse, StreamCreateResponse,
};
use crate::jetstream::api::stream_check::{
    check_create_request, check_stream_config, subjects_overlap, StreamCheckContext,
};
use crate::jetstream::api::stream_info::{StreamInfo, StreamSourceInfo, StreamState};
use crate::jetstream::api::{check_source_filters, ApiError, ErrorId, GoTime, StreamConfig};

/// An account's streams on a single server with default (unlimited) limits.
#[derive(Default)]
struct Account {
    streams: BTreeMap<String, StreamConfig>,
}

/// The part of Go's transform validation these requests reach: a destination may only refer
/// to wildcards the source has (`{{wildcard(n)}}` with 1 <= n <= number of `*` tokens).
fn wildcard_refs_ok(src: &str, dest: &str) -> Result<(), String> {
    let wildcards = src.split('.').filter(|t| *t == "*").count();
    let mut rest = dest;
    while let Some(i) = rest.find("{{wildcard(") {
        rest = &rest[i + "{{wildcard(".len()..];
        let end = rest.find(')').ok_or("invalid mapping destination")?;
        let n: usize = rest[..end]
            .trim()
            .parse()
            .map_err(|_| "invalid mapping destination")?;
        if n == 0 || n > wildcards {
            return Err(format!(
                "invalid mapping destination: wildcard index out of range in {dest}"
            ));
        }
    }
    Ok(())
}

impl StreamCheckContext for Account {
    fn max_duplicates_window(&self) -> i64 {
        0
    }
    fn stream_config(&self, name: &str) -> Option<StreamConfig> {
        self.streams.get(name).cloned()
    }
    fn max_bytes_limits(&self, _cfg: &StreamConfig) -> (bool, i64) {
        (false, -1)
    }
    fn validate_mapping(&self, src: &str, dest: &str) -> Result<(), String> {
        wildcard_refs_ok(src, dest)
    }
    fn subject_transform(&self, src: &str, dest: &str) -> Result<(), String> {
        wildcard_refs_ok(src, dest)
    }
}

impl Account {
    /// Go's `jsStreamCreateRequest` and `addStream` for a single server, without the store.
    fn create(&mut self, subject: &str, body: &str) -> Result<StreamInfo, ApiError> {
        let name = stream_name_from_subject(subject);
        let mut req = decode_stream_config_request(body.as_bytes())
            .map_err(|e| ErrorId::InvalidJSON.with_err(e))?;
        req.config.set_static_metadata();
        check_create_request(name, &req.config)?;
        let mut cfg = check_stream_config(&req.config, self, req.pedantic)?;
        if cfg.replicas > 1 {
            return Err(ErrorId::StreamReplicasNotSupported.err());
        }
        if let Some(existing) = self.streams.get(&cfg.name) {
            cfg.copy_metadata_from(Some(existing));
            if cfg != *existing {
                return Err(ErrorId::StreamNameExist.err());
            }
            return Ok(info_of(existing));
        }
        check_source_filters(&cfg, self)?;
        if subjects_overlap(&cfg.subjects, self.streams.values()) {
            return Err(ErrorId::StreamSubjectOverlap.err());
        }
        self.streams.insert(cfg.name.clone(), cfg.clone());
        Ok(info_of(&cfg))
    }
}

fn info_of(cfg: &StreamConfig) -> StreamInfo {
    StreamInfo {
        config: cfg.with_dynamic_metadata("2.15.1"),
        created: GoTime::ZERO,
        state: StreamState::empty(cfg.first_seq),
        mirror: cfg.mirror.as_ref().map(StreamSourceInfo::initial_mirror),
        sources: cfg
            .sources
            .iter()
            .map(StreamSourceInfo::initial_source)
            .collect(),
        timestamp: GoTime::ZERO,
        ..Default::default()
    }
}

/// Go lists sources in map order; compare them in a fixed order.
fn sort_sources(info: &mut StreamInfo) {
    info.sources.sort_by_key(|s| format!("{s:?}"));
}

#[test]
fn create_requests_answer_as_go_does() {
    let mut acc = Account::default();
    let mut checked = 0;
    for case in CASES
        .iter()
        .filter(|c| c.subject.starts_with("$JS.API.STREAM.CREATE."))
    {
        // A subject with more tokens matches no handler; Go does not answer.
        let Some(reply) = case.reply else {
            assert!(case.subject.split('.').count() > 5, "{}", case.subject);
            continue;
        };
        checked += 1;
        match acc.create(case.subject, case.request) {
            Err(e) => {
                let ours = StreamCreateResponse {
                    response: ApiResponse::err(types::STREAM_CREATE, e),
                    info: None,
                    did_create: false,
                };
                assert_eq!(go_json(&ours), reply, "request {}", case.request);
            }
            Ok(mut info) => {
                let go: StreamCreateResponse =
                    serde_json::from_str(reply).unwrap_or_else(|e| panic!("{e}: {reply}"));
                let Some(mut go_info) = go.info else {
                    panic!("we created {} but Go answered {reply}", case.request);
                };
                assert!(go.did_create && go.response.error.is_none(), "{reply}");
                // Times are the server's clock; everything else must match.
                info.created = go_info.created;
                info.timestamp = go_info.timestamp;
                sort_sources(&mut info);
                sort_sources(&mut go_info);
                assert_eq!(info, go_info, "request {}", case.request);
            }
        }
    }
    assert!(checked > 150, "only {checked} create cases");
}

#[test]
fn oversized_names_descriptions_and_metadata() {
    // Replies recorded from Go 2.15.1 for a 256-byte name, a 4097-byte description and
    // 128 KiB + 2 bytes of metadata.
    let acc = Account::default();
    let mut cfg = StreamConfig {
        name: "x".repeat(256),
        ..Default::default()
    };
    let err = |cfg: &StreamConfig| check_stream_config(cfg, &acc, false).expect_err("must fail");
    assert_eq!(
        go_json(&err(&cfg)),
        r#"{"code":500,"err_code":10052,"description":"stream name is too long, maximum allowed is 255"}"#
    );
    cfg.name = "x".repeat(255);
    assert!(check_stream_config(&cfg, &acc, false).is_ok());
    cfg.description = "d".repeat(4097);
    assert_eq!(
        go_json(&err(&cfg)),
        r#"{"code":500,"err_code":10052,"description":"stream description is too long, maximum allowed is 4096"}"#
    );
    cfg.description = "d".repeat(4096);
    cfg.metadata.insert("k".into(), "v".repeat(128 * 1024));
    assert_eq!(
        go_json(&err(&cfg)),
        r#"{"code":500,"err_code":10052,"description":"stream metadata exceeds maximum size of 131072 bytes"}"#
    );
}

// go: server/TestJetStreamAddStreamCanonicalNames
#[test]
fn stream_names_with_subject_tokens_are_refused() {
    let acc = Account::default();
    for name in ["foo.bar", "foo.bar.", "foo.*", "foo.>", "*", ">", "*>"] {
        let cfg = StreamConfig {
            name: name.into(),
            ..Default::default()
        };
        let err = check_stream_config(&cfg, &acc, false).expect_err(name);
        assert!(err.is(ErrorId::StreamInvalidConfig), "{name}: {err}");
    }
}

// go: server/TestJetStreamAddStreamBadSubjects
#[test]
fn bad_stream_subjects_are_refused_through_the_api() {
    use crate::jetstream::api::enums::StorageType;
    let mut acc = Account::default();
    for subject in ["foo.bar.", "..", ".*", ".>", " x", "y "] {
        // The client marshals a whole StreamConfig, as Go's test does.
        let cfg = StreamConfig {
            name: "MyStream".into(),
            storage: StorageType::Memory,
            subjects: vec![subject.into()],
            ..Default::default()
        };
        let err = acc
            .create("$JS.API.STREAM.CREATE.MyStream", &go_json(&cfg))
            .expect_err(subject);
        assert_eq!(
            err,
            ErrorId::StreamInvalidConfig.with_err("invalid subject"),
            "{subject:?}"
        );
    }
}

#[test]
fn transform_errors_carry_the_transform_text() {
    // The transform parser is the server's; its error text becomes the description.
    let acc = Account::default();
    let cfg = StreamConfig {
        name: "T".into(),
        subjects: vec!["a.*".into()],
        subject_transform: Some(
            crate::jetstream::api::stream_config::SubjectTransformConfig {
                source: "a.*".into(),
                destination: "b.{{wildcard(2)}}".into(),
            },
        ),
        ..Default::default()
    };
    let err = check_stream_config(&cfg, &acc, false).expect_err("bad transform");
    assert_eq!(
        err,
        ErrorId::StreamTransformInvalidDestination.with_err(
            "invalid mapping destination: wildcard index out of range in b.{{wildcard(2)}}"
        )
    );
    assert_eq!((err.code, err.err_code), (400, 10156));
}
