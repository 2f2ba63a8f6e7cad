//! The `process` backend: the server binary as a child process on loopback.
//!
//! Each server gets its own temporary directory for its config file, its ports file and its log. It
//! starts with `-a 127.0.0.1 -p -1 --ports_file_dir DIR` (and `-m -1` for monitoring), so the OS picks
//! free ports and no two runs can collide; readiness is the ports file that both servers write once
//! their listeners accept (Go's `Server.logPorts`). A restart reuses the ports the first start got,
//! retrying while the old socket is still being released. The child is killed by its own PID when the
//! [`ProcessServer`] is dropped, and on Linux it also dies with the harness (`PR_SET_PDEATHSIG`), so
//! neither a panic nor a killed harness leaves a server behind.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tempfile::TempDir;

use super::{Server, ServerSpec};

/// How long a graceful stop may take before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Attempts to bind the old ports again on restart.
const REBIND_ATTEMPTS: u32 = 20;

pub struct ProcessServer {
    spec: ServerSpec,
    dir: TempDir,
    child: Option<Child>,
    client: SocketAddr,
    monitor: Option<SocketAddr>,
    /// Number of processes started so far; each writes its own log file.
    starts: usize,
}

/// Addresses read from a ports file: `{"nats":["nats://h:p"],"monitoring":["http://h:p"]}`.
fn read_ports(path: &Path) -> Option<(SocketAddr, Option<SocketAddr>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let addr = |key: &str| -> Option<SocketAddr> {
        let url = v.get(key)?.as_array()?.first()?.as_str()?;
        url.split_once("://")?.1.trim_end_matches('/').parse().ok()
    };
    Some((addr("nats")?, addr("monitoring")))
}

/// The last `n` lines of a log, for error messages.
pub fn tail(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

impl ProcessServer {
    /// Starts the server on OS-chosen ports and waits until it is ready.
    pub fn start(spec: &ServerSpec) -> Result<ProcessServer> {
        let dir = tempfile::Builder::new()
            .prefix("harness-server-")
            .tempdir()
            .context("creating a server directory")?;
        std::fs::create_dir_all(dir.path().join("ports"))?;
        if let Some(conf) = &spec.config {
            std::fs::write(dir.path().join("server.conf"), conf)
                .context("writing the server config")?;
        }
        let mut spec = spec.clone();
        // The child runs in its own directory: a relative binary path must not change meaning.
        spec.bin = std::path::absolute(&spec.bin)
            .with_context(|| format!("resolving {}", spec.bin.display()))?;
        let mut s = ProcessServer {
            spec,
            dir,
            child: None,
            client: SocketAddr::from(([127, 0, 0, 1], 0)),
            monitor: None,
            starts: 0,
        };
        s.spawn(None)?;
        Ok(s)
    }

    fn log_path(&self, n: usize) -> PathBuf {
        self.dir.path().join(format!("server-{n}.log"))
    }

    /// Starts one process; `ports` = the ports to bind again (restart), else `-1` for both.
    fn spawn(&mut self, ports: Option<(u16, Option<u16>)>) -> Result<()> {
        let attempts = if ports.is_some() { REBIND_ATTEMPTS } else { 1 };
        // Retries are for a port still being released; they never add up past one ready timeout.
        let give_up = Instant::now() + self.spec.ready_timeout;
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                if Instant::now() > give_up {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            match self.spawn_once(ports) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| anyhow!("server did not start")))
    }

    fn spawn_once(&mut self, ports: Option<(u16, Option<u16>)>) -> Result<()> {
        let label = self.spec.kind.label();
        let n = self.starts;
        self.starts += 1;
        let log = File::create(self.log_path(n)).context("creating the server log")?;
        let port = ports.map_or("-1".to_string(), |p| p.0.to_string());
        let mut cmd = Command::new(&self.spec.bin);
        cmd.args(["-a", "127.0.0.1", "-p", &port, "--ports_file_dir"])
            .arg(self.dir.path().join("ports"));
        if self.spec.monitor {
            let m = ports
                .and_then(|p| p.1)
                .map_or("-1".to_string(), |m| m.to_string());
            cmd.args(["-m", &m]);
        }
        if self.spec.config.is_some() {
            cmd.arg("-c").arg(self.dir.path().join("server.conf"));
        }
        cmd.args(&self.spec.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        die_with_parent(&mut cmd);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting the {label} server {}", self.spec.bin.display()))?;
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + self.spec.ready_timeout;
        loop {
            if let Some((client, monitor)) = self.find_ports(pid) {
                if !self.spec.monitor || monitor.is_some() {
                    self.client = client;
                    self.monitor = monitor;
                    return Ok(());
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    self.child = None;
                    bail!(
                        "the {label} server exited at startup ({status}); its log:\n{}",
                        tail(&self.log(), 20)
                    );
                }
            }
            if Instant::now() > deadline {
                self.stop_now();
                bail!(
                    "the {label} server was not ready within {}ms; its log:\n{}",
                    self.spec.ready_timeout.as_millis(),
                    tail(&self.log(), 20)
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The ports file a server with this pid wrote (`<binary>_<pid>.ports`).
    fn find_ports(&self, pid: u32) -> Option<(SocketAddr, Option<SocketAddr>)> {
        let suffix = format!("_{pid}.ports");
        std::fs::read_dir(self.dir.path().join("ports"))
            .ok()?
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with(&suffix))
            .and_then(|e| read_ports(&e.path()))
    }

    fn stop_now(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn stop_gracefully(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) on our own child's pid; the child is not reaped yet, so the pid is ours.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        child.wait()?;
        Ok(())
    }

    fn ports(&self) -> (u16, Option<u16>) {
        (self.client.port(), self.monitor.map(|m| m.port()))
    }
}

/// Asks Linux to SIGKILL the child when the harness thread that spawned it dies, so even a harness
/// killed with SIGKILL leaves no server behind. Elsewhere `Drop` is the only guard.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches only the child's own process attributes.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

impl Server for ProcessServer {
    fn client_addr(&self) -> SocketAddr {
        self.client
    }

    fn monitor_addr(&self) -> Option<SocketAddr> {
        self.monitor
    }

    fn restart(&mut self) -> Result<()> {
        self.stop_gracefully()?;
        self.spawn(Some(self.ports()))
    }

    fn kill(&mut self) -> Result<()> {
        self.stop_now();
        Ok(())
    }

    fn start(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the {} server is already running", self.spec.kind.label());
        }
        self.spawn(Some(self.ports()))
    }

    fn log(&self) -> String {
        let mut out = String::new();
        for n in 0..self.starts {
            if n > 0 {
                out.push_str(&format!("--- start {} ---\n", n + 1));
            }
            out.push_str(&String::from_utf8_lossy(
                &std::fs::read(self.log_path(n)).unwrap_or_default(),
            ));
        }
        out
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for ProcessServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}
