//! Message schedules (`allow_msg_schedules`): `Nats-Schedule` publishes and the errors Go sends
//! for them, the messages a schedule produces (`@at`, `@every`, cron, with a source, a TTL and a
//! rollup) with their `Nats-Scheduler` / `Nats-Schedule-Next` headers, replacing and purging
//! schedules, and schedules kept across a restart. Answers and produced headers are compared
//! with the Go server where they do not depend on the clock.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::support::*;
use server::Options;

fn js_opts(dir: &TempDir) -> Options {
    let mut o = Options::for_test();
    o.jetstream = true;
    o.store_dir = dir.0.display().to_string();
    o
}

/// A JetStream server to talk to: ours in-process, or the Go reference server.
struct Srv {
    nc: async_nats::Client,
    h: Option<server::ServerHandle>,
    _go: Option<GoServer>,
    _dir: TempDir,
}

async fn ours(name: &str) -> Srv {
    let dir = TempDir::new(name);
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    Srv {
        nc,
        h: Some(h),
        _go: None,
        _dir: dir,
    }
}

async fn go(name: &str) -> Srv {
    let dir = TempDir::new(name);
    let sd = dir.0.display().to_string();
    let g = GoServer::start(&["-js", "-sd", &sd]).await;
    let nc = async_nats::connect(format!("nats://{}", g.client))
        .await
        .unwrap();
    Srv {
        nc,
        h: None,
        _go: Some(g),
        _dir: dir,
    }
}

impl Srv {
    async fn shutdown(self) {
        if let Some(h) = self.h {
            h.shutdown().await;
        }
    }
}

async fn req(nc: &async_nats::Client, subject: &str, body: Value) -> Value {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    serde_json::from_slice(&m.payload).expect("JSON answer")
}

async fn create_ok(nc: &async_nats::Client, cfg: Value) {
    let name = cfg["name"].as_str().unwrap_or_default().to_string();
    let v = req(nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await;
    assert!(v.get("error").is_none(), "{v}");
}

/// Publish with headers and a reply; the raw PubAck text.
async fn publish(
    nc: &async_nats::Client,
    subject: &str,
    hdrs: &[(&str, &str)],
    body: &str,
) -> String {
    let mut h = async_nats::HeaderMap::new();
    for (k, v) in hdrs {
        h.insert(*k, *v);
    }
    let m = tokio::time::timeout(
        WAIT,
        nc.request_with_headers(subject.to_string(), h, body.as_bytes().to_vec().into()),
    )
    .await
    .expect("ack in time")
    .expect("ack");
    String::from_utf8(m.payload.to_vec()).unwrap()
}

async fn publish_ok(
    nc: &async_nats::Client,
    subject: &str,
    hdrs: &[(&str, &str)],
    body: &str,
) -> u64 {
    let ack = publish(nc, subject, hdrs, body).await;
    let v: Value = serde_json::from_str(&ack).expect("JSON ack");
    assert!(v.get("error").is_none(), "{subject}: {ack}");
    v["seq"].as_u64().unwrap()
}

fn err_ack(stream: &str, code: u64, err_code: u64, text: &str) -> String {
    format!(
        r#"{{"error":{{"code":{code},"err_code":{err_code},"description":"{text}"}},"stream":"{stream}","seq":0}}"#
    )
}

/// A stored message: subject, sequence, header block and body as text.
#[derive(Debug, Clone, PartialEq)]
struct Msg {
    subject: String,
    seq: u64,
    hdrs: String,
    data: String,
}

impl Msg {
    fn header(&self, key: &str) -> Option<&str> {
        self.hdrs
            .split("\r\n")
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
    }
}

async fn get(nc: &async_nats::Client, stream: &str, q: Value) -> Option<Msg> {
    let v = req(nc, &format!("$JS.API.STREAM.MSG.GET.{stream}"), q).await;
    let m = v.get("message")?;
    let b64 = |k: &str| {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(m[k].as_str().unwrap_or_default())
            .unwrap();
        String::from_utf8(raw).unwrap()
    };
    Some(Msg {
        subject: m["subject"].as_str().unwrap().to_string(),
        seq: m["seq"].as_u64().unwrap(),
        hdrs: b64("hdrs"),
        data: b64("data"),
    })
}

async fn last(nc: &async_nats::Client, stream: &str, subject: &str) -> Option<Msg> {
    get(nc, stream, json!({"last_by_subj": subject})).await
}

async fn by_seq(nc: &async_nats::Client, stream: &str, seq: u64) -> Option<Msg> {
    get(nc, stream, json!({"seq": seq})).await
}

/// (messages, first_seq, last_seq) of a stream.
async fn state(nc: &async_nats::Client, stream: &str) -> (u64, u64, u64) {
    let v = req(nc, &format!("$JS.API.STREAM.INFO.{stream}"), json!({})).await;
    let s = &v["state"];
    (
        s["messages"].as_u64().unwrap(),
        s["first_seq"].as_u64().unwrap(),
        s["last_seq"].as_u64().unwrap(),
    )
}

/// Messages stored on one subject.
async fn count(nc: &async_nats::Client, stream: &str, subject: &str) -> u64 {
    let v = req(
        nc,
        &format!("$JS.API.STREAM.INFO.{stream}"),
        json!({"subjects_filter": subject}),
    )
    .await;
    v["state"]["subjects"][subject].as_u64().unwrap_or(0)
}

/// Poll `f` until it returns `Some`, for at most `within`.
async fn wait_for<T, F, Fut>(within: Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Go's `time.Now().Add(d).Format(time.RFC3339Nano)` as an `@at` pattern.
fn at_in(d: Duration) -> String {
    let t = time::OffsetDateTime::now_utc() + d;
    format!(
        "@at {}",
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    )
}

const PAST: &str = "@at 1970-01-01T00:00:00Z";

/// Every publish the schedule checks refuse, on a stream without schedules, one without TTLs
/// and one with both. Each gives the same PubAck on both servers.
async fn refusals(nc: &async_nats::Client) -> Vec<String> {
    create_ok(nc, json!({"name": "OFF", "subjects": ["disabled"]})).await;
    create_ok(
        nc,
        json!({"name": "NOTTL", "subjects": ["disabled.ttl"], "allow_msg_schedules": true}),
    )
    .await;
    create_ok(
        nc,
        json!({"name": "ON", "subjects": ["foo.*"], "allow_msg_schedules": true, "allow_msg_ttl": true}),
    )
    .await;
    publish(nc, "foo.normal", &[], "previous").await;
    publish(
        nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", "@every 1h"),
            ("Nats-Schedule-Target", "foo.target"),
        ],
        "",
    )
    .await;
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("disabled", vec![("Nats-Schedule", PAST)]),
        ("disabled", vec![("Nats-Schedule", "disabled")]),
        ("disabled", vec![("Nats-Schedule-Time-Zone", "Not/A/Zone")]),
        (
            "disabled.ttl",
            vec![("Nats-Schedule", PAST), ("Nats-Schedule-TTL", "1s")],
        ),
        ("foo.invalid", vec![("Nats-Schedule", "invalid")]),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", "0 * * * * *"),
                ("Nats-Schedule-Time-Zone", "Not/A/Zone"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", "0 * * * * *"),
                ("Nats-Schedule-Time-Zone", ""),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", "invalid"),
                ("Nats-Schedule-Time-Zone", "UTC"),
            ],
        ),
        (
            "foo.invalid",
            vec![("Nats-Schedule", PAST), ("Nats-Schedule-Time-Zone", "UTC")],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", "@every 1s"),
                ("Nats-Schedule-Time-Zone", "Europe/Amsterdam"),
            ],
        ),
        ("foo.invalid", vec![("Nats-Schedule", "@every 999ms")]),
        ("foo.invalid", vec![("Nats-Schedule", "* * * * *")]),
        ("foo.invalid", vec![("Nats-Schedule", "60 * * * * *")]),
        ("foo.invalid", vec![("Nats-Schedule", "0 0 0 31 2 *")]),
        ("foo.invalid", vec![("Nats-Schedule", PAST)]),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "not.matching"),
            ],
        ),
        (
            "foo.invalid",
            vec![("Nats-Schedule", PAST), ("Nats-Schedule-Target", "foo.*")],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.invalid"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-TTL", "invalid"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-TTL", "500ms"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-TTL", "1s"),
                ("Nats-Rollup", "all"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-Rollup", "all"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-Source", "foo.invalid"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-Source", "foo.publish"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-Source", "foo.>"),
            ],
        ),
        (
            "foo.invalid",
            vec![
                ("Nats-Schedule", PAST),
                ("Nats-Schedule-Target", "foo.publish"),
                ("Nats-Schedule-Source", "bar"),
            ],
        ),
        ("foo.x", vec![("Nats-Schedule-Next", "purge")]),
        (
            "foo.x",
            vec![("Nats-Schedule-Next", "purge"), ("Nats-Scheduler", "foo.*")],
        ),
        (
            "foo.x",
            vec![("Nats-Schedule-Next", "purge"), ("Nats-Scheduler", "foo.x")],
        ),
        (
            "foo.x",
            vec![
                ("Nats-Schedule-Next", "purge"),
                ("Nats-Scheduler", "foo.normal"),
            ],
        ),
        (
            "foo.x",
            vec![
                ("Nats-Schedule-Next", "2099-01-01T00:00:00Z"),
                ("Nats-Scheduler", "foo.schedule"),
            ],
        ),
        ("foo.x", vec![("Nats-Scheduler", "foo.schedule")]),
        (
            "disabled",
            vec![
                ("Nats-Schedule-Next", "purge"),
                ("Nats-Scheduler", "foo.normal"),
            ],
        ),
        (
            "disabled",
            vec![
                ("Nats-Schedule-Next", "later"),
                ("Nats-Scheduler", "foo.normal"),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (subject, hdrs) in cases {
        let ack = publish(nc, subject, &hdrs, "").await;
        out.push(format!("{subject} {hdrs:?} -> {ack}"));
    }
    out
}

#[tokio::test]
async fn refused_schedules_answer_like_go() {
    let g = go("js-sched-refuse-go").await;
    let theirs = refusals(&g.nc).await;
    let o = ours("js-sched-refuse").await;
    let mine = refusals(&o.nc).await;
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(a, b);
    }
    assert_eq!(mine.len(), theirs.len());
    // Spot checks of the Go texts themselves.
    assert!(mine[0].ends_with(&err_ack("OFF", 400, 10188, "message schedules is disabled")));
    assert!(mine[4].ends_with(&err_ack(
        "ON",
        400,
        10189,
        "message schedules pattern is invalid"
    )));
    o.shutdown().await;
}

// go: server/TestJetStreamScheduledPurgeHeadersRequiresSchedulingEnabled
#[tokio::test]
async fn purge_headers_need_schedules_enabled() {
    let s = ours("js-sched-purge-off").await;
    create_ok(
        &s.nc,
        json!({"name": "TEST", "subjects": ["foo.*"], "storage": "file"}),
    )
    .await;
    publish_ok(&s.nc, "foo.victim", &[], "OK").await;
    let ack = publish(
        &s.nc,
        "foo.attacker",
        &[
            ("Nats-Schedule-Next", "purge"),
            ("Nats-Scheduler", "foo.victim"),
        ],
        "",
    )
    .await;
    assert_eq!(
        ack,
        err_ack("TEST", 400, 10188, "message schedules is disabled")
    );
    assert_eq!(state(&s.nc, "TEST").await.0, 1);
    s.shutdown().await;
}

/// A one-shot schedule with a TTL and headers to strip: what it stores, what it produces, and
/// the stream afterwards. Returns the produced message and the states seen.
async fn delayed(nc: &async_nats::Client, storage: &str) -> (Msg, Vec<(u64, u64, u64)>) {
    create_ok(
        nc,
        json!({"name": "S", "subjects": ["foo.*"], "storage": storage,
               "allow_msg_schedules": true, "allow_msg_ttl": true}),
    )
    .await;
    // A schedule far out, then one that replaces it (the rollup is added when missing).
    let far = at_in(Duration::from_secs(3600));
    let seq = publish_ok(
        nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", &far),
            ("Nats-Schedule-Target", "foo.publish"),
            ("Nats-Schedule-TTL", "1s"),
            ("Nats-Rollup", "sub"),
        ],
        "",
    )
    .await;
    assert_eq!(seq, 1);
    let soon = at_in(Duration::from_millis(1000));
    let seq = publish_ok(
        nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", &soon),
            ("Nats-Schedule-Target", "foo.publish"),
            ("Nats-Schedule-TTL", "1s"),
            ("Nats-Expected-Stream", "S"),
            ("Nats-Expected-Last-Sequence", "1"),
            ("Nats-Expected-Last-Subject-Sequence", "1"),
            ("Nats-Msg-Id", "X"),
            ("Nats-TTL", "60s"),
            ("Header", "Value"),
        ],
        "hello",
    )
    .await;
    assert_eq!(seq, 2);
    let mut states = vec![state(nc, "S").await];
    let stored = last(nc, "S", "foo.schedule").await.expect("the schedule");
    assert_eq!(stored.header("Nats-Rollup"), Some("sub"), "{stored:?}");
    let produced = wait_for(Duration::from_secs(3), "the produced message", || async {
        last(nc, "S", "foo.publish").await
    })
    .await;
    states.push(
        wait_for(Duration::from_secs(2), "the schedule purged", || async {
            let st = state(nc, "S").await;
            (st.0 == 1 && st.1 == 3).then_some(st)
        })
        .await,
    );
    // The produced message ages out with its TTL.
    states.push(
        wait_for(Duration::from_secs(3), "the TTL expiry", || async {
            let st = state(nc, "S").await;
            (st.0 == 0).then_some(st)
        })
        .await,
    );
    (produced, states)
}

#[tokio::test]
async fn delayed_message_is_produced_as_go_produces_it() {
    let g = go("js-sched-delay-go").await;
    let (theirs, their_states) = delayed(&g.nc, "file").await;
    for storage in ["file", "memory"] {
        let s = ours(&format!("js-sched-delay-{storage}")).await;
        let (mine, states) = delayed(&s.nc, storage).await;
        assert_eq!(mine, theirs, "{storage}");
        assert_eq!(states, their_states, "{storage}");
        assert_eq!(mine.seq, 3);
        assert_eq!(mine.data, "hello");
        assert_eq!(
            mine.hdrs,
            "NATS/1.0\r\nHeader: Value\r\nNats-Scheduler: foo.schedule\r\nNats-Schedule-Next: purge\r\nNats-TTL: 1s\r\n\r\n"
        );
        assert_eq!(states, vec![(1, 2, 2), (1, 3, 3), (0, 4, 3)]);
        s.shutdown().await;
    }
}

// go: server/TestJetStreamScheduledMessageNotTriggering
#[tokio::test]
async fn steady_schedule_publishing_does_not_starve_the_timer() {
    for storage in ["file", "memory"] {
        let s = ours(&format!("js-sched-starve-{storage}")).await;
        create_ok(
            &s.nc,
            json!({"name": "TEST", "subjects": ["foo.>"], "storage": storage, "allow_msg_schedules": true}),
        )
        .await;
        let hour = at_in(Duration::from_secs(3600));
        publish_ok(
            &s.nc,
            "foo.schedule.first",
            &[
                ("Nats-Schedule", &hour),
                ("Nats-Schedule-Target", "foo.msg"),
            ],
            "",
        )
        .await;
        // Schedules keep arriving every 100ms, each re-arming the timer.
        let nc = s.nc.clone();
        let spam = tokio::spawn(async move {
            for i in 1.. {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let hour = at_in(Duration::from_secs(3600));
                let _ = publish(
                    &nc,
                    &format!("foo.schedule.{i}"),
                    &[
                        ("Nats-Schedule", &hour),
                        ("Nats-Schedule-Target", "foo.msg"),
                    ],
                    "",
                )
                .await;
            }
        });
        let soon = at_in(Duration::from_secs(1));
        let hdrs = [
            ("Nats-Schedule", soon.as_str()),
            ("Nats-Schedule-Target", "foo.msg"),
        ];
        publish_ok(&s.nc, "foo.schedule.validate", &hdrs, "").await;
        let seq = publish_ok(&s.nc, "foo.schedule.validate", &hdrs, "").await;
        wait_for(
            Duration::from_secs(3),
            "the schedule fired and was purged",
            || async { by_seq(&s.nc, "TEST", seq).await.is_none().then_some(()) },
        )
        .await;
        spam.abort();
        assert_eq!(count(&s.nc, "TEST", "foo.msg").await, 1, "{storage}");
        s.shutdown().await;
    }
}

// go: server/TestJetStreamScheduledMessageNotDeactivated
#[tokio::test]
async fn a_plain_message_on_the_schedule_subject_ends_the_schedule() {
    for storage in ["file", "memory"] {
        let s = ours(&format!("js-sched-deact-{storage}")).await;
        create_ok(
            &s.nc,
            json!({"name": "TEST", "subjects": ["foo.>"], "storage": storage, "allow_msg_schedules": true}),
        )
        .await;
        let soon = at_in(Duration::from_secs(1));
        publish_ok(
            &s.nc,
            "foo.schedule",
            &[
                ("Nats-Schedule", &soon),
                ("Nats-Schedule-Target", "foo.msg1"),
            ],
            "",
        )
        .await;
        wait_for(Duration::from_secs(2), "foo.msg1", || async {
            last(&s.nc, "TEST", "foo.msg1").await
        })
        .await;
        let soon = at_in(Duration::from_secs(1));
        publish_ok(
            &s.nc,
            "foo.schedule",
            &[
                ("Nats-Schedule", &soon),
                ("Nats-Schedule-Target", "foo.msg2"),
            ],
            "",
        )
        .await;
        publish_ok(&s.nc, "foo.schedule", &[], "").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(last(&s.nc, "TEST", "foo.msg2").await.is_none(), "{storage}");
        s.shutdown().await;
    }
}

// go: server/TestJetStreamScheduledMessageDeliveryPreservesTargetSchedule
#[tokio::test]
async fn a_produced_message_keeps_the_schedule_on_its_target() {
    for storage in ["file", "memory"] {
        let s = ours(&format!("js-sched-chain-{storage}")).await;
        create_ok(
            &s.nc,
            json!({"name": "TEST", "subjects": ["foo.>"], "storage": storage, "allow_msg_schedules": true}),
        )
        .await;
        let a = at_in(Duration::from_millis(500));
        publish_ok(
            &s.nc,
            "foo.A",
            &[("Nats-Schedule", &a), ("Nats-Schedule-Target", "foo.B")],
            "",
        )
        .await;
        let b = at_in(Duration::from_secs(2));
        publish_ok(
            &s.nc,
            "foo.B",
            &[("Nats-Schedule", &b), ("Nats-Schedule-Target", "foo.C")],
            "",
        )
        .await;
        let on_b = wait_for(Duration::from_secs(2), "foo.A fired onto foo.B", || async {
            last(&s.nc, "TEST", "foo.B")
                .await
                .filter(|m| m.header("Nats-Scheduler") == Some("foo.A"))
        })
        .await;
        assert_eq!(on_b.header("Nats-Schedule-Next"), Some("purge"));
        wait_for(Duration::from_secs(4), "foo.B fired onto foo.C", || async {
            last(&s.nc, "TEST", "foo.C").await
        })
        .await;
        s.shutdown().await;
    }
}

/// A repeating schedule with a source: the source's last message is produced (its scheduling
/// headers stripped), and a schedule whose source has nothing produces its own content.
async fn sourced(nc: &async_nats::Client) -> (Msg, Msg) {
    create_ok(
        nc,
        json!({"name": "S", "subjects": ["foo.*"], "allow_msg_schedules": true, "allow_msg_ttl": true}),
    )
    .await;
    publish_ok(
        nc,
        "foo.data",
        &[
            ("Header", "Value"),
            ("Nats-Schedule-Next", "purge"),
            ("Nats-Scheduler", "foo.victim"),
        ],
        "data",
    )
    .await;
    publish_ok(
        nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", PAST),
            ("Nats-Schedule-Target", "foo.publish"),
            ("Nats-Schedule-Source", "foo.data"),
            ("Nats-Schedule-Rollup", "sub"),
        ],
        "own",
    )
    .await;
    publish_ok(
        nc,
        "foo.fallback",
        &[
            ("Nats-Schedule", PAST),
            ("Nats-Schedule-Target", "foo.other"),
            ("Nats-Schedule-Source", "foo.nothing"),
            ("Header", "Fallback"),
        ],
        "fallback",
    )
    .await;
    let a = wait_for(Duration::from_secs(3), "foo.publish", || async {
        last(nc, "S", "foo.publish").await
    })
    .await;
    let b = wait_for(Duration::from_secs(3), "foo.other", || async {
        last(nc, "S", "foo.other").await
    })
    .await;
    (a, b)
}

#[tokio::test]
async fn sourced_schedules_produce_the_source_or_their_own_content_like_go() {
    let g = go("js-sched-src-go").await;
    let theirs = sourced(&g.nc).await;
    let s = ours("js-sched-src").await;
    let mine = sourced(&s.nc).await;
    assert_eq!(mine, theirs);
    assert_eq!(
        mine.0.hdrs,
        "NATS/1.0\r\nHeader: Value\r\nNats-Scheduler: foo.schedule\r\nNats-Schedule-Next: purge\r\nNats-Rollup: sub\r\n\r\n"
    );
    assert_eq!(mine.0.data, "data");
    assert_eq!(mine.1.data, "fallback");
    assert_eq!(mine.1.header("Header"), Some("Fallback"));
    s.shutdown().await;
}

#[tokio::test]
async fn a_schedule_rollup_replaces_what_the_target_held() {
    let s = ours("js-sched-rollup").await;
    create_ok(
        &s.nc,
        json!({"name": "S", "subjects": ["foo.*"], "allow_msg_schedules": true}),
    )
    .await;
    publish_ok(&s.nc, "foo.one", &[], "one").await;
    publish_ok(&s.nc, "foo.publish", &[], "previous").await;
    let soon = at_in(Duration::from_millis(500));
    let seq = publish_ok(
        &s.nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", &soon),
            ("Nats-Schedule-Target", "foo.publish"),
            ("Nats-Schedule-Source", "foo.one"),
            ("Nats-Schedule-Rollup", "sub"),
        ],
        "",
    )
    .await;
    assert_eq!(seq, 3);
    wait_for(Duration::from_secs(3), "the rollup", || async {
        (state(&s.nc, "S").await == (2, 1, 4)).then_some(())
    })
    .await;
    let m = last(&s.nc, "S", "foo.publish").await.unwrap();
    assert_eq!((m.seq, m.data.as_str()), (4, "one"));
    assert_eq!(m.header("Nats-Rollup"), Some("sub"));
    assert_eq!(count(&s.nc, "S", "foo.publish").await, 1);
    s.shutdown().await;
}

#[tokio::test]
async fn purging_a_schedule_by_message() {
    let s = ours("js-sched-purge").await;
    create_ok(
        &s.nc,
        json!({"name": "S", "subjects": ["foo.*"], "allow_msg_schedules": true}),
    )
    .await;
    publish_ok(&s.nc, "foo.normal", &[], "previous").await;
    publish_ok(
        &s.nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", "@every 1h"),
            ("Nats-Schedule-Target", "foo.target"),
        ],
        "previous",
    )
    .await;
    let purge = [
        ("Nats-Schedule-Next", "purge"),
        ("Nats-Scheduler", "foo.schedule"),
    ];
    publish_ok(&s.nc, "foo.last", &purge, "").await;
    assert!(last(&s.nc, "S", "foo.schedule").await.is_none());
    // A subject without messages: a purge that does nothing.
    let none = [
        ("Nats-Schedule-Next", "purge"),
        ("Nats-Scheduler", "foo.none"),
    ];
    publish_ok(&s.nc, "foo.last", &none, "").await;
    let ack = publish(
        &s.nc,
        "foo.last",
        &[
            ("Nats-Schedule-Next", "purge"),
            ("Nats-Scheduler", "foo.none"),
            ("Nats-Expected-Last-Subject-Sequence", "1"),
            ("Nats-Expected-Last-Subject-Sequence-Subject", "foo.none"),
        ],
        "",
    )
    .await;
    assert_eq!(ack, err_ack("S", 400, 10071, "wrong last sequence: 0"));
    s.shutdown().await;
}

#[tokio::test]
async fn a_forged_next_time_neither_stores_nor_delays_the_schedule() {
    let s = ours("js-sched-rearm").await;
    create_ok(
        &s.nc,
        json!({"name": "TEST", "subjects": ["foo.>"], "allow_msg_schedules": true}),
    )
    .await;
    let soon = at_in(Duration::from_millis(500));
    publish_ok(
        &s.nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", &soon),
            ("Nats-Schedule-Target", "foo.msg"),
        ],
        "",
    )
    .await;
    let invalid = err_ack("TEST", 400, 10212, "message schedules invalid scheduler");
    let ack = publish(
        &s.nc,
        "foo.attacker",
        &[
            ("Nats-Schedule-Next", "2126-01-01T00:00:00Z"),
            ("Nats-Scheduler", "foo.schedule"),
        ],
        "",
    )
    .await;
    assert_eq!(ack, invalid);
    let ack = publish(
        &s.nc,
        "foo.attacker",
        &[("Nats-Scheduler", "foo.schedule")],
        "",
    )
    .await;
    assert_eq!(ack, invalid);
    wait_for(Duration::from_secs(2), "foo.msg", || async {
        last(&s.nc, "TEST", "foo.msg").await
    })
    .await;
    s.shutdown().await;
}

#[tokio::test]
async fn headers_in_any_order_make_a_schedule() {
    let s = ours("js-sched-order").await;
    create_ok(
        &s.nc,
        json!({"name": "TEST", "subjects": ["foo.*"], "allow_msg_schedules": true}),
    )
    .await;
    // No reply: the schedule is stored all the same.
    let mut h = async_nats::HeaderMap::new();
    h.insert("Nats-Schedule-Target", "foo.publish");
    h.insert("Nats-Schedule", PAST);
    s.nc.publish_with_headers("foo.schedule", h, "".into())
        .await
        .unwrap();
    wait_for(Duration::from_secs(2), "the produced message", || async {
        (state(&s.nc, "TEST").await == (1, 2, 2)).then_some(())
    })
    .await;
    s.shutdown().await;
}

#[tokio::test]
async fn an_interval_repeats_until_its_schedule_is_deleted() {
    for storage in ["file", "memory"] {
        let s = ours(&format!("js-sched-every-{storage}")).await;
        create_ok(
            &s.nc,
            json!({"name": "S", "subjects": ["foo.*"], "storage": storage, "allow_msg_schedules": true}),
        )
        .await;
        let seq = publish_ok(
            &s.nc,
            "foo.schedule",
            &[
                ("Nats-Schedule", "@every 1s"),
                ("Nats-Schedule-Target", "foo.publish"),
            ],
            "tick",
        )
        .await;
        wait_for(Duration::from_secs(5), "three ticks", || async {
            (count(&s.nc, "S", "foo.publish").await >= 3).then_some(())
        })
        .await;
        // Each tick says when the next one is: a whole second later.
        let m = last(&s.nc, "S", "foo.publish").await.unwrap();
        assert_eq!(m.data, "tick");
        let next = m.header("Nats-Schedule-Next").unwrap();
        assert!(
            next.len() == "2006-01-02T15:04:05Z".len() && next.ends_with('Z'),
            "{m:?}"
        );
        assert_eq!(m.header("Nats-Scheduler"), Some("foo.schedule"));
        let v = req(&s.nc, "$JS.API.STREAM.MSG.DELETE.S", json!({"seq": seq})).await;
        assert_eq!(v["success"], true, "{v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = count(&s.nc, "S", "foo.publish").await;
        tokio::time::sleep(Duration::from_millis(1300)).await;
        assert_eq!(count(&s.nc, "S", "foo.publish").await, before, "{storage}");
        s.shutdown().await;
    }
}

#[tokio::test]
async fn a_cron_schedule_fires_every_matching_second() {
    let s = ours("js-sched-cron").await;
    create_ok(
        &s.nc,
        json!({"name": "S", "subjects": ["foo.*"], "allow_msg_schedules": true}),
    )
    .await;
    publish_ok(
        &s.nc,
        "foo.schedule",
        &[
            ("Nats-Schedule", "* * * * * *"),
            ("Nats-Schedule-Target", "foo.publish"),
            ("Nats-Schedule-Time-Zone", "Asia/Kolkata"),
        ],
        "",
    )
    .await;
    wait_for(Duration::from_secs(4), "two ticks", || async {
        (count(&s.nc, "S", "foo.publish").await >= 2).then_some(())
    })
    .await;
    // The next time is shown in the schedule's zone.
    let m = last(&s.nc, "S", "foo.publish").await.unwrap();
    let next = m.header("Nats-Schedule-Next").unwrap();
    assert!(next.ends_with("+05:30"), "{next}");
    s.shutdown().await;
}

#[tokio::test]
async fn file_stream_schedules_survive_a_restart() {
    let dir = TempDir::new("js-sched-restart");
    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    create_ok(
        &nc,
        json!({"name": "S", "subjects": ["foo.*"], "storage": "file", "allow_msg_schedules": true}),
    )
    .await;
    let soon = at_in(Duration::from_secs(3));
    publish_ok(
        &nc,
        "foo.once",
        &[("Nats-Schedule", &soon), ("Nats-Schedule-Target", "foo.a")],
        "a",
    )
    .await;
    publish_ok(
        &nc,
        "foo.every",
        &[
            ("Nats-Schedule", "@every 1s"),
            ("Nats-Schedule-Target", "foo.b"),
        ],
        "b",
    )
    .await;
    // A schedule ended by a plain message stays ended after the restart.
    publish_ok(
        &nc,
        "foo.ended",
        &[("Nats-Schedule", &soon), ("Nats-Schedule-Target", "foo.c")],
        "c",
    )
    .await;
    publish_ok(&nc, "foo.ended", &[], "").await;
    drop(nc);
    h.shutdown().await;

    let h = start(js_opts(&dir)).await;
    let nc = async_nats::connect(h.client_url()).await.unwrap();
    let ticks = count(&nc, "S", "foo.b").await;
    let a = wait_for(
        Duration::from_secs(4),
        "foo.a after the restart",
        || async { last(&nc, "S", "foo.a").await },
    )
    .await;
    assert_eq!(a.data, "a");
    wait_for(
        Duration::from_secs(4),
        "two ticks after the restart",
        || async { (count(&nc, "S", "foo.b").await >= ticks + 2).then_some(()) },
    )
    .await;
    assert!(last(&nc, "S", "foo.once").await.is_none());
    assert!(last(&nc, "S", "foo.c").await.is_none());
    h.shutdown().await;
}

// go: server/TestJetStreamScheduledMirrorOrSource
#[tokio::test]
async fn mirrors_and_sources_copy_schedules_without_running_them() {
    let s = ours("js-sched-mirror").await;
    let create = |cfg: Value| {
        let nc = s.nc.clone();
        async move {
            let name = cfg["name"].as_str().unwrap().to_string();
            req(&nc, &format!("$JS.API.STREAM.CREATE.{name}"), cfg).await
        }
    };
    let v = create(json!({"name": "M", "storage": "file", "mirror": {"name": "O"}, "allow_msg_schedules": true})).await;
    assert_eq!(v["error"]["err_code"], 10186, "{v}");
    let v = create(json!({"name": "S", "storage": "file", "sources": [{"name": "O"}], "allow_msg_schedules": true})).await;
    assert_eq!(v["error"]["err_code"], 10187, "{v}");
    create_ok(
        &s.nc,
        json!({"name": "O", "subjects": ["O.>"], "storage": "file", "allow_msg_schedules": true}),
    )
    .await;
    create_ok(
        &s.nc,
        json!({"name": "M", "storage": "file", "mirror": {"name": "O"}}),
    )
    .await;
    create_ok(
        &s.nc,
        json!({"name": "S", "storage": "file", "sources": [{"name": "O"}]}),
    )
    .await;
    let soon = at_in(Duration::from_secs(1));
    publish_ok(
        &s.nc,
        "O.schedule",
        &[
            ("Nats-Schedule", &soon),
            ("Nats-Schedule-Target", "O.target"),
        ],
        "",
    )
    .await;
    for stream in ["M", "S"] {
        wait_for(Duration::from_secs(5), stream, || async {
            let two = by_seq(&s.nc, stream, 2).await?;
            let one = by_seq(&s.nc, stream, 1).await?;
            (two.subject == "O.target" && one.subject == "O.schedule").then_some(())
        })
        .await;
    }
    s.shutdown().await;
}

#[tokio::test]
async fn an_update_can_turn_schedules_on() {
    let s = ours("js-sched-update").await;
    let cfg = json!({"name": "S", "subjects": ["foo.*"], "allow_rollup_hdrs": true});
    create_ok(&s.nc, cfg.clone()).await;
    let hdrs = [("Nats-Schedule", PAST), ("Nats-Schedule-Target", "foo.t")];
    assert_eq!(
        publish(&s.nc, "foo.s", &hdrs, "").await,
        err_ack("S", 400, 10188, "message schedules is disabled")
    );
    let mut on = cfg;
    on["allow_msg_schedules"] = json!(true);
    let v = req(&s.nc, "$JS.API.STREAM.UPDATE.S", on).await;
    assert!(v.get("error").is_none(), "{v}");
    publish_ok(&s.nc, "foo.s", &hdrs, "x").await;
    let m = wait_for(Duration::from_secs(2), "foo.t", || async {
        last(&s.nc, "S", "foo.t").await
    })
    .await;
    assert_eq!(m.data, "x");
    s.shutdown().await;
}

/// A snapshot as a client takes it, every chunk acknowledged.
async fn take_snapshot(nc: &async_nats::Client, stream: &str) -> Vec<u8> {
    use futures::StreamExt;
    let inbox = nc.new_inbox();
    let mut sub = nc.subscribe(inbox.clone()).await.unwrap();
    nc.flush().await.unwrap();
    let answer = req(
        nc,
        &format!("$JS.API.STREAM.SNAPSHOT.{stream}"),
        json!({"deliver_subject": inbox}),
    )
    .await;
    assert!(answer["error"].is_null(), "{answer}");
    let mut data = Vec::new();
    loop {
        let m = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("chunk in time")
            .expect("chunk");
        if m.payload.is_empty() {
            return data;
        }
        data.extend_from_slice(&m.payload);
        if let Some(reply) = m.reply {
            nc.publish(reply, "".into()).await.unwrap();
        }
    }
}

/// A restore as a client does it: the request, every chunk, the empty end.
async fn restore(nc: &async_nats::Client, stream: &str, cfg: Value, data: &[u8]) {
    let r = req(
        nc,
        &format!("$JS.API.STREAM.RESTORE.{stream}"),
        json!({"config": cfg, "state": {}}),
    )
    .await;
    assert!(r["error"].is_null(), "{r}");
    let deliver = r["deliver_subject"].as_str().unwrap().to_string();
    for chunk in data.chunks(1024) {
        tokio::time::timeout(WAIT, nc.request(deliver.clone(), chunk.to_vec().into()))
            .await
            .expect("chunk ack in time")
            .expect("chunk ack");
    }
    let end = tokio::time::timeout(WAIT, nc.request(deliver, Vec::new().into()))
        .await
        .expect("restored in time")
        .expect("restored");
    let v: Value = serde_json::from_slice(&end.payload).unwrap();
    assert!(v["error"].is_null(), "{v}");
}

#[tokio::test]
async fn restored_schedules_fire() {
    for storage in ["memory", "file"] {
        let s = ours(&format!("js-sched-restore-{storage}")).await;
        let cfg = json!({"name": "S", "subjects": ["foo.*"], "storage": storage, "allow_msg_schedules": true});
        create_ok(&s.nc, cfg.clone()).await;
        let soon = at_in(Duration::from_secs(3));
        publish_ok(
            &s.nc,
            "foo.s",
            &[("Nats-Schedule", &soon), ("Nats-Schedule-Target", "foo.t")],
            "x",
        )
        .await;
        let data = take_snapshot(&s.nc, "S").await;
        let v = req(&s.nc, "$JS.API.STREAM.DELETE.S", json!({})).await;
        assert_eq!(v["success"], true, "{v}");
        restore(&s.nc, "S", cfg, &data).await;
        assert!(last(&s.nc, "S", "foo.t").await.is_none(), "{storage}");
        let m = wait_for(
            Duration::from_secs(5),
            "foo.t after the restore",
            || async { last(&s.nc, "S", "foo.t").await },
        )
        .await;
        assert_eq!((m.seq, m.data.as_str()), (2, "x"), "{storage}");
        s.shutdown().await;
    }
}

async fn incompatible(nc: &async_nats::Client) -> Vec<Value> {
    let mut out = Vec::new();
    for body in [
        json!({"name": "TEST", "subjects": ["foo"], "storage": "file",
               "allow_msg_schedules": true, "discard": "new"}),
        json!({"name": "TEST", "subjects": ["foo"], "storage": "file",
               "allow_msg_schedules": true, "allow_rollup_hdrs": false, "pedantic": true}),
    ] {
        out.push(req(nc, "$JS.API.STREAM.CREATE.TEST", body).await["error"].clone());
    }
    out
}

// go: server/TestJetStreamScheduledMessageIncompatibleSettings
#[tokio::test]
async fn schedules_refuse_discard_new_and_pedantic_no_rollups_like_go() {
    let g = go("js-sched-incompat-go").await;
    let theirs = incompatible(&g.nc).await;
    let s = ours("js-sched-incompat").await;
    let mine = incompatible(&s.nc).await;
    assert_eq!(mine, theirs);
    assert_eq!(
        mine[0]["description"],
        "message scheduling cannot use discard new"
    );
    assert_eq!(
        mine[1]["description"],
        "message scheduling cannot be set if roll-ups are disabled"
    );
    s.shutdown().await;
}

// Schedules carry `Nats-Rollup: sub`; a mirror or a source without rollups stores such
// messages as they are and rolls nothing up.
// go: server/TestJetStreamRollupMirrorOrSource
#[tokio::test]
async fn mirrors_and_sources_store_rollups_without_rolling_up() {
    let s = ours("js-rollup-mirror").await;
    create_ok(
        &s.nc,
        json!({"name": "O", "subjects": ["O"], "storage": "file", "allow_rollup_hdrs": true}),
    )
    .await;
    create_ok(
        &s.nc,
        json!({"name": "M", "storage": "file", "mirror": {"name": "O"}}),
    )
    .await;
    create_ok(
        &s.nc,
        json!({"name": "S", "storage": "file", "sources": [{"name": "O"}]}),
    )
    .await;
    for n in 1..=2u64 {
        publish_ok(&s.nc, "O", &[("Nats-Rollup", "sub")], "").await;
        for stream in ["M", "S"] {
            wait_for(Duration::from_secs(5), stream, || async {
                (state(&s.nc, stream).await == (n, 1, n)).then_some(())
            })
            .await;
        }
    }
    s.shutdown().await;
}
