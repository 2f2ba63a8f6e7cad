//! Configuration reload (SIGHUP, `--signal reload`): re-read the file, put the command-line flags back on
//! top, refuse any change Go refuses (`config reload not supported for <Field>: old=<v>, new=<v>`, with
//! Go's field names), and otherwise apply the new options live, logging `Reloaded: <key> = <value>` for each
//! change and `Reloaded server configuration (<digest>)` at the end. A failed reload changes nothing.

use std::fmt::Debug;

use crate::config::options::load_file;
use crate::flags::FlagSet;
use crate::gofmt::go_duration;
use crate::options::Options;
use crate::server::ServerShared;

/// One changed option that can be applied live, as the line Go logs for it.
struct Change(String);

fn show<T: Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    s.trim_matches('"').to_string()
}

/// Compare old and new options; `Err` names the first change Go cannot apply live.
fn diff(old: &Options, new: &Options) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    macro_rules! fixed {
        ($field:ident, $go:literal) => {
            if old.$field != new.$field {
                return Err(format!(
                    "config reload not supported for {}: old={}, new={}",
                    $go,
                    show(&old.$field),
                    show(&new.$field)
                ));
            }
        };
    }
    macro_rules! live {
        ($field:ident, $key:literal, $fmt:expr) => {
            if old.$field != new.$field {
                changes.push(Change(format!(
                    "Reloaded: {} = {}",
                    $key,
                    $fmt(&new.$field)
                )));
            }
        };
    }
    fixed!(server_name, "ServerName");
    fixed!(host, "Host");
    fixed!(port, "Port");
    fixed!(max_subs, "MaxSubs");
    fixed!(max_pending, "MaxPending");
    fixed!(auth_timeout, "AuthTimeout");
    fixed!(lame_duck_duration, "LameDuckDuration");
    fixed!(lame_duck_grace_period, "LameDuckGracePeriod");
    fixed!(max_closed_clients, "MaxClosedClients");
    fixed!(no_header_support, "NoHeaderSupport");
    fixed!(http_host, "HTTPHost");
    fixed!(http_port, "HTTPPort");
    fixed!(https_port, "HTTPSPort");
    fixed!(http_base_path, "HTTPBasePath");
    fixed!(log_size_limit, "LogSizeLimit");
    fixed!(log_max_files, "LogMaxFiles");
    fixed!(jetstream, "JetStream");
    fixed!(store_dir, "StoreDir");
    live!(trace, "trace", show);
    live!(trace_verbose, "trace_verbose", show);
    live!(debug, "debug", show);
    live!(logtime, "logtime", show);
    live!(logtime_utc, "logtime_utc", show);
    live!(log_file, "log_file", |v: &Option<std::path::PathBuf>| v
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default());
    live!(syslog, "syslog", show);
    live!(remote_syslog, "remote_syslog", show);
    live!(max_connections, "max_connections", show);
    live!(pid_file, "pid_file", |v: &Option<std::path::PathBuf>| v
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default());
    live!(ports_file_dir, "ports_file_dir", |v: &Option<
        std::path::PathBuf,
    >| v
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default());
    live!(max_control_line, "max_control_line", show);
    live!(max_payload, "max_payload", show);
    live!(ping_interval, "ping_interval", |d: &std::time::Duration| {
        go_duration(*d)
    });
    live!(max_pings_out, "ping_max", show);
    live!(
        write_deadline,
        "write_deadline",
        |d: &std::time::Duration| go_duration(*d)
    );
    live!(client_advertise, "client_advertise", show);
    live!(max_traced_msg_len, "max_traced_msg_len", show);
    Ok(changes)
}

/// Reload the configuration file of a running server.
pub fn reload(server: &ServerShared, flags: Option<&FlagSet>) -> Result<(), String> {
    let cur = server.opts();
    let Some(path) = cur.config_file.clone() else {
        return Err("can only reload config when a file is provided using -c or --config".into());
    };
    let mut new = Options::default();
    let digest = load_file(&mut new, &path).map_err(|e| e.to_string().trim_end().to_string())?;
    new.config_digest = digest;
    if let Some(f) = flags {
        f.apply(&mut new).map_err(|e| e.to_string())?;
    }
    // Runtime-only settings are not part of the file.
    new.no_signals = cur.no_signals;
    new.no_log = cur.no_log;
    new.check_config = cur.check_config;
    let changes = diff(&cur, &new)?;
    crate::logging::set_levels(new.debug, new.trace);
    crate::logging::set_trace_verbose(new.trace_verbose);
    crate::logging::set_max_traced_msg_len(new.max_traced_msg_len);
    server.apply_reload(&new);
    for c in &changes {
        tracing::info!("{}", c.0);
    }
    let cd = if new.config_digest.is_empty() {
        String::new()
    } else {
        format!("({})", new.config_digest)
    };
    server.set_opts(new);
    tracing::info!("Reloaded server configuration {}", cd);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn refuses_what_go_refuses_and_lists_live_changes() {
        let old = Options::default();
        let new = Options {
            max_pending: 1,
            ..Options::default()
        };
        assert_eq!(
            diff(&old, &new).err().unwrap(),
            "config reload not supported for MaxPending: old=67108864, new=1"
        );
        let new = Options {
            ping_interval: Duration::from_secs(30),
            debug: true,
            ..Options::default()
        };
        let lines: Vec<String> = diff(&old, &new).unwrap().into_iter().map(|c| c.0).collect();
        assert_eq!(
            lines,
            vec!["Reloaded: debug = true", "Reloaded: ping_interval = 30s"]
        );
    }
}
