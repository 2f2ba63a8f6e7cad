//! Client authentication and authorization: configured users, nkey users and permissions (the types the
//! options hold), password comparison, the server's view of its auth configuration ([`AuthConfig`], rebuilt on
//! start and reload), and the per-connection permission checks ([`perms::ClientPerms`]).
//! Matches Go's auth.go (`configureAuthorization`, `processClientOrLeafAuthentication`, `comparePasswords`).

pub mod authenticate;
pub mod operator;
pub mod perms;
pub mod tls_map;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::options::Options;

pub use authenticate::{authenticate, authenticate_with_cert, AuthError, Identity};
pub use perms::ClientPerms;

/// Responses a user may publish without a publish allow (Go's DEFAULT_ALLOW_RESPONSE_MAX_MSGS).
pub const DEFAULT_ALLOW_RESPONSE_MAX_MSGS: i64 = 1;
/// How long such a response stays allowed (Go's DEFAULT_ALLOW_RESPONSE_EXPIRATION).
pub const DEFAULT_ALLOW_RESPONSE_EXPIRATION: Duration = Duration::from_secs(120);

/// Connection types a user may be limited to (Go's jwt.ConnectionType* names).
pub const CONNECTION_TYPES: &[&str] = &[
    "STANDARD",
    "WEBSOCKET",
    "LEAFNODE",
    "LEAFNODE_WS",
    "MQTT",
    "MQTT_WS",
    "IN_PROCESS",
];

/// Allow and deny subject lists (Go's `SubjectPermission`). `None` is "not given": no allow list means all
/// are allowed, while an empty allow list allows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectPermission {
    pub allow: Option<Vec<String>>,
    pub deny: Option<Vec<String>>,
}

/// Publishing to reply subjects of received requests (Go's `ResponsePermission`). Values at or below zero
/// mean no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsePermission {
    pub max_msgs: i64,
    /// Nanoseconds; Go accepts negative durations here (meaning no expiry).
    pub expires_ns: i64,
}

impl Default for ResponsePermission {
    fn default() -> Self {
        ResponsePermission {
            max_msgs: DEFAULT_ALLOW_RESPONSE_MAX_MSGS,
            expires_ns: DEFAULT_ALLOW_RESPONSE_EXPIRATION.as_nanos() as i64,
        }
    }
}

/// A user's permissions (Go's `Permissions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    pub publish: Option<SubjectPermission>,
    pub subscribe: Option<SubjectPermission>,
    pub response: Option<ResponsePermission>,
}

impl Permissions {
    /// Go's `validateResponsePermissions`: a response permission turns off the blanket publish allow and
    /// fills zero limits with the defaults.
    pub fn validate_response(&mut self) {
        let Some(r) = self.response.as_mut() else {
            return;
        };
        if r.max_msgs == 0 {
            r.max_msgs = DEFAULT_ALLOW_RESPONSE_MAX_MSGS;
        }
        if r.expires_ns == 0 {
            r.expires_ns = DEFAULT_ALLOW_RESPONSE_EXPIRATION.as_nanos() as i64;
        }
        let p = self.publish.get_or_insert_with(SubjectPermission::default);
        p.allow.get_or_insert_with(Vec::new);
    }
}

/// A user with a password (Go's `User`). An empty `allowed_connection_types` allows every type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub password: String,
    pub permissions: Option<Permissions>,
    pub allowed_connection_types: BTreeSet<String>,
    /// The account the user belongs to; empty is the global account `$G`.
    pub account: String,
}

/// A user identified by a public nkey (Go's `NkeyUser`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NkeyUser {
    pub nkey: String,
    pub permissions: Option<Permissions>,
    pub allowed_connection_types: BTreeSet<String>,
    /// The account the user belongs to; empty is the global account `$G`.
    pub account: String,
}

/// The connection type of a plain client connection.
pub const STANDARD: &str = "STANDARD";

pub fn connection_type_allowed(types: &BTreeSet<String>) -> bool {
    types.is_empty() || types.contains(STANDARD)
}

/// Go's `getAuthUser` for log lines: `User "x"`, `Nkey "x"`, `Token "[REDACTED]"`; None without credentials.
pub fn auth_user(ci: &crate::protocol::ConnectInfo) -> Option<String> {
    if !ci.nkey.is_empty() {
        Some(format!("Nkey {:?}", ci.nkey))
    } else if !ci.user.is_empty() {
        Some(format!("User {:?}", ci.user))
    } else if !ci.jwt.is_empty() {
        Some(format!("JWT User {:?}", jwt_subject(&ci.jwt)))
    } else if !ci.auth_token.is_empty() {
        Some("Token \"[REDACTED]\"".to_string())
    } else {
        None
    }
}

/// Go's `getAuthUserLabel`: `nkey:<key>`, `user:<name>` or `token`.
pub fn auth_user_label(ci: &crate::protocol::ConnectInfo) -> Option<String> {
    if !ci.nkey.is_empty() {
        Some(format!("nkey:{}", ci.nkey))
    } else if !ci.user.is_empty() {
        Some(format!("user:{}", ci.user))
    } else if !ci.jwt.is_empty() {
        Some(format!("jwt:{}", jwt_subject(&ci.jwt)))
    } else if !ci.auth_token.is_empty() {
        Some("token".to_string())
    } else {
        None
    }
}

/// The user public key a JWT names (Go keeps it as the client's `pubKey` once the login passed).
fn jwt_subject(jwt: &str) -> String {
    use base64::Engine;
    #[derive(serde::Deserialize)]
    struct Sub {
        #[serde(default)]
        sub: String,
    }
    jwt.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<Sub>(&b).ok())
        .map(|s| s.sub)
        .unwrap_or_default()
}

/// Go's `sysAccOnlyNoAuthUser`: when the only configured account is the system account (given users
/// so operators can reach it) and there is no authorization block or no_auth_user, clients without
/// credentials still land in the global account, as that hidden user. Its name is chosen once per
/// process so a reload keeps the clients logged in with it.
fn sys_account_only_user(o: &Options) -> Option<User> {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let [only] = o.accounts.as_slice() else {
        return None;
    };
    let is_system = if o.system_account.is_empty() {
        only.name == crate::consts::SYSTEM_ACCOUNT
    } else {
        only.name == o.system_account
    };
    if !is_system
        || only.name == crate::consts::GLOBAL_ACCOUNT
        || !o.no_auth_user.is_empty()
        || o.auth_block_defined
    {
        return None;
    }
    let name = NAME.get_or_init(|| {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let tail: String = (0..8)
            .map(|_| DIGITS[(rand::random::<u8>() % 62) as usize] as char)
            .collect();
        format!("nats-{tail}")
    });
    Some(User {
        username: name.clone(),
        password: name[6..].to_string(),
        ..User::default()
    })
}

/// The server's auth configuration, derived from the options (Go's `configureAuthorization`).
#[derive(Debug, Default)]
pub struct AuthConfig {
    /// INFO `auth_required` before the no_auth_user adjustment; clients must CONNECT first.
    pub required: bool,
    pub users: HashMap<String, Arc<User>>,
    pub nkeys: HashMap<String, Arc<NkeyUser>>,
    pub username: String,
    pub password: String,
    pub token: String,
    pub no_auth_user: String,
    /// `verify_and_map`: users are found from the client certificate.
    pub tls_map: bool,
    /// `no_auth_user` is the hidden user of a system-account-only configuration: INFO still says
    /// authentication is required (Go's `sysAccOnlyNoAuthUser`).
    pub hidden_no_auth_user: bool,
    /// Operator mode: clients log in with user JWTs.
    pub operator: Option<Arc<operator::OperatorAuth>>,
}

impl AuthConfig {
    pub fn from_options(o: &Options) -> AuthConfig {
        let prep = |p: &Option<Permissions>| {
            p.clone().map(|mut p| {
                p.validate_response();
                p
            })
        };
        let users: HashMap<String, Arc<User>> = o
            .users
            .iter()
            .map(|u| {
                let mut u = u.clone();
                u.permissions = prep(&u.permissions);
                (u.username.clone(), Arc::new(u))
            })
            .collect();
        let nkeys: HashMap<String, Arc<NkeyUser>> = o
            .nkeys
            .iter()
            .map(|u| {
                let mut u = u.clone();
                u.permissions = prep(&u.permissions);
                (u.nkey.clone(), Arc::new(u))
            })
            .collect();
        let mut users = users;
        let mut no_auth_user = o.no_auth_user.clone();
        let hidden_no_auth_user = sys_account_only_user(o);
        if let Some(u) = hidden_no_auth_user.clone() {
            no_auth_user = u.username.clone();
            users.insert(u.username.clone(), Arc::new(u));
        }
        let operator = operator::OperatorAuth::from_options(o).map(Arc::new);
        let required = operator.is_some()
            || !users.is_empty()
            || !nkeys.is_empty()
            || !o.username.is_empty()
            || !o.authorization.is_empty();
        AuthConfig {
            required,
            users,
            nkeys,
            username: o.username.clone(),
            password: o.password.clone(),
            token: o.authorization.clone(),
            tls_map: o.tls_map && o.tls_config.is_some(),
            no_auth_user,
            hidden_no_auth_user: hidden_no_auth_user.is_some(),
            operator,
        }
    }

    /// Go's `nonceRequired`: a nonce goes in INFO when nkey users exist.
    pub fn nonce_required(&self) -> bool {
        !self.nkeys.is_empty() || self.operator.is_some()
    }

    /// INFO `auth_required` as sent to a client: a no_auth_user makes credentials optional.
    pub fn info_auth_required(&self) -> bool {
        self.required && (self.no_auth_user.is_empty() || self.hidden_no_auth_user)
    }

    /// Go's `checkAuthforWarnings`: true when a plaintext password is configured.
    pub fn has_plaintext_passwords(&self) -> bool {
        (!self.password.is_empty() && !is_bcrypt(&self.password))
            || self.users.values().any(|u| {
                // A user without a password that a certificate can map to is a certificate identity.
                let cert_only = u.password.is_empty()
                    && self.tls_map
                    && connection_type_allowed(&u.allowed_connection_types);
                !cert_only && !is_bcrypt(&u.password)
            })
    }
}

/// A fresh nonce for INFO: 11 random bytes, base64 URL encoded without padding (Go's `generateNonce`).
pub fn generate_nonce() -> String {
    use base64::Engine;
    let raw: [u8; 11] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Go's `isBcrypt`: `$2a$`, `$2b$`, `$2x$` or `$2y$` followed by a two-digit cost and `$`.
pub fn is_bcrypt(password: &str) -> bool {
    let b = password.as_bytes();
    b.len() >= 7
        && b.starts_with(b"$2")
        && matches!(b[2], b'a' | b'b' | b'x' | b'y')
        && b[3] == b'$'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
        && b[6] == b'$'
}

/// Go's `comparePasswords`: bcrypt hashes are verified, plain passwords compared in constant time.
pub fn compare_passwords(server: &str, client: &str) -> bool {
    if is_bcrypt(server) {
        bcrypt::verify(client, server).unwrap_or(false)
    } else {
        use subtle::ConstantTimeEq;
        server.as_bytes().ct_eq(client.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_and_plain_passwords() {
        let hash = bcrypt::hash("s3cr3t", 4).unwrap();
        assert!(is_bcrypt(&hash));
        assert!(compare_passwords(&hash, "s3cr3t"));
        assert!(!compare_passwords(&hash, "s3cr3"));
        assert!(compare_passwords("plain", "plain"));
        assert!(!compare_passwords("plain", "plai"));
        assert!(!compare_passwords("plain", ""));
        assert!(!is_bcrypt("$2a$1$x"));
        assert!(!is_bcrypt("plain"));
    }

    #[test]
    fn nonce_is_fifteen_url_safe_chars() {
        let n = generate_nonce();
        assert_eq!(n.len(), 15);
        assert!(n
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn response_permission_turns_off_blanket_publish() {
        let mut p = Permissions {
            response: Some(ResponsePermission {
                max_msgs: 0,
                expires_ns: 0,
            }),
            ..Permissions::default()
        };
        p.validate_response();
        assert_eq!(p.response, Some(ResponsePermission::default()));
        assert_eq!(p.publish.unwrap().allow, Some(vec![]));
    }
}
