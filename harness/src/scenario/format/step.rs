//! One step of a scenario file: its raw TOML keys and their conversion to an [`Action`], with the rule
//! that a step has exactly one action key and only the options of that action.

use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{Action, Expect, DEFAULT_RECV_TIMEOUT};

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
pub(super) enum Clients {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    // actions
    open: Option<String>,
    send: Option<String>,
    recv: Option<Clients>,
    close: Option<String>,
    sleep: Option<u64>,
    restart: Option<bool>,
    kill: Option<bool>,
    start: Option<bool>,
    http: Option<String>,
    // open
    pong: Option<bool>,
    // send
    lines: Option<Vec<String>>,
    raw: Option<String>,
    repeat: Option<usize>,
    split: Option<usize>,
    // recv
    line: Option<String>,
    #[serde(rename = "match")]
    matches: Option<String>,
    err: Option<String>,
    info: Option<bool>,
    msg: Option<String>,
    data: Option<String>,
    json: Option<String>,
    msgs: Option<usize>,
    sorted: Option<bool>,
    share: Option<f64>,
    closed: Option<bool>,
    nothing: Option<u64>,
    timeout: Option<u64>,
    // http
    status: Option<u16>,
}

/// Which option keys each action accepts.
fn allowed(action: &str) -> &'static [&'static str] {
    match action {
        "open" => &["pong"],
        "send" => &["lines", "raw", "repeat", "split"],
        "recv" => &[
            "line", "match", "err", "info", "msg", "data", "json", "msgs", "sorted", "share",
            "closed", "nothing", "timeout",
        ],
        "http" => &["status"],
        _ => &[],
    }
}

/// The keys a raw step sets, in declaration order.
fn keys_set(s: &RawStep) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! check {
        ($($field:ident => $key:literal),* $(,)?) => {
            $( if s.$field.is_some() { out.push($key); } )*
        };
    }
    check!(open => "open", send => "send", recv => "recv", close => "close", sleep => "sleep",
        restart => "restart", kill => "kill", start => "start", http => "http", pong => "pong",
        lines => "lines", raw => "raw", repeat => "repeat", split => "split", line => "line",
        matches => "match", err => "err", info => "info", msg => "msg", data => "data", json => "json", msgs => "msgs",
        sorted => "sorted", share => "share", closed => "closed", nothing => "nothing",
        timeout => "timeout", status => "status");
    out
}

const ACTIONS: [&str; 9] = [
    "open", "send", "recv", "close", "sleep", "restart", "kill", "start", "http",
];

fn valid_client(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 16
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Converts one raw step; `open` tracks the clients opened so far.
pub(super) fn convert_step(s: RawStep, open: &mut Vec<String>) -> Result<Action, String> {
    let keys = keys_set(&s);
    let actions: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| ACTIONS.contains(k))
        .collect();
    let action = match actions.as_slice() {
        [one] => *one,
        [] => return Err(format!("a step needs one action: {}", ACTIONS.join(", "))),
        many => {
            return Err(format!(
                "a step has one action, this one has {}",
                many.join(" and ")
            ))
        }
    };
    for k in keys.iter().filter(|k| !ACTIONS.contains(k)) {
        if !allowed(action).contains(k) {
            return Err(format!("`{k}` does not apply to a `{action}` step"));
        }
    }
    let known = |c: &str, open: &Vec<String>| -> Result<String, String> {
        if open.iter().any(|o| o == c) {
            Ok(c.to_string())
        } else {
            Err(format!(
                "client `{c}` is used before an `open` step opens it"
            ))
        }
    };
    let bool_flag = |v: Option<bool>, key: &str| -> Result<(), String> {
        match v {
            Some(true) => Ok(()),
            _ => Err(format!("`{key}` takes only `true`")),
        }
    };
    Ok(match action {
        "open" => {
            let c = s.open.unwrap_or_default();
            if !valid_client(&c) {
                return Err(format!(
                    "client name `{c}`: up to 16 letters, digits or underscores"
                ));
            }
            if open.contains(&c) {
                return Err(format!("client `{c}` is already open"));
            }
            open.push(c.clone());
            Action::Open {
                client: c,
                pong: s.pong.unwrap_or(false),
            }
        }
        "send" => {
            let client = known(&s.send.unwrap_or_default(), open)?;
            let mut bytes = match (s.lines, s.raw) {
                (Some(lines), None) => {
                    let mut b = Vec::new();
                    for l in lines {
                        b.extend_from_slice(l.as_bytes());
                        b.extend_from_slice(b"\r\n");
                    }
                    b
                }
                (None, Some(raw)) => raw.into_bytes(),
                _ => return Err("a `send` step takes `lines` or `raw` (one of them)".into()),
            };
            if let Some(n) = s.repeat {
                if n == 0 || bytes.len().saturating_mul(n) > 64 << 20 {
                    return Err("`repeat` must be at least 1 and stay under 64 MiB".into());
                }
                bytes = bytes.repeat(n);
            }
            if s.split == Some(0) {
                return Err("`split` must be at least 1 byte".into());
            }
            if s.split.is_some_and(|k| bytes.len().div_ceil(k) > 10_000) {
                return Err("`split` would make more than 10,000 writes".into());
            }
            Action::Send {
                client,
                bytes,
                split: s.split,
            }
        }
        "recv" => {
            let clients = match s.recv {
                Some(Clients::One(c)) => vec![known(&c, open)?],
                Some(Clients::Many(cs)) if !cs.is_empty() => cs
                    .iter()
                    .map(|c| known(c, open))
                    .collect::<Result<_, _>>()?,
                _ => return Err("`recv` names a client or a list of clients".into()),
            };
            let timeout = match s.timeout {
                Some(ms) if ms == 0 || ms > 60_000 => {
                    return Err("`timeout` is in ms, 1..=60000".into())
                }
                Some(ms) => Duration::from_millis(ms),
                None => DEFAULT_RECV_TIMEOUT,
            };
            let mut expects = Vec::new();
            if let Some(l) = s.line {
                expects.push(Expect::Line(l));
            }
            if let Some(m) = s.matches {
                let re = Regex::new(&format!("^(?:{m})$")).map_err(|e| format!("`match`: {e}"))?;
                expects.push(Expect::Match(re));
            }
            if let Some(e) = s.err {
                expects.push(Expect::Err(e));
            }
            if s.info.is_some() {
                bool_flag(s.info, "info")?;
                expects.push(Expect::Info);
            }
            if let Some(m) = s.msg {
                expects.push(Expect::Msg {
                    line: m,
                    data: s.data.map(String::into_bytes),
                });
            } else if s.data.is_some() {
                return Err("`data` goes with `msg`".into());
            }
            if let Some(h) = s.json {
                expects.push(Expect::Json { head: h });
            }
            if let Some(n) = s.msgs {
                if n == 0 || n > 1_000_000 {
                    return Err("`msgs` must be 1..=1000000".into());
                }
                if let Some(f) = s.share {
                    if !(0.0..=1.0).contains(&f) {
                        return Err("`share` is a fraction between 0 and 1".into());
                    }
                }
                expects.push(Expect::Msgs {
                    n,
                    sorted: s.sorted.unwrap_or(false),
                    share: s.share,
                });
            } else if s.sorted.is_some() || s.share.is_some() {
                return Err("`sorted` and `share` go with `msgs`".into());
            }
            if s.closed.is_some() {
                bool_flag(s.closed, "closed")?;
                expects.push(Expect::Closed);
            }
            if let Some(ms) = s.nothing {
                if ms == 0 || ms > 30_000 {
                    return Err("`nothing` is in ms, 1..=30000".into());
                }
                expects.push(Expect::Nothing(Duration::from_millis(ms)));
            }
            if expects.len() != 1 {
                return Err(
                    "a `recv` step expects one of: line, match, err, info, msg, json, msgs, closed, nothing"
                        .into(),
                );
            }
            let expect = expects.remove(0);
            match &expect {
                Expect::Msgs {
                    sorted: false,
                    share: None,
                    ..
                } if clients.len() > 1 => return Err(
                    "messages from several clients arrive in no set order: add `sorted` or `share`"
                        .into(),
                ),
                Expect::Msgs { .. } => {}
                _ if clients.len() > 1 => {
                    return Err("only `msgs` reads from several clients at once".into())
                }
                _ => {}
            }
            Action::Recv {
                clients,
                expect,
                timeout,
            }
        }
        "close" => {
            let c = known(&s.close.unwrap_or_default(), open)?;
            open.retain(|o| *o != c);
            Action::Close { client: c }
        }
        "sleep" => match s.sleep {
            Some(ms) if ms > 0 && ms <= 30_000 => Action::Sleep(Duration::from_millis(ms)),
            _ => return Err("`sleep` is in ms, 1..=30000".into()),
        },
        "restart" => {
            bool_flag(s.restart, "restart")?;
            Action::Restart
        }
        "kill" => {
            bool_flag(s.kill, "kill")?;
            Action::Kill
        }
        "start" => {
            bool_flag(s.start, "start")?;
            Action::Start
        }
        "http" => {
            let path = s.http.unwrap_or_default();
            if !path.starts_with('/') || path.contains(char::is_whitespace) {
                return Err(format!("`http` takes a path such as /varz, not `{path}`"));
            }
            Action::Http {
                path,
                status: s.status.unwrap_or(200),
            }
        }
        other => return Err(format!("unknown action `{other}`")),
    })
}
