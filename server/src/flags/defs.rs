//! The flags `nats-server` defines, hidden ones included, and how each value lands in [`Options`].
//!
//! Matches the `fs.*Var` calls of Go's `ConfigureOptions` (server/opts.go): same names, same kinds, several
//! names sharing one option (`-p`/`--port`). Values that Go's `setBaselineOptions` treats as "unset" are
//! turned into the baseline here, because our `Options` holds baseline values rather than zeros.

use std::path::PathBuf;

use super::goflag::Value;
use crate::consts::{DEFAULT_HOST, DEFAULT_PORT};
use crate::options::Options;

/// The kind of value a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    /// A Go `int` that feeds a 32-bit option.
    Int32,
    Int64,
    Str,
}

/// What a flag sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Help,
    Version,
    HelpTls,
    Config,
    CheckConfig,
    Signal,
    Port,
    ServerName,
    Host,
    ClientAdvertise,
    Debug,
    Trace,
    TraceVerbose,
    DebugTrace,
    DebugTraceVerbose,
    Logtime,
    LogtimeUtc,
    User,
    Pass,
    Auth,
    HttpPort,
    HttpsPort,
    PidFile,
    PortsFileDir,
    LogFile,
    LogSizeLimit,
    Syslog,
    RemoteSyslog,
    Profile,
    Routes,
    ClusterListen,
    ClusterAdvertise,
    NoAdvertise,
    ConnectRetries,
    ClusterName,
    Tls,
    TlsVerify,
    TlsCert,
    TlsKey,
    TlsCaCert,
    MaxTracedMsgLen,
    JetStream,
    StoreDir,
}

/// One flag name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FlagDef {
    pub name: &'static str,
    pub kind: Kind,
    pub target: Target,
}

const fn def(name: &'static str, kind: Kind, target: Target) -> FlagDef {
    FlagDef { name, kind, target }
}

use Kind::*;
use Target as T;

/// Every flag Go's `ConfigureOptions` defines.
pub(crate) static FLAGS: &[FlagDef] = &[
    def("h", Bool, T::Help),
    def("help", Bool, T::Help),
    def("port", Int32, T::Port),
    def("p", Int32, T::Port),
    def("n", Str, T::ServerName),
    def("name", Str, T::ServerName),
    def("server_name", Str, T::ServerName),
    def("addr", Str, T::Host),
    def("a", Str, T::Host),
    def("net", Str, T::Host),
    def("client_advertise", Str, T::ClientAdvertise),
    def("D", Bool, T::Debug),
    def("debug", Bool, T::Debug),
    def("V", Bool, T::Trace),
    def("VV", Bool, T::TraceVerbose),
    def("trace", Bool, T::Trace),
    def("DV", Bool, T::DebugTrace),
    def("DVV", Bool, T::DebugTraceVerbose),
    def("T", Bool, T::Logtime),
    def("logtime", Bool, T::Logtime),
    def("logtime_utc", Bool, T::LogtimeUtc),
    def("user", Str, T::User),
    def("pass", Str, T::Pass),
    def("auth", Str, T::Auth),
    def("m", Int32, T::HttpPort),
    def("http_port", Int32, T::HttpPort),
    def("ms", Int32, T::HttpsPort),
    def("https_port", Int32, T::HttpsPort),
    def("c", Str, T::Config),
    def("config", Str, T::Config),
    def("t", Bool, T::CheckConfig),
    def("sl", Str, T::Signal),
    def("signal", Str, T::Signal),
    def("P", Str, T::PidFile),
    def("pid", Str, T::PidFile),
    def("ports_file_dir", Str, T::PortsFileDir),
    def("l", Str, T::LogFile),
    def("log", Str, T::LogFile),
    def("log_size_limit", Int64, T::LogSizeLimit),
    def("s", Bool, T::Syslog),
    def("syslog", Bool, T::Syslog),
    def("r", Str, T::RemoteSyslog),
    def("remote_syslog", Str, T::RemoteSyslog),
    def("version", Bool, T::Version),
    def("v", Bool, T::Version),
    def("profile", Int32, T::Profile),
    def("routes", Str, T::Routes),
    def("cluster", Str, T::ClusterListen),
    def("cluster_listen", Str, T::ClusterListen),
    def("cluster_advertise", Str, T::ClusterAdvertise),
    def("no_advertise", Bool, T::NoAdvertise),
    def("connect_retries", Int32, T::ConnectRetries),
    def("cluster_name", Str, T::ClusterName),
    def("help_tls", Bool, T::HelpTls),
    def("tls", Bool, T::Tls),
    def("tlsverify", Bool, T::TlsVerify),
    def("tlscert", Str, T::TlsCert),
    def("tlskey", Str, T::TlsKey),
    def("tlscacert", Str, T::TlsCaCert),
    def("max_traced_msg_len", Int32, T::MaxTracedMsgLen),
    def("js", Bool, T::JetStream),
    def("jetstream", Bool, T::JetStream),
    def("sd", Str, T::StoreDir),
    def("store_dir", Str, T::StoreDir),
];

pub(crate) fn lookup(name: &str) -> Option<&'static FlagDef> {
    FLAGS.iter().find(|d| d.name == name)
}

/// The flag values that do not live in [`Options`] (Go keeps them in locals of `ConfigureOptions`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Vars {
    pub show_help: bool,
    pub show_version: bool,
    pub show_tls_help: bool,
    pub signal: String,
    pub debug_trace: bool,
    pub trace_verbose: bool,
    pub debug_trace_verbose: bool,
}

/// Stores one flag value, as Go's flag `Set` does. The combined flags (`-DV`, `-VV`, `-DVV`) only record
/// their value here; they take effect in the post-parse step, as in Go.
pub(crate) fn set(target: Target, value: &Value, opts: &mut Options, vars: &mut Vars) {
    let b = matches!(value, Value::Bool(true));
    let i = match value {
        Value::Int(i) => *i,
        _ => 0,
    };
    // Values were checked against the flag's kind when scanned, so 32-bit targets fit.
    let i32v = i32::try_from(i).unwrap_or_default();
    let s = match value {
        Value::Str(s) => s.clone(),
        _ => String::new(),
    };
    let path = |s: String| (!s.is_empty()).then(|| PathBuf::from(s));
    match target {
        T::Help => vars.show_help = b,
        T::Version => vars.show_version = b,
        T::HelpTls => vars.show_tls_help = b,
        T::Signal => vars.signal = s,
        T::DebugTrace => vars.debug_trace = b,
        T::TraceVerbose => vars.trace_verbose = b,
        T::DebugTraceVerbose => vars.debug_trace_verbose = b,
        T::Config => opts.config_file = path(s),
        T::CheckConfig => opts.check_config = b,
        // Go leaves 0 in the option and its baseline turns it into the default port.
        T::Port => opts.port = if i32v == 0 { DEFAULT_PORT } else { i32v },
        T::ServerName => opts.server_name = s,
        // Likewise an empty host becomes the default host.
        T::Host => {
            opts.host = if s.is_empty() {
                DEFAULT_HOST.to_string()
            } else {
                s
            }
        }
        T::ClientAdvertise => opts.client_advertise = s,
        T::Debug => opts.debug = b,
        T::Trace => opts.trace = b,
        T::Logtime => opts.logtime = b,
        T::LogtimeUtc => opts.logtime_utc = b,
        T::User => opts.username = s,
        T::Pass => opts.password = s,
        T::Auth => opts.authorization = s,
        T::HttpPort => opts.http_port = i32v,
        T::HttpsPort => opts.https_port = i32v,
        T::PidFile => opts.pid_file = path(s),
        T::PortsFileDir => opts.ports_file_dir = path(s),
        T::LogFile => opts.log_file = path(s),
        T::LogSizeLimit => opts.log_size_limit = i,
        T::Syslog => opts.syslog = b,
        T::RemoteSyslog => opts.remote_syslog = s,
        T::Profile => opts.prof_port = i32v,
        T::Routes => opts.routes_str = s,
        T::ClusterListen => opts.cluster.listen_str = s,
        T::ClusterAdvertise => opts.cluster.advertise = s,
        T::NoAdvertise => opts.cluster.no_advertise = b,
        T::ConnectRetries => opts.cluster.connect_retries = i32v,
        T::ClusterName => opts.cluster.name = s,
        T::Tls => opts.tls = b,
        T::TlsVerify => opts.tls_verify = b,
        T::TlsCert => opts.tls_cert = s,
        T::TlsKey => opts.tls_key = s,
        T::TlsCaCert => opts.tls_ca_cert = s,
        // A negative length means "no limit", as 0 does.
        T::MaxTracedMsgLen => opts.max_traced_msg_len = usize::try_from(i).unwrap_or(0),
        T::JetStream => opts.jetstream = b,
        T::StoreDir => opts.store_dir = s,
    }
}

/// The option fields a flag name sets, named like the `Options` fields (a combined flag sets several).
pub(crate) fn fields(target: Target) -> &'static [&'static str] {
    match target {
        T::Help | T::Version | T::HelpTls | T::Signal => &[],
        T::Config => &["config_file"],
        T::CheckConfig => &["check_config"],
        T::Port => &["port"],
        T::ServerName => &["server_name"],
        T::Host => &["host"],
        T::ClientAdvertise => &["client_advertise"],
        T::Debug => &["debug"],
        T::Trace => &["trace"],
        T::TraceVerbose => &["trace", "trace_verbose"],
        T::DebugTrace => &["debug", "trace"],
        T::DebugTraceVerbose => &["debug", "trace", "trace_verbose"],
        T::Logtime => &["logtime"],
        T::LogtimeUtc => &["logtime_utc"],
        T::User => &["username"],
        T::Pass => &["password"],
        T::Auth => &["authorization"],
        T::HttpPort => &["http_port"],
        T::HttpsPort => &["https_port"],
        T::PidFile => &["pid_file"],
        T::PortsFileDir => &["ports_file_dir"],
        T::LogFile => &["log_file"],
        T::LogSizeLimit => &["log_size_limit"],
        T::Syslog => &["syslog"],
        T::RemoteSyslog => &["remote_syslog"],
        T::Profile => &["prof_port"],
        T::Routes => &["routes"],
        T::ClusterListen => &["cluster.listen_str"],
        T::ClusterAdvertise => &["cluster.advertise"],
        T::NoAdvertise => &["cluster.no_advertise"],
        T::ConnectRetries => &["cluster.connect_retries"],
        T::ClusterName => &["cluster.name"],
        T::Tls => &["tls"],
        T::TlsVerify => &["tls_verify"],
        T::TlsCert => &["tls_cert"],
        T::TlsKey => &["tls_key"],
        T::TlsCaCert => &["tls_ca_cert"],
        T::MaxTracedMsgLen => &["max_traced_msg_len"],
        T::JetStream => &["jetstream"],
        T::StoreDir => &["store_dir"],
    }
}
