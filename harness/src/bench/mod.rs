//! `harness bench`: the same load against the Go server and rnats in one run, reported as ratios.
//! Load comes from raw-protocol clients on loopback (no client library in the way), each load bounded in
//! message count and time. Both servers run as separate processes with the same flags.

pub mod jetstream;
pub mod load;
pub mod locate;
pub mod servers;

use std::time::Duration;

use anyhow::Result;

use load::{Outcome, Scenario};
use servers::{ServerKind, ServerProc};

/// Payload sizes measured.
pub const SIZES: [usize; 3] = [16, 128, 1024];

#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub go_bin: std::path::PathBuf,
    pub rust_bin: std::path::PathBuf,
    /// Scale factor for message counts (1.0 = default counts).
    pub scale: f64,
    /// Runs per (scenario, size, server); the median is kept.
    pub runs: usize,
    pub filter: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub size: usize,
    pub go: Outcome,
    pub rust: Outcome,
}

impl Row {
    /// rnats throughput / Go throughput (>1 means rnats is faster); for latency, Go p99 / rnats p99.
    pub fn ratio(&self) -> f64 {
        match (&self.go, &self.rust) {
            (Outcome::Rate { msgs_per_sec: g }, Outcome::Rate { msgs_per_sec: r }) => r / g,
            (Outcome::Memory { rss_kib: g }, Outcome::Memory { rss_kib: r }) => {
                *g as f64 / (*r).max(1) as f64
            }
            (Outcome::Latency { p99: g, .. }, Outcome::Latency { p99: r, .. }) => {
                g.as_secs_f64() / r.as_secs_f64().max(1e-9)
            }
            _ => 0.0,
        }
    }
}

fn msg_count(scenario: Scenario, size: usize, scale: f64) -> usize {
    let base = match size {
        0..=64 => 1_000_000,
        65..=512 => 600_000,
        _ => 200_000,
    };
    let n = match scenario {
        Scenario::FanOut4 => base / 4,
        Scenario::RequestReply => 20_000,
        _ => base,
    };
    ((n as f64) * scale).max(1000.0) as usize
}

/// Run every scenario at every size against both servers.
pub fn run(cfg: &BenchConfig, mut progress: impl FnMut(&str)) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for scenario in Scenario::ALL {
        for size in SIZES {
            let name = scenario.name();
            if let Some(f) = &cfg.filter {
                if !name.contains(f.as_str()) {
                    continue;
                }
            }
            let n = msg_count(scenario, size, cfg.scale);
            let label = format!("{name} {size}B");
            let Some((go, rust)) = measure(cfg, &label, None, &mut progress, |srv| {
                load::run(scenario, srv.addr(), size, n, Duration::from_secs(60))
            })?
            else {
                continue;
            };
            rows.push(Row {
                scenario: name.to_string(),
                size,
                go,
                rust,
            });
        }
    }
    for case in jetstream::Case::ALL {
        let name = case.name();
        if cfg.filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let n = case.count(cfg.scale);
        let config = Some(jetstream::server_config(case));
        let Some((go, rust)) = measure(cfg, &name, config, &mut progress, |srv| {
            jetstream::run(case, srv.addr(), n, Duration::from_secs(60))
        })?
        else {
            continue;
        };
        rows.push(Row {
            scenario: name,
            size: jetstream::SIZE,
            go,
            rust,
        });
    }
    if cfg
        .filter
        .as_deref()
        .is_none_or(|f| "idle-connections".contains(f))
    {
        rows.push(idle_connections(cfg, &mut progress)?);
    }
    Ok(rows)
}

/// Number of idle connections whose memory is measured.
pub const IDLE_CONNECTIONS: usize = 1000;

/// Resident memory of each server holding 1,000 idle client connections (median of the runs).
fn idle_connections(cfg: &BenchConfig, progress: &mut impl FnMut(&str)) -> Result<Row> {
    let (go, rust) = measure(cfg, "idle-connections", None, progress, |srv| {
        let conns = load::idle_connections(srv.addr(), IDLE_CONNECTIONS)?;
        let pid = srv
            .pid()
            .ok_or_else(|| anyhow::anyhow!("no pid for the server"))?;
        let rss_kib = load::rss_kib(pid)?;
        drop(conns);
        Ok(Outcome::Memory { rss_kib })
    })?
    .ok_or_else(|| anyhow::anyhow!("no idle-connection measurement"))?;
    Ok(Row {
        scenario: format!("idle x{IDLE_CONNECTIONS}"),
        size: 0,
        go,
        rust,
    })
}

/// Run `one` against a fresh server of each kind, `cfg.runs` times, alternating which goes first so
/// neither always runs on a warmer machine; the median outcome of each server.
fn measure(
    cfg: &BenchConfig,
    label: &str,
    config: Option<String>,
    progress: &mut impl FnMut(&str),
    mut one: impl FnMut(&ServerProc) -> Result<Outcome>,
) -> Result<Option<(Outcome, Outcome)>> {
    let mut outcomes: [Vec<Outcome>; 2] = [Vec::new(), Vec::new()];
    for run in 0..cfg.runs {
        let order = if run % 2 == 0 {
            [ServerKind::Go, ServerKind::Rust]
        } else {
            [ServerKind::Rust, ServerKind::Go]
        };
        for kind in order {
            progress(&format!(
                "{label} {} run {}/{}",
                kind.label(),
                run + 1,
                cfg.runs
            ));
            let bin = match kind {
                ServerKind::Go => &cfg.go_bin,
                ServerKind::Rust => &cfg.rust_bin,
            };
            let srv = ServerProc::start_with(kind, bin, config.clone())?;
            let out = one(&srv)?;
            drop(srv);
            outcomes[kind as usize].push(out);
        }
    }
    let [go, rust] = outcomes;
    Ok(Outcome::median(go).zip(Outcome::median(rust)))
}

/// Facts about a bench run that `reports/bench.json` records beside the results.
#[derive(Debug, Clone)]
pub struct BenchMeta {
    pub recorded_at: String,
    pub commit: String,
    pub go_version: String,
    pub rust_version: String,
    /// pub-only 16 B against a trivial TCP sink: the load generator's ceiling.
    pub sink_msgs_per_sec: Option<f64>,
}

/// `reports/bench.json`, format 1:
///
/// ```json
/// {"format": 1, "recorded_at": "...Z", "commit": "...", "machine": {"cpus": 2, "os": "linux", "arch": "x86_64"},
///  "go": {"path": "...", "version": "v2.15.1"}, "rnats": {"path": "...", "version": "..."},
///  "runs": 3, "scale": 1.0, "keep": "median", "sink_msgs_per_sec": 2.0e7,
///  "results": [
///    {"workload": "pub-only", "size": 16, "metric": "msgs_per_sec", "go": 1.2e6, "rnats": 2.5e6, "ratio": 2.08},
///    {"workload": "request-reply", "size": 16, "metric": "p99_us", "go": 90, "rnats": 60,
///     "go_p50_us": 40, "rnats_p50_us": 30, "ratio": 1.5}]}
/// ```
///
/// `ratio` > 1 means rnats is better: rnats/Go for throughput, Go p99 / rnats p99 for latency.
pub fn to_json(cfg: &BenchConfig, rows: &[Row], meta: &BenchMeta) -> serde_json::Value {
    use serde_json::json;
    let results: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({"workload": r.scenario, "size": r.size, "ratio": r.ratio()});
            match (&r.go, &r.rust) {
                (Outcome::Rate { msgs_per_sec: g }, Outcome::Rate { msgs_per_sec: n }) => {
                    v["metric"] = json!("msgs_per_sec");
                    v["go"] = json!(g);
                    v["rnats"] = json!(n);
                }
                (
                    Outcome::Latency { p50: g50, p99: g99 },
                    Outcome::Latency { p50: r50, p99: r99 },
                ) => {
                    v["metric"] = json!("p99_us");
                    v["go"] = json!(g99.as_micros() as u64);
                    v["rnats"] = json!(r99.as_micros() as u64);
                    v["go_p50_us"] = json!(g50.as_micros() as u64);
                    v["rnats_p50_us"] = json!(r50.as_micros() as u64);
                }
                (Outcome::Memory { rss_kib: g }, Outcome::Memory { rss_kib: n }) => {
                    v["metric"] = json!("rss_kib");
                    v["go"] = json!(g);
                    v["rnats"] = json!(n);
                }
                _ => v["metric"] = json!("mismatched"),
            }
            v
        })
        .collect();
    json!({
        "format": 1,
        "recorded_at": meta.recorded_at,
        "commit": meta.commit,
        "machine": {
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        },
        "go": {"path": cfg.go_bin.display().to_string(), "version": meta.go_version},
        "rnats": {"path": cfg.rust_bin.display().to_string(), "version": meta.rust_version},
        "runs": cfg.runs,
        "scale": cfg.scale,
        "keep": "median",
        "sink_msgs_per_sec": meta.sink_msgs_per_sec,
        "filter": cfg.filter,
        "results": results,
    })
}

/// A plain-text table of the results.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<20} {:>6} {:>18} {:>18} {:>8}\n",
        "scenario", "size", "go", "rnats", "ratio"
    ));
    for r in rows {
        out.push_str(&format!(
            "{:<20} {:>5}B {:>18} {:>18} {:>7.2}x\n",
            r.scenario,
            r.size,
            r.go.to_string(),
            r.rust.to_string(),
            r.ratio()
        ));
    }
    out
}
