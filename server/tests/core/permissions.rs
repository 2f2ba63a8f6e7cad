//! Authorization over raw TCP: publish/subscribe allow and deny lists from a config file, shorthand lists,
//! default permissions, queue-qualified entries, delivery filtering for wildcard subscriptions overlapping a
//! deny, allow_responses, Go's exact violation texts with the connection kept open, and reload.

use std::time::Duration;

use crate::support::*;
use server::Options;

const CONF: &str = r#"
listen: 127.0.0.1:-1
authorization {
  PASS: "pw"
  ADMIN = { publish = ">", subscribe = ">" }
  REQUESTOR = { publish = ["req.foo", "req.bar"], subscribe = "_INBOX.*" }
  default_permissions = { publish = "SANDBOX.*", subscribe = ["PUBLIC.>", "_INBOX.>"] }
  NEW_STYLE = {
    publish = { allow = "*.*", deny = ["SYS.*", "bar.baz", "foo.*"] }
    subscribe = { allow = ["foo.*", "SYS.TEST.>"], deny = ["foo.baz", "SYS.*"] }
  }
  NS_PUB = { publish = "foo.baz", subscribe = "foo.baz" }
  QUEUES = { subscribe = { allow = ["foo.* v1", "bar"], deny = ["foo.bar v1"] } }
  RESPONDER = { subscribe = "q", allow_responses = { max: 2 } }
  users = [
    {user: alice, password: $PASS, permissions: $ADMIN}
    {user: bob, password: $PASS, permissions: $REQUESTOR}
    {user: joe, password: $PASS}
    {user: ns, password: $PASS, permissions: $NEW_STYLE}
    {user: ns-pub, password: $PASS, permissions: $NS_PUB}
    {user: qu, password: $PASS, permissions: $QUEUES}
    {user: resp, password: $PASS, permissions: $RESPONDER}
  ]
}
"#;

async fn from_conf(dir: &TempDir, text: &str) -> (server::ServerHandle, std::path::PathBuf) {
    let path = dir.0.join("auth.conf");
    std::fs::write(&path, text).unwrap();
    let mut opts = Options::default();
    let digest = server::config::options::load_file(&mut opts, &path).expect("config loads");
    opts.config_digest = digest;
    opts.no_signals = true;
    opts.no_log = true;
    (start(opts).await, path)
}

async fn login(h: &server::ServerHandle, user: &str) -> Raw {
    let (mut r, info) = Raw::connect(h).await;
    assert_eq!(info["auth_required"], true);
    let cs = serde_json::json!({"verbose": true, "user": user, "pass": "pw"});
    r.send(format!("CONNECT {cs}\r\n").as_bytes()).await;
    r.expect(b"+OK\r\n").await;
    r
}

fn pub_err(subj: &str) -> String {
    format!("-ERR 'Permissions Violation for Publish to \"{subj}\"'\r\n")
}

fn sub_err(subj: &str) -> String {
    format!("-ERR 'Permissions Violation for Subscription to \"{subj}\"'\r\n")
}

async fn ok_pub(r: &mut Raw, subj: &str) {
    r.send(format!("PUB {subj} 2\r\nok\r\n").as_bytes()).await;
    r.expect(b"+OK\r\n").await;
}

async fn bad_pub(r: &mut Raw, subj: &str) {
    r.send(format!("PUB {subj} 2\r\nok\r\n").as_bytes()).await;
    r.expect(pub_err(subj).as_bytes()).await;
}

async fn ok_sub(r: &mut Raw, subj: &str, sid: u32) {
    r.send(format!("SUB {subj} {sid}\r\n").as_bytes()).await;
    r.expect(b"+OK\r\n").await;
}

async fn bad_sub(r: &mut Raw, subj: &str, sid: u32) {
    r.send(format!("SUB {subj} {sid}\r\n").as_bytes()).await;
    r.expect(sub_err(subj).as_bytes()).await;
}

// go: test/TestUserAuthorizationProto
#[tokio::test]
async fn role_permissions_from_config() {
    let dir = TempDir::new("perm-roles");
    let (h, _) = from_conf(&dir, CONF).await;
    let mut alice = login(&h, "alice").await;
    ok_pub(&mut alice, "foo").await;
    ok_sub(&mut alice, "foo", 1).await;
    ok_pub(&mut alice, "_").await;

    let mut bob = login(&h, "bob").await;
    bad_sub(&mut bob, "foo", 1).await;
    bad_pub(&mut bob, "foo").await;
    ok_sub(&mut bob, "_INBOX.abcd", 1).await;
    ok_pub(&mut bob, "req.foo").await;
    ok_pub(&mut bob, "req.bar").await;
    bob.expect_open_and_idle().await;

    // Joe has the default permissions.
    let mut joe = login(&h, "joe").await;
    bad_sub(&mut joe, "foo.bar.*", 1).await;
    bad_pub(&mut joe, "foo.bar.baz").await;
    ok_sub(&mut joe, "_INBOX.abcd", 1).await;
    ok_sub(&mut joe, "PUBLIC.abcd", 2).await;
    ok_pub(&mut joe, "SANDBOX.foo").await;
    bad_pub(&mut joe, "SANDBOX.foo.bar").await;

    let mut ns = login(&h, "ns").await;
    ok_pub(&mut ns, "SANDBOX.foo").await;
    ok_pub(&mut ns, "baz.bar").await;
    for s in ["foo", "bar", "foo.bar", "foo.bar.baz", "SYS.1"] {
        bad_pub(&mut ns, s).await;
    }
    ok_sub(&mut ns, "foo.bar", 1).await;
    ok_sub(&mut ns, "foo.foo", 2).await;
    bad_sub(&mut ns, "foo", 3).await;
    bad_sub(&mut ns, "foo.baz", 4).await;
    ns.expect_open_and_idle().await;

    // A wildcard subscription overlapping a deny is allowed, but denied subjects are not delivered.
    let mut ns = login(&h, "ns").await;
    ok_sub(&mut ns, "foo.*", 1).await;
    ns.send(b"SUB foo.* bar 2\r\n").await;
    ns.expect(b"+OK\r\n").await;
    let mut pubr = login(&h, "ns-pub").await;
    ok_pub(&mut pubr, "foo.baz").await;
    ns.expect_open_and_idle().await;
    ok_pub(&mut alice, "foo.bar").await;
    let got = String::from_utf8(ns.drain_for(Duration::from_millis(300)).await).unwrap();
    assert_eq!(got.matches("MSG foo.bar").count(), 2, "{got}");
    assert!(!got.contains("foo.baz"), "{got}");
    h.shutdown().await;
}

#[tokio::test]
async fn queue_group_permissions() {
    let dir = TempDir::new("perm-queue");
    let (h, _) = from_conf(&dir, CONF).await;
    let mut q = login(&h, "qu").await;
    // "foo.* v1" admits only queue v1, not plain subscriptions.
    bad_sub(&mut q, "foo.baz", 1).await;
    q.send(b"SUB foo.baz v1 2\r\n").await;
    q.expect(b"+OK\r\n").await;
    q.send(b"SUB foo.baz v2 3\r\n").await;
    q.expect(
        b"-ERR 'Permissions Violation for Subscription to \"foo.baz\" using queue \"v2\"'\r\n",
    )
    .await;
    // The queue-scoped deny blocks v1 on foo.bar only.
    q.send(b"SUB foo.bar v1 4\r\n").await;
    q.expect(
        b"-ERR 'Permissions Violation for Subscription to \"foo.bar\" using queue \"v1\"'\r\n",
    )
    .await;
    ok_sub(&mut q, "bar", 5).await;
    q.send(b"SUB bar any 6\r\n").await;
    q.expect(b"+OK\r\n").await;
    // A wildcard queue subscription overlapping the deny: foo.bar is not delivered to it.
    q.send(b"SUB foo.* v1 7\r\n").await;
    q.expect(b"+OK\r\n").await;
    let mut alice = login(&h, "alice").await;
    ok_pub(&mut alice, "foo.bar").await;
    ok_pub(&mut alice, "foo.zip").await;
    let got = String::from_utf8(q.drain_for(Duration::from_millis(300)).await).unwrap();
    assert!(got.contains("MSG foo.zip 7 2"), "{got}");
    assert!(!got.contains("foo.bar"), "{got}");
    h.shutdown().await;
}

#[tokio::test]
async fn allow_responses_lets_a_responder_answer_max_times() {
    let dir = TempDir::new("perm-resp");
    let (h, _) = from_conf(&dir, CONF).await;
    let mut resp = login(&h, "resp").await;
    ok_sub(&mut resp, "q", 1).await;
    // No blanket publish any more.
    bad_pub(&mut resp, "_INBOX.1").await;
    let mut alice = login(&h, "alice").await;
    ok_sub(&mut alice, "_INBOX.>", 9).await;
    alice.send(b"PUB q _INBOX.1 2\r\nhi\r\n").await;
    alice.expect(b"+OK\r\n").await;
    resp.expect(b"MSG q 1 _INBOX.1 2\r\nhi\r\n").await;
    ok_pub(&mut resp, "_INBOX.1").await;
    ok_pub(&mut resp, "_INBOX.1").await;
    bad_pub(&mut resp, "_INBOX.1").await;
    h.shutdown().await;
}

#[tokio::test]
async fn reload_applies_new_permissions_and_drops_subscriptions() {
    let dir = TempDir::new("perm-reload");
    let conf = "listen: 127.0.0.1:-1\nauthorization { users = [ {user: a, password: pw, permissions: {publish: \">\", subscribe: [\"foo\", \"bar\"]}}, {user: b, password: pw} ] }\n";
    let (h, path) = from_conf(&dir, conf).await;
    let mut a = login(&h, "a").await;
    ok_sub(&mut a, "foo", 1).await;
    ok_sub(&mut a, "bar", 2).await;
    let mut b = login(&h, "b").await;
    let conf = "listen: 127.0.0.1:-1\nauthorization { users = [ {user: a, password: pw, permissions: {publish: \"x\", subscribe: \"bar\"}} ] }\n";
    std::fs::write(&path, conf).unwrap();
    h.shared.reload().expect("reload");
    // b no longer exists: disconnected.
    b.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    // a loses the foo subscription and the publish permission.
    a.expect(b"-ERR 'Permissions Violation for Subscription to \"foo\" (sid \"1\")'\r\n")
        .await;
    bad_pub(&mut a, "foo").await;
    ok_pub(&mut a, "x").await;
    h.shutdown().await;
}

#[tokio::test]
async fn config_errors_match_go() {
    let mut o = Options::default();
    let bad = "authorization { user: a, token: b }\n";
    let map = server::config::conf::parse_str(bad).unwrap();
    let e = server::config::options::apply_map(&mut o, &map, "x").unwrap_err();
    assert_eq!(e.errors, vec![":1:0: Cannot have a user/pass and token"]);
    let bad = "authorization { users = [ {password: x} ] }\n";
    let map = server::config::conf::parse_str(bad).unwrap();
    let e = server::config::options::apply_map(&mut Options::default(), &map, "x").unwrap_err();
    assert!(e.errors[0].ends_with("User entry requires a user"), "{e:?}");
    let bad =
        "authorization { users = [ {user: a, permissions: {publish: {allow: \"foo..bar\"}}} ] }\n";
    let map = server::config::conf::parse_str(bad).unwrap();
    let e = server::config::options::apply_map(&mut Options::default(), &map, "x").unwrap_err();
    assert!(
        e.errors[0].ends_with("subject \"foo..bar\" is not a valid subject"),
        "{e:?}"
    );
}
