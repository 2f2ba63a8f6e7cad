//! What the system account's messages look like on the wire: the `server` block every event and
//! response carries (Go's `ServerInfo`), the request/response envelope (`ServerAPIResponse` with its
//! `ApiError`), the typed-event header (`TypedEvent`), message/byte counters (`DataStats`) and the
//! client block of connect/disconnect events (`ClientInfo`). Also the two identifiers events use:
//! Go's NUID event ids and the 8-character server hash (`getHash`).

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;

use crate::monitor::timefmt::rfc3339_nano;

/// Go's `digits` for NUIDs and hashes.
const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Go's `ServerInfo` as the send loop fills it.
#[derive(Serialize, Clone, Debug, Default)]
pub struct ServerInfo {
    pub name: String,
    pub host: String,
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub domain: String,
    pub ver: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub feature_flags: BTreeMap<String, bool>,
    pub jetstream: bool,
    pub flags: u64,
    pub seq: u64,
    pub time: String,
}

/// Go's merged feature flags with their defaults (the same set `/varz` shows).
pub fn feature_flags() -> BTreeMap<String, bool> {
    let mut flags = BTreeMap::new();
    for f in ["js_ack_fc_v2", "js_api_reply_v2", "js_snapshot_sources"] {
        flags.insert(f.to_string(), false);
    }
    flags.insert("js_raft_delete_range".to_string(), true);
    flags
}

/// A float as Go's `encoding/json` writes it: whole numbers without a fraction (`2`, not `2.0`).
pub fn go_float<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// Go's `ApiError` in a response.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// What a request handler produced for the `data` slot.
#[derive(Debug)]
pub enum Data {
    /// No `data` key (Go's untyped nil).
    Absent,
    /// `"data": null` (Go's typed nil pointer next to an error).
    Null,
    /// Serialized JSON.
    Json(String),
}

impl Data {
    /// Serialize `v` (keys in declaration order, as Go's structs give them).
    pub fn of<T: Serialize>(v: &T) -> Data {
        match serde_json::to_string(v) {
            Ok(s) => Data::Json(s),
            Err(_) => Data::Null,
        }
    }
}

/// Go's `ServerAPIResponse`: `{"server":{...},"data":...,"error":{...}}`, with Go's HTML-safe escaping.
pub fn api_response(server: &ServerInfo, data: Data, error: Option<ApiError>) -> Vec<u8> {
    let mut out = String::from("{\"server\":");
    out.push_str(&serde_json::to_string(server).unwrap_or_else(|_| "{}".into()));
    match data {
        Data::Absent => {}
        Data::Null => out.push_str(",\"data\":null"),
        Data::Json(s) => {
            out.push_str(",\"data\":");
            out.push_str(&s);
        }
    }
    if let Some(e) = error {
        out.push_str(",\"error\":");
        out.push_str(&serde_json::to_string(&e).unwrap_or_else(|_| "{}".into()));
    }
    out.push('}');
    crate::info::go_html_escape(&out).into_bytes()
}

/// Go's `MsgBytes`.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgBytes {
    pub msgs: i64,
    pub bytes: i64,
}

/// Go's `DataStats`: the totals, and per connection kind when the sender fills them.
#[derive(Serialize, Clone, Copy, Debug, Default)]
pub struct DataStats {
    pub msgs: i64,
    pub bytes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateways: Option<MsgBytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<MsgBytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leafs: Option<MsgBytes>,
}

impl DataStats {
    pub fn plain(msgs: u64, bytes: u64) -> DataStats {
        DataStats {
            msgs: msgs as i64,
            bytes: bytes as i64,
            ..DataStats::default()
        }
    }

    /// With zero gateway, route and leaf counters, as an account's statistics show them.
    pub fn by_kind(msgs: u64, bytes: u64) -> DataStats {
        let zero = Some(MsgBytes::default());
        DataStats {
            msgs: msgs as i64,
            bytes: bytes as i64,
            gateways: zero,
            routes: zero,
            leafs: zero,
        }
    }
}

/// Go's `ClientInfo` as connect, disconnect and auth error events carry it.
#[derive(Serialize, Clone, Debug, Default)]
pub struct ClientInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub id: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub acc: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ver: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub rtt: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name_tag: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_type: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// Go's `TypedEvent` header fields.
#[derive(Serialize, Clone, Debug)]
pub struct TypedEvent {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub timestamp: String,
}

impl TypedEvent {
    pub fn new(kind: &'static str, id: String, at: SystemTime) -> TypedEvent {
        TypedEvent {
            kind,
            id,
            timestamp: rfc3339_nano(at),
        }
    }
}

pub const CONNECT_EVENT_TYPE: &str = "io.nats.server.advisory.v1.client_connect";
pub const DISCONNECT_EVENT_TYPE: &str = "io.nats.server.advisory.v1.client_disconnect";
pub const ACCOUNT_CONNS_TYPE: &str = "io.nats.server.advisory.v1.account_connections";

/// Go's NUID: 12 random characters, then a 10-character sequence that grows by a random step.
pub struct Nuid {
    pre: [u8; 12],
    seq: u64,
    inc: u64,
}

const NUID_MAX_SEQ: u64 = 839_299_365_868_340_224; // 62^10

impl Default for Nuid {
    fn default() -> Self {
        Self::new()
    }
}

impl Nuid {
    pub fn new() -> Nuid {
        let mut n = Nuid {
            pre: [b'0'; 12],
            seq: 0,
            inc: 0,
        };
        n.reset();
        n
    }

    fn reset(&mut self) {
        for b in self.pre.iter_mut() {
            *b = DIGITS[(rand::random::<u8>() % 62) as usize];
        }
        self.seq = rand::random::<u64>() % NUID_MAX_SEQ;
        self.inc = 33 + rand::random::<u64>() % (333 - 33);
    }

    pub fn next_id(&mut self) -> String {
        self.seq += self.inc;
        if self.seq >= NUID_MAX_SEQ {
            self.reset();
        }
        let mut out = [b'0'; 22];
        out[..12].copy_from_slice(&self.pre);
        let mut l = self.seq;
        for i in (12..22).rev() {
            out[i] = DIGITS[(l % 62) as usize];
            l /= 62;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Go's `getHash`: the first 8 bytes of SHA-256 of `name`, each mapped onto the 62 digits.
pub fn server_hash(name: &str) -> String {
    use sha2::Digest;
    let sum = sha2::Sha256::digest(name.as_bytes());
    sum.iter()
        .take(8)
        .map(|b| DIGITS[(*b % 62) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuids_are_22_distinct_base62_characters() {
        let mut n = Nuid::new();
        let a = n.next_id();
        let b = n.next_id();
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert_eq!(a[..12], b[..12]);
        assert!(a.bytes().all(|c| DIGITS.contains(&c)));
    }

    #[test]
    fn server_hash_is_eight_digits_and_stable() {
        let h = server_hash("srv-A");
        assert_eq!(h.len(), 8);
        assert_eq!(h, server_hash("srv-A"));
        assert_ne!(h, server_hash("srv-B"));
    }

    #[test]
    fn response_envelope_keeps_go_key_order_and_null_data() {
        let si = ServerInfo {
            name: "n".into(),
            id: "i".into(),
            ..ServerInfo::default()
        };
        let b = api_response(
            &si,
            Data::Null,
            Some(ApiError {
                code: 500,
                description: "x".into(),
            }),
        );
        let s = String::from_utf8(b).unwrap();
        assert!(s.starts_with(r#"{"server":{"name":"n","host":"","id":"i","ver":"","#));
        assert!(s.ends_with(r#""data":null,"error":{"code":500,"description":"x"}}"#));
    }
}
