//! TLS across configuration reloads (new certificates, verification switched on, TLS enabled or disabled,
//! handshake-first toggled) and TLS as /connz shows it.

use std::time::Duration;

use crate::support::tls::*;
use crate::support::*;

/// A server from a config file that the test rewrites and reloads.
struct Reloadable {
    path: std::path::PathBuf,
    h: server::ServerHandle,
}

impl Reloadable {
    async fn start(pki: &Pki, text: &str) -> Reloadable {
        let path = pki
            .dir
            .0
            .join(format!("reload-{}.conf", rand::random::<u32>()));
        std::fs::write(&path, text).unwrap();
        let mut o = server::Options::for_test();
        server::config::options::load_file(&mut o, &path).unwrap();
        // The file, not the test defaults, decides the system account, so a reload keeps it.
        o.no_system_account = false;
        o.http_port = -1;
        // Keep the monitor port through reloads (the file does not set it).
        Reloadable {
            h: start(o).await,
            path,
        }
    }

    fn reload(&self, text: &str) {
        std::fs::write(&self.path, text).unwrap();
        self.h.shared.reload().expect("reload");
    }

    async fn connz(&self, query: &str) -> serde_json::Value {
        let (_, _, body) =
            http_get(self.h.monitor_addr().unwrap(), &format!("/connz{query}")).await;
        serde_json::from_str(&body).unwrap()
    }
}

const LISTEN: &str = "listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n";

// go: server/TestConfigReloadRotateTLS
#[tokio::test]
async fn a_reload_rotates_the_certificate_and_turns_on_verification() {
    let pki = Pki::new("reload-rotate");
    let r = Reloadable::start(&pki, &format!("{LISTEN}{}", pki.tls_block(""))).await;
    let (tls, _) = connect_tls(r.h.addr(), pki.client_config(None)).await;
    let mut old = expect_session(tls.expect("handshake"), r#"{"verbose":false}"#).await;
    old.send(b"SUB foo 1\r\nPING\r\n").await;
    assert_eq!(old.read_line().await, "PONG\r\n");
    // A new CA and server certificate, and client certificates required.
    let new = Pki::new("reload-rotate-new");
    r.reload(&format!("{LISTEN}{}", new.tls_block("verify: true")));
    // The old CA no longer verifies the server; the new one without a client certificate is refused.
    let (tls, _) = connect_tls(r.h.addr(), pki.client_config(None)).await;
    assert!(refused(tls).await, "the old certificate is still served");
    let (tls, _) = connect_tls(r.h.addr(), new.client_config(None)).await;
    assert!(refused(tls).await, "no client certificate was needed");
    let client = new.issue("client", &Spec::cn("client"));
    let (tls, info) = connect_tls(r.h.addr(), new.client_config(Some(&client))).await;
    assert_eq!(info["tls_verify"], true);
    expect_session(tls.expect("handshake with the new certificates"), "{}").await;
    // The connection made before the reload still works.
    old.send(b"PUB foo 5\r\nhello\r\n").await;
    assert_eq!(old.read_line().await, "MSG foo 1 5\r\n");
    assert_eq!(old.read_line().await, "hello\r\n");
    r.h.shutdown().await;
}

// go: server/TestConfigReloadEnableTLS
#[tokio::test]
async fn a_reload_turns_tls_on() {
    let pki = Pki::new("reload-enable");
    let r = Reloadable::start(&pki, LISTEN).await;
    let (_, info) = Raw::connect(&r.h).await;
    assert!(info.get("tls_required").is_none());
    r.reload(&format!("{LISTEN}{}", pki.tls_block("")));
    let (tls, info) = connect_tls(r.h.addr(), pki.client_config(None)).await;
    assert_eq!(info["tls_required"], true);
    expect_session(tls.expect("handshake"), "{}").await;
    r.h.shutdown().await;
}

// go: server/TestConfigReloadDisableTLS
#[tokio::test]
async fn a_reload_turns_tls_off() {
    let pki = Pki::new("reload-disable");
    let r = Reloadable::start(&pki, &format!("{LISTEN}{}", pki.tls_block(""))).await;
    let (tls, _) = connect_tls(r.h.addr(), pki.client_config(None)).await;
    expect_session(tls.expect("handshake"), "{}").await;
    r.reload(LISTEN);
    let (tls, info) = connect_tls(r.h.addr(), pki.client_config(None)).await;
    assert!(info.get("tls_required").is_none());
    assert!(tls.is_err(), "TLS still spoken after it was turned off");
    let mut plain = Raw::quiet(&r.h).await;
    plain.expect_open_and_idle().await;
    r.h.shutdown().await;
}

// go: server/TestTLSClientHandshakeFirst
#[tokio::test]
async fn handshake_first_follows_reloads_and_shows_in_connz() {
    let pki = Pki::new("reload-first");
    let text = |first: &str| {
        format!(
            "{LISTEN}{}",
            pki.tls_block(&format!("timeout: 1\n  first: {first}"))
        )
    };
    let r = Reloadable::start(&pki, &text("true")).await;
    let url = format!("tls://127.0.0.1:{}", r.h.port());
    let connect = |first: bool| {
        let mut o = async_nats::ConnectOptions::new()
            .add_root_certificates(pki.ca.clone())
            .require_tls(true)
            .connection_timeout(Duration::from_secs(2));
        if first {
            o = o.tls_first();
        }
        o.connect(url.clone())
    };
    assert!(
        connect(false).await.is_err(),
        "a client without TLS first got in"
    );
    let nc = connect(true).await.expect("TLS first");
    nc.flush().await.unwrap();
    let cz = r.connz("").await;
    assert_eq!(cz["connections"][0]["tls_first"], true, "{cz}");
    assert_eq!(cz["connections"][0]["tls_version"], "1.3");
    drop(nc);
    r.reload(&text("false"));
    assert!(
        connect(true).await.is_err(),
        "TLS first accepted after it was turned off"
    );
    let nc = connect(false).await.expect("TLS after INFO");
    nc.flush().await.unwrap();
    let cz = r.connz("").await;
    let conns = cz["connections"].as_array().unwrap();
    assert!(conns.iter().all(|c| c.get("tls_first").is_none()), "{cz}");
    drop(nc);
    r.reload(&text("true"));
    connect(true).await.expect("TLS first again");
    r.h.shutdown().await;
}

// go: server/TestTLSClientHandshakeFirstFallbackDelayAndAllowNonTLS
#[tokio::test]
async fn handshake_first_with_allow_non_tls_and_a_fallback_delay() {
    let pki = Pki::new("reload-first-mixed");
    let text = |first: &str| {
        format!(
            "{LISTEN}{}allow_non_tls: true\n",
            pki.tls_block(&format!("timeout: 1\n  first: {first}"))
        )
    };
    let r = Reloadable::start(&pki, &text("true")).await;
    let port = r.h.port();
    let tls_first = || {
        async_nats::ConnectOptions::new()
            .add_root_certificates(pki.ca.clone())
            .tls_first()
            .connect(format!("tls://127.0.0.1:{port}"))
    };
    let tls_after_info = || {
        async_nats::ConnectOptions::new()
            .add_root_certificates(pki.ca.clone())
            .require_tls(true)
            .connection_timeout(Duration::from_secs(2))
            .connect(format!("tls://127.0.0.1:{port}"))
    };
    let plain = || {
        async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(2))
            .connect(format!("nats://127.0.0.1:{port}"))
    };
    // TLS first without a fallback: only TLS-first clients.
    let nc = tls_first().await.expect("TLS first");
    nc.flush().await.unwrap();
    assert_eq!(r.connz("").await["connections"][0]["tls_first"], true);
    drop(nc);
    wait_for("the client to leave", || r.h.num_clients() == 0).await;
    assert!(tls_after_info().await.is_err());
    assert!(plain().await.is_err());
    // With a fallback delay all three kinds get in.
    r.reload(&text("\"25ms\""));
    for (what, first, tls) in [
        ("TLS first", true, true),
        ("TLS", false, true),
        ("plain", false, false),
    ] {
        wait_for("no clients", || r.h.num_clients() == 0).await;
        let nc = match what {
            "TLS first" => tls_first().await,
            "TLS" => tls_after_info().await,
            _ => plain().await,
        }
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        nc.flush().await.unwrap();
        let cz = r.connz("").await;
        let c = &cz["connections"][0];
        assert_eq!(c.get("tls_first").is_some(), first, "{what}: {c}");
        assert_eq!(c.get("tls_version").is_some(), tls, "{what}: {c}");
        drop(nc);
    }
    r.h.shutdown().await;
}

// go: server/TestTLSClientHandshakeFirstFallbackDelayConfigValues
#[test]
fn handshake_first_values() {
    let pki = Pki::new("first-values");
    for (val, first, delay) in [
        ("true", true, 0),
        ("false", false, 0),
        ("\"true\"", true, 0),
        ("\"false\"", false, 0),
        ("on", true, 0),
        ("off", false, 0),
        ("auto", true, 50),
        ("auto_fallback", true, 50),
        ("300ms", true, 300),
    ] {
        let o = pki.options(&pki.tls_block(&format!("timeout: 1\n  first: {val}")));
        assert_eq!(o.tls_handshake_first, first, "{val}");
        assert_eq!(
            o.tls_handshake_first_fallback,
            Duration::from_millis(delay),
            "{val}"
        );
    }
}

// go: server/TestMonitorReloadTLSConfig
#[tokio::test]
async fn the_https_monitor_serves_the_reloaded_certificate() {
    let pki = Pki::new("reload-https");
    // A server certificate without the IP address first.
    let noip = pki.issue("noip", &Spec::cn("localhost").dns(&["localhost"]));
    let text = |c: &CertFiles| {
        format!(
            "listen: 127.0.0.1:-1\nhttps: 127.0.0.1:-1\ntls {{\n  cert_file: {:?}\n  key_file: {:?}\n  ca_file: {:?}\n  verify_and_map: true\n}}\n",
            c.cert.display().to_string(),
            c.key.display().to_string(),
            pki.ca.display().to_string()
        )
    };
    let path = pki.dir.0.join("https.conf");
    std::fs::write(&path, text(&noip)).unwrap();
    let mut o = server::Options::for_test();
    server::config::options::load_file(&mut o, &path).unwrap();
    // The file, not the test defaults, decides the system account, so a reload keeps it.
    o.no_system_account = false;
    let h = start(o).await;
    let mon = h.monitor_addr().unwrap();
    let by_ip = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let hs = || async {
        let tcp = tokio::net::TcpStream::connect(mon).await.unwrap();
        tokio_rustls::TlsConnector::from(pki.client_config(None))
            .connect(by_ip.clone(), tcp)
            .await
    };
    let e = hs()
        .await
        .expect_err("a certificate without the IP is refused by name");
    assert!(e.to_string().contains("not valid for name"), "{e}");
    std::fs::write(&path, text(&pki.server)).unwrap();
    h.shared.reload().expect("reload");
    // The new certificate, and no client certificate asked for despite verify_and_map.
    let mut tls = hs().await.expect("handshake with the reloaded certificate");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(b"GET /varz HTTP/1.0\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, tls.read_to_end(&mut out)).await;
    assert!(
        out.starts_with(b"HTTP/1.0 200"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    h.shutdown().await;
}

// go: server/TestMonitorConnzTLSInHandshake
#[tokio::test]
async fn connz_lists_a_client_in_its_handshake_without_tls_fields() {
    let pki = Pki::new("connz-hs");
    let r = Reloadable::start(&pki, &format!("{LISTEN}{}", pki.tls_block("timeout: 1.5"))).await;
    let _stalled = tokio::net::TcpStream::connect(r.h.addr()).await.unwrap();
    wait_for("the client to register", || r.h.num_clients() == 1).await;
    let t0 = std::time::Instant::now();
    let cz = r.connz("").await;
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "connz waited for the handshake"
    );
    let c = &cz["connections"][0];
    assert!(
        c.get("tls_version").is_none() && c.get("tls_cipher_suite").is_none(),
        "{c}"
    );
    r.h.shutdown().await;
}

// go: server/TestMonitorConnzClosedConnsBadTLSClient
#[tokio::test]
async fn a_plain_client_on_a_tls_port_is_listed_as_closed() {
    let pki = Pki::new("connz-bad");
    let r = Reloadable::start(&pki, &format!("{LISTEN}{}", pki.tls_block("timeout: 1.5"))).await;
    let mut raw = Raw::connect_only(&r.h).await;
    raw.send(b"CONNECT {}\r\n").await;
    drop(raw);
    wait_for("the client to be gone", || r.h.num_clients() == 0).await;
    let cz = r.connz("?state=closed").await;
    let c = &cz["connections"][0];
    assert_eq!(c["reason"], "TLS Handshake Failure", "{c}");
    assert!(c["last_activity"].as_str().is_some_and(|s| !s.is_empty()));
    r.h.shutdown().await;
}

// go: server/TestMonitorConnzTLSPeerCerts
#[tokio::test]
async fn connz_shows_the_peer_certificate_with_auth() {
    let pki = Pki::new("connz-peer");
    let r = Reloadable::start(
        &pki,
        &format!("{LISTEN}{}", pki.tls_block("verify: true\n  timeout: 2")),
    )
    .await;
    let client = pki.issue(
        "client",
        &Spec::new(&[
            vec![(C, "US")],
            vec![(ST, "California")],
            vec![(O, "Synadia")],
            vec![(OU, "nats.io")],
            vec![(CN, "localhost")],
        ]),
    );
    let (tls, _) = connect_tls(r.h.addr(), pki.client_config(Some(&client))).await;
    let _s = expect_session(tls.expect("handshake"), "{}").await;
    let cz = r.connz("").await;
    assert!(cz["connections"][0].get("tls_peer_certs").is_none(), "{cz}");
    let cz = r.connz("?auth=1").await;
    let certs = cz["connections"][0]["tls_peer_certs"]
        .as_array()
        .expect("peer certs")
        .clone();
    assert_eq!(certs.len(), 1);
    assert_eq!(
        certs[0]["subject"],
        "CN=localhost,OU=nats.io,O=Synadia,ST=California,C=US"
    );
    assert_eq!(certs[0]["spki_sha256"], client.spki_sha256());
    assert_eq!(certs[0]["cert_sha256"].as_str().map(str::len), Some(64));
    r.h.shutdown().await;
}

/// A client limited to one TLS version.
fn client_version(
    pki: &Pki,
    v: &'static rustls::SupportedProtocolVersion,
) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(&pki.ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[v])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

// go: server/TestTLSMinVersionConfig
#[tokio::test]
async fn min_version_refuses_older_clients_and_follows_reloads() {
    let pki = Pki::new("min-version");
    let text = |v: &str| {
        format!(
            "{LISTEN}{}",
            pki.tls_block(&format!("timeout: 1\n  min_version: {v}"))
        )
    };
    let r = Reloadable::start(&pki, &text("\"1.3\"")).await;
    let tls12 = client_version(&pki, &rustls::version::TLS12);
    let tls13 = client_version(&pki, &rustls::version::TLS13);
    let (tls, _) = connect_tls(r.h.addr(), tls12.clone()).await;
    let e = tls.expect_err("a TLS 1.2 client got in");
    assert!(e.to_string().contains("ProtocolVersion"), "{e}");
    let (tls, _) = connect_tls(r.h.addr(), tls13.clone()).await;
    expect_session(tls.expect("TLS 1.3"), "{}").await;
    // Reloading with a version below 1.2 fails; the same value again is fine.
    std::fs::write(&r.path, text("\"1.0\"")).unwrap();
    let e = r.h.shared.reload().expect_err("min_version 1.0 reloaded");
    assert!(
        e.contains("error parsing tls config: unsupported TLS version: TLS 1.0"),
        "{e}"
    );
    r.reload(&text("\"1.3\""));
    r.reload(&text("\"1.2\""));
    for cfg in [tls12, tls13] {
        let (tls, _) = connect_tls(r.h.addr(), cfg).await;
        expect_session(tls.expect("after lowering the minimum"), "{}").await;
    }
    std::fs::write(&r.path, text("\"1.4\"")).unwrap();
    let e = r.h.shared.reload().expect_err("min_version 1.4 reloaded");
    assert!(e.contains("unknown version: 1.4"), "{e}");
    // Below TLS 1.2 is refused when the configuration is built, too.
    let tc = server::tls::TlsConfigOpts {
        cert_file: pki.server.cert.display().to_string(),
        key_file: pki.server.key.display().to_string(),
        ca_file: pki.ca.display().to_string(),
        timeout: 4.0,
        min_version: 0x0302,
        ..Default::default()
    };
    assert_eq!(
        server::tls::gen_tls_config(&tc).expect_err("TLS 1.1"),
        "unsupported minimum TLS version: TLS 1.1"
    );
    r.h.shutdown().await;
}

// go: server/TestTLSClientHandshakeFirstFallbackDelay
#[tokio::test]
async fn the_fallback_delay_serves_slow_clients_and_does_not_delay_tls_first_ones() {
    let pki = Pki::new("first-fallback");
    let text = |first: &str| {
        format!(
            "{LISTEN}{}",
            pki.tls_block(&format!("timeout: 1\n  first: {first}"))
        )
    };
    let r = Reloadable::start(&pki, &text("auto")).await;
    // A client that pauses after dialing, longer than the fallback, then does TLS after INFO.
    let mut tcp = Conn::new(tokio::net::TcpStream::connect(r.h.addr()).await.unwrap());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let info = info_json(&tcp.read_line().await);
    assert_eq!(info["tls_required"], true);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(pki.client_config(None))
        .connect(name, tcp.s)
        .await
        .expect("TLS after the fallback INFO");
    let s = expect_session(tls, "{}").await;
    let cz = r.connz("").await;
    assert!(cz["connections"][0].get("tls_first").is_none(), "{cz}");
    drop(s);
    wait_for("the client to leave", || r.h.num_clients() == 0).await;
    // A long fallback does not slow down a client doing TLS first.
    r.reload(&text("\"1s\""));
    let t0 = std::time::Instant::now();
    let tls = connect_tls_first(r.h.addr(), pki.client_config(None))
        .await
        .expect("TLS first");
    let mut c = Conn::new(tls);
    assert!(c.read_line().await.starts_with("INFO {"));
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "took {:?}",
        t0.elapsed()
    );
    c.send(b"CONNECT {\"verbose\":false}\r\nPING\r\n").await;
    assert_eq!(c.read_line().await, "PONG\r\n");
    assert_eq!(r.connz("").await["connections"][0]["tls_first"], true);
    r.h.shutdown().await;
}
