//! Where the servers under test run: a `process` backend (default, a child process on loopback) and a
//! `container` backend behind the `container` cargo feature. Scenarios and `harness bench` start the Go
//! server and rnats through this one interface, with the same flags, so neither gets an advantage.
//!
//! Rule: a [`Server`] owns its server until dropped; dropping it always stops the server, so no scenario
//! outcome (error, timeout, panic) can leave a process behind.

pub mod container;
pub mod process;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;

/// Which implementation a server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerKind {
    Go = 0,
    Rust = 1,
}

impl ServerKind {
    pub const BOTH: [ServerKind; 2] = [ServerKind::Go, ServerKind::Rust];

    pub fn label(self) -> &'static str {
        match self {
            ServerKind::Go => "go",
            ServerKind::Rust => "rnats",
        }
    }
}

/// How to run one server: binary, extra flags, an optional config file text and a monitoring port.
/// The backend adds the listen flags (`-a 127.0.0.1 -p ...`) itself.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub kind: ServerKind,
    pub bin: PathBuf,
    pub args: Vec<String>,
    /// Written to `server.conf` in the server's own directory and passed with `-c`.
    pub config: Option<String>,
    /// Also open the HTTP monitoring port (`-m`).
    pub monitor: bool,
    /// How long the server may take to become ready.
    pub ready_timeout: std::time::Duration,
}

impl ServerSpec {
    pub fn new(kind: ServerKind, bin: impl Into<PathBuf>) -> ServerSpec {
        ServerSpec {
            kind,
            bin: bin.into(),
            args: Vec::new(),
            config: None,
            monitor: false,
            ready_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// A running server under test.
pub trait Server: Send {
    /// The client port's address.
    fn client_addr(&self) -> SocketAddr;
    /// The monitoring port's address, when the spec asked for one.
    fn monitor_addr(&self) -> Option<SocketAddr>;
    /// Stops the server gracefully (SIGTERM, then SIGKILL after a grace period) and starts it again on
    /// the same ports.
    fn restart(&mut self) -> Result<()>;
    /// Kills the server with SIGKILL; [`Server::start`] brings it back on the same ports.
    fn kill(&mut self) -> Result<()>;
    fn start(&mut self) -> Result<()>;
    /// Everything the server logged so far (all incarnations).
    fn log(&self) -> String;
    /// The OS process id while running (the process backend only).
    fn pid(&self) -> Option<u32>;
}

/// The available backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Process,
    Container,
}

impl BackendKind {
    pub fn parse(s: &str) -> Option<BackendKind> {
        match s {
            "process" => Some(BackendKind::Process),
            "container" => Some(BackendKind::Container),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Process => "process",
            BackendKind::Container => "container",
        }
    }

    /// Starts a server and waits until it accepts clients.
    pub fn launch(self, spec: &ServerSpec) -> Result<Box<dyn Server>> {
        match self {
            BackendKind::Process => Ok(Box::new(process::ProcessServer::start(spec)?)),
            BackendKind::Container => container::launch(spec),
        }
    }

    /// Whether this backend can run here at all; the reason when it cannot.
    pub fn available(self) -> Result<()> {
        match self {
            BackendKind::Process => Ok(()),
            BackendKind::Container => container::available(),
        }
    }
}
