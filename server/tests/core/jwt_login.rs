//! Operator mode logins with user JWTs: the nonce in INFO, the signature in CONNECT, the account
//! bound from its JWT, and each reason a login is refused with `Authorization Violation`.

use serde_json::json;

use crate::jwt_common::*;
use crate::support::*;

const AUTH_VIOLATION: &[u8] = b"-ERR 'Authorization Violation'\r\n";

// go: server/TestJWTUser
// go: test/TestOperatorServer
#[tokio::test]
async fn user_jwt_login_needs_a_jwt_and_a_signature_of_the_nonce() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;

    // INFO asks for auth and carries a nonce.
    let (mut r, info) = Raw::connect(&h).await;
    assert_eq!(info["auth_required"], true);
    assert_eq!(info["nonce"].as_str().map(str::len), Some(15));
    // No JWT at all.
    r.send(b"CONNECT {\"verbose\":true,\"pedantic\":true}\r\nPING\r\n")
        .await;
    r.expect_close_after(AUTH_VIOLATION).await;

    // A good user: +OK, then PONG.
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;

    // The same JWT signed by another key, or without a signature.
    let other = nkeys::KeyPair::new_user();
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&other)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    let (mut r, _) = connect_jwt(&h, &ujwt, None).await;
    r.expect_close_after(AUTH_VIOLATION).await;

    // A user of an account the resolver does not know.
    let stranger = nkeys::KeyPair::new_account();
    let u2 = nkeys::KeyPair::new_user();
    let ujwt2 = user_jwt(&stranger, &u2, json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt2, Some(&u2)).await;
    r.expect_close_after(AUTH_VIOLATION).await;

    // An account signed by another operator, preloaded: not trusted.
    h.shutdown().await;
    let rogue_op = nkeys::KeyPair::new_operator();
    let rogue = nkeys::KeyPair::new_account();
    let rogue_jwt = account_jwt(&rogue_op, &rogue, json!({}));
    let h = start_conf(&s.conf(&[(rogue.public_key(), rogue_jwt)], "")).await;
    let u3 = nkeys::KeyPair::new_user();
    let ujwt3 = user_jwt(&rogue, &u3, json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt3, Some(&u3)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    assert!(
        h.shared.accounts.get(&rogue.public_key()).is_none(),
        "an untrusted account is not registered"
    );
    // The good account still works and is registered under its public key.
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    assert!(h.shared.accounts.get(&s.acc.public_key()).is_some());
    h.shutdown().await;
}

#[tokio::test]
async fn tampered_user_jwt_is_refused() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    // Change the payload (a different name) but keep the signature.
    let parts: Vec<&str> = ujwt.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut payload: serde_json::Value =
        serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    payload["name"] = json!("mallory");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    let (mut r, _) = connect_jwt(&h, &forged, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    // A corrupted signature part.
    let mut bad_sig = ujwt.clone();
    bad_sig.truncate(bad_sig.len() - 4);
    bad_sig.push_str("AAAA");
    let (mut r, _) = connect_jwt(&h, &bad_sig, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    // A user JWT signed by the operator instead of the account.
    let ujwt_op = user_jwt(&s.op, &u, json!({"issuer_account": s.acc.public_key()}));
    let (mut r, _) = connect_jwt(&h, &ujwt_op, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;
}

// go: server/TestJWTUserExpired
#[tokio::test]
async fn expired_user_jwt_is_refused() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let u = nkeys::KeyPair::new_user();
    let mut c = claims("user", &u.public_key(), &s.acc, json!({}));
    c["iat"] = json!(now() - 10);
    c["exp"] = json!(now() - 2);
    let ujwt = sign_jwt(&c, &s.acc);
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;
}

// go: server/TestJWTUserExpiresAfterConnect
#[tokio::test]
async fn user_jwt_expiring_after_connect_closes_the_client() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let u = nkeys::KeyPair::new_user();
    let mut c = claims("user", &u.public_key(), &s.acc, json!({}));
    c["exp"] = json!(now() + 2);
    let ujwt = sign_jwt(&c, &s.acc);
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    // The server's first PING may come before the expiry.
    let line = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let l = r.read_line().await;
            if l != "PING\r\n" {
                return l;
            }
        }
    })
    .await
    .expect("expiry within the JWT's lifetime");
    assert_eq!(line, "-ERR 'User Authentication Expired'\r\n");
    r.expect_close_after(b"").await;
    h.shutdown().await;
}

// go: server/TestJWTUserRevoked
#[tokio::test]
async fn revoked_user_is_refused() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let revoked = nkeys::KeyPair::new_user();
    let later = nkeys::KeyPair::new_user();
    let mut s = OpSetup::new(json!({}));
    // Users issued at or before the revocation time are out; `later` is issued after it.
    s.acc_jwt = account_jwt(
        &op,
        &acc,
        json!({"revocations": {revoked.public_key(): now() + 1, later.public_key(): now() - 100}}),
    );
    s.op_jwt = operator_jwt(&op, json!({}));
    s.op = op;
    s.acc = acc;
    let h = start_conf(&s.conf(&[], "")).await;
    let rjwt = user_jwt(&s.acc, &revoked, json!({}));
    let (mut r, _) = connect_jwt(&h, &rjwt, Some(&revoked)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    let ljwt = user_jwt(&s.acc, &later, json!({}));
    let (mut r, _) = connect_jwt(&h, &ljwt, Some(&later)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn revoking_all_users_issued_before_a_time() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let u = nkeys::KeyPair::new_user();
    let s = OpSetup {
        op_jwt: operator_jwt(&op, json!({})),
        acc_jwt: account_jwt(&op, &acc, json!({"revocations": {"*": now() + 5}})),
        op,
        acc,
    };
    let h = start_conf(&s.conf(&[], "")).await;
    let ujwt = user_jwt(&s.acc, &u, json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    // Issued after the cut-off: allowed.
    let mut c = claims("user", &u.public_key(), &s.acc, json!({}));
    c["iat"] = json!(now() + 6);
    let (mut r, _) = connect_jwt(&h, &sign_jwt(&c, &s.acc), Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shutdown().await;
}

// go: server/TestJWTBearerToken
#[tokio::test]
async fn bearer_token_needs_no_signature() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (_u, bearer) = s.user(json!({"bearer_token": true}));
    let (mut r, _) = connect_jwt(&h, &bearer, None).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    // Not a bearer token: the signature stays required.
    let (_u, plain) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &plain, None).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;

    // An account that disallows bearer tokens.
    let s = OpSetup::new(json!({"limits": {"disallow_bearer": true}}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, bearer) = s.user(json!({"bearer_token": true}));
    let (mut r, _) = connect_jwt(&h, &bearer, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;
}

#[tokio::test]
async fn user_signed_by_an_account_signing_key() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let sk = nkeys::KeyPair::new_account();
    let s = OpSetup {
        op_jwt: operator_jwt(&op, json!({})),
        acc_jwt: account_jwt(&op, &acc, json!({"signing_keys": [sk.public_key()]})),
        op,
        acc,
    };
    let h = start_conf(&s.conf(&[], "")).await;
    let u = nkeys::KeyPair::new_user();
    // Signed by the signing key, naming the account.
    let ujwt = user_jwt(&sk, &u, json!({"issuer_account": s.acc.public_key()}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    // Signed by a key the account does not list.
    let rogue = nkeys::KeyPair::new_account();
    let ujwt = user_jwt(&rogue, &u, json!({"issuer_account": s.acc.public_key()}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;
}

#[tokio::test]
async fn scoped_signing_key_applies_its_template() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let sk = nkeys::KeyPair::new_account();
    let scope = json!({
        "kind": "user_scope",
        "key": sk.public_key(),
        "role": "lim",
        "template": {"pub": {"allow": ["foo"]}, "sub": {"allow": ["foo"]},
                     "subs": -1, "data": -1, "payload": -1},
    });
    let s = OpSetup {
        op_jwt: operator_jwt(&op, json!({})),
        acc_jwt: account_jwt(&op, &acc, json!({"signing_keys": [scope]})),
        op,
        acc,
    };
    let h = start_conf(&s.conf(&[], "")).await;
    // A scoped user carries no limits of its own (Go's `SetScoped`).
    let u = nkeys::KeyPair::new_user();
    let mut c = claims(
        "user",
        &u.public_key(),
        &sk,
        json!({"issuer_account": s.acc.public_key()}),
    );
    for k in ["subs", "data", "payload"] {
        c["nats"].as_object_mut().unwrap().remove(k);
    }
    let ujwt = sign_jwt(&c, &sk);
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"PUB foo 0\r\n\r\nPUB bar 0\r\n\r\n").await;
    r.expect(b"+OK\r\n-ERR 'Permissions Violation for Publish to \"bar\"'\r\n")
        .await;
    // A scoped key's user may not carry permissions of its own.
    let ujwt = user_jwt(
        &sk,
        &u,
        json!({"issuer_account": s.acc.public_key(), "pub": {"allow": [">"]}}),
    );
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    h.shutdown().await;
}

// go: server/TestJWTUserPermissionClaims
#[tokio::test]
async fn user_permission_claims_apply() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({
        "pub": {"allow": ["foo", "bar"], "deny": ["baz"]},
        "sub": {"allow": ["foo", "bar"], "deny": ["baz"]},
    }));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"SUB foo 1\r\nSUB baz 2\r\nPUB bar 0\r\n\r\nPUB baz 0\r\n\r\n")
        .await;
    r.expect(
        b"+OK\r\n-ERR 'Permissions Violation for Subscription to \"baz\"'\r\n+OK\r\n\
          -ERR 'Permissions Violation for Publish to \"baz\"'\r\n",
    )
    .await;
    h.shutdown().await;
}

// go: server/TestJWTAccountLimitsMaxConns
#[tokio::test]
async fn account_connection_limit_from_the_jwt() {
    let s = OpSetup::new(json!({"limits": {"conn": 1}}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r1, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r1.expect(b"+OK\r\nPONG\r\n").await;
    let (mut r2, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r2.expect_close_after(b"-ERR 'maximum account active connections exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestJWTAccountLimitsMaxPayload
#[tokio::test]
async fn account_payload_limit_from_the_jwt() {
    let s = OpSetup::new(json!({"limits": {"payload": 8}}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"PUB foo 8\r\n12345678\r\nPUB foo 9\r\n123456789\r\n")
        .await;
    r.expect_close_after(b"+OK\r\n-ERR 'Maximum Payload Violation'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn account_subscription_limit_from_the_jwt() {
    let s = OpSetup::new(json!({"limits": {"subs": 2}}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n").await;
    r.expect(b"+OK\r\n+OK\r\n-ERR 'maximum subscriptions exceeded'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn source_network_and_connection_type_claims() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({"src": ["10.0.0.0/8"]}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    let (u, ujwt) = s.user(json!({"src": ["10.0.0.0/8", "127.0.0.0/8"]}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    let (u, ujwt) = s.user(json!({"allowed_connection_types": ["WEBSOCKET"]}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(AUTH_VIOLATION).await;
    let (u, ujwt) = s.user(json!({"allowed_connection_types": ["STANDARD"]}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn async_nats_logs_in_with_a_creds_file() {
    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let dir = TempDir::new("creds");
    let path = dir.0.join("user.creds");
    std::fs::write(&path, creds(&ujwt, &u)).unwrap();
    let nc = async_nats::ConnectOptions::with_credentials_file(&path)
        .await
        .expect("creds file reads")
        .connect(h.client_url())
        .await
        .expect("JWT user connects");
    use futures::StreamExt;
    let mut sub = nc.subscribe("greet").await.unwrap();
    nc.publish("greet", "hi".into()).await.unwrap();
    let m = tokio::time::timeout(WAIT, sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&m.payload[..], b"hi");
    h.shutdown().await;
}

/// The first line each server answers a CONNECT + PING with, for the same generated users.
async fn first_lines(
    addr: std::net::SocketAddr,
    logins: &[(String, Option<&nkeys::KeyPair>)],
) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    for (jwt, key) in logins {
        let (mut r, info) = Raw::connect_to_info(addr).await;
        let nonce = info["nonce"].as_str().unwrap_or_default().to_string();
        let mut cs = json!({"verbose": false, "jwt": jwt});
        if let Some(k) = key {
            cs["sig"] = json!(base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(k.sign(nonce.as_bytes()).unwrap()));
        }
        r.send(format!("CONNECT {cs}\r\nPING\r\n").as_bytes()).await;
        out.push(r.read_line().await);
    }
    out
}

#[tokio::test]
async fn same_answers_as_the_go_server() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let revoked = nkeys::KeyPair::new_user();
    let s = OpSetup {
        op_jwt: operator_jwt(&op, json!({})),
        acc_jwt: account_jwt(
            &op,
            &acc,
            json!({"revocations": {revoked.public_key(): now() + 1}}),
        ),
        op,
        acc,
    };
    let (good, good_jwt) = s.user(json!({}));
    let (_b, bearer) = s.user(json!({"bearer_token": true}));
    let rjwt = user_jwt(&s.acc, &revoked, json!({}));
    let stranger = nkeys::KeyPair::new_account();
    let sjwt = user_jwt(&stranger, &good, json!({}));
    let logins = vec![
        (good_jwt.clone(), Some(&good)),
        (good_jwt.clone(), None),
        (bearer, None),
        (rjwt, Some(&revoked)),
        (sjwt, Some(&good)),
        (String::new(), None),
    ];
    let conf = s.conf(&[], "");
    let dir = TempDir::new("jwt-go");
    let path = dir.0.join("go.conf");
    std::fs::write(&path, &conf).unwrap();
    let go = GoServer::start(&["-c", path.to_str().unwrap()]).await;
    let h = start_conf(&conf).await;
    let ours = first_lines(h.addr(), &logins).await;
    let theirs = first_lines(go.client, &logins).await;
    assert_eq!(ours, theirs);
    assert_eq!(ours[0], "PONG\r\n");
    assert_eq!(ours[1], "-ERR 'Authorization Violation'\r\n");
    h.shutdown().await;
}

/// Limits a JWT leaves out are zero, as Go decodes them: an account without `conn` takes no
/// connections, a user without `subs` is over its limit at once.
#[tokio::test]
async fn limits_left_out_of_a_jwt_are_zero() {
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let bare = sign_jwt(
        &json!({"jti": "J1", "iat": now(), "iss": op.public_key(), "sub": acc.public_key(),
                "nats": {"type": "account", "version": 2}}),
        &op,
    );
    let s = OpSetup {
        op_jwt: operator_jwt(&op, json!({})),
        acc_jwt: bare,
        op,
        acc,
    };
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(b"-ERR 'maximum account active connections exceeded'\r\n")
        .await;
    h.shutdown().await;

    let s = OpSetup::new(json!({}));
    let h = start_conf(&s.conf(&[], "")).await;
    let u = nkeys::KeyPair::new_user();
    let ujwt = sign_jwt(
        &json!({"jti": "J2", "iat": now(), "iss": s.acc.public_key(), "sub": u.public_key(),
                "nats": {"type": "user", "version": 2}}),
        &s.acc,
    );
    // Go tells the client from another goroutine, so whether +OK comes first varies: only the
    // last line before the close is checked.
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    let got = String::from_utf8(r.drain_for(std::time::Duration::from_millis(500)).await).unwrap();
    assert!(
        got.ends_with("-ERR 'maximum subscriptions exceeded'\r\n"),
        "{got:?}"
    );
    r.expect_close_after(b"").await;
    h.shutdown().await;
}
