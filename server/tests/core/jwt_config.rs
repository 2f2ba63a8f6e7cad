//! Operator mode configuration: `operator` (a file, decorated or not, or the JWT inline),
//! `resolver`, `resolver_preload`, the system account named by the operator, the trusted keys, and
//! Go's errors for bad values (texts checked against nats-server 2.15).

use serde_json::json;

use crate::jwt_common::*;
use crate::support::*;
use server::Server;

fn op_with_signing_keys(n: usize) -> (nkeys::KeyPair, Vec<String>, String) {
    let op = nkeys::KeyPair::new_operator();
    let sks: Vec<String> = (0..n)
        .map(|_| nkeys::KeyPair::new_operator().public_key())
        .collect();
    let jwt = operator_jwt(&op, json!({"signing_keys": sks}));
    (op, sks, jwt)
}

// go: test/TestOperatorConfig
#[tokio::test]
async fn operator_from_a_decorated_file_trusts_its_key_and_signing_keys() {
    let dir = TempDir::new("opconf");
    let (op, sks, jwt) = op_with_signing_keys(3);
    let file = dir.0.join("op.jwt");
    std::fs::write(
        &file,
        format!("-----BEGIN NATS OPERATOR JWT-----\n{jwt}\n------END NATS OPERATOR JWT------\n"),
    )
    .unwrap();
    let o = load(
        &dir,
        &format!("operator: {:?}\nresolver: MEMORY\n", file.display()),
    )
    .unwrap();
    assert_eq!(o.trusted_operators.len(), 1);
    assert_eq!(o.trusted_operators[0].data.sub, op.public_key());
    let mut want = vec![op.public_key()];
    want.extend(sks);
    assert_eq!(o.trusted_keys, want);
    let h = start(o).await;
    h.shutdown().await;
}

// go: test/TestOperatorConfigInline
#[tokio::test]
async fn operator_jwt_inline_and_in_a_list() {
    let dir = TempDir::new("opconf");
    let (op, sks, jwt) = op_with_signing_keys(3);
    let o = load(&dir, &format!("operator: {jwt}\nresolver: MEM\n")).unwrap();
    assert_eq!(o.trusted_keys.len(), 4);
    let (op2, _, jwt2) = op_with_signing_keys(0);
    let o = load(
        &dir,
        &format!("operators: [\"{jwt}\", \"{jwt2}\"]\nresolver: MEMORY\n"),
    )
    .unwrap();
    assert_eq!(o.trusted_operators.len(), 2);
    assert_eq!(
        o.trusted_keys,
        vec![
            op.public_key(),
            sks[0].clone(),
            sks[1].clone(),
            sks[2].clone(),
            op2.public_key()
        ]
    );
}

#[tokio::test]
async fn operator_config_errors_carry_their_position() {
    let dir = TempDir::new("opconf");
    let path = dir.0.join("op.conf");
    let p = path.display();
    let e = load(&dir, "operator: /nonexistent/op.jwt\nresolver: MEMORY\n").unwrap_err();
    assert_eq!(
        e.trim(),
        format!("{p}:1:0: error parsing operator JWT: open /nonexistent/op.jwt: no such file or directory")
    );
    let e = load(&dir, "operator: eyJabc\n").unwrap_err();
    assert_eq!(
        e.trim(),
        format!("{p}:1:0: error parsing operator JWT: expected 3 chunks")
    );
    let e = load(&dir, "operator: 42\n").unwrap_err();
    assert_eq!(
        e.trim(),
        format!("{p}:1:0: error parsing operators: unsupported type int64")
    );
    let e = load(
        &dir,
        "resolver: MEMORY\nresolver_preload {\n  AAA: \"eyJnotajwt\"\n}\n",
    )
    .unwrap_err();
    assert_eq!(e.trim(), format!("{p}:3:3: invalid account JWT"));
    let e = load(&dir, "resolver: BOGUS\n").unwrap_err();
    assert_eq!(
        e.trim(),
        format!("{p}:1:0: error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])")
    );
    // An account JWT is no operator JWT.
    let op = nkeys::KeyPair::new_operator();
    let acc = nkeys::KeyPair::new_account();
    let ajwt = account_jwt(&op, &acc, json!({}));
    let e = load(&dir, &format!("operator: {ajwt}\nresolver: MEMORY\n")).unwrap_err();
    assert!(
        e.starts_with(&format!("{p}:1:0: error parsing operator JWT: ")),
        "{e}"
    );
}

#[tokio::test]
async fn operator_mode_refuses_configured_accounts_users_and_no_resolver() {
    let dir = TempDir::new("opconf");
    let (_op, _, jwt) = op_with_signing_keys(0);
    for (extra, want) in [
        ("", "operators require an account resolver to be configured"),
        (
            "resolver: MEMORY\naccounts { A {} }",
            "operators do not allow Accounts to be configured directly",
        ),
        (
            "resolver: MEMORY\nauthorization { users [ {user: a, password: b} ] }",
            "operators do not allow users to be configured directly",
        ),
    ] {
        let o = load(&dir, &format!("operator: {jwt}\n{extra}\n")).unwrap();
        let err = match Server::start(o).await {
            Ok(h) => {
                h.shutdown().await;
                panic!("{extra:?} started");
            }
            Err(e) => e.to_string(),
        };
        assert_eq!(err, want, "{extra:?}");
    }
}

// go: test/TestOperatorMemResolverPreload
#[tokio::test]
async fn preloaded_system_account_named_by_the_operator() {
    let op = nkeys::KeyPair::new_operator();
    let sys = nkeys::KeyPair::new_account();
    let op_jwt = operator_jwt(&op, json!({"system_account": sys.public_key()}));
    let sys_jwt = account_jwt(&op, &sys, json!({}));
    let acc = nkeys::KeyPair::new_account();
    let acc_jwt = account_jwt(&op, &acc, json!({}));
    let dir = TempDir::new("opconf");
    let o = load(
        &dir,
        &format!(
            "operator: {op_jwt}\nresolver: MEMORY\nresolver_preload {{\n  {}: {sys_jwt}\n  {}: {acc_jwt}\n}}\n",
            sys.public_key(),
            acc.public_key()
        ),
    )
    .unwrap();
    assert_eq!(o.system_account, sys.public_key());
    assert_eq!(o.resolver_preload.len(), 2);
    let h = start(o).await;
    let sacc = h.shared.accounts.system().expect("system account");
    assert_eq!(sacc.name, sys.public_key());
    h.shutdown().await;

    // A system_account that differs from the operator's.
    let other = nkeys::KeyPair::new_account();
    let o = load(
        &dir,
        &format!(
            "operator: {op_jwt}\nresolver: MEMORY\nsystem_account: {}\n",
            other.public_key()
        ),
    )
    .unwrap();
    let err = Server::start(o).await.err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("system_account in config and operator JWT must be identical")
    );
}

#[tokio::test]
async fn account_signed_by_an_operator_signing_key() {
    let op = nkeys::KeyPair::new_operator();
    let osk = nkeys::KeyPair::new_operator();
    let op_jwt = operator_jwt(&op, json!({"signing_keys": [osk.public_key()]}));
    let acc = nkeys::KeyPair::new_account();
    let acc_jwt = account_jwt(&osk, &acc, json!({}));
    let s = OpSetup {
        op,
        op_jwt,
        acc,
        acc_jwt,
    };
    let h = start_conf(&s.conf(&[], "")).await;
    let (u, ujwt) = s.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect(b"+OK\r\nPONG\r\n").await;
    h.shutdown().await;

    // With strict signing key usage, the operator's identity key no longer signs accounts.
    let op_jwt = operator_jwt(
        &s.op,
        json!({"signing_keys": [osk.public_key()], "strict_signing_key_usage": true}),
    );
    let s2 = OpSetup {
        op: nkeys::KeyPair::from_seed(&s.op.seed().unwrap()).unwrap(),
        op_jwt,
        acc: nkeys::KeyPair::from_seed(&s.acc.seed().unwrap()).unwrap(),
        acc_jwt: account_jwt(&s.op, &s.acc, json!({})),
    };
    let h = start_conf(&s2.conf(&[], "")).await;
    let (u, ujwt) = s2.user(json!({}));
    let (mut r, _) = connect_jwt(&h, &ujwt, Some(&u)).await;
    r.expect_close_after(b"-ERR 'Authorization Violation'\r\n")
        .await;
    h.shutdown().await;
}
