//! The `tls {}` block and the TLS flags at startup: `-t` verdicts compared with the Go binary for good and
//! bad blocks (Go's error texts and positions), what rustls cannot do refused by name, and the TLS flags.

use std::process::Command;

use crate::support::tls::*;
use crate::support::*;

fn rnats_bin() -> &'static str {
    env!("CARGO_BIN_EXE_rnats-server")
}

fn run(bin: &std::path::Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(bin).args(args).output().expect("run binary");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn tls_blocks_check_like_the_go_binary() {
    let pki = Pki::new("tls-check");
    let other = pki.issue("other", &Spec::cn("other"));
    let (cert, key, ca) = (
        pki.server.cert.display().to_string(),
        pki.server.key.display().to_string(),
        pki.ca.display().to_string(),
    );
    let k = format!("cert_file: {cert:?}, key_file: {key:?}");
    let cases: Vec<(&str, String)> = vec![
        ("valid", format!("{k}, ca_file: {ca:?}, verify: true, timeout: \"1.5s\"")),
        ("valid_map", format!("{k}, ca_file: {ca:?}, verify_and_map: true")),
        ("valid_first", format!("{k}, handshake_first: \"300ms\"")),
        ("valid_first_auto", format!("{k}, handshake_first: auto")),
        ("valid_min13", format!("{k}, min_version: \"1.3\"")),
        ("valid_curves", format!("{k}, curve_preferences: [\"CurveP256\", \"X25519\"]")),
        ("valid_ciphers", format!("{k}, cipher_suites: [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\", \"TLS_AES_128_GCM_SHA256\"]")),
        ("valid_pinned", format!("{k}, pinned_certs: [\"{}\"]", other.spki_sha256())),
        ("valid_certs", format!("certs: [{{cert_file: {cert:?}, key_file: {key:?}}}]")),
        ("valid_insecure", format!("{k}, insecure: true")),
        ("valid_empty", String::new()),
        ("unknown_cipher", format!("{k}, cipher_suites: [\"TLS_FOO\"]")),
        ("empty_ciphers", format!("{k}, cipher_suites: []")),
        ("ciphers_not_list", format!("{k}, cipher_suites: \"x\"")),
        ("insecure_cipher", format!("{k}, cipher_suites: [\"TLS_RSA_WITH_AES_128_GCM_SHA256\"]")),
        ("unknown_curve", format!("{k}, curve_preferences: [\"CurveP999\"]")),
        ("min_11", format!("{k}, min_version: \"1.1\"")),
        ("min_14", format!("{k}, min_version: \"1.4\"")),
        ("min_int", format!("{k}, min_version: 12")),
        ("first_bad", format!("{k}, handshake_first: \"maybe\"")),
        ("first_int", format!("{k}, handshake_first: 5")),
        ("timeout_bad", format!("{k}, timeout: \"abc\"")),
        ("timeout_bool", format!("{k}, timeout: true")),
        ("store", format!("{k}, cert_store: \"WindowsCurrentUser\"")),
        ("store_unknown", format!("{k}, cert_store: \"foo\"")),
        ("pinned_bad", format!("{k}, pinned_certs: [\"abc\"]")),
        ("unknown_field", format!("{k}, bogus: 1")),
        ("verify_int", format!("{k}, verify: 1")),
        ("cert_int", "cert_file: 1".into()),
        ("certs_no_key", format!("certs: [{{cert_file: {cert:?}}}]")),
        ("rate_bad", format!("{k}, connection_rate_limit: \"x\"")),
        ("known_urls", format!("{k}, verify_cert_and_check_known_urls: true")),
        ("no_key", format!("cert_file: {cert:?}")),
        ("no_cert", format!("key_file: {key:?}")),
        ("missing_cert", format!("cert_file: \"/nonexistent/c.pem\", key_file: {key:?}")),
        ("mismatch", format!("cert_file: {cert:?}, key_file: {:?}", other.key.display().to_string())),
        ("key_is_cert", format!("cert_file: {cert:?}, key_file: {cert:?}")),
        ("missing_ca", format!("{k}, ca_file: \"/nonexistent/ca.pem\"")),
        ("bad_ca", format!("{k}, ca_file: {key:?}")),
    ];
    let go = go_server_bin();
    for (name, body) in &cases {
        let path = pki.dir.0.join(format!("{name}.conf"));
        std::fs::write(
            &path,
            format!("listen: 127.0.0.1:4222\ntls {{\n  {body}\n}}\n"),
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let ours = run(std::path::Path::new(rnats_bin()), &["-t", "-c", p]);
        let theirs = run(&go, &["-t", "-c", p]);
        assert_eq!(ours, theirs, "case {name}");
    }
    // allow_non_tls is a boolean.
    let path = pki.dir.0.join("allow.conf");
    std::fs::write(&path, "allow_non_tls: \"yes\"\n").unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(
        run(std::path::Path::new(rnats_bin()), &["-t", "-c", p]),
        run(&go, &["-t", "-c", p])
    );
}

#[test]
fn what_rustls_cannot_do_is_refused_by_name() {
    let pki = Pki::new("tls-refuse");
    let k = format!(
        "cert_file: {:?}, key_file: {:?}",
        pki.server.cert.display().to_string(),
        pki.server.key.display().to_string()
    );
    for (body, want) in [
        (
            format!("{k}, cipher_suites: [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\", \"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\"]"),
            "2:1: cipher suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is not supported by rnats: rustls has no implementation of it",
        ),
        (
            format!("{k}, curve_preferences: [\"X25519\", \"CurveP521\"]"),
            "2:1: curve preference CurveP521 is not supported by rnats: rustls has no implementation of it",
        ),
        (
            format!("{k}, curve_preferences: [\"X25519MLKEM768\"]"),
            "2:1: curve preference X25519MLKEM768 is not supported by rnats: rustls has no implementation of it",
        ),
        (format!("{k}, ocsp_peer: true"), "ocsp_peer is not supported by rnats"),
    ] {
        let path = pki.dir.0.join("refuse.conf");
        std::fs::write(&path, format!("listen: 127.0.0.1:4222\ntls {{\n  {body}\n}}\n")).unwrap();
        let (_, err, code) = run(
            std::path::Path::new(rnats_bin()),
            &["-t", "-c", path.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{body}: {err}");
        assert!(err.contains(want), "{body}: got {err:?}, want {want:?}");
        // The same file starts no server either.
        let (_, err, code) = run(
            std::path::Path::new(rnats_bin()),
            &["-c", path.to_str().unwrap(), "-p", "-1"],
        );
        assert_eq!(code, 1, "{body}: {err}");
        assert!(err.contains(want), "{body}: got {err:?}");
    }
}

#[test]
fn tls_flags_refuse_missing_files_like_go() {
    let go = go_server_bin();
    for args in [
        &[
            "--tls",
            "--tlscert",
            "/nonexistent/c.pem",
            "--tlskey",
            "/nonexistent/k.pem",
        ][..],
        &["--tlsverify", "--tlscert", "/nonexistent/c.pem"][..],
        &["--tls"][..],
    ] {
        assert_eq!(
            run(std::path::Path::new(rnats_bin()), args),
            run(&go, args),
            "{args:?}"
        );
    }
}

#[tokio::test]
async fn tls_flags_start_a_tls_server() {
    let pki = Pki::new("tls-flags");
    let (c, k, ca) = (
        pki.server.cert.display().to_string(),
        pki.server.key.display().to_string(),
        pki.ca.display().to_string(),
    );
    let args = [
        "--tlsverify",
        "--tlscert",
        &c,
        "--tlskey",
        &k,
        "--tlscacert",
        &ca,
    ];
    let cmd =
        match server::flags::parse_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()) {
            Ok(server::flags::Command::Run(o, _)) => o,
            other => panic!("{other:?}"),
        };
    let mut o = *cmd;
    o.host = "127.0.0.1".into();
    o.port = -1;
    o.no_signals = true;
    o.no_log = true;
    o.http_port = -1;
    let h = start(o).await;
    let client = pki.issue("client", &Spec::cn("client"));
    let (tls, info) = connect_tls(h.addr(), pki.client_config(Some(&client))).await;
    assert_eq!(info["tls_required"], true);
    assert_eq!(info["tls_verify"], true);
    let _keep = expect_session(tls.expect("handshake"), "{}").await;
    // Clients writing a megabyte of garbage at the TLS port cost no lasting memory.
    let mon = h.monitor_addr().unwrap();
    let mem = |body: &str| -> i64 {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["mem"]
            .as_i64()
            .unwrap()
    };
    let base = mem(&http_get(mon, "/varz").await.2);
    let junk = vec![0x41u8; 1024 * 1024];
    for _ in 0..30 {
        let mut s = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(10),
            tokio::io::AsyncWriteExt::write_all(&mut s, &junk),
        )
        .await;
    }
    wait_for("garbage connections to close", || h.num_clients() == 1).await;
    let grown = (mem(&http_get(mon, "/varz").await.2) - base) / (1024 * 1024);
    assert!(grown < 20, "memory grew by {grown} MB");
    h.shutdown().await;
}
