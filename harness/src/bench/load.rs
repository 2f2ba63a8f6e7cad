//! The load generator: raw NATS protocol clients on blocking sockets, one thread each.
//! Publishers write pre-built batches; subscribers parse MSG frames and count them.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    PubOnly,
    PubSub,
    FanOut4,
    Queue4,
    RequestReply,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::PubOnly,
        Scenario::PubSub,
        Scenario::FanOut4,
        Scenario::Queue4,
        Scenario::RequestReply,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::PubOnly => "pub-only",
            Scenario::PubSub => "pub-sub 1:1",
            Scenario::FanOut4 => "fan-out 1:4",
            Scenario::Queue4 => "queue x4",
            Scenario::RequestReply => "request-reply",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Messages per second (delivered messages for scenarios with subscribers).
    Rate {
        msgs_per_sec: f64,
    },
    Latency {
        p50: Duration,
        p99: Duration,
    },
    /// Resident memory of the server process, in KiB.
    Memory {
        rss_kib: u64,
    },
}

impl Outcome {
    /// The value runs are ordered by (higher is better).
    fn score(&self) -> f64 {
        match self {
            Outcome::Rate { msgs_per_sec } => *msgs_per_sec,
            Outcome::Latency { p99, .. } => -p99.as_secs_f64(),
            Outcome::Memory { rss_kib } => -(*rss_kib as f64),
        }
    }

    /// The median of several runs (the lower middle for an even count).
    pub fn median(mut runs: Vec<Outcome>) -> Option<Outcome> {
        runs.sort_by(|a, b| a.score().total_cmp(&b.score()));
        let mid = runs.len().checked_sub(1)? / 2;
        Some(runs.swap_remove(mid))
    }

    /// The better of two runs.
    pub fn best(self, other: Outcome) -> Outcome {
        match (&self, &other) {
            (Outcome::Rate { msgs_per_sec: a }, Outcome::Rate { msgs_per_sec: b }) if b > a => {
                other
            }
            (Outcome::Latency { p99: a, .. }, Outcome::Latency { p99: b, .. }) if b < a => other,
            _ => self,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Rate { msgs_per_sec } => write!(f, "{:.0} msg/s", msgs_per_sec),
            Outcome::Latency { p50, p99 } => {
                write!(f, "p50 {}us p99 {}us", p50.as_micros(), p99.as_micros())
            }
            Outcome::Memory { rss_kib } => write!(f, "{:.1} MiB", *rss_kib as f64 / 1024.0),
        }
    }
}

/// A connected raw client: INFO consumed, CONNECT sent, one PING/PONG done.
fn connect(addr: SocketAddr) -> Result<(TcpStream, BufReader<TcpStream>)> {
    let s = TcpStream::connect(addr).with_context(|| format!("connect {addr}"))?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut r = BufReader::with_capacity(256 * 1024, s.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    if !line.starts_with("INFO") {
        bail!("expected INFO, got {line:?}");
    }
    let mut w = s;
    w.write_all(b"CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n")?;
    expect_pong(&mut r)?;
    Ok((w, r))
}

fn expect_pong(r: &mut BufReader<TcpStream>) -> Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            bail!("connection closed while waiting for PONG");
        }
        match line.as_str() {
            "PONG\r\n" => return Ok(()),
            "PING\r\n" => r.get_mut().write_all(b"PONG\r\n")?,
            l if l.starts_with("-ERR") => bail!("server error: {l}"),
            _ => {}
        }
    }
}

/// Read until `n` MSG frames arrived (or `stop` is set), answering PINGs. Returns frames seen.
fn count_msgs(r: &mut BufReader<TcpStream>, n: usize, deadline: Instant) -> Result<usize> {
    let mut seen = 0;
    let mut line = Vec::with_capacity(256);
    while seen < n {
        if Instant::now() > deadline {
            bail!("timed out after {seen} of {n} messages");
        }
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            bail!("connection closed after {seen} of {n} messages");
        }
        if line.starts_with(b"MSG ") {
            let size = parse_size(&line)
                .ok_or_else(|| anyhow!("bad MSG line {:?}", String::from_utf8_lossy(&line)))?;
            skip(r, size + 2)?;
            seen += 1;
        } else if line.starts_with(b"PING") {
            r.get_mut().write_all(b"PONG\r\n")?;
        } else if line.starts_with(b"-ERR") {
            bail!("server error: {}", String::from_utf8_lossy(&line));
        }
    }
    Ok(seen)
}

fn parse_size(line: &[u8]) -> Option<usize> {
    let l = line.strip_suffix(b"\r\n")?;
    let last = l.rsplit(|b| *b == b' ').next()?;
    std::str::from_utf8(last).ok()?.parse().ok()
}

fn skip(r: &mut BufReader<TcpStream>, mut n: usize) -> Result<()> {
    while n > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            bail!("connection closed inside a payload");
        }
        let k = buf.len().min(n);
        r.consume(k);
        n -= k;
    }
    Ok(())
}

/// Counts MSG frames from a subscriber socket with large reads and an in-buffer scan, so the load
/// generator's subscriber is not the bottleneck it would be reading line by line.
struct FrameReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Payload bytes (and CRLF) still to skip from the last MSG line.
    skip: usize,
}

impl FrameReader {
    fn new() -> FrameReader {
        FrameReader {
            buf: vec![0; 512 * 1024],
            start: 0,
            end: 0,
            skip: 0,
        }
    }

    /// Read once and count the complete MSG frames now available (answering PINGs on `w`).
    fn read_count(&mut self, r: &mut impl Read, w: &mut impl Write) -> Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len();
            self.buf.resize(n * 2, 0);
        }
        let n = r.read(&mut self.buf[self.end..])?;
        if n == 0 {
            bail!("connection closed");
        }
        self.end += n;
        let mut count = 0;
        loop {
            if self.skip > 0 {
                let k = self.skip.min(self.end - self.start);
                self.start += k;
                self.skip -= k;
                if self.skip > 0 {
                    break;
                }
            }
            let avail = &self.buf[self.start..self.end];
            let Some(nl) = memchr::memchr(b'\n', avail) else {
                break;
            };
            let line = &avail[..=nl];
            if line.starts_with(b"MSG ") {
                let size = parse_size(line)
                    .ok_or_else(|| anyhow!("bad MSG line {:?}", String::from_utf8_lossy(line)))?;
                self.skip = size + 2;
                count += 1;
            } else if line.starts_with(b"PING") {
                w.write_all(b"PONG\r\n")?;
            } else if line.starts_with(b"-ERR") {
                bail!("server error: {}", String::from_utf8_lossy(line));
            }
            self.start += nl + 1;
        }
        Ok(count)
    }
}

/// A batch of `PUB <subject> <size>` frames, about 64 KiB.
fn pub_batch(subject: &str, size: usize) -> (Vec<u8>, usize) {
    let payload = vec![b'x'; size];
    let mut one = format!("PUB {subject} {size}\r\n").into_bytes();
    one.extend_from_slice(&payload);
    one.extend_from_slice(b"\r\n");
    let per = (65536 / one.len()).max(1);
    (one.repeat(per), per)
}

fn publish(w: &mut TcpStream, subject: &str, size: usize, n: usize) -> Result<()> {
    let (batch, per) = pub_batch(subject, size);
    let one = batch.len() / per;
    let mut left = n;
    while left >= per {
        w.write_all(&batch)?;
        left -= per;
    }
    w.write_all(&batch[..left * one])?;
    Ok(())
}

pub fn run(
    s: Scenario,
    addr: SocketAddr,
    size: usize,
    n: usize,
    limit: Duration,
) -> Result<Outcome> {
    let deadline = Instant::now() + limit;
    match s {
        Scenario::PubOnly => {
            let (mut w, mut r) = connect(addr)?;
            let start = Instant::now();
            publish(&mut w, "bench", size, n)?;
            w.write_all(b"PING\r\n")?;
            expect_pong(&mut r)?;
            Ok(Outcome::Rate {
                msgs_per_sec: n as f64 / start.elapsed().as_secs_f64(),
            })
        }
        Scenario::PubSub => fan(addr, size, n, 1, None, deadline),
        Scenario::FanOut4 => fan(addr, size, n, 4, None, deadline),
        Scenario::Queue4 => fan(addr, size, n, 4, Some("q"), deadline),
        Scenario::RequestReply => request_reply(addr, size, n, deadline),
    }
}

/// `subs` subscribers on `bench` (a queue group when `queue` is set) and one publisher of `n` messages.
/// The rate is delivered messages per second.
fn fan(
    addr: SocketAddr,
    size: usize,
    n: usize,
    subs: usize,
    queue: Option<&str>,
    deadline: Instant,
) -> Result<Outcome> {
    let per_sub = if queue.is_some() { None } else { Some(n) };
    let total = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let ready = Arc::new(Barrier::new(subs + 1));
    let mut handles = Vec::new();
    for i in 0..subs {
        let (mut w, mut r) = connect(addr)?;
        let sub = match queue {
            Some(q) => format!("SUB bench {q} {}\r\nPING\r\n", i + 1),
            None => format!("SUB bench {}\r\nPING\r\n", i + 1),
        };
        w.write_all(sub.as_bytes())?;
        expect_pong(&mut r)?;
        let (ready, total, failed) = (ready.clone(), total.clone(), failed.clone());
        handles.push(thread::spawn(move || -> Result<()> {
            ready.wait();
            let want = per_sub.unwrap_or(n);
            let mut seen = 0;
            let mut frames = FrameReader::new();
            let mut sock = r.into_inner();
            sock.set_read_timeout(Some(Duration::from_millis(200)))?;
            while seen < want {
                if failed.load(Ordering::Relaxed) || Instant::now() > deadline {
                    bail!("stopped after {seen} messages");
                }
                if per_sub.is_none() && total.load(Ordering::Relaxed) >= n {
                    break;
                }
                let got = match frames.read_count(&mut sock, &mut w) {
                    Ok(k) => k,
                    Err(e) => match e.downcast_ref::<std::io::Error>() {
                        Some(io)
                            if matches!(
                                io.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) =>
                        {
                            0
                        }
                        _ => return Err(e.context(format!("after {seen} messages"))),
                    },
                };
                seen += got;
                if per_sub.is_none() && got > 0 {
                    total.fetch_add(got, Ordering::Relaxed);
                }
            }
            Ok(())
        }));
    }
    let (mut pw, _pr) = connect(addr)?;
    ready.wait();
    let start = Instant::now();
    publish(&mut pw, "bench", size, n)?;
    let mut err = None;
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                failed.store(true, Ordering::Relaxed);
                err.get_or_insert(e);
            }
            Err(_) => {
                err.get_or_insert(anyhow!("subscriber thread panicked"));
            }
        }
    }
    if let Some(e) = err {
        return Err(e);
    }
    let delivered = per_sub.map_or(n, |p| p * subs);
    Ok(Outcome::Rate {
        msgs_per_sec: delivered as f64 / start.elapsed().as_secs_f64(),
    })
}

/// Sequential requests through a responder; latency percentiles of the round trip.
fn request_reply(addr: SocketAddr, size: usize, n: usize, deadline: Instant) -> Result<Outcome> {
    let (mut rw, mut rr) = connect(addr)?;
    rw.write_all(b"SUB req 1\r\nPING\r\n")?;
    expect_pong(&mut rr)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let responder = thread::spawn(move || -> Result<()> {
        let mut line = Vec::with_capacity(256);
        let mut payload = Vec::new();
        rr.get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))?;
        while !stop2.load(Ordering::Relaxed) {
            line.clear();
            match rr.read_until(b'\n', &mut line) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => return Err(e.into()),
            }
            if line.starts_with(b"MSG ") {
                // MSG req 1 <reply> <size>
                let text = String::from_utf8_lossy(&line).into_owned();
                let parts: Vec<&str> = text.trim_end().split(' ').collect();
                if parts.len() != 5 {
                    bail!("request without reply: {text:?}");
                }
                let sz: usize = parts[4].parse()?;
                payload.resize(sz + 2, 0);
                rr.read_exact(&mut payload)?;
                let mut out = format!("PUB {} {}\r\n", parts[3], sz).into_bytes();
                out.extend_from_slice(&payload);
                rw.write_all(&out)?;
            } else if line.starts_with(b"PING") {
                rw.write_all(b"PONG\r\n")?;
            }
        }
        Ok(())
    });
    let (mut w, mut r) = connect(addr)?;
    w.write_all(b"SUB inbox 1\r\nPING\r\n")?;
    expect_pong(&mut r)?;
    let mut frame = format!("PUB req inbox {size}\r\n").into_bytes();
    frame.extend(std::iter::repeat_n(b'x', size));
    frame.extend_from_slice(b"\r\n");
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        w.write_all(&frame)?;
        count_msgs(&mut r, 1, deadline)?;
        lat.push(t.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    drop(w);
    let _ = responder.join();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    Ok(Outcome::Latency {
        p50: pct(0.50),
        p99: pct(0.99),
    })
}

/// Open `n` idle client connections (each completes CONNECT and a PING/PONG) and return them, so the
/// caller can read the server's memory while they are open.
pub fn idle_connections(addr: SocketAddr, n: usize) -> Result<Vec<TcpStream>> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let (w, _r) = connect(addr)?;
        conns.push(w);
    }
    Ok(conns)
}

/// Resident set size of a process, from /proc/<pid>/status (KiB).
pub fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS for pid {pid}"))
}

/// A trivial TCP sink speaking just enough protocol for pub-only (INFO, PONG for each PING): the load
/// generator's ceiling, to show the client is not what limits the servers.
pub fn sink_rate(size: usize, n: usize) -> Result<f64> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let sink = thread::spawn(move || -> Result<()> {
        let (mut s, _) = listener.accept()?;
        s.write_all(b"INFO {}\r\n")?;
        let finder = memchr::memmem::Finder::new(b"PING\r\n");
        let mut buf = vec![0u8; 256 * 1024];
        let mut carry = 0usize;
        loop {
            let k = s.read(&mut buf[carry..])?;
            if k == 0 {
                return Ok(());
            }
            let end = carry + k;
            for _ in finder.find_iter(&buf[..end]) {
                s.write_all(b"PONG\r\n")?;
            }
            // Keep the last 5 bytes in case a PING straddles two reads.
            let keep = end.min(5);
            buf.copy_within(end - keep..end, 0);
            carry = keep;
        }
    });
    let rate = match run(Scenario::PubOnly, addr, size, n, Duration::from_secs(60))? {
        Outcome::Rate { msgs_per_sec } => msgs_per_sec,
        _ => 0.0,
    };
    let _ = sink.join();
    Ok(rate)
}
