//! Accounts as configured (the `accounts` block): plain data, validated by [`super::check`] and turned
//! into live accounts by the registry. Field meanings follow Go's `export`, `importStream` and
//! `importService` (opts.go) and the account limits of `parseAccountLimits`.

use std::time::Duration;

use crate::auth::Permissions;

/// Go's `DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD`: how long a service export waits for responses.
pub const DEFAULT_RESPONSE_THRESHOLD: Duration = Duration::from_secs(120);

/// Go's `jwt.NoLimit`.
pub const NO_LIMIT: i32 = -1;
/// [`NO_LIMIT`] as an i64.
pub const NO_LIMIT_I64: i64 = -1;

/// One configured account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountConfig {
    pub name: String,
    /// The account's public nkey, when given.
    pub nkey: String,
    pub stream_exports: Vec<Export>,
    pub service_exports: Vec<Export>,
    pub stream_imports: Vec<StreamImport>,
    pub service_imports: Vec<ServiceImport>,
    pub limits: AccountLimits,
    pub default_permissions: Option<Permissions>,
    /// Subject mappings applied to what clients of this account publish.
    pub mappings: Vec<crate::transform::Mapping>,
    /// JetStream for this account: None disabled, otherwise its limits (-1: unlimited).
    pub jetstream: Option<crate::jetstream::api::account::JetStreamAccountLimits>,
    /// Operator mode: the account JWT's issuer, signing keys, revocations and expiry.
    pub jwt: Option<std::sync::Arc<crate::jwt::account::JwtAccount>>,
}

impl AccountConfig {
    pub fn new(name: &str) -> Self {
        AccountConfig {
            name: name.to_string(),
            ..AccountConfig::default()
        }
    }
}

/// Per-account limits; [`NO_LIMIT`] means none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountLimits {
    pub max_connections: i32,
    pub max_subscriptions: i32,
    pub max_payload: i32,
    pub max_leafnodes: i32,
}

impl Default for AccountLimits {
    fn default() -> Self {
        AccountLimits {
            max_connections: NO_LIMIT,
            max_subscriptions: NO_LIMIT,
            max_payload: NO_LIMIT,
            max_leafnodes: NO_LIMIT,
        }
    }
}

/// How a service answers (Go's `ServiceRespType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseType {
    #[default]
    Singleton,
    Streamed,
    Chunked,
}

impl ResponseType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Singleton => "Singleton",
            ResponseType::Streamed => "Streamed",
            ResponseType::Chunked => "Chunked",
        }
    }
}

/// A stream or service export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Export {
    pub subject: String,
    /// `None`: public (unless `token_req`). Otherwise these accounts only.
    pub accounts: Option<Vec<String>>,
    /// Operator mode: an importer needs an activation token from the exporter.
    pub token_req: bool,
    /// Services only.
    pub response_type: ResponseType,
    /// Services only: how long responses are awaited (None: the default).
    pub response_threshold: Option<Duration>,
    /// `account_token_position`: the 1-based token that must equal the importing account's name.
    pub account_token_position: u32,
}

/// A stream import: messages the other account publishes on `subject` appear here, on `to` or under
/// `prefix`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamImport {
    pub account: String,
    pub subject: String,
    pub prefix: String,
    pub to: String,
    /// Operator mode: the activation token for an export that requires one.
    pub token: String,
}

/// A service import: requests published here on `to` (default: `subject`) are sent to the other
/// account on `subject`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceImport {
    pub account: String,
    pub subject: String,
    pub to: String,
    pub share: bool,
    /// Operator mode: the activation token for an export that requires one.
    pub token: String,
}
