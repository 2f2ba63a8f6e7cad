//! The config digest that `nats-server -t` prints (`configuration file <f> is valid (sha256:...)`)
//! and `/varz` reports as `config_digest`.
//!
//! Go's `configDigest` is the SHA-256 of `json.NewEncoder(...).Encode(map)`: the parsed tree
//! (variables and all, after includes) as `encoding/json` writes it, with a trailing newline.
//! So this file writes JSON exactly as Go does: map keys sorted by bytes, `<`, `>` and `&`
//! escaped, `\b \f \n \r \t` short escapes and other control bytes as `\u00XX`, U+2028/U+2029
//! escaped, floats in Go's shortest form (`1e+21`, `1e-7`, `-0`), datetimes as RFC 3339.

use super::sha256::{hex, sha256};
use super::value::{Map, Value};

/// `sha256:<hex>` for a parsed config, as Go's `configDigest`.
pub fn digest(map: &Map) -> String {
    format!("sha256:{}", hex(&sha256(&to_go_json(map))))
}

/// The bytes Go's JSON encoder writes for the map, trailing newline included.
pub(crate) fn to_go_json(map: &Map) -> Vec<u8> {
    let mut out = Vec::new();
    write_map(&mut out, map);
    out.push(b'\n');
    out
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Map(m) => write_map(out, m),
        Value::Array(a) => {
            out.push(b'[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, &e.value);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(out, s),
        Value::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Float(f) => out.extend_from_slice(go_float(*f).as_bytes()),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Datetime(dt) => write_string(out, &dt.to_string()),
    }
}

fn write_map(out: &mut Vec<u8>, m: &Map) {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    out.push(b'{');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(out, &e.key);
        out.push(b':');
        write_value(out, &e.value.value);
    }
    out.push(b'}');
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u8;
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            '\u{2028}' => out.extend_from_slice(b"\\u2028"),
            '\u{2029}' => out.extend_from_slice(b"\\u2029"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Go's `encoding/json` float64: shortest round-trip digits, plain notation unless the magnitude
/// is below 1e-6 or at least 1e21, where it is `d.ddde+XX` / `d.ddde-X`.
pub(crate) fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust's `{:e}` gives the same shortest digits with a bare exponent (`1e21`, `1e-7`);
        // Go writes a sign on positive exponents and, for negative ones, drops a leading zero.
        let s = format!("{f:e}");
        return match s.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
            _ => s,
        };
    }
    format!("{f}")
}
