//! `verify_and_map`: the user a verified client certificate stands for (Go's `checkClientTLSCertSubject` with
//! the client lookup of `processClientOrLeafAuthentication`). Tried in Go's order: each e-mail, DNS name and
//! URI of the subject alternative names as a user name; then a configured user whose name, read as an LDAP
//! DN, equals the certificate's subject (same RDN order, then any order); then the subject in Go's RFC 2253
//! form with the domain components appended; then that form alone.

use std::sync::Arc;

use super::{connection_type_allowed, AuthConfig, User};
use crate::tls::dn::{self, Dn};
use crate::tls::x509::CertInfo;

/// The configured user the certificate maps to, if any. Debug lines say which part of the certificate
/// matched, as Go's do.
pub fn map_user(cfg: &AuthConfig, cert: &CertInfo, label: &str) -> Option<Arc<User>> {
    let by_name = |name: &str| -> Option<Arc<User>> {
        cfg.users
            .get(name)
            .filter(|u| connection_type_allowed(&u.allowed_connection_types))
            .cloned()
    };
    let subject = dn::name_string(&cert.subject);
    if cert.dns_names.is_empty()
        && cert.emails.is_empty()
        && cert.uris.is_empty()
        && subject.is_empty()
    {
        tracing::debug!("{label} - User required in cert, none found");
        return None;
    }
    for (names, what) in [
        (&cert.emails, "email"),
        (&cert.dns_names, "SAN"),
        (&cert.uris, "URI"),
    ] {
        for n in names {
            if let Some(u) = by_name(n) {
                tracing::debug!(
                    "{label} - Using {what} found in cert for auth [{:?}]",
                    u.username
                );
                return Some(u);
            }
        }
    }
    let rdn = dn::rdn_sequence_string(&dn::to_rdn_sequence(&cert.subject));
    if let Some(cert_dn) = Dn::from_cert_subject(&cert.subject) {
        if let Some(u) = by_dn(cfg, &cert_dn) {
            tracing::debug!(
                "{label} - Using DistinguishedNameMatch for auth [{:?}]",
                u.username
            );
            return Some(u);
        }
        tracing::debug!("{label} - DistinguishedNameMatch could not be used for auth [{rdn:?}]");
    }
    let dcs = dn::domain_components(&cert.subject);
    if !dcs.is_empty() {
        let with_dcs = format!("{rdn},{dcs}");
        if let Some(u) = by_name(&with_dcs) {
            tracing::debug!("{label} - Using RDNSequence for auth [{:?}]", u.username);
            return Some(u);
        }
        tracing::debug!("{label} - RDNSequence could not be used for auth [{with_dcs:?}]");
    }
    if let Some(u) = by_name(&rdn) {
        tracing::debug!(
            "{label} - Using certificate subject for auth [{:?}]",
            u.username
        );
        return Some(u);
    }
    tracing::debug!("{label} - User in cert [{rdn:?}], not found");
    None
}

/// A user whose name is a DN equal to the certificate's, first in the same order, then reordered.
fn by_dn(cfg: &AuthConfig, cert_dn: &Dn) -> Option<Arc<User>> {
    let mut candidates = Vec::new();
    for u in cfg.users.values() {
        if !connection_type_allowed(&u.allowed_connection_types) {
            continue;
        }
        let Ok(user_dn) = Dn::parse(&u.username) else {
            continue;
        };
        if user_dn.equal(cert_dn) {
            return Some(u.clone());
        }
        candidates.push((u, user_dn));
    }
    candidates
        .into_iter()
        .find(|(_, d)| d.rdns_match(cert_dn))
        .map(|(u, _)| u.clone())
}
