//! Test certificates and TLS clients. Certificates are built here as DER (subjects with any RDN layout,
//! repeated and multi-valued attributes, SANs, any validity) and signed with rcgen keys; a rustls client
//! talks to the server byte by byte.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use rcgen::{KeyPair, PublicKeyData, SigningKey};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{TempDir, WAIT};

pub const CN: &str = "2.5.4.3";
pub const C: &str = "2.5.4.6";
pub const L: &str = "2.5.4.7";
pub const ST: &str = "2.5.4.8";
pub const O: &str = "2.5.4.10";
pub const OU: &str = "2.5.4.11";
pub const DC: &str = "0.9.2342.19200300.100.1.25";
pub const EMAIL_ATTR: &str = "1.2.840.113549.1.9.1";

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let b: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|x| *x == 0)
            .collect();
        out.push(0x80 | b.len() as u8);
        out.extend(b);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut chunk = vec![(a & 0x7f) as u8];
        let mut v = a >> 7;
        while v > 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        chunk.reverse();
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

/// A Name from RDNs in certificate order; each RDN is a set of (oid, value) pairs.
pub fn name(rdns: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let sets: Vec<Vec<u8>> = rdns
        .iter()
        .map(|rdn| {
            let atvs: Vec<u8> = rdn
                .iter()
                .flat_map(|(o, v)| {
                    let tag = if *o == C {
                        0x13
                    } else if *o == DC || *o == EMAIL_ATTR {
                        0x16
                    } else {
                        0x0c
                    };
                    seq(&[oid(o), tlv(tag, v.as_bytes())])
                })
                .collect();
            tlv(0x31, &atvs)
        })
        .collect();
    seq(&sets)
}

fn gen_time(t: SystemTime) -> Vec<u8> {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let dt = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    let s = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    tlv(0x18, s.as_bytes())
}

/// What a test certificate says.
#[derive(Clone)]
pub struct Spec {
    pub subject: Vec<Vec<(&'static str, String)>>,
    pub dns: Vec<String>,
    pub emails: Vec<String>,
    pub uris: Vec<String>,
    pub ips: Vec<IpAddr>,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
    pub ca: bool,
}

impl Spec {
    pub fn new(subject: &[Vec<(&'static str, &str)>]) -> Spec {
        Spec {
            subject: subject
                .iter()
                .map(|r| r.iter().map(|(o, v)| (*o, v.to_string())).collect())
                .collect(),
            dns: Vec::new(),
            emails: Vec::new(),
            uris: Vec::new(),
            ips: Vec::new(),
            not_before: SystemTime::now() - Duration::from_secs(3600),
            not_after: SystemTime::now() + Duration::from_secs(86_400),
            ca: false,
        }
    }

    pub fn cn(cn: &str) -> Spec {
        Spec::new(&[vec![(CN, cn)]])
    }

    pub fn dns(mut self, names: &[&str]) -> Spec {
        self.dns = names.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn emails(mut self, names: &[&str]) -> Spec {
        self.emails = names.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn uris(mut self, names: &[&str]) -> Spec {
        self.uris = names.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn expired(mut self) -> Spec {
        self.not_before = SystemTime::now() - Duration::from_secs(2 * 86_400);
        self.not_after = SystemTime::now() - Duration::from_secs(86_400);
        self
    }

    fn subject_der(&self) -> Vec<u8> {
        let rdns: Vec<Vec<(&str, &str)>> = self
            .subject
            .iter()
            .map(|r| r.iter().map(|(o, v)| (*o, v.as_str())).collect())
            .collect();
        name(&rdns)
    }

    fn extensions(&self) -> Vec<u8> {
        let ext = |id: &str, critical: bool, value: Vec<u8>| {
            let mut parts = vec![oid(id)];
            if critical {
                parts.push(vec![0x01, 0x01, 0xff]);
            }
            parts.push(tlv(0x04, &value));
            seq(&parts)
        };
        let mut exts = Vec::new();
        if self.ca {
            exts.push(ext("2.5.29.19", true, seq(&[vec![0x01, 0x01, 0xff]])));
            exts.push(ext("2.5.29.15", true, vec![0x03, 0x02, 0x01, 0x06]));
        } else {
            exts.push(ext("2.5.29.15", true, vec![0x03, 0x02, 0x07, 0x80]));
            exts.push(ext(
                "2.5.29.37",
                false,
                seq(&[oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")]),
            ));
        }
        let mut names = Vec::new();
        for e in &self.emails {
            names.extend(tlv(0x81, e.as_bytes()));
        }
        for d in &self.dns {
            names.extend(tlv(0x82, d.as_bytes()));
        }
        for u in &self.uris {
            names.extend(tlv(0x86, u.as_bytes()));
        }
        for ip in &self.ips {
            match ip {
                IpAddr::V4(v4) => names.extend(tlv(0x87, &v4.octets())),
                IpAddr::V6(v6) => names.extend(tlv(0x87, &v6.octets())),
            }
        }
        if !names.is_empty() {
            exts.push(ext("2.5.29.17", false, tlv(0x30, &names)));
        }
        tlv(0xa3, &tlv(0x30, &exts.concat()))
    }

    /// The DER certificate for `key`, signed by `issuer` (its subject and key), or self-signed.
    pub fn build(&self, key: &KeyPair, issuer: Option<(&[u8], &KeyPair)>) -> Vec<u8> {
        let alg = seq(&[oid("1.2.840.10045.4.3.2")]);
        let own = self.subject_der();
        let (issuer_name, signer) = issuer.unwrap_or((&own, key));
        let mut serial = vec![0x01];
        serial.extend(rand::random::<[u8; 8]>());
        let tbs = seq(&[
            tlv(0xa0, &[0x02, 0x01, 0x02]),
            tlv(0x02, &serial),
            alg.clone(),
            issuer_name.to_vec(),
            seq(&[gen_time(self.not_before), gen_time(self.not_after)]),
            own.clone(),
            key.subject_public_key_info(),
            self.extensions(),
        ]);
        let sig = signer.sign(&tbs).expect("sign");
        let mut bits = vec![0u8];
        bits.extend(sig);
        seq(&[tbs, alg, tlv(0x03, &bits)])
    }
}

fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A certificate and key written to files.
#[derive(Clone)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub der: Vec<u8>,
    pub spki: Vec<u8>,
}

impl CertFiles {
    /// Lower-case hex SHA-256 of the SubjectPublicKeyInfo (a `pinned_certs` entry).
    pub fn spki_sha256(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(&self.spki)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A test CA with a server certificate for `localhost` and 127.0.0.1, in its own temp dir.
pub struct Pki {
    pub dir: TempDir,
    ca_key: KeyPair,
    ca_subject: Vec<u8>,
    pub ca: PathBuf,
    pub server: CertFiles,
}

impl Pki {
    pub fn new(tag: &str) -> Pki {
        let dir = TempDir::new(tag);
        let ca_key = KeyPair::generate().expect("key");
        let mut spec = Spec::new(&[vec![(O, "rnats tests")], vec![(CN, &format!("{tag} CA"))]]);
        spec.ca = true;
        let ca_der = spec.build(&ca_key, None);
        let ca = dir.0.join("ca.pem");
        std::fs::write(&ca, pem(&ca_der)).unwrap();
        let mut pki = Pki {
            ca_subject: spec.subject_der(),
            ca_key,
            ca,
            server: CertFiles {
                cert: PathBuf::new(),
                key: PathBuf::new(),
                der: Vec::new(),
                spki: Vec::new(),
            },
            dir,
        };
        let mut server = Spec::cn("localhost").dns(&["localhost"]);
        server.ips = vec!["127.0.0.1".parse().unwrap()];
        pki.server = pki.issue("server", &server);
        pki
    }

    /// A certificate signed by this CA.
    pub fn issue(&self, name: &str, spec: &Spec) -> CertFiles {
        let key = KeyPair::generate().expect("key");
        let der = spec.build(&key, Some((&self.ca_subject, &self.ca_key)));
        let cert = self.dir.0.join(format!("{name}-cert.pem"));
        let keyf = self.dir.0.join(format!("{name}-key.pem"));
        std::fs::write(&cert, pem(&der)).unwrap();
        std::fs::write(&keyf, key.serialize_pem()).unwrap();
        CertFiles {
            cert,
            key: keyf,
            der,
            spki: key.subject_public_key_info(),
        }
    }

    /// The `tls {}` block for the server certificate, with `extra` keys.
    pub fn tls_block(&self, extra: &str) -> String {
        format!(
            "tls {{\n  cert_file: {:?}\n  key_file: {:?}\n  ca_file: {:?}\n  {extra}\n}}\n",
            self.server.cert.display().to_string(),
            self.server.key.display().to_string(),
            self.ca.display().to_string()
        )
    }

    /// A rustls client trusting this CA, presenting `cert` if given.
    pub fn client_config(&self, cert: Option<&CertFiles>) -> Arc<rustls::ClientConfig> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&self.ca).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let b = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        Arc::new(match cert {
            Some(c) => b
                .with_client_auth_cert(
                    vec![CertificateDer::from(c.der.clone())],
                    PrivateKeyDer::from_pem_file(&c.key).unwrap(),
                )
                .unwrap(),
            None => b.with_no_client_auth(),
        })
    }

    /// Options from a configuration text (written to a file in this PKI's dir), for an in-process server.
    pub fn options(&self, conf: &str) -> server::Options {
        let path = self
            .dir
            .0
            .join(format!("srv-{}.conf", rand::random::<u32>()));
        std::fs::write(&path, conf).unwrap();
        let mut o = server::Options::for_test();
        server::config::options::load_file(&mut o, &path).expect("config loads");
        o
    }
}

/// A line-oriented client over any stream, for byte-exact checks over TLS.
pub struct Conn<S> {
    pub s: S,
    pub buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub fn new(s: S) -> Self {
        Conn { s, buf: Vec::new() }
    }

    pub async fn send(&mut self, b: &[u8]) {
        self.s.write_all(b).await.expect("write");
        self.s.flush().await.expect("flush");
    }

    async fn fill(&mut self) -> usize {
        let mut tmp = [0u8; 4096];
        match tokio::time::timeout(WAIT, self.s.read(&mut tmp)).await {
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&tmp[..n]);
                n
            }
            Ok(Err(_)) => 0,
            Err(_) => panic!(
                "timed out waiting for data; have {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
        }
    }

    pub async fn read_line(&mut self) -> String {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return String::from_utf8_lossy(&line).into_owned();
            }
            if self.fill().await == 0 {
                panic!("closed; have {:?}", String::from_utf8_lossy(&self.buf));
            }
        }
    }

    /// Everything until the peer closes (or the read fails).
    pub async fn until_closed(&mut self) -> Vec<u8> {
        while self.fill().await > 0 {}
        std::mem::take(&mut self.buf)
    }
}

/// Parse an INFO line's JSON.
pub fn info_json(line: &str) -> serde_json::Value {
    assert!(
        line.starts_with("INFO {") && line.ends_with("} \r\n"),
        "bad INFO line: {line:?}"
    );
    serde_json::from_str(&line[5..line.len() - 3]).expect("INFO JSON")
}

pub type TlsClient = tokio_rustls::client::TlsStream<TcpStream>;

/// Connect, read the plain INFO, then do the TLS handshake.
pub async fn connect_tls(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
) -> (std::io::Result<TlsClient>, serde_json::Value) {
    let mut tcp = Conn::new(TcpStream::connect(addr).await.expect("connect"));
    let info = info_json(&tcp.read_line().await);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp.s)
        .await;
    (tls, info)
}

/// Connect and do the TLS handshake at once (`handshake_first`).
pub async fn connect_tls_first(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
) -> std::io::Result<TlsClient> {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
}

/// A TLS session that works: CONNECT (with `connect_json`), PING answered by PONG (after `+OK` when verbose).
pub async fn expect_session(tls: TlsClient, connect_json: &str) -> Conn<TlsClient> {
    let mut c = Conn::new(tls);
    c.send(format!("CONNECT {connect_json}\r\nPING\r\n").as_bytes())
        .await;
    let mut line = c.read_line().await;
    if line == "+OK\r\n" {
        line = c.read_line().await;
    }
    assert_eq!(line, "PONG\r\n", "expected PONG over TLS");
    c
}

/// True when the TLS session is refused: the handshake fails, or the first read after it sees an alert
/// or EOF (TLS 1.3 servers reject a client certificate after the client thinks the handshake is done).
pub async fn refused(tls: std::io::Result<TlsClient>) -> bool {
    let Ok(tls) = tls else { return true };
    let mut c = Conn::new(tls);
    let _ = c.s.write_all(b"CONNECT {}\r\nPING\r\n").await;
    let mut tmp = [0u8; 256];
    match tokio::time::timeout(WAIT, c.s.read(&mut tmp)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => false,
        Err(_) => panic!("no answer and no close"),
    }
}
