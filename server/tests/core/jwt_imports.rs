//! Exports and imports declared in account JWTs: public exports, subjects that are not exported,
//! exports that need an activation token (signed by the exporter or one of its signing keys, issued
//! to one importer), and exporters the resolver loads only because an importer needs them.

use futures::StreamExt;
use serde_json::{json, Value};

use crate::jwt_common::*;
use crate::support::*;

/// An operator with an exporting and an importing account, both preloaded in a memory resolver.
struct Pair {
    op: nkeys::KeyPair,
    op_jwt: String,
    exp: nkeys::KeyPair,
    imp: nkeys::KeyPair,
}

impl Pair {
    fn new() -> Pair {
        let op = nkeys::KeyPair::new_operator();
        Pair {
            op_jwt: operator_jwt(&op, json!({})),
            op,
            exp: nkeys::KeyPair::new_account(),
            imp: nkeys::KeyPair::new_account(),
        }
    }

    /// Start a server with the exporter's claims `exp_nats` and the importer's `imp_nats`.
    async fn start(&self, exp_nats: Value, imp_nats: Value) -> server::ServerHandle {
        let ejwt = account_jwt(&self.op, &self.exp, exp_nats);
        let ijwt = account_jwt(&self.op, &self.imp, imp_nats);
        start_conf(&format!(
            "operator: {}\nresolver: MEMORY\nresolver_preload {{\n  {}: {}\n  {}: {}\n}}\n",
            self.op_jwt,
            self.exp.public_key(),
            ejwt,
            self.imp.public_key(),
            ijwt
        ))
        .await
    }

    /// An activation token from the exporter for `to` (an account public key).
    fn activation(&self, signer: &nkeys::KeyPair, to: &str, subject: &str, kind: &str) -> String {
        let issuer_account = self.exp.public_key();
        self.activation_for(signer, &issuer_account, to, subject, kind)
    }

    /// An activation token naming `issuer_account` as the account of a signing key `signer`.
    fn activation_for(
        &self,
        signer: &nkeys::KeyPair,
        issuer_account: &str,
        to: &str,
        subject: &str,
        kind: &str,
    ) -> String {
        let mut nats =
            json!({"type": "activation", "version": 2, "subject": subject, "kind": kind});
        if signer.public_key() != self.exp.public_key() {
            nats["issuer_account"] = json!(issuer_account);
        }
        let claims = json!({
            "jti": format!("J{}", rand::random::<u64>()),
            "iat": now(),
            "iss": signer.public_key(),
            "name": "activation",
            "sub": to,
            "nats": nats,
        });
        sign_jwt(&claims, signer)
    }
}

/// A client of `acc` through a `.creds` login.
async fn client(h: &server::ServerHandle, acc: &nkeys::KeyPair) -> async_nats::Client {
    let u = nkeys::KeyPair::new_user();
    let jwt = user_jwt(acc, &u, json!({}));
    async_nats::ConnectOptions::with_credentials(&creds(&jwt, &u))
        .expect("creds parse")
        .connect(h.client_url())
        .await
        .expect("JWT user connects")
}

/// Start an echo service on `subject` in the client's account.
async fn serve_echo(nc: &async_nats::Client, subject: &str) {
    let mut sub = nc.subscribe(subject.to_string()).await.unwrap();
    let nc2 = nc.clone();
    tokio::spawn(async move {
        while let Some(m) = sub.next().await {
            if let Some(r) = m.reply {
                let _ = nc2.publish(r, m.payload).await;
            }
        }
    });
    nc.flush().await.unwrap();
}

/// Whether a request on `subject` from `nc` gets the echo back.
async fn echoed(nc: &async_nats::Client, subject: &str) -> bool {
    let req = nc.request(subject.to_string(), "ping".into());
    matches!(
        tokio::time::timeout(WAIT, req).await,
        Ok(Ok(m)) if &m.payload[..] == b"ping"
    )
}

/// Whether a message the exporter publishes on `subject` reaches the importer on `local`.
async fn streamed(
    exporter: &async_nats::Client,
    importer: &async_nats::Client,
    subject: &str,
    local: &str,
) -> bool {
    let mut sub = importer.subscribe(local.to_string()).await.unwrap();
    importer.flush().await.unwrap();
    exporter
        .publish(subject.to_string(), "tick".into())
        .await
        .unwrap();
    exporter.flush().await.unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_millis(300), sub.next()).await;
    matches!(got, Ok(Some(m)) if &m.payload[..] == b"tick")
}

fn service_import(from: &nkeys::KeyPair, subject: &str, token: Option<&str>) -> Value {
    let mut v =
        json!({"name": "svc", "subject": subject, "account": from.public_key(), "type": "service"});
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}

fn stream_import(from: &nkeys::KeyPair, subject: &str, token: Option<&str>) -> Value {
    let mut v =
        json!({"name": "st", "subject": subject, "account": from.public_key(), "type": "stream"});
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}

#[tokio::test]
async fn public_exports_reach_the_importing_account() {
    let p = Pair::new();
    let h = p
        .start(
            json!({"exports": [
                {"name": "svc", "subject": "svc.echo", "type": "service"},
                {"name": "st", "subject": "events.>", "type": "stream"},
            ]}),
            json!({"imports": [
                service_import(&p.exp, "svc.echo", None),
                stream_import(&p.exp, "events.>", None),
            ]}),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(echoed(&i, "svc.echo").await, "service import answers");
    assert!(
        streamed(&e, &i, "events.a", "events.a").await,
        "stream import delivers"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn subjects_the_exporter_does_not_export_stay_private() {
    let p = Pair::new();
    let h = p
        .start(
            json!({"exports": [
                {"name": "svc", "subject": "svc.public", "type": "service"},
                {"name": "st", "subject": "events.public", "type": "stream"},
            ]}),
            json!({"imports": [
                service_import(&p.exp, "svc.private", None),
                stream_import(&p.exp, "events.private", None),
                // A stream export is not a service export and the other way round.
                service_import(&p.exp, "events.public", None),
                stream_import(&p.exp, "svc.public", None),
            ]}),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.private").await;
    serve_echo(&e, "events.public").await;
    assert!(!echoed(&i, "svc.private").await, "an unexported service");
    assert!(
        !echoed(&i, "events.public").await,
        "a stream export used as a service"
    );
    assert!(!streamed(&e, &i, "events.private", "events.private").await);
    assert!(!streamed(&e, &i, "svc.public", "svc.public").await);
    h.shutdown().await;
}

// go: server/TestJWTAccountBasicImportExport
#[tokio::test]
async fn token_required_exports_need_an_activation_for_the_importer() {
    let p = Pair::new();
    let other = nkeys::KeyPair::new_account();
    let exports = json!({"exports": [
        {"name": "svc", "subject": "svc.>", "type": "service", "token_req": true},
        {"name": "st", "subject": "events.>", "type": "stream", "token_req": true},
    ]});

    // No token: nothing crosses.
    let h = p
        .start(
            exports.clone(),
            json!({"imports": [
                service_import(&p.exp, "svc.echo", None),
                stream_import(&p.exp, "events.>", None),
            ]}),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(!echoed(&i, "svc.echo").await);
    assert!(!streamed(&e, &i, "events.a", "events.a").await);
    h.shutdown().await;

    // Tokens issued to another account, or signed by someone else, or of the wrong kind: refused.
    let stranger = nkeys::KeyPair::new_account();
    let bad = [
        p.activation(&p.exp, &other.public_key(), "svc.>", "service"),
        p.activation(&stranger, &p.imp.public_key(), "svc.>", "service"),
        p.activation(&p.exp, &p.imp.public_key(), "svc.>", "stream"),
        p.activation(&p.exp, &p.imp.public_key(), "svc.other", "service"),
        "not a token".to_string(),
    ];
    for token in &bad {
        let h = p
            .start(
                exports.clone(),
                json!({"imports": [service_import(&p.exp, "svc.echo", Some(token))]}),
            )
            .await;
        let e = client(&h, &p.exp).await;
        let i = client(&h, &p.imp).await;
        serve_echo(&e, "svc.echo").await;
        assert!(
            !echoed(&i, "svc.echo").await,
            "a bad activation lets through"
        );
        h.shutdown().await;
    }

    // The right tokens: both imports work.
    let svc = p.activation(&p.exp, &p.imp.public_key(), "svc.>", "service");
    let st = p.activation(&p.exp, &p.imp.public_key(), "events.>", "stream");
    let h = p
        .start(
            exports,
            json!({"imports": [
                service_import(&p.exp, "svc.echo", Some(&svc)),
                stream_import(&p.exp, "events.>", Some(&st)),
            ]}),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(echoed(&i, "svc.echo").await);
    assert!(streamed(&e, &i, "events.a", "events.a").await);
    h.shutdown().await;
}

// go: server/TestJWTAccountImportWrongIssuerAccount
#[tokio::test]
async fn an_activation_signed_by_an_exporter_signing_key() {
    let p = Pair::new();
    let sk = nkeys::KeyPair::new_account();
    let token = p.activation(&sk, &p.imp.public_key(), "svc.echo", "service");
    let import = json!({"imports": [service_import(&p.exp, "svc.echo", Some(&token))]});
    let export =
        json!({"name": "svc", "subject": "svc.echo", "type": "service", "token_req": true});

    // The exporter lists the signing key: accepted.
    let h = p
        .start(
            json!({"exports": [export.clone()], "signing_keys": [sk.public_key()]}),
            import.clone(),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(echoed(&i, "svc.echo").await);
    h.shutdown().await;

    // The token names the importer as the signing key's account: refused.
    let wrong = p.activation_for(
        &sk,
        &p.imp.public_key(),
        &p.imp.public_key(),
        "svc.echo",
        "service",
    );
    let h = p
        .start(
            json!({"exports": [export.clone()], "signing_keys": [sk.public_key()]}),
            json!({"imports": [service_import(&p.exp, "svc.echo", Some(&wrong))]}),
        )
        .await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(!echoed(&i, "svc.echo").await);
    h.shutdown().await;

    // The signing key is not the exporter's: refused.
    let h = p.start(json!({"exports": [export]}), import).await;
    let e = client(&h, &p.exp).await;
    let i = client(&h, &p.imp).await;
    serve_echo(&e, "svc.echo").await;
    assert!(!echoed(&i, "svc.echo").await);
    h.shutdown().await;
}

#[tokio::test]
async fn the_exporter_is_loaded_for_an_importer_that_logs_in_first() {
    let p = Pair::new();
    let h = p
        .start(
            json!({"exports": [{"name": "st", "subject": "events.>", "type": "stream"}]}),
            json!({"imports": [stream_import(&p.exp, "events.>", None)]}),
        )
        .await;
    // The importer connects and subscribes before anyone of the exporter's account is known.
    let i = client(&h, &p.imp).await;
    let mut sub = i.subscribe("events.>").await.unwrap();
    i.flush().await.unwrap();
    let e = client(&h, &p.exp).await;
    e.publish("events.x", "tick".into()).await.unwrap();
    e.flush().await.unwrap();
    let m = tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("delivered")
        .unwrap();
    assert_eq!(&m.payload[..], b"tick");
    h.shutdown().await;
}
