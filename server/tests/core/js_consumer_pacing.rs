//! Consumer reset (`$JS.API.CONSUMER.RESET`) and delivery pacing against rnats: replay at the
//! original pace, the push rate limit, and sampled ack metrics (`sample_freq`).

use std::time::Duration;

use async_nats::jetstream::stream::{self, StorageType};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;

use crate::js_consumer_features::*;
use crate::support::*;
use server::jetstream::api::GoTime;

// go: server/TestJetStreamConsumerResetToSequenceConstraintOnStartSeq
#[tokio::test]
async fn reset_not_below_the_start_sequence() {
    let dir = TempDir::new("js-reset-seq");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "CONSUMER",
        json!({"durable_name": "CONSUMER", "ack_policy": "explicit",
        "deliver_policy": "by_start_sequence", "opt_start_seq": 3}),
    )
    .await;
    for i in 1..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");

    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":2}"#).await;
    assert_eq!(
        r,
        json!({"type": "io.nats.jetstream.api.v1.consumer_reset_response",
            "error": {"code": 400, "err_code": 10204, "description": "invalid reset: below start seq"},
            "reset_seq": 0})
    );
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":3}"#).await;
    assert_eq!(
        r["type"],
        "io.nats.jetstream.api.v1.consumer_reset_response"
    );
    assert_eq!(r["reset_seq"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(
        r["ack_floor"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(r["name"], "CONSUMER", "{r}");
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
}

// go: server/TestJetStreamConsumerResetToSequenceConstraintOnStartTime
#[tokio::test]
async fn reset_not_below_the_start_time() {
    let dir = TempDir::new("js-reset-time");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    for i in 1..=2 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    create(
        &nc,
        "TEST",
        "CONSUMER",
        json!({"durable_name": "CONSUMER", "ack_policy": "explicit",
        "deliver_policy": "by_start_time", "opt_start_time": GoTime::now().to_string()}),
    )
    .await;
    for i in 3..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":2}"#).await;
    assert_eq!(
        r["error"]["description"], "invalid reset: below start time",
        "{r}"
    );
    assert_eq!(r["error"]["err_code"], 10204, "{r}");
    let r = reset(&nc, "TEST", "CONSUMER", r#"{"seq":3}"#).await;
    assert_eq!(r["reset_seq"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(
        r["ack_floor"],
        json!({"consumer_seq": 0, "stream_seq": 2}),
        "{r}"
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "CONSUMER").await, "msg3");
}

#[tokio::test]
async fn reset_to_ack_floor_redelivers_and_other_answers() {
    let dir = TempDir::new("js-reset");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "TEST", &["foo"]).await;
    create(
        &nc,
        "TEST",
        "C",
        json!({"durable_name": "C", "ack_policy": "explicit"}),
    )
    .await;
    for i in 1..=4 {
        js.publish("foo", format!("msg{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // Starts at the last message, so its ack floor is just below it.
    create(
        &nc,
        "TEST",
        "L",
        json!({"durable_name": "L", "deliver_policy": "last"}),
    )
    .await;
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg1");
    // Delivered but not acknowledged.
    let mut sub = pull(&nc, "TEST", "C", "r1", json!({"batch": 2})).await;
    for _ in 0..2 {
        next_within(&mut sub, WAIT).await.expect("delivery");
    }
    assert_eq!(info(&nc, "TEST", "C").await["num_ack_pending"], 2);

    // No sequence: back to just past the ack floor; pending acks are forgotten.
    let r = reset(&nc, "TEST", "C", "").await;
    assert_eq!(r["reset_seq"], 2, "{r}");
    assert_eq!(r["num_ack_pending"], 0, "{r}");
    assert_eq!(r["num_pending"], 3, "{r}");
    assert_eq!(
        r["delivered"],
        json!({"consumer_seq": 0, "stream_seq": 1}),
        "{r}"
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg2");

    // Unknown fields pass as Go's plain decoding lets them; bad types do not.
    assert_eq!(
        reset(&nc, "TEST", "C", r#"{"seq":4,"x":1}"#).await["reset_seq"],
        4
    );
    assert_eq!(fetch_one_ack(&nc, "TEST", "C").await, "msg4");
    assert_eq!(
        reset(&nc, "TEST", "C", r#"{"seq":"x"}"#).await["error"]["description"],
        "invalid JSON: json: cannot unmarshal string into Go struct field JSApiConsumerResetRequest.seq of type uint64"
    );
    // Only deliver policies with a defined start may move.
    assert_eq!(
        reset(&nc, "TEST", "L", r#"{"seq":2}"#).await["error"]["description"],
        "invalid reset: not allowed"
    );
    assert_eq!(reset(&nc, "TEST", "L", "").await["reset_seq"], 4);

    // A consumer that does not exist does not answer.
    let none = timeout(
        Duration::from_millis(500),
        nc.request("$JS.API.CONSUMER.RESET.TEST.NOPE", "".into()),
    )
    .await;
    assert!(
        !matches!(none, Ok(Ok(_))),
        "answered for a missing consumer"
    );
}

/// The gaps between successive messages on `sub`, starting from `from`.
async fn gaps(sub: &mut async_nats::Subscriber, n: usize) -> Vec<Duration> {
    let mut out = Vec::new();
    let mut last = std::time::Instant::now();
    for i in 0..n {
        next_within(sub, WAIT)
            .await
            .unwrap_or_else(|| panic!("message {i}"));
        let now = std::time::Instant::now();
        out.push(now - last);
        last = now;
    }
    out
}

// go: server/TestJetStreamConsumerReplayRate
#[tokio::test]
async fn replay_original_keeps_the_published_gaps() {
    for storage in [StorageType::Memory, StorageType::File] {
        let dir = TempDir::new("js-replay");
        let (_h, nc, js) = setup(&dir).await;
        js.create_stream(stream::Config {
            name: "DC".into(),
            storage,
            ..Default::default()
        })
        .await
        .unwrap();
        // Ten messages with gaps of 20..60ms.
        let mut sent_gaps = Vec::new();
        let mut last = std::time::Instant::now();
        for i in 0..10u64 {
            sent_gaps.push(last.elapsed());
            last = std::time::Instant::now();
            js.publish("DC", "OK!".into()).await.unwrap().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20 + (i * 7) % 40)).await;
        }

        // Instant (the default): a firehose.
        let mut sub = nc.subscribe("d.instant").await.unwrap();
        nc.flush().await.unwrap();
        create(
            &nc,
            "DC",
            "i",
            json!({"name": "i", "deliver_subject": "d.instant"}),
        )
        .await;
        let got = gaps(&mut sub, 10).await;
        let total: Duration = got[1..].iter().sum();
        assert!(
            total < sent_gaps[1..].iter().sum::<Duration>() / 3,
            "instant delivery took {total:?}"
        );

        // Original: each gap as published (the first message at once).
        let mut sub = nc.subscribe("d.original").await.unwrap();
        nc.flush().await.unwrap();
        create(
            &nc,
            "DC",
            "o",
            json!({"name": "o", "deliver_subject": "d.original", "replay_policy": "original"}),
        )
        .await;
        let got = gaps(&mut sub, 10).await;
        for i in 1..10 {
            let (lo, hi) = (
                sent_gaps[i].saturating_sub(Duration::from_millis(10)),
                sent_gaps[i] + Duration::from_millis(40),
            );
            assert!(
                got[i] >= lo && got[i] <= hi,
                "push gap {i}: sent {:?}, got {:?}",
                sent_gaps[i],
                got[i]
            );
        }

        // Pull: each request is answered after the original gap. (A reply inbox of its own: the
        // delivery keeps the message's subject, which a request muxer cannot route.)
        create(
            &nc,
            "DC",
            "PM",
            json!({"durable_name": "PM", "ack_policy": "explicit", "replay_policy": "original"}),
        )
        .await;
        let mut sub = nc.subscribe("pm.reply").await.unwrap();
        nc.flush().await.unwrap();
        for (i, want) in sent_gaps.iter().enumerate() {
            let start = std::time::Instant::now();
            nc.publish_with_reply("$JS.API.CONSUMER.MSG.NEXT.DC.PM", "pm.reply", "".into())
                .await
                .unwrap();
            next_within(&mut sub, WAIT)
                .await
                .unwrap_or_else(|| panic!("pull {i}"));
            let gap = start.elapsed();
            if i == 0 {
                continue;
            }
            let (lo, hi) = (
                want.saturating_sub(Duration::from_millis(10)),
                *want + Duration::from_millis(40),
            );
            assert!(
                gap >= lo && gap <= hi,
                "pull gap {i}: sent {want:?}, got {gap:?}"
            );
        }
    }
}

// go: server/TestJetStreamConsumerReplayRateNoAck
#[tokio::test]
async fn replay_original_without_acks_delivers_everything() {
    for storage in [StorageType::Memory, StorageType::File] {
        let dir = TempDir::new("js-replay-noack");
        let (_h, nc, js) = setup(&dir).await;
        js.create_stream(stream::Config {
            name: "DC".into(),
            storage,
            ..Default::default()
        })
        .await
        .unwrap();
        for i in 0..10u64 {
            js.publish("DC", "Hello World".into())
                .await
                .unwrap()
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(i % 5)).await;
        }
        create(
            &nc,
            "DC",
            "derek",
            json!({"durable_name": "derek", "deliver_subject": "d.dc",
        "ack_policy": "none", "replay_policy": "original"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(15)).await;
        let mut sub = nc.subscribe("d.dc").await.unwrap();
        let start = std::time::Instant::now();
        gaps(&mut sub, 10).await;
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "took {:?}",
            start.elapsed()
        );
    }
}

// go: server/TestJetStreamConsumerPullDelayedFirstPullWithReplayOriginal
#[tokio::test]
async fn replay_original_pull_answers_a_late_first_request() {
    let dir = TempDir::new("js-replay-late");
    let (_h, nc, js) = setup(&dir).await;
    for storage in ["memory", "file"] {
        let name = format!("MY_WQ_{storage}");
        api(
            &nc,
            &format!("$JS.API.STREAM.CREATE.{name}"),
            json!({"name": name, "storage": storage}),
        )
        .await;
        js.publish(name.clone(), "Hello World!".into())
            .await
            .unwrap()
            .await
            .unwrap();
        create(
            &nc,
            &name,
            "d",
            json!({"durable_name": "d", "ack_policy": "explicit", "replay_policy": "original"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut sub = pull(&nc, &name, "d", &format!("late.{storage}"), json!(1)).await;
        let m = next_within(&mut sub, Duration::from_secs(1))
            .await
            .expect("answered in time");
        assert_eq!(&m.payload[..], b"Hello World!");
    }
}

// go: server/TestJetStreamConsumerRateLimit
#[tokio::test]
async fn rate_limit_throttles_push_delivery() {
    let dir = TempDir::new("js-rate");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "RATELIMIT", &["RATELIMIT"]).await;
    let msg_size = 128 * 1024;
    let payload: Vec<u8> = (0..msg_size).map(|i| (i * 7 % 251) as u8).collect();
    let to_send = 10 * 1024 * 1024 / msg_size;
    for _ in 0..to_send {
        js.publish("RATELIMIT", payload.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let rate_limit: u64 = 100 * 1024 * 1024;
    // Pull consumers may not have a rate limit.
    let r = create(
        &nc,
        "RATELIMIT",
        "to",
        json!({"durable_name": "to", "ack_policy": "explicit", "rate_limit_bps": rate_limit}),
    )
    .await;
    assert_eq!(r["error"]["err_code"], 10086, "{r}");
    assert_eq!(
        r["error"]["description"], "consumer in pull mode can not have rate limit set",
        "{r}"
    );

    let mut sub = nc.subscribe("to").await.unwrap();
    nc.flush().await.unwrap();
    let start = std::time::Instant::now();
    create(
        &nc,
        "RATELIMIT",
        "rate",
        json!({"durable_name": "rate", "deliver_subject": "to",
        "rate_limit_bps": rate_limit, "ack_policy": "none"}),
    )
    .await;
    for i in 0..to_send {
        timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap_or_else(|_| panic!("message {i} in time"));
    }
    let took = start.elapsed().as_secs_f64();
    let rate = (8 * to_send * msg_size) as f64 / took;
    assert!(
        rate <= rate_limit as f64 * 1.25,
        "{} mbps over the limit",
        rate / (1024.0 * 1024.0)
    );
}

#[tokio::test]
async fn sampled_acks_publish_metrics() {
    let dir = TempDir::new("js-sample");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "S", &["s"]).await;
    for (freq, want) in [
        ("x%", "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"x\": invalid syntax"),
        ("%", "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"\": invalid syntax"),
        ("-5", "failed to parse consumer sampling configuration: <nil>"),
    ] {
        let r = create(&nc, "S", "bad", json!({"durable_name": "bad", "sample_freq": freq})).await;
        assert_eq!(r["error"]["err_code"], 10095, "{r}");
        assert_eq!(r["error"]["description"], want, "{r}");
    }
    let r = create(
        &nc,
        "S",
        "C",
        json!({"durable_name": "C", "ack_policy": "explicit", "sample_freq": "100%"}),
    )
    .await;
    assert_eq!(r["config"]["sample_freq"], "100%", "{r}");
    create(
        &nc,
        "S",
        "N",
        json!({"durable_name": "N", "ack_policy": "explicit"}),
    )
    .await;
    publish_n(&js, "s", 2).await;
    let mut metrics = nc
        .subscribe("$JS.EVENT.METRIC.CONSUMER.ACK.S.*")
        .await
        .unwrap();
    nc.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let got = fetch_one_ack(&nc, "S", "C").await;
    assert_eq!(got, "msg-0");
    let m = next_within(&mut metrics, WAIT).await.expect("ack metric");
    assert_eq!(m.subject.as_str(), "$JS.EVENT.METRIC.CONSUMER.ACK.S.C");
    let v: Value = serde_json::from_slice(&m.payload).unwrap();
    assert_eq!(v["type"], "io.nats.jetstream.metric.v1.consumer_ack", "{v}");
    assert_eq!(
        (v["stream"].as_str(), v["consumer"].as_str()),
        (Some("S"), Some("C")),
        "{v}"
    );
    assert_eq!(
        (
            v["consumer_seq"].as_u64(),
            v["stream_seq"].as_u64(),
            v["deliveries"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{v}"
    );
    let ack_time = v["ack_time"].as_i64().unwrap();
    assert!(ack_time > 0 && ack_time < 5_000_000_000, "{v}");
    // Without sampling, no metric.
    fetch_one_ack(&nc, "S", "N").await;
    assert!(next_within(&mut metrics, Duration::from_millis(300))
        .await
        .is_none());
}

// go: server/TestJetStreamConsumerReplayQuit
#[tokio::test]
async fn deleting_a_replaying_consumer_stops_its_deliveries() {
    for storage in [StorageType::Memory, StorageType::File] {
        let dir = TempDir::new("js-replay-quit");
        let (_h, nc, js) = setup(&dir).await;
        js.create_stream(stream::Config {
            name: "DC".into(),
            storage,
            ..Default::default()
        })
        .await
        .unwrap();
        js.publish("DC", "OK!".into()).await.unwrap().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        js.publish("DC", "OK!".into()).await.unwrap().await.unwrap();
        let mut sub = nc.subscribe("d.quit").await.unwrap();
        nc.flush().await.unwrap();
        create(
            &nc,
            "DC",
            "q",
            json!({"name": "q", "deliver_subject": "d.quit", "replay_policy": "original"}),
        )
        .await;
        next_within(&mut sub, WAIT).await.expect("first message");
        // The second waits for its original gap; the consumer goes away meanwhile.
        let r = api(&nc, "$JS.API.CONSUMER.DELETE.DC.q", Value::Null).await;
        assert_eq!(r["success"], true, "{r}");
        assert!(next_within(&mut sub, Duration::from_millis(600))
            .await
            .is_none());
    }
}

#[tokio::test]
async fn replay_original_of_last_per_subject_skips_nothing() {
    let dir = TempDir::new("js-lps-replay");
    let (_h, nc, js) = setup(&dir).await;
    add_stream(&js, "T", &["t.*"]).await;
    for subj in ["t.a", "t.b", "t.c", "t.a", "t.b", "t.c"] {
        js.publish(subj, subj.to_string().into())
            .await
            .unwrap()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let mut sub = nc.subscribe("d.lps").await.unwrap();
    nc.flush().await.unwrap();
    create(
        &nc,
        "T",
        "L",
        json!({"durable_name": "L", "ack_policy": "none", "deliver_policy": "last_per_subject",
            "filter_subject": "t.*", "deliver_subject": "d.lps", "replay_policy": "original"}),
    )
    .await;
    // Each waits its original gap, and none is skipped while it waits.
    let mut got = Vec::new();
    for _ in 0..3 {
        let m = next_within(&mut sub, WAIT).await.expect("message");
        got.push(m.subject.to_string());
    }
    assert_eq!(got, ["t.a", "t.b", "t.c"]);
}
