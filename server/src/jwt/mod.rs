//! NATS JWTs (nats-io/jwt v2): `header.payload.signature`, each part base64url without padding; the
//! header is `{"typ":"JWT","alg":"ed25519-nkey"}`, the payload the claims as JSON, and the signature
//! ed25519 over `header.payload` by the issuer's nkey. This module decodes and verifies them
//! (Go's `jwt.Decode*Claims` and `Validate`); [`claims`] holds the claim types, [`account`] turns
//! account claims into an account's configuration, [`resolver`] finds account JWTs by public key.
//! Pure: no I/O except the directory resolver's file reads.

pub mod account;
pub mod activation;
pub mod claims;
pub mod resolver;

use base64::Engine;
use serde::de::DeserializeOwned;

pub use claims::{AccountClaims, OperatorClaims, UserClaims};

/// What every JWT starts with (Go's `jwtPrefix`): base64 of `{"`.
pub const JWT_PREFIX: &str = "eyJ";

/// A JWT that could not be decoded or verified; the text follows Go's jwt package where it matters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JwtError(pub String);

fn err(s: impl Into<String>) -> JwtError {
    JwtError(s.into())
}

#[derive(serde::Deserialize)]
struct Header {
    #[serde(default)]
    typ: String,
    #[serde(default)]
    alg: String,
}

/// Common claim fields (Go's `ClaimsData`).
pub trait Claims {
    fn data(&self) -> &claims::ClaimsData;
    /// The `nats.type` this kind of claim must carry.
    const KIND: &'static str;
    fn kind(&self) -> &str;
    /// Whether `issuer` may sign this kind of claim (Go's `ExpectedPrefixes`).
    fn issuer_allowed(kind: nkeys::KeyPairType) -> bool;
}

/// Decode and verify a JWT of claim type `T`: header, signature by the issuer nkey, claim type.
pub fn decode<T: DeserializeOwned + Claims>(token: &str) -> Result<T, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(err("expected 3 chunks"));
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64
        .decode(parts[0])
        .map_err(|e| err(format!("illegal base64 data: {e}")))?;
    let header: Header = serde_json::from_slice(&header).map_err(|e| err(e.to_string()))?;
    if !header.typ.eq_ignore_ascii_case("JWT") {
        return Err(err(format!("not supported type {:?}", header.typ)));
    }
    if !header.alg.eq_ignore_ascii_case("ed25519-nkey") {
        return Err(err(format!("unexpected {:?} algorithm", header.alg)));
    }
    let payload = b64
        .decode(parts[1])
        .map_err(|e| err(format!("illegal base64 data: {e}")))?;
    let claims: T = serde_json::from_slice(&payload).map_err(|e| err(e.to_string()))?;
    let sig = b64
        .decode(parts[2])
        .map_err(|e| err(format!("illegal base64 data: {e}")))?;
    let iss = &claims.data().iss;
    let kp = nkeys::KeyPair::from_public_key(iss)
        .map_err(|_| err("claim failed V2 signature verification"))?;
    let signed = &token[..parts[0].len() + 1 + parts[1].len()];
    if kp.verify(signed.as_bytes(), &sig).is_err() {
        return Err(err("claim failed V2 signature verification"));
    }
    if !T::issuer_allowed(kp.key_pair_type()) {
        return Err(err("unable to validate expected prefixes"));
    }
    if claims.kind() != T::KIND {
        return Err(err(format!("not {} claim", T::KIND)));
    }
    Ok(claims)
}

/// Seconds since the epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Go's blocking time validation: expired or not yet valid.
pub fn time_issue(d: &claims::ClaimsData, now: i64) -> Option<&'static str> {
    if d.exp > 0 && now > d.exp {
        Some("claim is expired")
    } else if d.nbf > 0 && now < d.nbf {
        Some("claim is not yet valid")
    } else {
        None
    }
}

/// Go's `ParseDecoratedJWT`: the JWT inside a `.creds`-style decorated file, or the text itself.
pub fn parse_decorated(contents: &str) -> String {
    let mut lines = contents.lines();
    while let Some(l) = lines.next() {
        if l.trim_start().starts_with("-----BEGIN NATS") && l.contains("JWT") {
            for l in lines.by_ref() {
                let t = l.trim();
                if !t.is_empty() {
                    return t.to_string();
                }
            }
        }
    }
    contents.trim().to_string()
}

/// Encode and sign `claims` (JSON) with `kp`: tests and tools build JWTs with it.
pub fn encode(claims: &serde_json::Value, kp: &nkeys::KeyPair) -> Result<String, JwtError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let payload = b64.encode(serde_json::to_vec(claims).map_err(|e| err(e.to_string()))?);
    let signed = format!("{header}.{payload}");
    let sig = kp.sign(signed.as_bytes()).map_err(|e| err(e.to_string()))?;
    Ok(format!("{signed}.{}", b64.encode(sig)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user_claims(iss: &nkeys::KeyPair, kind: &str) -> serde_json::Value {
        json!({"jti": "J", "iat": 1, "iss": iss.public_key(),
               "sub": nkeys::KeyPair::new_user().public_key(),
               "nats": {"type": kind, "version": 2}})
    }

    #[test]
    fn decodes_and_verifies() {
        let acc = nkeys::KeyPair::new_account();
        let jwt = encode(&user_claims(&acc, "user"), &acc).unwrap();
        let c = decode::<UserClaims>(&jwt).unwrap();
        assert_eq!(c.data.iss, acc.public_key());
        // Signed by a key other than the issuer.
        let other = nkeys::KeyPair::new_account();
        let forged = encode(&user_claims(&acc, "user"), &other).unwrap();
        assert_eq!(
            decode::<UserClaims>(&forged).unwrap_err().0,
            "claim failed V2 signature verification"
        );
        // A user JWT issued by an operator key.
        let op = nkeys::KeyPair::new_operator();
        let wrong = encode(&user_claims(&op, "user"), &op).unwrap();
        assert!(decode::<UserClaims>(&wrong).is_err());
        // The claim type must match.
        let acct = encode(&user_claims(&acc, "account"), &acc).unwrap();
        assert!(decode::<UserClaims>(&acct).is_err());
        assert_eq!(
            decode::<UserClaims>("a.b").unwrap_err().0,
            "expected 3 chunks"
        );
        assert!(decode::<UserClaims>("a.b.c").is_err());
    }

    #[test]
    fn header_must_name_nkey_signatures() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let acc = nkeys::KeyPair::new_account();
        let h = b64.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
        let p = b64.encode(serde_json::to_vec(&user_claims(&acc, "user")).unwrap());
        let sig = b64.encode(acc.sign(format!("{h}.{p}").as_bytes()).unwrap());
        let e = decode::<UserClaims>(&format!("{h}.{p}.{sig}")).unwrap_err();
        assert_eq!(e.0, "unexpected \"HS256\" algorithm");
    }

    #[test]
    fn decorated_jwt_files() {
        let text = "-----BEGIN NATS OPERATOR JWT-----\neyJabc.def.ghi\n------END NATS OPERATOR JWT------\n";
        assert_eq!(parse_decorated(text), "eyJabc.def.ghi");
        assert_eq!(parse_decorated("  eyJx.y.z \n"), "eyJx.y.z");
    }

    #[test]
    fn revocations_cover_users_issued_at_or_before() {
        let mut a = account::JwtAccount::default();
        a.revocations.insert("U1".into(), 100);
        assert!(a.is_revoked("U1", 100));
        assert!(a.is_revoked("U1", 99));
        assert!(!a.is_revoked("U1", 101));
        assert!(!a.is_revoked("U2", 1));
        a.revocations.insert("*".into(), 50);
        assert!(a.is_revoked("U2", 50));
        assert!(!a.is_revoked("U2", 51));
    }

    #[test]
    fn time_validity() {
        let d = claims::ClaimsData {
            exp: 100,
            nbf: 10,
            ..claims::ClaimsData::default()
        };
        assert_eq!(time_issue(&d, 50), None);
        assert_eq!(time_issue(&d, 101), Some("claim is expired"));
        assert_eq!(time_issue(&d, 5), Some("claim is not yet valid"));
    }
}
