//! `verify_and_map`: the client certificate names the user. E-mail, DNS and URI subject alternative names
//! first, then the subject as an LDAP DN (in order, then reordered), then Go's RFC 2253 string with and
//! without the domain components. Checked over raw TLS sessions: the login verdict and the permissions of
//! the user the certificate mapped to.

use crate::support::tls::*;
use crate::support::*;

/// What a mapped login leads to.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Logged in; subscribing to `ping` is allowed.
    Ok,
    /// Logged in, but the user may not subscribe to `ping`.
    SubDenied,
    Violation,
}

/// Log in with `cert` to a server with `users` (the inside of `users = [...]`) and try `SUB ping`.
async fn login(pki: &Pki, users: &str, cert: &CertFiles) -> Outcome {
    let conf = format!(
        "{}authorization {{\n  users = [\n{users}\n  ]\n}}\n",
        pki.tls_block("timeout: 5\n  verify_and_map: true")
    );
    let h = start(pki.options(&conf)).await;
    let (tls, info) = connect_tls(h.addr(), pki.client_config(Some(cert))).await;
    assert_eq!(info["tls_verify"], true);
    assert_eq!(info["auth_required"], true);
    let mut c = Conn::new(tls.expect("handshake"));
    c.send(b"CONNECT {\"verbose\":false}\r\nSUB ping 1\r\nPING\r\n")
        .await;
    let out = match c.read_line().await.as_str() {
        "PONG\r\n" => Outcome::Ok,
        "-ERR 'Authorization Violation'\r\n" => Outcome::Violation,
        "-ERR 'Permissions Violation for Subscription to \"ping\"'\r\n" => {
            assert_eq!(c.read_line().await, "PONG\r\n");
            Outcome::SubDenied
        }
        other => panic!("unexpected {other:?}"),
    };
    h.shutdown().await;
    out
}

fn spec(rdns: &[Vec<(&'static str, &str)>]) -> Spec {
    Spec::new(rdns).dns(&["localhost", "example.com", "www.example.com"])
}

/// C = US, ST = CA, L = Los Angeles, O = NATS, OU = NATS, CN = localhost, then the given DCs.
fn la(dcs: &[&'static str]) -> Spec {
    let mut rdns = vec![
        vec![(C, "US")],
        vec![(ST, "CA")],
        vec![(L, "Los Angeles")],
        vec![(O, "NATS")],
        vec![(OU, "NATS")],
        vec![(CN, "localhost")],
    ];
    for dc in dcs {
        rdns.push(vec![(DC, *dc)]);
    }
    spec(&rdns)
}

const DENY_SUB: &str = "permissions = { subscribe = { deny = \">\" }}";

// go: test/TestTLSClientAuthWithRDNSequence
#[tokio::test]
async fn rdn_sequences_map_to_users() {
    let pki = Pki::new("map-rdn");
    let a = pki.issue("a", &la(&["foo1", "foo2"]));
    let b = pki.issue("b", &la(&[]));
    let c = pki.issue("c", &la(&["foo3", "foo4"]));
    let d = pki.issue(
        "d",
        &spec(&[
            vec![(C, "US")],
            vec![(ST, "CA")],
            vec![(L, "Los Angeles")],
            vec![(OU, "NATS")],
            vec![(O, "NATS")],
            vec![(CN, "*.example.com")],
            vec![(DC, "example")],
            vec![(DC, "com")],
        ]),
    );
    let e = pki.issue(
        "e",
        &spec(&[
            vec![(CN, "John Doe")],
            vec![(CN, "123456")],
            vec![(CN, "jdoe")],
            vec![(OU, "Users")],
            vec![(OU, "Organic Units")],
            vec![(DC, "acme")],
            vec![(DC, "com")],
        ]),
    );
    let f = pki.issue(
        "f",
        &spec(&[
            vec![(DC, "org")],
            vec![(DC, "OpenSSL")],
            vec![(O, "users"), (DC, "DEV")],
            vec![(CN, "John Doe")],
        ]),
    );
    let full = "\"CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2\"";
    let original = "\"DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US\"";
    let plain = "\"CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US\"";
    let cases: Vec<(&str, String, &CertFiles, Outcome)> = vec![
        ("full RDN sequence", format!("{{ user = {full} }}"), &a, Outcome::Ok),
        ("original order", format!("{{ user = {original} }}"), &a, Outcome::Ok),
        (
            "partial sequence has its own permissions",
            format!("{{ user = {original} }}\n{{ user = {full} }}\n{{ user = {plain}, {DENY_SUB} }}"),
            &b,
            Outcome::SubDenied,
        ),
        (
            "the sequence without DCs matches",
            format!("{{ user = {original} }}\n{{ user = {full} }}\n{{ user = {plain} }}"),
            &c,
            Outcome::Ok,
        ),
        (
            "other DCs do not match",
            format!("{{ user = {full} }}\n{{ user = {original} }}"),
            &c,
            Outcome::Violation,
        ),
        (
            "spaces after commas do not matter",
            "{ user = \"DC=foo2, DC=foo1, CN=localhost, OU=NATS, O=NATS, L=Los Angeles, ST=CA, C=US\" }".into(),
            &a,
            Outcome::Ok,
        ),
        (
            "order is respected",
            "{ user = \"DC=com, DC=example, CN=*.example.com, O=NATS, OU=NATS, L=Los Angeles, ST=CA, C=US\" }".into(),
            &d,
            Outcome::Ok,
        ),
        (
            "DCs appended also match",
            "{ user = \"CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com\" }".into(),
            &d,
            Outcome::Ok,
        ),
        (
            "the exact order takes precedence",
            format!(
                "{{ user = \"CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com\", {DENY_SUB} }}\n\
                 {{ user = \"DC=com,DC=example,CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US\" }}\n\
                 {{ user = \"CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US\", {DENY_SUB} }}"
            ),
            &d,
            Outcome::Ok,
        ),
        (
            "several CNs",
            "{ user = \"DC=com,DC=acme,OU=Organic Units,OU=Users,CN=jdoe,CN=123456,CN=John Doe\" }".into(),
            &e,
            Outcome::Ok,
        ),
        (
            "a multi-valued RDN",
            "{ user = \"CN=John Doe,DC=DEV+O=users,DC=OpenSSL,DC=org\" }".into(),
            &f,
            Outcome::Ok,
        ),
        (
            "a multi-valued RDN given as one value",
            "{ user = \"CN=John Doe,DC=DEV,DC=OpenSSL,DC=org\" }".into(),
            &f,
            Outcome::Violation,
        ),
        (
            "a multi-valued RDN in another order",
            "{ user = \"CN=John Doe,O=users+DC=DEV,DC=OpenSSL,DC=org\" }".into(),
            &f,
            Outcome::Ok,
        ),
    ];
    for (what, users, cert, want) in cases {
        assert_eq!(login(&pki, &users, cert).await, want, "{what}");
    }
}

// go: test/TestTLSClientAuthWithRDNSequenceReordered
#[tokio::test]
async fn reordered_rdns_match_only_as_whole_rdns() {
    let pki = Pki::new("map-reorder");
    let f = pki.issue(
        "f",
        &spec(&[
            vec![(DC, "org")],
            vec![(DC, "OpenSSL")],
            vec![(O, "users"), (DC, "DEV")],
            vec![(CN, "John Doe")],
        ]),
    );
    for (users, want) in [
        (
            "{ user = \"DC=org,DC=OpenSSL,O=users+DC=DEV,CN=John Doe\" }",
            Outcome::Ok,
        ),
        (
            "{ user = \"DC=org,DC=OpenSSL,O=users,CN=John Doe\" }",
            Outcome::Violation,
        ),
        (
            "{ user = \"DC=OpenSSL, DC=org, O=users, CN=John Doe\" }",
            Outcome::Violation,
        ),
    ] {
        assert_eq!(login(&pki, users, &f).await, want, "{users}");
    }
}

// go: test/TestTLSClientSVIDAuth
#[tokio::test]
async fn uri_sans_map_to_users() {
    let pki = Pki::new("map-svid");
    let a = pki.issue(
        "a",
        &la(&["foo1", "foo2"]).uris(&["spiffe://localhost/my-nats-service/user-a"]),
    );
    let b = pki.issue(
        "b",
        &spec(&[vec![(C, "US")], vec![(O, "SPIRE")]])
            .uris(&["spiffe://localhost/my-nats-service/user-b"]),
    );
    let user_a = "{ user = \"spiffe://localhost/my-nats-service/user-a\" }";
    let user_b = format!("{{ user = \"spiffe://localhost/my-nats-service/user-b\", {DENY_SUB} }}");
    assert_eq!(login(&pki, user_a, &a).await, Outcome::Ok);
    assert_eq!(
        login(&pki, &format!("{user_a}\n{user_b}"), &b).await,
        Outcome::SubDenied
    );
    assert_eq!(
        login(&pki, "{ user = \"O=SPIRE,C=US\" }", &b).await,
        Outcome::Ok
    );
    assert_eq!(
        login(
            &pki,
            "{ user = \"spiffe://localhost/my-nats-service/user-c\" }",
            &a
        )
        .await,
        Outcome::Violation
    );
}

// go: test/TestTLSClientCertificateHasUserID
#[tokio::test]
async fn an_email_san_maps_to_the_user() {
    let pki = Pki::new("map-email");
    let mut s = Spec::new(&[
        vec![(C, "US")],
        vec![(ST, "California")],
        vec![(O, "Synadia")],
        vec![(OU, "nats.io")],
        vec![(CN, "localhost")],
    ])
    .dns(&["localhost"])
    .emails(&["derek@nats.io"]);
    s.ips = vec!["127.0.0.1".parse().unwrap()];
    let cert = pki.issue("id", &s);
    let users = "{user: derek@nats.io, permissions: { publish:\"foo\" }}";
    assert_eq!(login(&pki, users, &cert).await, Outcome::Ok);
}

// go: test/TestTLSClientCertificateCheckWithAllowedConnectionTypes
#[tokio::test]
async fn a_mapped_user_must_allow_the_connection_type() {
    let pki = Pki::new("map-conntype");
    let cert = pki.issue("id", &Spec::cn("localhost").emails(&["derek@nats.io"]));
    let users = "{user: derek@nats.io, permissions: { publish:\"foo\" }, allowed_connection_types: [\"WEBSOCKET\"]}";
    assert_eq!(login(&pki, users, &cert).await, Outcome::Violation);
}

// go: test/TestTLSClientCertificateNoSubjectWithSANAuth
#[tokio::test]
async fn a_certificate_without_subject_maps_by_its_san() {
    let pki = Pki::new("map-nosubject");
    let cert = pki.issue("nosubj", &Spec::new(&[]).dns(&["localhost"]));
    assert_eq!(
        login(&pki, "{ user: \"localhost\" }", &cert).await,
        Outcome::Ok
    );
    // Without a client certificate the handshake itself is refused.
    let conf = format!(
        "{}authorization {{ users = [ {{ user: \"localhost\" }} ] }}\n",
        pki.tls_block("verify_and_map: true")
    );
    let h = start(pki.options(&conf)).await;
    let (tls, _) = connect_tls(h.addr(), pki.client_config(None)).await;
    assert!(refused(tls).await);
    h.shutdown().await;
}

/// The default permissions (`public.>`) and two users with more, as Go's tls_cert_cn/san configurations.
fn perms_conf(pki: &Pki, users: &str) -> String {
    format!(
        "{}authorization {{\n  permissions {{ publish {{ allow = [\"public.>\"] }}, subscribe {{ allow = [\"public.>\"] }} }}\n  users [\n{users}\n  ]\n}}\n",
        pki.tls_block("verify = true\n  verify_and_map = true")
    )
}

async fn session(h: &server::ServerHandle, pki: &Pki, cert: &CertFiles) -> Conn<TlsClient> {
    let (tls, _) = connect_tls(h.addr(), pki.client_config(Some(cert))).await;
    expect_session(tls.expect("handshake"), r#"{"verbose":false}"#).await
}

// go: test/TestTLSClientCertificateCNBasedAuth
#[tokio::test]
async fn the_subject_maps_to_users_with_their_permissions() {
    let pki = Pki::new("map-cn");
    let names = ["localhost", "example.com", "www.example.com"];
    let nats = pki.issue(
        "nats",
        &Spec::new(&[vec![(OU, "NATS.io")], vec![(CN, "example.com")]]).dns(&names),
    );
    let cncf = pki.issue(
        "cncf",
        &Spec::new(&[vec![(OU, "CNCF")], vec![(CN, "example.com")]]).dns(&names),
    );
    let users = "{ user = \"CN=example.com,OU=NATS.io\" }\n{ user = \"CN=example.com,OU=CNCF\", permissions = { publish { allow = [\">\"] }, subscribe { allow = [\">\"] } } }";
    let h = start(pki.options(&perms_conf(&pki, users))).await;
    let mut c1 = session(&h, &pki, &nats).await;
    let mut c2 = session(&h, &pki, &cncf).await;
    // The default permissions: both refused.
    c1.send(b"PUB foo.bar 2\r\nhi\r\nSUB foo.> 1\r\nPING\r\n")
        .await;
    assert_eq!(
        c1.read_line().await,
        "-ERR 'Permissions Violation for Publish to \"foo.bar\"'\r\n"
    );
    assert_eq!(
        c1.read_line().await,
        "-ERR 'Permissions Violation for Subscription to \"foo.>\"'\r\n"
    );
    assert_eq!(c1.read_line().await, "PONG\r\n");
    // All subjects.
    c2.send(b"SUB > 1\r\nPUB hello 2\r\nhi\r\nPING\r\n").await;
    assert_eq!(c2.read_line().await, "MSG hello 1 2\r\n");
    assert_eq!(c2.read_line().await, "hi\r\n");
    assert_eq!(c2.read_line().await, "PONG\r\n");
    h.shutdown().await;
}

async fn sans_scenario(
    pki: &Pki,
    users: &str,
    default: &CertFiles,
    dev: &CertFiles,
    prod: &CertFiles,
) {
    let h = start(pki.options(&perms_conf(pki, users))).await;
    let mut d = session(&h, pki, default).await;
    let mut dev = session(&h, pki, dev).await;
    let mut prod = session(&h, pki, prod).await;
    // dev: nothing on foo.>, its sandbox allowed.
    dev.send(b"PUB foo.bar 2\r\nhi\r\nSUB foo.> 1\r\nSUB sandbox.> 2\r\nPING\r\n")
        .await;
    assert_eq!(
        dev.read_line().await,
        "-ERR 'Permissions Violation for Publish to \"foo.bar\"'\r\n"
    );
    assert_eq!(
        dev.read_line().await,
        "-ERR 'Permissions Violation for Subscription to \"foo.>\"'\r\n"
    );
    assert_eq!(dev.read_line().await, "PONG\r\n");
    // prod: everything.
    prod.send(b"SUB > 1\r\nPING\r\n").await;
    assert_eq!(prod.read_line().await, "PONG\r\n");
    dev.send(b"PUB sandbox.foo.bar 3\r\nhi!\r\n").await;
    assert_eq!(dev.read_line().await, "MSG sandbox.foo.bar 2 3\r\n");
    assert_eq!(dev.read_line().await, "hi!\r\n");
    assert_eq!(prod.read_line().await, "MSG sandbox.foo.bar 1 3\r\n");
    assert_eq!(prod.read_line().await, "hi!\r\n");
    // default: only public.>.
    d.send(b"SUB sandbox.> 1\r\nSUB public.> 2\r\nPING\r\n")
        .await;
    assert_eq!(
        d.read_line().await,
        "-ERR 'Permissions Violation for Subscription to \"sandbox.>\"'\r\n"
    );
    assert_eq!(d.read_line().await, "PONG\r\n");
    dev.send(b"PUB public.foo.bar 3\r\nhi!\r\n").await;
    assert_eq!(d.read_line().await, "MSG public.foo.bar 2 3\r\n");
    h.shutdown().await;
}

const ALL: &str = "permissions = { publish { allow = [\">\"] }, subscribe { allow = [\">\"] } }";
const SANDBOX: &str = "permissions = { publish { allow = [\"public.>\", \"sandbox.>\"] }, subscribe { allow = [\"public.>\", \"sandbox.>\"] } }";

// go: test/TestTLSClientCertificateSANsBasedAuth
#[tokio::test]
async fn dns_sans_map_to_users() {
    let pki = Pki::new("map-sans");
    let default = pki.issue("default", &Spec::cn("www.nats.io"));
    let dev = pki.issue(
        "dev",
        &Spec::cn("www.nats.io").dns(&["app.nats.dev", "*.app.nats.dev"]),
    );
    let prod = pki.issue(
        "prod",
        &Spec::cn("www.nats.io").dns(&["app.nats.prod", "*.app.nats.prod"]),
    );
    let users = format!(
        "{{ user = \"CN=www.nats.io\" }}\n{{ user = \"app.nats.prod\", {ALL} }}\n{{ user = \"app.nats.dev\", {SANDBOX} }}"
    );
    sans_scenario(&pki, &users, &default, &dev, &prod).await;
}

// go: test/TestTLSClientCertificateTLSAuthMultipleOptions
#[tokio::test]
async fn emails_then_dns_names_then_the_subject() {
    let pki = Pki::new("map-multi");
    // SANs that are no users: the subject decides.
    let default = pki.issue(
        "default",
        &Spec::cn("www.nats.io").dns(&["app.nats.dev", "*.app.nats.dev"]),
    );
    let dev = pki.issue(
        "dev",
        &Spec::cn("www.nats.io")
            .dns(&["app.nats.dev"])
            .emails(&["admin@app.nats.dev", "root@app.nats.dev"]),
    );
    // The second DNS name is the user.
    let prod = pki.issue(
        "prod",
        &Spec::cn("www.nats.io").dns(&["app.nats.prod", "*.app.nats.prod"]),
    );
    let users = format!(
        "{{ user = \"CN=www.nats.io\" }}\n{{ user = \"*.app.nats.prod\", {ALL} }}\n{{ user = \"root@app.nats.dev\", {SANDBOX} }}"
    );
    sans_scenario(&pki, &users, &default, &dev, &prod).await;
}
