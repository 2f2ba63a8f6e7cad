//! `harness`: the conformance harness's command line (`cargo run -p harness -- <command>`).
//! Each subcommand is a thin shell over the library; see `--help`.

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use harness::backend::BackendKind;
use harness::gate::{self, Baseline};
use harness::inventory::{extract, Kind};
use harness::load::{self, Junit, Parity};
use harness::paths::{Layout, PRIMARY_LABEL};
use harness::scenario::command::{self as scen, Which};
use harness::status::{round2, Status};
use harness::{bench, report, testrun, util};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tabled::settings::Style;
use tabled::Table;

#[derive(Parser)]
#[command(
    name = "harness",
    about = "rnats conformance harness: Go test inventory, parity status, scenarios against the Go server, bench, report and CI gate"
)]
struct Cli {
    /// Workspace root (default: the workspace this harness was built in).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    /// Inventory label the percentages are computed against.
    #[arg(long, global = true, default_value = PRIMARY_LABEL)]
    label: String,
    /// Read test results from this JUnit file instead of target/nextest/ci/junit.xml.
    #[arg(long, global = true)]
    junit: Option<PathBuf>,
    /// Read test results from a saved `cargo test` log (libtest output) instead.
    #[arg(long, global = true, conflicts_with = "junit")]
    libtest: Option<PathBuf>,
    /// Use only results already recorded in the database.
    #[arg(long, global = true)]
    no_junit: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Go test inventory.
    Inventory {
        #[command(subcommand)]
        cmd: InventoryCmd,
    },
    /// Run the workspace tests with nextest (profile ci), or `cargo test` when nextest is
    /// missing or --cargo-test is given, and record the results.
    TestRun {
        /// Use `cargo test --workspace --no-fail-fast` and parse its output.
        #[arg(long)]
        cargo_test: bool,
        /// Extra arguments for `cargo nextest run`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Record test results: --junit PATH (default target/nextest/ci/junit.xml) or --libtest LOG.
    Record,
    /// Per-category parity table.
    Status {
        /// Only this category, with its tests listed.
        #[arg(long)]
        category: Option<String>,
        /// List the unmapped tests (of --category when given).
        #[arg(long)]
        unmapped: bool,
    },
    /// List every claim and any invalid one.
    Claims,
    /// Write reports/index.html and reports/parity.json.
    Report {
        /// Output directory (default: reports/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Play the scenarios of harness/scenarios against the Go server, rnats, or both (then compared).
    Run {
        /// go, rust or both.
        #[arg(long, default_value = "both", value_parser = parse_which)]
        server: Which,
        #[command(flatten)]
        opts: ScenarioOpts,
    },
    /// Play every scenario against both servers and show where they differ (= run --server both).
    Diff {
        #[command(flatten)]
        opts: ScenarioOpts,
    },
    /// The same load against the Go server and rnats in one run; prints msgs/s and the rnats/Go ratio
    /// and writes reports/bench.json.
    Bench {
        /// Only scenarios whose name contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Scale the message counts (1.0 = default).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Runs per case; the median of each server is kept.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Fail when parity fell below reports/baseline.json or a claim is invalid.
    Gate {
        /// Rewrite the baseline from the current state.
        #[arg(long)]
        update_baseline: bool,
        /// With --update-baseline: allow the baseline to go down.
        #[arg(long)]
        allow_lower: bool,
    },
}

#[derive(clap::Args)]
struct ScenarioOpts {
    /// Only scenarios whose name contains this.
    #[arg(long, allow_hyphen_values = true)]
    filter: Option<String>,
    /// process (default) or container.
    #[arg(long, default_value = "process", value_parser = parse_backend)]
    backend: BackendKind,
    /// Scenarios played at the same time.
    #[arg(long, default_value_t = 4)]
    jobs: usize,
    /// Use the release build of rnats (default: the dev build).
    #[arg(long)]
    release: bool,
    /// Print every transcript.
    #[arg(long, short)]
    verbose: bool,
    /// Do not record the run in the parity database.
    #[arg(long)]
    no_record: bool,
}

fn parse_which(s: &str) -> Result<Which, String> {
    Which::parse(s).ok_or_else(|| format!("`{s}`: expected go, rust or both"))
}

fn parse_backend(s: &str) -> Result<BackendKind, String> {
    BackendKind::parse(s).ok_or_else(|| format!("`{s}`: expected process or container"))
}

fn scenario_args(which: Which, o: &ScenarioOpts) -> scen::RunArgs {
    scen::RunArgs {
        which,
        filter: o.filter.clone(),
        backend: o.backend,
        jobs: o.jobs,
        release: o.release,
        verbose: o.verbose,
        record: !o.no_record,
    }
}

#[derive(Subcommand)]
enum InventoryCmd {
    /// Extract the tests of a nats-server source tree into go-inventory/<label>.tsv.
    Extract {
        #[arg(long, value_name = "DIR")]
        go_src: PathBuf,
        /// Where the tree came from (repository@commit), recorded in the file.
        #[arg(long)]
        source: Option<String>,
        /// Write here instead of go-inventory/<label>.tsv.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn junit_mode(cli: &Cli) -> Junit {
    match (&cli.junit, &cli.libtest, cli.no_junit) {
        (Some(p), _, _) => Junit::File(p.clone()),
        (None, Some(p), _) => Junit::Libtest(p.clone()),
        (None, None, true) => Junit::None,
        (None, None, false) => Junit::Auto,
    }
}

fn print_notes(p: &Parity) {
    for n in &p.notes {
        eprintln!("note: {n}");
    }
}

fn print_problems(p: &Parity) {
    if p.problems.is_empty() {
        return;
    }
    eprintln!("\n{} invalid claim(s):", p.problems.len());
    for e in &p.problems {
        eprintln!("  error: {e}");
    }
}

fn cmd_extract(
    layout: &Layout,
    label: &str,
    go_src: &Path,
    source: Option<String>,
    out: Option<PathBuf>,
) -> Result<()> {
    let source = source.unwrap_or_else(|| {
        let c = util::git_commit(go_src);
        if c == "unknown" {
            format!("{} (commit unknown)", go_src.display())
        } else {
            format!("git {c}")
        }
    });
    let mut last = 0;
    let got = extract::extract(go_src, label, &source, &mut |done, total| {
        if done == total || done >= last + 25 {
            last = done;
            eprint!("\rreading test files: {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    })?;
    eprintln!();
    for w in &got.warnings {
        eprintln!("warning: {w}");
    }
    let inv = &got.inventory;
    let into_repo = out.is_none();
    let path = out.unwrap_or_else(|| layout.inventory_file(label));
    inv.write(&path)?;
    if into_repo {
        // Load it (with everything else derived from text) into the database right away.
        let p = load::load(layout, label, &Junit::None)?;
        eprintln!(
            "loaded into {} ({} invalid claim(s))",
            layout.db_file().display(),
            p.problems.len()
        );
    }
    println!(
        "{}: {} tests, {} benchmarks, {} fuzz targets from {} files ({} skip unconditionally) -> {}",
        label,
        inv.count(Kind::Test),
        inv.count(Kind::Benchmark),
        inv.count(Kind::Fuzz),
        got.files,
        inv.tests.iter().filter(|t| t.skips && t.kind == Kind::Test).count(),
        path.display()
    );
    Ok(())
}

fn totals_row(name: &str, t: &harness::status::Totals) -> [String; 7] {
    [
        name.to_string(),
        t.total.to_string(),
        t.mapped.to_string(),
        t.failing.to_string(),
        t.not_applicable.to_string(),
        t.unmapped.to_string(),
        format!("{:.2}", round2(t.pct())),
    ]
}

fn cmd_status(p: &Parity, only: Option<&str>, unmapped: bool) -> Result<()> {
    if let Some(c) = only {
        if !p.categories.iter().any(|(k, _)| k == c) {
            let known: Vec<&str> = p.categories.iter().map(|(k, _)| k.as_str()).collect();
            bail!("no category `{c}`; known: {}", known.join(", "));
        }
    }
    let mut rows = vec![[
        "category", "tests", "mapped", "failing", "n/a", "unmapped", "mapped %",
    ]
    .map(String::from)];
    for (c, t) in p
        .categories
        .iter()
        .filter(|(c, _)| only.is_none_or(|o| o == c))
    {
        rows.push(totals_row(c, t));
    }
    if only.is_none() {
        rows.push(totals_row("ALL", &p.overall));
    }
    println!(
        "Go inventory {} ({} {}): {} benchmarks and {} fuzz targets listed, not counted",
        p.label, p.version, p.source, p.benchmarks, p.fuzz
    );
    println!("{}", Table::from_iter(rows).with(Style::rounded()));
    println!(
        "mapped {:.2}% of applicable Go tests ({} of {}){}",
        round2(p.overall.pct()),
        p.overall.mapped,
        p.overall.applicable(),
        match &p.run {
            Some(r) => format!(
                "; results of run {} ({}, commit {}: {} passed, {} failed)",
                r.id, r.recorded_at, r.commit, r.passed, r.failed
            ),
            None => String::new(),
        }
    );
    if only.is_some() || unmapped {
        let mut list = vec![["Go test", "status", "claimed by", "file"].map(String::from)];
        for r in p.rows.iter().filter(|r| {
            r.kind == "test"
                && only.is_none_or(|c| c == r.category)
                && (!unmapped || r.status == Status::Unmapped)
        }) {
            let who: Vec<String> = r
                .claimants
                .iter()
                .map(|c| format!("{} [{}]", c.path, c.state))
                .collect();
            let what = r.na_reason.clone().unwrap_or_else(|| who.join("; "));
            list.push([
                r.key.clone(),
                r.status.as_str().into(),
                what,
                format!("{}:{}", r.file, r.line),
            ]);
        }
        println!("{}", Table::from_iter(list).with(Style::psql()));
    }
    Ok(())
}

fn cmd_claims(p: &Parity) {
    let mut rows = vec![["Go test", "Rust test", "where", "result"].map(String::from)];
    for c in &p.claimants {
        let state = p
            .rows
            .iter()
            .flat_map(|r| r.claimants.iter())
            .find(|v| v.file == c.file && v.line == c.line)
            .map_or("?".to_string(), |v| v.state.clone());
        for (key, _) in &c.claims {
            rows.push([
                key.clone(),
                format!("{} {}", c.binary, c.path),
                format!("{}:{}", c.file, c.line),
                state.clone(),
            ]);
        }
    }
    println!("{}", Table::from_iter(rows).with(Style::psql()));
}

fn cmd_gate(layout: &Layout, p: &Parity, update: bool, allow_lower: bool) -> Result<bool> {
    let path = layout.baseline_file();
    let commit = util::git_commit(&layout.root);
    let current = Baseline::current(&p.label, &p.rows, &p.overall, &commit, &util::now_utc());
    if update {
        let old = if path.is_file() {
            Some(Baseline::read(&path)?)
        } else {
            None
        };
        let new = gate::update(current, old.as_ref(), &p.problems, allow_lower)?;
        new.write(&path)?;
        println!(
            "baseline {}: mapped {:.2}% ({} of {})",
            path.display(),
            new.mapped_pct,
            new.mapped,
            new.applicable
        );
        return Ok(true);
    }
    let baseline = Baseline::read(&path)?;
    let v = gate::check(&p.rows, &p.overall, &p.problems, &baseline);
    for n in &v.notes {
        println!("note: {n}");
    }
    if v.passed() {
        println!(
            "gate passed: mapped {:.2}% ({} of {}), baseline {:.2}%, {} failing",
            round2(p.overall.pct()),
            p.overall.mapped,
            p.overall.applicable(),
            baseline.mapped_pct,
            p.overall.failing
        );
        return Ok(true);
    }
    eprintln!("gate FAILED ({} problem(s)):", v.failures.len());
    for f in &v.failures {
        eprintln!("  - {f}");
    }
    Ok(false)
}

fn run() -> Result<bool> {
    let cli = Cli::parse();
    let layout = cli
        .root
        .clone()
        .map(Layout::new)
        .unwrap_or_else(Layout::from_build);
    let junit = junit_mode(&cli);
    match &cli.cmd {
        Cmd::Inventory {
            cmd:
                InventoryCmd::Extract {
                    go_src,
                    source,
                    out,
                },
        } => cmd_extract(&layout, &cli.label, go_src, source.clone(), out.clone()).map(|()| true),
        Cmd::TestRun { cargo_test, args } => {
            let (ok, results) = testrun::run(&layout, *cargo_test, args)?;
            let p = load::load(&layout, &cli.label, &results)?;
            print_notes(&p);
            cmd_status(&p, None, false)?;
            print_problems(&p);
            Ok(ok)
        }
        Cmd::Record => {
            let results = match junit {
                Junit::Auto | Junit::None => Junit::File(layout.default_junit()),
                given => given,
            };
            let p = load::load(&layout, &cli.label, &results)?;
            print_notes(&p);
            print_problems(&p);
            Ok(true)
        }
        Cmd::Status {
            category: only,
            unmapped,
        } => {
            let p = load::load(&layout, &cli.label, &junit)?;
            print_notes(&p);
            cmd_status(&p, only.as_deref(), *unmapped)?;
            print_problems(&p);
            Ok(true)
        }
        Cmd::Claims => {
            let p = load::load(&layout, &cli.label, &junit)?;
            print_notes(&p);
            cmd_claims(&p);
            print_problems(&p);
            Ok(p.problems.is_empty())
        }
        Cmd::Report { out } => {
            let p = load::load(&layout, &cli.label, &junit)?;
            print_notes(&p);
            let dir = out.clone().unwrap_or_else(|| layout.reports_dir());
            let (html, json) = report::write(
                &layout,
                &p,
                &dir,
                &util::git_commit(&layout.root),
                &util::now_utc(),
            )?;
            println!("wrote {} and {}", html.display(), json.display());
            print_problems(&p);
            Ok(true)
        }
        Cmd::Run { server, opts } => scen::run(&layout, &scenario_args(*server, opts)),
        Cmd::Diff { opts } => scen::run(&layout, &scenario_args(Which::Both, opts)),
        Cmd::Bench {
            filter,
            scale,
            runs,
        } => cmd_bench(&layout, filter.clone(), *scale, *runs).map(|()| true),
        Cmd::Gate {
            update_baseline,
            allow_lower,
        } => {
            let p = load::load(&layout, &cli.label, &junit)?;
            print_notes(&p);
            cmd_gate(&layout, &p, *update_baseline, *allow_lower)
        }
    }
}

fn cmd_bench(layout: &Layout, filter: Option<String>, scale: f64, runs: usize) -> Result<()> {
    let mut progress = |m: &str| eprintln!("{m}");
    let go_bin = bench::locate::go_server(&layout.root, &mut progress)?;
    let rust_bin = bench::locate::rust_server(&layout.root, &mut progress)?;
    let sink = bench::load::sink_rate(16, (1_000_000.0 * scale).max(1000.0) as usize)?;
    eprintln!("load generator against a TCP sink (pub-only 16 B): {sink:.0} msg/s");
    let meta = bench::BenchMeta {
        sink_msgs_per_sec: Some(sink),
        recorded_at: util::now_utc(),
        commit: util::git_commit(&layout.root),
        go_version: bench::locate::version(&go_bin),
        rust_version: bench::locate::version(&rust_bin),
    };
    eprintln!(
        "go: {} ({}), rnats: {} ({})",
        go_bin.display(),
        meta.go_version,
        rust_bin.display(),
        meta.rust_version
    );
    let cfg = bench::BenchConfig {
        go_bin,
        rust_bin,
        scale,
        runs: runs.max(1),
        filter,
    };
    let rows = bench::run(&cfg, |m| eprintln!("  {m}"))?;
    print!("{}", bench::render(&rows));
    println!("load generator ceiling (pub-only 16 B into a TCP sink): {sink:.0} msg/s");
    let path = layout.bench_file();
    std::fs::create_dir_all(layout.reports_dir())?;
    let mut text = serde_json::to_string_pretty(&bench::to_json(&cfg, &rows, &meta))?;
    text.push('\n');
    util::write_atomic(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
