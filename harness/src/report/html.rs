//! The HTML page: static header, headline and category bars rendered here; the test table is
//! rendered by the page's script from the embedded JSON (filter by text, status, category and
//! kind; sort by any column; the filter is mirrored in the URL hash so a view can be linked).

use crate::inventory::category;
use crate::load::Parity;
use crate::status::round2;
use anyhow::Result;
use serde_json::Value;
use std::fmt::Write as _;

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON safe to place inside a `<script>` element.
fn script_json(v: &Value) -> Result<String> {
    Ok(serde_json::to_string(v)?
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--"))
}

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin:0 0 .2em} h2{font-size:1.15em;margin:1.4em 0 .5em}
.meta{color:#666;font-size:.9em} .headline{font-size:2.2em;font-weight:600;margin:.3em 0}
.problems{background:#fde8e8;border:1px solid #e99;padding:.5em 1em}
table{border-collapse:collapse} td,th{padding:2px 8px;text-align:left;vertical-align:top}
#cats td{border-bottom:1px solid #eee} #cats tr{cursor:pointer}
.bar{display:flex;width:260px;height:12px;background:#eee;border-radius:2px;overflow:hidden}
.bar span{display:block;height:100%} .m{background:#2a8f3c} .f{background:#d33} .n{background:#999}
#tests th{cursor:pointer;position:sticky;top:0;background:#f4f4f4;border-bottom:1px solid #ccc;user-select:none}
#tests td{border-bottom:1px solid #f0f0f0;font-size:.92em}
.s-mapped{color:#2a8f3c;font-weight:600} .s-failing{color:#d33;font-weight:600}
.s-not_applicable{color:#777} .s-unmapped{color:#b80}
.controls{margin:.5em 0;display:flex;gap:.6em;flex-wrap:wrap;align-items:center}
.controls input{width:22em} code{font-size:.92em}
"#;

const SCRIPT: &str = r#"
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var tests = data.tests;
  var q = document.getElementById('q'), st = document.getElementById('status'),
      cat = document.getElementById('cat'), kind = document.getElementById('kind');
  var body = document.querySelector('#tests tbody'), shown = document.getElementById('shown');
  var sortKey = 'key', sortDir = 1;
  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function claimedBy(t) {
    return t.claimants.map(function (c) {
      return c.path + ' (' + c.file + ':' + c.line + ') ' + c.state;
    }).join('; ');
  }
  function cell(t, k) {
    if (k === 'claimants') return claimedBy(t);
    if (k === 'where') return t.file + ':' + t.line;
    if (k === 'na_reason') return t.na_reason || '';
    if (k === 'skips') return t.skips ? 'skip' : '';
    return t[k];
  }
  function haystack(t) {
    return (t.key + ' ' + t.category + ' ' + claimedBy(t) + ' ' + (t.na_reason || '') + ' ' + t.build).toLowerCase();
  }
  tests.forEach(function (t) { t._h = haystack(t); });
  function render() {
    var needle = q.value.trim().toLowerCase();
    var rows = tests.filter(function (t) {
      return (!needle || t._h.indexOf(needle) >= 0) && (!st.value || t.status === st.value) &&
        (!cat.value || t.category === cat.value) && (!kind.value || t.kind === kind.value);
    });
    rows.sort(function (a, b) {
      var x = cell(a, sortKey), y = cell(b, sortKey);
      if (typeof x === 'number') return (x - y) * sortDir;
      return String(x).localeCompare(String(y)) * sortDir;
    });
    var html = [];
    rows.forEach(function (t) {
      html.push('<tr><td><code>' + esc(t.key) + '</code></td><td>' + esc(t.category) + '</td><td>' +
        esc(t.kind) + '</td><td class="s-' + t.status + '">' + esc(t.status) + '</td><td>' +
        esc(claimedBy(t)) + '</td><td>' + esc(t.na_reason || '') + '</td><td>' + esc(t.file + ':' + t.line) +
        '</td><td>' + esc(t.build) + '</td><td>' + (t.skips ? 'skip' : '') + '</td></tr>');
    });
    body.innerHTML = html.join('');
    shown.textContent = rows.length + ' of ' + tests.length + ' shown';
    var h = [];
    if (q.value) h.push('q=' + encodeURIComponent(q.value));
    if (st.value) h.push('status=' + st.value);
    if (cat.value) h.push('cat=' + cat.value);
    if (kind.value) h.push('kind=' + kind.value);
    if (history.replaceState) history.replaceState(null, '', h.length ? '#' + h.join('&') : location.pathname);
  }
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('='), v = decodeURIComponent(p[1] || '');
    if (p[0] === 'q') q.value = v;
    if (p[0] === 'status') st.value = v;
    if (p[0] === 'cat') cat.value = v;
    if (p[0] === 'kind') kind.value = v;
  });
  [q, st, cat, kind].forEach(function (el) {
    el.addEventListener('input', render);
    el.addEventListener('change', render);
  });
  document.querySelectorAll('#tests th').forEach(function (th) {
    th.addEventListener('click', function () {
      var k = th.getAttribute('data-key');
      sortDir = (k === sortKey) ? -sortDir : 1;
      sortKey = k;
      render();
    });
  });
  document.querySelectorAll('#cats tr[data-cat]').forEach(function (tr) {
    tr.addEventListener('click', function () { cat.value = tr.getAttribute('data-cat'); render(); });
  });
  render();
})();
"#;

/// Renders an optional section from a JSON document: a table for an array of flat objects
/// (or an object holding one under `results`), pretty JSON otherwise.
pub(super) fn json_section(out: &mut String, title: &str, v: &Value) {
    let _ = write!(out, "<h2>{}</h2>", esc(title));
    let list = v
        .as_array()
        .or_else(|| v.get("results").and_then(Value::as_array));
    let Some(list) = list.filter(|l| l.iter().all(Value::is_object)) else {
        let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
        let _ = write!(out, "<pre>{}</pre>", esc(&pretty));
        return;
    };
    let mut cols: Vec<String> = Vec::new();
    for item in list {
        for k in item.as_object().into_iter().flat_map(|o| o.keys()) {
            if !cols.contains(k) {
                cols.push(k.clone());
            }
        }
    }
    out.push_str("<table><tr>");
    for c in &cols {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr>");
    for item in list {
        out.push_str("<tr>");
        for c in &cols {
            let cell = match item.get(c) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let _ = write!(out, "<td>{}</td>", esc(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn bar(t: &crate::status::Totals) -> String {
    let w = |n: usize| {
        if t.total == 0 {
            0.0
        } else {
            n as f64 * 100.0 / t.total as f64
        }
    };
    format!(
        "<div class=\"bar\"><span class=\"m\" style=\"width:{:.2}%\"></span><span class=\"f\" style=\"width:{:.2}%\"></span><span class=\"n\" style=\"width:{:.2}%\"></span></div>",
        w(t.mapped),
        w(t.failing),
        w(t.not_applicable)
    )
}

/// The whole page.
pub fn page(
    p: &Parity,
    data: &Value,
    bench: Option<&Value>,
    commit: &str,
    built_at: &str,
) -> Result<String> {
    let mut o = String::with_capacity(1 << 20);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        o,
        "<title>rnats parity with nats-server {}</title>",
        esc(&p.label)
    );
    let _ = write!(
        o,
        "<style>{STYLE}{}</style></head><body>",
        super::sections::STYLE
    );
    let _ = write!(
        o,
        "<h1>rnats parity with the Go nats-server test suite</h1><div class=\"meta\">Go inventory <b>{}</b> ({} {}) &middot; built {} from commit <code>{}</code></div>",
        esc(&p.label),
        esc(&p.version),
        esc(&p.source),
        esc(built_at),
        esc(commit)
    );
    let t = &p.overall;
    let _ = write!(
        o,
        "<div class=\"headline\" id=\"headline\">{:.2}% mapped</div><div>{} of {} applicable Go tests mapped &middot; {} failing &middot; {} not applicable &middot; {} unmapped &middot; {} tests in all. {} benchmarks and {} fuzz targets are listed but not counted.</div>",
        round2(t.pct()),
        t.mapped,
        t.applicable(),
        t.failing,
        t.not_applicable,
        t.unmapped,
        t.total,
        p.benchmarks,
        p.fuzz
    );
    match &p.run {
        Some(r) => {
            let _ = write!(
                o,
                "<div class=\"meta\">Test results: run {} recorded {} at commit <code>{}</code> from {} ({} passed, {} failed, {} skipped).</div>",
                r.id,
                esc(&r.recorded_at),
                esc(&r.commit),
                esc(&r.source),
                r.passed,
                r.failed,
                r.skipped
            );
        }
        None => o.push_str(
            "<div class=\"meta\">No test run recorded: every claim counts as failing.</div>",
        ),
    }
    if !p.problems.is_empty() {
        let _ = write!(
            o,
            "<div class=\"problems\"><b>{} invalid claim(s)</b> (the gate fails):<ul>",
            p.problems.len()
        );
        for e in &p.problems {
            let _ = write!(o, "<li>{}</li>", esc(&e.to_string()));
        }
        o.push_str("</ul></div>");
    }
    o.push_str("<h2>By category</h2><table id=\"cats\"><tr><th>Category</th><th></th><th>Tests</th><th>Mapped</th><th>Failing</th><th>N/A</th><th>Unmapped</th><th>Mapped %</th></tr>");
    for (c, t) in &p.categories {
        let _ = write!(
            o,
            "<tr data-cat=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td></tr>",
            esc(c),
            esc(category::title(c)),
            bar(t),
            t.total,
            t.mapped,
            t.failing,
            t.not_applicable,
            t.unmapped,
            round2(t.pct())
        );
    }
    o.push_str("</table>");
    super::sections::scenarios(&mut o, &p.scenarios);
    if let Some(v) = bench {
        super::sections::bench(&mut o, v);
    }
    o.push_str("<h2>Every Go test</h2><div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"filter: name, claimant, reason...\">");
    o.push_str("<select id=\"status\"><option value=\"\">any status</option><option>mapped</option><option>failing</option><option>unmapped</option><option value=\"not_applicable\">not applicable</option></select>");
    o.push_str("<select id=\"cat\"><option value=\"\">any category</option>");
    for (c, _) in &p.categories {
        let _ = write!(o, "<option value=\"{0}\">{0}</option>", esc(c));
    }
    o.push_str("</select><select id=\"kind\"><option value=\"\">any kind</option><option>test</option><option>benchmark</option><option>fuzz</option></select><span id=\"shown\"></span></div>");
    o.push_str("<table id=\"tests\"><thead><tr>");
    for (key, label) in [
        ("key", "Go test"),
        ("category", "Category"),
        ("kind", "Kind"),
        ("status", "Status"),
        ("claimants", "Claimed by"),
        ("na_reason", "N/A reason"),
        ("where", "Go file"),
        ("build", "Build tags"),
        ("skips", "Skips"),
    ] {
        let _ = write!(o, "<th data-key=\"{key}\">{label}</th>");
    }
    o.push_str("</tr></thead><tbody></tbody></table>");
    let _ = writeln!(
        o,
        "<script id=\"data\" type=\"application/json\">{}</script><script>{SCRIPT}</script></body></html>",
        script_json(data)?
    );
    Ok(o)
}
