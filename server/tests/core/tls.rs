//! TLS on the client port, checked on the wire: INFO fields, the handshake after INFO or first, plain
//! clients on a TLS port, the handshake timeout, client certificate verification, pinned certificates,
//! `allow_non_tls`, and the official client over TLS.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::support::tls::*;
use crate::support::*;

// go: test/TestTLSConnection
#[tokio::test]
async fn tls_required_server_needs_the_ca_and_the_credentials() {
    let pki = Pki::new("tls-conn");
    let conf = format!(
        "{}authorization {{\n  user: derek\n  password: monkey\n  timeout: 1\n}}\n",
        pki.tls_block("timeout: 2")
    );
    let h = start(pki.options(&conf)).await;
    let url = format!("tls://127.0.0.1:{}", h.port());
    // Without the CA the client cannot verify the server.
    let r = async_nats::ConnectOptions::with_user_and_password("derek".into(), "monkey".into())
        .require_tls(true)
        .connect(&url)
        .await;
    assert!(r.is_err(), "connected without trusting the server's CA");
    // With the CA but without credentials: authorization fails.
    let r = async_nats::ConnectOptions::new()
        .require_tls(true)
        .add_root_certificates(pki.ca.clone())
        .connect(&url)
        .await;
    assert!(r.is_err(), "connected without credentials");
    let nc = async_nats::ConnectOptions::with_user_and_password("derek".into(), "monkey".into())
        .require_tls(true)
        .add_root_certificates(pki.ca.clone())
        .connect(&url)
        .await
        .expect("TLS connection with CA and credentials");
    let mut sub = nc.subscribe("foo-tls").await.unwrap();
    nc.publish("foo-tls", "We are Secure!".into())
        .await
        .unwrap();
    let m = tokio::time::timeout(WAIT, futures::StreamExt::next(&mut sub))
        .await
        .expect("message in time")
        .expect("message");
    assert_eq!(&m.payload[..], b"We are Secure!");
    h.shutdown().await;
}

#[tokio::test]
async fn info_says_tls_required_and_the_session_runs_over_tls() {
    let pki = Pki::new("tls-info");
    let h = start(pki.options(&pki.tls_block(""))).await;
    let (tls, info) = connect_tls(h.addr(), pki.client_config(None)).await;
    assert_eq!(info["tls_required"], true);
    assert!(info.get("tls_verify").is_none(), "{info}");
    assert!(info.get("tls_available").is_none(), "{info}");
    let mut c = expect_session(tls.expect("handshake"), r#"{"verbose":false}"#).await;
    c.send(b"SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n").await;
    assert_eq!(c.read_line().await, "MSG foo 1 2\r\n");
    assert_eq!(c.read_line().await, "hi\r\n");
    assert_eq!(c.read_line().await, "PONG\r\n");
    h.shutdown().await;
}

#[tokio::test]
async fn a_plain_client_on_a_tls_port_gets_info_then_is_closed() {
    let pki = Pki::new("tls-plain");
    let h = start(pki.options(&pki.tls_block(""))).await;
    let (mut r, info) = Raw::connect(&h).await;
    assert_eq!(info["tls_required"], true);
    r.send(b"CONNECT {}\r\nPING\r\n").await;
    // Go reads the CONNECT as a broken TLS record and closes without a word.
    r.expect_close_after(b"").await;
    wait_for("the client to be gone", || h.num_clients() == 0).await;
    h.shutdown().await;
}

// go: test/TestTLSConnectionTimeout
#[tokio::test]
async fn a_stalled_handshake_is_closed_after_the_tls_timeout_without_disturbing_others() {
    let pki = Pki::new("tls-timeout");
    let h = start(pki.options(&pki.tls_block("timeout: 0.25"))).await;
    // A TLS client that stays connected through the stalls.
    let (tls, _) = connect_tls(h.addr(), pki.client_config(None)).await;
    let mut good = expect_session(tls.expect("handshake"), r#"{"verbose":false}"#).await;
    // One client says nothing after INFO; another sends half a TLS record; a third sends garbage.
    let (mut silent, _) = Raw::connect(&h).await;
    let (mut partial, _) = Raw::connect(&h).await;
    partial.send(&[0x16, 0x03, 0x01, 0x02]).await;
    let (mut garbage, _) = Raw::connect(&h).await;
    garbage.send(b"\x16\x03\x01garbagegarbagegarbage").await;
    let t0 = Instant::now();
    silent.expect_close_after(b"").await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(2),
        "closed after {waited:?}, TLS timeout is 250ms"
    );
    partial.expect_close_after(b"").await;
    // An impossible record header gets a TLS alert (Go sends one too), then the close.
    let _ = garbage.drain_for(Duration::from_secs(2)).await;
    good.send(b"PING\r\n").await;
    assert_eq!(good.read_line().await, "PONG\r\n");
    wait_for("only the TLS client to remain", || h.num_clients() == 1).await;
    h.shutdown().await;
}

// go: test/TestTLSAuthorizationShortTimeout
#[tokio::test]
async fn the_auth_timer_starts_after_the_handshake() {
    let pki = Pki::new("tls-auth-timeout");
    let conf = format!(
        "{}authorization {{\n  user: derek\n  password: monkey\n  timeout: 0.001\n}}\n",
        pki.tls_block("")
    );
    let h = start(pki.options(&conf)).await;
    let (tls, info) = connect_tls(h.addr(), pki.client_config(None)).await;
    assert_eq!(info["auth_required"], true);
    // The handshake completes; the timeout then arrives as a protocol error over TLS.
    let mut c = Conn::new(tls.expect("handshake not corrupted by the auth timer"));
    assert_eq!(c.read_line().await, "-ERR 'Authentication Timeout'\r\n");
    h.shutdown().await;
}

// go: test/TestTLSBadAuthError
#[tokio::test]
async fn a_wrong_password_over_tls_is_an_authorization_violation() {
    let pki = Pki::new("tls-badauth");
    let conf = format!(
        "{}authorization {{\n  user: derek\n  password: monkey\n}}\n",
        pki.tls_block("")
    );
    let h = start(pki.options(&conf)).await;
    let (tls, _) = connect_tls(h.addr(), pki.client_config(None)).await;
    let mut c = Conn::new(tls.expect("handshake"));
    c.send(
        b"CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"NOT_THE_PASSWORD\"}\r\nPING\r\n",
    )
    .await;
    assert_eq!(c.read_line().await, "-ERR 'Authorization Violation'\r\n");
    let r = async_nats::ConnectOptions::with_user_and_password(
        "derek".into(),
        "NOT_THE_PASSWORD".into(),
    )
    .add_root_certificates(pki.ca.clone())
    .require_tls(true)
    .connect(format!("tls://127.0.0.1:{}", h.port()))
    .await;
    let e = r.expect_err("refused");
    assert!(
        e.to_string()
            .to_lowercase()
            .contains("authorization violation"),
        "{e}"
    );
    h.shutdown().await;
}

// go: test/TestTLSClientCertificate
#[tokio::test]
async fn verify_requires_a_client_certificate_from_the_ca() {
    let pki = Pki::new("tls-verify");
    let h = start(pki.options(&pki.tls_block("verify: true"))).await;
    let good = pki.issue("client", &Spec::cn("client"));
    let expired = pki.issue("expired", &Spec::cn("old").expired());
    let other = Pki::new("tls-verify-other");
    let foreign = other.issue("foreign", &Spec::cn("stranger"));
    let (_, info) = connect_tls(h.addr(), pki.client_config(Some(&good))).await;
    assert_eq!(info["tls_required"], true);
    assert_eq!(info["tls_verify"], true);
    // No certificate, one from another CA, an expired one: refused.
    for (what, cfg) in [
        ("no certificate", pki.client_config(None)),
        (
            "a certificate of another CA",
            pki.client_config(Some(&foreign)),
        ),
        ("an expired certificate", pki.client_config(Some(&expired))),
    ] {
        let (tls, _) = connect_tls(h.addr(), cfg).await;
        assert!(refused(tls).await, "a client with {what} was let in");
    }
    let (tls, _) = connect_tls(h.addr(), pki.client_config(Some(&good))).await;
    let _session = expect_session(tls.expect("handshake with a good certificate"), "{}").await;
    // The official client with a certificate.
    let nc = async_nats::ConnectOptions::new()
        .add_root_certificates(pki.ca.clone())
        .add_client_certificate(good.cert.clone(), good.key.clone())
        .require_tls(true)
        .connect(format!("tls://127.0.0.1:{}", h.port()))
        .await
        .expect("async-nats with a client certificate");
    nc.flush().await.unwrap();
    wait_for("two clients", || h.num_clients() == 2).await;
    h.shutdown().await;
}

// go: test/TestTLSVerifyClientCertificate
#[tokio::test]
async fn verify_without_a_ca_file_does_not_trust_a_private_ca() {
    let pki = Pki::new("tls-noca");
    let conf = format!(
        "tls {{\n  cert_file: {:?}\n  key_file: {:?}\n  verify: true\n}}\n",
        pki.server.cert.display().to_string(),
        pki.server.key.display().to_string()
    );
    let h = start(pki.options(&conf)).await;
    let client = pki.issue("client", &Spec::cn("client"));
    let (tls, _) = connect_tls(h.addr(), pki.client_config(Some(&client))).await;
    assert!(
        refused(tls).await,
        "a certificate of an unknown CA was accepted"
    );
    h.shutdown().await;
}

// go: test/TestTLSPinnedCertsClient
#[tokio::test]
async fn pinned_certs_admit_only_listed_keys_and_follow_a_reload() {
    let pki = Pki::new("tls-pinned");
    let client = pki.issue("client", &Spec::cn("client"));
    let conf = |pin: &str| {
        format!(
            "listen: 127.0.0.1:-1\n{}",
            pki.tls_block(&format!("verify: true\n  pinned_certs: [\"{pin}\"]"))
        )
    };
    let path = pki.dir.0.join("pinned.conf");
    std::fs::write(
        &path,
        conf("aaaaaaaa09fde09451411ba3b42c0f74727d61a974c69fd3cf5257f39c75f0e9"),
    )
    .unwrap();
    let mut o = server::Options::for_test();
    server::config::options::load_file(&mut o, &path).unwrap();
    // The file, not the test defaults, decides the system account, so a reload keeps it.
    o.no_system_account = false;
    assert_eq!(o.tls_pinned_certs.as_ref().map(|p| p.len()), Some(1));
    let h = start(o).await;
    let (tls, _) = connect_tls(h.addr(), pki.client_config(Some(&client))).await;
    assert!(
        refused(tls).await,
        "a certificate not in pinned_certs was accepted"
    );
    // Pin the client's key (in upper case: Go lower-cases the entries) and reload.
    std::fs::write(&path, conf(&client.spki_sha256().to_uppercase())).unwrap();
    h.shared.reload().expect("reload");
    let (tls, _) = connect_tls(h.addr(), pki.client_config(Some(&client))).await;
    expect_session(tls.expect("handshake"), "{}").await;
    h.shutdown().await;
}

// go: test/TestClientTLSAndNonTLSConnections
#[tokio::test]
async fn allow_non_tls_takes_tls_and_plain_clients_on_one_port() {
    let pki = Pki::new("tls-mixed");
    let conf = format!("{}allow_non_tls: true\n", pki.tls_block("timeout: 2"));
    let h = start(pki.options(&conf)).await;
    let (tls, info) = connect_tls(h.addr(), pki.client_config(None)).await;
    assert_eq!(info["tls_available"], true);
    assert!(info.get("tls_required").is_none(), "{info}");
    let mut secure = expect_session(tls.expect("handshake"), r#"{"verbose":false}"#).await;
    let mut plain = Raw::quiet(&h).await;
    secure.send(b"SUB foo 1\r\nPING\r\n").await;
    assert_eq!(secure.read_line().await, "PONG\r\n");
    plain.send(b"SUB bar 1\r\nPING\r\n").await;
    plain.expect(b"PONG\r\n").await;
    for _ in 0..100 {
        plain.send(b"PUB foo 20\r\nHELLO FROM PLAINTEXT\r\n").await;
        secure.send(b"PUB bar 14\r\nHELLO FROM TLS\r\n").await;
    }
    for _ in 0..100 {
        assert_eq!(secure.read_line().await, "MSG foo 1 20\r\n");
        assert_eq!(secure.read_line().await, "HELLO FROM PLAINTEXT\r\n");
        plain.expect(b"MSG bar 1 14\r\nHELLO FROM TLS\r\n").await;
    }
    // The official client both ways.
    let url = format!("127.0.0.1:{}", h.port());
    let nc = async_nats::connect(format!("nats://{url}"))
        .await
        .expect("plain");
    nc.flush().await.unwrap();
    let nc2 = async_nats::ConnectOptions::new()
        .add_root_certificates(pki.ca.clone())
        .require_tls(true)
        .connect(format!("tls://{url}"))
        .await
        .expect("tls");
    nc2.flush().await.unwrap();
    h.shutdown().await;
}

// go: test/TestAllowNonTLSReload
#[tokio::test]
async fn allow_non_tls_survives_a_reload() {
    let pki = Pki::new("tls-mixed-reload");
    let path = pki.dir.0.join("mixed.conf");
    let text = |ping: &str| {
        format!(
            "listen: 127.0.0.1:-1\nping_interval: \"{ping}\"\n{}allow_non_tls: true\n",
            pki.tls_block("")
        )
    };
    std::fs::write(&path, text("10s")).unwrap();
    let mut o = server::Options::for_test();
    server::config::options::load_file(&mut o, &path).unwrap();
    // The file, not the test defaults, decides the system account, so a reload keeps it.
    o.no_system_account = false;
    let h = start(o).await;
    let check = |info: serde_json::Value| {
        assert_eq!(info["tls_available"], true, "{info}");
        assert!(info.get("tls_required").is_none(), "{info}");
    };
    check(Raw::connect(&h).await.1);
    std::fs::write(&path, text("20s")).unwrap();
    h.shared.reload().expect("reload");
    check(Raw::connect(&h).await.1);
    h.shutdown().await;
}

#[tokio::test]
async fn handshake_first_sends_info_over_tls() {
    let pki = Pki::new("tls-first");
    let h = start(pki.options(&pki.tls_block("handshake_first: true\n  timeout: 0.5"))).await;
    let tls = connect_tls_first(h.addr(), pki.client_config(None))
        .await
        .expect("handshake first");
    let mut c = Conn::new(tls);
    let info = info_json(&c.read_line().await);
    assert_eq!(info["tls_required"], true);
    c.send(b"CONNECT {\"verbose\":false}\r\nPING\r\n").await;
    assert_eq!(c.read_line().await, "PONG\r\n");
    // A client waiting for INFO gets nothing and is closed when the TLS timeout passes.
    let mut r = Raw::connect_only(&h).await;
    let got = r.drain_for(Duration::from_secs(3)).await;
    assert!(got.is_empty(), "a plain client got {got:?}");
    // The official client's tls_first option.
    let nc = async_nats::ConnectOptions::new()
        .add_root_certificates(pki.ca.clone())
        .tls_first()
        .connect(format!("tls://127.0.0.1:{}", h.port()))
        .await
        .expect("async-nats tls_first");
    nc.flush().await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn handshake_first_with_fallback_serves_clients_that_wait_for_info() {
    let pki = Pki::new("tls-first-auto");
    let h = start(pki.options(&pki.tls_block("handshake_first: auto"))).await;
    // A client that waits for INFO gets it after the fallback delay, then does TLS.
    let t0 = Instant::now();
    let (tls, info) = connect_tls(h.addr(), pki.client_config(None)).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(40),
        "INFO came before the fallback delay"
    );
    assert_eq!(info["tls_required"], true);
    expect_session(tls.expect("handshake after INFO"), "{}").await;
    // A client doing TLS first is served too.
    let tls = connect_tls_first(h.addr(), pki.client_config(None))
        .await
        .expect("handshake first");
    let mut c = Conn::new(tls);
    assert!(c.read_line().await.starts_with("INFO {"));
    h.shutdown().await;
}

// go: test/TestTLSStressConnect
#[tokio::test]
async fn many_tls_connections_in_parallel() {
    let pki = Pki::new("tls-stress");
    let h = start(pki.options(&pki.tls_block("timeout: 2"))).await;
    let url = format!("tls://127.0.0.1:{}", h.port());
    let mut tasks = Vec::new();
    for i in 0..3 {
        let (url, ca) = (url.clone(), pki.ca.clone());
        tasks.push(tokio::spawn(async move {
            let subject = format!("foo.{i}");
            for _ in 0..33 {
                let nc = async_nats::ConnectOptions::new()
                    .add_root_certificates(ca.clone())
                    .require_tls(true)
                    .connect(&url)
                    .await
                    .map_err(|e| format!("Unable to create TLS connection: {e}"))?;
                let mut sub = nc
                    .subscribe(subject.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                nc.publish(subject.clone(), "secure data".into())
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::time::timeout(Duration::from_secs(2), futures::StreamExt::next(&mut sub))
                    .await
                    .map_err(|_| "Unable to get next message".to_string())?;
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("stress client");
    }
    h.shutdown().await;
}

// go: test/TestTLSConnectionCurvePref
#[tokio::test]
async fn curve_preferences_limit_the_key_exchange() {
    let pki = Pki::new("tls-curve");
    let o = pki.options(&pki.tls_block("curve_preferences: [\"CurveP256\"]"));
    let h = start(o).await;
    let (tls, _) = connect_tls(h.addr(), pki.client_config(None)).await;
    let tls = tls.expect("handshake");
    let group = tls
        .get_ref()
        .1
        .negotiated_key_exchange_group()
        .map(|g| g.name());
    assert_eq!(group, Some(rustls::NamedGroup::secp256r1));
    expect_session(tls, "{}").await;
    h.shutdown().await;
}

#[tokio::test]
async fn garbage_at_the_tls_port_closes_only_that_connection() {
    let pki = Pki::new("tls-garbage");
    let h = start(pki.options(&pki.tls_block("timeout: 5"))).await;
    let mut spam = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(h.addr()).await.unwrap();
        let _ = s.write_all(&[0xAB; 4096]).await;
        spam.push(s);
    }
    let (tls, _) = connect_tls(h.addr(), pki.client_config(None)).await;
    expect_session(tls.expect("handshake"), "{}").await;
    // Non-TLS bytes end those connections at once, long before the 5s timeout.
    wait_for("garbage connections to close", || h.num_clients() == 1).await;
    h.shutdown().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_handshakes_in_progress() {
    let pki = Pki::new("tls-shutdown");
    let h = start(pki.options(&pki.tls_block("timeout: 30"))).await;
    let (mut stalled, _) = Raw::connect(&h).await;
    wait_for("the client to register", || h.num_clients() == 1).await;
    let t0 = Instant::now();
    h.shutdown().await;
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        t0.elapsed()
    );
    stalled.expect_close_after(b"").await;
}
