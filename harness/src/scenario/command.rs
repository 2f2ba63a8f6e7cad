//! `harness run` and `harness diff`: find the servers, play the selected scenarios, print a table and
//! every difference as a unified diff, and record runs on both servers in the parity database.
//!
//! Exit status: success only when every scenario is `same` (or `passed` on a single server), apart
//! from differences listed with a reason in `known-differences.tsv`.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Result};
use tabled::settings::Style;
use tabled::Table;

use super::suite::{self, Outcome, SuiteConfig, Verdict};
use super::Corpus;
use crate::backend::{BackendKind, ServerKind};
use crate::bench::locate;
use crate::db::{Db, ScenarioRecord};
use crate::paths::Layout;
use crate::util;

/// Which servers a run plays against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Go,
    Rust,
    Both,
}

impl Which {
    pub fn parse(s: &str) -> Option<Which> {
        match s {
            "go" => Some(Which::Go),
            "rust" | "rnats" => Some(Which::Rust),
            "both" => Some(Which::Both),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunArgs {
    pub which: Which,
    pub filter: Option<String>,
    pub backend: BackendKind,
    pub jobs: usize,
    /// Use the release build of rnats instead of the dev build.
    pub release: bool,
    /// Print every transcript, not only the differences.
    pub verbose: bool,
    /// Record a run on both servers in the parity database.
    pub record: bool,
}

fn side_cell(o: &Outcome, server: &str) -> String {
    match o.sides.iter().find(|s| s.server == server) {
        None => String::new(),
        Some(s) if s.error.is_some() => "error".into(),
        Some(s) if s.failure.is_some() => "missed expectation".into(),
        Some(s) => format!("ok ({:.2}s)", s.seconds),
    }
}

/// The result table.
pub fn table(outcomes: &[Outcome], which: Which) -> String {
    let mut rows = vec![vec!["scenario", "verdict", "go", "rnats", "note"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()];
    for o in outcomes {
        let verdict = match (o.verdict, &o.known) {
            (Verdict::Differs, Some(_)) => "differs (known)".to_string(),
            (v, _) => v.as_str().to_string(),
        };
        let note = o
            .known
            .clone()
            .or_else(|| o.detail.lines().next().map(str::to_string))
            .unwrap_or_default();
        let note: String = if note.chars().count() > 90 {
            note.chars().take(87).chain("...".chars()).collect()
        } else {
            note
        };
        rows.push(vec![
            o.name.clone(),
            verdict,
            side_cell(o, "go"),
            side_cell(o, "rnats"),
            note,
        ]);
    }
    let mut t = Table::from_iter(rows);
    t.with(Style::psql());
    let mut text = t.to_string();
    if which != Which::Both {
        // One server: the other column stays empty; say which one ran.
        text.push_str(&format!(
            "\n(played against {} only)",
            if which == Which::Go {
                "the Go server"
            } else {
                "rnats"
            }
        ));
    }
    text
}

/// The details after the table: diffs, errors, failures (and every transcript when verbose).
pub fn details(outcomes: &[Outcome], verbose: bool) -> String {
    let mut out = String::new();
    for o in outcomes {
        let interesting = o.verdict != Verdict::Same && o.verdict != Verdict::Passed;
        if !interesting && !verbose {
            continue;
        }
        out.push_str(&format!(
            "\n=== {} ({}:{}): {}{}\n",
            o.name,
            o.file,
            o.line,
            o.verdict.as_str(),
            o.known
                .as_ref()
                .map(|k| format!(" (known: {k})"))
                .unwrap_or_default()
        ));
        if !o.detail.is_empty() {
            out.push_str(&o.detail);
            out.push('\n');
        }
        if !o.diff.is_empty() {
            out.push_str(&o.diff);
        }
        let show_transcripts =
            verbose || (o.verdict == Verdict::Failed) || (o.verdict == Verdict::Error);
        if show_transcripts {
            for s in &o.sides {
                if s.transcript.is_empty() {
                    continue;
                }
                out.push_str(&format!("--- transcript on {}\n", s.server));
                for l in &s.transcript {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// `harness run` / `harness diff`. Returns whether the run passed.
pub fn run(layout: &Layout, args: &RunArgs) -> Result<bool> {
    let corpus = Corpus::load(layout);
    if !corpus.errors.is_empty() {
        let list: Vec<String> = corpus.errors.iter().map(|e| format!("  {e}")).collect();
        bail!("the scenario files have errors:\n{}", list.join("\n"));
    }
    let selected = corpus.select(args.filter.as_deref());
    if selected.is_empty() {
        bail!(
            "no scenario matches {:?} (of {} in {})",
            args.filter.as_deref().unwrap_or(""),
            corpus.scenarios.len(),
            layout.scenarios_dir().display()
        );
    }
    args.backend.available()?;
    let mut progress = |m: &str| eprintln!("{m}");
    let mut servers = Vec::new();
    let mut versions = (String::new(), String::new());
    if args.which != Which::Rust {
        let go = locate::go_server(&layout.root, &mut progress)?;
        versions.0 = locate::version(&go);
        eprintln!("go: {} ({})", go.display(), versions.0);
        servers.push((ServerKind::Go, go));
    }
    if args.which != Which::Go {
        let rust = locate::rust_server_profile(&layout.root, args.release, &mut progress)?;
        versions.1 = locate::version(&rust);
        eprintln!("rnats: {} ({})", rust.display(), versions.1);
        servers.push((ServerKind::Rust, rust));
    }
    let cfg = SuiteConfig {
        servers,
        backend: args.backend,
        jobs: args.jobs,
        known: corpus.known_reasons(),
    };
    let total = selected.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let report = |o: &Outcome| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if tty {
            eprint!("\r\x1b[K{n}/{total} played ({})", o.name);
            let _ = std::io::stderr().flush();
        }
    };
    let outcomes = suite::run(&selected, &cfg, &report);
    if tty {
        eprint!("\r\x1b[K");
    }
    eprintln!(
        "{total} scenarios played in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    println!("{}", table(&outcomes, args.which));
    print!("{}", details(&outcomes, args.verbose));

    if args.which == Which::Both && args.record {
        let records: Vec<ScenarioRecord> = outcomes
            .iter()
            .map(|o| ScenarioRecord {
                name: o.name.clone(),
                file: o.file.clone(),
                fingerprint: o.fingerprint.clone(),
                verdict: o.verdict.as_str().into(),
                detail: o.detail.clone(),
                diff: o.diff.clone(),
                seconds: o.seconds,
            })
            .collect();
        let mut notes = Vec::new();
        let mut db = Db::open(&layout.db_file(), &mut notes)?;
        for n in notes {
            eprintln!("note: {n}");
        }
        let id = db.record_scenario_run(
            &util::now_utc(),
            &util::git_commit(&layout.root),
            &versions.0,
            &versions.1,
            args.backend.label(),
            &records,
        )?;
        eprintln!(
            "recorded scenario run {id} in {}",
            layout.db_file().display()
        );
    }

    let count = |v: Verdict| outcomes.iter().filter(|o| o.verdict == v).count();
    let known = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Differs && o.known.is_some())
        .count();
    let fixed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Same && o.known.is_some())
        .map(|o| o.name.as_str())
        .collect();
    if !fixed.is_empty() {
        println!(
            "note: listed in known-differences.tsv but now the same, remove: {}",
            fixed.join(", ")
        );
    }
    let problems = outcomes.iter().filter(|o| o.is_problem()).count();
    match args.which {
        Which::Both => println!(
            "{} scenarios: {} same, {} differ ({} known), {} error",
            outcomes.len(),
            count(Verdict::Same),
            count(Verdict::Differs),
            known,
            count(Verdict::Error)
        ),
        _ => println!(
            "{} scenarios: {} passed, {} failed, {} error",
            outcomes.len(),
            count(Verdict::Passed),
            count(Verdict::Failed),
            count(Verdict::Error)
        ),
    }
    Ok(problems == 0)
}
