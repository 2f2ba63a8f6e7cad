//! The `container` backend, behind the `container` cargo feature: meant to run each server from an
//! image (the official `nats` image for Go) on machines with Docker.
//!
//! What this build does: it finds out whether a Docker engine is reachable (`DOCKER_HOST`, else
//! `/var/run/docker.sock`) and says so plainly. Driving containers (testcontainers) is not compiled in:
//! that dependency tree would multiply the harness's build time on small CI machines, so with an engine
//! present the backend still declines, naming the `process` backend as the one to use.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Result};

use super::{Server, ServerSpec};

/// Where a Docker engine would listen, from `DOCKER_HOST` or the default socket.
fn engine_address() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string())
}

/// Whether something accepts connections at the engine address.
fn engine_reachable(addr: &str) -> bool {
    if let Some(path) = addr.strip_prefix("unix://") {
        return Path::new(path).exists() && std::os::unix::net::UnixStream::connect(path).is_ok();
    }
    if let Some(hostport) = addr.strip_prefix("tcp://") {
        use std::net::ToSocketAddrs;
        return hostport.to_socket_addrs().is_ok_and(|mut addrs| {
            addrs.any(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
        });
    }
    false
}

/// Why the container backend cannot run here.
pub fn available() -> Result<()> {
    if !cfg!(feature = "container") {
        bail!(
            "this harness was built without the `container` feature \
             (cargo run -p harness --features container -- ...); use --backend process"
        );
    }
    let addr = engine_address();
    if !engine_reachable(&addr) {
        bail!(
            "no Docker engine is reachable at {addr} (set DOCKER_HOST to reach another one); \
             the container backend needs Docker: use --backend process"
        );
    }
    bail!(
        "a Docker engine is reachable at {addr}, but this build does not drive containers \
         (testcontainers is left out to keep builds light); use --backend process"
    )
}

pub fn launch(_spec: &ServerSpec) -> Result<Box<dyn Server>> {
    available()?;
    bail!("the container backend is unavailable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_why_it_cannot_run() {
        let e = available().expect_err("no container runtime in this build");
        let text = e.to_string();
        assert!(
            text.contains("Docker engine") || text.contains("`container` feature"),
            "{text}"
        );
        assert!(text.contains("--backend process"), "{text}");
    }

    #[test]
    fn unknown_engine_addresses_are_unreachable() {
        assert!(!engine_reachable("unix:///nonexistent/docker.sock"));
        assert!(!engine_reachable("npipe:////./pipe/docker_engine"));
    }
}
