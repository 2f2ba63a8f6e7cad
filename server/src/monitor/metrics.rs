//! `/metrics`: the /varz, /connz and /subsz figures in Prometheus text exposition format, named the way
//! prometheus-nats-exporter names them (`gnatsd_varz_*`, `gnatsd_connz_*`, `gnatsd_subsz_*`, labelled with
//! `server_id`), so dashboards built on the exporter read rnats without a sidecar.

use std::fmt::Write;

use serde_json::Value;

use super::Monitor;

/// Append every numeric field of a JSON object as one gauge `<prefix>_<field>{server_id="..."}`.
fn numeric_fields(out: &mut String, prefix: &str, v: &Value, server_id: &str) {
    let Value::Object(map) = v else { return };
    for (k, v) in map {
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        };
        if let Some(n) = n {
            let name = format!("{prefix}_{}", k.replace(['.', '-'], "_"));
            let _ = writeln!(out, "# HELP {name} {k}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name}{{server_id=\"{server_id}\"}} {n}");
        }
    }
}

pub fn render(m: &Monitor) -> String {
    let id = m.server.id.clone();
    let mut out = String::new();
    let varz = serde_json::to_value(super::varz::varz(m)).unwrap_or(Value::Null);
    numeric_fields(&mut out, "gnatsd_varz", &varz, &id);
    let q = super::query::Query::parse(None);
    if let Ok(c) = super::connz::connz(m, &q) {
        let v = serde_json::json!({"num_connections": c.num_connections, "total": c.total});
        numeric_fields(&mut out, "gnatsd_connz", &v, &id);
    }
    if let Ok(s) = super::subsz::subsz(m, &q) {
        let v = serde_json::to_value(&s.stats).unwrap_or(Value::Null);
        numeric_fields(&mut out, "gnatsd_subsz", &v, &id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_fields_become_labelled_gauges() {
        let mut out = String::new();
        numeric_fields(
            &mut out,
            "gnatsd_varz",
            &serde_json::json!({"in_msgs": 3, "host": "x", "up": true}),
            "S",
        );
        assert!(
            out.contains(
                "# TYPE gnatsd_varz_in_msgs gauge\ngnatsd_varz_in_msgs{server_id=\"S\"} 3\n"
            ),
            "{out}"
        );
        assert!(out.contains("gnatsd_varz_up{server_id=\"S\"} 1\n"));
        assert!(!out.contains("host"));
    }
}
