//! `$SYS.REQ` answers side by side with the Go server: the same configuration on both, the same
//! requests from a system account user and from a normal account user, and the key paths of every
//! answer compared (values differ: ids, times, counters). Requests Go leaves unanswered must be
//! unanswered here too.

use crate::support::*;
use crate::sys_common::*;

/// Answers whose parts differ for reasons outside the system account: Go's runtime statistics, and
/// Go listing the account's internal subscriptions in a subscription list.
const EXPVARZ_EXCEPT: &[&str] = &["data/memstats/BySize"];

struct Side {
    sys: async_nats::Client,
    a: async_nats::Client,
    id: String,
    _foo: async_nats::Subscriber,
}

async fn side(addr: std::net::SocketAddr) -> Side {
    let sys = client(addr, "sys", "sys").await;
    let a = client(addr, "a", "a").await;
    // Something in account A to list.
    let _foo = a.subscribe("foo").await.unwrap();
    a.publish("foo", "x".into()).await.unwrap();
    a.flush().await.unwrap();
    let id = sys.server_info().server_id;
    Side { sys, a, id, _foo }
}

/// Ask both servers and compare the key paths; `None` expects no answer from either.
async fn compare(go: &Side, rust: &Side, from_a: bool, subject: &str, body: &str, except: &[&str]) {
    let g_subj = subject.replace("<id>", &go.id);
    let r_subj = subject.replace("<id>", &rust.id);
    let (gc, rc) = if from_a {
        (&go.a, &rust.a)
    } else {
        (&go.sys, &rust.sys)
    };
    let window = std::time::Duration::from_millis(60);
    let g = ask_with(gc, &g_subj, body, None, window).await;
    let r = ask_with(rc, &r_subj, body, None, window).await;
    assert_eq!(
        g.len(),
        r.len(),
        "{subject} {body}: Go answered {g:?}, rnats answered {r:?}"
    );
    for (g, r) in g.iter().zip(&r) {
        assert_same_keys(&format!("{subject} {body}"), g, r, except);
    }
}

#[tokio::test]
async fn server_requests_answer_with_go_shapes() {
    let (rs, _d1) = start_rust(CONF).await;
    let (gs, _d2) = start_go(CONF).await;
    let go = side(gs.client).await;
    let rust = side(rs.addr()).await;
    let cases: &[(&str, &str, &[&str])] = &[
        ("$SYS.REQ.SERVER.PING", "", &[]),
        ("$SYS.REQ.SERVER.PING.VARZ", "", &[]),
        ("$SYS.REQ.SERVER.<id>.VARZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.CONNZ", "", &[]),
        (
            "$SYS.REQ.SERVER.PING.CONNZ",
            r#"{"subscriptions":true}"#,
            &[],
        ),
        (
            "$SYS.REQ.SERVER.PING.CONNZ",
            r#"{"subscriptions_detail":true,"limit":1}"#,
            &[],
        ),
        ("$SYS.REQ.SERVER.PING.SUBSZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.ROUTEZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.GATEWAYZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.LEAFZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.ACCOUNTZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.ACCOUNTZ", r#"{"account":"A"}"#, &[]),
        ("$SYS.REQ.SERVER.PING.JSZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.HEALTHZ", "", &[]),
        (
            "$SYS.REQ.SERVER.PING.HEALTHZ",
            r#"{"js-enabled-only":true}"#,
            &[],
        ),
        ("$SYS.REQ.SERVER.PING.HEALTHZ", r#"{"stream":"s"}"#, &[]),
        ("$SYS.REQ.SERVER.PING.STATSZ", "", &[]),
        ("$SYS.REQ.SERVER.<id>.STATSZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.IDZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.RAFTZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.PROFILEZ", "", &[]),
        ("$SYS.REQ.SERVER.PING.PROFILEZ", r#"{"name":"nosuch"}"#, &[]),
        ("$SYS.REQ.SERVER.PING.EXPVARZ", "", EXPVARZ_EXCEPT),
    ];
    for (subject, body, except) in cases {
        compare(&go, &rust, false, subject, body, except).await;
    }
    gs_keepalive(&gs);
    rs.shutdown().await;
}

#[tokio::test]
async fn errors_and_filters_answer_as_go_does() {
    let (rs, _d1) = start_rust(CONF).await;
    let (gs, _d2) = start_go(CONF).await;
    let go = side(gs.client).await;
    let rust = side(rs.addr()).await;
    let cases: &[(&str, &str)] = &[
        ("$SYS.REQ.SERVER.PING.CONNZ", r#"{"sort":"bogus"}"#),
        ("$SYS.REQ.SERVER.PING.CONNZ", "{bad json"),
        ("$SYS.REQ.SERVER.PING.CONNZ", r#"{"sort":5}"#),
        ("$SYS.REQ.SERVER.PING.STATSZ", "{bad json"),
        ("$SYS.REQ.SERVER.PING", "{MALFORMEDJSON"),
        ("$SYS.REQ.SERVER.PING.SUBSZ", r#"{"test":"foo.*"}"#),
        ("$SYS.REQ.SERVER.PING.CONNZ", r#"{"server_name":"nomatch"}"#),
        ("$SYS.REQ.SERVER.PING.STATSZ", r#"{"host":"DOESNOTEXIST"}"#),
        ("$SYS.REQ.SERVER.PING.VARZ", r#"{"host":"127.0.0.1"}"#),
        ("$SYS.REQ.SERVER.PING.VARZ", r#"{"tags":["foo"]}"#),
        ("$SYS.REQ.SERVER.PING.JSZ", r#"{"leader_only":true}"#),
        ("$SYS.REQ.ACCOUNT.NOPE.INFO", ""),
        ("$SYS.REQ.ACCOUNT.A.JSZ", ""),
    ];
    for (subject, body) in cases {
        compare(&go, &rust, false, subject, body, &[]).await;
    }
    // The error texts are Go's too.
    for (subject, body) in cases {
        let g = ask_with(&go.sys, subject, body, None, QUIET).await;
        let r = ask_with(&rust.sys, subject, body, None, QUIET).await;
        let err = |v: &[serde_json::Value]| v.first().map(|v| v["error"].clone());
        assert_eq!(err(&g), err(&r), "{subject} {body}");
    }
    gs_keepalive(&gs);
    rs.shutdown().await;
}

#[tokio::test]
async fn account_requests_answer_with_go_shapes() {
    let (rs, _d1) = start_rust(CONF).await;
    let (gs, _d2) = start_go(CONF).await;
    let go = side(gs.client).await;
    let rust = side(rs.addr()).await;
    let sys_cases: &[(&str, &str)] = &[
        ("$SYS.REQ.ACCOUNT.A.CONNZ", ""),
        ("$SYS.REQ.ACCOUNT.SYS.CONNZ", ""),
        ("$SYS.REQ.ACCOUNT.A.SUBSZ", ""),
        ("$SYS.REQ.ACCOUNT.A.LEAFZ", ""),
        ("$SYS.REQ.ACCOUNT.A.INFO", ""),
        ("$SYS.REQ.ACCOUNT.SYS.INFO", ""),
        ("$SYS.REQ.ACCOUNT.A.STATZ", ""),
        ("$SYS.REQ.ACCOUNT.SYS.STATZ", r#"{"include_unused":true}"#),
        ("$SYS.REQ.ACCOUNT.A.CONNS", ""),
        ("$SYS.REQ.ACCOUNT.PING.STATZ", ""),
        ("$SYS.REQ.ACCOUNT.PING.STATZ", r#"{"accounts":["A"]}"#),
        ("$SYS.REQ.ACCOUNT.PING.CONNZ", ""),
        ("$SYS.REQ.USER.INFO", ""),
    ];
    for (subject, body) in sys_cases {
        compare(&go, &rust, false, subject, body, &[]).await;
    }
    let a_cases: &[(&str, &str)] = &[
        ("$SYS.REQ.SERVER.PING.CONNZ", ""),
        ("$SYS.REQ.ACCOUNT.PING.CONNZ", r#"{"subscriptions":true}"#),
        ("$SYS.REQ.ACCOUNT.PING.STATZ", ""),
        ("$SYS.REQ.USER.INFO", ""),
        ("$SYS.REQ.SERVER.PING", ""),
        ("$SYS.REQ.SERVER.PING.VARZ", ""),
    ];
    for (subject, body) in a_cases {
        compare(&go, &rust, true, subject, body, &[]).await;
    }
    gs_keepalive(&gs);
    rs.shutdown().await;
}

/// The Go server lives until the end of the test.
fn gs_keepalive(_g: &GoServer) {}
