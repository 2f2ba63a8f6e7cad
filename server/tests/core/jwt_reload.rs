//! Reloading an operator-mode configuration: the nonce stays, accounts follow the memory resolver's
//! preloads (clients of a removed account are closed), and a bad preload fails the reload.

use serde_json::json;

use crate::jwt_common::*;
use crate::support::*;
use server::Options;

/// Options from `text` as a reload will read them again (Go's defaults, the port in the file).
fn load(dir: &TempDir, text: &str) -> Result<Options, String> {
    let path = dir.0.join("op.conf");
    std::fs::write(&path, text).unwrap();
    let mut o = Options::default();
    server::config::options::load_file(&mut o, &path).map_err(|e| e.to_string())?;
    o.no_signals = true;
    o.no_log = true;
    Ok(o)
}

fn preload_conf(op_jwt: &str, sys: &str, sys_jwt: &str, acc: &str, acc_jwt: &str) -> String {
    format!(
        "listen: 127.0.0.1:-1\noperator: {op_jwt}\nsystem_account: {sys}\nresolver: MEMORY\nresolver_preload {{\n  {sys}: {sys_jwt}\n  {acc}: {acc_jwt}\n}}\n"
    )
}

struct Fixture {
    op: nkeys::KeyPair,
    op_jwt: String,
    sys: nkeys::KeyPair,
    sys_jwt: String,
}

fn fixture() -> Fixture {
    let op = nkeys::KeyPair::new_operator();
    let sys = nkeys::KeyPair::new_account();
    Fixture {
        op_jwt: operator_jwt(&op, json!({})),
        sys_jwt: account_jwt(&op, &sys, json!({})),
        op,
        sys,
    }
}

impl Fixture {
    fn conf(&self, acc: &str, acc_jwt: &str) -> String {
        preload_conf(
            &self.op_jwt,
            &self.sys.public_key(),
            &self.sys_jwt,
            acc,
            acc_jwt,
        )
    }
}

// go: test/TestOperatorConfigReloadDoesntKillNonce
#[tokio::test]
async fn reload_keeps_the_nonce_and_the_logged_in_clients() {
    let f = fixture();
    let acc = nkeys::KeyPair::new_account();
    let dir = TempDir::new("jwt-reload");
    let o = load(
        &dir,
        &f.conf(&acc.public_key(), &account_jwt(&f.op, &acc, json!({}))),
    )
    .unwrap();
    let h = start(o).await;
    let u = nkeys::KeyPair::new_user();
    let ujwt = user_jwt(&acc, &u, json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shared.reload().expect("reload");
    let (_r2, info) = Raw::connect(&h).await;
    assert_eq!(info["nonce"].as_str().map(str::len), Some(15));
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    h.shutdown().await;
}

// go: test/TestReloadDoesUpdateAccountsWithMemoryResolver
#[tokio::test]
async fn reload_drops_accounts_removed_from_the_preloads() {
    let f = fixture();
    let acc = nkeys::KeyPair::new_account();
    let dir = TempDir::new("jwt-reload");
    let o = load(
        &dir,
        &f.conf(&acc.public_key(), &account_jwt(&f.op, &acc, json!({}))),
    )
    .unwrap();
    let h = start(o).await;
    let u = nkeys::KeyPair::new_user();
    let (mut r, _) = connect_jwt(&h, &user_jwt(&acc, &u, json!({})), Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    r.send(b"SUB foo 1\r\nPING\r\n").await;
    r.expect(b"+OK\r\nPONG\r\n").await;

    let acc2 = nkeys::KeyPair::new_account();
    std::fs::write(
        dir.0.join("op.conf"),
        f.conf(&acc2.public_key(), &account_jwt(&f.op, &acc2, json!({}))),
    )
    .unwrap();
    h.shared.reload().expect("reload");
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    assert!(h.shared.accounts.get(&acc.public_key()).is_none());
    let u2 = nkeys::KeyPair::new_user();
    let (mut r, _) = connect_jwt(&h, &user_jwt(&acc2, &u2, json!({})), Some(&u2)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    assert!(h.shared.accounts.get(&acc2.public_key()).is_some());
    h.shutdown().await;
}

// go: test/TestReloadFailsWithBadAccountsWithMemoryResolver
#[tokio::test]
async fn reload_with_a_bad_preload_fails_and_a_good_one_passes() {
    let f = fixture();
    // An expired account JWT does not stop the server from starting.
    let acc = nkeys::KeyPair::new_account();
    let mut c = claims("account", &acc.public_key(), &f.op, json!({}));
    c["iat"] = json!(now() - 10);
    c["exp"] = json!(now() - 2);
    let dir = TempDir::new("jwt-reload");
    let o = load(&dir, &f.conf(&acc.public_key(), &sign_jwt(&c, &f.op))).unwrap();
    let h = start(o).await;

    std::fs::write(dir.0.join("op.conf"), f.conf("foo", "bar")).unwrap();
    let err = h
        .shared
        .reload()
        .expect_err("a bogus preload fails the reload");
    assert!(err.ends_with("invalid account JWT"), "{err}");

    let good = nkeys::KeyPair::new_account();
    std::fs::write(
        dir.0.join("op.conf"),
        f.conf(&good.public_key(), &account_jwt(&f.op, &good, json!({}))),
    )
    .unwrap();
    h.shared.reload().expect("reload with a good account");
    h.shutdown().await;
}
