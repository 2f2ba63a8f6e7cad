//! Server options: everything a flag (and later a config file) can set.
//! Defaults match Go's `setBaselineOptions`; zero values mean "use the default" exactly where Go treats them so.

use std::path::PathBuf;
use std::time::Duration;

use crate::consts::*;

/// Options for one server. `Options::default()` gives Go's baseline values.
#[derive(Debug, Clone)]
pub struct Options {
    pub server_name: String,
    pub host: String,
    /// Client port; 0 or -1 means a random port.
    pub port: i32,
    pub client_advertise: String,
    pub max_connections: i32,
    pub max_subs: i32,
    pub max_payload: i32,
    pub max_control_line: i32,
    pub max_pending: i64,
    pub write_deadline: Duration,
    pub ping_interval: Duration,
    pub max_pings_out: i32,
    pub auth_timeout: Duration,
    pub lame_duck_duration: Duration,
    pub lame_duck_grace_period: Duration,
    /// Size of the closed-connections ring shown by /connz.
    pub max_closed_clients: i32,
    pub no_header_support: bool,
    pub pid_file: Option<PathBuf>,
    pub ports_file_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    /// `sha256:<hex>` of the loaded configuration (Go's configDigest), shown in /varz.
    pub config_digest: String,
    // Logging.
    pub log_file: Option<PathBuf>,
    pub logtime: bool,
    pub logtime_utc: bool,
    pub debug: bool,
    pub trace: bool,
    pub trace_verbose: bool,
    pub max_traced_msg_len: usize,
    pub syslog: bool,
    pub remote_syslog: String,
    pub log_size_limit: i64,
    // Accepted now, acted on by later subsystems.
    /// Monitoring listener host; empty means the client host (Go's setBaselineOptions).
    pub http_host: String,
    pub http_port: i32,
    pub https_port: i32,
    /// Prefix of every monitoring path.
    pub http_base_path: String,
    pub jetstream: bool,
    pub store_dir: String,
    /// The `jetstream {}` block beyond enabling it.
    pub js: crate::jetstream::JsOptions,
    pub username: String,
    pub password: String,
    pub authorization: String,
    /// Users of the `authorization { users [...] }` block with a user name.
    pub users: Vec<crate::auth::User>,
    /// Users of the `authorization { users [...] }` block with an nkey.
    pub nkeys: Vec<crate::auth::NkeyUser>,
    /// The user a client without credentials is logged in as.
    pub no_auth_user: String,
    /// The configuration has an `authorization` block (Go's `authBlockDefined`).
    pub auth_block_defined: bool,
    /// The `accounts` block (users of an account are in `users`/`nkeys` with their account set).
    pub accounts: Vec<crate::accounts::AccountConfig>,
    /// `system_account`: empty means `$SYS` unless `no_system_account`.
    pub system_account: String,
    pub no_system_account: bool,
    /// Operator mode: the `operator` JWTs, decoded (Go's `TrustedOperators`), and the JWTs as given.
    pub trusted_operators: Vec<crate::jwt::OperatorClaims>,
    pub operator_jwts: Vec<String>,
    /// Keys trusted to sign account JWTs: the operators' identities and signing keys (Go's `TrustedKeys`).
    pub trusted_keys: Vec<String>,
    /// `resolver`: where account JWTs come from.
    pub resolver: Option<crate::jwt::resolver::ResolverConfig>,
    /// `resolver_preload`: account public key → account JWT.
    pub resolver_preload: std::collections::HashMap<String, String>,
    /// Set by tests that do not want the server to install signal handlers.
    pub no_signals: bool,
    /// Set when the process logs nothing (tests running many servers in-process).
    pub no_log: bool,
    // Set by flags (`-t`, `--profile`, `--routes`, `--cluster*`, `--tls*`), acted on by later subsystems.
    /// `-t`: check the configuration file and exit.
    pub check_config: bool,
    /// Keep at most this many rotated log files (Go's `logfile_max_num`); 0 keeps all.
    pub log_max_files: i64,
    /// `--profile`: profiling HTTP port; 0 disables it.
    pub prof_port: i32,
    /// `--routes` as given: comma-separated route URLs.
    pub routes_str: String,
    /// Route URLs to solicit, each trimmed (Go's `RoutesFromStr`).
    pub routes: Vec<String>,
    pub cluster: ClusterOpts,
    /// `--tls`: TLS for clients, without client verification.
    pub tls: bool,
    /// `--tlsverify`: TLS for clients, verifying client certificates.
    pub tls_verify: bool,
    pub tls_cert: String,
    pub tls_key: String,
    pub tls_ca_cert: String,
    /// Client TLS (Go's `TLSConfig`), from the `tls {}` block or the TLS flags; `None` is plain TCP only.
    pub tls_config: Option<std::sync::Arc<crate::tls::TlsConfig>>,
    /// Seconds a TLS handshake may take (Go's `TLSTimeout`).
    pub tls_timeout: f64,
    /// `verify_and_map`: the verified client certificate names the user.
    pub tls_map: bool,
    /// SHA-256 (lower-case hex) of the SubjectPublicKeyInfo a client certificate must have.
    pub tls_pinned_certs: Option<std::collections::BTreeSet<String>>,
    /// New TLS connections allowed per second; 0 is no limit.
    pub tls_rate_limit: i64,
    /// The TLS handshake comes before INFO.
    pub tls_handshake_first: bool,
    /// With `tls_handshake_first`: how long to wait for a client's TLS bytes before sending INFO as usual.
    pub tls_handshake_first_fallback: Duration,
    /// TLS and plain clients share the port (Go's `AllowNonTLS`).
    pub allow_non_tls: bool,
    /// `authorization { timeout }` was given; without it TLS makes the auth timeout `tls_timeout + 1`.
    pub auth_timeout_set: bool,
}

/// The cluster (route) listener settings that flags can set; zero values mean "no cluster".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterOpts {
    pub name: String,
    pub host: String,
    /// Route port; -1 means a random port, 0 means no cluster listener.
    pub port: i32,
    /// The listen URL as given by `--cluster`/`--cluster_listen` (Go's `Cluster.ListenStr`).
    pub listen_str: String,
    pub advertise: String,
    pub no_advertise: bool,
    pub connect_retries: i32,
    /// Credentials routes must present, taken from the user info of the listen URL.
    pub username: String,
    pub password: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            server_name: String::new(),
            host: DEFAULT_HOST.to_string(),
            port: DEFAULT_PORT,
            client_advertise: String::new(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_subs: 0,
            max_payload: MAX_PAYLOAD_SIZE,
            max_control_line: MAX_CONTROL_LINE_SIZE,
            max_pending: MAX_PENDING_SIZE,
            write_deadline: DEFAULT_FLUSH_DEADLINE,
            ping_interval: DEFAULT_PING_INTERVAL,
            max_pings_out: DEFAULT_PING_MAX_OUT,
            auth_timeout: AUTH_TIMEOUT,
            lame_duck_duration: DEFAULT_LAME_DUCK_DURATION,
            lame_duck_grace_period: DEFAULT_LAME_DUCK_GRACE_PERIOD,
            max_closed_clients: DEFAULT_MAX_CLOSED_CLIENTS,
            no_header_support: false,
            pid_file: None,
            ports_file_dir: None,
            config_file: None,
            config_digest: String::new(),
            log_file: None,
            logtime: true,
            logtime_utc: false,
            debug: false,
            trace: false,
            trace_verbose: false,
            max_traced_msg_len: 0,
            syslog: false,
            remote_syslog: String::new(),
            log_size_limit: 0,
            http_host: String::new(),
            http_port: 0,
            https_port: 0,
            http_base_path: String::new(),
            jetstream: false,
            store_dir: String::new(),
            js: crate::jetstream::JsOptions::default(),
            username: String::new(),
            password: String::new(),
            authorization: String::new(),
            auth_block_defined: false,
            users: Vec::new(),
            nkeys: Vec::new(),
            no_auth_user: String::new(),
            accounts: Vec::new(),
            system_account: String::new(),
            no_system_account: false,
            trusted_operators: Vec::new(),
            operator_jwts: Vec::new(),
            trusted_keys: Vec::new(),
            resolver: None,
            resolver_preload: std::collections::HashMap::new(),
            no_signals: false,
            no_log: false,
            check_config: false,
            log_max_files: 0,
            prof_port: 0,
            routes_str: String::new(),
            routes: Vec::new(),
            cluster: ClusterOpts::default(),
            tls: false,
            tls_verify: false,
            tls_cert: String::new(),
            tls_key: String::new(),
            tls_ca_cert: String::new(),
            tls_config: None,
            tls_timeout: crate::tls::DEFAULT_TLS_TIMEOUT,
            tls_map: false,
            tls_pinned_certs: None,
            tls_rate_limit: 0,
            tls_handshake_first: false,
            tls_handshake_first_fallback: Duration::ZERO,
            allow_non_tls: false,
            auth_timeout_set: false,
        }
    }
}

impl Options {
    /// Go's `setBaselineOptions` for TLS: a zero TLS timeout is the default, and with TLS on an auth timeout
    /// that was not configured is the TLS timeout plus one second.
    pub fn apply_tls_baseline(&mut self) {
        if self.tls_timeout == 0.0 {
            self.tls_timeout = crate::tls::DEFAULT_TLS_TIMEOUT;
        }
        if self.tls_config.is_some() && !self.auth_timeout_set {
            self.auth_timeout = Duration::from_secs_f64((self.tls_timeout + 1.0).max(0.0));
        }
    }

    /// Options for an in-process test server: loopback, random port, no signals, no logging, and no
    /// system account unless a test configures one (as Go's bare test servers have none, so subject
    /// counts are only the test's own).
    pub fn for_test() -> Self {
        Options {
            host: "127.0.0.1".into(),
            port: RANDOM_PORT,
            no_signals: true,
            no_log: true,
            no_system_account: true,
            ..Options::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // go: server/TestDefaultOptions
    #[test]
    fn defaults_are_go_baseline_values() {
        let o = Options::default();
        assert_eq!(o.host, "0.0.0.0");
        assert_eq!(o.port, 4222);
        assert_eq!(o.max_connections, 65536);
        assert_eq!(o.ping_interval, Duration::from_secs(120));
        assert_eq!(o.max_pings_out, 2);
        assert_eq!(o.auth_timeout, Duration::from_secs(2));
        assert_eq!(o.max_control_line, 4096);
        assert_eq!(o.max_payload, 1024 * 1024);
        assert_eq!(o.max_pending, 64 * 1024 * 1024);
        assert_eq!(o.write_deadline, Duration::from_secs(10));
        assert_eq!(o.max_closed_clients, 10_000);
        assert_eq!(o.lame_duck_duration, Duration::from_secs(120));
        assert_eq!(o.lame_duck_grace_period, Duration::from_secs(10));
        assert_eq!(o.max_traced_msg_len, 0);
    }
}
