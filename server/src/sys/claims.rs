//! Account JWT distribution for the full directory resolver (Go's `DirAccResolver.Start`):
//! `$SYS.REQ.CLAIMS.UPDATE` and `$SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE` (and the older
//! `$SYS.ACCOUNT.<acc>.CLAIMS.UPDATE`) store a newer account JWT and answer with Go's
//! `ServerAPIClaimUpdateResponse`; `$SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP` answers with the stored JWT
//! (an empty message when there is none); `$SYS.REQ.CLAIMS.LIST` with the stored account keys.
//! A stored update also updates the live account of that key.

use std::sync::{Arc, Weak};

use serde::Serialize;

use super::envelope::{api_response, Data};
use super::{parts, System};
use crate::accounts::{MsgHandler, PubCtx};
use crate::client::delivery::{Fanout, Message};
use crate::jwt::AccountClaims;
use crate::server::ServerShared;

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// `$SYS.REQ.CLAIMS.UPDATE`: the account is the JWT's subject.
    Update,
    /// `$SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE` / `$SYS.ACCOUNT.<acc>.CLAIMS.UPDATE`: the account
    /// token at this index must be the JWT's subject.
    UpdateFor(usize),
    Lookup,
    List,
}

struct Handler {
    sys: Weak<System>,
    kind: Kind,
}

/// Subscribe the resolver's services when the server runs a full directory resolver.
pub fn subscribe(sys: &Arc<System>, server: &ServerShared) {
    let full = server
        .auth()
        .operator
        .as_ref()
        .is_some_and(|op| op.resolver.accepts_updates());
    if !full {
        return;
    }
    let h = |kind: Kind| -> Option<Arc<dyn MsgHandler>> {
        Some(Arc::new(Handler {
            sys: Arc::downgrade(sys),
            kind,
        }))
    };
    sys.subscribe("$SYS.ACCOUNT.*.CLAIMS.UPDATE", h(Kind::UpdateFor(2)));
    sys.subscribe("$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", h(Kind::UpdateFor(3)));
    sys.subscribe("$SYS.REQ.CLAIMS.UPDATE", h(Kind::Update));
    sys.subscribe("$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", h(Kind::Lookup));
    sys.subscribe("$SYS.REQ.CLAIMS.LIST", h(Kind::List));
}

/// Go's `ClaimUpdateStatus`.
#[derive(Serialize)]
struct Status<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    account: &'a str,
    code: u16,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
}

/// Go's `ClaimUpdateError`.
#[derive(Serialize)]
struct UpdateError<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    account: &'a str,
    code: u16,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
}

impl MsgHandler for Handler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let Some(sys) = self.sys.upgrade() else {
            return false;
        };
        let server = ctx.server;
        let Some(op) = server.auth().operator.clone() else {
            return true;
        };
        let (_, body) = parts(m);
        let subject = String::from_utf8_lossy(m.subject).to_string();
        let reply = m.reply.unwrap_or_default();
        let out: Option<Vec<u8>> = match self.kind {
            Kind::Lookup => {
                let acc = subject.split('.').nth(3).unwrap_or_default();
                Some(match op.resolver.fetch(acc) {
                    Ok(jwt) => jwt.into_bytes(),
                    Err(_) => {
                        tracing::debug!("DirResolver - Could not find account {acc:?}");
                        Vec::new()
                    }
                })
            }
            Kind::List => {
                let ids = op.resolver.list();
                tracing::debug!("list request responded with {} account ids", ids.len());
                Some(api_response(&sys.server_info(server), Data::of(&ids), None))
            }
            Kind::Update | Kind::UpdateFor(_) => {
                let want = match self.kind {
                    Kind::UpdateFor(i) => subject.split('.').nth(i).map(str::to_string),
                    _ => None,
                };
                let body = String::from_utf8_lossy(body).trim().to_string();
                let result = update(server, &op, &body, want.as_deref());
                Some(respond(&sys, server, result))
            }
        };
        if let Some(body) = out {
            if !reply.is_empty() {
                sys.account
                    .deliver_internal(fan, server, reply, super::NO_REPLY, b"", &body);
            }
        }
        true
    }
}

/// (account, message, error) as Go's `respondToUpdate` takes them.
type UpdateResult = (String, &'static str, Option<String>);

/// Check and store one account JWT (Go's update handlers and `saveIfNewer`).
fn update(
    server: &ServerShared,
    op: &crate::auth::operator::OperatorAuth,
    jwt: &str,
    want: Option<&str>,
) -> UpdateResult {
    const FAILED: &str = "jwt update resulted in error";
    let claims = match crate::jwt::decode::<AccountClaims>(jwt) {
        Ok(c) => c,
        Err(e) => return ("n/a".into(), FAILED, Some(e.to_string())),
    };
    let acc = claims.data.sub.clone();
    if let Some(issue) = crate::jwt::time_issue(&claims.data, crate::jwt::now_unix()) {
        return (
            acc,
            "jwt validation failed",
            Some(format!("validation errors: [{issue}]")),
        );
    }
    if let Some(w) = want {
        if w != acc {
            return (
                w.to_string(),
                FAILED,
                Some("subject does not match jwt content".into()),
            );
        }
    }
    let strict_op = server
        .opts()
        .trusted_operators
        .iter()
        .any(|o| o.nats.strict_signing_key_usage && o.data.sub == claims.data.iss);
    if strict_op {
        return (
            acc,
            FAILED,
            Some("operator requires issuer to be a signing key".into()),
        );
    }
    // Go's saveIfNewer: the same JWT or an older one is accepted without a change.
    if let Ok(existing) = op.resolver.fetch(&acc) {
        if let Ok(old) = crate::jwt::decode::<AccountClaims>(&existing) {
            if old.data.jti == claims.data.jti || old.data.iat > claims.data.iat {
                return (acc, "jwt updated", None);
            }
        }
    }
    if let Err(e) = op.resolver.store(&acc, jwt) {
        return (acc, FAILED, Some(e));
    }
    // The live account, when there is one, takes on the new claims (Go's `changed` callback).
    if server
        .accounts
        .get(&acc)
        .is_some_and(|a| a.config().jwt.is_some())
        && op.is_trusted(&claims.data.iss)
    {
        let (mut cfg, info) = crate::jwt::account::from_claims(&claims, jwt);
        cfg.jwt = Some(Arc::new(info));
        let live = server.accounts.register_jwt(cfg);
        crate::auth::operator::check_account_clients(server, &live);
    }
    (acc, "jwt updated", None)
}

/// Go's `respondToUpdate`: the log line and the response body.
fn respond(sys: &System, server: &ServerShared, (acc, msg, err): UpdateResult) -> Vec<u8> {
    let info = sys.server_info(server);
    match err {
        None => {
            tracing::debug!("{msg} - {acc}");
            let status = Status {
                account: &acc,
                code: 200,
                message: msg,
            };
            api_response(&info, Data::of(&status), None)
        }
        Some(e) => {
            tracing::error!("{msg} - {acc} - {e}");
            let err = UpdateError {
                account: &acc,
                code: 500,
                description: format!("{msg} - {e}"),
            };
            let mut out = String::from("{\"server\":");
            out.push_str(&serde_json::to_string(&info).unwrap_or_else(|_| "{}".into()));
            out.push_str(",\"error\":");
            out.push_str(&serde_json::to_string(&err).unwrap_or_else(|_| "{}".into()));
            out.push('}');
            out.into_bytes()
        }
    }
}
