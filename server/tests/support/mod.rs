//! Shared helpers for integration tests: start a server in-process on a random loopback port, and a raw
//! protocol connection that checks bytes on the wire exactly.
#![allow(dead_code)]

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
