//! Top-level keys rnats implements: listeners, identity, limits, timers, logging, files and monitoring.

use std::path::PathBuf;
use std::time::Duration;

use super::Ctx;
use crate::config::conf::{Entry, Value};
use crate::options::Options;

/// Go's `parseListen`: a port, or `host:port`.
fn listen(ctx: &mut Ctx, e: &Entry) -> Option<(Option<String>, i32)> {
    match &e.value.value {
        Value::Integer(p) => Some((None, *p as i32)),
        Value::String(s) => {
            let Some((host, port)) = s.rsplit_once(':') else {
                ctx.error(e, format_args!("could not parse address string {:?}", s));
                return None;
            };
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            match port.parse::<i32>() {
                Ok(p) => Some((Some(host), p)),
                Err(_) => {
                    ctx.error(e, format_args!("could not parse port {:?}", port));
                    None
                }
            }
        }
        v => {
            ctx.error(
                e,
                format_args!("expected port or host:port, got {}", v.go_type_name()),
            );
            None
        }
    }
}

/// Apply `key` if it is one of ours; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "listen" => {
            if let Some((host, port)) = listen(ctx, e) {
                o.host = host.unwrap_or_default();
                o.port = port;
            }
        }
        "port" => {
            if let Some(v) = ctx.int(e) {
                o.port = v as i32;
            }
        }
        "host" | "net" => {
            if let Some(v) = ctx.string(e) {
                o.host = v;
            }
        }
        "client_advertise" => {
            if let Some(v) = ctx.string(e) {
                o.client_advertise = v;
            }
        }
        "server_name" => {
            if let Some(v) = ctx.string(e) {
                if v.contains(' ') {
                    ctx.error(e, "server name cannot contain spaces");
                } else {
                    o.server_name = v;
                }
            }
        }
        "debug" => set_bool(ctx, e, &mut o.debug),
        "trace" => set_bool(ctx, e, &mut o.trace),
        "trace_verbose" => {
            if let Some(v) = ctx.boolean(e) {
                o.trace_verbose = v;
                o.trace = v;
            }
        }
        "logtime" => set_bool(ctx, e, &mut o.logtime),
        "logtime_utc" => set_bool(ctx, e, &mut o.logtime_utc),
        "logfile" | "log_file" => {
            if let Some(v) = ctx.string(e) {
                o.log_file = Some(PathBuf::from(v));
            }
        }
        "logfile_size_limit" | "log_size_limit" => {
            if let Some(v) = ctx.int(e) {
                o.log_size_limit = v;
            }
        }
        "logfile_max_num" | "log_max_num" => {
            if let Some(v) = ctx.int(e) {
                o.log_max_files = v;
            }
        }
        "syslog" => set_bool(ctx, e, &mut o.syslog),
        "remote_syslog" => {
            if let Some(v) = ctx.string(e) {
                o.remote_syslog = v;
            }
        }
        "pidfile" | "pid_file" => {
            if let Some(v) = ctx.string(e) {
                o.pid_file = Some(PathBuf::from(v));
            }
        }
        "ports_file_dir" => {
            if let Some(v) = ctx.string(e) {
                o.ports_file_dir = Some(PathBuf::from(v));
            }
        }
        "max_traced_msg_len" => {
            if let Some(v) = ctx.int(e) {
                o.max_traced_msg_len = v.max(0) as usize;
            }
        }
        "max_control_line" => {
            if let Some(v) = ctx.int32(e, &e.key) {
                o.max_control_line = v;
            }
        }
        "max_payload" => {
            if let Some(v) = ctx.int32(e, &e.key) {
                o.max_payload = v;
            }
        }
        "max_pending" => {
            if let Some(v) = ctx.int(e) {
                o.max_pending = v;
            }
        }
        "max_connections" | "max_conn" => {
            if let Some(v) = ctx.int(e) {
                // Go: 0 means no connections at all.
                o.max_connections = if v == 0 { -1 } else { v as i32 };
            }
        }
        "max_subscriptions" | "max_subs" => {
            if let Some(v) = ctx.int(e) {
                o.max_subs = v as i32;
            }
        }
        "ping_interval" => {
            if let Some(d) = ctx.duration(e, "ping_interval") {
                o.ping_interval = d;
            }
        }
        "ping_max" => {
            if let Some(v) = ctx.int(e) {
                o.max_pings_out = v as i32;
            }
        }
        "write_deadline" => {
            if let Some(d) = ctx.duration(e, "write_deadline") {
                o.write_deadline = d;
            }
        }
        "lame_duck_duration" => {
            if let Some(s) = ctx.string(e) {
                // Go parses a signed duration, so a negative one is "too short", not a parse error.
                match crate::gofmt::parse_go_duration_signed(&s) {
                    Err(err) => {
                        ctx.error(e, format_args!("error parsing lame_duck_duration: {err}"))
                    }
                    Ok(ns) if ns < 30_000_000_000 => ctx.error(
                        e,
                        format_args!(
                            "invalid lame_duck_duration of {}, minimum is 30 seconds",
                            signed_duration(ns)
                        ),
                    ),
                    Ok(ns) => o.lame_duck_duration = Duration::from_nanos(ns as u64),
                }
            }
        }
        "lame_duck_grace_period" => {
            if let Some(s) = ctx.string(e) {
                match crate::gofmt::parse_go_duration_signed(&s) {
                    Err(err) => ctx.error(
                        e,
                        format_args!("error parsing lame_duck_grace_period: {err}"),
                    ),
                    Ok(ns) if ns < 0 => {
                        ctx.error(e, "invalid lame_duck_grace_period, needs to be positive")
                    }
                    Ok(ns) => o.lame_duck_grace_period = Duration::from_nanos(ns as u64),
                }
            }
        }
        "no_header_support" => set_bool(ctx, e, &mut o.no_header_support),
        "max_closed_clients" => {
            if let Some(v) = ctx.int(e) {
                o.max_closed_clients = v as i32;
            }
        }
        "http" => {
            if let Some((host, port)) = listen(ctx, e) {
                o.http_host = host.unwrap_or_default();
                o.http_port = port;
            }
        }
        "https" => {
            if let Some((host, port)) = listen(ctx, e) {
                o.http_host = host.unwrap_or_default();
                o.https_port = port;
            }
        }
        "http_port" | "monitor_port" => {
            if let Some(v) = ctx.int(e) {
                o.http_port = v as i32;
            }
        }
        "http_base_path" => {
            if let Some(v) = ctx.string(e) {
                o.http_base_path = v;
            }
        }
        "https_port" => {
            if let Some(v) = ctx.int(e) {
                o.https_port = v as i32;
            }
        }
        // Accepted with Go's types; they tune behaviour rnats does not have (sublist cache switch, error
        // report rates of routes, the fast-producer stall switch) or only affect profiling.
        "disable_sublist_cache"
        | "no_sublist_cache"
        | "no_fast_producer_stall"
        | "proxy_protocol" => {
            ctx.boolean(e);
        }
        "prof_port" => {
            if let Some(v) = ctx.int(e) {
                o.prof_port = v as i32;
            }
        }
        "connect_error_reports" | "reconnect_error_reports" | "prof_block_rate" => {
            ctx.int(e);
        }
        _ => return false,
    }
    true
}

/// Go's `Duration.String` of signed nanoseconds.
fn signed_duration(ns: i64) -> String {
    let d = crate::gofmt::go_duration(Duration::from_nanos(ns.unsigned_abs()));
    if ns < 0 {
        format!("-{d}")
    } else {
        d
    }
}

fn set_bool(ctx: &mut Ctx, e: &Entry, slot: &mut bool) {
    if let Some(v) = ctx.boolean(e) {
        *slot = v;
    }
}
