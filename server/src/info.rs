//! The INFO a server sends: field set, order and omission rules of Go's `Info` struct (server.go),
//! encoded the way Go's `encoding/json` does (HTML-safe escaping), framed as `INFO {json} \r\n`
//! (Go leaves a space before CRLF).

use serde::Serialize;

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero_u64(n: &u64) -> bool {
    *n == 0
}
fn is_zero_i32(n: &i32) -> bool {
    *n == 0
}

/// Go's `Info` (client-facing fields; route/gateway/leaf fields are added when those exist).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Info {
    #[serde(rename = "server_id")]
    pub id: String,
    #[serde(rename = "server_name")]
    pub name: String,
    pub version: String,
    pub proto: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub git_commit: String,
    pub go: String,
    pub host: String,
    pub port: i32,
    pub headers: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub auth_required: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tls_required: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tls_verify: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tls_available: bool,
    pub max_payload: i32,
    #[serde(skip_serializing_if = "is_false")]
    pub jetstream: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ip: String,
    #[serde(rename = "client_id", skip_serializing_if = "is_zero_u64")]
    pub cid: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_ip: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(rename = "cluster_dynamic", skip_serializing_if = "is_false")]
    pub dynamic: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub domain: String,
    #[serde(rename = "connect_urls", skip_serializing_if = "Vec::is_empty")]
    pub client_connect_urls: Vec<String>,
    #[serde(rename = "ws_connect_urls", skip_serializing_if = "Vec::is_empty")]
    pub ws_connect_urls: Vec<String>,
    #[serde(rename = "ldm", skip_serializing_if = "is_false")]
    pub lame_duck_mode: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub compression: String,
    #[serde(skip_serializing_if = "is_false")]
    pub connect_info: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub remote_account: String,
    #[serde(rename = "acc_is_sys", skip_serializing_if = "is_false")]
    pub is_system_account: bool,
    #[serde(rename = "api_lvl", skip_serializing_if = "is_zero_i32")]
    pub js_api_level: i32,
    #[serde(rename = "xkey", skip_serializing_if = "String::is_empty")]
    pub xkey: String,
}

impl Info {
    /// `INFO {json} \r\n`, as Go's `generateInfoJSON` frames it.
    pub fn to_proto(&self) -> Vec<u8> {
        let json = go_json(self);
        let mut out = Vec::with_capacity(json.len() + 8);
        out.extend_from_slice(b"INFO ");
        out.extend_from_slice(json.as_bytes());
        out.extend_from_slice(b" \r\n");
        out
    }
}

/// Serialize like Go's `json.Marshal`: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped.
/// Those characters can only occur inside JSON strings, so escaping the whole text is safe.
pub fn go_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "{}".to_string());
    go_html_escape(&s)
}

pub fn go_html_escape(s: &str) -> String {
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_has_go_field_order_omissions_and_trailing_space() {
        let info = Info {
            id: "NID".into(),
            name: "n<1>".into(),
            version: "2.15.1".into(),
            proto: 1,
            go: "go".into(),
            host: "127.0.0.1".into(),
            port: 4222,
            headers: true,
            max_payload: 1048576,
            cid: 5,
            client_ip: "127.0.0.1".into(),
            js_api_level: 5,
            ..Info::default()
        };
        let p = String::from_utf8(info.to_proto()).unwrap();
        assert_eq!(
            p,
            "INFO {\"server_id\":\"NID\",\"server_name\":\"n\\u003c1\\u003e\",\"version\":\"2.15.1\",\"proto\":1,\
             \"go\":\"go\",\"host\":\"127.0.0.1\",\"port\":4222,\"headers\":true,\"max_payload\":1048576,\
             \"client_id\":5,\"client_ip\":\"127.0.0.1\",\"api_lvl\":5} \r\n"
        );
    }
}
