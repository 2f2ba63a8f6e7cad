//! Building operator, account and user JWTs for operator-mode tests: keys from the nkeys crate,
//! claims as JSON, signed here (independently of the server's own JWT code), and servers started from
//! a generated configuration file.

use base64::Engine;
use serde_json::{json, Value};

use crate::support::*;
use server::{Options, ServerHandle};

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Sign `claims` as a NATS JWT v2 with `kp`.
pub fn sign_jwt(claims: &Value, kp: &nkeys::KeyPair) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let h = b64.encode(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let p = b64.encode(serde_json::to_vec(claims).unwrap());
    let sig = kp.sign(format!("{h}.{p}").as_bytes()).unwrap();
    format!("{h}.{p}.{}", b64.encode(sig))
}

/// Claims of `kind` for `sub` issued by `iss`, with `nats` merged into the `nats` section. Limits
/// start as the Go jwt library's `NewAccountClaims` / `NewUserClaims` write them (-1: no limit), and
/// an account's `limits` given here override single fields.
pub fn claims(kind: &str, sub: &str, iss: &nkeys::KeyPair, nats: Value) -> Value {
    let mut n = match kind {
        "account" => json!({"limits": {
            "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
            "wildcards": true, "conn": -1, "leaf": -1,
        }}),
        "user" => json!({"subs": -1, "data": -1, "payload": -1}),
        _ => json!({}),
    };
    n["type"] = json!(kind);
    n["version"] = json!(2);
    if let Some(extra) = nats.as_object() {
        for (k, v) in extra {
            match (k.as_str(), v.as_object()) {
                ("limits", Some(l)) => {
                    for (lk, lv) in l {
                        n["limits"][lk] = lv.clone();
                    }
                }
                _ => n[k] = v.clone(),
            }
        }
    }
    json!({
        "jti": format!("J{}", rand::random::<u64>()),
        "iat": now(),
        "iss": iss.public_key(),
        "name": kind,
        "sub": sub,
        "nats": n,
    })
}

pub fn operator_jwt(op: &nkeys::KeyPair, nats: Value) -> String {
    sign_jwt(&claims("operator", &op.public_key(), op, nats), op)
}

pub fn account_jwt(signer: &nkeys::KeyPair, acc: &nkeys::KeyPair, nats: Value) -> String {
    sign_jwt(&claims("account", &acc.public_key(), signer, nats), signer)
}

pub fn user_jwt(signer: &nkeys::KeyPair, user: &nkeys::KeyPair, nats: Value) -> String {
    sign_jwt(&claims("user", &user.public_key(), signer, nats), signer)
}

/// A `.creds` file's text, as `nsc` writes it.
pub fn creds(jwt: &str, user: &nkeys::KeyPair) -> String {
    format!(
        "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n\
         ************************* IMPORTANT *************************\n\
         NKEY Seed printed below can be used to sign and prove identity.\n\n\
         -----BEGIN USER NKEY SEED-----\n{}\n------END USER NKEY SEED------\n",
        user.seed().unwrap()
    )
}

/// An operator with one account (preloaded in a memory resolver) and a way to make users.
pub struct OpSetup {
    pub op: nkeys::KeyPair,
    pub op_jwt: String,
    pub acc: nkeys::KeyPair,
    pub acc_jwt: String,
}

impl OpSetup {
    pub fn new(acc_nats: Value) -> OpSetup {
        let op = nkeys::KeyPair::new_operator();
        let op_jwt = operator_jwt(&op, json!({}));
        let acc = nkeys::KeyPair::new_account();
        let acc_jwt = account_jwt(&op, &acc, acc_nats);
        OpSetup {
            op,
            op_jwt,
            acc,
            acc_jwt,
        }
    }

    /// The configuration text: the operator inline, a memory resolver, the preloads.
    pub fn conf(&self, extra_preloads: &[(String, String)], extra: &str) -> String {
        let mut pre = format!("  {}: {}\n", self.acc.public_key(), self.acc_jwt);
        for (k, v) in extra_preloads {
            pre.push_str(&format!("  {k}: {v}\n"));
        }
        format!(
            "operator: {}\nresolver: MEMORY\nresolver_preload {{\n{pre}}}\n{extra}\n",
            self.op_jwt
        )
    }

    pub fn user(&self, nats: Value) -> (nkeys::KeyPair, String) {
        let u = nkeys::KeyPair::new_user();
        let jwt = user_jwt(&self.acc, &u, nats);
        (u, jwt)
    }
}

/// Options read from configuration `text` (written to a file in `dir`).
pub fn load(dir: &TempDir, text: &str) -> Result<Options, String> {
    let path = dir.0.join("op.conf");
    std::fs::write(&path, text).unwrap();
    let mut o = Options::for_test();
    server::config::options::load_file(&mut o, &path)
        .map(|_| o)
        .map_err(|e| e.to_string())
}

pub async fn start_conf(text: &str) -> ServerHandle {
    let dir = TempDir::new("jwt");
    let o = load(&dir, text).expect("config loads");
    start(o).await
}

/// CONNECT with `jwt`, signing this connection's nonce with `user` (None: no signature).
pub async fn connect_jwt(
    h: &ServerHandle,
    jwt: &str,
    user: Option<&nkeys::KeyPair>,
) -> (Raw, Value) {
    let (mut r, info) = Raw::connect(h).await;
    let nonce = info["nonce"].as_str().unwrap_or_default().to_string();
    let mut cs = json!({"verbose": true, "jwt": jwt});
    if let Some(u) = user {
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(u.sign(nonce.as_bytes()).unwrap());
        cs["sig"] = json!(sig);
    }
    r.send(format!("CONNECT {cs}\r\nPING\r\n").as_bytes()).await;
    (r, info)
}
