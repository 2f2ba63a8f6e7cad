//! The report's scenario and benchmark sections.
//!
//! Scenarios come from the database (every scenario file with its latest recorded result, the diff
//! folded under each difference). Benchmarks come from `reports/bench.json` (format 1, written by
//! `harness bench`): a table and an inline SVG chart of the rnats/Go ratios, where 1.0 means as fast
//! as Go and more is better; a file in another format is shown as plain JSON.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::{esc, json_section};
use crate::scenario::status::ScenarioView;

pub const STYLE: &str = r#"
#scen td{border-bottom:1px solid #eee;font-size:.92em} #scen pre{margin:.3em 0;font-size:.9em;background:#f7f7f7;padding:.4em}
.v-passed{color:#2a8f3c;font-weight:600} .v-failed{color:#d33;font-weight:600} .v-stale,.v-not-run{color:#b80}
#bench td{border-bottom:1px solid #eee;text-align:right} #bench td:first-child{text-align:left}
.chart text{font:11px system-ui,sans-serif}
"#;

/// The scenario table with a count per state.
pub fn scenarios(o: &mut String, list: &[ScenarioView]) {
    o.push_str(
        "<h2 id=\"scenarios\">Scenarios: the same conversation with the Go server and rnats</h2>",
    );
    if list.is_empty() {
        o.push_str("<div class=\"meta\">No scenarios in harness/scenarios/.</div>");
        return;
    }
    let count = |s: &str| list.iter().filter(|v| v.state == s).count();
    let _ = write!(
        o,
        "<div id=\"scen-summary\">{} scenarios: {} same on both servers &middot; {} differ or fail &middot; {} not run &middot; {} stale (edited since their last run).</div>",
        list.len(),
        count("passed"),
        count("failed"),
        count("not run"),
        count("stale")
    );
    if let Some(v) = list.iter().find_map(|v| v.recorded_at.as_ref().map(|_| v)) {
        let _ = write!(
            o,
            "<div class=\"meta\">Servers of the latest run: Go {} &middot; rnats {}.</div>",
            esc(v.go_server.as_deref().unwrap_or("?")),
            esc(v.rust_server.as_deref().unwrap_or("?"))
        );
    }
    o.push_str("<table id=\"scen\"><tr><th>Scenario</th><th>State</th><th>Verdict</th><th>Claims</th><th>What it checks</th><th>Recorded</th></tr>");
    for v in list {
        let state_class = v.state.replace(' ', "-");
        let mut what = esc(&v.about);
        if let Some(k) = &v.known {
            let _ = write!(what, "<br><i>known difference: {}</i>", esc(k));
        }
        if !v.detail.is_empty() && v.state != "passed" {
            let _ = write!(what, "<br><code>{}</code>", esc(&v.detail));
        }
        if !v.diff.is_empty() {
            let _ = write!(
                what,
                "<details><summary>diff (go &rarr; rnats)</summary><pre>{}</pre></details>",
                esc(&v.diff)
            );
        }
        let _ = write!(
            o,
            "<tr data-scenario=\"{name}\"><td><code>{name}</code><br><span class=\"meta\">{file}:{line}</span></td><td class=\"v-{state_class}\">{state}</td><td>{verdict}</td><td>{claims}</td><td>{what}</td><td class=\"meta\">{when}</td></tr>",
            name = esc(&v.name),
            file = esc(&v.file),
            line = v.line,
            state = esc(&v.state),
            verdict = esc(v.verdict.as_deref().unwrap_or("")),
            claims = v.go.iter().map(|g| esc(g)).collect::<Vec<_>>().join("<br>"),
            when = esc(v.recorded_at.as_deref().unwrap_or("")),
        );
    }
    o.push_str("</table>");
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

fn fmt_value(metric: &str, x: f64) -> String {
    if metric == "rss_kib" {
        format!("{:.1} MiB", x / 1024.0)
    } else if metric.ends_with("_us") {
        format!("{x:.0} µs")
    } else if x >= 1e6 {
        format!("{:.2} M msg/s", x / 1e6)
    } else {
        format!("{:.0} k msg/s", x / 1e3)
    }
}

/// A horizontal bar per result: the ratio, with a line at 1.0 (as fast as Go).
fn chart(rows: &[(String, f64)]) -> String {
    let (label_w, bar_w, row_h) = (190.0, 420.0, 18.0);
    let max = rows.iter().map(|r| r.1).fold(2.0f64, f64::max).min(20.0);
    let scale = bar_w / max;
    let height = rows.len() as f64 * row_h + 24.0;
    let mut s = format!(
        "<svg class=\"chart\" id=\"bench-chart\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"rnats/Go ratio per workload\">",
        label_w + bar_w + 60.0
    );
    for (i, (label, ratio)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = (ratio.min(max) * scale).max(1.0);
        let color = if *ratio >= 1.0 { "#2a8f3c" } else { "#d33" };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{}\">{ratio:.2}x</text>",
            label_w - 6.0,
            y + 12.0,
            esc(label),
            row_h - 5.0,
            label_w + w + 4.0,
            y + 12.0
        );
    }
    let one = label_w + scale;
    let _ = write!(
        s,
        "<line x1=\"{one:.1}\" x2=\"{one:.1}\" y1=\"0\" y2=\"{:.1}\" stroke=\"#333\" stroke-dasharray=\"3,2\"/><text x=\"{one:.1}\" y=\"{:.1}\" text-anchor=\"middle\">1.0 = Go</text></svg>",
        height - 14.0,
        height - 2.0
    );
    s
}

/// The benchmark section from `reports/bench.json`.
pub fn bench(o: &mut String, v: &Value) {
    let results = v.get("results").and_then(Value::as_array);
    let (Some(1), Some(results)) = (v.get("format").and_then(Value::as_u64), results) else {
        json_section(o, "Benchmarks against the Go server", v);
        return;
    };
    o.push_str("<h2 id=\"bench-title\">Benchmarks against the Go server</h2>");
    let side = |k: &str| {
        let s = v.get(k);
        format!(
            "{} {}",
            s.and_then(|x| x.get("version"))
                .and_then(Value::as_str)
                .unwrap_or("?"),
            s.and_then(|x| x.get("path"))
                .and_then(Value::as_str)
                .unwrap_or("")
        )
    };
    let _ = write!(
        o,
        "<div class=\"meta\">Recorded {} at commit <code>{}</code> on {} CPU(s); Go {}; rnats {}; median of {} run(s) per server, alternating. Ratio &gt; 1 means rnats is better (throughput: rnats/Go; latency: Go p99 / rnats p99; memory: Go RSS / rnats RSS).{}</div>",
        esc(v.get("recorded_at").and_then(Value::as_str).unwrap_or("?")),
        esc(v.get("commit").and_then(Value::as_str).unwrap_or("?")),
        v.pointer("/machine/cpus").and_then(Value::as_u64).unwrap_or(0),
        esc(&side("go")),
        esc(&side("rnats")),
        v.get("runs").and_then(Value::as_u64).unwrap_or(0),
        v.get("sink_msgs_per_sec")
            .and_then(Value::as_f64)
            .map(|x| format!(" The load generator reaches {} against a trivial TCP sink (pub-only, 16 B).", fmt_value("", x)))
            .unwrap_or_default()
    );
    let mut bars = Vec::new();
    o.push_str("<table id=\"bench\"><tr><th>Workload</th><th>Payload</th><th>Go</th><th>rnats</th><th>Ratio</th></tr>");
    for r in results {
        let workload = r.get("workload").and_then(Value::as_str).unwrap_or("?");
        let size = r.get("size").and_then(Value::as_u64).unwrap_or(0);
        let metric = r.get("metric").and_then(Value::as_str).unwrap_or("");
        let ratio = num(r, "ratio").unwrap_or(0.0);
        let cell = |side: &str| match (num(r, side), metric) {
            (Some(x), "p99_us") => format!(
                "p50 {} · p99 {}",
                fmt_value(metric, num(r, &format!("{side}_p50_us")).unwrap_or(0.0)),
                fmt_value(metric, x)
            ),
            (Some(x), _) => fmt_value(metric, x),
            (None, _) => "?".into(),
        };
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{size} B</td><td>{}</td><td>{}</td><td>{ratio:.2}x</td></tr>",
            esc(workload),
            esc(&cell("go")),
            esc(&cell("rnats"))
        );
        bars.push((format!("{workload} {size} B"), ratio));
    }
    o.push_str("</table>");
    o.push_str(&chart(&bars));
}
