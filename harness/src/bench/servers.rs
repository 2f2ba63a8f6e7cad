//! Start the Go server or rnats as a child process on a free loopback port, wait until it accepts,
//! and kill it (by its own PID) when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Go = 0,
    Rust = 1,
}

impl ServerKind {
    pub fn label(self) -> &'static str {
        match self {
            ServerKind::Go => "go",
            ServerKind::Rust => "rnats",
        }
    }
}

pub struct ServerProc {
    child: Child,
    addr: SocketAddr,
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl ServerProc {
    pub fn start(kind: ServerKind, bin: &Path) -> Result<ServerProc> {
        let port = free_port()?;
        let child = Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} server {}", kind.label(), bin.display()))?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut p = ServerProc { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            if let Some(status) = p.child.try_wait()? {
                bail!("{} server exited at startup: {status}", kind.label());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} server did not listen on {addr} within 10s",
                    kind.label()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(p)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
