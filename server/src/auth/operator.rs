//! Operator mode logins: a client presents a user JWT (and, unless it is a bearer token, the user
//! nkey's signature of the INFO nonce); the JWT must be issued by an account (or one of its signing
//! keys) whose own JWT an operator trusted by this server signed. Matches the JWT branch of Go's
//! `processClientOrLeafAuthentication` (auth.go) with `validateSrc` and `validateTimes` (jwt.go).
//! Why a login failed goes to the debug log, with Go's texts; the client only sees
//! `Authorization Violation`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;

use super::{AuthError, Permissions, CONNECTION_TYPES, STANDARD};
use crate::accounts::Account;
use crate::jwt::account::{from_claims, permissions};
use crate::jwt::claims::{TimeRange, UserClaims};
use crate::jwt::resolver::{Resolver, ResolverConfig};
use crate::jwt::AccountClaims;
use crate::options::Options;
use crate::protocol::ConnectInfo;

/// The operator-mode part of the auth configuration.
#[derive(Debug)]
pub struct OperatorAuth {
    /// Keys allowed to sign account JWTs.
    pub trusted_keys: Vec<String>,
    pub resolver: Resolver,
}

impl OperatorAuth {
    pub fn from_options(o: &Options) -> Option<OperatorAuth> {
        if o.trusted_operators.is_empty() {
            return None;
        }
        let config = o.resolver.clone().unwrap_or(ResolverConfig::Memory);
        Some(OperatorAuth {
            trusted_keys: o.trusted_keys.clone(),
            resolver: Resolver::new(config, &o.resolver_preload),
        })
    }

    /// Go's `isTrustedIssuer`.
    pub fn is_trusted(&self, issuer: &str) -> bool {
        self.trusted_keys.iter().any(|k| k == issuer)
    }
}

/// A successful JWT login.
#[derive(Clone)]
pub struct JwtLogin {
    pub account: Arc<Account>,
    /// None: everything allowed.
    pub perms: Option<Permissions>,
    /// When the login stops being valid (JWT expiry or end of the allowed time range).
    pub expires_in: Option<Duration>,
    /// The user's limit on payload size (None: the account's).
    pub max_payload: Option<i64>,
    /// The user's subscription limit as the JWT says it (-1: none).
    pub max_subs: i64,
}

/// Go's `LookupAccount` in operator mode: the live account, or one built from the resolver's JWT.
pub fn lookup_account(
    server: &crate::server::ServerShared,
    op: &OperatorAuth,
    name: &str,
) -> Result<Arc<Account>, String> {
    lookup_with_exporters(server, op, name, &mut Vec::new())
}

/// [`lookup_account`], first registering the accounts its imports come from, as Go's
/// `UpdateAccountClaims` looks each exporter up; `seen` stops import cycles.
fn lookup_with_exporters(
    server: &crate::server::ServerShared,
    op: &OperatorAuth,
    name: &str,
    seen: &mut Vec<String>,
) -> Result<Arc<Account>, String> {
    if let Some(a) = server.accounts.get(name) {
        if a.config().jwt.is_some() || a.is_system(&server.accounts) {
            return Ok(a);
        }
    }
    let jwt = op.resolver.fetch(name)?;
    let claims = crate::jwt::decode::<AccountClaims>(&jwt).map_err(|e| e.to_string())?;
    if claims.data.sub != name {
        return Err("account name does not match the JWT subject".into());
    }
    // Go's verifyAccountClaims: an untrusted issuer or an expired JWT leaves the account unknown.
    if !op.is_trusted(&claims.data.iss)
        || crate::jwt::time_issue(&claims.data, crate::jwt::now_unix()).is_some()
    {
        return Err("account validation failed".into());
    }
    let (mut cfg, info) = from_claims(&claims, &jwt);
    cfg.jwt = Some(Arc::new(info));
    seen.push(name.to_string());
    let exporters = cfg
        .stream_imports
        .iter()
        .map(|i| &i.account)
        .chain(cfg.service_imports.iter().map(|i| &i.account));
    for exporter in exporters {
        if !seen.contains(exporter) && server.accounts.get(exporter).is_none() {
            // An exporter that cannot be found leaves that import out, as in Go.
            let _ = lookup_with_exporters(server, op, exporter, seen);
        }
    }
    Ok(server.accounts.register_jwt(cfg))
}

/// Check a CONNECT in operator mode. `host` is the client's address, `label` prefixes log lines.
pub fn authenticate(
    server: &crate::server::ServerShared,
    op: &OperatorAuth,
    ci: &ConnectInfo,
    nonce: &[u8],
    host: Option<IpAddr>,
    label: &str,
) -> Result<JwtLogin, AuthError> {
    let fail = |why: &str| {
        tracing::debug!("{label} - {why}");
        AuthError
    };
    let Ok(mut juc) = crate::jwt::decode::<UserClaims>(&ci.jwt) else {
        return Err(fail("Authentication requires a user JWT"));
    };
    let now = crate::jwt::now_unix();
    if let Some(issue) = user_issue(&juc, now) {
        return Err(fail(&format!("User JWT no longer valid: {issue}")));
    }
    let issuer = if juc.nats.issuer_account.is_empty() {
        juc.data.iss.clone()
    } else {
        juc.nats.issuer_account.clone()
    };
    let acc = lookup_account(server, op, &issuer)
        .map_err(|e| fail(&format!("Account JWT lookup error: {e}")))?;
    let cfg = acc.config();
    let Some(ajwt) = cfg.jwt.clone() else {
        return Err(fail("Account JWT not signed by trusted operator"));
    };
    if !op.is_trusted(&ajwt.issuer) {
        return Err(fail("Account JWT not signed by trusted operator"));
    }
    match ajwt.issuer_scope(&acc.name, &juc.data.iss) {
        None => return Err(fail("User JWT issuer is not known")),
        Some(Some(scope)) => {
            if !juc.has_empty_permissions() {
                return Err(fail(
                    "User JWT is not valid: scoped users require no permissions or limits set",
                ));
            }
            juc.nats.limits = apply_template(&scope.template, &juc, &acc.name);
        }
        Some(None) => {}
    }
    if ajwt.is_expired(now) {
        return Err(fail("Account JWT has expired"));
    }
    let lim = &juc.nats.limits;
    if lim.bearer_token && ajwt.disallow_bearer {
        return Err(fail("Account does not allow bearer tokens"));
    }
    if !lim.allowed_connection_types.is_empty() {
        let known: Vec<&String> = lim
            .allowed_connection_types
            .iter()
            .filter(|t| CONNECTION_TYPES.contains(&t.as_str()))
            .collect();
        if known.len() != lim.allowed_connection_types.len() {
            for t in &lim.allowed_connection_types {
                if !CONNECTION_TYPES.contains(&t.as_str()) {
                    tracing::debug!("{label} - unknown connection type {t:?}");
                }
            }
            if known.is_empty() {
                return Err(AuthError);
            }
        }
        if !known.iter().any(|t| t.as_str() == STANDARD) {
            return Err(fail("Connection type not allowed"));
        }
    }
    if !lim.bearer_token {
        verify_nonce_signature(&juc.data.sub, &ci.sig, nonce).map_err(fail)?;
    }
    if ajwt.is_revoked(&juc.data.sub, juc.data.iat) {
        return Err(fail("User authentication revoked"));
    }
    if !src_allowed(&lim.src.0, host) {
        let h = host.map(|h| h.to_string()).unwrap_or_default();
        tracing::error!("{label} - Bad src Ip {h}");
        return Err(AuthError);
    }
    let Some(valid_for) = times_allowed(&lim.times, &lim.times_location) else {
        tracing::error!("{label} - Outside connect times");
        return Err(AuthError);
    };
    let perms = permissions(lim).or_else(|| cfg.default_permissions.clone());
    // Go's setExpiration: the sooner of the JWT's expiry and the end of the connect time range.
    let exp = (juc.data.exp > 0).then(|| Duration::from_secs((juc.data.exp - now).max(0) as u64));
    let expires_in = match (exp, valid_for) {
        (Some(e), Some(v)) => Some(e.min(v)),
        (e, v) => e.or(v),
    };
    tracing::debug!(
        "{label} - Authenticated JWT: Client {:?} (claim-name: {:?}) signed with {:?} by Account {:?}",
        juc.data.sub,
        juc.data.name,
        juc.data.iss,
        issuer
    );
    Ok(JwtLogin {
        account: acc,
        perms,
        expires_in,
        max_payload: (lim.payload >= 0).then_some(lim.payload),
        max_subs: lim.subs,
    })
}

/// Go's blocking checks of `UserClaims.Validate`: times, source networks, connect times.
fn user_issue(juc: &UserClaims, now: i64) -> Option<String> {
    if let Some(t) = crate::jwt::time_issue(&juc.data, now) {
        return Some(t.to_string());
    }
    for c in &juc.nats.limits.src.0 {
        if parse_cidr(c).is_none() {
            return Some(format!("invalid cidr {c:?}"));
        }
    }
    for t in &juc.nats.limits.times {
        if parse_hms(&t.start).is_none() || parse_hms(&t.end).is_none() {
            return Some(format!("time range {:?}-{:?} is invalid", t.start, t.end));
        }
    }
    None
}

/// The user's signature of the nonce, in URL-safe or standard base64 (Go's order of checks).
fn verify_nonce_signature(user: &str, sig: &str, nonce: &[u8]) -> Result<(), &'static str> {
    if sig.is_empty() {
        return Err("Signature missing");
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(sig))
        .map_err(|_| "Signature not valid base64")?;
    let kp = nkeys::KeyPair::from_public_key(user).map_err(|_| "User nkey not valid")?;
    kp.verify(nonce, &raw).map_err(|_| "Signature not verified")
}

fn parse_cidr(c: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = c.trim().split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

/// Go's `validateSrc`: no list allows all; otherwise the client's address must be in one network.
fn src_allowed(src: &[String], host: Option<IpAddr>) -> bool {
    if src.is_empty() {
        return true;
    }
    let Some(host) = host else { return false };
    src.iter().any(|c| {
        let Some((net, bits)) = parse_cidr(c) else {
            return false;
        };
        match (net, host) {
            (IpAddr::V4(n), IpAddr::V4(h)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(n) & mask == u32::from(h) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(h)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(n) & mask == u128::from(h) & mask
            }
            _ => false,
        }
    })
}

fn parse_hms(s: &str) -> Option<i64> {
    let mut it = s.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = it.next()?.parse().ok()?;
    (it.next().is_none() && (0..24).contains(&h) && (0..60).contains(&m) && (0..60).contains(&sec))
        .then_some(h * 3600 + m * 60 + sec)
}

/// Go's `validateTimes`: None when outside every range; otherwise how long the login may last
/// (None inside: no ranges). Ranges are read in UTC for `times_location: UTC`, else in local time.
fn times_allowed(times: &[TimeRange], location: &str) -> Option<Option<Duration>> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    times_allowed_at_ms(times, location, now_ms)
}

/// [`times_allowed`] at `now` (unix seconds).
#[cfg(test)]
fn times_allowed_at(times: &[TimeRange], location: &str, now: i64) -> Option<Option<Duration>> {
    times_allowed_at_ms(times, location, now * 1000)
}

/// [`times_allowed`] at `now_ms` (unix milliseconds): a range starting this very second has begun.
fn times_allowed_at_ms(
    times: &[TimeRange],
    location: &str,
    now_ms: i64,
) -> Option<Option<Duration>> {
    if times.is_empty() {
        return Some(None);
    }
    let offset = if location.eq_ignore_ascii_case("UTC") {
        0
    } else {
        time::UtcOffset::current_local_offset()
            .map(|o| o.whole_seconds() as i64)
            .unwrap_or(0)
    };
    const DAY_MS: i64 = 86_400_000;
    let now = (now_ms + offset * 1000).rem_euclid(DAY_MS);
    let mut best: Option<i64> = None;
    for t in times {
        let (Some(start), Some(end)) = (parse_hms(&t.start), parse_hms(&t.end)) else {
            return None;
        };
        let (start, end) = (start * 1000, end * 1000);
        // Inside the range, or before its end when it crosses midnight.
        let left = if (start < now || start > end) && now < end {
            Some(end - now)
        } else if start > end && start < now {
            Some(end + DAY_MS - now)
        } else {
            None
        };
        if let Some(l) = left {
            best = Some(best.map_or(l, |b: i64| b.max(l)));
        }
    }
    best.map(|ms| Some(Duration::from_millis(ms as u64)))
}

/// Go's `processUserPermissionsTemplate`, for the plain templates: `{{name()}}`, `{{subject()}}` and
/// `{{account-name()}}` / `{{account-subject()}}` are filled in; a subject left with a template it
/// cannot fill is dropped (an allow list emptied that way becomes a deny of everything).
fn apply_template(
    t: &crate::jwt::claims::UserLimits,
    juc: &UserClaims,
    account: &str,
) -> crate::jwt::claims::UserLimits {
    let mut vars = HashMap::new();
    vars.insert("{{name()}}", juc.data.name.as_str());
    vars.insert("{{subject()}}", juc.data.sub.as_str());
    vars.insert("{{account-subject()}}", account);
    vars.insert("{{account-name()}}", account);
    let fill = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter_map(|s| {
                let mut out = s.clone();
                for (k, v) in &vars {
                    out = out.replace(k, v);
                }
                (!out.contains("{{")).then_some(out)
            })
            .collect()
    };
    let mut l = t.clone();
    let (pa, sa) = (!l.publish.allow.is_empty(), !l.subscribe.allow.is_empty());
    l.publish.allow = fill(&t.publish.allow);
    l.publish.deny = fill(&t.publish.deny);
    l.subscribe.allow = fill(&t.subscribe.allow);
    l.subscribe.deny = fill(&t.subscribe.deny);
    if pa && l.publish.allow.is_empty() {
        l.publish.deny.push(">".into());
    }
    if sa && l.subscribe.allow.is_empty() {
        l.subscribe.deny.push(">".into());
    }
    l
}

/// After a reload with a memory resolver: accounts whose JWT is gone are forgotten, those whose
/// JWT changed take on the new claims (Go's `configureAccounts` when reloading in operator mode).
pub fn refresh_accounts(server: &crate::server::ServerShared, op: &OperatorAuth) {
    if op.resolver.config != ResolverConfig::Memory {
        return;
    }
    for acc in server.accounts.all() {
        let Some(info) = acc.config().jwt.clone() else {
            continue;
        };
        if acc.is_system(&server.accounts) {
            continue;
        }
        match op.resolver.fetch(&acc.name) {
            Err(_) => server.accounts.remove(&acc.name),
            Ok(jwt) if jwt != info.jwt => {
                if let Ok(claims) = crate::jwt::decode::<AccountClaims>(&jwt) {
                    let (mut cfg, info) = from_claims(&claims, &jwt);
                    cfg.jwt = Some(Arc::new(info));
                    let live = server.accounts.register_jwt(cfg);
                    check_account_clients(server, &live);
                }
            }
            Ok(_) => {}
        }
    }
}

/// After an account's claims changed (Go's `UpdateAccountClaims`): its clients whose user JWT is now
/// revoked are told `User Authentication Revoked` and closed; bearer users are closed with
/// `Authorization Violation` when bearer tokens became disallowed.
pub fn check_account_clients(server: &crate::server::ServerShared, acc: &Arc<Account>) {
    use crate::client::ClosedState;
    use crate::protocol::errors::{err_line, ServerErr};
    let Some(info) = acc.config().jwt.clone() else {
        return;
    };
    for c in server.clients_snapshot() {
        if c.is_closed() || !c.account().is_some_and(|a| Arc::ptr_eq(&a, acc)) {
            continue;
        }
        let Some(ci) = c.auth.lock().ok().and_then(|a| a.clone()) else {
            continue;
        };
        if ci.jwt.is_empty() {
            continue;
        }
        let label = c.label();
        let (text, state) = match crate::jwt::decode::<UserClaims>(&ci.jwt) {
            Err(e) => {
                tracing::debug!("{label} - User JWT not valid: {e}");
                (
                    ServerErr::AuthorizationViolation.text().to_string(),
                    ClosedState::AuthenticationViolation,
                )
            }
            Ok(juc) if juc.nats.limits.bearer_token && info.disallow_bearer => {
                tracing::debug!("{label} - Bearer User JWT not allowed");
                (
                    ServerErr::AuthorizationViolation.text().to_string(),
                    ClosedState::AuthenticationViolation,
                )
            }
            Ok(juc) if info.is_revoked(&juc.data.sub, juc.data.iat) => {
                tracing::debug!("{label} - User Authentication Revoked");
                (
                    "User Authentication Revoked".to_string(),
                    ClosedState::Revocation,
                )
            }
            Ok(_) => continue,
        };
        if c.out.queue(&err_line(&text)) != crate::conn::Queued::Closed {
            c.out.wake();
        }
        c.close(state, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(r: &[(&str, &str)]) -> Vec<TimeRange> {
        r.iter()
            .map(|(s, e)| TimeRange {
                start: s.to_string(),
                end: e.to_string(),
            })
            .collect()
    }

    // go: server/TestJWTValidateTimesAt
    #[test]
    fn connect_time_ranges_in_utc() {
        let day = 20_000 * 86_400;
        let at = |h: i64, m: i64| day + h * 3600 + m * 60;
        let hours = |h: i64, m: i64| Some(Some(Duration::from_secs((h * 3600 + m * 60) as u64)));
        let work = ranges(&[("09:00:00", "17:00:00")]);
        let night = ranges(&[("22:00:00", "06:00:00")]);
        let both = ranges(&[("22:00:00", "06:00:00"), ("00:00:00", "08:00:00")]);
        let both_rev = ranges(&[("00:00:00", "08:00:00"), ("22:00:00", "06:00:00")]);
        for (name, r, now, want) in [
            ("inside window", &work, at(14, 30), hours(2, 30)),
            ("before window", &work, at(8, 0), None),
            ("after window", &work, at(18, 0), None),
            (
                "cross midnight before midnight",
                &night,
                at(23, 30),
                hours(6, 30),
            ),
            (
                "cross midnight after midnight",
                &night,
                at(5, 0),
                hours(1, 0),
            ),
            ("cross midnight before window", &night, at(21, 0), None),
            ("cross midnight after window", &night, at(7, 0), None),
            ("overlap after midnight", &both, at(1, 0), hours(7, 0)),
            ("overlap reversed order", &both_rev, at(1, 0), hours(7, 0)),
        ] {
            assert_eq!(times_allowed_at(r, "UTC", now), want, "{name}");
        }
        assert_eq!(times_allowed_at(&[], "UTC", at(3, 0)), Some(None));
    }

    #[test]
    fn source_networks() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let nets = vec!["192.168.1.0/24".to_string(), "::1/128".to_string()];
        assert!(src_allowed(&[], None));
        assert!(src_allowed(&nets, ip("192.168.1.77")));
        assert!(!src_allowed(&nets, ip("192.168.2.1")));
        assert!(src_allowed(&nets, ip("::1")));
        assert!(!src_allowed(&nets, None));
        assert!(!src_allowed(&["garbage".to_string()], ip("10.0.0.1")));
        assert!(src_allowed(&["0.0.0.0/0".to_string()], ip("10.0.0.1")));
    }

    #[test]
    fn nonce_signatures_in_either_base64() {
        use base64::Engine;
        let kp = nkeys::KeyPair::new_user();
        let raw = kp.sign(b"nonce").unwrap();
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        let std = base64::engine::general_purpose::STANDARD.encode(&raw);
        let pk = kp.public_key();
        assert_eq!(verify_nonce_signature(&pk, &url, b"nonce"), Ok(()));
        assert_eq!(verify_nonce_signature(&pk, &std, b"nonce"), Ok(()));
        assert_eq!(
            verify_nonce_signature(&pk, &url, b"other"),
            Err("Signature not verified")
        );
        assert_eq!(
            verify_nonce_signature(&pk, "", b"nonce"),
            Err("Signature missing")
        );
        assert_eq!(
            verify_nonce_signature(&pk, "***", b"nonce"),
            Err("Signature not valid base64")
        );
    }
}
