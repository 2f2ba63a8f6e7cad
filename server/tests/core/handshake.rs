//! INFO on connect, CONNECT handling and the follow-up INFO.

use crate::support::*;
use server::Options;

// go: server/TestClientCreateAndInfo
// go: server/TestInfoServerNameDefaultsToPK
#[tokio::test]
async fn info_on_connect_has_go_fields_in_go_order() {
    let h = start_default().await;
    let mut r = Raw::connect_only(&h).await;
    let line = r.read_line().await;
    assert!(line.starts_with("INFO {\"server_id\":\"N"), "{line}");
    assert!(
        line.ends_with("} \r\n"),
        "INFO ends with a space before CRLF: {line:?}"
    );
    let json: serde_json::Value = serde_json::from_str(&line[5..line.len() - 3]).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    // serde_json keeps insertion order only with preserve_order; check order on the raw text instead.
    let order = [
        "server_id",
        "server_name",
        "version",
        "proto",
        "git_commit",
        "go",
        "host",
        "port",
        "headers",
        "max_payload",
        "client_id",
        "client_ip",
        "api_lvl",
        "xkey",
    ];
    let mut last = 0;
    for k in order {
        let at = line
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("INFO lacks {k}: {line}"));
        assert!(at > last || k == "server_id", "{k} out of order in {line}");
        last = at;
    }
    assert_eq!(keys.len(), order.len(), "unexpected INFO fields: {line}");
    let id = json["server_id"].as_str().unwrap();
    assert_eq!(id.len(), 56, "server id is an NKey server public key");
    assert_eq!(
        json["server_name"], json["server_id"],
        "name defaults to the id"
    );
    assert_eq!(json["version"], "2.15.1");
    assert_eq!(json["proto"], 1);
    assert_eq!(json["host"], "127.0.0.1");
    assert_eq!(json["port"], h.port());
    assert_eq!(json["headers"], true);
    assert_eq!(json["max_payload"], 1048576);
    assert_eq!(json["client_ip"], "127.0.0.1");
    assert!(json["client_id"].as_u64().unwrap() > 0);
    h.shutdown().await;
}

// go: server/TestInfoServerNameIsSettable
#[tokio::test]
async fn server_name_is_settable() {
    let h = start(Options {
        server_name: "my-server".into(),
        ..Options::for_test()
    })
    .await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["server_name"], "my-server");
    assert_ne!(info["server_id"], "my-server");
    h.shutdown().await;
}

// go: test/TestServerInfoWithClientAdvertise
#[tokio::test]
async fn client_advertise_sets_info_host_and_port() {
    let h = start(Options {
        client_advertise: "me:1".into(),
        ..Options::for_test()
    })
    .await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["host"], "me");
    assert_eq!(info["port"], 1);
    h.shutdown().await;
}

// go: test/TestVerboseConnect
// go: test/TestVerbosePing
#[tokio::test]
async fn empty_connect_is_verbose_and_ping_gets_pong() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, "{}").await;
    r.expect(b"+OK\r\n").await;
    r.send(b"CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false}\r\n")
        .await;
    r.expect(b"+OK\r\n").await;
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    h.shutdown().await;
}

// go: test/TestVerbosePubSub
#[tokio::test]
async fn verbose_acknowledges_pub_sub_unsub() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, r#"{"verbose":true}"#).await;
    r.expect(b"+OK\r\n").await;
    r.send(b"PUB foo 2\r\nok\r\n").await;
    r.expect(b"+OK\r\n").await;
    r.send(b"SUB foo 1\r\n").await;
    r.expect(b"+OK\r\n").await;
    r.send(b"UNSUB 1\r\n").await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

// go: server/TestClientConnectProto
#[tokio::test]
async fn protocol_one_gets_connect_info_after_first_pong() {
    let h = start_default().await;
    let mut r = Raw::connected(&h, r#"{"verbose":false,"protocol":1}"#).await;
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    let line = r
        .expect_line("follow-up INFO", |l| {
            l.starts_with("INFO {") && l.ends_with("} \r\n")
        })
        .await;
    let info: serde_json::Value = serde_json::from_str(&line[5..line.len() - 3]).unwrap();
    assert_eq!(info["connect_info"], true);
    assert_eq!(info["remote_account"], "$G");
    assert!(info.get("acc_is_sys").is_none());
    // Only once.
    r.send(b"PING\r\n").await;
    r.expect(b"PONG\r\n").await;
    r.expect_open_and_idle().await;

    // Protocol 0 never gets it.
    let mut r0 = Raw::connected(&h, r#"{"verbose":false,"protocol":0}"#).await;
    r0.send(b"PING\r\nPING\r\n").await;
    r0.expect(b"PONG\r\nPONG\r\n").await;
    r0.expect_open_and_idle().await;
    h.shutdown().await;
}

// go: test/TestProtoCrash
#[tokio::test]
async fn connect_split_before_crlf_still_answers_ok() {
    let h = start_default().await;
    let (mut r, _) = Raw::connect(&h).await;
    r.send(br#"CONNECT {"verbose":true,"tls_required":false,"user":"test","pedantic":true,"pass":"password"}"#)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    r.send(b"\r\n").await;
    r.expect(b"+OK\r\n").await;
    h.shutdown().await;
}

// go: server/TestClientAdvertiseErrorOnStartup
#[tokio::test]
async fn invalid_client_advertise_fails_startup() {
    let err = server::Server::start(Options {
        client_advertise: "addr:::123".into(),
        ..Options::for_test()
    })
    .await
    .err()
    .expect("startup fails");
    assert!(err.to_string().contains("ClientAdvertise"), "{err}");
}

#[test]
fn host_port_parsing_matches_go() {
    use server::server::parse_host_port;
    assert_eq!(
        parse_host_port("me:1", 4222).unwrap(),
        ("me".to_string(), 1)
    );
    assert_eq!(
        parse_host_port("me", 4222).unwrap(),
        ("me".to_string(), 4222)
    );
    assert_eq!(parse_host_port("me:0", 5).unwrap(), ("me".to_string(), 5));
    assert_eq!(
        parse_host_port("[::1]:7", 5).unwrap(),
        ("::1".to_string(), 7)
    );
    assert!(parse_host_port("addr:::123", 4222).is_err());
    assert!(parse_host_port("me:abc", 4222).is_err());
    assert!(parse_host_port("", 4222).is_err());
}

// go: server/TestServerHeaderSupport
// go: server/TestClientHeaderSupport
#[tokio::test]
async fn header_support_is_advertised_and_can_be_disabled() {
    let h = start_default().await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["headers"], true);
    // Headers must be asked for in CONNECT.
    let mut r = Raw::connected(&h, "{}").await;
    r.send(b"HPUB foo 0 2\r\nok\r\n").await;
    r.expect_close_after(b"+OK\r\n").await;
    let mut r = Raw::connected(&h, r#"{"headers":true}"#).await;
    r.send(b"HPUB foo 0 2\r\nok\r\n").await;
    r.expect(b"+OK\r\n+OK\r\n").await;
    r.expect_open_and_idle().await;
    h.shutdown().await;

    let h = start(Options {
        no_header_support: true,
        ..Options::for_test()
    })
    .await;
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["headers"], false);
    let mut r = Raw::connected(&h, r#"{"headers":true}"#).await;
    r.send(b"HPUB foo 0 2\r\nok\r\n").await;
    r.expect_close_after(b"+OK\r\n").await;
    h.shutdown().await;
}

// go: server/TestOptions_RandomPort
// go: server/TestRandomPorts
#[tokio::test]
async fn port_minus_one_binds_a_random_port() {
    let h = start(Options {
        port: -1,
        http_port: -1,
        ..Options::for_test()
    })
    .await;
    assert_ne!(h.port(), 0);
    assert_ne!(h.port(), 4222);
    let m = h.monitor_addr().expect("monitoring listener");
    assert_ne!(m.port(), 0);
    assert_ne!(m.port(), 8222);
    let (_, info) = Raw::connect(&h).await;
    assert_eq!(info["port"], h.port());
    h.shutdown().await;
}
