//! NKey users (nonce in INFO, signature over it in CONNECT) and `no_auth_user`.

use base64::Engine;

use crate::support::*;
use server::auth::{NkeyUser, User};
use server::Options;

fn sign(kp: &nkeys::KeyPair, nonce: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(kp.sign(nonce.as_bytes()).unwrap())
}

// go: server/TestServerInfoNonce
// go: server/TestNkeyClientConnect
#[tokio::test]
async fn nkey_login_needs_a_signature_of_this_nonce() {
    let kp = nkeys::KeyPair::new_user();
    let h = start(Options {
        nkeys: vec![NkeyUser {
            nkey: kp.public_key(),
            ..NkeyUser::default()
        }],
        ..Options::for_test()
    })
    .await;
    let (mut r, info) = Raw::connect(&h).await;
    assert_eq!(info["auth_required"], true);
    let nonce = info["nonce"].as_str().unwrap().to_string();
    assert_eq!(nonce.len(), 15);
    let cs =
        serde_json::json!({"verbose": true, "nkey": kp.public_key(), "sig": sign(&kp, &nonce)});
    r.send(format!("CONNECT {cs}\r\n").as_bytes()).await;
    r.expect(b"+OK\r\n").await;

    // Signed with the wrong nonce, with another key, missing, or garbage: refused.
    let other = nkeys::KeyPair::new_user();
    for sig in [
        sign(&kp, "not-the-nonce"),
        sign(&other, &nonce),
        String::new(),
        "%%%".into(),
    ] {
        let (mut r, info) = Raw::connect(&h).await;
        let n2 = info["nonce"].as_str().unwrap();
        assert_ne!(n2, nonce, "nonces differ per connection");
        let cs = serde_json::json!({"verbose": true, "nkey": kp.public_key(), "sig": sig});
        r.send(format!("CONNECT {cs}\r\n").as_bytes()).await;
        r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
            .await;
    }
    // An unknown nkey.
    let (mut r, info) = Raw::connect(&h).await;
    let n = info["nonce"].as_str().unwrap().to_string();
    let cs = serde_json::json!({"nkey": other.public_key(), "sig": sign(&other, &n)});
    r.send(format!("CONNECT {cs}\r\n").as_bytes()).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn async_nats_nkey_login() {
    let kp = nkeys::KeyPair::new_user();
    let h = start(Options {
        nkeys: vec![NkeyUser {
            nkey: kp.public_key(),
            ..NkeyUser::default()
        }],
        ..Options::for_test()
    })
    .await;
    let nc = async_nats::ConnectOptions::with_nkey(kp.seed().unwrap())
        .connect(h.client_url())
        .await
        .expect("nkey connects");
    nc.flush().await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn no_auth_user_clears_auth_required_and_logs_in_without_credentials() {
    let user = |n: &str| User {
        username: n.into(),
        password: "pw".into(),
        ..User::default()
    };
    let h = start(Options {
        users: vec![user("foo"), user("bar")],
        no_auth_user: "foo".into(),
        ..Options::for_test()
    })
    .await;
    let (mut r, info) = Raw::connect(&h).await;
    assert!(info.get("auth_required").is_none(), "{info}");
    // A client may even start with PING: it is the no_auth_user.
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    // Explicit credentials are still checked.
    let mut r = Raw::connected(&h, r#"{"verbose":true,"user":"bar","pass":"bad"}"#).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    let mut r = Raw::connected(&h, r#"{"verbose":true,"user":"bar","pass":"pw"}"#).await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}
