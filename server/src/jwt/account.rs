//! An account built from its JWT (Go's `UpdateAccountClaimsWithRefresh` / `buildInternalAccount`): the
//! configuration (exports, imports, limits, JetStream limits, default permissions) plus what only
//! operator mode has — the issuer, the signing keys with their scopes, the revocations, the expiry.

use std::collections::HashMap;
use std::time::Duration;

use super::claims::{AccountClaims, Permission, SigningKey, UserLimits, UserScope};
use crate::accounts::config::{Export, ResponseType, ServiceImport, StreamImport};
use crate::accounts::{AccountConfig, AccountLimits, NO_LIMIT};
use crate::auth::{Permissions, ResponsePermission, SubjectPermission};

/// Operator-mode facts of an account, kept with its configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtAccount {
    /// The JWT the account was built from.
    pub jwt: String,
    /// The operator key that signed it.
    pub issuer: String,
    pub issued_at: i64,
    /// Unix seconds; 0 never.
    pub expires: i64,
    /// Signing keys, with the user scope when the key is scoped.
    pub signing_keys: HashMap<String, Option<UserScope>>,
    pub revocations: HashMap<String, i64>,
    pub disallow_bearer: bool,
}

impl JwtAccount {
    /// Go's `hasIssuer`: the account itself or one of its signing keys; the scope when scoped.
    pub fn issuer_scope(&self, account: &str, issuer: &str) -> Option<Option<&UserScope>> {
        if issuer == account {
            return Some(None);
        }
        self.signing_keys.get(issuer).map(|s| s.as_ref())
    }

    /// Go's `isRevoked`: a user issued at or before its revocation time (or the `*` one) is revoked.
    pub fn is_revoked(&self, user: &str, issued_at: i64) -> bool {
        let hit = |k: &str| self.revocations.get(k).is_some_and(|t| *t >= issued_at);
        hit(user) || hit("*")
    }

    /// The account JWT is past its expiry.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires > 0 && now > self.expires
    }
}

fn limit(v: i64) -> i32 {
    if v < 0 {
        NO_LIMIT
    } else {
        v.min(i32::MAX as i64) as i32
    }
}

fn opt_list(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

fn subject_perm(p: &Permission) -> Option<SubjectPermission> {
    (!p.allow.is_empty() || !p.deny.is_empty()).then(|| SubjectPermission {
        allow: opt_list(&p.allow),
        deny: opt_list(&p.deny),
    })
}

/// Go's `buildPermissionsFromJwt`: None when nothing is limited.
pub fn permissions(l: &UserLimits) -> Option<Permissions> {
    let publish = subject_perm(&l.publish);
    let subscribe = subject_perm(&l.subscribe);
    let response = l.resp.as_ref().map(|r| ResponsePermission {
        max_msgs: r.max,
        expires_ns: r.ttl,
    });
    if publish.is_none() && subscribe.is_none() && response.is_none() {
        return None;
    }
    let mut p = Permissions {
        publish,
        subscribe,
        response,
    };
    p.validate_response();
    Some(p)
}

/// The account configuration and operator facts for `claims` (whose JWT is `jwt`).
pub fn from_claims(claims: &AccountClaims, jwt: &str) -> (AccountConfig, JwtAccount) {
    let n = &claims.nats;
    let mut cfg = AccountConfig::new(&claims.data.sub);
    cfg.nkey = claims.data.sub.clone();
    for e in &n.exports {
        let ex = Export {
            subject: e.subject.clone(),
            accounts: None,
            token_req: e.token_req,
            response_type: match e.response_type.as_str() {
                "Stream" => ResponseType::Streamed,
                "Chunked" => ResponseType::Chunked,
                _ => ResponseType::Singleton,
            },
            response_threshold: (e.response_threshold > 0)
                .then(|| Duration::from_nanos(e.response_threshold as u64)),
            account_token_position: e.account_token_position,
        };
        if e.kind == "service" {
            cfg.service_exports.push(ex);
        } else {
            cfg.stream_exports.push(ex);
        }
    }
    for i in &n.imports {
        if i.kind == "service" {
            // Go: `local_subject` (or the older `to`) is where this account publishes requests.
            let to = if i.local_subject.is_empty() {
                i.to.clone()
            } else {
                i.local_subject.clone()
            };
            cfg.service_imports.push(ServiceImport {
                account: i.account.clone(),
                subject: i.subject.clone(),
                to,
                share: i.share,
                token: i.token.clone(),
            });
        } else {
            let (to, prefix) = if !i.local_subject.is_empty() {
                (i.local_subject.clone(), String::new())
            } else {
                (String::new(), i.to.clone())
            };
            cfg.stream_imports.push(StreamImport {
                account: i.account.clone(),
                subject: i.subject.clone(),
                prefix,
                to,
                token: i.token.clone(),
            });
        }
    }
    let l = &n.limits;
    cfg.limits = AccountLimits {
        max_connections: limit(l.conn),
        max_subscriptions: limit(l.subs),
        max_payload: limit(l.payload),
        max_leafnodes: limit(l.leaf),
    };
    if l.mem_storage != 0 || l.disk_storage != 0 {
        cfg.jetstream = Some(crate::jetstream::api::account::JetStreamAccountLimits {
            max_memory: l.mem_storage,
            max_store: l.disk_storage,
            max_streams: l.streams,
            max_consumers: l.consumer,
            max_ack_pending: l.max_ack_pending,
            memory_max_stream_bytes: l.mem_max_stream_bytes,
            store_max_stream_bytes: l.disk_max_stream_bytes,
            max_bytes_required: l.max_bytes_required,
        });
    }
    cfg.default_permissions = permissions(&n.default_permissions);
    let signing_keys = n
        .signing_keys
        .iter()
        .map(|k| match k {
            SigningKey::Plain(s) => (s.clone(), None),
            SigningKey::Scoped(s) => (s.key.clone(), Some((**s).clone())),
        })
        .collect();
    let info = JwtAccount {
        jwt: jwt.to_string(),
        issuer: claims.data.iss.clone(),
        issued_at: claims.data.iat,
        expires: claims.data.exp,
        signing_keys,
        revocations: n.revocations.clone(),
        disallow_bearer: l.disallow_bearer,
    };
    (cfg, info)
}
