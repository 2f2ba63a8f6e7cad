//! Operator mode keys: `operator` (a JWT file or the JWT itself, or a list), `resolver` (`MEMORY` or a
//! `{ type: full, dir: ... }` map), `resolver_preload`, and the start-up checks of Go's
//! `validateTrustedOperators`. Parse errors carry the key's position as Go's `configErr` does (opts.go
//! `processConfigFileLine`, jwt.go `readOperatorJWT`).

use std::path::PathBuf;

use super::Ctx;
use crate::config::conf::{Entry, Value};
use crate::jwt::resolver::{is_account_key, is_operator_key, ResolverConfig};
use crate::jwt::{AccountClaims, OperatorClaims, JWT_PREFIX};
use crate::options::Options;

/// Apply `key` if it is an operator-mode key; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "operator" | "operators" | "roots" | "root" | "root_operators" | "root_operator" => {
            operators(o, e, ctx)
        }
        "resolver" | "account_resolver" | "accounts_resolver" => resolver(o, e, ctx),
        "resolver_preload" => preload(o, e, ctx),
        _ => return false,
    }
    true
}

/// Go's `readOperatorJWT`: a file holding the (possibly decorated) JWT, or the JWT inline.
pub fn read_operator_jwt(name: &str) -> Result<(String, OperatorClaims), String> {
    let contents = match std::fs::read_to_string(name) {
        Ok(c) => c,
        Err(_) if name.starts_with(JWT_PREFIX) => name.to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("open {name}: no such file or directory"))
        }
        Err(e) => return Err(format!("open {name}: {e}")),
    };
    let jwt = crate::jwt::parse_decorated(&contents);
    let claims = crate::jwt::decode::<OperatorClaims>(&jwt).map_err(|e| e.to_string())?;
    Ok((jwt, claims))
}

fn operators(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    let mut names = Vec::new();
    match &e.value.value {
        Value::String(s) => names.push(s.clone()),
        Value::Array(items) => {
            for it in items {
                match &it.value {
                    Value::String(s) => names.push(s.clone()),
                    _ => {
                        ctx.error(e, "error parsing operators: unsupported type *conf.token where string is expected");
                        break;
                    }
                }
            }
        }
        v => ctx.error(
            e,
            format_args!(
                "error parsing operators: unsupported type {}",
                v.go_type_name()
            ),
        ),
    }
    o.trusted_operators.clear();
    o.operator_jwts.clear();
    for n in names {
        match read_operator_jwt(&n) {
            Ok((jwt, claims)) => {
                o.operator_jwts.push(jwt);
                o.trusted_operators.push(claims);
            }
            Err(err) => ctx.error(e, format_args!("error parsing operator JWT: {err}")),
        }
    }
}

fn resolver(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    o.resolver = None;
    match &e.value.value {
        Value::String(s) => {
            let up = s.to_ascii_uppercase();
            if up.contains("MEM") {
                o.resolver = Some(ResolverConfig::Memory);
            } else if up.contains("URL") {
                ctx.error(e, "\"URL\" resolvers are not supported yet by rnats");
                return;
            }
        }
        Value::Map(m) => {
            let text = |k: &str| m.get(k).and_then(|v| v.value.as_str()).map(str::to_string);
            let dir = text("dir").unwrap_or_default();
            let kind = text("type").unwrap_or_default().to_ascii_uppercase();
            let allow_delete = m
                .get("allow_delete")
                .and_then(|v| v.value.as_bool())
                .unwrap_or(false);
            let check_dir = |ctx: &mut Ctx| {
                if dir.is_empty() {
                    ctx.error(e, "dir has no value and needs to point to a directory");
                    return false;
                }
                if let Ok(md) = std::fs::metadata(&dir) {
                    if !md.is_dir() {
                        ctx.error(e, "dir needs to point to an accessible directory");
                        return false;
                    }
                }
                true
            };
            match kind.as_str() {
                "FULL" => {
                    if m.get("ttl").is_some() {
                        ctx.error(e, "FULL does not accept ttl");
                    }
                    if check_dir(ctx) {
                        // Go's NewDirAccResolver creates the directory.
                        if let Err(err) = std::fs::create_dir_all(&dir) {
                            ctx.error(e, err);
                            return;
                        }
                        o.resolver = Some(ResolverConfig::Full {
                            dir: PathBuf::from(&dir),
                            allow_delete,
                        });
                    }
                    return;
                }
                "CACHE" => {
                    ctx.error(e, "\"CACHE\" resolvers are not supported yet by rnats");
                    return;
                }
                "MEM" | "MEMORY" => o.resolver = Some(ResolverConfig::Memory),
                _ => {}
            }
        }
        v => {
            ctx.error(
                e,
                format_args!(
                    "error parsing operator resolver, wrong type {}",
                    v.go_type_name()
                ),
            );
            return;
        }
    }
    if o.resolver.is_none() {
        ctx.error(
            e,
            "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])",
        );
    }
}

fn preload(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    let Value::Map(m) = &e.value.value else {
        ctx.error(
            e,
            "preload should be a map of account_public_key:account_jwt",
        );
        return;
    };
    o.resolver_preload.clear();
    for entry in m {
        let Value::String(jwt) = &entry.value.value else {
            ctx.error(entry, "preload map value should be a string JWT");
            continue;
        };
        if crate::jwt::decode::<AccountClaims>(jwt).is_err() {
            ctx.error(entry, "invalid account JWT");
            continue;
        }
        o.resolver_preload.insert(entry.key.clone(), jwt.clone());
    }
}

/// After every key is read: a single operator names the system account unless the config did, and
/// the operators' keys become the trusted keys (Go's `processConfigFileLine` and
/// `validateTrustedOperators`).
pub fn finish(o: &mut Options) {
    if o.trusted_operators.len() == 1 && o.system_account.is_empty() {
        o.system_account = o.trusted_operators[0].nats.system_account.clone();
    }
    fill_trusted_keys(o);
}

/// The operators' identity keys (unless strict signing key usage) and signing keys.
pub fn fill_trusted_keys(o: &mut Options) {
    if o.trusted_operators.is_empty() {
        return;
    }
    let mut keys = Vec::new();
    for op in &o.trusted_operators {
        if !op.nats.strict_signing_key_usage {
            keys.push(op.data.sub.clone());
        }
        keys.extend(op.nats.signing_keys.iter().cloned());
    }
    o.trusted_keys = keys;
}

/// Go's `validateTrustedOperators`, for the options rnats has.
pub fn validate(o: &Options) -> Result<(), String> {
    if o.trusted_operators.is_empty() {
        return Ok(());
    }
    let Some(res) = &o.resolver else {
        return Err("operators require an account resolver to be configured".into());
    };
    let configured = o
        .accounts
        .iter()
        .any(|a| a.name != crate::consts::GLOBAL_ACCOUNT || !a.mappings.is_empty());
    if configured {
        return Err("operators do not allow Accounts to be configured directly".into());
    }
    if !o.users.is_empty() || !o.nkeys.is_empty() {
        return Err("operators do not allow users to be configured directly".into());
    }
    if !o.system_account.is_empty() {
        let non_empty = o
            .trusted_operators
            .iter()
            .any(|op| !op.nats.system_account.is_empty());
        let found = o
            .trusted_operators
            .iter()
            .any(|op| op.nats.system_account == o.system_account);
        if non_empty && !found {
            return Err("system_account in config and operator JWT must be identical".into());
        }
    } else if matches!(res, ResolverConfig::Full { .. }) {
        return Err("using nats based account resolver - the system account needs to be specified in configuration or the operator jwt".into());
    }
    for k in &o.trusted_keys {
        if !is_operator_key(k) {
            return Err(format!(
                "trusted Keys {k:?} are required to be a valid public operator nkey"
            ));
        }
    }
    for k in o.resolver_preload.keys() {
        if !is_account_key(k) {
            return Err(format!(
                "preload key {k:?} is not a valid account public key"
            ));
        }
    }
    Ok(())
}
