//! Configuration reload (SIGHUP, `--signal reload`): re-read the file, put the command-line flags back on
//! top, refuse any change Go refuses (`config reload not supported for <Field>: old=<v>, new=<v>`, with
//! Go's field names), and otherwise apply the new options live, logging `Reloaded: <key> = <value>` for each
//! change and `Reloaded server configuration (<digest>)` at the end. A failed reload changes nothing.

use std::fmt::Debug;

use crate::config::options::load_file_allowing_warnings;
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
    // Go always lists users and accounts (it does not compare them) and then re-checks every client.
    changes.push(Change("Reloaded: authorization users".into()));
    changes.push(Change("Reloaded: accounts".into()));
    macro_rules! auth {
        ($field:ident, $line:literal) => {
            if old.$field != new.$field {
                changes.push(Change($line.into()));
            }
        };
    }
    auth!(username, "Reloaded: authorization username");
    auth!(password, "Reloaded: authorization password");
    auth!(authorization, "Reloaded: authorization token");
    if old.auth_timeout != new.auth_timeout {
        changes.push(Change(format!(
            "Reloaded: authorization timeout = {}",
            crate::gofmt::go_float(new.auth_timeout.as_secs_f64())
        )));
    }
    auth!(nkeys, "Reloaded: authorization nkey users");
    // Go refuses a no_auth_user change, except removing one whose user is still configured.
    if old.no_auth_user != new.no_auth_user {
        let allowed = !old.no_auth_user.is_empty()
            && new.no_auth_user.is_empty()
            && !new.users.iter().any(|u| u.username == old.no_auth_user);
        if !allowed {
            return Err(format!(
                "config reload not supported for NoAuthUser: old={}, new={}",
                old.no_auth_user, new.no_auth_user
            ));
        }
    }
    if old.system_account != new.system_account
        && (old.system_account != crate::consts::SYSTEM_ACCOUNT || !new.system_account.is_empty())
    {
        return Err(format!(
            "config reload not supported for SystemAccount: old={}, new={}",
            old.system_account, new.system_account
        ));
    }
    fixed!(no_system_account, "NoSystemAccount");
    fixed!(server_name, "ServerName");
    fixed!(host, "Host");
    // Go ignores a new port of 0 (it means "any port" and cannot conflict with the bound one).
    if new.port != 0 {
        fixed!(port, "Port");
    }
    fixed!(max_subs, "MaxSubs");
    fixed!(max_pending, "MaxPending");
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
    fixed!(tls_map, "TLSMap");
    fixed!(tls_rate_limit, "TLSRateLimit");
    fixed!(allow_non_tls, "AllowNonTLS");
    fixed!(tls, "TLS");
    fixed!(tls_verify, "TLSVerify");
    fixed!(tls_cert, "TLSCert");
    fixed!(tls_key, "TLSKey");
    fixed!(tls_ca_cert, "TLSCaCert");
    if old.tls_timeout != new.tls_timeout {
        changes.push(Change(format!(
            "Reloaded: tls timeout = {}",
            crate::gofmt::go_float(new.tls_timeout)
        )));
    }
    // Go's tlsOption: a new certificate, key, CA or setting is taken by the next connections.
    if old.tls_config != new.tls_config {
        let state = if new.tls_config.is_some() {
            "enabled"
        } else {
            "disabled"
        };
        changes.push(Change(format!("Reloaded: tls = {state}")));
    }
    if old.tls_pinned_certs != new.tls_pinned_certs {
        changes.push(Change(format!(
            "Reloaded: {} pinned_certs",
            new.tls_pinned_certs.as_ref().map_or(0, |p| p.len())
        )));
    }
    if old.tls_handshake_first != new.tls_handshake_first {
        changes.push(Change(format!(
            "Reloaded: Client TLS handshake first: {}",
            new.tls_handshake_first
        )));
    }
    if old.tls_handshake_first_fallback != new.tls_handshake_first_fallback {
        changes.push(Change(format!(
            "Reloaded: Client TLS handshake first fallback delay: {}",
            go_duration(new.tls_handshake_first_fallback)
        )));
    }
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
    // Go's Reload drops warnings: a file that only warns reloads.
    let (digest, _warnings) = load_file_allowing_warnings(&mut new, &path)
        .map_err(|e| e.to_string().trim_end().to_string())?;
    new.config_digest = digest;
    if let Some(f) = flags {
        f.apply(&mut new).map_err(|e| e.to_string())?;
    }
    // Runtime-only settings are not part of the file.
    new.no_signals = cur.no_signals;
    new.no_log = cur.no_log;
    new.check_config = cur.check_config;
    new.apply_tls_baseline();
    crate::config::options::validate_auth(&new)?;
    crate::config::options::validate_operators(&new)?;
    let changes = diff(&cur, &new)?;
    // Go's configureAccounts(reloading): accounts keep their subject index and clients; exports,
    // imports and limits are replaced, and shadow subscriptions follow changed stream imports.
    server.accounts.configure(&new)?;
    // Go re-runs ConfigureLogger when any logging option changed; the new file gets the lines below.
    let relog = cur.log_file != new.log_file
        || cur.logtime != new.logtime
        || cur.logtime_utc != new.logtime_utc
        || cur.syslog != new.syslog
        || cur.remote_syslog != new.remote_syslog;
    if relog {
        if let Err(e) = crate::logging::reconfigure(&new) {
            tracing::error!("{e}");
        }
    }
    crate::logging::set_levels(new.debug, new.trace);
    crate::logging::set_trace_verbose(new.trace_verbose);
    crate::logging::set_max_traced_msg_len(new.max_traced_msg_len);
    server.apply_reload(&new);
    server.set_auth(crate::auth::AuthConfig::from_options(&new));
    for c in &changes {
        tracing::info!("{}", c.0);
    }
    let cd = if new.config_digest.is_empty() {
        String::new()
    } else {
        format!("({})", new.config_digest)
    };
    // Go's pidFileOption: a new pid file is written at once.
    if cur.pid_file != new.pid_file {
        if let Some(p) = &new.pid_file {
            if let Err(e) = crate::signals::write_pid_file(p) {
                tracing::error!("Failed to write pidfile: {e}");
            }
        }
    }
    // Go's portsFileDirOption: remove the old ports file and write it in the new directory.
    if cur.ports_file_dir != new.ports_file_dir {
        if let Some(old) = &cur.ports_file_dir {
            let _ = crate::signals::remove_ports_file(old);
        }
        if let Some(dir) = &new.ports_file_dir {
            server.write_ports_file(dir);
        }
    }
    server.set_opts(new);
    server.set_config_time(std::time::SystemTime::now());
    crate::client::session::reauthorize_clients(server);
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
            port: 0,
            ..Options::default()
        };
        assert!(diff(&old, &new).is_ok(), "a new port of 0 is ignored");
        let new = Options {
            port: 4223,
            ..Options::default()
        };
        assert_eq!(
            diff(&old, &new).err().unwrap(),
            "config reload not supported for Port: old=4222, new=4223"
        );
        let new = Options {
            ping_interval: Duration::from_secs(30),
            debug: true,
            ..Options::default()
        };
        let lines: Vec<String> = diff(&old, &new).unwrap().into_iter().map(|c| c.0).collect();
        assert_eq!(
            lines,
            vec![
                "Reloaded: authorization users",
                "Reloaded: accounts",
                "Reloaded: debug = true",
                "Reloaded: ping_interval = 30s"
            ]
        );
    }
}
