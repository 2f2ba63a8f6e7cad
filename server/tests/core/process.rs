//! The `rnats-server` binary as a child process, for behaviour that only a process shows: signals, exit
//! codes, pid and log files, `-V` trace lines. Each child listens on a random loopback port (found through
//! its ports file), gets its own scratch directory, is signalled only by its own PID, and is killed by its
//! PID if a test ends early.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{sleep, Instant};

/// How long a child may take to start or stop: generous, a debug binary on a busy machine is slow.
pub const PROC_WAIT: Duration = Duration::from_secs(20);

/// A scratch directory removed when dropped.
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    pub fn new(tag: &str) -> ScratchDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "rnats-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        ScratchDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct ServerProc {
    child: Child,
    status: Option<ExitStatus>,
    pub dir: ScratchDir,
    pub addr: SocketAddr,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl ServerProc {
    /// Start the binary on 127.0.0.1 with a random port and `args`, and wait until it listens.
    pub async fn start(args: &[&str]) -> ServerProc {
        Self::start_with(args, None).await
    }

    /// As `start`, with no file of the child allowed past `max_file_bytes` (`RLIMIT_FSIZE`, with
    /// `SIGXFSZ` ignored): writes beyond it fail as on a full disk.
    pub async fn start_with_file_limit(args: &[&str], max_file_bytes: u64) -> ServerProc {
        Self::start_with(args, Some(max_file_bytes)).await
    }

    async fn start_with(args: &[&str], max_file_bytes: Option<u64>) -> ServerProc {
        let dir = ScratchDir::new("proc");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rnats-server"));
        cmd.args(["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(limit) = max_file_bytes {
            use std::os::unix::process::CommandExt;
            // SAFETY: between fork and exec only async-signal-safe calls are made (signal and
            // setrlimit), touching nothing of the parent's state.
            unsafe {
                cmd.pre_exec(move || {
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    let lim = libc::rlimit {
                        rlim_cur: limit as libc::rlim_t,
                        rlim_max: limit as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().expect("spawn rnats-server");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let sink = stderr.clone();
            // Drain stderr so a chatty child (-V) never blocks on a full pipe; ends at the child's exit.
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = std::io::Read::read(&mut pipe, &mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut s) = sink.lock() {
                        s.extend_from_slice(&buf[..n]);
                    }
                }
            });
        }
        let mut p = ServerProc {
            child,
            status: None,
            dir,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        p.addr = p.read_ports_file().await;
        p
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The nats URL of the child.
    pub fn url(&self) -> String {
        format!("nats://{}", self.addr)
    }

    async fn read_ports_file(&mut self) -> SocketAddr {
        let suffix = format!("_{}.ports", self.pid());
        let deadline = Instant::now() + PROC_WAIT;
        loop {
            let found = std::fs::read_dir(self.dir.path())
                .ok()
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(&suffix));
            if let Some(text) = found.and_then(|p| std::fs::read_to_string(p).ok()) {
                if let Ok(ports) = serde_json::from_str::<server::signals::Ports>(&text) {
                    let url = ports.nats.first().cloned().unwrap_or_default();
                    let hp = url.split_once("://").map_or(url.as_str(), |(_, hp)| hp);
                    return hp
                        .parse()
                        .unwrap_or_else(|e| panic!("bad ports file {text:?}: {e}"));
                }
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                panic!("server exited at startup ({st}): {}", self.stderr_text());
            }
            assert!(
                Instant::now() < deadline,
                "no ports file; stderr: {}",
                self.stderr_text()
            );
            sleep(Duration::from_millis(20)).await;
        }
    }

    /// Send `sig` to this child, by its PID.
    pub fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits pid_t");
        // SAFETY: kill only sends a signal, to the process this test spawned and has not reaped yet.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig}) failed");
    }

    /// Wait for the child to exit on its own, returning its status.
    pub async fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PROC_WAIT;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                self.status = Some(st);
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit; stderr: {}",
                self.stderr_text()
            );
            sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything the child wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        let s = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        String::from_utf8_lossy(&s).into_owned()
    }

    /// Wait until a stderr line satisfies `pred`, returning that line.
    pub async fn wait_for_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PROC_WAIT;
        loop {
            if let Some(l) = self.stderr_text().lines().find(|l| pred(l)) {
                return l.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {what}; stderr:\n{}",
                self.stderr_text()
            );
            sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        if self.status.is_none() {
            // Child::kill signals this child's own PID (SIGKILL); then reap it.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Wait until `path` exists and its content satisfies `pred`, returning the content.
pub async fn wait_for_file(path: &Path, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PROC_WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if pred(&text) {
                return text;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never had {what}",
            path.display()
        );
        sleep(Duration::from_millis(20)).await;
    }
}

/// Run the binary with `args` (nothing added) until it exits by itself, returning its exit code and
/// stderr. A child still running after [`PROC_WAIT`] is killed by its PID and the test fails.
pub async fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rnats-server"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rnats-server");
    let deadline = Instant::now() + PROC_WAIT;
    loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            let mut err = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
            }
            return (st.code(), err);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rnats-server {args:?} did not exit");
        }
        sleep(Duration::from_millis(20)).await;
    }
}
