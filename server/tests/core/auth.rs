//! Authentication over raw TCP: token, user/password (plain and bcrypt), INFO `auth_required`, the auth
//! timer, the CONNECT-first rule and Go's exact `-ERR` texts.

use std::time::Duration;

use crate::support::*;
use server::Options;

const TOKEN: &str = "_YZZ22_";
const USER: &str = "derek";
const PASS: &str = "foobar";
const BCRYPT_PASS: &str = "IW@$6v(y1(t@fhPDvf!5^%";
const BCRYPT_HASH: &str = "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq";
const BCRYPT_TOKEN: &str = "0uhJOSr3GW7xvHvtd^K6pa";
const BCRYPT_TOKEN_HASH: &str = "$2a$04$u5ZClXpcjHgpfc61Ee0VKuwI1K3vTC4zq7SjphjnlHMeb1Llkb5Y6";
const VIOLATION: &[u8] = b"-ERR 'Authorization Violation'\r\n";

async fn token_server(token: &str) -> server::ServerHandle {
    start(Options {
        authorization: token.into(),
        ..Options::for_test()
    })
    .await
}

async fn user_server(pass: &str) -> server::ServerHandle {
    start(Options {
        username: USER.into(),
        password: pass.into(),
        ..Options::for_test()
    })
    .await
}

/// Connect, check INFO says auth is required, send a verbose CONNECT with these credentials.
async fn auth_connect(h: &server::ServerHandle, token: &str, user: &str, pass: &str) -> Raw {
    let (mut r, info) = Raw::connect(h).await;
    assert_eq!(info["auth_required"], true, "{info}");
    let cs = serde_json::json!({"verbose": true, "auth_token": token, "user": user, "pass": pass});
    r.send(format!("CONNECT {cs}\r\n").as_bytes()).await;
    r
}

// go: test/TestNoAuthClient
// go: test/TestAuthClientBadToken
// go: test/TestAuthClientGoodConnect
#[tokio::test]
async fn token_must_match() {
    let h = token_server(TOKEN).await;
    auth_connect(&h, "", "", "")
        .await
        .expect_close_after(VIOLATION)
        .await;
    auth_connect(&h, "ZZZ", "", "")
        .await
        .expect_close_after(VIOLATION)
        .await;
    let mut r = auth_connect(&h, TOKEN, "", "").await;
    r.expect(b"+OK\r\n").await;
    r.expect_open_and_idle().await;
    h.shutdown().await;
}

// go: test/TestAuthClientNoConnect
// go: server/TestAuthorizationTimeout
#[tokio::test]
async fn auth_timer_closes_a_silent_client() {
    let h = start(Options {
        authorization: TOKEN.into(),
        auth_timeout: Duration::from_millis(200),
        ..Options::for_test()
    })
    .await;
    let (mut r, info) = Raw::connect(&h).await;
    assert_eq!(info["auth_required"], true);
    r.expect_close_after(b"-ERR 'Authentication Timeout'\r\n")
        .await;
    h.shutdown().await;
}

// go: test/TestAuthClientFailOnEverythingElse
#[tokio::test]
async fn any_op_before_connect_is_an_auth_violation() {
    let h = token_server(TOKEN).await;
    let (mut r, _) = Raw::connect(&h).await;
    r.send(b"PUB foo 2\r\nok\r\n").await;
    r.expect_close_after(VIOLATION).await;
    // Go decides on the first byte: even an incomplete op is refused.
    let (mut r, _) = Raw::connect(&h).await;
    r.send(b"P").await;
    r.expect_close_after(VIOLATION).await;
    h.shutdown().await;
}

// go: test/TestNoUserOrPasswordClient
// go: test/TestBadUserClient
// go: test/TestBadPasswordClient
// go: test/TestPasswordClientGoodConnect
#[tokio::test]
async fn user_and_password_must_match() {
    let h = user_server(PASS).await;
    for (u, p) in [("", ""), ("derekzz", PASS), (USER, "ZZ")] {
        auth_connect(&h, "", u, p)
            .await
            .expect_close_after(VIOLATION)
            .await;
    }
    let mut r = auth_connect(&h, "", USER, PASS).await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

// go: test/TestBadBcryptPassword
// go: test/TestGoodBcryptPassword
#[tokio::test]
async fn bcrypt_password() {
    let h = user_server(BCRYPT_HASH).await;
    auth_connect(&h, "", USER, BCRYPT_HASH)
        .await
        .expect_close_after(VIOLATION)
        .await;
    let mut r = auth_connect(&h, "", USER, BCRYPT_PASS).await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

// go: test/TestBadBcryptToken
// go: test/TestGoodBcryptToken
#[tokio::test]
async fn bcrypt_token() {
    let h = token_server(BCRYPT_TOKEN_HASH).await;
    auth_connect(&h, BCRYPT_TOKEN_HASH, "", "")
        .await
        .expect_close_after(VIOLATION)
        .await;
    let mut r = auth_connect(&h, BCRYPT_TOKEN, "", "").await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn no_auth_server_ignores_credentials_and_has_no_flag() {
    let h = start_default().await;
    let (mut r, info) = Raw::connect(&h).await;
    assert!(info.get("auth_required").is_none(), "{info}");
    assert!(info.get("nonce").is_none(), "{info}");
    r.send(b"CONNECT {\"verbose\":true,\"user\":\"x\",\"pass\":\"y\"}\r\n")
        .await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn async_nats_user_password_and_token() {
    let h = user_server(PASS).await;
    let url = h.client_url();
    let nc = async_nats::ConnectOptions::with_user_and_password(USER.into(), PASS.into())
        .connect(&url)
        .await
        .expect("good credentials connect");
    nc.flush().await.unwrap();
    let bad = async_nats::ConnectOptions::with_user_and_password(USER.into(), "nope".into())
        .connect(&url);
    let bad = tokio::time::timeout(Duration::from_secs(1), bad).await;
    assert!(!matches!(bad, Ok(Ok(_))), "bad password connected");
    h.shutdown().await;
    let h = token_server(TOKEN).await;
    let nc = async_nats::ConnectOptions::with_token(TOKEN.into())
        .connect(h.client_url())
        .await
        .expect("token connects");
    nc.flush().await.unwrap();
    h.shutdown().await;
}
