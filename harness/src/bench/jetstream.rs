//! JetStream loads for `harness bench`, spoken in the raw protocol like the core loads so the
//! client library is never what is measured: publishes with PubAcks (one at a time, or a window
//! of 256 in flight) to memory and file streams (also with `sync_interval: always`), and reads of a file
//! stream by a pull consumer (batches of 500, explicit acks), a push consumer (ack none) and an
//! ordered consumer (flow control answered as clients answer it). Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use super::load::Outcome;

/// Payload size of every JetStream case.
pub const SIZE: usize = 128;
/// PubAcks in flight in the windowed cases.
pub const WINDOW: usize = 256;
/// Messages per pull request.
pub const PULL_BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Memory,
    File,
    /// A file stream on a server with `sync_interval: always` (an fsync before each PubAck).
    FileSyncAlways,
}

impl Storage {
    fn api(self) -> &'static str {
        match self {
            Storage::Memory => "memory",
            _ => "file",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Storage::Memory => "mem",
            Storage::File => "file",
            Storage::FileSyncAlways => "file+sync",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Wait for each PubAck before the next publish.
    PubSync(Storage),
    /// Keep [`WINDOW`] PubAcks in flight.
    PubAsync(Storage),
    /// Pull consumer, batches of [`PULL_BATCH`], an ack per message.
    Pull,
    /// Push consumer with ack none.
    Push,
    /// Ordered consumer replay (push, ack none, flow control, heartbeats).
    Ordered,
}

impl Case {
    pub const ALL: [Case; 9] = [
        Case::PubSync(Storage::Memory),
        Case::PubAsync(Storage::Memory),
        Case::PubSync(Storage::File),
        Case::PubAsync(Storage::File),
        Case::PubSync(Storage::FileSyncAlways),
        Case::PubAsync(Storage::FileSyncAlways),
        Case::Pull,
        Case::Push,
        Case::Ordered,
    ];

    pub fn name(self) -> String {
        match self {
            Case::PubSync(s) => format!("js pub {} sync", s.label()),
            Case::PubAsync(s) => format!("js pub {} x{WINDOW}", s.label()),
            Case::Pull => "js pull file".into(),
            Case::Push => "js push file".into(),
            Case::Ordered => "js ordered file".into(),
        }
    }

    /// Whether the server runs with `sync_interval: always`.
    pub fn sync_always(self) -> bool {
        matches!(
            self,
            Case::PubSync(Storage::FileSyncAlways) | Case::PubAsync(Storage::FileSyncAlways)
        )
    }

    /// Messages in one run at scale 1.0 (publishing one at a time is slow on every server).
    pub fn count(self, scale: f64) -> usize {
        let base = match self {
            // Go fsyncs each publish with sync_interval always, window or not.
            Case::PubSync(_) | Case::PubAsync(Storage::FileSyncAlways) => 10_000,
            _ => 200_000,
        };
        ((base as f64) * scale).max(500.0) as usize
    }
}

/// The server's config: JetStream with its store in the server's own directory.
pub fn server_config(case: Case) -> String {
    let sync = if case.sync_always() {
        "\n  sync_interval: always"
    } else {
        ""
    };
    format!("jetstream {{\n  store_dir: \"js\"{sync}\n}}\n")
}

/// One run of `case` with `n` messages against the server at `addr`.
pub fn run(case: Case, addr: SocketAddr, n: usize, limit: Duration) -> Result<Outcome> {
    let deadline = Instant::now() + limit;
    let mut c = Conn::open(addr)?;
    let storage = match case {
        Case::PubSync(s) | Case::PubAsync(s) => s,
        _ => Storage::File,
    };
    c.api(
        "$JS.API.STREAM.CREATE.BENCH",
        &format!(
            r#"{{"name":"BENCH","subjects":["js.bench"],"storage":"{}"}}"#,
            storage.api()
        ),
        deadline,
    )?;
    let rate = match case {
        Case::PubSync(_) => c.publish(n, 1, deadline)?,
        Case::PubAsync(_) => c.publish(n, WINDOW, deadline)?,
        Case::Pull => {
            c.publish(n, WINDOW, deadline)?;
            c.pull(n, deadline)?
        }
        Case::Push => {
            c.publish(n, WINDOW, deadline)?;
            c.push(n, false, deadline)?
        }
        Case::Ordered => {
            c.publish(n, WINDOW, deadline)?;
            c.push(n, true, deadline)?
        }
    };
    Ok(Outcome::Rate { msgs_per_sec: rate })
}

/// One received frame: MSG or HMSG.
struct Frame {
    sid: u64,
    reply: Option<String>,
    /// The header block (HMSG only).
    headers: Vec<u8>,
    payload: Vec<u8>,
}

/// A raw-protocol connection with blocking reads bounded by a short timeout, so every loop can
/// check its deadline.
struct Conn {
    w: TcpStream,
    r: BufReader<TcpStream>,
    out: Vec<u8>,
}

const SID_API: u64 = 1;
const SID_ACKS: u64 = 2;
const SID_DELIVER: u64 = 3;

impl Conn {
    fn open(addr: SocketAddr) -> Result<Conn> {
        let s = TcpStream::connect(addr).with_context(|| format!("connect {addr}"))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut r = BufReader::with_capacity(512 * 1024, s.try_clone()?);
        let mut line = String::new();
        r.read_line(&mut line)?;
        if !line.starts_with("INFO") {
            bail!("expected INFO, got {line:?}");
        }
        let mut w = s;
        w.write_all(
            b"CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n\
              SUB _INBOX.bench.api 1\r\nSUB _INBOX.bench.acks 2\r\n",
        )?;
        Ok(Conn {
            w,
            r,
            out: Vec::with_capacity(128 * 1024),
        })
    }

    /// The next frame, or None when the read timed out; answers PINGs, fails on -ERR.
    fn frame(&mut self) -> Result<Option<Frame>> {
        let mut line = Vec::with_capacity(160);
        loop {
            line.clear();
            match self.r.read_until(b'\n', &mut line) {
                Ok(0) => bail!("connection closed"),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    // A partial line stays in `line`: keep reading it to the end.
                    if line.is_empty() {
                        return Ok(None);
                    }
                    let mut rest = Vec::new();
                    loop {
                        match self.r.read_until(b'\n', &mut rest) {
                            Ok(0) => bail!("connection closed"),
                            Ok(_) if rest.ends_with(b"\n") => break,
                            Ok(_) => {}
                            Err(e)
                                if matches!(
                                    e.kind(),
                                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                                ) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                    line.extend_from_slice(&rest);
                }
                Err(e) => return Err(e.into()),
            }
            let text = std::str::from_utf8(&line).map_err(|_| anyhow!("non-UTF-8 line"))?;
            let text = text.trim_end();
            if text == "PING" {
                self.w.write_all(b"PONG\r\n")?;
                continue;
            }
            if text.starts_with("-ERR") {
                bail!("server error: {text}");
            }
            let parts: Vec<&str> = text.split(' ').collect();
            let (hmsg, args) = match parts.first() {
                Some(&"MSG") => (false, &parts[1..]),
                Some(&"HMSG") => (true, &parts[1..]),
                _ => continue,
            };
            let sizes = if hmsg { 2 } else { 1 };
            if args.len() < 2 + sizes || args.len() > 3 + sizes {
                bail!("bad frame line {text:?}");
            }
            let sid: u64 = args[1].parse()?;
            let reply = (args.len() == 3 + sizes).then(|| args[2].to_string());
            let total: usize = args[args.len() - 1].parse()?;
            let hdr: usize = if hmsg {
                args[args.len() - 2].parse()?
            } else {
                0
            };
            let mut body = vec![0u8; total + 2];
            self.read_exact(&mut body)?;
            body.truncate(total);
            let payload = body.split_off(hdr.min(total));
            return Ok(Some(Frame {
                sid,
                reply,
                headers: body,
                payload,
            }));
        }
    }

    /// `read_exact` that waits out read timeouts (the frame line is already taken).
    fn read_exact(&mut self, mut buf: &mut [u8]) -> Result<()> {
        while !buf.is_empty() {
            match self.r.read(buf) {
                Ok(0) => bail!("connection closed inside a payload"),
                Ok(k) => buf = &mut buf[k..],
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// A JetStream API request; fails on an error answer.
    fn api(&mut self, subject: &str, body: &str, deadline: Instant) -> Result<Vec<u8>> {
        let req = format!(
            "PUB {subject} _INBOX.bench.api {}\r\n{body}\r\n",
            body.len()
        );
        self.w.write_all(req.as_bytes())?;
        loop {
            if Instant::now() > deadline {
                bail!("no answer to {subject}");
            }
            let Some(f) = self.frame()? else { continue };
            if f.sid == SID_API {
                if contains(&f.payload, b"\"error\"") {
                    bail!("{subject} failed: {}", String::from_utf8_lossy(&f.payload));
                }
                return Ok(f.payload);
            }
        }
    }

    /// Publish `n` messages to the stream with at most `window` PubAcks outstanding; msgs/s.
    fn publish(&mut self, n: usize, window: usize, deadline: Instant) -> Result<f64> {
        let mut one = format!("PUB js.bench _INBOX.bench.acks {SIZE}\r\n").into_bytes();
        one.extend(std::iter::repeat_n(b'x', SIZE));
        one.extend_from_slice(b"\r\n");
        let start = Instant::now();
        let (mut sent, mut acked) = (0usize, 0usize);
        while acked < n {
            let room = (window - (sent - acked)).min(n - sent);
            if room > 0 {
                self.out.clear();
                for _ in 0..room {
                    self.out.extend_from_slice(&one);
                }
                self.w.write_all(&self.out)?;
                sent += room;
            }
            if Instant::now() > deadline {
                bail!("publish timed out after {acked} of {n} acks");
            }
            // Take every ack already here, at least one.
            let Some(f) = self.frame()? else { continue };
            if f.sid == SID_ACKS {
                if !f.payload.starts_with(b"{\"stream\"") {
                    bail!("bad PubAck {}", String::from_utf8_lossy(&f.payload));
                }
                acked += 1;
            }
            while acked < n && !self.r.buffer().is_empty() {
                let Some(f) = self.frame()? else { break };
                if f.sid == SID_ACKS {
                    if !f.payload.starts_with(b"{\"stream\"") {
                        bail!("bad PubAck {}", String::from_utf8_lossy(&f.payload));
                    }
                    acked += 1;
                }
            }
        }
        Ok(n as f64 / start.elapsed().as_secs_f64())
    }

    /// Read the stream with a durable pull consumer: batches of [`PULL_BATCH`], each message
    /// acked; msgs/s from the consumer's creation to the last message.
    fn pull(&mut self, n: usize, deadline: Instant) -> Result<f64> {
        self.w.write_all(b"SUB _INBOX.bench.pull 3\r\n")?;
        let start = Instant::now();
        self.api(
            "$JS.API.CONSUMER.CREATE.BENCH.PULL",
            r#"{"stream_name":"BENCH","config":{"durable_name":"PULL","name":"PULL","ack_policy":"explicit"}}"#,
            deadline,
        )?;
        let req = format!("{{\"batch\":{PULL_BATCH},\"expires\":5000000000}}");
        let next = format!(
            "PUB $JS.API.CONSUMER.MSG.NEXT.BENCH.PULL _INBOX.bench.pull {}\r\n{req}\r\n",
            req.len()
        );
        let mut got = 0usize;
        let mut in_batch = 0usize;
        self.w.write_all(next.as_bytes())?;
        while got < n {
            if Instant::now() > deadline {
                bail!("pull timed out after {got} of {n} messages");
            }
            self.out.clear();
            let mut frames = 0;
            while frames == 0 || (!self.r.buffer().is_empty() && frames < 1024) {
                let Some(f) = self.frame()? else { break };
                frames += 1;
                if f.sid != SID_DELIVER {
                    continue;
                }
                if !f.headers.is_empty() && is_status(&f.headers) {
                    // 408 or 404 ends a request early: ask again.
                    in_batch = PULL_BATCH;
                } else if let Some(reply) = &f.reply {
                    got += 1;
                    in_batch += 1;
                    self.out
                        .extend_from_slice(format!("PUB {reply} 0\r\n\r\n").as_bytes());
                }
                if in_batch >= PULL_BATCH && got < n {
                    in_batch = 0;
                    self.out.extend_from_slice(next.as_bytes());
                }
            }
            if !self.out.is_empty() {
                self.w.write_all(&self.out)?;
            }
        }
        Ok(n as f64 / start.elapsed().as_secs_f64())
    }

    /// Read the stream with a push consumer (ack none); `ordered` makes it the consumer clients
    /// create for ordered replay and answers its flow-control requests. msgs/s from the
    /// consumer's creation to the last message.
    fn push(&mut self, n: usize, ordered: bool, deadline: Instant) -> Result<f64> {
        self.w.write_all(b"SUB _INBOX.bench.push 3\r\n")?;
        let start = Instant::now();
        let body = if ordered {
            r#"{"stream_name":"BENCH","config":{"deliver_subject":"_INBOX.bench.push","deliver_policy":"all","ack_policy":"none","max_deliver":1,"flow_control":true,"idle_heartbeat":5000000000,"mem_storage":true,"num_replicas":1,"inactive_threshold":300000000000}}"#
        } else {
            r#"{"stream_name":"BENCH","config":{"deliver_subject":"_INBOX.bench.push","deliver_policy":"all","ack_policy":"none"}}"#
        };
        self.api("$JS.API.CONSUMER.CREATE.BENCH", body, deadline)?;
        let mut got = 0usize;
        while got < n {
            if Instant::now() > deadline {
                bail!("push timed out after {got} of {n} messages");
            }
            let Some(f) = self.frame()? else { continue };
            if f.sid != SID_DELIVER {
                continue;
            }
            if !f.headers.is_empty() && is_status(&f.headers) {
                if let Some(reply) = f.reply {
                    // A flow-control request: answer it as clients do.
                    self.w
                        .write_all(format!("PUB {reply} 0\r\n\r\n").as_bytes())?;
                }
                continue;
            }
            got += 1;
        }
        Ok(n as f64 / start.elapsed().as_secs_f64())
    }
}

/// A status message (`NATS/1.0 <code>...`), as opposed to a stored message with headers.
fn is_status(headers: &[u8]) -> bool {
    headers.len() > 12 && headers.starts_with(b"NATS/1.0 ") && headers[9].is_ascii_digit()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_told_from_stored_headers() {
        assert!(is_status(b"NATS/1.0 100 FlowControl Request\r\n\r\n"));
        assert!(is_status(b"NATS/1.0 408 Request Timeout\r\n\r\n"));
        assert!(!is_status(b"NATS/1.0\r\nA: b\r\n\r\n"));
    }

    #[test]
    fn names_are_distinct() {
        let names: std::collections::HashSet<String> = Case::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Case::ALL.len());
        assert!(Case::PubSync(Storage::FileSyncAlways).sync_always());
        assert!(server_config(Case::PubAsync(Storage::FileSyncAlways))
            .contains("sync_interval: always"));
        assert!(!server_config(Case::Pull).contains("sync_interval"));
    }
}
