//! The data of the server endpoints (`VARZ`, `CONNZ`, `SUBSZ`... through the monitoring builders,
//! with Go's request options turned into their query), the answers Go gives without a subsystem
//! behind them (`HEALTHZ` without JetStream, `PROFILEZ`, `EXPVARZ`), and the operations on one client
//! (`KICK`, `LDM`).

use serde_json::json;

use super::envelope::Data;
use super::gojson::{Decoded, Val};
use super::options::{to_query, Opts};
use super::requests::{z_req, Answer, Endpoint, Fail, Request};
use super::System;
use crate::monitor::{connz, misc, subsz, varz, Monitor};
use crate::server::ServerShared;

/// Data of a server endpoint.
pub fn server_data(
    sys: &System,
    server: &ServerShared,
    ep: Endpoint,
    d: &Decoded,
) -> Result<Data, Fail> {
    let Some(m) = sys.monitor() else {
        return Err(Fail::Skip);
    };
    let q = to_query(ep.opts(), d);
    let value = |r: Result<serde_json::Value, String>| match r {
        Ok(v) => Ok(Data::of(&v)),
        Err(e) if e.starts_with("filtered response") => Err(Fail::Skip),
        Err(e) => Err(Fail::typed(e)),
    };
    match ep {
        Endpoint::Varz => Ok(Data::of(&varz::varz(&m))),
        Endpoint::Connz => connz_data(&m, d, d.str("acc")),
        Endpoint::Subsz => subsz::subsz(&m, &q)
            .map(|s| Data::of(&s))
            .map_err(Fail::typed),
        Endpoint::Routez => value(misc::routez(&m, &q)),
        Endpoint::Gatewayz => value(misc::gatewayz(&m, &q)),
        Endpoint::Leafz => value(misc::leafz(&m, &q)),
        Endpoint::Accountz => match d.str("account") {
            "" => misc::accountz(&m, &q)
                .map(|a| Data::of(&a))
                .map_err(Fail::typed),
            acc => super::accinfo::accountz_detail(server, acc),
        },
        Endpoint::Jsz => value(misc::jsz(&m, &q)),
        Endpoint::Healthz => Ok(healthz(d)),
        Endpoint::Expvarz => Ok(Data::of(&expvarz())),
        Endpoint::Ipqueuesz | Endpoint::Raftz => Ok(Data::Json("{}".into())),
        Endpoint::Profilez => Ok(profilez(d)),
        Endpoint::Idz | Endpoint::Statsz => Err(Fail::Skip),
    }
}

/// `/connz` data, limited to one account's connections when `acc` is set (Go's `Connz` with
/// `Account`): an unknown account answers an empty list without a server id, as Go does.
pub fn connz_data(m: &Monitor, d: &Decoded, acc: &str) -> Result<Data, Fail> {
    if acc.is_empty() {
        return connz::connz(m, &to_query(Opts::Connz, d))
            .map(|c| Data::of(&c))
            .map_err(Fail::typed);
    }
    let mut offset = d.int("offset").max(0);
    let mut limit = d.int("limit");
    if limit <= 0 {
        limit = connz::DEFAULT_CONN_LIST_SIZE;
    }
    if d.uint("cid") > 0 {
        limit = 1;
    }
    if m.server.accounts.get(acc).is_none() {
        #[derive(serde::Serialize)]
        struct Empty {
            server_id: &'static str,
            now: String,
            num_connections: usize,
            total: usize,
            offset: i64,
            limit: i64,
            connections: Option<()>,
        }
        return Ok(Data::of(&Empty {
            server_id: "",
            now: crate::monitor::timefmt::rfc3339_nano(std::time::SystemTime::now()),
            num_connections: 0,
            total: 0,
            offset,
            limit,
            connections: None,
        }));
    }
    // The whole sorted list, then this account's part of it, then the page.
    let mut all = d.clone();
    all.set("offset", Val::Int(0));
    all.set("limit", Val::Int(i64::MAX / 4));
    let mut c = connz::connz(m, &to_query(Opts::Connz, &all)).map_err(Fail::typed)?;
    let mut list = c.connections.take().unwrap_or_default();
    // Go's closedClient keeps no account name for the global account.
    list.retain(|ci| {
        ci.acc_name == acc && !(ci.stop.is_some() && acc == crate::consts::GLOBAL_ACCOUNT)
    });
    let total = list.len();
    if offset as usize > total {
        offset = offset.min(total as i64);
    }
    let start = (offset as usize).min(total);
    let end = start.saturating_add(limit as usize).min(total);
    let page: Vec<_> = list.drain(start..end).collect();
    c.num_connections = page.len();
    c.connections = Some(page);
    c.total = total;
    c.offset = d.int("offset").max(0);
    c.limit = limit;
    Ok(Data::of(&c))
}

/// Go's `healthz` on a server without JetStream.
fn healthz(d: &Decoded) -> Data {
    let details = d.bool("details");
    let bad = if d.str("account").is_empty() && !d.str("stream").is_empty() {
        Some(format!(
            "{:?} must not be empty when checking stream health",
            "account"
        ))
    } else if d.str("stream").is_empty() && !d.str("consumer").is_empty() {
        Some(format!(
            "{:?} must not be empty when checking consumer health",
            "stream"
        ))
    } else {
        None
    };
    let v = match (bad, details) {
        (None, _) => json!({"status": "ok", "status_code": 200}),
        (Some(e), false) => json!({"status": "error", "status_code": 400, "error": e}),
        (Some(e), true) => json!({
            "status": "error",
            "status_code": 400,
            "errors": [{"type": "BAD_REQUEST", "error": e}],
        }),
    };
    Data::of(&v)
}

/// Go's `profilez`: this server has no Go runtime profiles.
fn profilez(d: &Decoded) -> Data {
    let name = d.str("name");
    let error = match name {
        "" => "Profile name not specified".to_string(),
        "cpu" => {
            let dur = d.int("duration");
            if dur <= 0 || dur > 15_000_000_000 {
                format!(
                    "Duration {} should be between 0s and 15s",
                    crate::gofmt::go_duration(std::time::Duration::from_nanos(dur.max(0) as u64))
                )
            } else {
                "Failed to start CPU profile: profiling is not available".to_string()
            }
        }
        _ => format!("Profile {name:?} not found"),
    };
    Data::of(&json!({"profile": null, "error": error}))
}

/// Go's `kickClient` / `ldmClient`: a body that is not a client request is logged and not answered.
pub fn client_req(
    sys: &System,
    server: &ServerShared,
    r: &Request<'_>,
    kick: bool,
) -> Option<Answer> {
    let cid = match Opts::ClientReq.decode(r.body) {
        Ok(d) => d.uint("cid"),
        Err(e) => {
            // Go logs the LDM request's error with the kick text too.
            tracing::error!("Error unmarshalling kick client request: {e}");
            return None;
        }
    };
    z_req(sys, server, r, Opts::Filter, |_| {
        let client = server
            .clients
            .lock()
            .ok()
            .and_then(|c| c.get(&cid).cloned());
        if kick {
            let Some(c) = client else {
                return Err(Fail::untyped("no such client or leafnode id"));
            };
            c.close(crate::client::ClosedState::Kicked, true);
            return Ok(Data::Absent);
        }
        let Some(c) = client else {
            return Err(Fail::untyped("no such client id"));
        };
        if !c.async_info.load(std::sync::atomic::Ordering::Acquire) {
            return Err(Fail::untyped(
                "client does not support Lame Duck Mode or is not ready to receive the notification",
            ));
        }
        let mut info = server.info_template();
        info.lame_duck_mode = true;
        info.cid = c.cid;
        info.client_ip = c.peer.ip().to_string();
        tracing::debug!("{} - Sending Lame Duck Mode info to client", c.label());
        if c.out.queue(&info.to_proto()) != crate::conn::Queued::Closed {
            c.out.wake();
        }
        Ok(Data::Absent)
    })
}

/// Go's `expvarz`: the process's memory statistics under Go's `memstats` keys (what this process
/// can tell: its resident size; Go's garbage collector counters are zero) and its command line.
pub fn expvarz() -> serde_json::Value {
    let (mem, _) = crate::monitor::proc_stats::mem_and_cpu(std::time::Instant::now());
    let zeros = vec![0u64; 256];
    let memstats = json!({
        "Alloc": mem, "TotalAlloc": mem, "Sys": mem, "Lookups": 0, "Mallocs": 0, "Frees": 0,
        "HeapAlloc": mem, "HeapSys": mem, "HeapIdle": 0, "HeapInuse": mem, "HeapReleased": 0,
        "HeapObjects": 0, "StackInuse": 0, "StackSys": 0, "MSpanInuse": 0, "MSpanSys": 0,
        "MCacheInuse": 0, "MCacheSys": 0, "BuckHashSys": 0, "GCSys": 0, "OtherSys": 0,
        "NextGC": 0, "LastGC": 0, "PauseTotalNs": 0, "PauseNs": zeros, "PauseEnd": zeros,
        "NumGC": 0, "NumForcedGC": 0, "GCCPUFraction": 0, "EnableGC": false, "DebugGC": false,
        "BySize": [],
    });
    let cmdline: Vec<String> = std::env::args().collect();
    json!({"memstats": memstats, "cmdline": cmdline})
}
