//! Stream config JSON and the `_nats.*` metadata rules (Go's `jetstream_versioning_test.go`).

use std::collections::BTreeMap;

use super::*;
use crate::info::go_json;

fn level(l: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(JS_REQUIRED_LEVEL_METADATA_KEY.to_string(), l.to_string())])
}

fn dynamic() -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            JS_SERVER_VERSION_METADATA_KEY.to_string(),
            "dynamic-version".to_string(),
        ),
        (
            JS_SERVER_LEVEL_METADATA_KEY.to_string(),
            "dynamic-version".to_string(),
        ),
    ])
}

// go: server/TestGetAndSupportsRequiredApiLevel
#[test]
fn required_api_level_is_read_and_compared() {
    assert_eq!(get_required_api_level(&BTreeMap::new()), "");
    assert_eq!(get_required_api_level(&level("1")), "1");
    assert_eq!(get_required_api_level(&level("text")), "text");
    assert!(supports_required_api_level(&BTreeMap::new()));
    assert!(supports_required_api_level(&level("1")));
    assert!(supports_required_api_level(&level(
        &JS_API_LEVEL.to_string()
    )));
    assert!(!supports_required_api_level(&level(
        &(JS_API_LEVEL + 1).to_string()
    )));
    assert!(!supports_required_api_level(&level("text")));
}

// go: server/TestJetStreamSetStaticStreamMetadata
#[test]
fn static_metadata_records_the_level_features_need() {
    let cases: Vec<(StreamConfig, &str)> = vec![
        (StreamConfig::default(), "0"),
        (
            StreamConfig {
                metadata: level("previous-level"),
                ..Default::default()
            },
            "0",
        ),
        (
            StreamConfig {
                allow_msg_ttl: true,
                ..Default::default()
            },
            "1",
        ),
        (
            StreamConfig {
                subject_delete_marker_ttl: 1_000_000_000,
                ..Default::default()
            },
            "1",
        ),
        (
            StreamConfig {
                allow_msg_counter: true,
                ..Default::default()
            },
            "2",
        ),
        (
            StreamConfig {
                allow_atomic_publish: true,
                ..Default::default()
            },
            "2",
        ),
        (
            StreamConfig {
                allow_msg_schedules: true,
                ..Default::default()
            },
            "2",
        ),
        (
            StreamConfig {
                persist_mode: PersistMode::Async,
                ..Default::default()
            },
            "2",
        ),
        (
            StreamConfig {
                allow_batch_publish: true,
                ..Default::default()
            },
            "4",
        ),
    ];
    for (mut cfg, want) in cases {
        cfg.set_static_metadata();
        let got = get_required_api_level(&cfg.metadata).to_string();
        assert_eq!(got, want, "{cfg:?}");
        assert!(got.parse::<u32>().is_ok_and(|l| l <= JS_API_LEVEL));
    }
}

// go: server/TestJetStreamSetStaticStreamMetadataRemoveDynamicFields
#[test]
fn static_metadata_drops_dynamic_keys() {
    let mut cfg = StreamConfig {
        metadata: dynamic(),
        ..Default::default()
    };
    cfg.set_static_metadata();
    assert_eq!(cfg.metadata, level("0"));
}

// go: server/TestJetStreamSetDynamicStreamMetadata
#[test]
fn dynamic_metadata_only_on_the_copy() {
    let cfg = StreamConfig {
        metadata: level("0"),
        ..Default::default()
    };
    let shown = cfg.with_dynamic_metadata("2.15.1");
    assert_eq!(cfg.metadata, level("0"));
    let mut want = level("0");
    want.insert(JS_SERVER_VERSION_METADATA_KEY.into(), "2.15.1".into());
    want.insert(
        JS_SERVER_LEVEL_METADATA_KEY.into(),
        JS_API_LEVEL.to_string(),
    );
    assert_eq!(shown.metadata, want);
}

// go: server/TestJetStreamCopyStreamMetadata
#[test]
fn copy_metadata_takes_the_previous_level_or_none() {
    let with = |m: BTreeMap<String, String>| StreamConfig {
        metadata: m,
        ..Default::default()
    };
    let cases: Vec<(StreamConfig, Option<StreamConfig>)> = vec![
        (with(level("-1")), None),
        (with(level("-1")), Some(with(BTreeMap::new()))),
        (with(BTreeMap::new()), Some(with(level("previous-level")))),
        (with(level("-1")), Some(with(level("previous-level")))),
    ];
    for (mut cfg, prev) in cases {
        cfg.copy_metadata_from(prev.as_ref());
        let want = prev
            .as_ref()
            .and_then(|p| p.metadata.get(JS_REQUIRED_LEVEL_METADATA_KEY));
        assert_eq!(cfg.metadata.get(JS_REQUIRED_LEVEL_METADATA_KEY), want);
    }
}

// go: server/TestJetStreamCopyStreamMetadataRemoveDynamicFields
#[test]
fn copy_metadata_drops_dynamic_keys() {
    let mut cfg = StreamConfig {
        metadata: dynamic(),
        ..Default::default()
    };
    cfg.copy_metadata_from(None);
    assert!(cfg.metadata.is_empty());
    let mut cfg = StreamConfig {
        metadata: dynamic(),
        ..Default::default()
    };
    let prev = StreamConfig {
        metadata: level("0"),
        ..Default::default()
    };
    cfg.copy_metadata_from(Some(&prev));
    assert_eq!(cfg.metadata, level("0"));
}

#[test]
fn header_api_level_check() {
    assert!(!error_on_required_api_level(None));
    assert!(!error_on_required_api_level(Some("")));
    assert!(!error_on_required_api_level(Some("5")));
    assert!(error_on_required_api_level(Some("6")));
    assert!(error_on_required_api_level(Some("x")));
}

#[test]
fn source_index_and_consumer_names_like_go() {
    let src = StreamSource {
        name: "S".into(),
        subject_transforms: vec![
            SubjectTransformConfig {
                source: "a.*".into(),
                destination: String::new(),
            },
            SubjectTransformConfig {
                source: String::new(),
                destination: "b".into(),
            },
        ],
        ..Default::default()
    };
    assert_eq!(src.index_name(), "S a.*\u{c}> >\u{c}b");
    let plain = StreamSource {
        name: "S".into(),
        filter_subject: "f".into(),
        ..Default::default()
    };
    assert_eq!(plain.index_name(), "S f >");
    assert_eq!(plain.consumer_name(), "S ");
    // The hash is eight characters of Go's base-62 alphabet, stable for a given prefix.
    let h = go_hash("$JS.hub.API");
    assert_eq!(h.len(), 8);
    assert!(h.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(h, go_hash("$JS.hub.API"));
    assert_ne!(h, go_hash("$JS.other.API"));
}

#[test]
fn minimal_config_json_matches_go_field_for_field() {
    // The `config` Go 2.15.1 returned for `{"name":"min"}`.
    let mut cfg = StreamConfig {
        name: "min".into(),
        subjects: vec!["min".into()],
        max_consumers: -1,
        max_msgs: -1,
        max_bytes: -1,
        max_msgs_per: -1,
        max_msg_size: -1,
        replicas: 1,
        duplicates: 120_000_000_000,
        ..Default::default()
    };
    cfg.set_static_metadata();
    assert_eq!(
        go_json(&cfg.with_dynamic_metadata("2.15.1")),
        r#"{"name":"min","subjects":["min"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{},"allow_msg_ttl":false,"metadata":{"_nats.level":"5","_nats.req.level":"0","_nats.ver":"2.15.1"}}"#
    );
}
