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

    /// On a server started with these claims: whether the importer's requests on `svc` reach an echo
    /// service of the exporter, and whether the exporter's messages on `stream` reach the importer.
    async fn crossings(
        &self,
        exp_nats: Value,
        imp_nats: Value,
        svc: &str,
        stream: &str,
    ) -> (bool, bool) {
        let h = self.start(exp_nats, imp_nats).await;
        let e = client(&h, &self.exp).await;
        let i = client(&h, &self.imp).await;
        serve_echo(&e, svc).await;
        let got = (
            echoed(&i, svc).await,
            streamed(&e, &i, stream, stream).await,
        );
        h.shutdown().await;
        got
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
    let exports = json!({"exports": [
        {"name": "svc", "subject": "svc.echo", "type": "service"},
        {"name": "st", "subject": "events.>", "type": "stream"},
    ]});
    let imports = json!({"imports": [
        service_import(&p.exp, "svc.echo", None),
        stream_import(&p.exp, "events.>", None),
    ]});
    let got = p.crossings(exports, imports, "svc.echo", "events.a").await;
    assert_eq!(got, (true, true));
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
    let imports = |svc: Option<&str>, st: Option<&str>| {
        json!({"imports": [
            service_import(&p.exp, "svc.echo", svc),
            stream_import(&p.exp, "events.>", st),
        ]})
    };

    // No token: nothing crosses.
    let got = p
        .crossings(exports.clone(), imports(None, None), "svc.echo", "events.a")
        .await;
    assert_eq!(got, (false, false));

    // Tokens issued to another account, signed by someone else, of the wrong kind, for another
    // subject, or not a token at all: refused.
    let imp = p.imp.public_key();
    let stranger = nkeys::KeyPair::new_account();
    let bad = [
        (
            p.activation(&p.exp, &other.public_key(), "svc.>", "service"),
            p.activation(&p.exp, &other.public_key(), "events.>", "stream"),
        ),
        (
            p.activation(&stranger, &imp, "svc.>", "service"),
            p.activation(&stranger, &imp, "events.>", "stream"),
        ),
        (
            p.activation(&p.exp, &imp, "svc.>", "stream"),
            p.activation(&p.exp, &imp, "events.>", "service"),
        ),
        (
            p.activation(&p.exp, &imp, "svc.other", "service"),
            p.activation(&p.exp, &imp, "events.other", "stream"),
        ),
        ("not a token".to_string(), "not a token".to_string()),
    ];
    for (svc, st) in &bad {
        let got = p
            .crossings(
                exports.clone(),
                imports(Some(svc), Some(st)),
                "svc.echo",
                "events.a",
            )
            .await;
        assert_eq!(got, (false, false), "a bad activation lets through: {svc}");
    }

    // The right tokens: both imports work.
    let svc = p.activation(&p.exp, &imp, "svc.>", "service");
    let st = p.activation(&p.exp, &imp, "events.>", "stream");
    let got = p
        .crossings(
            exports,
            imports(Some(&svc), Some(&st)),
            "svc.echo",
            "events.a",
        )
        .await;
    assert_eq!(got, (true, true));
}

// go: server/TestJWTAccountImportWrongIssuerAccount
#[tokio::test]
async fn an_activation_signed_by_an_exporter_signing_key() {
    let p = Pair::new();
    let sk = nkeys::KeyPair::new_account();
    let imp = p.imp.public_key();
    let export =
        json!({"name": "svc", "subject": "svc.echo", "type": "service", "token_req": true});
    let with_key = json!({"exports": [export.clone()], "signing_keys": [sk.public_key()]});
    let import =
        |token: &str| json!({"imports": [service_import(&p.exp, "svc.echo", Some(token))]});
    let good = p.activation(&sk, &imp, "svc.echo", "service");

    // The exporter lists the signing key: accepted.
    let got = p
        .crossings(with_key.clone(), import(&good), "svc.echo", "none")
        .await;
    assert!(got.0);
    // The token names the importer as the signing key's account: refused.
    let wrong = p.activation_for(&sk, &imp, &imp, "svc.echo", "service");
    let got = p
        .crossings(with_key, import(&wrong), "svc.echo", "none")
        .await;
    assert!(!got.0);
    // The signing key is not the exporter's: refused.
    let got = p
        .crossings(
            json!({"exports": [export]}),
            import(&good),
            "svc.echo",
            "none",
        )
        .await;
    assert!(!got.0);
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
