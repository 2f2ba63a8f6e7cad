//! The claim types of NATS JWT v2 (nats-io/jwt `OperatorClaims`, `AccountClaims`, `UserClaims`), as far
//! as the server acts on them. Unknown fields are ignored, missing ones take their zero value, as Go's
//! `encoding/json` does.

use std::collections::HashMap;

use nkeys::KeyPairType;
use serde::Deserialize;

use super::Claims;

/// Go's `ClaimsData`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ClaimsData {
    pub jti: String,
    pub iat: i64,
    pub iss: String,
    pub name: String,
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
}

/// Go's `OperatorClaims`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct OperatorClaims {
    #[serde(flatten)]
    pub data: ClaimsData,
    pub nats: Operator,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Operator {
    pub signing_keys: Vec<String>,
    pub account_server_url: String,
    pub system_account: String,
    pub strict_signing_key_usage: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i32,
}

impl Claims for OperatorClaims {
    const KIND: &'static str = "operator";
    fn data(&self) -> &ClaimsData {
        &self.data
    }
    fn kind(&self) -> &str {
        &self.nats.kind
    }
    fn issuer_allowed(k: KeyPairType) -> bool {
        k == KeyPairType::Operator
    }
}

/// Allow and deny lists (Go's `Permission`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Permission {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

/// Go's `ResponsePermission`: `ttl` in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ResponsePermission {
    pub max: i64,
    pub ttl: i64,
}

/// Go's `TimeRange`: `HH:MM:SS` bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TimeRange {
    pub start: String,
    pub end: String,
}

/// A list given as a JSON array or as one comma-separated string (Go's `CIDRList` / `TagList`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringList(pub Vec<String>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            List(Vec<String>),
            One(String),
        }
        Ok(StringList(match Option::<Either>::deserialize(d)? {
            Some(Either::List(v)) => v,
            Some(Either::One(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            None => Vec::new(),
        }))
    }
}

/// What a user may do (Go's `UserPermissionLimits`), also the template of a scoped signing key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserLimits {
    #[serde(rename = "pub")]
    pub publish: Permission,
    #[serde(rename = "sub")]
    pub subscribe: Permission,
    pub resp: Option<ResponsePermission>,
    pub src: StringList,
    pub times: Vec<TimeRange>,
    pub times_location: String,
    /// -1 is no limit; absent is 0, as Go decodes it.
    pub subs: i64,
    pub data: i64,
    pub payload: i64,
    pub bearer_token: bool,
    pub allowed_connection_types: Vec<String>,
}

/// Go's `UserClaims`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserClaims {
    #[serde(flatten)]
    pub data: ClaimsData,
    pub nats: User,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct User {
    #[serde(flatten)]
    pub limits: UserLimits,
    pub issuer_account: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i32,
}

impl Claims for UserClaims {
    const KIND: &'static str = "user";
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

impl UserClaims {
    /// Go's `HasEmptyPermissions`: a user of a scoped signing key carries no limits of its own.
    pub fn has_empty_permissions(&self) -> bool {
        self.nats.limits == UserLimits::default()
    }
}

/// One entry of an account's `signing_keys`: a plain key or a user scope with its template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SigningKey {
    Plain(String),
    Scoped(Box<UserScope>),
}

/// Go's `UserScope`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserScope {
    pub kind: String,
    pub key: String,
    pub role: String,
    pub template: UserLimits,
}

impl SigningKey {
    pub fn key(&self) -> &str {
        match self {
            SigningKey::Plain(k) => k,
            SigningKey::Scoped(s) => &s.key,
        }
    }
}

/// Go's `Export`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Export {
    pub name: String,
    pub subject: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub token_req: bool,
    pub response_type: String,
    /// Nanoseconds.
    pub response_threshold: i64,
    pub account_token_position: u32,
}

/// Go's `Import`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Import {
    pub name: String,
    pub subject: String,
    pub account: String,
    pub token: String,
    pub to: String,
    pub local_subject: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub share: bool,
}

/// Go's `OperatorLimits` (NATS and JetStream limits of an account); -1 is no limit. A field the JWT
/// leaves out is 0, as Go decodes it (tools write -1 for "no limit").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AccountLimits {
    pub subs: i64,
    pub data: i64,
    pub payload: i64,
    pub imports: i64,
    pub exports: i64,
    pub wildcards: bool,
    pub disallow_bearer: bool,
    pub conn: i64,
    pub leaf: i64,
    pub mem_storage: i64,
    pub disk_storage: i64,
    pub streams: i64,
    pub consumer: i64,
    pub max_ack_pending: i64,
    pub mem_max_stream_bytes: i64,
    pub disk_max_stream_bytes: i64,
    pub max_bytes_required: bool,
}

/// Go's `AccountClaims`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AccountClaims {
    #[serde(flatten)]
    pub data: ClaimsData,
    pub nats: Account,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Account {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub limits: AccountLimits,
    pub signing_keys: Vec<SigningKey>,
    /// User public key (or `*`) → unix time: users issued at or before it are revoked.
    pub revocations: HashMap<String, i64>,
    pub default_permissions: UserLimits,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: i32,
}

impl Claims for AccountClaims {
    const KIND: &'static str = "account";
    fn data(&self) -> &ClaimsData {
        &self.data
    }
    fn kind(&self) -> &str {
        &self.nats.kind
    }
    fn issuer_allowed(k: KeyPairType) -> bool {
        k == KeyPairType::Operator || k == KeyPairType::Account
    }
}
