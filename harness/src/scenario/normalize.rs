//! What may legitimately differ between two servers' answers is rewritten before transcripts are
//! compared; everything else is kept byte for byte (key order, spacing, error text).
//!
//! Rewritten: in `INFO`, the server id and name and the client id (renamed `<server-1>`, `<cid-1>`...
//! in order of appearance, so "the same id twice" still shows), the nonce, the xkey, the version, the
//! `go` field, the ports; `git_commit` (build metadata, absent from unstamped builds) is dropped.
//! Anywhere: `:<port>` of the servers' own ports. In messages: the `_R_.` reply subjects a service
//! import makes up (renamed `<reply-N>`), and the requester's RTT in a `Nats-Request-Info` header
//! (then the header and total sizes, which follow the RTT's digits, become `<hdr> <size>`).
//! Monitoring JSON is reduced to its shape (key paths and value types), which covers times, RTTs,
//! counters and ids at once. Unordered message sets are sorted where they are read (see `play`).

use std::collections::HashMap;

use serde_json::Value;

/// Rewrites one server's received lines; stable renames live for one transcript.
#[derive(Debug, Default)]
pub struct Normalizer {
    ports: Vec<u16>,
    names: HashMap<(&'static str, String), String>,
    counts: HashMap<&'static str, usize>,
}

/// A top-level member of a JSON object: key and the byte span of the member and of its value.
#[derive(Debug, PartialEq, Eq)]
struct Member {
    key: String,
    start: usize,
    value: (usize, usize),
}

/// Skips a JSON string starting at `i` (a `"`); returns the index after its closing quote.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Skips one JSON value starting at `i`; returns the index after it.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// The members of the JSON object starting at `open` (a `{`), with their spans; None if malformed.
fn members(s: &str, open: usize) -> Option<(Vec<Member>, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_ws(b, open + 1);
    if b.get(i) == Some(&b'}') {
        return Some((out, i + 1));
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        let kend = skip_string(b, i)?;
        let key: String = serde_json::from_str(&s[i..kend]).ok()?;
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let vend = skip_value(b, i)?;
        out.push(Member {
            key,
            start,
            value: (i, vend),
        });
        i = skip_ws(b, vend);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

impl Normalizer {
    pub fn new(ports: Vec<u16>) -> Normalizer {
        Normalizer {
            ports,
            ..Normalizer::default()
        }
    }

    /// Adds ports to rewrite (a server started again may have new ones).
    pub fn add_ports(&mut self, ports: &[u16]) {
        for p in ports {
            if *p != 0 && !self.ports.contains(p) {
                self.ports.push(*p);
            }
        }
    }

    /// `<kind-N>`: the same value always gets the same N within this transcript.
    pub fn stable(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(n) = self.names.get(&(kind, value.to_string())) {
            return n.clone();
        }
        let c = self.counts.entry(kind).or_insert(0);
        *c += 1;
        let name = format!("<{kind}-{c}>");
        self.names.insert((kind, value.to_string()), name.clone());
        name
    }

    /// A received line, normalized.
    pub fn line(&mut self, text: &str) -> String {
        let text = match text.strip_prefix("INFO ") {
            Some(rest) => {
                let lead = rest.len() - rest.trim_start().len();
                format!("INFO {}{}", &rest[..lead], self.info_json(&rest[lead..]))
            }
            None => text.to_string(),
        };
        self.ports_in(&text)
    }

    /// A message's control line and payload, normalized: `_R_.` reply subjects renamed, the RTT of a
    /// `Nats-Request-Info` header (and so the sizes) masked, ports rewritten.
    pub fn msg(&mut self, head: &str, payload: &[u8]) -> (String, Vec<u8>) {
        let mut toks: Vec<String> = head
            .split(' ')
            .map(|t| {
                if t.starts_with("_R_.") {
                    self.stable("reply", t)
                } else {
                    t.to_string()
                }
            })
            .collect();
        let mut body = payload.to_vec();
        let text = String::from_utf8_lossy(payload);
        if head.starts_with("HMSG ") && text.contains("\r\nNats-Request-Info: {") {
            body = mask_number(&text, "\"rtt\":", "<rtt>").into_bytes();
            let n = toks.len();
            if n >= 2 {
                toks[n - 2] = "<hdr>".into();
                toks[n - 1] = "<size>".into();
            }
        }
        (self.ports_in(&toks.join(" ")), body)
    }

    /// Rewrites `:<port>` of the known ports (not followed by another digit).
    pub fn ports_in(&self, text: &str) -> String {
        let mut out = text.to_string();
        for p in &self.ports {
            let needle = format!(":{p}");
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(i) = rest.find(&needle) {
                let after = &rest[i + needle.len()..];
                result.push_str(&rest[..i]);
                if after.starts_with(|c: char| c.is_ascii_digit()) {
                    result.push_str(&needle);
                } else {
                    result.push_str(":<port>");
                }
                rest = after;
            }
            result.push_str(rest);
            out = result;
        }
        out
    }

    /// The JSON of an INFO (and whatever follows it on the line), with volatile members rewritten.
    fn info_json(&mut self, s: &str) -> String {
        let Some((ms, _end)) = s.starts_with('{').then(|| members(s, 0)).flatten() else {
            return s.to_string();
        };
        // Decide each member's fate first (renames in order of appearance), then splice from the back.
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for (idx, m) in ms.iter().enumerate() {
            let raw = &s[m.value.0..m.value.1];
            let is_str = raw.starts_with('"');
            let is_num = raw.bytes().all(|c| c.is_ascii_digit());
            let text: Option<String> = serde_json::from_str::<Value>(raw)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            let replacement = match (m.key.as_str(), &text) {
                ("server_id" | "server_name", Some(v)) => {
                    Some(format!("\"{}\"", self.stable("server", v)))
                }
                ("nonce", Some(_)) => Some("\"<nonce>\"".into()),
                ("xkey", Some(_)) => Some("\"<xkey>\"".into()),
                ("version", Some(_)) => Some("\"<version>\"".into()),
                ("go", Some(_)) => Some("\"<go>\"".into()),
                ("client_id", None) if is_num => Some(self.stable("cid", raw)),
                ("port", None) if is_num => Some("<port>".into()),
                ("git_commit", _) if is_str => {
                    // Drop the member with one of its commas.
                    let (from, to) = if idx + 1 < ms.len() {
                        (m.start, ms[idx + 1].start)
                    } else if idx > 0 {
                        (ms[idx - 1].value.1, m.value.1)
                    } else {
                        (m.start, m.value.1)
                    };
                    edits.push((from, to, String::new()));
                    None
                }
                _ => None,
            };
            if let Some(r) = replacement {
                edits.push((m.value.0, m.value.1, r));
            }
        }
        let mut out = s.to_string();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (from, to, r) in edits {
            out.replace_range(from..to, &r);
        }
        out
    }
}

/// `text` with the digits after each `key` replaced by `mask`.
fn mask_number(text: &str, key: &str, mask: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        let after = &rest[i + key.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..i + key.len()]);
        if digits > 0 {
            out.push_str(mask);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The shape of a JSON document: one `path: type` line per value, keys sorted, arrays by the
/// union of their elements' shapes (`path[]`).
pub fn json_shape(v: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, out: &mut Vec<String>) {
        let name = if path.is_empty() { "." } else { path };
        match v {
            Value::Object(map) => {
                out.push(format!("{name}: object"));
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for k in keys {
                    walk(&map[k], &format!("{path}.{k}"), out);
                }
            }
            Value::Array(items) => {
                out.push(format!("{name}: array"));
                // Every element counts: Go lists some arrays (subscriptions, connections) in map
                // order, so the first element alone would make the shape flaky.
                let mut lines = Vec::new();
                for item in items {
                    walk(item, &format!("{path}[]"), &mut lines);
                }
                lines.sort_by(|a, b| {
                    let key = |l: &String| l.split_once(": ").map(|(p, _)| p.to_string());
                    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
                });
                lines.dedup();
                out.extend(lines);
            }
            Value::String(_) => out.push(format!("{name}: string")),
            Value::Number(_) => out.push(format!("{name}: number")),
            Value::Bool(_) => out.push(format!("{name}: bool")),
            Value::Null => out.push(format!("{name}: null")),
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

/// Bytes as one readable line: printable text as is, control bytes escaped (`\r`, `\n`, `\t`,
/// `\xNN`), invalid UTF-8 as `\xNN`, and a trailing space made visible.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = escape_inner(bytes);
    if out.ends_with(' ') {
        out.pop();
        out.push_str("\\x20");
    }
    out
}

fn escape_inner(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// A payload for the transcript: quoted and escaped, long ones shortened to their start, size and hash.
pub fn payload(bytes: &[u8]) -> String {
    if bytes.len() <= 160 {
        return format!("\"{}\"", escape_inner(bytes));
    }
    format!(
        "\"{}\"... ({} bytes, fnv {:016x})",
        escape_inner(&bytes[..48]),
        bytes.len(),
        crate::util::fnv64(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_import_replies_and_request_info_are_masked() {
        let mut n = Normalizer::new(vec![]);
        let body =
            b"NATS/1.0\r\nNats-Request-Info: {\"acc\":\"bar\",\"rtt\":303168408}\r\n\r\nhelp";
        let (head, p) = n.msg("HMSG test.request 1 _R_.KQoHxP.rZytjz 62 66", body);
        assert_eq!(head, "HMSG test.request 1 <reply-1> <hdr> <size>");
        assert_eq!(
            p,
            b"NATS/1.0\r\nNats-Request-Info: {\"acc\":\"bar\",\"rtt\":<rtt>}\r\n\r\nhelp"
        );
        // The same reply keeps its name; another gets the next one; other messages are untouched.
        assert_eq!(
            n.msg("MSG a 1 _R_.KQoHxP.rZytjz 2", b"hi").0,
            "MSG a 1 <reply-1> 2"
        );
        assert_eq!(
            n.msg("MSG a 1 _R_.KQoHxP.xxxxxx 2", b"hi").0,
            "MSG a 1 <reply-2> 2"
        );
        assert_eq!(
            n.msg("HMSG a 1 r 12 14", b"NATS/1.0\r\n\r\nhi"),
            (
                "HMSG a 1 r 12 14".to_string(),
                b"NATS/1.0\r\n\r\nhi".to_vec()
            )
        );
    }

    #[test]
    fn members_with_spans() {
        let s = r#"{"a":1, "b" : "x,}", "c":{"d":[1,{"e":"]"}]},"f":true}"#;
        let (ms, end) = members(s, 0).expect("parse");
        let keys: Vec<&str> = ms.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "f"]);
        assert_eq!(&s[ms[1].value.0..ms[1].value.1], r#""x,}""#);
        assert_eq!(&s[ms[2].value.0..ms[2].value.1], r#"{"d":[1,{"e":"]"}]}"#);
        assert_eq!(end, s.len());
        assert!(members(r#"{"a":1,}"#, 0).is_none());
        assert!(members(r#"{"a" 1}"#, 0).is_none());
    }

    const GO_INFO: &str = r#"INFO {"server_id":"NCHG","server_name":"NCHG","version":"2.15.1","proto":1,"git_commit":"b2fd3ef","go":"go1.27.2","host":"127.0.0.1","port":38153,"headers":true,"max_payload":1048576,"client_id":5,"client_ip":"127.0.0.1","nonce":"abc","api_lvl":5,"xkey":"XCRJ"} "#;

    #[test]
    fn info_volatile_fields_are_rewritten_in_place() {
        let mut n = Normalizer::new(vec![38153]);
        assert_eq!(
            n.line(GO_INFO),
            r#"INFO {"server_id":"<server-1>","server_name":"<server-1>","version":"<version>","proto":1,"go":"<go>","host":"127.0.0.1","port":<port>,"headers":true,"max_payload":1048576,"client_id":<cid-1>,"client_ip":"127.0.0.1","nonce":"<nonce>","api_lvl":5,"xkey":"<xkey>"} "#
        );
    }

    #[test]
    fn go_and_rust_infos_normalize_alike() {
        let rust = r#"INFO {"server_id":"NBL2","server_name":"NBL2","version":"2.15.1","proto":1,"go":"rust1.85","host":"127.0.0.1","port":39949,"headers":true,"max_payload":1048576,"client_id":1,"client_ip":"127.0.0.1","nonce":"zz","api_lvl":5,"xkey":"XDWJ"} "#;
        let go = Normalizer::new(vec![38153]).line(GO_INFO);
        assert_eq!(Normalizer::new(vec![39949]).line(rust), go);
    }

    #[test]
    fn stable_renames_keep_sameness_and_order() {
        let mut n = Normalizer::new(vec![]);
        let a = n.line(r#"INFO {"server_id":"S","client_id":7}"#);
        let b = n.line(r#"INFO {"server_id":"S","client_id":9}"#);
        let c = n.line(r#"INFO {"server_id":"T","client_id":7}"#);
        assert_eq!(a, r#"INFO {"server_id":"<server-1>","client_id":<cid-1>}"#);
        assert_eq!(b, r#"INFO {"server_id":"<server-1>","client_id":<cid-2>}"#);
        assert_eq!(c, r#"INFO {"server_id":"<server-2>","client_id":<cid-1>}"#);
    }

    #[test]
    fn git_commit_is_dropped_wherever_it_stands() {
        let mut n = Normalizer::new(vec![]);
        assert_eq!(
            n.line(r#"INFO {"git_commit":"x","a":1}"#),
            r#"INFO {"a":1}"#
        );
        assert_eq!(
            n.line(r#"INFO {"a":1,"git_commit":"x"}"#),
            r#"INFO {"a":1}"#
        );
        assert_eq!(
            n.line(r#"INFO {"a":1, "git_commit":"x", "b":2}"#),
            r#"INFO {"a":1, "b":2}"#
        );
        assert_eq!(n.line(r#"INFO {"git_commit":"x"}"#), r#"INFO {}"#);
    }

    #[test]
    fn wrong_types_and_other_lines_are_kept() {
        let mut n = Normalizer::new(vec![4222]);
        // A server sending the port as a string, or the id as a number, must show up as a difference.
        assert_eq!(
            n.line(r#"INFO {"port":"4222x","server_id":12}"#),
            r#"INFO {"port":"4222x","server_id":12}"#
        );
        assert_eq!(n.line("INFO not json"), "INFO not json");
        assert_eq!(
            n.line("-ERR 'Unknown Protocol Operation'"),
            "-ERR 'Unknown Protocol Operation'"
        );
        assert_eq!(n.line("MSG foo 1 5"), "MSG foo 1 5");
    }

    #[test]
    fn own_ports_anywhere() {
        let n = Normalizer::new(vec![4222, 8222]);
        assert_eq!(
            n.ports_in(r#"{"connect_urls":["127.0.0.1:4222"],"x":"h:42220","m":"http://h:8222/"}"#),
            r#"{"connect_urls":["127.0.0.1:<port>"],"x":"h:42220","m":"http://h:<port>/"}"#
        );
    }

    #[test]
    fn array_shapes_are_the_union_whatever_the_order() {
        let a: Value = serde_json::from_str(r#"[{"sid":"1"},{"sid":"2","qgroup":"q"}]"#).unwrap();
        let b: Value = serde_json::from_str(r#"[{"sid":"2","qgroup":"q"},{"sid":"1"}]"#).unwrap();
        assert_eq!(json_shape(&a), json_shape(&b));
        assert_eq!(
            json_shape(&a),
            [
                ".: array",
                "[]: object",
                "[].qgroup: string",
                "[].sid: string"
            ]
        );
    }

    #[test]
    fn shapes_sort_keys_and_follow_arrays() {
        let v: Value = serde_json::from_str(
            r#"{"b":1,"a":{"y":[{"k":"v"}],"x":null},"c":[],"d":true,"e":"s"}"#,
        )
        .expect("json");
        assert_eq!(
            json_shape(&v),
            [
                ".: object",
                ".a: object",
                ".a.x: null",
                ".a.y: array",
                ".a.y[]: object",
                ".a.y[].k: string",
                ".b: number",
                ".c: array",
                ".d: bool",
                ".e: string"
            ]
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape(b"PONG"), "PONG");
        assert_eq!(escape(b"a\r\nb\t\x01"), "a\\r\\nb\\t\\x01");
        assert_eq!(escape(b"INFO {} "), "INFO {}\\x20");
        assert_eq!(escape(b"\xff\xfeok"), "\\xff\\xfeok");
        assert_eq!(payload(b"hi there "), "\"hi there \"");
        let big = vec![b'x'; 1000];
        assert!(payload(&big).contains("(1000 bytes, fnv "));
    }
}
