//! TLS log lines of the `rnats-server` process, as Go writes them: the startup notice saying whether TLS is
//! required or only available, handshake errors at debug level for peers that never spoke TLS or timed
//! out and at error level otherwise, and the debug lines of a completed handshake.

use crate::process::*;
use crate::support::tls::*;
use crate::support::*;

fn conf_file(pki: &Pki, name: &str, text: &str) -> String {
    let path = pki.dir.0.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

// go: server/TestTLSClientNoticeWithAllowNonTLS
#[tokio::test]
async fn the_startup_notice_says_required_or_available() {
    let pki = Pki::new("tls-notice");
    for (extra, top, want) in [
        ("", "", "TLS required for client connections"),
        (
            "",
            "allow_non_tls: true\n",
            "TLS available for client connections",
        ),
        (
            "first: true",
            "allow_non_tls: true\n",
            "TLS required for client connections",
        ),
        (
            "first: \"25ms\"",
            "allow_non_tls: true\n",
            "TLS available for client connections",
        ),
    ] {
        let path = conf_file(
            &pki,
            "notice.conf",
            &format!("{}{top}", pki.tls_block(extra)),
        );
        let p = ServerProc::start(&["-c", &path]).await;
        p.wait_for_line("Server is ready", |l| l.contains("Server is ready"))
            .await;
        let notices: Vec<String> = p
            .stderr_text()
            .lines()
            .filter(|l| l.contains("[INF] TLS ") && l.ends_with(" for client connections"))
            .map(|l| l[l.find("TLS ").unwrap()..].to_string())
            .collect();
        assert_eq!(notices, vec![want.to_string()], "{extra} {top}");
        let warned = p.stderr_text().contains(
            "[WRN] Clients that are not using \"TLS Handshake First\" option will fail to connect",
        );
        assert_eq!(warned, extra == "first: true", "{extra}");
    }
}

// go: server/TestTLSClientHandshakeProbeErrorsLogAsDebug
#[tokio::test]
async fn probes_and_timeouts_log_at_debug_and_real_failures_as_errors() {
    let pki = Pki::new("tls-logs");
    let client = pki.issue("client", &Spec::cn("client"));
    let path = conf_file(
        &pki,
        "logs.conf",
        &pki.tls_block("verify: true\n  timeout: 0.3\n  pinned_certs: [\"bad0000000000000000000000000000000000000000000000000000000000000\"]"),
    );
    let p = ServerProc::start(&["-D", "-c", &path]).await;
    // A peer that never speaks TLS.
    let mut plain = Raw::connect_to(p.addr).await;
    plain.read_line().await;
    plain.send(b"not tls\r\n").await;
    let l = p
        .wait_for_line("the first record error", |l| l.contains("first record"))
        .await;
    assert!(
        l.contains("[DBG]")
            && l.ends_with(
                "- TLS handshake error: tls: first record does not look like a TLS handshake"
            ),
        "{l}"
    );
    // A peer that says nothing: the timeout.
    let mut silent = Raw::connect_to(p.addr).await;
    silent.read_line().await;
    let l = p
        .wait_for_line("the timeout error", |l| l.contains("i/o timeout"))
        .await;
    assert!(
        l.contains("[DBG]") && l.contains("TLS handshake error: read tcp 127.0.0.1:"),
        "{l}"
    );
    let l = p
        .wait_for_line("the timeout line", |l| l.ends_with("TLS handshake timeout"))
        .await;
    assert!(l.contains("[DBG]"), "{l}");
    // A TLS client without a certificate, and one whose key is not pinned: errors.
    let (tls, _) = connect_tls(p.addr, pki.client_config(None)).await;
    assert!(refused(tls).await);
    let l = p
        .wait_for_line("the missing certificate error", |l| {
            l.contains("didn't provide")
        })
        .await;
    assert!(
        l.contains("[ERR]")
            && l.ends_with("- TLS handshake error: tls: client didn't provide a certificate"),
        "{l}"
    );
    // A certificate of another CA: Go's text with the refused certificate's subject and fingerprint.
    let other = Pki::new("tls-logs-other");
    let foreign = other.issue(
        "foreign",
        &Spec::new(&[vec![(OU, "NATS.io")], vec![(CN, "example.com")]]),
    );
    let (tls, _) = connect_tls(p.addr, pki.client_config(Some(&foreign))).await;
    assert!(refused(tls).await);
    let l = p
        .wait_for_line("the unknown authority error", |l| {
            l.contains("unknown authority")
        })
        .await;
    let fp: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&foreign.der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert!(
        l.contains("[ERR]")
            && l.ends_with(&format!(
                "- TLS handshake error: tls: failed to verify certificate: x509: certificate signed by unknown authority (CN=example.com,OU=NATS.io SHA-256: {fp})"
            )),
        "{l}"
    );
    let (tls, _) = connect_tls(p.addr, pki.client_config(Some(&client))).await;
    assert!(refused(tls).await);
    let l = p
        .wait_for_line("the pinning error", |l| l.contains("not pinned"))
        .await;
    assert!(
        l.contains("[ERR]") && l.ends_with("- TLS handshake error: certificate not pinned"),
        "{l}"
    );
    let l = p
        .wait_for_line("the closed line", |l| {
            l.ends_with("Client connection closed: TLS Handshake Failure")
        })
        .await;
    assert!(l.contains("[DBG]"), "{l}");
}

#[tokio::test]
async fn a_completed_handshake_logs_version_and_cipher() {
    let pki = Pki::new("tls-logs-ok");
    let path = conf_file(
        &pki,
        "ok.conf",
        &pki.tls_block("cipher_suites: [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"]"),
    );
    let p = ServerProc::start(&["-D", "-c", &path]).await;
    let (tls, _) = connect_tls(p.addr, pki.client_config(None)).await;
    let _s = expect_session(tls.expect("handshake"), "{}").await;
    p.wait_for_line("starting", |l| {
        l.ends_with("- Starting TLS client connection handshake")
    })
    .await;
    p.wait_for_line("complete", |l| l.ends_with("- TLS handshake complete"))
        .await;
    let l = p
        .wait_for_line("version", |l| l.contains("TLS version"))
        .await;
    // TLS 1.3 suites are not configurable (as in Go): any of the three.
    let suite = l.rsplit("cipher suite ").next().unwrap_or_default();
    assert!(l.contains("- TLS version 1.3, cipher suite "), "{l}");
    assert!(
        [
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256"
        ]
        .contains(&suite),
        "{l}"
    );
    // A TLS 1.2 client gets the one suite configured for TLS 1.2.
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(cfg_roots(&pki))
        .with_no_client_auth();
    let (tls, _) = connect_tls(p.addr, std::sync::Arc::new(cfg)).await;
    let _s2 = expect_session(tls.expect("TLS 1.2 handshake"), "{}").await;
    p.wait_for_line("TLS 1.2", |l| {
        l.ends_with("- TLS version 1.2, cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    })
    .await;
}

fn cfg_roots(pki: &Pki) -> rustls::RootCertStore {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(&pki.ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    roots
}

// go: test/TestTLSConnectionRate
#[tokio::test]
async fn connection_rate_limit_refuses_and_logs_the_excess() {
    let pki = Pki::new("tls-rate");
    let path = conf_file(
        &pki,
        "rate.conf",
        &pki.tls_block("connection_rate_limit: 3"),
    );
    let p = ServerProc::start(&["-c", &path]).await;
    let mut count = 0;
    let mut last = None;
    while count < 10 {
        let (tls, _) = connect_tls(p.addr, pki.client_config(None)).await;
        match tls {
            Ok(_) => count += 1,
            Err(e) => {
                last = Some(e);
                break;
            }
        }
    }
    assert_eq!(
        count, 3,
        "connections allowed in one second (then {last:?})"
    );
    // The refused client was told why, in the clear, before the handshake.
    let mut raw = Raw::connect_to(p.addr).await;
    raw.read_line().await;
    let line = raw.read_line().await;
    assert_eq!(
        line,
        "-ERR 'Connection throttling is active. Please try again later.'\r\n"
    );
    let l = p
        .wait_for_line("the rate limit warning", |l| {
            l.contains("connections due to TLS rate limiting")
        })
        .await;
    assert!(l.contains("[WRN] Rejected "), "{l}");
}
