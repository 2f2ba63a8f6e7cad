//! async-nats consumers against rnats: pull fetch with explicit acks and redelivery, push
//! consumers, ordered consumers, and what KV watch, keys, history and the object store build on
//! them.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv, object_store, stream, AckKind};
use futures::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::time::timeout;

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

async fn setup(dir: &TempDir) -> (server::ServerHandle, jetstream::Context) {
    let h = start(js_opts(dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    (h, jetstream::new(nc))
}

#[tokio::test]
async fn pull_fetch_ack_and_redelivery() {
    let dir = TempDir::new("js-pull");
    let (h, js) = setup(&dir).await;
    let s = js
        .create_stream(stream::Config {
            name: "JOBS".into(),
            subjects: vec!["jobs.*".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..5 {
        js.publish(format!("jobs.{i}"), format!("job{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let c = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("worker".into()),
            ack_wait: Duration::from_millis(300),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut batch = c.fetch().max_messages(3).messages().await.unwrap();
    let mut got = Vec::new();
    while let Some(m) = timeout(WAIT, batch.next()).await.unwrap() {
        let m = m.unwrap();
        got.push(String::from_utf8(m.payload.to_vec()).unwrap());
        // Ack the first two; leave the third to be redelivered.
        if got.len() < 3 {
            m.ack().await.unwrap();
        }
    }
    assert_eq!(got, ["job0", "job1", "job2"]);

    let mut info = c.clone();
    let i = info.info().await.unwrap();
    assert_eq!(i.delivered.stream_sequence, 3);
    assert_eq!(i.ack_floor.stream_sequence, 2);
    assert_eq!(i.num_ack_pending, 1);
    assert_eq!(i.num_pending, 2);

    // After the ack wait, job2 comes again (delivery count 2) before the rest.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut batch = c.fetch().max_messages(3).messages().await.unwrap();
    let mut again = Vec::new();
    while let Some(m) = timeout(WAIT, batch.next()).await.unwrap() {
        let m = m.unwrap();
        let info = m.info().unwrap();
        again.push((
            String::from_utf8(m.payload.to_vec()).unwrap(),
            info.delivered,
        ));
        m.ack().await.unwrap();
    }
    assert_eq!(
        again,
        [
            ("job2".to_string(), 2),
            ("job3".to_string(), 1),
            ("job4".to_string(), 1)
        ]
    );
    let i = info.info().await.unwrap();
    // Acked messages leave the redelivered count, as in Go.
    assert_eq!(
        (i.num_ack_pending, i.num_pending, i.num_redelivered),
        (0, 0, 0)
    );

    // Nothing left: a no-wait fetch ends empty.
    let mut empty = c.fetch().max_messages(1).messages().await.unwrap();
    assert!(timeout(WAIT, empty.next()).await.unwrap().is_none());
    h.shutdown().await;
}

#[tokio::test]
async fn nak_and_term() {
    let dir = TempDir::new("js-nak");
    let (h, js) = setup(&dir).await;
    let s = js
        .create_stream(stream::Config {
            name: "N".into(),
            subjects: vec!["n".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    js.publish("n", "a".into()).await.unwrap().await.unwrap();
    js.publish("n", "b".into()).await.unwrap().await.unwrap();
    let c = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let next = || async {
        let mut b = c.fetch().max_messages(1).messages().await.unwrap();
        timeout(WAIT, b.next()).await.unwrap().unwrap().unwrap()
    };
    let a = next().await;
    assert_eq!(&a.payload[..], b"a");
    a.ack_with(AckKind::Nak(None)).await.unwrap();
    // A nak'd message comes again before anything new.
    let again = next().await;
    assert_eq!(
        (&again.payload[..], again.info().unwrap().delivered),
        (&b"a"[..], 2)
    );
    again.ack_with(AckKind::Term).await.unwrap();
    let b = next().await;
    assert_eq!(&b.payload[..], b"b");
    b.double_ack().await.unwrap();
    let mut info = c.clone();
    let i = info.info().await.unwrap();
    assert_eq!((i.num_ack_pending, i.ack_floor.stream_sequence), (0, 2));
    h.shutdown().await;
}

#[tokio::test]
async fn push_and_ordered_consumers() {
    let dir = TempDir::new("js-push");
    let (h, js) = setup(&dir).await;
    let s = js
        .create_stream(stream::Config {
            name: "P".into(),
            subjects: vec!["p.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..20 {
        js.publish(format!("p.{}", i % 4), format!("{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let c = s
        .create_consumer(consumer::push::Config {
            durable_name: Some("pusher".into()),
            deliver_subject: "deliver.here".into(),
            filter_subject: "p.1".into(),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut msgs = c.messages().await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let m = timeout(WAIT, msgs.next()).await.unwrap().unwrap().unwrap();
        assert_eq!(m.subject.as_str(), "p.1");
        seen.push(String::from_utf8(m.payload.to_vec()).unwrap());
        m.ack().await.unwrap();
    }
    assert_eq!(seen, ["1", "5", "9", "13", "17"]);

    let ordered = s
        .create_consumer(consumer::push::OrderedConfig {
            deliver_subject: "ordered.inbox".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut om = ordered.messages().await.unwrap();
    for i in 0..20 {
        let m = timeout(WAIT, om.next()).await.unwrap().unwrap().unwrap();
        assert_eq!(m.payload, format!("{i}").as_bytes());
    }
    h.shutdown().await;
}

#[tokio::test]
async fn kv_watch_keys_and_history() {
    let dir = TempDir::new("js-kvw");
    let (h, js) = setup(&dir).await;
    let kv = js
        .create_key_value(kv::Config {
            bucket: "cfg".into(),
            history: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    kv.put("a", "1".into()).await.unwrap();
    kv.put("b", "2".into()).await.unwrap();
    kv.put("a", "3".into()).await.unwrap();

    let mut keys: Vec<String> = kv.keys().await.unwrap().map(|k| k.unwrap()).collect().await;
    keys.sort();
    assert_eq!(keys, ["a", "b"]);

    let hist: Vec<String> = kv
        .history("a")
        .await
        .unwrap()
        .map(|e| String::from_utf8(e.unwrap().value.to_vec()).unwrap())
        .collect()
        .await;
    assert_eq!(hist, ["1", "3"]);

    let mut w = kv.watch("a").await.unwrap();
    kv.put("a", "4".into()).await.unwrap();
    let e = timeout(WAIT, w.next()).await.unwrap().unwrap().unwrap();
    assert_eq!((e.key.as_str(), &e.value[..]), ("a", &b"4"[..]));
    h.shutdown().await;
}

#[tokio::test]
async fn object_store_put_and_get() {
    let dir = TempDir::new("js-obj");
    let (h, js) = setup(&dir).await;
    let os = js
        .create_object_store(object_store::Config {
            bucket: "files".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    os.put("blob.bin", &mut data.as_slice()).await.unwrap();
    let mut obj = os.get("blob.bin").await.unwrap();
    let mut back = Vec::new();
    timeout(WAIT * 4, obj.read_to_end(&mut back))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.len(), data.len());
    assert!(back == data);
    let names: Vec<String> = os
        .list()
        .await
        .unwrap()
        .map(|o| o.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["blob.bin"]);
    os.delete("blob.bin").await.unwrap();
    assert!(os.get("blob.bin").await.is_err());
    h.shutdown().await;
}

#[tokio::test]
async fn durable_consumer_state_survives_a_restart() {
    let dir = TempDir::new("js-cdur");
    {
        let (h, js) = setup(&dir).await;
        let s = js
            .create_stream(stream::Config {
                name: "D".into(),
                subjects: vec!["d".into()],
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .unwrap();
        for i in 0..6 {
            js.publish("d", format!("m{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
        let c = s
            .create_consumer(consumer::pull::Config {
                durable_name: Some("keep".into()),
                ack_wait: Duration::from_millis(500),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut batch = c.fetch().max_messages(4).messages().await.unwrap();
        let mut n = 0;
        while let Some(m) = timeout(WAIT, batch.next()).await.unwrap() {
            let m = m.unwrap();
            n += 1;
            // m0..m2 acked, m3 delivered but not acked.
            if n <= 3 {
                m.double_ack().await.unwrap();
            }
        }
        assert_eq!(n, 4);
        h.shutdown().await;
    }
    let (h, js) = setup(&dir).await;
    let s = js.get_stream("D").await.unwrap();
    let mut c: consumer::PullConsumer = s.get_consumer("keep").await.unwrap();
    let i = c.info().await.unwrap();
    assert_eq!(
        (
            i.delivered.stream_sequence,
            i.ack_floor.stream_sequence,
            i.num_ack_pending,
            i.num_pending
        ),
        (4, 3, 1, 2)
    );
    // A waiting (not no-wait) batch gets m4 and m5 at once, then the unacknowledged m3 again once
    // its ack wait passes.
    let mut got = Vec::new();
    let mut batch = c
        .batch()
        .max_messages(3)
        .expires(Duration::from_secs(3))
        .messages()
        .await
        .unwrap();
    while let Some(m) = timeout(WAIT, batch.next()).await.unwrap() {
        let m = m.unwrap();
        got.push(String::from_utf8(m.payload.to_vec()).unwrap());
        m.ack().await.unwrap();
    }
    assert_eq!(got, ["m4", "m5", "m3"]);
    h.shutdown().await;
}

#[tokio::test]
async fn consumer_updates_keep_state_and_refuse_what_go_refuses() {
    let dir = TempDir::new("js-cupd");
    let (h, js) = setup(&dir).await;
    let s = js
        .create_stream(stream::Config {
            name: "U".into(),
            subjects: vec!["u.*".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..4 {
        js.publish(format!("u.{i}"), "x".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let cfg = consumer::pull::Config {
        durable_name: Some("w".into()),
        ..Default::default()
    };
    let c = s.create_consumer(cfg.clone()).await.unwrap();
    let mut batch = c.fetch().max_messages(2).messages().await.unwrap();
    while let Some(m) = timeout(WAIT, batch.next()).await.unwrap() {
        m.unwrap().double_ack().await.unwrap();
    }
    // An allowed change keeps the position.
    let updated = s
        .update_consumer(consumer::pull::Config {
            description: Some("now described".into()),
            max_ack_pending: 10,
            ..cfg.clone()
        })
        .await
        .unwrap();
    let mut u = updated.clone();
    let i = u.info().await.unwrap();
    assert_eq!(i.config.description.as_deref(), Some("now described"));
    assert_eq!(
        (
            i.delivered.stream_sequence,
            i.ack_floor.stream_sequence,
            i.num_pending
        ),
        (2, 2, 2)
    );
    // A change Go refuses comes back with Go's text.
    let err = s
        .update_consumer(consumer::pull::Config {
            deliver_policy: consumer::DeliverPolicy::New,
            ..cfg
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("deliver policy can not be updated"),
        "{err}"
    );
    h.shutdown().await;
}

/// The pending count in each delivery's ack reply follows new messages, limits that drop
/// messages the consumer has not reached, purges and deletes.
#[tokio::test]
async fn pending_counts_in_ack_replies_follow_the_stream() {
    let dir = TempDir::new("js-pending");
    let (h, js) = setup(&dir).await;
    let s = js
        .create_stream(stream::Config {
            name: "P".into(),
            subjects: vec!["p.*".into()],
            max_messages: 6,
            ..Default::default()
        })
        .await
        .unwrap();
    let publish = |n: std::ops::Range<u32>| {
        let js = js.clone();
        async move {
            for i in n {
                let subj = format!("p.{}", i % 2);
                js.publish(subj, "x".into()).await.unwrap().await.unwrap();
            }
        }
    };
    publish(0..4).await;
    let c = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("all".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let odd = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("odd".into()),
            filter_subject: "p.1".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let next = |c: consumer::Consumer<consumer::pull::Config>| async move {
        let mut b = c.fetch().max_messages(1).messages().await.unwrap();
        let m = timeout(WAIT, b.next()).await.unwrap().unwrap().unwrap();
        let i = m.info().unwrap();
        let out = (i.stream_sequence, i.pending);
        m.ack().await.unwrap();
        out
    };
    assert_eq!(next(c.clone()).await, (1, 3));
    assert_eq!(next(odd.clone()).await, (2, 1));
    // Four more: the limit of six drops 1 and 2; both consumers are past them.
    publish(4..8).await;
    assert_eq!(next(c.clone()).await, (3, 5));
    assert_eq!(next(odd.clone()).await, (4, 2));
    // Eight more: 3..=10 go, which the consumers had not reached.
    publish(8..16).await;
    assert_eq!(next(c.clone()).await, (11, 5));
    assert_eq!(next(odd.clone()).await, (12, 2));
    // A delete and a purge of one subject.
    s.delete_message(13).await.unwrap();
    assert_eq!(next(c.clone()).await, (12, 3));
    js.get_stream("P")
        .await
        .unwrap()
        .purge()
        .filter("p.1")
        .await
        .unwrap();
    publish(16..18).await;
    assert_eq!(next(c.clone()).await, (15, 2));
    assert_eq!(next(odd.clone()).await, (18, 0));
    h.shutdown().await;
}
