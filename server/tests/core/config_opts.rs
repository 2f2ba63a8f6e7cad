//! Options read from configuration files (Go's `opts_test.go`): listen forms, limits, durations,
//! logging, users, roles and their permissions, as `load_file` leaves them in `Options`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::*;
use server::auth::{Permissions, SubjectPermission, User};
use server::config::options::{load_file, LoadError};
use server::Options;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/opts")
        .join(name)
}

pub fn load(path: &Path) -> Result<Options, LoadError> {
    let mut o = Options::default();
    load_file(&mut o, path).map(|digest| {
        o.config_digest = digest;
        o
    })
}

/// Load `text` written to a fresh file; the path is returned for error texts.
pub fn load_text(text: &str) -> (Result<Options, LoadError>, PathBuf, TempDir) {
    let dir = TempDir::new("opts");
    let path = dir.0.join("test.conf");
    std::fs::write(&path, text).unwrap();
    (load(&path), path, dir)
}

fn user<'a>(o: &'a Options, name: &str) -> &'a User {
    o.users
        .iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("no user {name}"))
}

fn perms(u: &User) -> &Permissions {
    u.permissions.as_ref().expect("permissions")
}

fn list(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn every_server_option_of_the_file_is_read() {
    let o = load(&fixture("test.conf")).expect("loads");
    assert_eq!(o.server_name, "testing_server");
    assert_eq!((o.host.as_str(), o.port), ("127.0.0.1", 4242));
    assert_eq!(
        (o.username.as_str(), o.password.as_str()),
        ("derek", "porkchop")
    );
    assert_eq!(o.auth_timeout, Duration::from_secs(1));
    assert!(!o.debug && o.trace && !o.logtime && o.syslog);
    assert_eq!(o.remote_syslog, "udp://foo.com:33");
    assert_eq!((o.http_port, o.http_base_path.as_str()), (8222, "/nats"));
    assert_eq!(
        o.pid_file.as_deref(),
        Some(Path::new("/tmp/nats-server/nats-server.pid"))
    );
    assert_eq!(o.prof_port, 6543);
    assert_eq!((o.max_connections, o.max_subs), (100, 1000));
    assert_eq!(o.max_pending, 10_000_000);
    assert_eq!((o.max_control_line, o.max_payload), (2048, 65536));
    assert_eq!(o.ping_interval, Duration::from_secs(60));
    assert_eq!(o.max_pings_out, 3);
    assert_eq!(o.write_deadline, Duration::from_secs(3));
    assert_eq!(o.lame_duck_duration, Duration::from_secs(240));
    assert!(
        o.config_digest.starts_with("sha256:"),
        "{}",
        o.config_digest
    );
}

// go: server/TestListenPortOnlyConfig
// go: server/TestListenPortWithColonConfig
#[test]
fn listen_with_only_a_port_keeps_the_default_host() {
    for name in ["listen_port.conf", "listen_port_with_colon.conf"] {
        let o = load(&fixture(name)).expect("loads");
        assert_eq!((o.host.as_str(), o.port), ("0.0.0.0", 8922), "{name}");
        // The monitor listens on the client host when it has none of its own.
        assert_eq!(o.http_host, "", "{name}");
    }
}

// go: server/TestMalformedListenAddress
#[test]
fn malformed_listen_address_is_an_error() {
    let path = fixture("malformed_listen_address.conf");
    let err = load(&path).expect_err("must fail").to_string();
    // Unquoted, `10.0.1.22:foo` does not even lex as a value.
    assert_eq!(
        err,
        "Parse error on line 2: 'Expected a top-level value to end with a new line, comment or EOF, but got 'f' instead.'"
    );
    let (r, path, _d) = load_text("listen: \"10.0.1.22:foo\"\n");
    assert_eq!(
        r.expect_err("must fail").to_string(),
        format!("{}:1:0: could not parse port \"foo\"\n", path.display())
    );
}

// go: server/TestMultipleUsersConfig
#[test]
fn several_users_in_one_block() {
    let o = load(&fixture("multiple_users.conf")).expect("loads");
    let names: Vec<&str> = o.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(user(&o, "bob").password, "bar");
    assert_eq!(o.auth_timeout, Duration::from_millis(500));
}

// go: server/TestAuthorizationConfig
#[test]
fn roles_default_permissions_and_allow_responses() {
    let o = load(&fixture("authorization.conf")).expect("loads");
    assert_eq!(o.users.len(), 5);
    let alice = perms(user(&o, "alice"));
    assert_eq!(alice.publish.as_ref().unwrap().allow, list(&["*"]));
    assert_eq!(alice.subscribe.as_ref().unwrap().allow, list(&[">"]));
    assert!(user(&o, "bob").permissions.is_some());
    // susan has no permissions of her own and takes the default ones.
    let susan = perms(user(&o, "susan"));
    assert!(susan.publish.is_none());
    assert_eq!(susan.subscribe.as_ref().unwrap().allow, list(&["PUBLIC.>"]));
    // A response permission leaves an empty publish allow list: only replies may be published.
    let svca = perms(user(&o, "svca"));
    assert_eq!(
        svca.subscribe.as_ref().unwrap().allow,
        list(&["my.service.req"])
    );
    assert_eq!(
        svca.publish.as_ref().unwrap().allow.as_deref(),
        Some(&[][..])
    );
    let r = svca.response.as_ref().expect("response permission");
    assert_eq!(r.max_msgs, server::auth::DEFAULT_ALLOW_RESPONSE_MAX_MSGS);
    assert_eq!(
        r.expires_ns,
        server::auth::DEFAULT_ALLOW_RESPONSE_EXPIRATION.as_nanos() as i64
    );
    let svcb = perms(user(&o, "svcb"));
    assert_eq!(
        svcb.subscribe.as_ref().unwrap().allow,
        list(&["my.service.req"])
    );
    assert_eq!(
        svcb.publish.as_ref().unwrap().allow.as_deref(),
        Some(&[][..])
    );
    let r = svcb.response.as_ref().expect("response permission");
    assert_eq!((r.max_msgs, r.expires_ns), (10, 60_000_000_000));
}

// go: server/TestNewStyleAuthorizationConfig
#[test]
fn allow_and_deny_lists() {
    let o = load(&fixture("new_style_authorization.conf")).expect("loads");
    assert_eq!(o.users.len(), 2);
    let alice = perms(user(&o, "alice"));
    assert_eq!(
        alice.publish,
        Some(SubjectPermission {
            allow: list(&["foo", "bar", "baz"]),
            deny: None
        })
    );
    assert_eq!(
        alice.subscribe,
        Some(SubjectPermission {
            allow: None,
            deny: list(&["$SYS.>"])
        })
    );
    let bob = perms(user(&o, "bob"));
    assert_eq!(
        bob.publish,
        Some(SubjectPermission {
            allow: list(&["$SYS.>"]),
            deny: None
        })
    );
    assert_eq!(
        bob.subscribe,
        Some(SubjectPermission {
            allow: None,
            deny: list(&["foo", "bar", "baz"])
        })
    );
}

// go: server/TestMaxClosedClients
#[test]
fn max_closed_clients() {
    let (o, _, _d) = load_text("max_closed_clients: 5");
    assert_eq!(o.expect("loads").max_closed_clients, 5);
}

// go: server/TestPingIntervalNew
#[test]
fn ping_interval_as_a_duration() {
    let (o, _, _d) = load_text("ping_interval: \"5m\"");
    assert_eq!(o.expect("loads").ping_interval, Duration::from_secs(300));
}

// go: server/TestPingIntervalOld
#[test]
fn ping_interval_in_seconds_is_a_warning_and_still_applies() {
    let dir = TempDir::new("opts-ping");
    let path = dir.0.join("ping.conf");
    std::fs::write(&path, "ping_interval: 5").unwrap();
    let mut o = Options::default();
    let Err(LoadError::Options(e)) = load_file(&mut o, &path) else {
        panic!("expected a warning");
    };
    assert_eq!(e.errors, Vec::<String>::new());
    assert_eq!(
        e.warnings,
        vec![format!(
            "{}:1:0: invalid use of field \"ping_interval\": ping_interval should be converted to a duration",
            path.display()
        )]
    );
    assert_eq!(o.ping_interval, Duration::from_secs(5));
}

// go: server/TestParseWriteDeadline
#[test]
fn write_deadline_forms() {
    let (r, path, _d) = load_text("write_deadline: \"1x\"");
    assert_eq!(
        r.expect_err("bad unit").to_string(),
        format!(
            "{}:1:0: error parsing write_deadline: time: unknown unit \"x\" in duration \"1x\"\n",
            path.display()
        )
    );
    let (r, _, _d) = load_text("write_deadline: \"1s\"");
    assert_eq!(r.expect("loads").write_deadline, Duration::from_secs(1));
    // An integer is a number of seconds, reported with a warning.
    let dir = TempDir::new("opts-wd");
    let path = dir.0.join("wd.conf");
    std::fs::write(&path, "write_deadline: 2").unwrap();
    let mut o = Options::default();
    let Err(LoadError::Options(e)) = load_file(&mut o, &path) else {
        panic!("expected a warning");
    };
    assert!(e.errors.is_empty() && e.warnings.len() == 1, "{e:?}");
    assert_eq!(o.write_deadline, Duration::from_secs(2));
}
