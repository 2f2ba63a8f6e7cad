//! TLS for client connections and the HTTPS monitor, with rustls. Owns Go's `TLSConfigOpts` (what a `tls {}`
//! block or the `--tls*` flags say) and [`gen_tls_config`], the counterpart of Go's `GenTLSConfig`: load the
//! key pair and CA file with Go's error texts, require client certificates for `verify`, apply
//! `min_version`, cipher suites and curves. What rustls cannot do (a Go cipher suite or curve it has no
//! implementation of) is refused here by name, never silently dropped.

pub mod dn;
pub mod handshake;
pub mod rate;
pub mod suites;
pub mod verify;
pub mod x509;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::crypto::{ring as provider, CryptoProvider};
use rustls::pki_types::pem::{SectionKind, SliceIter};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};
use sha2::{Digest, Sha256};

/// Go's `TLS_TIMEOUT`: the default handshake timeout, in seconds.
pub const DEFAULT_TLS_TIMEOUT: f64 = 2.0;
/// Go's `DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY` (`handshake_first: auto`).
pub const DEFAULT_HANDSHAKE_FIRST_FALLBACK: Duration = Duration::from_millis(50);

/// TLS protocol versions as Go numbers them.
pub const VERSION_TLS12: u16 = 0x0303;
pub const VERSION_TLS13: u16 = 0x0304;

/// Go's `TLSConfigOpts`: the parsed `tls {}` block (or the TLS flags).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsConfigOpts {
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub verify: bool,
    pub insecure: bool,
    /// `verify_and_map`: the client certificate names the user.
    pub map: bool,
    pub check_known_urls: bool,
    pub handshake_first: bool,
    pub fallback_delay: Duration,
    /// Seconds; 0 means the default.
    pub timeout: f64,
    pub rate_limit: i64,
    pub allow_insecure_ciphers: bool,
    /// Go names as configured; `None` means Go's defaults.
    pub ciphers: Option<Vec<&'static suites::GoCipher>>,
    pub curves: Option<Vec<&'static suites::GoCurve>>,
    /// Lower-case hex SHA-256 of a client certificate's SubjectPublicKeyInfo.
    pub pinned_certs: Option<BTreeSet<String>>,
    /// 0 means TLS 1.2.
    pub min_version: u16,
    /// `certs`: several key pairs, chosen by the name the client asks for.
    pub certificates: Vec<(String, String)>,
}

impl PartialEq for suites::GoCipher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
    }
}

impl PartialEq for suites::GoCurve {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
    }
}

/// A usable TLS setup (Go's `*tls.Config` after `GenTLSConfig`).
pub struct TlsConfig {
    /// For the client listener.
    pub server: Arc<ServerConfig>,
    /// For the HTTPS monitor: the same certificates, never asking for a client certificate.
    pub monitor: Arc<ServerConfig>,
    /// Client certificates are required and verified (Go's `RequireAndVerifyClientCert`).
    pub verify: bool,
    /// Expiry of the first certificate (varz `tls_cert_not_after`).
    pub cert_not_after: Option<SystemTime>,
    /// Digest of the settings and of every file read, to tell whether a reload changed anything.
    fingerprint: [u8; 32],
    /// What a per-connection configuration is built from when client certificates are verified.
    parts: Parts,
}

struct Parts {
    provider: Arc<CryptoProvider>,
    versions: &'static [&'static rustls::SupportedProtocolVersion],
    verifier: Option<Arc<dyn ClientCertVerifier>>,
    resolver: Arc<Certs>,
}

fn server_config(
    parts: &Parts,
    verifier: Option<Arc<dyn ClientCertVerifier>>,
) -> Result<ServerConfig, String> {
    let b = ServerConfig::builder_with_provider(parts.provider.clone())
        .with_protocol_versions(parts.versions)
        .map_err(|e| e.to_string())?;
    let mut cfg = match verifier {
        Some(v) => b.with_client_cert_verifier(v),
        None => b.with_no_client_auth(),
    }
    .with_cert_resolver(parts.resolver.clone());
    // Go chooses the suite by its own preference, not the client's.
    cfg.ignore_client_order = true;
    Ok(cfg)
}

impl TlsConfig {
    /// The configuration for one client connection. With client verification it records the certificates
    /// the client presents, for the log line of a refused one.
    pub fn for_connection(&self) -> (Arc<ServerConfig>, Option<Arc<verify::Recording>>) {
        let Some(inner) = &self.parts.verifier else {
            return (self.server.clone(), None);
        };
        let rec = Arc::new(verify::Recording::new(inner.clone()));
        match server_config(&self.parts, Some(rec.clone())) {
            Ok(cfg) => (Arc::new(cfg), Some(rec)),
            Err(_) => (self.server.clone(), None),
        }
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("verify", &self.verify)
            .field("cert_not_after", &self.cert_not_after)
            .finish_non_exhaustive()
    }
}

impl PartialEq for TlsConfig {
    fn eq(&self, o: &Self) -> bool {
        self.fingerprint == o.fingerprint
    }
}

/// Go's error text for a failed `os.Open`/`os.ReadFile`: `open <path>: <lower-case reason>`.
fn open_error(path: &str, e: &std::io::Error) -> String {
    let reason = match e.raw_os_error() {
        Some(code) => {
            let s = std::io::Error::from_raw_os_error(code).to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
        None => e.to_string(),
    };
    format!("open {path}: {reason}")
}

fn read_file(path: &str, digest: &mut Sha256) -> Result<Vec<u8>, String> {
    let b = std::fs::read(path).map_err(|e| open_error(path, &e))?;
    digest.update(path.as_bytes());
    digest.update((b.len() as u64).to_be_bytes());
    digest.update(&b);
    Ok(b)
}

fn section_name(k: SectionKind) -> &'static str {
    match k {
        SectionKind::Certificate => "CERTIFICATE",
        SectionKind::PublicKey => "PUBLIC KEY",
        SectionKind::RsaPrivateKey => "RSA PRIVATE KEY",
        SectionKind::PrivateKey => "PRIVATE KEY",
        SectionKind::EcPrivateKey => "EC PRIVATE KEY",
        SectionKind::Crl => "X509 CRL",
        SectionKind::Csr => "CERTIFICATE REQUEST",
        _ => "UNKNOWN",
    }
}

fn pem_sections(b: &[u8]) -> Vec<(SectionKind, Vec<u8>)> {
    SliceIter::<(SectionKind, Vec<u8>)>::new(b)
        .map_while(Result::ok)
        .collect()
}

/// Go's `tls.X509KeyPair`, with its error texts.
fn key_pair(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    let secs = pem_sections(cert_pem);
    let certs: Vec<CertificateDer<'static>> = secs
        .iter()
        .filter(|(k, _)| *k == SectionKind::Certificate)
        .map(|(_, d)| CertificateDer::from(d.clone()))
        .collect();
    if certs.is_empty() {
        if secs.is_empty() {
            return Err("tls: failed to find any PEM data in certificate input".into());
        }
        let skipped: Vec<&str> = secs.iter().map(|(k, _)| section_name(*k)).collect();
        return Err(format!(
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]",
            skipped.join(" ")
        ));
    }
    let ksecs = pem_sections(key_pem);
    let key = ksecs.iter().find(|(k, _)| {
        matches!(
            k,
            SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey
        )
    });
    let Some((kind, der)) = key else {
        if ksecs.is_empty() {
            return Err("tls: failed to find any PEM data in key input".into());
        }
        if ksecs.iter().any(|(k, _)| *k == SectionKind::Certificate) {
            return Err(
                "tls: found a certificate rather than a key in the PEM for the private key".into(),
            );
        }
        let skipped: Vec<&str> = ksecs.iter().map(|(k, _)| section_name(*k)).collect();
        return Err(format!(
            "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{}]",
            skipped.join(" ")
        ));
    };
    let key = match kind {
        SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(der.clone().into()),
        SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(der.clone().into()),
        _ => PrivateKeyDer::Pkcs8(der.clone().into()),
    };
    let signer = provider::sign::any_supported_type(&key)
        .map_err(|_| "tls: failed to parse private key".to_string())?;
    let ck = CertifiedKey::new(certs, signer);
    ck.keys_match()
        .map_err(|_| "tls: private key does not match public key".to_string())?;
    Ok(ck)
}

/// Picks the key pair for a connection: the first whose names cover the server name the client asked
/// for, else the first (Go's `getCertificate` over several certificates).
#[derive(Debug)]
struct Certs(Vec<(Arc<CertifiedKey>, Vec<String>)>);

impl ResolvesServerCert for Certs {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if let Some(sni) = hello.server_name() {
            let sni = sni.to_ascii_lowercase();
            let covers = |n: &String| {
                let n = n.to_ascii_lowercase();
                n == sni
                    || n.strip_prefix("*.").is_some_and(|rest| {
                        sni.split_once('.').is_some_and(|(_, tail)| tail == rest)
                    })
            };
            if let Some((ck, _)) = self.0.iter().find(|(_, names)| names.iter().any(covers)) {
                return Some(ck.clone());
            }
        }
        self.0.first().map(|(ck, _)| ck.clone())
    }
}

/// The crypto provider for the configured suites and curves; refuses what rustls does not implement.
fn crypto_provider(tc: &TlsConfigOpts) -> Result<CryptoProvider, String> {
    let mut p = provider::default_provider();
    if let Some(ciphers) = &tc.ciphers {
        // Go does not let TLS 1.3 suites be configured: they are always on. The list shapes TLS 1.2.
        let mut list: Vec<rustls::SupportedCipherSuite> = provider::ALL_CIPHER_SUITES
            .iter()
            .copied()
            .filter(|s| s.version() == &rustls::version::TLS13)
            .collect();
        for c in ciphers.iter().filter(|c| !c.tls13) {
            match c.rustls {
                Some(s) => {
                    if !list.iter().any(|x| x.suite() == s.suite()) {
                        list.push(s)
                    }
                }
                None => {
                    return Err(format!(
                    "cipher suite {} is not supported by rnats: rustls has no implementation of it",
                    c.name
                ))
                }
            }
        }
        p.cipher_suites = list;
    }
    if let Some(curves) = &tc.curves {
        let mut groups = Vec::new();
        for c in curves {
            match c.rustls {
                Some(g) => groups.push(g),
                None => {
                    return Err(format!(
                        "curve preference {} is not supported by rnats: rustls has no implementation of it",
                        c.name
                    ))
                }
            }
        }
        p.kx_groups = groups;
    }
    Ok(p)
}

/// Go's `GenTLSConfig`: the usable configuration, or Go's error text.
pub fn gen_tls_config(tc: &TlsConfigOpts) -> Result<TlsConfig, String> {
    let mut digest = Sha256::new();
    digest.update(format!("{tc:?}").as_bytes());
    let mut pairs: Vec<CertifiedKey> = Vec::new();
    match (tc.cert_file.is_empty(), tc.key_file.is_empty()) {
        (false, true) => return Err("missing 'key_file' in TLS configuration".into()),
        (true, false) => return Err("missing 'cert_file' in TLS configuration".into()),
        (false, false) => {
            let c = read_file(&tc.cert_file, &mut digest)
                .map_err(|e| format!("error parsing X509 certificate/key pair: {e}"))?;
            let k = read_file(&tc.key_file, &mut digest)
                .map_err(|e| format!("error parsing X509 certificate/key pair: {e}"))?;
            pairs.push(
                key_pair(&c, &k)
                    .map_err(|e| format!("error parsing X509 certificate/key pair: {e}"))?,
            );
        }
        (true, true) => {
            let n = tc.certificates.len();
            for (i, (cf, kf)) in tc.certificates.iter().enumerate() {
                let fail = |e: String| {
                    format!("error parsing X509 certificate/key pair {}/{n}: {e}", i + 1)
                };
                let c = read_file(cf, &mut digest).map_err(fail)?;
                let k = read_file(kf, &mut digest).map_err(fail)?;
                pairs.push(key_pair(&c, &k).map_err(fail)?);
            }
        }
    }
    let mut certs = Vec::new();
    let mut cert_not_after = None;
    for (i, ck) in pairs.into_iter().enumerate() {
        let leaf = ck.cert.first().map(|c| x509::parse(c.as_ref()));
        let info = match leaf {
            Some(Ok(info)) => info,
            _ => {
                return Err(if tc.certificates.is_empty() {
                    "error parsing certificate: x509: malformed certificate".to_string()
                } else {
                    format!(
                        "error parsing certificate {}/{}: x509: malformed certificate",
                        i + 1,
                        tc.certificates.len()
                    )
                })
            }
        };
        if i == 0 {
            cert_not_after = info.not_after;
        }
        certs.push((Arc::new(ck), info.dns_names));
    }
    let roots = if tc.ca_file.is_empty() {
        None
    } else {
        let pem = read_file(&tc.ca_file, &mut digest)?;
        let mut store = RootCertStore::empty();
        for (kind, der) in pem_sections(&pem) {
            if kind == SectionKind::Certificate {
                let _ = store.add(CertificateDer::from(der));
            }
        }
        if store.is_empty() {
            return Err("failed to parse root ca certificate".into());
        }
        Some(store)
    };
    if tc.min_version > 0 && tc.min_version < VERSION_TLS12 {
        return Err(format!(
            "unsupported minimum TLS version: {}",
            version_name(tc.min_version)
        ));
    }
    static ONLY_13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    static FROM_12: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    let versions: &'static [&'static rustls::SupportedProtocolVersion] =
        if tc.min_version >= VERSION_TLS13 {
            &ONLY_13
        } else {
            &FROM_12
        };
    let p = Arc::new(crypto_provider(tc)?);
    let verifier: Option<Arc<dyn ClientCertVerifier>> = if tc.verify {
        // Without a CA file Go verifies against the system's roots.
        let store = match roots {
            Some(r) => r,
            None => {
                let mut r = RootCertStore::empty();
                for c in rustls_native_certs::load_native_certs().certs {
                    let _ = r.add(c);
                }
                r
            }
        };
        Some(if store.is_empty() {
            Arc::new(verify::NoRoots(p.signature_verification_algorithms))
        } else {
            WebPkiClientVerifier::builder_with_provider(Arc::new(store), p.clone())
                .build()
                .map_err(|e| e.to_string())?
        })
    } else {
        None
    };
    let parts = Parts {
        provider: p,
        versions,
        verifier,
        resolver: Arc::new(Certs(certs)),
    };
    Ok(TlsConfig {
        server: Arc::new(server_config(&parts, parts.verifier.clone())?),
        monitor: Arc::new(server_config(&parts, None)?),
        verify: tc.verify,
        cert_not_after,
        fingerprint: digest.finalize().into(),
        parts,
    })
}

/// Go's `tls.VersionName` for the versions it may print.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSLv3".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        VERSION_TLS12 => "TLS 1.2".into(),
        VERSION_TLS13 => "TLS 1.3".into(),
        _ => format!("0x{v:04X}"),
    }
}

/// Go's `tlsVersionFromString`.
pub fn version_from_str(s: &str) -> Result<u16, String> {
    match s {
        "1.0" => Ok(0x0301),
        "1.1" => Ok(0x0302),
        "1.2" => Ok(VERSION_TLS12),
        "1.3" => Ok(VERSION_TLS13),
        _ => Err(format!("unknown version: {s}")),
    }
}

/// The TLS setup from the `--tls*` flags (Go's `overrideTLS`).
pub fn from_flags(cert: &str, key: &str, ca: &str, verify: bool) -> Result<TlsConfig, String> {
    if cert.is_empty() {
        return Err("TLS Server certificate must be present and valid".into());
    }
    if key.is_empty() {
        return Err("TLS Server private key must be present and valid".into());
    }
    gen_tls_config(&TlsConfigOpts {
        cert_file: cert.into(),
        key_file: key.into(),
        ca_file: ca.into(),
        verify,
        ..TlsConfigOpts::default()
    })
}

/// A self-signed key pair written to files, for tests that need real certificate files.
#[cfg(test)]
pub(crate) fn test_key_pair(name: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("rnats-tls-{}-{name}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&c, cert.pem()).expect("write cert");
    std::fs::write(&k, key.serialize_pem()).expect("write key");
    (c.display().to_string(), k.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_pair_errors_use_go_texts() {
        let (c, k) = test_key_pair("gen");
        let ok = TlsConfigOpts {
            cert_file: c.clone(),
            key_file: k.clone(),
            ..TlsConfigOpts::default()
        };
        let cfg = gen_tls_config(&ok).expect("valid pair");
        assert!(cfg.cert_not_after.is_some());
        assert_eq!(
            gen_tls_config(&ok).unwrap(),
            cfg,
            "same files, same fingerprint"
        );
        let swap = TlsConfigOpts {
            cert_file: k.clone(),
            key_file: c.clone(),
            ..TlsConfigOpts::default()
        };
        assert_eq!(
            gen_tls_config(&swap).unwrap_err(),
            "error parsing X509 certificate/key pair: tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [PRIVATE KEY]"
        );
        let both_cert = TlsConfigOpts {
            cert_file: c.clone(),
            key_file: c.clone(),
            ..TlsConfigOpts::default()
        };
        assert_eq!(
            gen_tls_config(&both_cert).unwrap_err(),
            "error parsing X509 certificate/key pair: tls: found a certificate rather than a key in the PEM for the private key"
        );
        let (_, other_key) = test_key_pair("other");
        let mismatch = TlsConfigOpts {
            cert_file: c.clone(),
            key_file: other_key,
            ..TlsConfigOpts::default()
        };
        assert_eq!(
            gen_tls_config(&mismatch).unwrap_err(),
            "error parsing X509 certificate/key pair: tls: private key does not match public key"
        );
        let missing = TlsConfigOpts {
            cert_file: "/nonexistent/c.pem".into(),
            key_file: k.clone(),
            ..TlsConfigOpts::default()
        };
        assert_eq!(
            gen_tls_config(&missing).unwrap_err(),
            "error parsing X509 certificate/key pair: open /nonexistent/c.pem: no such file or directory"
        );
        let bad_ca = TlsConfigOpts {
            ca_file: k.clone(),
            ..ok.clone()
        };
        assert_eq!(
            gen_tls_config(&bad_ca).unwrap_err(),
            "failed to parse root ca certificate"
        );
        let cbc = TlsConfigOpts {
            ciphers: Some(vec![
                suites::cipher("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").unwrap(),
                suites::cipher("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA").unwrap(),
            ]),
            ..ok.clone()
        };
        assert_eq!(
            gen_tls_config(&cbc).unwrap_err(),
            "cipher suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is not supported by rnats: rustls has no implementation of it"
        );
        let p521 = TlsConfigOpts {
            curves: Some(vec![suites::curve("CurveP521").unwrap()]),
            ..ok
        };
        assert!(gen_tls_config(&p521)
            .unwrap_err()
            .starts_with("curve preference CurveP521 is not supported by rnats"));
    }
}
