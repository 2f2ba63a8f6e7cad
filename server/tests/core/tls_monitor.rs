//! TLS seen from monitoring: the HTTPS monitor serves with the client certificates (never asking for one),
//! /varz reports the TLS settings as the Go binary does for the same file, and the ports file names the
//! `tls` and `https` schemes.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::tls::*;
use crate::support::*;

/// GET `path` over HTTPS (HTTP/1.0, so the body is not chunked); the JSON body.
async fn https_json(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
    path: &str,
) -> serde_json::Value {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect monitor");
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
        .expect("HTTPS handshake");
    tls.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, tls.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response");
    assert!(
        head.starts_with("HTTP/1.") && head.contains(" 200 "),
        "{head}"
    );
    serde_json::from_str(body).expect("JSON body")
}

#[tokio::test]
async fn varz_over_https_reports_tls_as_go_does() {
    let pki = Pki::new("tls-varz");
    let conf = format!(
        "https: 127.0.0.1:-1\n{}",
        pki.tls_block("verify: true\n  timeout: 1.5")
    );
    let path = pki.dir.0.join("varz.conf");
    std::fs::write(&path, &conf).unwrap();
    let go = GoServer::start(&["-c", path.to_str().unwrap()]).await;
    let h = start(pki.options(&conf)).await;
    // The monitor does not ask for a client certificate even though clients must present one.
    let cfg = pki.client_config(None);
    let ours = https_json(
        h.monitor_addr().expect("https monitor"),
        cfg.clone(),
        "/varz",
    )
    .await;
    let theirs = https_json(go.monitor.expect("Go https monitor"), cfg, "/varz").await;
    for key in [
        "tls_required",
        "tls_verify",
        "tls_timeout",
        "tls_cert_not_after",
        "auth_timeout",
        "http_host",
        "http_port",
        "https_port",
    ] {
        assert_eq!(ours.get(key), theirs.get(key), "varz {key}");
    }
    assert_eq!(ours["tls_required"], true);
    assert_eq!(
        ours["auth_timeout"], 2.5,
        "TLS makes the default auth timeout tls_timeout + 1"
    );
    let ports = h.shared.ports();
    assert!(ports.nats[0].starts_with("tls://"), "{:?}", ports.nats);
    assert!(
        ports.monitoring[0].starts_with("https://"),
        "{:?}",
        ports.monitoring
    );
    h.shutdown().await;
}

#[tokio::test]
async fn https_without_tls_and_with_http_are_refused() {
    let mut o = server::Options::for_test();
    o.https_port = -1;
    let e = server::Server::start(o).await.err().expect("refused");
    assert_eq!(
        e.to_string(),
        "Can't start monitoring: TLS cert and key required for HTTPS"
    );
    let pki = Pki::new("tls-both");
    let mut o = pki.options(&pki.tls_block(""));
    o.http_port = 8222;
    o.https_port = 8223;
    let e = server::Server::start(o).await.err().expect("refused");
    assert_eq!(
        e.to_string(),
        "Can't start monitoring: can't specify both HTTP (8222) and HTTPs (8223) ports"
    );
}

#[tokio::test]
async fn varz_without_tls_omits_the_tls_fields() {
    let mut o = server::Options::for_test();
    o.http_port = -1;
    let h = start(o).await;
    let (_, _, body) = http_get(h.monitor_addr().unwrap(), "/varz").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v.get("tls_required").is_none());
    assert!(v.get("tls_verify").is_none());
    assert!(v.get("tls_cert_not_after").is_none());
    assert_eq!(v["tls_timeout"], 2.0);
    assert_eq!(v["auth_timeout"], 2.0);
    h.shutdown().await;
}
