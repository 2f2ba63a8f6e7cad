//! Configuration reload: what changes live, what Go refuses, and that a failed reload changes nothing.

use crate::support::*;
use server::Options;

/// Start an in-process server from a config file written with `text`.
async fn with_config(dir: &TempDir, text: &str) -> (server::ServerHandle, std::path::PathBuf) {
    let path = dir.0.join("reload.conf");
    std::fs::write(&path, text).unwrap();
    let mut opts = Options::default();
    let digest = server::config::options::load_file(&mut opts, &path).expect("config loads");
    opts.config_digest = digest;
    opts.no_signals = true;
    opts.no_log = true;
    (start(opts).await, path)
}

// go: server/TestConfigReloadNoConfigFile
#[tokio::test]
async fn reload_without_a_file_is_an_error() {
    let h = start_default().await;
    assert_eq!(
        h.shared.reload().unwrap_err(),
        "can only reload config when a file is provided using -c or --config"
    );
    h.shutdown().await;
}

// go: server/TestConfigReloadInvalidConfig
#[tokio::test]
async fn invalid_new_config_leaves_the_running_one() {
    let dir = TempDir::new("reload-invalid");
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\nping_interval: \"2m\"\n").await;
    let before = h.shared.opts();
    std::fs::write(&path, "listen: 127.0.0.1:-1\nping_interval: {\n").unwrap();
    assert!(h.shared.reload().is_err());
    let after = h.shared.opts();
    assert_eq!(after.ping_interval, before.ping_interval);
    assert_eq!(after.config_digest, before.config_digest);
    h.shutdown().await;
}

// go: server/TestConfigReloadMaxSubsUnsupported
#[tokio::test]
async fn unsupported_changes_are_refused_with_go_text() {
    let dir = TempDir::new("reload-unsup");
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\nmax_subs: 1\n").await;
    std::fs::write(&path, "listen: 127.0.0.1:-1\nmax_subs: 10\n").unwrap();
    assert_eq!(
        h.shared.reload().unwrap_err(),
        "config reload not supported for MaxSubs: old=1, new=10"
    );
    assert_eq!(h.shared.opts().max_subs, 1);
    h.shutdown().await;
}

// go: server/TestConfigReloadMaxPayload
#[tokio::test]
async fn max_payload_applies_to_connected_clients() {
    let dir = TempDir::new("reload-mp");
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\n").await;
    let mut sub = Raw::quiet(&h).await;
    sub.send(b"SUB foo 1\r\nPING\r\n").await;
    sub.expect(b"PONG\r\n").await;
    let mut publ = Raw::quiet(&h).await;
    publ.send(b"PUB foo 5\r\nhello\r\n").await;
    sub.expect(b"MSG foo 1 5\r\nhello\r\n").await;

    std::fs::write(&path, "listen: 127.0.0.1:-1\nmax_payload: 1\n").unwrap();
    h.shared.reload().expect("reload");
    publ.send(b"PUB foo 5\r\nhello\r\n").await;
    publ.expect_close_after(b"-ERR 'Maximum Payload Violation'\r\n")
        .await;
    sub.expect_open_and_idle().await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["max_payload"], 1);
    h.shutdown().await;
}

// go: server/TestConfigReloadClientAdvertise
#[tokio::test]
async fn client_advertise_changes_and_reverts() {
    let dir = TempDir::new("reload-adv");
    let (h, path) = with_config(&dir, "listen: \"127.0.0.1:-1\"\n").await;
    let port = h.port() as i64;
    let info_of = |h: &server::ServerHandle| {
        let i = h.shared.info_template();
        (i.host, i.port as i64)
    };
    for (conf, want) in [
        ("client_advertise: \"me:1\"\n", ("me", 1)),
        ("client_advertise: \"me\"\n", ("me", port)),
        ("client_advertise: \"me:-1\"\n", ("me", port)),
        ("", ("127.0.0.1", port)),
    ] {
        std::fs::write(&path, format!("listen: \"127.0.0.1:-1\"\n{conf}")).unwrap();
        h.shared.reload().expect("reload");
        assert_eq!(info_of(&h), (want.0.to_string(), want.1), "after {conf:?}");
    }
    h.shutdown().await;
}

// go: server/TestConfigReloadMaxConnections
#[tokio::test]
async fn lower_max_connections_closes_the_excess() {
    let dir = TempDir::new("reload-maxconn");
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\n").await;
    let mut a = Raw::quiet(&h).await;
    let mut b = Raw::quiet(&h).await;
    assert_eq!(h.num_clients(), 2);
    std::fs::write(&path, "listen: 127.0.0.1:-1\nmax_connections: 1\n").unwrap();
    h.shared.reload().expect("reload");
    wait_for("one closed", || h.num_clients() == 1).await;
    // Exactly one of the two was told and closed.
    let da = a.drain_for(std::time::Duration::from_millis(200)).await;
    let db = b.drain_for(std::time::Duration::from_millis(200)).await;
    let told = [da, db]
        .iter()
        .filter(|d| d.starts_with(b"-ERR 'maximum connections exceeded'"))
        .count();
    assert_eq!(told, 1);
    let (mut c, _) = Raw::connect(&h).await;
    c.expect_close_after(b"-ERR 'maximum connections exceeded'\r\n")
        .await;
    h.shutdown().await;
}

#[tokio::test]
async fn live_changes_apply_and_are_kept() {
    let dir = TempDir::new("reload-live");
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\nping_interval: \"2m\"\n").await;
    let mut c = Raw::quiet(&h).await;
    std::fs::write(
        &path,
        "listen: 127.0.0.1:-1\nping_interval: \"30s\"\nwrite_deadline: \"3s\"\n",
    )
    .unwrap();
    h.shared.reload().expect("reload");
    let o = h.shared.opts();
    assert_eq!(o.ping_interval, std::time::Duration::from_secs(30));
    assert_eq!(o.write_deadline, std::time::Duration::from_secs(3));
    c.expect_open_and_idle().await;
    h.shutdown().await;
}

#[tokio::test]
async fn ports_file_moves_with_ports_file_dir() {
    let dir = TempDir::new("reload-ports");
    let (a, b) = (dir.0.join("a"), dir.0.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let (h, path) = with_config(&dir, "listen: 127.0.0.1:-1\n").await;
    std::fs::write(
        &path,
        format!(
            "listen: 127.0.0.1:-1\nports_file_dir: {:?}\n",
            a.display().to_string()
        ),
    )
    .unwrap();
    h.shared.reload().expect("reload");
    let in_a = server::signals::ports_file_path(&a);
    let text = std::fs::read_to_string(&in_a).expect("ports file written in the new directory");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["nats"][0], format!("nats://127.0.0.1:{}", h.port()));
    std::fs::write(
        &path,
        format!(
            "listen: 127.0.0.1:-1\nports_file_dir: {:?}\n",
            b.display().to_string()
        ),
    )
    .unwrap();
    h.shared.reload().expect("reload");
    assert!(!in_a.exists(), "old ports file removed");
    assert!(
        server::signals::ports_file_path(&b).exists(),
        "ports file in the new directory"
    );
    h.shutdown().await;
}
