//! The steps Go's `ConfigureOptions` takes after the flags are parsed (and after a config file, if any, is
//! loaded and the flags applied again): the combined logging flags, `--cluster` and `--routes`, the TLS flags,
//! and the final consistency check.
//!
//! Go visits the flags given in name order (`FlagSet.Visit`), so `-DV=false -D` ends with debug off: `DV` is
//! handled after `D` was set. That order is kept here.

use super::defs::{FlagDef, Vars};
use super::goflag::Value;
use super::url;
use crate::options::Options;

/// How the TLS flags change the client TLS setup (Go: the `tls*` branch of the post-parse visit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsOverride {
    /// No TLS flag given: the config file decides.
    Keep,
    /// `--tls=false`: TLS is off, whatever the config file says.
    Disable,
    /// Some TLS flag given: TLS is built from `tls_cert`, `tls_key`, `tls_ca_cert` and `tls_verify`.
    FromFlags,
}

/// The distinct flag names given, in name order, as Go's `FlagSet.Visit` walks them.
pub(crate) fn visit_order(given: &[(&'static FlagDef, Value)]) -> Vec<&'static FlagDef> {
    let mut defs: Vec<&'static FlagDef> = given.iter().map(|(d, _)| *d).collect();
    defs.sort_by_key(|d| d.name);
    defs.dedup_by_key(|d| d.name);
    defs
}

/// The TLS decision for the flags given, with the final value of `--tls` in `opts`.
pub(crate) fn tls_override(given: &[(&'static FlagDef, Value)], opts: &Options) -> TlsOverride {
    let mut disabled = false;
    let mut result = TlsOverride::Keep;
    for def in visit_order(given) {
        if !def.name.starts_with("tls") {
            continue;
        }
        if def.name == "tls" {
            if !opts.tls {
                disabled = true;
                result = TlsOverride::Disable;
                continue;
            }
            result = TlsOverride::FromFlags;
        } else if !disabled {
            result = TlsOverride::FromFlags;
        }
    }
    result
}

/// Applies the combined flags and the cluster/route flags, then checks TLS and routes as Go does.
/// The error is the message Go prints after `nats-server: `.
pub(crate) fn finish(
    given: &[(&'static FlagDef, Value)],
    vars: &Vars,
    opts: &mut Options,
) -> Result<(), String> {
    for def in visit_order(given) {
        match def.name {
            "VV" => {
                opts.trace = vars.trace_verbose;
                opts.trace_verbose = vars.trace_verbose;
            }
            "DVV" => {
                opts.trace = vars.debug_trace_verbose;
                opts.debug = vars.debug_trace_verbose;
                opts.trace_verbose = vars.debug_trace_verbose;
            }
            "DV" => {
                opts.trace = vars.debug_trace;
                opts.debug = vars.debug_trace;
            }
            // Go stops at the first error here.
            "cluster" | "cluster_listen" => override_cluster(opts)?,
            "routes" => opts.routes = routes_from_str(&opts.routes_str),
            _ => {}
        }
    }
    match tls_override(given, opts) {
        // Go's overrideTLS: the flags replace the TLS setup, keeping the file's other TLS settings.
        TlsOverride::FromFlags => {
            let cfg = crate::tls::from_flags(
                &opts.tls_cert,
                &opts.tls_key,
                &opts.tls_ca_cert,
                opts.tls_verify,
            )?;
            opts.tls_config = Some(std::sync::Arc::new(cfg));
        }
        TlsOverride::Disable => opts.tls_config = None,
        TlsOverride::Keep => {}
    }
    if !opts.routes_str.is_empty()
        && opts.cluster.listen_str.is_empty()
        && opts.cluster.host.is_empty()
        && opts.cluster.port == 0
    {
        return Err("solicited routes require cluster capabilities, e.g. --cluster".into());
    }
    Ok(())
}

/// Go's `RoutesFromStr`: the comma-separated URLs, each trimmed; an empty string means no routes.
pub fn routes_from_str(routes: &str) -> Vec<String> {
    if routes.is_empty() {
        return Vec::new();
    }
    routes.split(',').map(|r| r.trim().to_string()).collect()
}

/// Go's `overrideCluster`: `--cluster <url>` sets the cluster host, port and credentials; an empty URL turns
/// clustering off. A `:-1` port asks for a random port.
pub(crate) fn override_cluster(opts: &mut Options) -> Result<(), String> {
    if opts.cluster.listen_str.is_empty() {
        opts.cluster.port = 0;
        return Ok(());
    }
    // "-1" is not a valid URL port: parse with 0, then ask for a random port.
    let wants_random = match opts.cluster.listen_str.strip_suffix(":-1") {
        Some(prefix) => {
            opts.cluster.listen_str = format!("{prefix}:0");
            true
        }
        None => false,
    };
    let u = url::parse(&opts.cluster.listen_str)?;
    let (host, port) = url::split_host_port(&u.host)?;
    opts.cluster.host = host;
    opts.cluster.port = if wants_random { -1 } else { scan_port(&port)? };
    match u.user {
        Some(user) => {
            let Some(password) = user.password else {
                return Err("expected cluster password to be set".into());
            };
            opts.cluster.username = user.username;
            opts.cluster.password = password;
        }
        None => {
            // Credentials from a config file do not survive a listen URL without them.
            opts.cluster.username.clear();
            opts.cluster.password.clear();
        }
    }
    Ok(())
}

/// The port digits of a listen URL as Go's `fmt.Sscan` reads them into an int.
fn scan_port(digits: &str) -> Result<i32, String> {
    if digits.is_empty() {
        return Err("EOF".into());
    }
    digits
        .parse::<i64>()
        .ok()
        .and_then(|p| i32::try_from(p).ok())
        .ok_or_else(|| format!("strconv.ParseInt: parsing \"{digits}\": value out of range"))
}
