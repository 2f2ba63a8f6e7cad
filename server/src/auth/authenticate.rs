//! Deciding whether a client's CONNECT credentials are good (Go's `processClientOrLeafAuthentication` for
//! plain client connections, without operator mode, TLS mapping or auth callouts). The order is Go's:
//! nkey users, then users (each possibly chosen by `no_auth_user` when the client sent no credentials),
//! then the single token, then the single user/password. Why a login failed goes to the debug log only.

use base64::Engine;

use super::{compare_passwords, connection_type_allowed, AuthConfig, Permissions};
use crate::protocol::ConnectInfo;
use crate::tls::x509::CertInfo;

/// Who the client turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Authentication is not required: whatever permissions the connection has stay as they are.
    Anonymous,
    /// The token or single user/password matched: no permissions.
    Simple,
    /// A configured user or nkey: these permissions (none means everything is allowed), in this account
    /// (empty: the global account).
    User {
        perms: Option<Permissions>,
        account: String,
    },
}

/// A failed login; the reason was already logged at debug level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthError;

/// Check `ci` against `cfg`. A client without credentials is given the `no_auth_user`'s identity by
/// filling in `ci` (its user and password, or its nkey) as Go does, so a later reload checks the same.
/// `nonce` is what INFO carried; `label` prefixes debug lines.
pub fn authenticate(
    cfg: &AuthConfig,
    ci: &mut ConnectInfo,
    nonce: &[u8],
    label: &str,
) -> Result<Identity, AuthError> {
    authenticate_with_cert(cfg, ci, nonce, label, None)
}

/// [`authenticate`] for a connection that may carry a verified client certificate: with `verify_and_map`
/// the certificate, not CONNECT, names the user (Go logs a warning when CONNECT names one too).
pub fn authenticate_with_cert(
    cfg: &AuthConfig,
    ci: &mut ConnectInfo,
    nonce: &[u8],
    label: &str,
    cert: Option<&CertInfo>,
) -> Result<Identity, AuthError> {
    if !cfg.required {
        return Ok(Identity::Anonymous);
    }
    let no_auth = cfg.no_auth_user.as_str();
    let mut nkey = None;
    if !cfg.nkeys.is_empty() {
        if !no_auth.is_empty()
            && ci.user.is_empty()
            && ci.pass.is_empty()
            && ci.auth_token.is_empty()
            && ci.nkey.is_empty()
            && cfg.nkeys.contains_key(no_auth)
        {
            ci.nkey = no_auth.to_string();
        }
        if !ci.nkey.is_empty() {
            match cfg.nkeys.get(&ci.nkey) {
                Some(u) if connection_type_allowed(&u.allowed_connection_types) => {
                    nkey = Some(u.clone())
                }
                _ => return Err(AuthError),
            }
        }
    }
    let mut user = None;
    if !cfg.users.is_empty() && nkey.is_none() && cfg.tls_map {
        let Some(cert) = cert else {
            tracing::debug!("{label} - User required in cert, no peer certificates found");
            return Err(AuthError);
        };
        let Some(u) = super::tls_map::map_user(cfg, cert, label) else {
            return Err(AuthError);
        };
        if !ci.user.is_empty() {
            tracing::warn!(
                "User {:?} found in connect proto, but user required from cert",
                ci.user
            );
        }
        ci.user = u.username.clone();
        user = Some(u);
    } else if !cfg.users.is_empty() && nkey.is_none() {
        if !no_auth.is_empty()
            && ci.user.is_empty()
            && ci.pass.is_empty()
            && ci.auth_token.is_empty()
        {
            if let Some(u) = cfg.users.get(no_auth) {
                ci.user = u.username.clone();
                ci.pass = u.password.clone();
            }
        }
        if !ci.user.is_empty() {
            match cfg.users.get(&ci.user) {
                Some(u) if connection_type_allowed(&u.allowed_connection_types) => {
                    user = Some(u.clone())
                }
                _ => return Err(AuthError),
            }
        }
    }
    if let Some(n) = nkey {
        // The no_auth_user identity needs no signature.
        if n.nkey != no_auth {
            verify_signature(&ci.nkey, &ci.sig, nonce, label)?;
        }
        return Ok(Identity::User {
            perms: n.permissions.clone(),
            account: n.account.clone(),
        });
    }
    if let Some(u) = user {
        return if compare_passwords(&u.password, &ci.pass) {
            Ok(Identity::User {
                perms: u.permissions.clone(),
                account: u.account.clone(),
            })
        } else {
            Err(AuthError)
        };
    }
    let ok = if !cfg.token.is_empty() {
        compare_passwords(&cfg.token, &ci.auth_token)
    } else if !cfg.username.is_empty() {
        cfg.username == ci.user && compare_passwords(&cfg.password, &ci.pass)
    } else {
        false
    };
    if ok {
        Ok(Identity::Simple)
    } else {
        Err(AuthError)
    }
}

/// The CONNECT `sig` must be the nkey's signature of the nonce, in URL-safe or standard base64.
fn verify_signature(nkey: &str, sig: &str, nonce: &[u8], label: &str) -> Result<(), AuthError> {
    if sig.is_empty() {
        tracing::debug!("{label} - Signature missing");
        return Err(AuthError);
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(sig));
    let Ok(raw) = raw else {
        tracing::debug!("{label} - Signature not valid base64");
        return Err(AuthError);
    };
    let kp = match nkeys::KeyPair::from_public_key(nkey) {
        Ok(kp) => kp,
        Err(e) => {
            tracing::debug!("{label} - User nkey not valid: {e}");
            return Err(AuthError);
        }
    };
    if kp.verify(nonce, &raw).is_err() {
        tracing::debug!("{label} - Signature not verified");
        return Err(AuthError);
    }
    Ok(())
}

/// Go's `nkeys.IsValidPublicUserKey`.
pub fn is_valid_public_user_key(key: &str) -> bool {
    nkeys::KeyPair::from_public_key(key)
        .map(|kp| kp.key_pair_type() == nkeys::KeyPairType::User)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{NkeyUser, User};
    use crate::options::Options;

    fn ci(user: &str, pass: &str) -> ConnectInfo {
        ConnectInfo {
            user: user.into(),
            pass: pass.into(),
            ..ConnectInfo::default()
        }
    }

    #[test]
    fn token_then_user_password() {
        let o = Options {
            authorization: "tok".into(),
            ..Options::default()
        };
        let cfg = AuthConfig::from_options(&o);
        let mut c = ConnectInfo {
            auth_token: "tok".into(),
            ..ConnectInfo::default()
        };
        assert_eq!(authenticate(&cfg, &mut c, b"", ""), Ok(Identity::Simple));
        c.auth_token = "bad".into();
        assert_eq!(authenticate(&cfg, &mut c, b"", ""), Err(AuthError));

        let o = Options {
            username: "u".into(),
            password: "p".into(),
            ..Options::default()
        };
        let cfg = AuthConfig::from_options(&o);
        assert!(authenticate(&cfg, &mut ci("u", "p"), b"", "").is_ok());
        assert!(authenticate(&cfg, &mut ci("u", "x"), b"", "").is_err());
        assert!(authenticate(&cfg, &mut ci("x", "p"), b"", "").is_err());
        assert!(authenticate(&cfg, &mut ci("", ""), b"", "").is_err());
    }

    #[test]
    fn nkey_signature_and_no_auth_user() {
        let kp = nkeys::KeyPair::new_user();
        let o = Options {
            nkeys: vec![NkeyUser {
                nkey: kp.public_key(),
                ..NkeyUser::default()
            }],
            users: vec![User {
                username: "anon".into(),
                password: "pw".into(),
                ..User::default()
            }],
            no_auth_user: "anon".into(),
            ..Options::default()
        };
        let cfg = AuthConfig::from_options(&o);
        let nonce = b"abcdefghijklmno";
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(kp.sign(nonce).unwrap());
        let mut c = ConnectInfo {
            nkey: kp.public_key(),
            sig: sig.clone(),
            ..ConnectInfo::default()
        };
        assert!(authenticate(&cfg, &mut c, nonce, "").is_ok());
        // A signature of another nonce, a missing one, garbage: all refused.
        assert!(authenticate(&cfg, &mut c, b"other-nonce-xyz", "").is_err());
        c.sig.clear();
        assert!(authenticate(&cfg, &mut c, nonce, "").is_err());
        c.sig = "!!!".into();
        assert!(authenticate(&cfg, &mut c, nonce, "").is_err());
        // No credentials: the no_auth_user.
        let mut c = ConnectInfo::default();
        assert!(authenticate(&cfg, &mut c, nonce, "").is_ok());
        assert_eq!(c.user, "anon");
    }
}
