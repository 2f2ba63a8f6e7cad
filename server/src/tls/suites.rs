//! Go's TLS cipher suite and curve names (crypto/tls `CipherSuites`, `InsecureCipherSuites` and the
//! server's `curvePreferenceMap`) and what rustls has for each. A name Go knows but rustls lacks is refused
//! with a clear error rather than dropped: a configuration never ends up weaker or narrower than written.

use rustls::crypto::ring::{cipher_suite as rs, kx_group};
use rustls::crypto::SupportedKxGroup;
use rustls::SupportedCipherSuite;

/// One of Go's cipher suites.
#[derive(Debug)]
pub struct GoCipher {
    pub name: &'static str,
    /// Go lists it in `InsecureCipherSuites`: refused unless `allow_insecure_cipher_suites` is set.
    pub insecure: bool,
    /// TLS 1.3 suites are not configurable in Go (always on); the list only shapes TLS 1.2.
    pub tls13: bool,
    pub rustls: Option<SupportedCipherSuite>,
}

const fn c(
    name: &'static str,
    insecure: bool,
    tls13: bool,
    rustls: Option<SupportedCipherSuite>,
) -> GoCipher {
    GoCipher {
        name,
        insecure,
        tls13,
        rustls,
    }
}

/// Every cipher suite name Go 1.26 accepts in `cipher_suites`.
pub static CIPHERS: &[GoCipher] = &[
    c(
        "TLS_AES_128_GCM_SHA256",
        false,
        true,
        Some(rs::TLS13_AES_128_GCM_SHA256),
    ),
    c(
        "TLS_AES_256_GCM_SHA384",
        false,
        true,
        Some(rs::TLS13_AES_256_GCM_SHA384),
    ),
    c(
        "TLS_CHACHA20_POLY1305_SHA256",
        false,
        true,
        Some(rs::TLS13_CHACHA20_POLY1305_SHA256),
    ),
    c("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false, false, None),
    c("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false, false, None),
    c("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, false, None),
    c("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false, false, None),
    c(
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        false,
        false,
        Some(rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    ),
    c(
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        false,
        false,
        Some(rs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
    ),
    c(
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        false,
        false,
        Some(rs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    ),
    c(
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        false,
        false,
        Some(rs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
    ),
    c(
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        false,
        Some(rs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
    ),
    c(
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        false,
        Some(rs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
    ),
    c("TLS_RSA_WITH_RC4_128_SHA", true, false, None),
    c("TLS_RSA_WITH_3DES_EDE_CBC_SHA", true, false, None),
    c("TLS_RSA_WITH_AES_128_CBC_SHA", true, false, None),
    c("TLS_RSA_WITH_AES_256_CBC_SHA", true, false, None),
    c("TLS_RSA_WITH_AES_128_CBC_SHA256", true, false, None),
    c("TLS_RSA_WITH_AES_128_GCM_SHA256", true, false, None),
    c("TLS_RSA_WITH_AES_256_GCM_SHA384", true, false, None),
    c("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", true, false, None),
    c("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", true, false, None),
    c("TLS_ECDHE_RSA_WITH_RC4_128_SHA", true, false, None),
    c("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", true, false, None),
    c("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", true, false, None),
];

/// One of Go's curve preference names.
#[derive(Debug)]
pub struct GoCurve {
    pub name: &'static str,
    pub rustls: Option<&'static dyn SupportedKxGroup>,
}

/// Every curve name Go 1.26 accepts in `curve_preferences`. The post-quantum hybrids and P-521 have no
/// implementation in rustls' ring provider.
pub static CURVES: &[GoCurve] = &[
    GoCurve {
        name: "SecP384r1MLKEM1024",
        rustls: None,
    },
    GoCurve {
        name: "SecP256r1MLKEM768",
        rustls: None,
    },
    GoCurve {
        name: "X25519MLKEM768",
        rustls: None,
    },
    GoCurve {
        name: "X25519",
        rustls: Some(kx_group::X25519),
    },
    GoCurve {
        name: "CurveP256",
        rustls: Some(kx_group::SECP256R1),
    },
    GoCurve {
        name: "CurveP384",
        rustls: Some(kx_group::SECP384R1),
    },
    GoCurve {
        name: "CurveP521",
        rustls: None,
    },
];

/// Go's `parseCipher`.
pub fn cipher(name: &str) -> Result<&'static GoCipher, String> {
    CIPHERS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("unrecognized cipher {name}"))
}

/// Go's `parseCurvePreferences`.
pub fn curve(name: &str) -> Result<&'static GoCurve, String> {
    CURVES
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("unrecognized curve preference {name}"))
}

/// Go's name of a negotiated suite (`tls.CipherSuiteName`), for the handshake debug line.
pub fn go_name(suite: SupportedCipherSuite) -> String {
    CIPHERS
        .iter()
        .find(|c| c.rustls.is_some_and(|s| s.suite() == suite.suite()))
        .map(|c| c.name.to_string())
        .unwrap_or_else(|| format!("0x{:04X}", u16::from(suite.suite())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_go_and_map_to_rustls_where_it_has_them() {
        assert_eq!(
            cipher("TLS_FOO").unwrap_err(),
            "unrecognized cipher TLS_FOO"
        );
        assert_eq!(
            curve("CurveP999").unwrap_err(),
            "unrecognized curve preference CurveP999"
        );
        assert!(cipher("TLS_RSA_WITH_AES_128_GCM_SHA256").unwrap().insecure);
        assert!(
            !cipher("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
                .unwrap()
                .insecure
        );
        assert!(cipher("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
            .unwrap()
            .rustls
            .is_none());
        assert!(curve("CurveP521").unwrap().rustls.is_none());
        assert_eq!(
            go_name(rs::TLS13_AES_128_GCM_SHA256),
            "TLS_AES_128_GCM_SHA256"
        );
        // Go's --help_tls lists the same names.
        let mut ours: Vec<&str> = CIPHERS.iter().map(|c| c.name).collect();
        ours.sort_unstable();
        let mut help = crate::flags::cipher_suite_names().to_vec();
        help.sort_unstable();
        assert_eq!(ours, help);
    }
}
