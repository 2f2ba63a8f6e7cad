//! Reloading server options (Go's `reload_test.go`): logging, limits, ping and write deadline applied
//! live, limits reaching clients already connected, queue-scoped denies revoking subscriptions, and
//! command-line flags staying on top of the re-read file.

use std::time::Duration;

use crate::reload_auth::{reload_to, with_config};
use crate::support::*;

const BEFORE: &str =
    "# logging options\ndebug:   false\ntrace:   false\nlogtime: false\n\nlisten: 127.0.0.1:-1\n";

const AFTER: &str = "listen: 127.0.0.1:-1\n\ndebug:         true\ntrace:         true\nlogtime:       true\nlogtime_utc:   true\nsyslog:        true\nremote_syslog: \"udp://127.0.0.1:514\"\n\nlog_file:         \"nats-server.log\"\npid_file:         \"nats-server.pid\"\nmax_control_line: 512\nping_interval:    5\nping_max:         1\nwrite_deadline:   \"3s\"\nmax_payload:      1024\n\nauthorization {\n    user:     tyler\n    password: T0pS3cr3t\n    timeout:  2\n}\n";

/// The parts of Go's TestConfigReload that need no TLS, cluster or metadata.
#[tokio::test]
async fn logging_limits_timers_and_auth_change_on_reload() {
    let dir = TempDir::new("reload-all");
    let (h, path) = with_config(&dir, BEFORE).await;
    let o = h.shared.opts();
    assert!(!o.debug && !o.trace && !o.logtime);
    assert_eq!(o.max_control_line, 4096);
    assert_eq!(o.ping_interval, Duration::from_secs(120));
    let digest = o.config_digest.clone();

    // Relative files land in the test directory, not in the working directory.
    let text = AFTER.replace(
        "\"nats-server.",
        &format!("\"{}/nats-server.", dir.0.display()),
    );
    reload_to(&h, &path, &text);
    let o = h.shared.opts();
    assert!(o.debug && o.trace && o.logtime && o.logtime_utc && o.syslog);
    assert_eq!(o.remote_syslog, "udp://127.0.0.1:514");
    assert_eq!(o.log_file, Some(dir.0.join("nats-server.log")));
    assert_eq!(o.pid_file, Some(dir.0.join("nats-server.pid")));
    assert_eq!(
        (o.username.as_str(), o.password.as_str()),
        ("tyler", "T0pS3cr3t")
    );
    assert_eq!(o.auth_timeout, Duration::from_secs(2));
    assert_eq!(o.max_control_line, 512);
    assert_eq!(o.ping_interval, Duration::from_secs(5));
    assert_eq!(o.max_pings_out, 1);
    assert_eq!(o.write_deadline, Duration::from_secs(3));
    assert_eq!(o.max_payload, 1024);
    assert_ne!(o.config_digest, digest);
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["auth_required"], true);
    assert_eq!(info["max_payload"], 1024);
    h.shutdown().await;
}

// go: server/TestConfigReloadMaxConnectionsPreventAll
#[tokio::test]
async fn max_connections_zero_closes_everyone_and_refuses_new_clients() {
    let dir = TempDir::new("reload-refuse-all");
    let (h, path) = with_config(&dir, "listen:   127.0.0.1:-1\n").await;
    let mut a = Raw::quiet(&h).await;
    let mut b = Raw::quiet(&h).await;
    assert_eq!(h.num_clients(), 2);
    reload_to(&h, &path, "listen:   127.0.0.1:-1\n\nmax_connections: 0\n");
    a.expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    b.expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    wait_for("no clients", || h.num_clients() == 0).await;
    let (mut c, _) = Raw::connect(&h).await;
    c.expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestConfigReloadMaxControlLineWithClients
#[tokio::test]
async fn max_control_line_reaches_connected_clients() {
    let dir = TempDir::new("reload-mcl");
    let (h, path) = with_config(&dir, "listen:   127.0.0.1:-1\n").await;
    let mut c = Raw::quiet(&h).await;
    // 300 bytes of control line are fine under the default limit.
    let long = format!("SUB {} 1\r\nPING\r\n", "a".repeat(290));
    c.send(long.as_bytes()).await;
    c.expect(b"PONG\r\n").await;
    reload_to(&h, &path, "listen: 127.0.0.1:-1; max_control_line: 222");
    assert_eq!(h.shared.opts().max_control_line, 222);
    c.send(long.as_bytes()).await;
    c.expect_close_after(b"-ERR 'maximum control line exceeded'\r\n")
        .await;
    h.shutdown().await;
}

// go: server/TestConfigReloadRevokesQueueSubscriptionWithQueueScopedDeny
#[tokio::test]
async fn queue_scoped_deny_revokes_the_queue_subscription() {
    let conf = |deny: &str| {
        format!("listen: 127.0.0.1:-1\nauthorization {{\n users: [\n  {{\n   user: attacker\n   password: pass\n   permissions: {{\n    subscribe: {{\n     allow: [\">\"]\n     {deny}\n    }}\n   }}\n  }}\n ]\n}}\n")
    };
    let dir = TempDir::new("reload-qdeny");
    let (h, path) = with_config(&dir, &conf("")).await;
    let login = r#"{"verbose":false,"user":"attacker","pass":"pass"}"#;
    let mut c = Raw::connected(&h, login).await;
    c.send(b"SUB admin.secret workers 1\r\nPING\r\n").await;
    c.expect(b"PONG\r\n").await;
    reload_to(&h, &path, &conf("deny: [\"admin.secret workers\"]"));
    c.expect(
        b"-ERR 'Permissions Violation for Subscription to \"admin.secret\" using queue \"workers\" (sid \"1\")'\r\n",
    )
    .await;
    // The revoked subscription receives nothing.
    c.send(b"PUB admin.secret 7\r\nblocked\r\nPING\r\n").await;
    c.expect(b"PONG\r\n").await;
    c.expect_open_and_idle().await;
    h.shutdown().await;
}
