//! Reloading permissions while clients stay connected (Go's TestConfigReloadChangePermissions): a
//! subscription no longer allowed is revoked with an error, publish rights follow the new roles, and
//! deny lists filter deliveries to wildcard subscriptions that stay.

use std::path::Path;

use crate::reload_auth::{reload_to, with_config};
use crate::support::*;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reload")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

async fn login(h: &server::ServerHandle, user: &str, pass: &str) -> Raw {
    let cs = serde_json::json!({"verbose": false, "user": user, "pass": pass});
    let mut c = Raw::connected(h, &cs.to_string()).await;
    c.send(b"PING\r\n").await;
    c.expect(b"PONG\r\n").await;
    c
}

/// Send `bytes` and wait for the server to have processed them.
async fn sync(c: &mut Raw, bytes: &[u8]) {
    c.send(bytes).await;
    c.send(b"PING\r\n").await;
    c.expect(b"PONG\r\n").await;
}

/// Nothing was delivered to `c` before this round trip.
async fn got_nothing(c: &mut Raw) {
    sync(c, b"").await;
}

// go: server/TestConfigReloadChangePermissions
#[tokio::test]
async fn permissions_change_under_connected_clients() {
    let dir = TempDir::new("reload-perms");
    let (h, path) = with_config(&dir, &fixture("authorization_1.conf")).await;
    let mut bob = login(&h, "bob", "bar").await;
    sync(&mut bob, b"SUB _INBOX.> 1\r\n").await;
    let mut alice = login(&h, "alice", "foo").await;
    sync(&mut alice, b"SUB req.foo 1\r\n").await;
    sync(&mut alice, b"PUB _INBOX.foo 5\r\nhello\r\n").await;
    bob.expect(b"MSG _INBOX.foo 1 5\r\nhello\r\n").await;
    sync(&mut bob, b"PUB req.foo 5\r\nworld\r\n").await;
    alice.expect(b"MSG req.foo 1 5\r\nworld\r\n").await;

    // susan has the default permissions: foo.bar is denied, PUBLIC.> allowed.
    let mut susan = login(&h, "susan", "baz").await;
    sync(&mut susan, b"SUB foo.* 1\r\n").await;
    sync(&mut alice, b"PUB foo.bar 5\r\nhello\r\n").await;
    got_nothing(&mut susan).await;
    sync(&mut susan, b"SUB PUBLIC.* 2\r\n").await;
    sync(&mut alice, b"PUB PUBLIC.foo 12\r\nhello monkey\r\n").await;
    susan
        .expect(b"MSG PUBLIC.foo 2 12\r\nhello monkey\r\n")
        .await;

    reload_to(&h, &path, &fixture("authorization_2.conf"));

    // bob's _INBOX.> subscription is revoked and req.foo is no longer his to publish.
    bob.expect(b"-ERR 'Permissions Violation for Subscription to \"_INBOX.>\" (sid \"1\")'\r\n")
        .await;
    bob.send(b"PUB req.foo 4\r\nhola\r\n").await;
    bob.expect(b"-ERR 'Permissions Violation for Publish to \"req.foo\"'\r\n")
        .await;
    sync(&mut alice, b"PUB _INBOX.foo 5\r\nmundo\r\n").await;
    got_nothing(&mut alice).await;
    got_nothing(&mut bob).await;
    // The new rights work.
    sync(&mut bob, b"SUB _INBOX.foo.> 2\r\n").await;
    bob.send(b"PUB _INBOX.foo.bar 7\r\ntesting\r\n").await;
    bob.expect(b"MSG _INBOX.foo.bar 2 7\r\ntesting\r\n").await;

    // susan: PUBLIC.foo is now denied, foo.bar now delivered.
    sync(&mut alice, b"PUB PUBLIC.foo 12\r\nhello monkey\r\n").await;
    got_nothing(&mut susan).await;
    sync(&mut alice, b"PUB foo.bar 6\r\nhello?\r\n").await;
    susan.expect(b"MSG foo.bar 1 6\r\nhello?\r\n").await;
    got_nothing(&mut susan).await;
    h.shutdown().await;
}
