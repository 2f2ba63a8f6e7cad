//! The client `tls {}` block and `allow_non_tls`, as Go's `parseTLS` and `GenTLSConfig` read them (opts.go):
//! the first bad key ends the block with Go's error text at that key (or list element); problems found
//! while loading the files are reported at the `tls` key. Windows certificate stores are refused as Go
//! refuses them on other systems; OCSP peer checks, which rnats does not do, are refused when enabled.

use std::collections::BTreeSet;
use std::time::Duration;

use super::Ctx;
use crate::config::conf::{Entry, Map, Pos, Spanned, Value};
use crate::options::Options;
use crate::tls::{self, suites, TlsConfigOpts};

/// Apply `key` if it is a TLS key; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "tls" => client_tls(o, e, ctx),
        "allow_non_tls" => {
            if let Some(v) = ctx.boolean(e) {
                o.allow_non_tls = v;
            }
        }
        _ => return false,
    }
    true
}

fn client_tls(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    let tc = match parse_tls(&e.value, true) {
        Ok(tc) => tc,
        Err((pos, msg)) => {
            ctx.errors.push(format!("{pos}: {msg}"));
            return;
        }
    };
    match tls::gen_tls_config(&tc) {
        Ok(cfg) => o.tls_config = Some(std::sync::Arc::new(cfg)),
        Err(msg) => {
            ctx.error(e, msg);
            return;
        }
    }
    o.tls_timeout = tc.timeout;
    o.tls_map = tc.map;
    o.tls_pinned_certs = tc.pinned_certs;
    o.tls_rate_limit = tc.rate_limit;
    o.tls_handshake_first = tc.handshake_first;
    o.tls_handshake_first_fallback = tc.fallback_delay;
}

type Fail = (Pos, String);

fn fail(pos: &Pos, msg: impl Into<String>) -> Fail {
    (pos.clone(), msg.into())
}

/// Go's failed type assertion, reported at the value.
fn conversion(v: &Spanned<Value>, want: &str) -> Fail {
    fail(
        &v.pos,
        format!(
            "interface conversion: interface {{}} is {}, not {want}",
            v.value.go_type_name()
        ),
    )
}

/// Go's `parseTLS`. `client` is true for the client, websocket and MQTT blocks (Go's `isClientCtx`).
pub fn parse_tls(v: &Spanned<Value>, client: bool) -> Result<TlsConfigOpts, Fail> {
    let Value::Map(m) = &v.value else {
        return Err(conversion(v, "map[string]interface {}"));
    };
    let mut tc = TlsConfigOpts::default();
    let mut insecure: Vec<&'static str> = Vec::new();
    let mut cert_file_given = false;
    for entry in m {
        let mv = &entry.value;
        let pos = &mv.pos;
        let key = entry.key.to_ascii_lowercase();
        let want_string = |what: &str| -> Result<String, Fail> {
            match &mv.value {
                Value::String(s) => Ok(s.clone()),
                _ => Err(fail(
                    pos,
                    format!("error parsing tls config, expected '{what}' to be filename"),
                )),
            }
        };
        let want_bool = |what: &str| -> Result<bool, Fail> {
            match &mv.value {
                Value::Bool(b) => Ok(*b),
                _ => Err(fail(
                    pos,
                    format!("error parsing tls config, expected '{what}' to be a boolean"),
                )),
            }
        };
        match key.as_str() {
            "cert_file" => {
                tc.cert_file = want_string("cert_file")?;
                cert_file_given = !tc.cert_file.is_empty();
            }
            "key_file" => tc.key_file = want_string("key_file")?,
            "ca_file" => tc.ca_file = want_string("ca_file")?,
            "insecure" => tc.insecure = want_bool("insecure")?,
            "verify" => tc.verify = want_bool("verify")?,
            "verify_and_map" => {
                let b = want_bool("verify_and_map")?;
                if b {
                    tc.verify = true;
                }
                tc.map = b;
            }
            "verify_cert_and_check_known_urls" => {
                let b = want_bool("verify_cert_and_check_known_urls")?;
                if b && client {
                    return Err(fail(
                        pos,
                        "verify_cert_and_check_known_urls not supported in this context",
                    ));
                }
                if b {
                    tc.verify = true;
                }
                tc.check_known_urls = b;
            }
            "allow_insecure_cipher_suites" => {
                tc.allow_insecure_ciphers = want_bool("allow_insecure_cipher_suites")?
            }
            "cipher_suites" => {
                let list = array(mv)?;
                if list.is_empty() {
                    return Err(fail(
                        pos,
                        "error parsing tls config, 'cipher_suites' cannot be empty",
                    ));
                }
                let mut out = Vec::new();
                for r in list {
                    let name = string_elem(r)?;
                    let c = suites::cipher(&name).map_err(|e| fail(&r.pos, e))?;
                    if c.insecure {
                        insecure.push(c.name);
                    }
                    out.push(c);
                }
                tc.ciphers = Some(out);
            }
            "curve_preferences" => {
                let list = array(mv)?;
                if list.is_empty() {
                    return Err(fail(
                        pos,
                        "error parsing tls config, 'curve_preferences' cannot be empty",
                    ));
                }
                let mut out = Vec::new();
                for r in list {
                    let name = string_elem(r)?;
                    out.push(suites::curve(&name).map_err(|e| fail(&r.pos, e))?);
                }
                tc.curves = Some(out);
            }
            "timeout" => {
                tc.timeout = match &mv.value {
                    Value::Integer(i) => *i as f64,
                    Value::Float(f) => *f,
                    Value::String(s) => match crate::gofmt::parse_go_duration_signed(s) {
                        Ok(ns) => ns as f64 / 1e9,
                        Err(err) => {
                            return Err(fail(
                                pos,
                                format!("error parsing tls config, 'timeout' {err}"),
                            ))
                        }
                    },
                    _ => return Err(fail(pos, "error parsing tls config, 'timeout' wrong type")),
                }
            }
            "connection_rate_limit" => match &mv.value {
                Value::Integer(i) => tc.rate_limit = *i,
                _ => {
                    return Err(fail(
                        pos,
                        "error parsing tls config, 'connection_rate_limit' wrong type",
                    ))
                }
            },
            "pinned_certs" => {
                let Value::Array(list) = &mv.value else {
                    return Err(fail(pos, "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"));
                };
                if !list.is_empty() {
                    let mut set = BTreeSet::new();
                    for r in list {
                        let entry = string_elem(r)?.to_ascii_lowercase();
                        let ok = entry.len() == 64 && entry.bytes().all(|b| b.is_ascii_hexdigit());
                        if !ok {
                            return Err(fail(&r.pos, format!("error parsing tls config, 'pinned_certs' key {entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")));
                        }
                        set.insert(entry);
                    }
                    tc.pinned_certs = Some(set);
                }
            }
            "cert_store" => {
                let s = match &mv.value {
                    Value::String(s) if !s.is_empty() => s.to_ascii_lowercase(),
                    _ => {
                        return Err(fail(
                            pos,
                            "expected 'cert_store' to be a valid non-empty string",
                        ))
                    }
                };
                // The Windows certificate stores exist only on Windows; Go refuses them elsewhere too.
                let known = s == "windowscurrentuser" || s == "windowslocalmachine";
                return Err(fail(
                    pos,
                    if known {
                        "cert_store not compatible with current operating system"
                    } else {
                        "cert store type not implemented"
                    },
                ));
            }
            "cert_match_by" => match &mv.value {
                Value::String(s) if !s.is_empty() => {
                    let s = s.to_ascii_lowercase();
                    if !matches!(s.as_str(), "issuer" | "subject" | "thumbprint") {
                        return Err(fail(pos, "cert match by type not implemented"));
                    }
                }
                _ => {
                    return Err(fail(
                        pos,
                        "expected 'cert_match_by' to be a valid non-empty string",
                    ))
                }
            },
            "cert_match" => match &mv.value {
                Value::String(s) if !s.is_empty() => {}
                _ => {
                    return Err(fail(
                        pos,
                        "expected 'cert_match' to be a valid non-empty string",
                    ))
                }
            },
            "ca_certs_match" => {
                if let Value::Array(list) = &mv.value {
                    if list.iter().any(|r| !matches!(r.value, Value::String(_))) {
                        return Err(fail(pos, "error parsing ca_cert_match: unsupported type *conf.token where string is expected"));
                    }
                }
            }
            "cert_match_skip_invalid" => {
                if !matches!(mv.value, Value::Bool(_)) {
                    return Err(fail(
                        pos,
                        "expected 'cert_match_skip_invalid' to be a boolean",
                    ));
                }
            }
            "handshake_first" | "first" | "immediate" => match &mv.value {
                Value::Bool(b) => tc.handshake_first = *b,
                Value::String(s) => match s.to_ascii_lowercase().as_str() {
                    "true" | "on" => tc.handshake_first = true,
                    "false" | "off" => tc.handshake_first = false,
                    "auto" | "auto_fallback" => {
                        tc.handshake_first = true;
                        tc.fallback_delay = tls::DEFAULT_HANDSHAKE_FIRST_FALLBACK;
                    }
                    _ => match crate::gofmt::parse_go_duration_signed(s) {
                        Ok(ns) => {
                            tc.handshake_first = true;
                            tc.fallback_delay = Duration::from_nanos(ns.max(0) as u64);
                        }
                        Err(_) => {
                            return Err(fail(
                                pos,
                                format!("field {:?}'s value {:?} is invalid", entry.key, s),
                            ))
                        }
                    },
                },
                other => {
                    return Err(fail(
                        pos,
                        format!(
                            "field {:?} should be a boolean or a string, got {}",
                            entry.key,
                            other.go_type_name()
                        ),
                    ))
                }
            },
            "ocsp_peer" => match &mv.value {
                Value::Bool(b) => {
                    if *b {
                        return Err(fail(pos, "ocsp_peer is not supported by rnats"));
                    }
                }
                Value::Map(pm) => {
                    if ocsp_peer_verify(pm) {
                        return Err(fail(pos, "ocsp_peer is not supported by rnats"));
                    }
                }
                other => {
                    return Err(fail(
                        pos,
                        format!(
                            "error parsing ocsp peer config: unsupported type {}",
                            other.go_type_name()
                        ),
                    ))
                }
            },
            "certs" | "certificates" => {
                let Value::Array(list) = &mv.value else {
                    return Err(fail(
                        pos,
                        "error parsing certificates config: unsupported type map[string]interface {}",
                    ));
                };
                let mut pairs = Vec::new();
                for item in list {
                    let Value::Map(pair) = &item.value else {
                        return Err(fail(
                            &item.pos,
                            format!(
                                "error parsing certificates config: unsupported type {}",
                                item.value.go_type_name()
                            ),
                        ));
                    };
                    let (mut cf, mut kf) = (String::new(), String::new());
                    for pe in pair {
                        let Value::String(file) = &pe.value.value else {
                            return Err(fail(
                                &pe.value.pos,
                                format!(
                                    "error parsing certificates config: unsupported type {}",
                                    pe.value.value.go_type_name()
                                ),
                            ));
                        };
                        match pe.key.as_str() {
                            "cert_file" => cf = file.clone(),
                            "key_file" => kf = file.clone(),
                            k => {
                                return Err(fail(
                                    &pe.value.pos,
                                    format!("error parsing tls certs config, unknown field {k:?}"),
                                ))
                            }
                        }
                    }
                    if cf.is_empty() || kf.is_empty() {
                        let at = pair.iter().last().map_or(&item.pos, |pe| &pe.value.pos);
                        return Err(fail(at, "error parsing certificates config: both 'cert_file' and 'cert_key' options are required"));
                    }
                    pairs.push((cf, kf));
                }
                tc.certificates = pairs;
            }
            "min_version" => {
                let v = match &mv.value {
                    Value::String(s) => tls::version_from_str(s),
                    other => Err(format!("'min_version' wrong type: {}", go_value(other))),
                }
                .and_then(|n| {
                    if n < tls::VERSION_TLS12 {
                        Err(format!("unsupported TLS version: {}", tls::version_name(n)))
                    } else {
                        Ok(n)
                    }
                });
                match v {
                    Ok(n) => tc.min_version = n,
                    Err(err) => return Err(fail(pos, format!("error parsing tls config: {err}"))),
                }
            }
            _ => {
                return Err(fail(
                    pos,
                    format!("error parsing tls config, unknown field {:?}", entry.key),
                ))
            }
        }
    }
    if !tc.certificates.is_empty() && cert_file_given {
        return Err(fail(
            &v.pos,
            "error parsing tls config, cannot combine 'cert_file' option with 'certs' option",
        ));
    }
    if !tc.allow_insecure_ciphers && !insecure.is_empty() {
        return Err(fail(
            &v.pos,
            format!(
                "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: {}",
                insecure.join(", ")
            ),
        ));
    }
    Ok(tc)
}

/// Go's `parseOCSPPeer` result: whether peer verification is switched on.
fn ocsp_peer_verify(m: &Map) -> bool {
    m.iter()
        .any(|e| e.key.eq_ignore_ascii_case("verify") && e.value.value == Value::Bool(true))
}

/// `%v` of a plain config value.
fn go_value(v: &Value) -> String {
    match v {
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => crate::gofmt::go_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn array(v: &Spanned<Value>) -> Result<&[Spanned<Value>], Fail> {
    match &v.value {
        Value::Array(a) => Ok(a),
        _ => Err(conversion(v, "[]interface {}")),
    }
}

fn string_elem(v: &Spanned<Value>) -> Result<String, Fail> {
    match &v.value {
        Value::String(s) => Ok(s.clone()),
        _ => Err(conversion(v, "string")),
    }
}
