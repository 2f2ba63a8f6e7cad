//! Stream snapshots and restores through the wire (`$JS.API.STREAM.SNAPSHOT` / `RESTORE`):
//! Go's request checks and errors, the acknowledged chunk flow with its end message, restores
//! that bring back messages, sequences and consumer state (also after a restart), and
//! restores that fail — bad data, truncated data, a stalled sender — leaving no stream behind.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

async fn connect(h: &server::ServerHandle) -> async_nats::Client {
    async_nats::connect(h.client_url()).await.unwrap()
}

async fn req_bytes(nc: &async_nats::Client, subject: &str, body: Vec<u8>) -> Value {
    let m = tokio::time::timeout(WAIT, nc.request(subject.to_string(), body.into()))
        .await
        .expect("answer in time")
        .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

async fn req(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
    req_bytes(nc, subject, body.to_string().into_bytes()).await
}

fn err_code(v: &Value) -> Option<u64> {
    v["error"]["err_code"].as_u64()
}

/// Publish and wait for the PubAck.
async fn publish(nc: &async_nats::Client, subject: &str, payload: Vec<u8>) -> Value {
    req_bytes(nc, subject, payload).await
}

/// A snapshot as a client takes it: the answer, then every chunk acked until the end message.
/// Returns the answer, the bytes, how many chunks had an ack subject, and the end status.
async fn take_snapshot(
    nc: &async_nats::Client,
    stream: &str,
    opts: Value,
) -> (Value, Vec<u8>, usize, Option<u16>) {
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.flush().await.unwrap();
    let mut body = opts;
    body["deliver_subject"] = json!(inbox);
    let answer = req(nc, &format!("$JS.API.STREAM.SNAPSHOT.{stream}"), body).await;
    assert!(answer["error"].is_null(), "{answer}");
    let mut data = Vec::new();
    let mut acked = 0;
    loop {
        let m = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("chunk in time")
            .expect("chunk");
        if m.payload.is_empty() {
            return (answer, data, acked, m.status.map(|s| s.as_u16()));
        }
        data.extend_from_slice(&m.payload);
        if let Some(reply) = m.reply {
            acked += 1;
            nc.publish(reply, "".into()).await.unwrap();
        }
    }
}

/// A restore as a client does it: the request, every chunk sent and acked, the empty end.
async fn restore(nc: &async_nats::Client, stream: &str, cfg: Value, data: &[u8]) -> Value {
    let r = req(
        nc,
        &format!("$JS.API.STREAM.RESTORE.{stream}"),
        json!({"config": cfg, "state": {}}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    let deliver = r["deliver_subject"].as_str().unwrap().to_string();
    assert!(deliver.starts_with(&format!("$JS.SNAPSHOT.RESTORE.{stream}.")));
    for chunk in data.chunks(1024) {
        let ack = tokio::time::timeout(WAIT, nc.request(deliver.clone(), chunk.to_vec().into()))
            .await
            .expect("chunk ack in time")
            .expect("chunk ack");
        if !ack.payload.is_empty() {
            // An error part way, as Go answers the chunk that failed.
            return serde_json::from_slice(&ack.payload).unwrap();
        }
    }
    req_bytes(nc, &deliver, Vec::new()).await
}

async fn stream_info(nc: &async_nats::Client, name: &str) -> Value {
    req(nc, &format!("$JS.API.STREAM.INFO.{name}"), json!({})).await
}

async fn consumer_info(nc: &async_nats::Client, stream: &str, name: &str) -> Value {
    req(
        nc,
        &format!("$JS.API.CONSUMER.INFO.{stream}.{name}"),
        json!({}),
    )
    .await
}

/// Pull `n` messages from a durable and ack each; returns their stream sequences.
async fn pull_and_ack(nc: &async_nats::Client, stream: &str, durable: &str, n: usize) -> Vec<u64> {
    let mut seqs = Vec::new();
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    for _ in 0..n {
        nc.publish_with_reply(
            format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"),
            inbox.clone(),
            json!({"batch": 1, "expires": 2_000_000_000u64})
                .to_string()
                .into(),
        )
        .await
        .unwrap();
        let m = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("message in time")
            .unwrap();
        let reply = m.reply.expect("ack subject").to_string();
        // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>
        let toks: Vec<&str> = reply.split('.').collect();
        seqs.push(toks[5].parse().unwrap());
        nc.publish(reply, "".into()).await.unwrap();
    }
    nc.flush().await.unwrap();
    seqs
}

/// A memory stream with gaps and a durable consumer: restored as a memory stream, and as a
/// file stream that then survives a restart.
#[tokio::test]
async fn memory_stream_snapshot_restores_as_memory_or_file() {
    let dir = TempDir::new("js-snap-mem");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let cfg = json!({"name": "M", "subjects": ["m.>"], "storage": "memory"});
    req(&nc, "$JS.API.STREAM.CREATE.M", cfg.clone()).await;
    for i in 0..20u64 {
        let ack = publish(&nc, &format!("m.{i}"), format!("msg {i}").into_bytes()).await;
        assert_eq!(ack["seq"], i + 1);
    }
    for seq in [1, 7, 20] {
        req(&nc, "$JS.API.STREAM.MSG.DELETE.M", json!({"seq": seq})).await;
    }
    let r = req(
        &nc,
        "$JS.API.CONSUMER.DURABLE.CREATE.M.D",
        json!({"stream_name": "M", "config": {"durable_name": "D", "ack_policy": "explicit"}}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(pull_and_ack(&nc, "M", "D", 3).await, vec![2, 3, 4]);
    let (answer, data, _, _) = take_snapshot(&nc, "M", json!({})).await;
    assert_eq!(answer["state"]["messages"], 17);

    for storage in ["memory", "file"] {
        req(&nc, "$JS.API.STREAM.DELETE.M", json!({})).await;
        let mut c = cfg.clone();
        c["storage"] = json!(storage);
        let r = restore(&nc, "M", c, &data).await;
        assert!(r["error"].is_null(), "{storage}: {r}");
        assert_eq!(r["config"]["storage"], storage);
        let i = stream_info(&nc, "M").await;
        assert_eq!(i["state"]["messages"], 17, "{i}");
        assert_eq!(i["state"]["first_seq"], 2);
        assert_eq!(i["state"]["last_seq"], 20);
        // 7 and the deleted last message 20.
        assert_eq!(i["state"]["num_deleted"], 2);
        assert_eq!(i["state"]["num_deleted"], answer["state"]["num_deleted"]);
        let m = req(&nc, "$JS.API.STREAM.MSG.GET.M", json!({"seq": 19})).await;
        assert_eq!(m["message"]["subject"], "m.18", "{m}");
        let ci = consumer_info(&nc, "M", "D").await;
        assert_eq!(ci["ack_floor"]["stream_seq"], 4, "{ci}");
        assert_eq!(ci["num_pending"], 14, "{ci}");
    }
    assert_eq!(pull_and_ack(&nc, "M", "D", 1).await, vec![5]);
    let ack = publish(&nc, "m.x", b"next".to_vec()).await;
    assert_eq!(ack["seq"], 21);
    drop(nc);
    h.shutdown().await;
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let i = stream_info(&nc, "M").await;
    assert_eq!(i["state"]["messages"], 18, "{i}");
    assert_eq!(i["state"]["last_seq"], 21);
    let ci = consumer_info(&nc, "M", "D").await;
    assert_eq!(ci["ack_floor"]["stream_seq"], 5, "{ci}");
    h.shutdown().await;
}

/// A file stream with 60 messages of 100 bytes, message 10 deleted, and a durable pull
/// consumer that has acknowledged the first 5 messages.
async fn populate(nc: &async_nats::Client) -> Value {
    let cfg = json!({"name": "S", "subjects": ["s.>"], "storage": "file"});
    let r = req(nc, "$JS.API.STREAM.CREATE.S", cfg).await;
    assert!(r["error"].is_null(), "{r}");
    for i in 0..60 {
        let ack = publish(
            nc,
            &format!("s.{}", i % 3),
            vec![b'a' + (i % 26) as u8; 100],
        )
        .await;
        assert_eq!(ack["seq"], i + 1);
    }
    let r = req(nc, "$JS.API.STREAM.MSG.DELETE.S", json!({"seq": 10})).await;
    assert_eq!(r["success"], true, "{r}");
    let r = req(
        nc,
        "$JS.API.CONSUMER.DURABLE.CREATE.S.D",
        json!({"stream_name": "S", "config": {"durable_name": "D", "ack_policy": "explicit"}}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(pull_and_ack(nc, "S", "D", 5).await, vec![1, 2, 3, 4, 5]);
    let r = req(nc, "$JS.API.STREAM.INFO.S", json!({})).await;
    r["config"].clone()
}

async fn check_restored(nc: &async_nats::Client) {
    let i = stream_info(nc, "S").await;
    assert_eq!(i["state"]["messages"], 59, "{i}");
    assert_eq!(i["state"]["first_seq"], 1);
    assert_eq!(i["state"]["last_seq"], 60);
    assert_eq!(i["state"]["num_deleted"], 1);
    let m = req(nc, "$JS.API.STREAM.MSG.GET.S", json!({"seq": 60})).await;
    assert_eq!(m["message"]["subject"], "s.2", "{m}");
    let c = consumer_info(nc, "S", "D").await;
    assert_eq!(c["ack_floor"]["stream_seq"], 5, "{c}");
    assert_eq!(c["delivered"]["stream_seq"], 5, "{c}");
    assert_eq!(c["num_pending"], 54, "{c}");
    // The consumer carries on where it was; publishing continues the sequence.
    assert_eq!(pull_and_ack(nc, "S", "D", 1).await, vec![6]);
    let ack = publish(nc, "s.0", b"next".to_vec()).await;
    assert_eq!(ack["seq"], 61);
}

// go: server/TestJetStreamSnapshots
#[tokio::test]
async fn snapshot_and_restore_round_trip_with_consumer_state_and_restart() {
    let dir = TempDir::new("js-snap-round");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let cfg = populate(&nc).await;

    // Small chunks and a window of two: the sender waits for acks.
    let (answer, data, acked, end) =
        take_snapshot(&nc, "S", json!({"chunk_size": 1024, "window_size": 2048})).await;
    assert_eq!(
        answer["type"],
        "io.nats.jetstream.api.v1.stream_snapshot_response"
    );
    assert_eq!(answer["config"]["name"], "S");
    assert_eq!(answer["state"]["messages"], 59);
    assert_eq!(answer["state"]["last_seq"], 60);
    assert!(acked >= 3, "chunks with ack subjects: {acked}");
    assert_eq!(acked, data.len() / 1024);
    assert_eq!(end, Some(204));

    let r = req(&nc, "$JS.API.STREAM.DELETE.S", json!({})).await;
    assert_eq!(r["success"], true);

    let r = restore(&nc, "S", cfg.clone(), &data).await;
    assert_eq!(
        r["type"], "io.nats.jetstream.api.v1.stream_create_response",
        "{r}"
    );
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(r["config"]["name"], "S");
    assert_eq!(r["state"]["messages"], 59);
    assert_eq!(r["state"]["last_seq"], 60);
    assert!(r["created"].is_string() && r["ts"].is_string());
    check_restored(&nc).await;

    // Restored data survives a restart.
    drop(nc);
    h.shutdown().await;
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let i = stream_info(&nc, "S").await;
    assert_eq!(i["state"]["messages"], 60, "{i}");
    assert_eq!(i["state"]["last_seq"], 61);
    let c = consumer_info(&nc, "S", "D").await;
    assert_eq!(c["ack_floor"]["stream_seq"], 6, "{c}");
    h.shutdown().await;
}

#[tokio::test]
async fn snapshot_without_consumers_restores_none() {
    let dir = TempDir::new("js-snap-nocons");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let cfg = populate(&nc).await;
    let (_, data, _, _) =
        take_snapshot(&nc, "S", json!({"no_consumers": true, "jsck": true})).await;
    req(&nc, "$JS.API.STREAM.DELETE.S", json!({})).await;
    let r = restore(&nc, "S", cfg, &data).await;
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(r["state"]["messages"], 59);
    let c = consumer_info(&nc, "S", "D").await;
    assert_eq!(err_code(&c), Some(10014), "{c}");
    h.shutdown().await;
}

// go: server/TestJetStreamSnapshotWithDeletedLastSeq
#[tokio::test]
async fn deleted_last_message_keeps_last_sequence_through_restore() {
    let dir = TempDir::new("js-snap-lastdel");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let r = req(
        &nc,
        "$JS.API.STREAM.CREATE.TEST",
        json!({"name": "TEST", "subjects": ["foo"]}),
    )
    .await;
    assert!(r["error"].is_null());
    for _ in 0..10 {
        publish(&nc, "foo", b"hello".to_vec()).await;
    }
    req(&nc, "$JS.API.STREAM.MSG.DELETE.TEST", json!({"seq": 10})).await;
    let (answer, data, _, end) = take_snapshot(&nc, "TEST", json!({})).await;
    assert_eq!(answer["state"]["last_seq"], 10);
    assert_eq!(answer["state"]["messages"], 9);
    // Smaller than one chunk: a single chunk without an ack subject and an end without status.
    assert_eq!(end, None);
    let cfg = answer["config"].clone();
    req(&nc, "$JS.API.STREAM.DELETE.TEST", json!({})).await;
    let r = restore(&nc, "TEST", cfg, &data).await;
    assert!(r["error"].is_null(), "{r}");
    let i = stream_info(&nc, "TEST").await;
    assert_eq!(i["state"]["messages"], 9);
    assert_eq!(i["state"]["last_seq"], 10);
    h.shutdown().await;
}

// go: server/TestJetStreamSnapshotRejectsWildcardDeliverSubject
#[tokio::test]
async fn snapshot_request_errors_as_go() {
    let dir = TempDir::new("js-snap-errs");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    req(&nc, "$JS.API.STREAM.CREATE.TEST", json!({"name": "TEST"})).await;
    let r = req_bytes(&nc, "$JS.API.STREAM.SNAPSHOT.TEST", Vec::new()).await;
    assert_eq!(
        r.to_string(),
        json!({"type": "io.nats.jetstream.api.v1.stream_snapshot_response",
            "error": {"code": 400, "err_code": 10003, "description": "bad request"}})
        .to_string()
    );
    let r = req(
        &nc,
        "$JS.API.STREAM.SNAPSHOT.NOPE",
        json!({"deliver_subject": "x"}),
    )
    .await;
    assert_eq!(err_code(&r), Some(10059));
    let r = req(
        &nc,
        "$JS.API.STREAM.SNAPSHOT.TEST",
        json!({"no_consumers": true}),
    )
    .await;
    assert_eq!(err_code(&r), Some(10015));
    assert_eq!(r["error"]["description"], "deliver subject not valid");
    for ds in ["snap.*", "snap.>"] {
        let r = req(
            &nc,
            "$JS.API.STREAM.SNAPSHOT.TEST",
            json!({"deliver_subject": ds}),
        )
        .await;
        assert_eq!(err_code(&r), Some(10015), "{ds}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn restore_request_errors_as_go() {
    let dir = TempDir::new("js-restore-errs");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    req(&nc, "$JS.API.STREAM.CREATE.TEST", json!({"name": "TEST"})).await;
    let r = req_bytes(&nc, "$JS.API.STREAM.RESTORE.X", Vec::new()).await;
    assert_eq!(
        r.to_string(),
        json!({"type": "io.nats.jetstream.api.v1.stream_restore_response",
            "error": {"code": 400, "err_code": 10003, "description": "bad request"},
            "deliver_subject": ""})
        .to_string()
    );
    let r = req(
        &nc,
        "$JS.API.STREAM.RESTORE.X",
        json!({"config": {"name": "Y"}}),
    )
    .await;
    assert_eq!(err_code(&r), Some(10056));
    let r = req(
        &nc,
        "$JS.API.STREAM.RESTORE.TEST",
        json!({"config": {"name": "TEST"}}),
    )
    .await;
    assert_eq!(err_code(&r), Some(10130));
    assert_eq!(
        r["error"]["description"],
        "stream name already in use, cannot restore"
    );
    let r = req(
        &nc,
        "$JS.API.STREAM.RESTORE.X",
        json!({"config": {"name": "X"}}),
    )
    .await;
    assert!(r["error"].is_null());
    assert!(r["deliver_subject"]
        .as_str()
        .unwrap()
        .starts_with("$JS.SNAPSHOT.RESTORE.X."));
    h.shutdown().await;
}

fn snapshots_dir_is_empty(dir: &TempDir) -> bool {
    let d = dir.0.join("jetstream").join("$G").join("__snapshots__");
    std::fs::read_dir(d)
        .map(|mut e| e.next().is_none())
        .unwrap_or(true)
}

#[tokio::test]
async fn corrupt_or_truncated_restores_fail_and_leave_nothing() {
    let dir = TempDir::new("js-restore-bad");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let cfg = populate(&nc).await;
    let (_, data, _, _) = take_snapshot(&nc, "S", json!({})).await;
    req(&nc, "$JS.API.STREAM.DELETE.S", json!({})).await;

    let garbage = vec![7u8; 3000];
    let truncated = data[..data.len() / 2].to_vec();
    let mut flipped = data.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0xff;
    for (i, bad) in [garbage, truncated, flipped].into_iter().enumerate() {
        let r = restore(&nc, "S", cfg.clone(), &bad).await;
        if i == 0 {
            // Neither an archive nor compressed: Go's words for input that is not S2.
            assert_eq!(
                r["error"]["description"],
                "restore failed: s2: corrupt input"
            );
        }
        assert_eq!(r["type"], "io.nats.jetstream.api.v1.stream_create_response");
        assert_eq!(err_code(&r), Some(10062), "{r}");
        assert!(r["error"]["description"]
            .as_str()
            .unwrap()
            .starts_with("restore failed: "));
        let i = stream_info(&nc, "S").await;
        assert_eq!(err_code(&i), Some(10059), "{i}");
        assert!(snapshots_dir_is_empty(&dir));
        assert!(!dir
            .0
            .join("jetstream")
            .join("$G")
            .join("streams")
            .join("S")
            .exists());
    }
    // Nothing at all, as Go says it.
    let r = restore(&nc, "S", cfg.clone(), &[]).await;
    assert_eq!(r["error"]["description"], "restore failed: EOF");
    // The good one still restores.
    let r = restore(&nc, "S", cfg, &data).await;
    assert!(r["error"].is_null(), "{r}");
    h.shutdown().await;
}

/// Incompressible bytes (a xorshift sequence).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Restores into a server whose storage another stream has mostly taken: with compressible
/// data the archive's files go over (checked as they are unpacked), with incompressible data
/// the chunks themselves do, and Go answers the chunk that went over.
async fn restore_over_limit(name: &str, payload: impl Fn(u64) -> Vec<u8>) {
    let dir = TempDir::new(name);
    let mut o = js_opts(&dir);
    o.js.max_store = Some(64 * 1024);
    let h = start(o).await;
    let nc = connect(&h).await;
    let cfg = json!({"name": "S", "subjects": ["s"]});
    req(&nc, "$JS.API.STREAM.CREATE.S", cfg.clone()).await;
    for i in 0..40 {
        publish(&nc, "s", payload(i)).await;
    }
    let (_, data, _, _) = take_snapshot(&nc, "S", json!({})).await;
    // Another stream takes most of the room while S is gone.
    req(&nc, "$JS.API.STREAM.DELETE.S", json!({})).await;
    req(
        &nc,
        "$JS.API.STREAM.CREATE.O",
        json!({"name": "O", "subjects": ["o"]}),
    )
    .await;
    for i in 0..40 {
        publish(&nc, "o", payload(i + 100)).await;
    }
    let r = restore(&nc, "S", cfg, &data).await;
    assert_eq!(r["type"], "io.nats.jetstream.api.v1.stream_create_response");
    assert_eq!(err_code(&r), Some(10047), "{r}");
    assert_eq!(
        r["error"]["description"],
        "insufficient storage resources available"
    );
    assert_eq!(err_code(&stream_info(&nc, "S").await), Some(10059));
    assert!(snapshots_dir_is_empty(&dir));
    h.shutdown().await;
}

#[tokio::test]
async fn restore_into_too_little_storage_fails_with_resources_error() {
    restore_over_limit("js-restore-limits", |_| vec![b'x'; 1000]).await;
}

#[tokio::test]
async fn restore_chunks_over_the_storage_limit_are_answered_with_the_error() {
    restore_over_limit("js-restore-limits-chunk", |i| noise(i + 1, 1000)).await;
}

#[tokio::test]
async fn stalled_restore_is_dropped() {
    let dir = TempDir::new("js-restore-stall");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let r = req(
        &nc,
        "$JS.API.STREAM.RESTORE.S",
        json!({"config": {"name": "S"}}),
    )
    .await;
    let deliver = r["deliver_subject"].as_str().unwrap().to_string();
    let ack = nc
        .request(deliver.clone(), vec![1u8; 10].into())
        .await
        .unwrap();
    assert!(ack.payload.is_empty());
    tokio::time::sleep(Duration::from_millis(5600)).await;
    // Nobody listens on the restore subject any more, and no stream was made.
    let r = tokio::time::timeout(WAIT, nc.request(deliver, vec![1u8; 10].into()))
        .await
        .unwrap();
    assert!(r.is_err(), "no responders after the stall");
    assert_eq!(err_code(&stream_info(&nc, "S").await), Some(10059));
    h.shutdown().await;
}

/// A receiver that stops acking gets `408 No Flow Response` once 5 seconds pass without acks.
#[tokio::test]
async fn snapshot_without_acks_ends_with_no_flow_response() {
    let dir = TempDir::new("js-snap-noflow");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    req(
        &nc,
        "$JS.API.STREAM.CREATE.N",
        json!({"name": "N", "subjects": ["n"]}),
    )
    .await;
    for i in 0..20 {
        publish(&nc, "n", noise(i + 7, 1000)).await;
    }
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.flush().await.unwrap();
    let body = json!({"deliver_subject": inbox, "chunk_size": 1024, "window_size": 2048});
    let r = req(&nc, "$JS.API.STREAM.SNAPSHOT.N", body).await;
    assert!(r["error"].is_null(), "{r}");
    // The window: two chunks, then nothing until the sender gives up.
    let mut chunks = 0;
    let end = loop {
        let m = tokio::time::timeout(Duration::from_secs(8), sub.next())
            .await
            .expect("message in time")
            .unwrap();
        if m.payload.is_empty() {
            break m;
        }
        assert!(m.reply.is_some());
        chunks += 1;
    };
    assert_eq!(chunks, 2);
    assert_eq!(end.status.map(|s| s.as_u16()), Some(408));
    assert_eq!(end.description.as_deref(), Some("No Flow Response"));
    h.shutdown().await;
}

/// Go's snapshot and restore advisories, in order, with the requester as client.
#[tokio::test]
async fn snapshot_and_restore_advisories() {
    let dir = TempDir::new("js-snap-adv");
    let h = start(js_opts(&dir)).await;
    let nc = connect(&h).await;
    let mut adv = nc.subscribe("$JS.EVENT.ADVISORY.STREAM.>").await.unwrap();
    nc.flush().await.unwrap();
    let cfg = json!({"name": "A", "subjects": ["a"]});
    req(&nc, "$JS.API.STREAM.CREATE.A", cfg.clone()).await;
    publish(&nc, "a", b"one".to_vec()).await;
    let (_, data, _, _) = take_snapshot(&nc, "A", json!({})).await;
    req(&nc, "$JS.API.STREAM.DELETE.A", json!({})).await;
    restore(&nc, "A", cfg, &data).await;
    let mut seen = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(500), adv.next()).await {
        let v: Value = serde_json::from_slice(&m.payload).unwrap();
        seen.push((m.subject.to_string(), v));
    }
    let want = [
        ("SNAPSHOT_CREATE", "snapshot_create"),
        ("SNAPSHOT_COMPLETE", "snapshot_complete"),
        ("RESTORE_CREATE", "restore_create"),
        ("RESTORE_COMPLETE", "restore_complete"),
    ];
    let ours: Vec<&(String, Value)> = seen
        .iter()
        .filter(|(s, _)| want.iter().any(|(p, _)| s.contains(p)))
        .collect();
    assert_eq!(ours.len(), 4, "{seen:?}");
    for ((subject, v), (prefix, kind)) in ours.iter().zip(want) {
        assert_eq!(subject, &format!("$JS.EVENT.ADVISORY.STREAM.{prefix}.A"));
        assert_eq!(v["type"], format!("io.nats.jetstream.advisory.v1.{kind}"));
        assert_eq!(v["stream"], "A");
        assert_eq!(v["client"]["acc"], "$G");
    }
    assert_eq!(ours[0].1["state"]["messages"], 1);
    assert!(ours[1].1["error"].is_null());
    assert_eq!(ours[3].1["bytes"], data.len());
    h.shutdown().await;
}
