//! The options a `$SYS.REQ` body may carry, by endpoint, as Go declares them (`ConnzEventOptions`,
//! `SubszEventOptions`... each an endpoint's options plus `EventFilterOptions`), the server filter
//! those carry (Go's `filterRequest`), and the translation of decoded options into the monitoring
//! query the HTTP endpoints already understand, so both paths share one implementation.

use super::gojson::{field, Decoded, Field, Kind};
use crate::monitor::query::Query;

/// Go's `EventFilterOptions`, common to every request.
pub const FILTER: &[Field] = &[
    field("server_name", Kind::Str, "string"),
    field("cluster", Kind::Str, "string"),
    field("host", Kind::Str, "string"),
    field("exact_match", Kind::Bool, "bool"),
    field("tags", Kind::StrList, "[]string"),
    field("domain", Kind::Str, "string"),
];

const CONNZ: &[Field] = &[
    field("sort", Kind::Str, "server.SortOpt"),
    field("auth", Kind::Bool, "bool"),
    field("subscriptions", Kind::Bool, "bool"),
    field("subscriptions_detail", Kind::Bool, "bool"),
    field("offset", Kind::Int, "int"),
    field("limit", Kind::Int, "int"),
    field("cid", Kind::Uint, "uint64"),
    field("mqtt_client", Kind::Str, "string"),
    field("state", Kind::Int, "server.ConnState"),
    field("user", Kind::Str, "string"),
    field("acc", Kind::Str, "string"),
    field("filter_subject", Kind::Str, "string"),
];

const SUBSZ: &[Field] = &[
    field("offset", Kind::Int, "int"),
    field("limit", Kind::Int, "int"),
    field("subscriptions", Kind::Bool, "bool"),
    field("account", Kind::Str, "string"),
    field("test", Kind::Str, "string"),
];

const ROUTEZ: &[Field] = &[
    field("subscriptions", Kind::Bool, "bool"),
    field("subscriptions_detail", Kind::Bool, "bool"),
];

const GATEWAYZ: &[Field] = &[
    field("name", Kind::Str, "string"),
    field("accounts", Kind::Bool, "bool"),
    field("account_name", Kind::Str, "string"),
    field("subscriptions", Kind::Bool, "bool"),
    field("subscriptions_detail", Kind::Bool, "bool"),
];

const LEAFZ: &[Field] = &[
    field("subscriptions", Kind::Bool, "bool"),
    field("account", Kind::Str, "string"),
];

const ACCOUNTZ: &[Field] = &[field("account", Kind::Str, "string")];

const JSZ: &[Field] = &[
    field("account", Kind::Str, "string"),
    field("accounts", Kind::Bool, "bool"),
    field("streams", Kind::Bool, "bool"),
    field("consumer", Kind::Bool, "bool"),
    field("direct_consumer", Kind::Bool, "bool"),
    field("config", Kind::Bool, "bool"),
    field("leader_only", Kind::Bool, "bool"),
    field("offset", Kind::Int, "int"),
    field("limit", Kind::Int, "int"),
    field("raft", Kind::Bool, "bool"),
    field("stream_leader_only", Kind::Bool, "bool"),
];

const HEALTHZ: &[Field] = &[
    field("js-enabled", Kind::Bool, "bool"),
    field("js-enabled-only", Kind::Bool, "bool"),
    field("js-server-only", Kind::Bool, "bool"),
    field("js-meta-only", Kind::Bool, "bool"),
    field("account", Kind::Str, "string"),
    field("stream", Kind::Str, "string"),
    field("consumer", Kind::Str, "string"),
    field("details", Kind::Bool, "bool"),
];

const PROFILEZ: &[Field] = &[
    field("name", Kind::Str, "string"),
    field("debug", Kind::Int, "int"),
    field("duration", Kind::Int, "time.Duration"),
];

const IPQUEUESZ: &[Field] = &[
    field("all", Kind::Bool, "bool"),
    field("filter", Kind::Str, "string"),
];

const RAFTZ: &[Field] = &[
    field("account", Kind::Str, "string"),
    field("group", Kind::Str, "string"),
];

const ACCSTATZ: &[Field] = &[
    field("accounts", Kind::StrList, "[]string"),
    field("include_unused", Kind::Bool, "bool"),
];

const KICK: &[Field] = &[field("cid", Kind::Uint, "uint64")];

/// A request's options type: Go's struct name and its own fields (the filter fields come with all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opts {
    Statsz,
    Varz,
    Connz,
    Subsz,
    Routez,
    Gatewayz,
    Leafz,
    Accountz,
    Jsz,
    Healthz,
    Expvarz,
    Ipqueuesz,
    Raftz,
    Profilez,
    AccInfo,
    AccountStatz,
    /// Reload, kick and LDM: only the filter.
    Filter,
    /// `KickClientReq` / `LDMClientReq`.
    ClientReq,
}

impl Opts {
    pub fn go_struct(self) -> &'static str {
        match self {
            Opts::Statsz => "StatszEventOptions",
            Opts::Varz => "VarzEventOptions",
            Opts::Connz => "ConnzEventOptions",
            Opts::Subsz => "SubszEventOptions",
            Opts::Routez => "RoutezEventOptions",
            Opts::Gatewayz => "GatewayzEventOptions",
            Opts::Leafz => "LeafzEventOptions",
            Opts::Accountz => "AccountzEventOptions",
            Opts::Jsz => "JszEventOptions",
            Opts::Healthz => "HealthzEventOptions",
            Opts::Expvarz => "ExpvarzEventOptions",
            Opts::Ipqueuesz => "IpqueueszEventOptions",
            Opts::Raftz => "RaftzEventOptions",
            Opts::Profilez => "ProfilezEventOptions",
            Opts::AccInfo => "AccInfoEventOptions",
            Opts::AccountStatz => "AccountStatzEventOptions",
            Opts::Filter => "EventFilterOptions",
            Opts::ClientReq => "KickClientReq",
        }
    }

    fn own(self) -> &'static [Field] {
        match self {
            Opts::Connz => CONNZ,
            Opts::Subsz => SUBSZ,
            Opts::Routez => ROUTEZ,
            Opts::Gatewayz => GATEWAYZ,
            Opts::Leafz => LEAFZ,
            Opts::Accountz => ACCOUNTZ,
            Opts::Jsz => JSZ,
            Opts::Healthz => HEALTHZ,
            Opts::Ipqueuesz => IPQUEUESZ,
            Opts::Raftz => RAFTZ,
            Opts::Profilez => PROFILEZ,
            Opts::AccountStatz => ACCSTATZ,
            Opts::ClientReq => KICK,
            _ => &[],
        }
    }

    /// Every field: the endpoint's own first, then the filter's (the kick request has no filter).
    pub fn fields(self) -> Vec<Field> {
        let mut v = self.own().to_vec();
        if self != Opts::ClientReq {
            v.extend_from_slice(FILTER);
        }
        v
    }

    /// Decode a request body (callers skip an empty one, as Go does).
    pub fn decode(self, body: &[u8]) -> Result<Decoded, String> {
        super::gojson::decode(self.go_struct(), &self.fields(), body)
    }
}

/// What Go's `filterRequest` compares a request's filter with.
pub struct ServerFacts<'a> {
    pub name: &'a str,
    pub host: &'a str,
    pub cluster: &'a str,
    pub tags: &'a [String],
    pub domain: &'a str,
}

/// Go's `filterRequest`: true when the request is not meant for this server.
pub fn filtered(d: &Decoded, s: &ServerFacts<'_>) -> bool {
    let (name, host, cluster) = (d.str("server_name"), d.str("host"), d.str("cluster"));
    if d.bool("exact_match") {
        if (!name.is_empty() && name != s.name)
            || (!host.is_empty() && host != s.host)
            || (!cluster.is_empty() && cluster != s.cluster)
        {
            return true;
        }
    } else if (!name.is_empty() && !s.name.contains(name))
        || (!host.is_empty() && !s.host.contains(host))
        || (!cluster.is_empty() && !s.cluster.contains(cluster))
    {
        return true;
    }
    if d.list("tags").iter().any(|t| !s.tags.contains(t)) {
        return true;
    }
    let domain = d.str("domain");
    !domain.is_empty() && domain != s.domain
}

/// The monitoring query equivalent to decoded options, for the endpoints that take one.
pub fn to_query(kind: Opts, d: &Decoded) -> Query {
    let mut q: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            q.push((k.to_string(), v));
        }
    };
    let b = |k: &str| {
        if d.bool(k) {
            "true".into()
        } else {
            String::new()
        }
    };
    let n = |k: &str| match d.int(k) {
        0 => String::new(),
        v => v.to_string(),
    };
    match kind {
        Opts::Connz => {
            put("sort", d.str("sort").to_string());
            put("auth", b("auth"));
            if d.bool("subscriptions_detail") {
                put("subs", "detail".into());
            } else {
                put("subs", b("subscriptions"));
            }
            put("offset", n("offset"));
            put("limit", n("limit"));
            if d.uint("cid") > 0 {
                put("cid", d.uint("cid").to_string());
            }
            put("state", conn_state(d.int("state")));
            put("user", d.str("user").to_string());
            put("acc", d.str("acc").to_string());
            put("filter_subject", d.str("filter_subject").to_string());
            put("mqtt_client", d.str("mqtt_client").to_string());
        }
        Opts::Subsz => {
            put("subs", b("subscriptions"));
            put("offset", n("offset"));
            put("limit", n("limit"));
            put("acc", d.str("account").to_string());
            put("test", d.str("test").to_string());
        }
        Opts::Routez | Opts::Gatewayz => {
            if d.bool("subscriptions_detail") {
                put("subs", "detail".into());
            } else {
                put("subs", b("subscriptions"));
            }
            put("accs", b("accounts"));
        }
        Opts::Leafz => {
            put("subs", b("subscriptions"));
            put("acc", d.str("account").to_string());
        }
        Opts::Accountz => put("acc", d.str("account").to_string()),
        Opts::Jsz => {
            put("acc", d.str("account").to_string());
            put("accounts", b("accounts"));
            put("streams", b("streams"));
            put("consumers", b("consumer"));
            put("config", b("config"));
            put("leader-only", b("leader_only"));
            put("offset", n("offset"));
            put("limit", n("limit"));
            put("raft", b("raft"));
        }
        Opts::AccountStatz => {
            put("unused", b("include_unused"));
            put("accounts", d.list("accounts").join(","));
        }
        _ => {}
    }
    let text: Vec<String> = q
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    Query::parse(Some(&text.join("&")))
}

/// Go's `ConnState` numbers as the HTTP query names them (an unknown number is left to fail there).
fn conn_state(s: i64) -> String {
    match s {
        0 => String::new(),
        1 => "closed".into(),
        2 => "all".into(),
        n => n.to_string(),
    }
}

fn percent_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~*>$".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ServerFacts<'static> {
        ServerFacts {
            name: "srv-A",
            host: "127.0.0.1",
            cluster: "",
            tags: &[],
            domain: "",
        }
    }

    #[test]
    fn filter_contains_or_exact() {
        let f = |body: &str| filtered(&Opts::Varz.decode(body.as_bytes()).unwrap(), &facts());
        assert!(!f(r#"{"server_name":"srv"}"#));
        assert!(f(r#"{"server_name":"srv","exact_match":true}"#));
        assert!(!f(r#"{"server_name":"srv-A","exact_match":true}"#));
        assert!(f(r#"{"host":"DOESNOTEXIST"}"#));
        assert!(f(r#"{"cluster":"C"}"#));
        assert!(f(r#"{"tags":["foo"]}"#));
        assert!(f(r#"{"domain":"d"}"#));
        assert!(!f("{}"));
    }

    #[test]
    fn connz_options_become_the_http_query() {
        let d = Opts::Connz
            .decode(
                br#"{"sort":"cid","subscriptions_detail":true,"state":1,"limit":2,"acc":"A B"}"#,
            )
            .unwrap();
        let q = to_query(Opts::Connz, &d);
        assert_eq!(q.get("sort"), "cid");
        assert_eq!(q.subs("subs").unwrap(), (false, true));
        assert_eq!(q.get("state"), "closed");
        assert_eq!(q.int("limit").unwrap(), 2);
        assert_eq!(q.get("acc"), "A B");
    }
}
