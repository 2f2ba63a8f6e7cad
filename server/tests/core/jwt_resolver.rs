//! The full directory resolver: account JWTs as `<pubkey>.jwt` files loaded on demand, and the system
//! account's claim services (`$SYS.REQ.CLAIMS.UPDATE`, `$SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE`,
//! `.CLAIMS.LOOKUP`, `$SYS.REQ.CLAIMS.LIST`) with Go's response shapes.

use serde_json::{json, Value};

use crate::jwt_common::*;
use crate::support::*;

struct Full {
    op: nkeys::KeyPair,
    sys: nkeys::KeyPair,
    dir: TempDir,
    conf: String,
}

fn full_setup() -> Full {
    let op = nkeys::KeyPair::new_operator();
    let sys = nkeys::KeyPair::new_account();
    let op_jwt = operator_jwt(&op, json!({"system_account": sys.public_key()}));
    let sys_jwt = account_jwt(&op, &sys, json!({}));
    let dir = TempDir::new("jwt-dir");
    let conf = format!(
        "operator: {op_jwt}\nresolver {{\n  type: full\n  dir: {:?}\n}}\nresolver_preload {{\n  {}: {sys_jwt}\n}}\n",
        dir.0.display(),
        sys.public_key()
    );
    Full { op, sys, dir, conf }
}

async fn sys_client(h: &server::ServerHandle, f: &Full) -> async_nats::Client {
    let u = nkeys::KeyPair::new_user();
    let ujwt = user_jwt(&f.sys, &u, json!({}));
    let path = f.dir.0.join(format!("sys-{}.creds", rand::random::<u32>()));
    std::fs::write(&path, creds(&ujwt, &u)).unwrap();
    async_nats::ConnectOptions::with_credentials_file(&path)
        .await
        .unwrap()
        .connect(h.client_url())
        .await
        .expect("system user connects")
}

async fn request(nc: &async_nats::Client, subject: &str, body: &str) -> Vec<u8> {
    let m = tokio::time::timeout(
        WAIT,
        nc.request(subject.to_string(), body.to_string().into()),
    )
    .await
    .expect("answer in time")
    .expect("answer");
    m.payload.to_vec()
}

#[tokio::test]
async fn account_jwt_files_are_loaded_on_demand() {
    let f = full_setup();
    let acc = nkeys::KeyPair::new_account();
    std::fs::write(
        f.dir.0.join(format!("{}.jwt", acc.public_key())),
        account_jwt(&f.op, &acc, json!({})),
    )
    .unwrap();
    let h = start_conf(&f.conf).await;
    let u = nkeys::KeyPair::new_user();
    let (mut r, _) = connect_jwt(&h, &user_jwt(&acc, &u, json!({})), Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shutdown().await;
}

#[tokio::test]
async fn claims_update_stores_a_jwt_and_lets_its_users_in() {
    let f = full_setup();
    let h = start_conf(&f.conf).await;
    let nc = sys_client(&h, &f).await;
    let acc = nkeys::KeyPair::new_account();
    let u = nkeys::KeyPair::new_user();
    let ujwt = user_jwt(&acc, &u, json!({}));
    // Unknown yet.
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;

    let ajwt = account_jwt(&f.op, &acc, json!({}));
    let resp: Value =
        serde_json::from_slice(&request(&nc, "$SYS.REQ.CLAIMS.UPDATE", &ajwt).await).unwrap();
    assert_eq!(
        resp["data"],
        json!({"account": acc.public_key(), "code": 200, "message": "jwt updated"})
    );
    assert!(resp["server"]["id"].is_string());
    assert!(resp.get("error").is_none());
    let stored = std::fs::read_to_string(f.dir.0.join(format!("{}.jwt", acc.public_key())))
        .expect("stored as <pubkey>.jwt");
    assert_eq!(stored.trim(), ajwt);
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;

    // Lookup answers with the stored JWT, or an empty message for an unknown account.
    let got = request(
        &nc,
        &format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.LOOKUP", acc.public_key()),
        "",
    )
    .await;
    assert_eq!(String::from_utf8(got).unwrap(), ajwt);
    let other = nkeys::KeyPair::new_account();
    let got = request(
        &nc,
        &format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.LOOKUP", other.public_key()),
        "",
    )
    .await;
    assert!(got.is_empty());

    // The list has both stored accounts.
    let resp: Value =
        serde_json::from_slice(&request(&nc, "$SYS.REQ.CLAIMS.LIST", "").await).unwrap();
    let mut want = vec![acc.public_key(), f.sys.public_key()];
    want.sort();
    assert_eq!(resp["data"], json!(want));
    h.shutdown().await;
}

#[tokio::test]
async fn claims_update_errors() {
    let f = full_setup();
    let h = start_conf(&f.conf).await;
    let nc = sys_client(&h, &f).await;
    let a = nkeys::KeyPair::new_account();
    let b = nkeys::KeyPair::new_account();
    let bjwt = account_jwt(&f.op, &b, json!({}));
    // The subject names another account.
    let resp: Value = serde_json::from_slice(
        &request(
            &nc,
            &format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.UPDATE", a.public_key()),
            &bjwt,
        )
        .await,
    )
    .unwrap();
    assert_eq!(
        resp["error"],
        json!({"account": a.public_key(), "code": 500,
               "description": "jwt update resulted in error - subject does not match jwt content"})
    );
    assert!(resp.get("data").is_none());
    // Not a JWT.
    let resp: Value =
        serde_json::from_slice(&request(&nc, "$SYS.REQ.CLAIMS.UPDATE", "garbage").await).unwrap();
    assert_eq!(resp["error"]["account"], "n/a");
    assert_eq!(resp["error"]["code"], 500);
    assert!(resp["error"]["description"]
        .as_str()
        .unwrap()
        .starts_with("jwt update resulted in error - "));
    // Expired.
    let mut c = claims("account", &b.public_key(), &f.op, json!({}));
    c["exp"] = json!(now() - 5);
    let resp: Value =
        serde_json::from_slice(&request(&nc, "$SYS.REQ.CLAIMS.UPDATE", &sign_jwt(&c, &f.op)).await)
            .unwrap();
    assert_eq!(resp["error"]["account"], json!(b.public_key()));
    assert!(resp["error"]["description"]
        .as_str()
        .unwrap()
        .starts_with("jwt validation failed - "));
    assert!(!f.dir.0.join(format!("{}.jwt", b.public_key())).exists());
    h.shutdown().await;
}

#[tokio::test]
async fn newer_claims_revoke_a_user_of_a_live_account() {
    let f = full_setup();
    let h = start_conf(&f.conf).await;
    let nc = sys_client(&h, &f).await;
    let acc = nkeys::KeyPair::new_account();
    let u = nkeys::KeyPair::new_user();
    let ujwt = user_jwt(&acc, &u, json!({}));
    let first = account_jwt(&f.op, &acc, json!({}));
    let subj = format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.UPDATE", acc.public_key());
    let resp: Value = serde_json::from_slice(&request(&nc, &subj, &first).await).unwrap();
    assert_eq!(resp["data"]["code"], 200);
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    // A newer JWT (later iat) revoking the user: later logins fail.
    let mut c = claims(
        "account",
        &acc.public_key(),
        &f.op,
        json!({"revocations": {u.public_key(): now() + 1}}),
    );
    c["iat"] = json!(now() + 1);
    let revoking = sign_jwt(&c, &f.op);
    let resp: Value = serde_json::from_slice(&request(&nc, &subj, &revoking).await).unwrap();
    assert_eq!(resp["data"]["message"], "jwt updated");
    // The connected user is told and closed.
    r.expect_close_after(b"-ERR 'User Authentication Revoked'\r\n")
        .await;
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    // The older JWT sent again is accepted but changes nothing.
    let resp: Value = serde_json::from_slice(&request(&nc, &subj, &first).await).unwrap();
    assert_eq!(resp["data"]["code"], 200);
    let stored =
        std::fs::read_to_string(f.dir.0.join(format!("{}.jwt", acc.public_key()))).unwrap();
    assert_eq!(stored.trim(), revoking);
    h.shutdown().await;
}

#[tokio::test]
async fn claim_answers_match_the_go_server() {
    let f = full_setup();
    let go_dir = TempDir::new("jwt-go-dir");
    let go_conf = f.conf.replace(
        &format!("{:?}", f.dir.0.display().to_string()),
        &format!("{:?}", go_dir.0.display().to_string()),
    );
    assert_ne!(go_conf, f.conf);
    let go_conf_path = go_dir.0.join("go.conf");
    std::fs::write(&go_conf_path, &go_conf).unwrap();
    let go = GoServer::start(&["-c", go_conf_path.to_str().unwrap()]).await;
    let h = start_conf(&f.conf).await;

    let a = nkeys::KeyPair::new_account();
    let b = nkeys::KeyPair::new_account();
    let ajwt = account_jwt(&f.op, &a, json!({}));
    let bjwt = account_jwt(&f.op, &b, json!({}));
    let asubj = format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.UPDATE", a.public_key());
    let alookup = format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.LOOKUP", a.public_key());
    let steps: Vec<(&str, &str)> = vec![
        ("$SYS.REQ.CLAIMS.UPDATE", ajwt.as_str()),
        (asubj.as_str(), bjwt.as_str()),
        (asubj.as_str(), ajwt.as_str()),
        ("$SYS.REQ.CLAIMS.UPDATE", "garbage"),
        (alookup.as_str(), ""),
        ("$SYS.REQ.CLAIMS.LIST", ""),
    ];
    let ours = sys_client(&h, &f).await;
    let go_url = format!("nats://{}", go.client);
    let u = nkeys::KeyPair::new_user();
    let ujwt = user_jwt(&f.sys, &u, json!({}));
    let path = go_dir.0.join("sys.creds");
    std::fs::write(&path, creds(&ujwt, &u)).unwrap();
    let theirs = async_nats::ConnectOptions::with_credentials_file(&path)
        .await
        .unwrap()
        .connect(go_url)
        .await
        .expect("system user connects to Go");
    for (subj, body) in steps {
        let o = request(&ours, subj, body).await;
        let t = request(&theirs, subj, body).await;
        match (
            serde_json::from_slice::<Value>(&o),
            serde_json::from_slice::<Value>(&t),
        ) {
            (Ok(o), Ok(t)) if o.is_object() => {
                assert_eq!(o["data"], t["data"], "{subj}");
                // The decode error texts differ between JWT libraries; shape and prefix must not.
                assert_eq!(o["error"]["account"], t["error"]["account"], "{subj}");
                assert_eq!(o["error"]["code"], t["error"]["code"], "{subj}");
                if subj != "$SYS.REQ.CLAIMS.UPDATE" || body != "garbage" {
                    assert_eq!(o["error"], t["error"], "{subj}");
                }
            }
            _ => assert_eq!(o, t, "{subj}"),
        }
    }
    h.shutdown().await;
}
