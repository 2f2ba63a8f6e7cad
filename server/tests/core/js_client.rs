//! async-nats's JetStream context and key-value store against rnats: stream management, publish
//! with acks, duplicates, expected sequences, and KV put/get/update/delete/purge over direct get.
//! Restart and kill-free durability of file streams through a second server on the same store.

use std::time::Duration;

use async_nats::jetstream::{self, kv, message::PublishMessage as Publish, stream};

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

#[tokio::test]
async fn streams_publish_and_acks() {
    let dir = TempDir::new("js-streams");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc);

    let info = js.query_account().await.unwrap();
    assert_eq!(info.streams, 0);

    let mut s = js
        .create_stream(stream::Config {
            name: "ORDERS".into(),
            subjects: vec!["orders.>".into()],
            storage: stream::StorageType::Memory,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.cached_info().config.name, "ORDERS");

    let ack = js
        .publish("orders.new", "one".into())
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(
        (ack.stream.as_str(), ack.sequence, ack.duplicate),
        ("ORDERS", 1, false)
    );

    // The same message id twice is a duplicate with the first sequence.
    for dup in [false, true] {
        let ack = js
            .send_publish(
                "orders.new",
                Publish::build().payload("two".into()).message_id("m-2"),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        assert_eq!((ack.sequence, ack.duplicate), (2, dup));
    }

    // Expected last sequence: right passes, wrong is Go's error.
    let ok = js
        .send_publish(
            "orders.new",
            Publish::build()
                .payload("three".into())
                .expected_last_sequence(2),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(ok.sequence, 3);
    let err = js
        .send_publish(
            "orders.new",
            Publish::build()
                .payload("x".into())
                .expected_last_sequence(1),
        )
        .await
        .unwrap()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("wrong last sequence: 3"), "{err}");

    let info = s.info().await.unwrap();
    assert_eq!(info.state.messages, 3);
    assert_eq!(info.state.last_sequence, 3);
    let m = s.get_raw_message(2).await.unwrap();
    assert_eq!(&m.payload[..], b"two");

    let names: Vec<String> = futures::TryStreamExt::try_collect(js.stream_names())
        .await
        .unwrap();
    assert_eq!(names, vec!["ORDERS".to_string()]);

    s.purge().await.unwrap();
    assert_eq!(s.info().await.unwrap().state.messages, 0);
    js.delete_stream("ORDERS").await.unwrap();
    assert!(js.get_stream("ORDERS").await.is_err());
    h.shutdown().await;
}

#[tokio::test]
async fn key_value_over_direct_get() {
    let dir = TempDir::new("js-kv");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc);
    let kv = js
        .create_key_value(kv::Config {
            bucket: "profiles".into(),
            history: 5,
            ..Default::default()
        })
        .await
        .unwrap();

    let r1 = kv.put("alice", "v1".into()).await.unwrap();
    let r2 = kv.put("alice", "v2".into()).await.unwrap();
    assert!(r2 > r1);
    assert_eq!(&kv.get("alice").await.unwrap().unwrap()[..], b"v2");
    assert!(kv.get("bob").await.unwrap().is_none());

    // Update is a compare-and-set on the key's last revision.
    let r3 = kv.update("alice", "v3".into(), r2).await.unwrap();
    assert!(kv.update("alice", "v4".into(), r2).await.is_err());
    let e = kv.entry("alice").await.unwrap().unwrap();
    assert_eq!((e.revision, &e.value[..]), (r3, &b"v3"[..]));

    // Create refuses an existing key.
    assert!(kv.create("alice", "x".into()).await.is_err());
    kv.create("bob", "b1".into()).await.unwrap();

    kv.delete("alice").await.unwrap();
    assert!(kv.get("alice").await.unwrap().is_none());
    kv.purge("bob").await.unwrap();
    assert!(kv.get("bob").await.unwrap().is_none());
    h.shutdown().await;
}

#[tokio::test]
async fn file_streams_survive_a_restart() {
    let dir = TempDir::new("js-restart");
    {
        let h = start(js_opts(&dir)).await;
        let nc = async_nats::connect(h.client_url()).await.unwrap();
        let js = jetstream::new(nc);
        js.create_stream(stream::Config {
            name: "EVENTS".into(),
            subjects: vec!["ev.*".into()],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .unwrap();
        for i in 0..10 {
            js.publish(format!("ev.{}", i % 3), format!("m{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
        h.shutdown().await;
    }
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc);
    let mut s = js.get_stream("EVENTS").await.unwrap();
    let info = s.info().await.unwrap();
    assert_eq!((info.state.messages, info.state.last_sequence), (10, 10));
    assert_eq!(&s.get_raw_message(7).await.unwrap().payload[..], b"m6");
    // Sequences carry on after the restart.
    let ack = js
        .publish("ev.1", "after".into())
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(ack.sequence, 11);
    tokio::time::sleep(Duration::from_millis(10)).await;
    h.shutdown().await;
}

#[tokio::test]
async fn sync_always_acks_every_publish_after_group_commit() {
    let dir = TempDir::new("js-always");
    let mut o = js_opts(&dir);
    o.js.sync_always = true;
    let h = start(o).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc);
    js.create_stream(stream::Config {
        name: "DUR".into(),
        subjects: vec!["dur".into()],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .unwrap();
    // Many publishes in flight at once share fsyncs; every one is acknowledged in order.
    let mut acks = Vec::new();
    for i in 0..200 {
        acks.push(js.publish("dur", format!("{i}").into()).await.unwrap());
    }
    for (i, a) in acks.into_iter().enumerate() {
        assert_eq!(a.await.unwrap().sequence, i as u64 + 1);
    }
    let mut s = js.get_stream("DUR").await.unwrap();
    assert_eq!(s.info().await.unwrap().state.messages, 200);
    h.shutdown().await;
}

#[tokio::test]
async fn stream_and_consumer_advisories() {
    use futures::StreamExt;
    let dir = TempDir::new("js-adv");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let mut adv = nc.subscribe("$JS.EVENT.ADVISORY.>").await.unwrap();
    nc.flush().await.unwrap();
    let js = jetstream::new(nc);
    let s = js
        .create_stream(stream::Config {
            name: "ADV".into(),
            subjects: vec!["adv".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    s.create_consumer(async_nats::jetstream::consumer::pull::Config {
        durable_name: Some("c1".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    js.delete_stream("ADV").await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let m = tokio::time::timeout(WAIT, adv.next())
            .await
            .unwrap()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        assert_eq!(v["id"].as_str().unwrap().len(), 22);
        if m.subject.as_str() == "$JS.EVENT.ADVISORY.API" {
            // Every API request is audited too.
            assert_eq!(v["type"], "io.nats.jetstream.advisory.v1.api_audit");
            assert!(v["client"]["acc"] == "$G" && v["response"].is_string());
            continue;
        }
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
        seen.push((
            m.subject.to_string(),
            v["type"].as_str().unwrap().to_string(),
            v["action"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(
        seen,
        [
            (
                "$JS.EVENT.ADVISORY.STREAM.CREATED.ADV".to_string(),
                "io.nats.jetstream.advisory.v1.stream_action".to_string(),
                "create".to_string()
            ),
            (
                "$JS.EVENT.ADVISORY.CONSUMER.CREATED.ADV.c1".to_string(),
                "io.nats.jetstream.advisory.v1.consumer_action".to_string(),
                "create".to_string()
            ),
            (
                "$JS.EVENT.ADVISORY.STREAM.DELETED.ADV".to_string(),
                "io.nats.jetstream.advisory.v1.stream_action".to_string(),
                "delete".to_string()
            ),
        ]
    );
    h.shutdown().await;
}

#[tokio::test]
async fn account_storage_limit_refuses_what_does_not_fit() {
    let dir = TempDir::new("js-acclim");
    let conf = dir.0.join("s.conf");
    std::fs::write(
        &conf,
        format!(
            "jetstream {{ store_dir: {:?} }}\naccounts {{ A {{ users [{{user: a, password: a}}], jetstream {{ max_mem: 1000 }} }} }}\n",
            dir.0.display().to_string()
        ),
    )
    .unwrap();
    let mut o = Options::for_test();
    server::config::options::load_file(&mut o, &conf).unwrap();
    let h = start(o).await;
    let nc = async_nats::ConnectOptions::with_user_and_password("a".into(), "a".into())
        .connect(h.client_url())
        .await
        .unwrap();
    let js = jetstream::new(nc);
    js.create_stream(stream::Config {
        name: "M".into(),
        subjects: vec!["m".into()],
        storage: stream::StorageType::Memory,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut refused = None;
    for i in 0..20 {
        match js.publish("m", vec![b'x'; 100].into()).await.unwrap().await {
            Ok(_) => {}
            Err(e) => {
                refused = Some((i, e.to_string()));
                break;
            }
        }
    }
    let (i, e) = refused.expect("the account limit refuses a message");
    // Each message counts subject + payload + 16 = 117 bytes: eight fit in 1000.
    assert_eq!(i, 8);
    assert!(e.contains("resource limits exceeded for account"), "{e}");
    h.shutdown().await;
}

#[tokio::test]
async fn mirrors_and_sources_follow_their_origins() {
    let dir = TempDir::new("js-mirror");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let js = jetstream::new(nc);
    js.create_stream(stream::Config {
        name: "ORIG".into(),
        subjects: vec!["orig.>".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    for (i, subj) in ["orig.a", "orig.b", "orig.a"].iter().enumerate() {
        js.publish(*subj, format!("{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let mut mirror = js
        .create_stream(stream::Config {
            name: "MIR".into(),
            mirror: Some(stream::Source {
                name: "ORIG".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut sourced = js
        .create_stream(stream::Config {
            name: "SRC".into(),
            sources: Some(vec![stream::Source {
                name: "ORIG".into(),
                filter_subject: Some("orig.a".into()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .await
        .unwrap();
    // New messages follow as well.
    js.publish("orig.a", "3".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (m, s) = (
            mirror.info().await.unwrap().state.messages,
            sourced.info().await.unwrap().state.messages,
        );
        if (m, s) == (4, 3) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "mirror {m}, source {s}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The mirror keeps the origin's sequences; the source renumbers and says where from.
    let m = mirror.get_raw_message(2).await.unwrap();
    assert_eq!((m.subject.as_str(), &m.payload[..]), ("orig.b", &b"1"[..]));
    let s = sourced.get_raw_message(2).await.unwrap();
    assert_eq!(&s.payload[..], b"2");
    let from = s
        .headers
        .get("Nats-Stream-Source")
        .unwrap()
        .as_str()
        .to_string();
    assert!(from.starts_with("ORIG 3 orig.a > orig.a "), "{from}");
    let info = sourced.info().await.unwrap();
    assert_eq!(info.sources[0].lag, 0);
    h.shutdown().await;
}
