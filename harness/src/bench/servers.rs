//! The servers a bench loads: the Go server or rnats started through the `process` backend on free
//! loopback ports, with identical flags, stopped (by their own PID) when dropped.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Result;

use crate::backend::process::ProcessServer;
pub use crate::backend::ServerKind;
use crate::backend::{Server, ServerSpec};

pub struct ServerProc {
    server: ProcessServer,
}

impl ServerProc {
    pub fn start(kind: ServerKind, bin: &Path) -> Result<ServerProc> {
        Self::start_with(kind, bin, None)
    }

    /// Start with a config file (written to the server's own directory, its working directory).
    pub fn start_with(kind: ServerKind, bin: &Path, config: Option<String>) -> Result<ServerProc> {
        let mut spec = ServerSpec::new(kind, bin);
        spec.config = config;
        let server = ProcessServer::start(&spec)?;
        Ok(ServerProc { server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.client_addr()
    }

    pub fn pid(&self) -> Option<u32> {
        self.server.pid()
    }
}
