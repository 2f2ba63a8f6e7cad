//! The server: identity, the client listener and accept loop, the registry of live clients, lame duck mode
//! and shutdown. Matches the startup/shutdown sequence and log lines of Go's `Server.Start`,
//! `AcceptLoop`, `lameDuckMode` and `Shutdown` (server.go).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::client::{session, ClientHandle, ClosedState};
use crate::consts::{self, RANDOM_PORT};
use crate::info::Info;
use crate::options::Options;
use crate::stats::ServerStats;

/// State shared by every task of one server.
pub struct ServerShared {
    /// The options in force; replaced as a whole by a configuration reload.
    opts: RwLock<Arc<Options>>,
    reload_flags: Mutex<Option<crate::flags::FlagSet>>,
    /// Where the client listener is bound.
    pub client_addr: SocketAddr,
    /// Where the monitoring listener is bound, once started.
    pub monitor_addr: OnceLock<SocketAddr>,
    /// The running HTTP monitor (held weakly: it holds the server).
    pub monitor: OnceLock<std::sync::Weak<crate::monitor::Monitor>>,
    /// The system account's services, when there is a system account.
    pub sys: OnceLock<Arc<crate::sys::System>>,
    pub id: String,
    pub name: String,
    pub xkey: String,
    /// INFO template for clients (per-client fields are filled in per connection).
    pub info: Mutex<Info>,
    /// Users, nkeys and credentials derived from the options; replaced by a reload.
    auth: RwLock<Arc<crate::auth::AuthConfig>>,
    /// The live accounts (`$G`, the system account, the configured ones).
    pub accounts: crate::accounts::Accounts,
    /// JetStream, once enabled.
    pub jetstream: OnceLock<Arc<crate::jetstream::engine::JetStream>>,
    pub clients: Mutex<HashMap<u64, Arc<ClientHandle>>>,
    next_cid: AtomicU64,
    pub stats: ServerStats,
    pub start: Instant,
    pub start_time: std::time::SystemTime,
    /// When the configuration was last loaded (start, then each successful reload): Go's `configTime`.
    config_time: Mutex<std::time::SystemTime>,
    /// Recently closed connections for /connz?state=closed (Go's closed-clients ring).
    closed: Mutex<std::collections::VecDeque<crate::monitor::connz::ConnInfo>>,
    shutting_down: AtomicBool,
    ldm: AtomicBool,
    /// Wakes the accept loop to stop listening.
    stop_accepting: Notify,
    /// Fires when the server has fully shut down.
    pub done: Notify,
    done_flag: AtomicBool,
    /// `connection_rate_limit` of the `tls` block (fixed at start, as in Go).
    pub tls_rate: Option<crate::tls::rate::RateCounter>,
}

/// Errors starting a server.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("Error listening on port: {addr}, {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("Error setting server INFO with ClientAdvertise value of {value}, err={reason}")]
    ClientAdvertise { value: String, reason: String },
    /// Options the Go server refuses before starting (`validateOptions`); the binary prints
    /// `nats-server: <text>` and exits with status 1.
    #[error("{0}")]
    InvalidOptions(String),
    /// Go's `StartMonitoring` refused the monitoring options (`[FTL] Can't start monitoring: ...`).
    #[error("Can't start monitoring: {0}")]
    Monitoring(String),
}

/// Go's `validateOptions`, for the options a single server has.
pub fn validate_options(o: &Options) -> Result<(), String> {
    if !o.lame_duck_duration.is_zero() && o.lame_duck_grace_period >= o.lame_duck_duration {
        return Err(format!(
            "lame duck grace period ({}) should be strictly lower than lame duck duration ({})",
            crate::gofmt::go_duration(o.lame_duck_grace_period),
            crate::gofmt::go_duration(o.lame_duck_duration)
        ));
    }
    if i64::from(o.max_payload) > o.max_pending {
        return Err(format!(
            "max_payload ({}) cannot be higher than max_pending ({})",
            o.max_payload, o.max_pending
        ));
    }
    if o.server_name.contains(' ') {
        return Err("server name cannot contain spaces".into());
    }
    crate::config::options::validate_operators(o)?;
    Ok(())
}

pub struct Server;

/// A running server. Dropping it does not stop the server; call [`ServerHandle::shutdown`].
pub struct ServerHandle {
    pub shared: Arc<ServerShared>,
    addr: SocketAddr,
    monitor_addr: Option<SocketAddr>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Bind the client listener and start accepting. Logs Go's startup lines.
    pub async fn start(mut opts: Options) -> Result<ServerHandle, StartError> {
        opts.apply_tls_baseline();
        validate_options(&opts).map_err(StartError::InvalidOptions)?;
        crate::config::options::validate_auth(&opts).map_err(StartError::InvalidOptions)?;
        let accounts =
            crate::accounts::Accounts::from_options(&opts).map_err(StartError::InvalidOptions)?;
        let kp = nkeys::KeyPair::new_server();
        let id = kp.public_key();
        let name = if opts.server_name.is_empty() {
            id.clone()
        } else {
            opts.server_name.clone()
        };
        let xkey = nkeys::XKey::new().public_key();

        tracing::info!("Starting nats-server");
        tracing::info!("  Version:  {}", consts::VERSION);
        tracing::info!(
            "  Git:      [{}]",
            if consts::GIT_COMMIT.is_empty() {
                "not set"
            } else {
                consts::GIT_COMMIT
            }
        );
        tracing::info!("  Name:     {}", name);
        if opts.jetstream {
            tracing::info!("  Node:     {}", crate::jetstream::engine::node_hash(&name));
        }
        tracing::info!("  ID:       {}", id);
        if let Some(f) = &opts.config_file {
            let cd = if opts.config_digest.is_empty() {
                String::new()
            } else {
                format!("({})", opts.config_digest)
            };
            tracing::info!("Using configuration file: {} {}", f.display(), cd);
        }

        let port = match opts.port {
            RANDOM_PORT => 0,
            0 => consts::DEFAULT_PORT,
            p => p,
        };
        let bind = host_port(&opts.host, port);
        let listener =
            listen(&opts.host, &bind, port)
                .await
                .map_err(|source| StartError::Listen {
                    addr: bind.clone(),
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: bind.clone(),
            source,
        })?;
        if opts.max_payload > consts::MAX_PAYLOAD_MAX_SIZE {
            tracing::warn!(
                "Maximum payloads over {} are generally discouraged and could lead to poor performance",
                consts::MAX_PAYLOAD_MAX_SIZE
            );
        }

        let (info_host, info_port) = if opts.client_advertise.is_empty() {
            (opts.host.clone(), addr.port() as i32)
        } else {
            // Only the caller reports it (the binary as `[FTL]`), as Go logs it once.
            parse_host_port(&opts.client_advertise, addr.port() as i32).map_err(|reason| {
                StartError::ClientAdvertise {
                    value: opts.client_advertise.clone(),
                    reason,
                }
            })?
        };
        let auth = crate::auth::AuthConfig::from_options(&opts);
        if auth.has_plaintext_passwords() {
            tracing::warn!("Plaintext passwords detected, use nkeys or bcrypt");
        }
        let info = Info {
            id: id.clone(),
            name: name.clone(),
            version: consts::VERSION.to_string(),
            proto: consts::PROTO,
            git_commit: consts::GIT_COMMIT.to_string(),
            go: concat!("rust", env!("CARGO_PKG_RUST_VERSION")).to_string(),
            host: info_host,
            port: info_port,
            headers: !opts.no_header_support,
            max_payload: opts.max_payload,
            js_api_level: consts::API_LEVEL,
            xkey: xkey.clone(),
            auth_required: auth.required,
            ..Info::default()
        };
        let mut info = info;
        set_tls_info(&mut info, &opts);
        let opts_rate = if opts.tls_config.is_some() {
            opts.tls_rate_limit
        } else {
            0
        };
        let shared = Arc::new(ServerShared {
            opts: RwLock::new(Arc::new(opts)),
            reload_flags: Mutex::new(None),
            auth: RwLock::new(Arc::new(auth)),
            client_addr: addr,
            monitor_addr: OnceLock::new(),
            monitor: OnceLock::new(),
            sys: OnceLock::new(),
            id,
            name,
            xkey,
            info: Mutex::new(info),
            accounts,
            jetstream: OnceLock::new(),
            clients: Mutex::new(HashMap::new()),
            next_cid: AtomicU64::new(0),
            stats: ServerStats::default(),
            start: Instant::now(),
            start_time: std::time::SystemTime::now(),
            config_time: Mutex::new(std::time::SystemTime::now()),
            closed: Mutex::new(std::collections::VecDeque::new()),
            shutting_down: AtomicBool::new(false),
            ldm: AtomicBool::new(false),
            stop_accepting: Notify::new(),
            done: Notify::new(),
            done_flag: AtomicBool::new(false),
            tls_rate: (opts_rate > 0).then(|| crate::tls::rate::RateCounter::new(opts_rate)),
        });
        crate::sys::start(&shared);
        if shared.tls_rate.is_some() {
            tokio::spawn(log_rejected_tls_conns(shared.clone()));
        }
        // Go's StartMonitoring: HTTP or HTTPS, not both; HTTPS needs the client TLS certificates.
        let (http, https) = (shared.opts().http_port, shared.opts().https_port);
        if http != 0 && https != 0 {
            return Err(StartError::Monitoring(format!(
                "can't specify both HTTP ({http}) and HTTPs ({https}) ports"
            )));
        }
        if http == 0 && https != 0 && shared.opts().tls_config.is_none() {
            return Err(StartError::Monitoring(
                "TLS cert and key required for HTTPS".into(),
            ));
        }
        let monitor_addr = if http != 0 || https != 0 {
            let host = if shared.opts().http_host.is_empty() {
                &shared.opts().host
            } else {
                &shared.opts().http_host
            };
            let hp = host_port(host, http.max(https).max(0));
            Some(
                crate::monitor::start(shared.clone(), https != 0)
                    .await
                    .map_err(|source| StartError::Listen { addr: hp, source })?,
            )
        } else {
            None
        };
        if let Some(a) = monitor_addr {
            let _ = shared.monitor_addr.set(a);
        }
        if shared.opts().jetstream {
            let js = crate::jetstream::engine::JetStream::start(&shared)
                .map_err(|e| StartError::InvalidOptions(format!("Can't start JetStream: {e}")))?;
            let _ = shared.jetstream.set(js);
            if let Ok(mut info) = shared.info.lock() {
                info.jetstream = true;
            }
        }
        tracing::info!(
            "Listening for client connections on {}",
            host_port(&shared.opts().host, addr.port() as i32)
        );
        log_tls_mode(&shared.opts());
        // As Go's Start: signals are trapped before "Server is ready" and before any pid or ports file
        // appears, since tools signal the server as soon as they see those.
        if !shared.opts().no_signals {
            crate::shutdown::trap_signals(shared.clone());
        }
        let accept = tokio::spawn(accept_loop(shared.clone(), listener));
        tracing::info!("Server is ready");
        Ok(ServerHandle {
            shared,
            addr,
            monitor_addr,
            accept: Some(accept),
        })
    }
}

/// INFO's TLS fields (Go's NewServer): TLS required unless plain clients are allowed too, in which case it
/// is only available; `tls_verify` when client certificates are required.
pub fn set_tls_info(info: &mut Info, o: &Options) {
    let tls = o.tls_config.is_some();
    info.tls_required = tls && !o.allow_non_tls;
    info.tls_verify = o.tls_config.as_ref().is_some_and(|c| c.verify);
    info.tls_available = tls && !info.tls_required;
}

/// Go's `logRejectedTLSConns`: once a second, how many connections the TLS rate limit refused.
async fn log_rejected_tls_conns(shared: Arc<ServerShared>) {
    let Some(rate) = shared.tls_rate.as_ref() else {
        return;
    };
    loop {
        tokio::select! {
            _ = shared.stopped() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        let blocked = rate.take_blocked();
        if blocked > 0 {
            tracing::warn!("Rejected {blocked} connections due to TLS rate limiting");
        }
    }
}

/// Go's startup notice of how clients use TLS.
fn log_tls_mode(o: &Options) {
    if o.tls_config.is_none() {
        return;
    }
    // "TLS Handshake First" without a fallback delay always requires the handshake, whatever allow_non_tls says.
    let first_only = o.tls_handshake_first && o.tls_handshake_first_fallback.is_zero();
    if o.allow_non_tls && !first_only {
        tracing::info!("TLS available for client connections");
    } else {
        tracing::info!("TLS required for client connections");
    }
    if first_only {
        tracing::warn!(
            "Clients that are not using \"TLS Handshake First\" option will fail to connect"
        );
    }
}

/// Bind the client listener. An unspecified host (`0.0.0.0` or `::`) takes IPv4 and IPv6 clients on one
/// dual-stack socket, as Go's `net.Listen("tcp", ...)` does; without IPv6 it falls back to the host as given.
async fn listen(host: &str, bind: &str, port: i32) -> std::io::Result<TcpListener> {
    if host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified()) {
        if let Ok(l) = listen_dual_stack(port) {
            return Ok(l);
        }
    }
    TcpListener::bind(bind).await
}

fn listen_dual_stack(port: i32) -> std::io::Result<TcpListener> {
    let port = u16::try_from(port)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "invalid port"))?;
    let sock = tokio::net::TcpSocket::new_v6()?;
    sock.set_reuseaddr(true)?;
    let off: libc::c_int = 0;
    // SAFETY: the socket is open and ours; setsockopt only reads `off` for the given length.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_V6ONLY,
            (&off as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    sock.bind(SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), port))?;
    sock.listen(1024)
}

/// `host:port`, with brackets for IPv6 literals (Go's `net.JoinHostPort`).
pub fn host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Go's `parseHostPort`: `host[:port]`, the port defaulting to `default_port` when missing, 0 or -1.
pub fn parse_host_port(host_port: &str, default_port: i32) -> Result<(String, i32), String> {
    if host_port.is_empty() {
        return Err("no hostport specified".into());
    }
    let (host, port) = match split_host_port(host_port) {
        Ok(hp) => hp,
        Err(e) if e.contains("missing port") => {
            split_host_port(&format!("{host_port}:{default_port}"))?
        }
        Err(e) => return Err(e),
    };
    let port: i32 = port
        .trim()
        .parse()
        .map_err(|_| format!("strconv.Atoi: parsing {:?}: invalid syntax", port.trim()))?;
    let port = if port == 0 || port == -1 {
        default_port
    } else {
        port
    };
    Ok((host.trim().to_string(), port))
}

/// Go's `net.SplitHostPort`, with its error texts.
fn split_host_port(hp: &str) -> Result<(String, String), String> {
    let err = |why: &str| format!("address {hp}: {why}");
    let Some(colon) = hp.rfind(':') else {
        return Err(err("missing port in address"));
    };
    let (host, port) = if hp.starts_with('[') {
        let Some(end) = hp.find(']') else {
            return Err(err("missing ']' in address"));
        };
        if end + 1 == hp.len() {
            return Err(err("missing port in address"));
        }
        if end + 1 != colon {
            return Err(err(if hp[end + 1..].starts_with(':') {
                "too many colons in address"
            } else {
                "missing port in address"
            }));
        }
        (&hp[1..end], &hp[colon + 1..])
    } else {
        let host = &hp[..colon];
        if host.contains(':') {
            return Err(err("too many colons in address"));
        }
        (host, &hp[colon + 1..])
    };
    if host.contains('[') || host.contains(']') || port.contains('[') || port.contains(']') {
        return Err(err("unexpected '[' or ']' in address"));
    }
    Ok((host.to_string(), port.to_string()))
}

async fn accept_loop(shared: Arc<ServerShared>, listener: TcpListener) {
    loop {
        let accepted = tokio::select! {
            _ = shared.stop_accepting.notified() => break,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                // IPv4 clients of a dual-stack listener show as IPv4, as Go reports them.
                let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
                let shared = shared.clone();
                tokio::spawn(session::run(shared, stream, peer));
            }
            Err(e) => {
                // Go logs the error and keeps accepting, backing off briefly on resource exhaustion.
                tracing::error!("Temporary Client Accept Error({}), sleeping 10ms", e);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

impl ServerShared {
    /// The options in force.
    pub fn opts(&self) -> Arc<Options> {
        self.opts
            .read()
            .map(|o| o.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The auth configuration in force.
    pub fn auth(&self) -> Arc<crate::auth::AuthConfig> {
        self.auth
            .read()
            .map(|a| a.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Replace the auth configuration (reload) and the INFO flag that follows from it.
    pub fn set_auth(&self, auth: crate::auth::AuthConfig) {
        if let Ok(mut info) = self.info.lock() {
            info.auth_required = auth.required;
        }
        match self.auth.write() {
            Ok(mut a) => *a = Arc::new(auth),
            Err(e) => *e.into_inner() = Arc::new(auth),
        }
    }

    /// Every live client (for reload checks).
    pub fn clients_snapshot(&self) -> Vec<Arc<ClientHandle>> {
        self.snapshot_clients()
    }

    /// Replace the options (configuration reload).
    pub fn set_opts(&self, new: Options) {
        match self.opts.write() {
            Ok(mut o) => *o = Arc::new(new),
            Err(e) => *e.into_inner() = Arc::new(new),
        }
    }

    /// When the configuration was last loaded (varz `config_load_time`).
    pub fn config_time(&self) -> std::time::SystemTime {
        self.config_time
            .lock()
            .map(|t| *t)
            .unwrap_or(self.start_time)
    }

    pub(crate) fn set_config_time(&self, t: std::time::SystemTime) {
        if let Ok(mut c) = self.config_time.lock() {
            *c = t;
        }
    }

    /// The command-line flags, kept so a reload puts them back over the re-read file.
    pub fn set_reload_flags(&self, flags: crate::flags::FlagSet) {
        if let Ok(mut f) = self.reload_flags.lock() {
            *f = Some(flags);
        }
    }

    /// Re-read the configuration file and apply it (SIGHUP).
    pub fn reload(&self) -> Result<(), String> {
        let flags = self.reload_flags.lock().ok().and_then(|f| f.clone());
        crate::config::reload::reload(self, flags.as_ref())
    }

    /// The listeners' URLs as the ports file lists them (Go's `portsFile`).
    pub fn ports(&self) -> crate::signals::Ports {
        crate::signals::Ports {
            nats: crate::signals::format_urls(
                if self.info_template().tls_required {
                    "tls"
                } else {
                    "nats"
                },
                self.client_addr,
            ),
            monitoring: self
                .monitor_addr
                .get()
                .map(|a| {
                    let secure = self.opts().https_port != 0;
                    crate::signals::format_urls(if secure { "https" } else { "http" }, *a)
                })
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    /// Write the ports file into `dir` (Go's `logPorts`); errors are logged, as Go does.
    pub fn write_ports_file(&self, dir: &std::path::Path) {
        if let Err(e) = crate::signals::write_ports_file(dir, &self.ports()) {
            tracing::error!("Error writing ports file: {e}");
        }
    }

    /// Apply reloadable options to live state: INFO template, clients' max payload, the connection limit.
    pub fn apply_reload(&self, new: &Options) {
        if let Ok(mut info) = self.info.lock() {
            info.max_payload = new.max_payload;
            let port = self.client_addr.port() as i32;
            let (host, port) = if new.client_advertise.is_empty() {
                (new.host.clone(), port)
            } else {
                parse_host_port(&new.client_advertise, port).unwrap_or((new.host.clone(), port))
            };
            info.host = host;
            info.port = port;
            set_tls_info(&mut info, new);
        }
        let clients = self.snapshot_clients();
        for c in &clients {
            c.max_payload
                .store(new.max_payload as i64, Ordering::Relaxed);
            c.max_control_line
                .store(new.max_control_line.max(1) as i64, Ordering::Relaxed);
        }
        // Go: `max_connections: 0` is stored as -1 and closes every client.
        let max = new.max_connections.max(0) as usize;
        if clients.len() > max {
            let mut closed = 0;
            for c in clients.iter().skip(max) {
                if c.out
                    .queue(&crate::protocol::errors::ServerErr::MaxConnectionsExceeded.wire())
                    != crate::conn::Queued::Closed
                {
                    c.out.wake();
                }
                c.close(ClosedState::MaxConnectionsExceeded, true);
                closed += 1;
            }
            tracing::info!(
                "Closed {} connections to fall within max_connections",
                closed
            );
        }
    }

    /// Resolves once shutdown has begun.
    pub async fn stopped(&self) {
        loop {
            let n = self.done.notified();
            if self.shutting_down.load(Ordering::Acquire) {
                return;
            }
            tokio::select! {
                _ = n => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }

    /// Remember a closed connection for /connz (bounded by max_closed_clients).
    pub fn save_closed(&self, ci: crate::monitor::connz::ConnInfo) {
        let max = self.opts().max_closed_clients.max(0) as usize;
        if max == 0 {
            return;
        }
        if let Ok(mut ring) = self.closed.lock() {
            while ring.len() >= max {
                ring.pop_front();
            }
            ring.push_back(ci);
        }
    }

    pub fn closed_clients(&self) -> Vec<crate::monitor::connz::ConnInfo> {
        self.closed
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn next_cid(&self) -> u64 {
        self.next_cid.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    pub fn in_lame_duck(&self) -> bool {
        self.ldm.load(Ordering::Acquire)
    }

    pub fn num_clients(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or(0)
    }

    pub fn info_template(&self) -> Info {
        self.info.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// Register a client; fails when max_connections is reached (Go checks after sending INFO).
    pub fn register(&self, c: &Arc<ClientHandle>) -> bool {
        let Ok(mut clients) = self.clients.lock() else {
            return false;
        };
        let max = self.opts().max_connections;
        if max < 0 || (max > 0 && clients.len() >= max as usize) {
            return false;
        }
        clients.insert(c.cid, c.clone());
        self.stats.total_connections.fetch_add(1, Ordering::Relaxed);
        true
    }

    pub fn unregister(&self, cid: u64) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.remove(&cid);
        }
    }

    fn snapshot_clients(&self) -> Vec<Arc<ClientHandle>> {
        self.clients
            .lock()
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Stop accepting, close every client, and mark the server done.
    pub async fn shutdown(&self) {
        if self.shutting_down.swap(true, Ordering::AcqRel) {
            self.wait_done().await;
            return;
        }
        tracing::info!("Initiating Shutdown...");
        crate::sys::events::shutdown(self);
        self.stop_accepting.notify_one();
        if let Some(js) = self.jetstream.get() {
            tracing::info!("Initiating JetStream Shutdown...");
            js.shutdown();
            tracing::info!("JetStream Shutdown");
        }
        for c in self.snapshot_clients() {
            c.close(ClosedState::ServerShutdown, true);
        }
        // Give sessions a moment to flush and unregister.
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.num_clients() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tracing::info!("Server Exiting..");
        self.done_flag.store(true, Ordering::Release);
        self.done.notify_waiters();
    }

    pub async fn wait_done(&self) {
        loop {
            let n = self.done.notified();
            if self.done_flag.load(Ordering::Acquire) {
                return;
            }
            n.await;
        }
    }

    /// Lame duck mode (Go's `lameDuckMode`): stop accepting, tell clients (INFO with `ldm:true`), wait the grace
    /// period, then close clients spread over the rest of `lame_duck_duration`, then shut down.
    pub async fn lame_duck(self: &Arc<Self>) {
        if self.is_shutting_down() || self.ldm.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::info!("Entering lame duck mode, stop accepting new clients");
        crate::sys::events::lame_duck(self);
        self.stop_accepting.notify_one();
        let clients = self.snapshot_clients();
        if clients.is_empty() {
            self.shutdown().await;
            return;
        }
        let mut gp = self.opts().lame_duck_grace_period;
        let total = self.opts().lame_duck_duration;
        let mut dur = total.saturating_sub(gp);
        if dur.is_zero() {
            dur = Duration::from_secs(1);
        }
        self.send_async_info(|i| i.lame_duck_mode = true);
        if gp > total {
            gp = total;
        }
        tokio::time::sleep(gp).await;
        if self.is_shutting_down() {
            return;
        }
        tracing::info!("Closing existing clients");
        let n = clients.len() as u128;
        let mut si = dur.as_nanos() / n;
        let mut batch: u128 = 1;
        if si < 1 {
            si = 1;
            batch = n / dur.as_nanos().max(1);
        } else if si > 1_000_000_000 {
            si = 1_000_000_000;
        }
        let last = clients.len() - 1;
        for (i, c) in clients.iter().enumerate() {
            c.close(ClosedState::ServerShutdown, true);
            if i == last {
                break;
            }
            if batch == 1 || (i as u128) % batch == 0 {
                let v = (rand::random::<u64>() as u128) % si;
                let v = v.max(si / 2);
                tokio::time::sleep(Duration::from_nanos(v as u64)).await;
                if self.is_shutting_down() {
                    return;
                }
            }
        }
        self.shutdown().await;
    }

    /// Send an async INFO to every client that understands it (protocol >= 1 and first PONG sent),
    /// with `edit` applied to the template, as Go's `sendAsyncInfoToClients`.
    pub fn send_async_info(&self, edit: impl Fn(&mut Info)) {
        let mut info = self.info_template();
        edit(&mut info);
        for c in self.snapshot_clients() {
            if c.async_info.load(Ordering::Acquire) {
                let mut ci = info.clone();
                ci.cid = c.cid;
                ci.client_ip = c.peer.ip().to_string();
                if c.out.queue(&ci.to_proto()) != crate::conn::Queued::Closed {
                    c.out.wake();
                }
            }
        }
    }
}

impl ServerHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The JetStream engine, when enabled (tests reach a stream's store through it).
    pub fn jetstream(&self) -> Option<Arc<crate::jetstream::engine::JetStream>> {
        self.shared.jetstream.get().cloned()
    }

    /// The monitoring listener's address, when `http_port` is set.
    pub fn monitor_addr(&self) -> Option<SocketAddr> {
        self.monitor_addr
    }

    /// `nats://127.0.0.1:<port>` (loopback when listening on all interfaces).
    pub fn client_url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            self.addr.ip().to_string()
        };
        format!("nats://{}", host_port(&host, self.addr.port() as i32))
    }

    pub fn num_clients(&self) -> usize {
        self.shared.num_clients()
    }

    /// Enter lame duck mode in the background.
    pub fn lame_duck(&self) -> JoinHandle<()> {
        let s = self.shared.clone();
        tokio::spawn(async move { s.lame_duck().await })
    }

    pub async fn shutdown(mut self) {
        self.shared.shutdown().await;
        if let Some(a) = self.accept.take() {
            let _ = a.await;
        }
    }

    /// Wait until the server has shut down (signal, lame duck end).
    pub async fn wait_for_shutdown(&self) {
        self.shared.wait_done().await;
    }
}
