//! Authorization blocks of configuration files (Go's `opts_test.go`): nkey users, tokens mixed with
//! users, response permissions, the authorization timeout and queue-qualified permissions, checked as
//! parsed options and, where Go checks it, on a running server.

use crate::config_opts::load_text;
use crate::support::*;
use server::config::options::LoadError;
use server::Options;

const NK1: &str = "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV";
const NK2: &str = "UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ";

fn err_text(text: &str) -> String {
    load_text(text).0.expect_err("must fail").to_string()
}

// go: server/TestNkeyUsersConfig
#[test]
fn nkey_users() {
    let conf = format!(
        "authorization {{\n users = [\n  {{nkey: \"{NK1}\"}}\n  {{nkey: \"{NK2}\"}}\n ]\n}}\n"
    );
    let o = load_text(&conf).0.expect("loads");
    let keys: Vec<&str> = o.nkeys.iter().map(|n| n.nkey.as_str()).collect();
    assert_eq!(keys, [NK1, NK2]);
    assert!(o.users.is_empty());
}

// go: server/TestNkeyUsersWithPermsConfig
#[test]
fn nkey_user_with_permissions() {
    let conf = format!(
        "authorization {{\n users = [\n  {{nkey: \"{NK1}\",\n   permissions = {{\n    publish = \"$SYS.>\"\n    subscribe = {{ deny = [\"foo\", \"bar\", \"baz\"] }}\n   }}\n  }}\n ]\n}}\n"
    );
    let o = load_text(&conf).0.expect("loads");
    assert_eq!(o.nkeys.len(), 1);
    let p = o.nkeys[0].permissions.as_ref().expect("permissions");
    let publish = p.publish.as_ref().expect("publish");
    assert_eq!(publish.allow.as_deref(), Some(&["$SYS.>".to_string()][..]));
    let sub = p.subscribe.as_ref().expect("subscribe");
    assert_eq!(sub.allow, None);
    assert_eq!(
        sub.deny,
        Some(vec![
            "foo".to_string(),
            "bar".to_string(),
            "baz".to_string()
        ])
    );
}

// go: server/TestBadNkeyConfig
#[test]
fn bad_nkey_is_an_error() {
    let (r, path, _d) = load_text("authorization {\n  users = [ {nkey: \"Ufoo\"}]\n}\n");
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!(
            "{}:2:14: Not a valid public nkey for a user\n",
            path.display()
        )
    );
}

// go: server/TestNkeyWithPassConfig
#[test]
fn nkey_with_password_is_an_error() {
    let conf =
        format!("authorization {{\n users = [\n  {{nkey: \"{NK1}\", pass: \"foo\"}}\n ]\n}}\n");
    let e = err_text(&conf);
    // Go reports the position of whichever field of the entry it read last (map order).
    assert!(
        e.ends_with(": Nkey users do not take usernames or passwords\n"),
        "{e}"
    );
}

// go: server/TestTokenWithUserPass
#[test]
fn token_with_user_and_password_is_an_error() {
    let (r, path, _d) =
        load_text("authorization={\n\tuser: user\n\tpass: password\n\ttoken: $2a$11$whatever\n}\n");
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!(
            "{}:1:0: Cannot have a user/pass and token\n",
            path.display()
        )
    );
}

// go: server/TestTokenWithUsers
#[test]
fn token_with_users_is_an_error() {
    let (r, path, _d) = load_text(
        "authorization={\n\ttoken: $2a$11$whatever\n\tusers: [\n\t\t{user: test, password: test}\n\t]\n}\n",
    );
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!(
            "{}:1:0: Can not have a token and a users array\n",
            path.display()
        )
    );
}

// go: server/TestLargeMaxControlLine
#[test]
fn max_control_line_above_i32_is_an_error() {
    let (r, path, _d) = load_text("\n\t\tmax_control_line = 3000000000\n");
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!(
            "{}:2:3: max_control_line value is too big\n",
            path.display()
        )
    );
}

// go: server/TestLargeMaxPayload
#[tokio::test]
async fn max_payload_above_i32_or_max_pending_is_an_error() {
    let (r, path, _d) = load_text("\n\t\tmax_payload = 3000000000\n");
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!("{}:2:3: max_payload value is too big\n", path.display())
    );
    let (r, _, _d) = load_text("max_payload = 100000\nmax_pending = 50000\n");
    let mut o = r.expect("loads");
    o.port = -1;
    o.no_log = true;
    o.no_signals = true;
    let err = server::Server::start(o).await.err().expect("start refused");
    assert_eq!(
        err.to_string(),
        "max_payload (100000) cannot be higher than max_pending (50000)"
    );
}

/// `allow_responses` of one user, with `fields` inside the block.
fn response_conf(fields: &str) -> String {
    format!("listen: \"127.0.0.1:-1\"\nauthorization {{\n users [\n  {{\n   user: ivan\n   password: pwd\n   permissions {{\n    allow_responses {{\n     {fields}\n    }}\n   }}\n  }}\n ]\n}}\n")
}

// go: server/TestParsingResponsePermissions
#[test]
fn response_permission_values() {
    const S: i64 = 1_000_000_000;
    let def_max = server::auth::DEFAULT_ALLOW_RESPONSE_MAX_MSGS;
    let def_ttl = server::auth::DEFAULT_ALLOW_RESPONSE_EXPIRATION.as_nanos() as i64;
    for (fields, max, ttl) in [
        ("", def_max, def_ttl),
        ("max: 10", 10, def_ttl),
        ("ttl: 5s", def_max, 5 * S),
        ("max: 0", def_max, def_ttl),
        ("ttl: \"0s\"", def_max, def_ttl),
        ("max: 10\n ttl: \"5s\"", 10, 5 * S),
        ("max: -1\n ttl: \"5s\"", -1, 5 * S),
        ("max: 10\n ttl: \"-1s\"", 10, -S),
        ("max: -1\n ttl: \"-1s\"", -1, -S),
    ] {
        let o = load_text(&response_conf(fields)).0.expect(fields);
        let p = o.users[0].permissions.as_ref().unwrap();
        let r = p.response.as_ref().expect("response permission");
        assert_eq!((r.max_msgs, r.expires_ns), (max, ttl), "{fields}");
    }
    for (fields, want) in [
        (
            "unknown_field: 123",
            "Unknown field \"unknown_field\" parsing permissions",
        ),
        ("max: 10\n ttl: 123", "not a duration string"),
        ("max: 10\n ttl: xyz", "error parsing expires"),
    ] {
        let e = err_text(&response_conf(fields));
        assert!(e.contains(want), "{fields}: {e}");
    }
}

/// Options of `text`, tolerating warnings as Go's `parseConfigTolerantly` does.
fn tolerant(text: &str) -> Result<Options, String> {
    let dir = TempDir::new("opts-tol");
    let path = dir.0.join("t.conf");
    std::fs::write(&path, text).unwrap();
    let mut o = Options::default();
    match server::config::options::load_file(&mut o, &path) {
        Ok(_) => Ok(o),
        Err(LoadError::Options(e)) if e.errors.is_empty() => Ok(o),
        Err(e) => Err(e.to_string()),
    }
}

// go: server/TestAuthorizationTimeoutConfigParsing
#[tokio::test]
async fn authorization_timeout_forms() {
    for (conf, secs) in [
        ("authorization {}", 2.0),
        ("authorization {\n timeout: 0\n}", 2.0),
        ("authorization {\n timeout: 1\n}", 1.0),
        ("authorization {\n timeout: 10s\n}", 10.0),
        // A bare 1m is the integer one million (a warning, not an error).
        ("authorization {\n timeout: 1m\n}", 1_000_000.0),
        ("authorization {\n timeout: \"1m\"\n}", 60.0),
        ("authorization {\n timeout: \"10m5s30ms\"\n}", 605.03),
        ("authorization {\n timeout: 0.091\n}", 0.091),
    ] {
        let mut o = tolerant(conf).unwrap_or_else(|e| panic!("{conf}: {e}"));
        assert!(
            (o.auth_timeout.as_secs_f64() - secs).abs() < 1e-9,
            "{conf}: {:?}",
            o.auth_timeout
        );
        o.host = "127.0.0.1".into();
        o.port = -1;
        o.no_log = true;
        o.no_signals = true;
        let h = start(o).await;
        assert!((h.shared.opts().auth_timeout.as_secs_f64() - secs).abs() < 1e-9);
        h.shutdown().await;
    }
    for (conf, want) in [
        (
            "authorization {\n timeout: random_garbage\n}",
            "invalid duration \"random_garbage\"",
        ),
        (
            "authorization {\n timeout: .091\n}",
            "Floats must start with a digit",
        ),
    ] {
        let e = tolerant(conf).expect_err(conf);
        assert!(e.contains(want), "{conf}: {e}");
    }
}

// go: server/TestQueuePermissions
#[tokio::test]
async fn queue_qualified_subscribe_permissions() {
    for (kind, queue, denied) in [
        ("allow", "queue.dev", false),
        ("allow", "", true),
        ("allow", "bad", true),
        ("deny", "", false),
        ("deny", "queue.dev", true),
    ] {
        let conf = format!("listen: 127.0.0.1:-1\nno_auth_user: u\nauthorization {{\n users [{{\n  user: u, password: pwd, permissions: {{ sub: {{ {kind}: [\"foo.> *.dev\"] }} }}\n }}]\n}}\n");
        let mut o = load_text(&conf).0.expect("loads");
        o.no_log = true;
        o.no_signals = true;
        let h = start(o).await;
        let mut c = Raw::connected(&h, "{\"verbose\":false}").await;
        c.send(format!("SUB foo.bar {queue} 1\r\nPING\r\n").as_bytes())
            .await;
        if denied {
            let why = if queue.is_empty() {
                String::new()
            } else {
                format!(" using queue \"{queue}\"")
            };
            let want = format!(
                "-ERR 'Permissions Violation for Subscription to \"foo.bar\"{why}'\r\nPONG\r\n"
            );
            c.expect(want.as_bytes()).await;
        } else {
            c.expect(b"PONG\r\n").await;
        }
        h.shutdown().await;
    }
}
