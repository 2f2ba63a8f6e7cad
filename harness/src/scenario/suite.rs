//! Runs scenarios against the chosen servers, a few at a time, and gives each a verdict.
//!
//! With both servers: `same` when both transcripts are identical after normalization and the Go server
//! met every expectation; `differs` when they are not; `error` when either could not be played or the
//! Go server itself missed an expectation (then the scenario, not rnats, is wrong). With one server:
//! `passed` / `failed` on its expectations, or `error`. A panic while playing is an `error` of that
//! scenario; its servers are stopped as the stack unwinds.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

use super::diff::unified;
use super::format::Scenario;
use super::play::{play, Played};
use crate::backend::{BackendKind, ServerKind, ServerSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Same,
    Differs,
    Passed,
    Failed,
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Differs => "differs",
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Same,
            Verdict::Differs,
            Verdict::Passed,
            Verdict::Failed,
            Verdict::Error,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One server's side of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub server: &'static str,
    pub transcript: Vec<String>,
    pub failure: Option<String>,
    /// Set when the scenario could not be played on this server.
    pub error: Option<String>,
    #[serde(skip)]
    pub log: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub fingerprint: String,
    pub verdict: Verdict,
    /// Why, in one line or a few (failure or error messages).
    pub detail: String,
    /// Unified diff of the normalized transcripts (Go first) when they differ.
    pub diff: String,
    /// The reason from known-differences.tsv, when listed there.
    pub known: Option<String>,
    pub sides: Vec<Side>,
    pub seconds: f64,
}

impl Outcome {
    /// Whether this outcome fails a `run`/`diff` (an unlisted difference, an error, a failure).
    pub fn is_problem(&self) -> bool {
        match self.verdict {
            Verdict::Same | Verdict::Passed => false,
            Verdict::Differs => self.known.is_none(),
            Verdict::Failed | Verdict::Error => true,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// The servers, in the order they are played (Go first when both).
    pub servers: Vec<(ServerKind, std::path::PathBuf)>,
    pub backend: BackendKind,
    /// Scenarios played at the same time.
    pub jobs: usize,
    /// name -> reason, from known-differences.tsv.
    pub known: HashMap<String, String>,
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn side(kind: ServerKind, r: std::thread::Result<anyhow::Result<Played>>) -> Side {
    let (played, error) = match r {
        Ok(Ok(p)) => (Some(p), None),
        Ok(Err(e)) => (None, Some(format!("{e:#}"))),
        Err(p) => (
            None,
            Some(format!("the harness panicked: {}", panic_text(p.as_ref()))),
        ),
    };
    match played {
        Some(p) => Side {
            server: kind.label(),
            transcript: p.transcript,
            failure: p.failure,
            error,
            log: p.log,
            seconds: p.seconds,
        },
        None => Side {
            server: kind.label(),
            transcript: Vec::new(),
            failure: None,
            error,
            log: String::new(),
            seconds: 0.0,
        },
    }
}

/// The verdict of a scenario from its sides.
pub fn judge(sides: &[Side]) -> (Verdict, String, String) {
    let errors: Vec<String> = sides
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| format!("{}: {e}", s.server)))
        .collect();
    if !errors.is_empty() {
        return (Verdict::Error, errors.join("\n"), String::new());
    }
    match sides {
        [one] => match &one.failure {
            None => (Verdict::Passed, String::new(), String::new()),
            Some(f) => (
                Verdict::Failed,
                format!("{}: {f}", one.server),
                String::new(),
            ),
        },
        [go, rust] => {
            if let Some(f) = &go.failure {
                return (
                    Verdict::Error,
                    format!("the scenario's expectation fails on the Go server: {f}"),
                    String::new(),
                );
            }
            let diff = unified(&go.transcript, &rust.transcript, go.server, rust.server);
            if diff.is_empty() {
                (Verdict::Same, String::new(), diff)
            } else {
                let why = rust
                    .failure
                    .as_ref()
                    .map(|f| format!("{}: {f}", rust.server))
                    .unwrap_or_else(|| "the transcripts differ".into());
                (Verdict::Differs, why, diff)
            }
        }
        _ => (
            Verdict::Error,
            "no server to play against".into(),
            String::new(),
        ),
    }
}

fn run_one(sc: &Scenario, cfg: &SuiteConfig) -> Outcome {
    let started = Instant::now();
    let mut sides = Vec::new();
    for (kind, bin) in &cfg.servers {
        let spec = ServerSpec::new(*kind, bin);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            play(sc, &spec, cfg.backend)
        }));
        sides.push(side(*kind, r));
    }
    let (verdict, detail, diff) = judge(&sides);
    Outcome {
        name: sc.name.clone(),
        file: sc.file.clone(),
        line: sc.line,
        fingerprint: sc.fingerprint.clone(),
        verdict,
        detail,
        diff,
        known: cfg.known.get(&sc.name).cloned(),
        sides,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Runs every scenario; `progress` hears of each as it finishes. Results keep the input order.
pub fn run(
    scenarios: &[Scenario],
    cfg: &SuiteConfig,
    progress: &(dyn Fn(&Outcome) + Sync),
) -> Vec<Outcome> {
    let queue: Mutex<VecDeque<usize>> = Mutex::new((0..scenarios.len()).collect());
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; scenarios.len()]);
    std::thread::scope(|scope| {
        for _ in 0..cfg.jobs.clamp(1, 16) {
            scope.spawn(|| loop {
                let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                let Some(i) = next else { break };
                let outcome = run_one(&scenarios[i], cfg);
                progress(&outcome);
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(
        server: &'static str,
        lines: &[&str],
        failure: Option<&str>,
        error: Option<&str>,
    ) -> Side {
        Side {
            server,
            transcript: lines.iter().map(|l| l.to_string()).collect(),
            failure: failure.map(str::to_string),
            error: error.map(str::to_string),
            log: String::new(),
            seconds: 0.0,
        }
    }

    #[test]
    fn verdicts_on_both_servers() {
        let same = judge(&[
            side("go", &["a< PONG"], None, None),
            side("rnats", &["a< PONG"], None, None),
        ]);
        assert_eq!((same.0, same.2.as_str()), (Verdict::Same, ""));

        let (v, why, diff) = judge(&[
            side("go", &["a< PONG"], None, None),
            side(
                "rnats",
                &["a< PING", "!! step 2: no"],
                Some("step 2: no"),
                None,
            ),
        ]);
        assert_eq!(v, Verdict::Differs);
        assert_eq!(why, "rnats: step 2: no");
        assert!(
            diff.starts_with("--- go\n+++ rnats\n") && diff.contains("-a< PONG\n+a< PING\n"),
            "{diff}"
        );

        // Different transcripts with no failure are still a difference.
        let (v, why, _) = judge(&[
            side("go", &["x"], None, None),
            side("rnats", &["y"], None, None),
        ]);
        assert_eq!(
            (v, why.as_str()),
            (Verdict::Differs, "the transcripts differ")
        );

        // Go missing an expectation means the scenario is wrong.
        let (v, why, _) = judge(&[
            side("go", &["x"], Some("step 1: bad"), None),
            side("rnats", &["x"], Some("step 1: bad"), None),
        ]);
        assert_eq!(v, Verdict::Error);
        assert!(why.contains("fails on the Go server: step 1: bad"), "{why}");

        let (v, why, _) = judge(&[
            side("go", &[], None, Some("did not start")),
            side("rnats", &["x"], None, None),
        ]);
        assert_eq!((v, why.as_str()), (Verdict::Error, "go: did not start"));
    }

    #[test]
    fn verdicts_on_one_server() {
        assert_eq!(
            judge(&[side("rnats", &["x"], None, None)]).0,
            Verdict::Passed
        );
        let (v, why, _) = judge(&[side("go", &["x"], Some("step 3: no"), None)]);
        assert_eq!((v, why.as_str()), (Verdict::Failed, "go: step 3: no"));
        assert_eq!(judge(&[]).0, Verdict::Error);
    }

    #[test]
    fn known_differences_do_not_fail_a_run() {
        let mut o = Outcome {
            name: "n".into(),
            file: "f".into(),
            line: 1,
            fingerprint: String::new(),
            verdict: Verdict::Differs,
            detail: String::new(),
            diff: String::new(),
            known: None,
            sides: Vec::new(),
            seconds: 0.0,
        };
        assert!(o.is_problem());
        o.known = Some("reviewed".into());
        assert!(!o.is_problem());
        o.verdict = Verdict::Error;
        assert!(o.is_problem(), "an error fails even when listed");
        for v in ["same", "differs", "passed", "failed", "error"] {
            assert_eq!(Verdict::parse(v).map(Verdict::as_str), Some(v));
        }
    }
}
