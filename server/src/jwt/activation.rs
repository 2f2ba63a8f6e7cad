//! Activation tokens: the JWT an exporting account signs to let one importing account use an export
//! that requires a token (`token_req`). Go's `checkActivation` with the jwt package's
//! `Import.Validate` and `isIssuerClaimTrusted`.

use nkeys::KeyPairType;
use serde::Deserialize;

use super::account::JwtAccount;
use super::claims::ClaimsData;
use super::Claims;
use crate::sublist::is_subset_match;

/// Go's `ActivationClaims`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ActivationClaims {
    #[serde(flatten)]
    pub data: ClaimsData,
    pub nats: Activation,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Activation {
    /// The subject the token grants (Go's `ImportSubject`).
    pub subject: String,
    /// `stream` or `service` (Go's `ImportType`).
    #[serde(rename = "kind")]
    pub import_type: String,
    /// Set when a signing key of the exporter signed the token.
    pub issuer_account: String,
    /// The claim type, `activation`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Claims for ActivationClaims {
    const KIND: &'static str = "activation";
    fn data(&self) -> &ClaimsData {
        &self.data
    }
    fn kind(&self) -> &str {
        &self.nats.kind
    }
    fn issuer_allowed(k: KeyPairType) -> bool {
        k == KeyPairType::Account
    }
}

/// What an import asks of its activation token.
pub struct ImportRef<'a> {
    /// The importing account's public key.
    pub importer: &'a str,
    /// The exporting account's public key.
    pub exporter: &'a str,
    /// `stream` or `service`.
    pub kind: &'a str,
    /// The subject imported (for a service: the exporter's subject).
    pub subject: &'a str,
}

/// Whether `token` lets `import` use the export: signed by the exporter (or one of its signing keys,
/// from `exporter_jwt`), issued to the importer, of the import's type, covering its subject, and
/// within its validity times at `now`.
pub fn grants(
    token: &str,
    import: &ImportRef,
    exporter_jwt: Option<&JwtAccount>,
    now: i64,
) -> bool {
    let Ok(act) = super::decode::<ActivationClaims>(token) else {
        return false;
    };
    let issuer_ok = if act.nats.issuer_account.is_empty() {
        act.data.iss == import.exporter
    } else {
        act.nats.issuer_account == import.exporter
            && exporter_jwt.is_some_and(|j| j.signing_keys.contains_key(&act.data.iss))
    };
    issuer_ok
        && act.data.sub == import.importer
        && (act.nats.import_type.is_empty() || act.nats.import_type == import.kind)
        && is_subset_match(import.subject.as_bytes(), act.nats.subject.as_bytes())
        && super::time_issue(&act.data, now).is_none()
}
