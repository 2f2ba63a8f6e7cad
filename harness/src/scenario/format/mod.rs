//! The scenario file format (TOML, `harness/scenarios/*.toml`, one small family per file) and its
//! checks. Every error names `file:line`.
//!
//! ```toml
//! [[scenario]]
//! name = "pub-sub-basic"                      # unique over all files
//! about = "a message reaches a subscriber"    # what it checks
//! go = ["test/TestProtoBasics"]               # Go tests it claims (optional)
//! args = ["-D"]                               # extra server flags (optional)
//! steps = [
//!   { open = "a" },
//!   { recv = "a", info = true },
//!   { send = "a", lines = ['CONNECT {"verbose":false}', "SUB foo 1", "PUB foo 5", "hello"] },
//!   { recv = "a", msg = "MSG foo 1 5", data = "hello" },
//! ]
//! ```
//!
//! A step has exactly one action key (`open send recv close sleep restart kill start http`) and the
//! options of that action; anything else is an error, so a typo cannot silently weaken a scenario.

mod step;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use step::{convert_step, RawStep};

/// Default time a `recv` waits.
pub const DEFAULT_RECV_TIMEOUT: Duration = Duration::from_secs(2);
/// Default and largest time a whole scenario may take on one server.
pub const DEFAULT_SCENARIO_LIMIT: Duration = Duration::from_secs(20);
pub const MAX_SCENARIO_LIMIT: Duration = Duration::from_secs(120);

/// One parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub about: String,
    /// File relative to the workspace root.
    pub file: String,
    /// Line of `name`.
    pub line: u32,
    /// Claimed Go tests with the line of each.
    pub go: Vec<(String, u32)>,
    pub args: Vec<String>,
    pub config: Option<String>,
    pub monitor: bool,
    /// The scenario's whole-run limit on one server.
    pub limit: Duration,
    pub steps: Vec<Step>,
    /// Hash of the scenario's content: a recorded result counts only for the same content.
    pub fingerprint: String,
}

/// One step, with the line it is written on.
#[derive(Debug, Clone)]
pub struct Step {
    pub line: u32,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// Open a raw TCP connection. With `pong`, server PINGs are answered and left out of the transcript.
    Open {
        client: String,
        pong: bool,
    },
    /// Write bytes, in pieces of `split` bytes (each its own write) when given.
    Send {
        client: String,
        bytes: Vec<u8>,
        split: Option<usize>,
    },
    Recv {
        clients: Vec<String>,
        expect: Expect,
        timeout: Duration,
    },
    /// The client closes its connection.
    Close {
        client: String,
    },
    Sleep(Duration),
    /// Graceful stop and start on the same ports.
    Restart,
    /// SIGKILL.
    Kill,
    /// Start after a kill.
    Start,
    /// GET on the monitoring port; the transcript keeps the status and the JSON shape.
    Http {
        path: String,
        status: u16,
    },
}

/// What a `recv` waits for.
#[derive(Debug, Clone)]
pub enum Expect {
    /// The next line equals this (without its CRLF).
    Line(String),
    /// The next line matches this regex (anchored at both ends).
    Match(Regex),
    /// The next line is `-ERR '<text>'`.
    Err(String),
    /// The next line is `INFO {json}` with valid JSON.
    Info,
    /// The next frame is a message with this control line (and payload, when given).
    Msg { line: String, data: Option<Vec<u8>> },
    /// The next frame is a message whose control line, without its size(s), is this, and whose
    /// payload is JSON: the transcript keeps the line and the payload's shape (system account
    /// answers carry ids, times and counters that differ between servers).
    Json { head: String },
    /// `n` message frames from the listed clients. `sorted`: compared as a set (sorted in the
    /// transcript). `share`: the sids are counted instead and each must get at least this part.
    Msgs {
        n: usize,
        sorted: bool,
        share: Option<f64>,
    },
    /// The server closes the connection before sending anything else.
    Closed,
    /// Nothing arrives for this long, and the connection stays open.
    Nothing(Duration),
}
// ---- raw TOML shape ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    about: String,
    #[serde(default)]
    go: Vec<Spanned<String>>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    config: Option<String>,
    #[serde(default)]
    monitor: bool,
    /// Whole-scenario limit on one server, in ms.
    #[serde(default)]
    limit: Option<u64>,
    steps: Vec<Spanned<RawStep>>,
}

/// An error at a place in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// Parses one file's text. `file` is the path shown in errors (relative to the workspace root).
pub fn parse(text: &str, file: &str) -> Result<Vec<Scenario>, Vec<FormatError>> {
    let err = |line: u32, message: String| FormatError {
        file: file.to_string(),
        line,
        message,
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            return Err(vec![err(line, e.message().trim().to_string())]);
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for sc in raw.scenario {
        let line = line_of(text, sc.name.span().start);
        let fingerprint = format!(
            "{:016x}",
            crate::util::fnv64(serde_json::to_string(&sc).unwrap_or_default().as_bytes())
        );
        let name = sc.name.get_ref().clone();
        if !valid_name(&name) {
            errors.push(err(
                line,
                format!("scenario name `{name}`: lowercase letters, digits, `-`, `_`, `.`"),
            ));
        }
        if sc.about.trim().is_empty() {
            errors.push(err(line, format!("scenario `{name}` needs an `about`")));
        }
        let mut go = Vec::new();
        for key in &sc.go {
            let kline = line_of(text, key.span().start);
            match crate::mapping::claims::check_key_syntax(key.get_ref()) {
                Ok(()) => go.push((key.get_ref().clone(), kline)),
                Err(m) => errors.push(err(kline, m)),
            }
        }
        let limit = match sc.limit {
            None => DEFAULT_SCENARIO_LIMIT,
            Some(ms) if ms > 0 && Duration::from_millis(ms) <= MAX_SCENARIO_LIMIT => {
                Duration::from_millis(ms)
            }
            Some(_) => {
                errors.push(err(
                    line,
                    format!("`limit` is in ms, 1..={}", MAX_SCENARIO_LIMIT.as_millis()),
                ));
                DEFAULT_SCENARIO_LIMIT
            }
        };
        if sc.steps.is_empty() {
            errors.push(err(line, format!("scenario `{name}` has no steps")));
        }
        let mut open = Vec::new();
        let mut steps = Vec::new();
        let mut has_http = false;
        for st in sc.steps {
            let sline = line_of(text, st.span().start);
            match convert_step(st.into_inner(), &mut open) {
                Ok(action) => {
                    has_http |= matches!(action, Action::Http { .. });
                    steps.push(Step {
                        line: sline,
                        action,
                    });
                }
                Err(m) => errors.push(err(sline, m)),
            }
        }
        if has_http && !sc.monitor {
            errors.push(err(
                line,
                format!("scenario `{name}` has `http` steps: set `monitor = true`"),
            ));
        }
        out.push(Scenario {
            name,
            about: sc.about,
            file: file.to_string(),
            line,
            go,
            args: sc.args,
            config: sc.config,
            monitor: sc.monitor,
            limit,
            steps,
            fingerprint,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Every scenario under `dir` (`*.toml`, sorted by file name), or every error found. `root` is what
/// file names in errors are made relative to. Names must be unique across files.
pub fn load_dir(dir: &Path, root: &Path) -> (Vec<Scenario>, Vec<FormatError>) {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&text, &shown) {
                Ok(s) => all.extend(s),
                Err(e) => errors.extend(e),
            },
            Err(e) => errors.push(FormatError {
                file: shown,
                line: 1,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let mut seen: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for s in &all {
        if let Some((f, l)) = seen.get(&s.name) {
            errors.push(FormatError {
                file: s.file.clone(),
                line: s.line,
                message: format!("scenario `{}` is also defined at {f}:{l}", s.name),
            });
        } else {
            seen.insert(s.name.clone(), (s.file.clone(), s.line));
        }
    }
    (all, errors)
}

/// `harness/scenarios/known-differences.tsv`: `name<TAB>reason` lines (a `name` header line and `#`
/// comments allowed). Returns the entries with their lines, and malformed lines as errors.
pub fn read_known(path: &Path, shown: &str) -> (Vec<(String, String, u32)>, Vec<FormatError>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || (i == 0 && t.starts_with("name\t")) {
            continue;
        }
        match l.split_once('\t') {
            Some((name, reason)) if !name.trim().is_empty() && !reason.trim().is_empty() => {
                out.push((name.trim().to_string(), reason.trim().to_string(), line));
            }
            _ => errors.push(FormatError {
                file: shown.to_string(),
                line,
                message: "expected `scenario-name<TAB>reason`".into(),
            }),
        }
    }
    (out, errors)
}
