//! Reloading authentication (Go's `reload_test.go`): a single user, a token or a users list rotated,
//! enabled or disabled. Clients whose credentials no longer hold are told `Authorization Violation` and
//! closed; the others stay connected; new connections see the new rules.

use crate::support::*;
use server::Options;

const BASIC: &str = "listen: 127.0.0.1:-1\n";

fn single_user(user: &str, pass: &str) -> String {
    format!("listen: 127.0.0.1:-1\n\nauthorization {{\n  user: {user}\n  password: {pass}\n}}\n")
}

fn token(t: &str) -> String {
    format!("listen: 127.0.0.1:-1\n\nauthorization {{\n  token: {t}\n}}\n")
}

fn two_users(alice_pass: &str) -> String {
    format!("listen: 127.0.0.1:-1\n\nauthorization {{\n  users = [\n    {{user: alice, password: {alice_pass}}}\n    {{user: bob,   password: bar}}\n  ]\n  timeout: 0.5\n}}\n")
}

pub async fn with_config(dir: &TempDir, text: &str) -> (server::ServerHandle, std::path::PathBuf) {
    let path = dir.0.join("reload.conf");
    std::fs::write(&path, text).unwrap();
    let mut opts = Options::default();
    let digest = server::config::options::load_file(&mut opts, &path).expect("config loads");
    opts.config_digest = digest;
    opts.no_signals = true;
    opts.no_log = true;
    (start(opts).await, path)
}

pub fn reload_to(h: &server::ServerHandle, path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    h.shared.reload().expect("reload");
}

fn creds(user: &str, pass: &str) -> String {
    serde_json::json!({"verbose": false, "user": user, "pass": pass}).to_string()
}

fn tok(t: &str) -> String {
    serde_json::json!({"verbose": false, "auth_token": t}).to_string()
}

const ANON: &str = "{\"verbose\":false}";

/// A connection accepted with `connect_json`.
async fn accepted(h: &server::ServerHandle, connect_json: &str) -> Raw {
    let mut c = Raw::connected(h, connect_json).await;
    c.send(b"PING\r\n").await;
    c.expect(b"PONG\r\n").await;
    c
}

/// A connection refused with Go's authorization error.
async fn refused(h: &server::ServerHandle, connect_json: &str) {
    let mut c = Raw::connected(h, connect_json).await;
    c.send(b"PING\r\n").await;
    c.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
}

/// Start with `before`, hold a client made with `held`, reload to `after`; then check whether the held
/// client was dropped, and which credentials new connections accept and refuse.
async fn scenario(
    before: &str,
    held: &str,
    after: &str,
    held_dropped: bool,
    now_ok: &str,
    now_refused: Option<&str>,
) {
    let dir = TempDir::new("reload-auth");
    let (h, path) = with_config(&dir, before).await;
    let mut c = accepted(&h, held).await;
    reload_to(&h, &path, after);
    if held_dropped {
        c.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
            .await;
    } else {
        c.send(b"PING\r\n").await;
        c.expect(b"PONG\r\n").await;
    }
    if let Some(bad) = now_refused {
        refused(&h, bad).await;
    }
    accepted(&h, now_ok).await;
    h.shutdown().await;
}

// go: server/TestConfigReloadRotateUserAuthentication
#[tokio::test]
async fn rotating_the_user_drops_its_clients() {
    let tyler = creds("tyler", "T0pS3cr3t");
    scenario(
        &single_user("tyler", "T0pS3cr3t"),
        &tyler,
        &single_user("derek", "passw0rd"),
        true,
        &creds("derek", "passw0rd"),
        Some(&tyler),
    )
    .await;
}

// go: server/TestConfigReloadEnableUserAuthentication
#[tokio::test]
async fn enabling_a_user_drops_anonymous_clients() {
    scenario(
        BASIC,
        ANON,
        &single_user("tyler", "T0pS3cr3t"),
        true,
        &creds("tyler", "T0pS3cr3t"),
        Some(ANON),
    )
    .await;
}

// go: server/TestConfigReloadDisableUserAuthentication
#[tokio::test]
async fn disabling_the_user_keeps_its_clients() {
    scenario(
        &single_user("tyler", "T0pS3cr3t"),
        &creds("tyler", "T0pS3cr3t"),
        BASIC,
        false,
        ANON,
        None,
    )
    .await;
}

// go: server/TestConfigReloadRotateTokenAuthentication
#[tokio::test]
async fn rotating_the_token_drops_its_clients() {
    scenario(
        &token("T0pS3cr3t"),
        &tok("T0pS3cr3t"),
        &token("passw0rd"),
        true,
        &tok("passw0rd"),
        Some(&tok("T0pS3cr3t")),
    )
    .await;
}

// go: server/TestConfigReloadEnableTokenAuthentication
#[tokio::test]
async fn enabling_a_token_drops_anonymous_clients() {
    scenario(
        BASIC,
        ANON,
        &token("T0pS3cr3t"),
        true,
        &tok("T0pS3cr3t"),
        Some(ANON),
    )
    .await;
}

// go: server/TestConfigReloadDisableTokenAuthentication
#[tokio::test]
async fn disabling_the_token_keeps_its_clients() {
    scenario(
        &token("T0pS3cr3t"),
        &tok("T0pS3cr3t"),
        BASIC,
        false,
        ANON,
        None,
    )
    .await;
}

// go: server/TestConfigReloadEnableUsersAuthentication
#[tokio::test]
async fn enabling_users_drops_anonymous_clients() {
    scenario(
        BASIC,
        ANON,
        &two_users("foo"),
        true,
        &creds("alice", "foo"),
        Some(ANON),
    )
    .await;
}

// go: server/TestConfigReloadDisableUsersAuthentication
#[tokio::test]
async fn disabling_users_keeps_their_clients() {
    scenario(
        &two_users("foo"),
        &creds("alice", "foo"),
        BASIC,
        false,
        ANON,
        None,
    )
    .await;
}

// go: server/TestConfigReloadRotateUsersAuthentication
#[tokio::test]
async fn rotating_one_users_password_drops_only_that_user() {
    let dir = TempDir::new("reload-users");
    let (h, path) = with_config(&dir, &two_users("foo")).await;
    let mut alice = accepted(&h, &creds("alice", "foo")).await;
    let mut bob = accepted(&h, &creds("bob", "bar")).await;
    bob.send(b"SUB foo 1\r\nPING\r\n").await;
    bob.expect(b"PONG\r\n").await;
    reload_to(&h, &path, &two_users("baz"));
    alice
        .expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    refused(&h, &creds("alice", "foo")).await;
    accepted(&h, &creds("alice", "baz")).await;
    // bob kept his connection and his subscription.
    bob.send(b"PUB foo 5\r\nhello\r\n").await;
    bob.expect(b"MSG foo 1 5\r\nhello\r\n").await;
    h.shutdown().await;
}

// go: server/TestConfigReloadValidate
#[tokio::test]
async fn reload_refuses_a_no_auth_user_without_its_user() {
    let dir = TempDir::new("reload-validate");
    let conf = |users: &str| {
        format!("listen: \"127.0.0.1:-1\"\nno_auth_user: a\nauthorization {{\n users [\n  {users}\n ]\n}}\n")
    };
    let (h, path) = with_config(
        &dir,
        &conf("{user: \"a\", password: \"a\"},\n  {user: \"b\", password: \"b\"}"),
    )
    .await;
    std::fs::write(&path, conf("{user: \"b\", password: \"b\"}")).unwrap();
    let err = h.shared.reload().expect_err("must be refused");
    assert!(err.starts_with("no_auth_user:"), "{err}");
    // The running configuration is unchanged: anonymous clients still log in as `a`.
    accepted(&h, ANON).await;
    h.shutdown().await;
}
