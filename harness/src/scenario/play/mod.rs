//! Plays one scenario against one server and writes down what happened: a transcript of what was
//! sent and received (normalized as it is recorded), and the first expectation the server did not
//! meet. Playing stops at that point; the transcript ends with a `!!` line saying why.
//!
//! Every wait has a deadline (the step's timeout, never past the scenario's limit), and the server is
//! owned here, so it stops when `play` returns or unwinds.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use super::client::{Conn, Got, Item};
use super::format::{Action, Expect, Scenario};
use super::normalize::{escape, json_shape, payload, Normalizer};
use crate::backend::{BackendKind, Server, ServerSpec};

/// After the last step, how long to keep listening for anything the scenario did not read.
const SETTLE: Duration = Duration::from_millis(30);

/// What one server did with a scenario.
#[derive(Debug, Clone)]
pub struct Played {
    pub transcript: Vec<String>,
    /// The first unmet expectation, `step N (file:line): ...`.
    pub failure: Option<String>,
    pub log: String,
    pub seconds: f64,
}

struct Client {
    conn: Conn,
    pong: bool,
}

struct Player<'a> {
    sc: &'a Scenario,
    server: Box<dyn Server>,
    clients: HashMap<String, Client>,
    norm: Normalizer,
    out: Vec<String>,
    deadline: Instant,
    /// The reply subject of the last message received, which `<reply>` in a send stands for (the
    /// `_R_.` subjects of service imports are made up by the server).
    last_reply: Option<String>,
}

/// Why a step stopped the play: an unmet expectation, or the scenario's time running out.
type StepResult = std::result::Result<(), String>;

fn ports_of(server: &dyn Server) -> Vec<u16> {
    let mut p = vec![server.client_addr().port()];
    p.extend(server.monitor_addr().map(|m| m.port()));
    p
}

/// Sent bytes as transcript lines: one per CRLF-terminated line, long ones shortened.
fn sent_lines(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (piece, crlf, next) = match rest.windows(2).position(|w| w == b"\r\n") {
            Some(i) => (&rest[..i], true, &rest[i + 2..]),
            None => (rest, false, &rest[rest.len()..]),
        };
        let mut text = if piece.len() > 200 {
            format!(
                "{}... ({} bytes, fnv {:016x})",
                escape(&piece[..48]),
                piece.len(),
                crate::util::fnv64(piece)
            )
        } else {
            escape(piece)
        };
        if !crlf {
            text.push_str(" [no CRLF]");
        }
        out.push(text);
        rest = next;
    }
    out
}

/// `bytes` with every `from` replaced by `to`.
fn replace_bytes(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

impl Player<'_> {
    fn record(&mut self, who: &str, mark: char, text: &str) {
        self.out.push(format!("{who}{mark} {text}"));
    }

    /// An item as transcript text (normalized).
    fn render(&mut self, item: &Item) -> String {
        match item {
            Item::Line { text, crlf } => {
                let raw = String::from_utf8_lossy(text);
                let mut t = escape(self.norm.line(&raw).as_bytes());
                if !crlf {
                    t.push_str(" [LF only]");
                }
                t
            }
            Item::Msg {
                head,
                payload: p,
                crlf,
            } => {
                // A reply subject to answer with `<reply>` in a later send.
                let toks: Vec<&str> = head.split(' ').collect();
                let with_reply = if head.starts_with("HMSG ") { 6 } else { 5 };
                if toks.len() == with_reply {
                    self.last_reply = Some(toks[3].to_string());
                }
                let (h, body) = self.norm.msg(head, p);
                let mut t = format!("{h} {}", payload(&body));
                if !crlf {
                    t.push_str(" [payload not followed by CRLF]");
                }
                t
            }
            Item::Closed => "closed".to_string(),
        }
    }

    fn record_item(&mut self, who: &str, item: &Item) {
        let text = self.render(item);
        let mark = if matches!(item, Item::Closed) {
            ':'
        } else {
            '<'
        };
        self.record(who, mark, &text);
    }

    fn step_deadline(&self, timeout: Duration) -> Instant {
        (Instant::now() + timeout).min(self.deadline)
    }

    /// The next item from `who`, answering server PINGs for clients opened with `pong` (unless the
    /// step waits for that PING).
    fn next_item(&mut self, who: &str, deadline: Instant, want_ping: bool) -> Result<Got> {
        loop {
            let Some(c) = self.clients.get_mut(who) else {
                bail!("client `{who}` is not open");
            };
            let got = c.conn.next(deadline)?;
            if let Got::Item(Item::Line { text, .. }) = &got {
                if c.pong && !want_ping && text == b"PING" {
                    let _ = c.conn.send(b"PONG\r\n");
                    continue;
                }
            }
            return Ok(got);
        }
    }

    fn timed_out(&mut self, who: &str, timeout: Duration) -> String {
        let msg = if Instant::now() >= self.deadline {
            format!(
                "the scenario's limit of {}ms ran out",
                self.sc.limit.as_millis()
            )
        } else {
            format!("nothing within {}ms", timeout.as_millis())
        };
        self.record(who, ':', &format!("timeout ({msg})"));
        msg
    }

    fn step(&mut self, action: &Action) -> Result<StepResult> {
        match action {
            Action::Open { client, pong } => {
                let conn = Conn::connect(self.server.client_addr(), Duration::from_secs(2));
                match conn {
                    Ok(conn) => {
                        self.clients
                            .insert(client.clone(), Client { conn, pong: *pong });
                        self.record(client, ':', "open");
                    }
                    Err(e) => {
                        self.record(client, ':', "connect failed");
                        return Ok(Err(format!("could not connect: {e:#}")));
                    }
                }
            }
            Action::Send {
                client,
                bytes,
                split,
            } => {
                for l in sent_lines(bytes) {
                    self.record(client, '>', &l);
                }
                let deadline = self.deadline;
                let bytes = match &self.last_reply {
                    Some(r) => replace_bytes(bytes, b"<reply>", r.as_bytes()),
                    None => bytes.clone(),
                };
                let Some(c) = self.clients.get_mut(client) else {
                    bail!("client `{client}` is not open");
                };
                let piece = split.unwrap_or(64 * 1024);
                for chunk in bytes.chunks(piece) {
                    if Instant::now() > deadline {
                        return Ok(Err("the scenario's limit ran out while sending".into()));
                    }
                    // A refused write is the server having closed: what it sent before, and the
                    // close itself, are for `recv` steps to observe, so it is not recorded here.
                    if c.conn.send(chunk).is_err() {
                        break;
                    }
                    if split.is_some() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            }
            Action::Recv {
                clients,
                expect,
                timeout,
            } => return self.recv(clients, expect, *timeout),
            Action::Close { client } => {
                if let Some(mut c) = self.clients.remove(client) {
                    c.conn.shutdown();
                }
                self.record(client, ':', "close");
            }
            Action::Sleep(d) => {
                let until = (Instant::now() + *d).min(self.deadline);
                std::thread::sleep(until.saturating_duration_since(Instant::now()));
            }
            Action::Restart => {
                self.server.restart()?;
                let ports = ports_of(self.server.as_ref());
                self.norm.add_ports(&ports);
                self.record("server", ':', "restarted");
            }
            Action::Kill => {
                self.server.kill()?;
                self.record("server", ':', "killed");
            }
            Action::Start => {
                self.server.start()?;
                let ports = ports_of(self.server.as_ref());
                self.norm.add_ports(&ports);
                self.record("server", ':', "started");
            }
            Action::Http { path, status } => return self.http(path, *status),
        }
        Ok(Ok(()))
    }

    fn recv(
        &mut self,
        clients: &[String],
        expect: &Expect,
        timeout: Duration,
    ) -> Result<StepResult> {
        if let Expect::Msgs { n, sorted, share } = expect {
            return self.recv_msgs(clients, *n, *sorted, *share, timeout);
        }
        let who = clients[0].as_str();
        let wait = match expect {
            Expect::Nothing(d) => *d,
            _ => timeout,
        };
        let deadline = self.step_deadline(wait);
        let want_ping = matches!(expect, Expect::Line(l) if l == "PING");
        let item = match self.next_item(who, deadline, want_ping)? {
            Got::Item(item) => item,
            Got::Timeout => {
                if let Expect::Nothing(d) = expect {
                    if Instant::now() < self.deadline {
                        self.record(who, ':', &format!("nothing for {}ms", d.as_millis()));
                        return Ok(Ok(()));
                    }
                }
                let msg = self.timed_out(who, wait);
                return Ok(Err(format!("{}: {msg}", describe(expect))));
            }
        };
        if let Expect::Json { head } = expect {
            return Ok(self.json_item(who, &item, head));
        }
        self.record_item(who, &item);
        let line = match &item {
            Item::Line { text, .. } => Some(String::from_utf8_lossy(text).into_owned()),
            _ => None,
        };
        let ok = match expect {
            Expect::Line(want) => line.as_deref() == Some(want.as_str()),
            Expect::Match(re) => line.as_deref().is_some_and(|l| re.is_match(l)),
            Expect::Err(text) => line.as_deref() == Some(format!("-ERR '{text}'").as_str()),
            Expect::Info => line.as_deref().is_some_and(|l| {
                l.strip_prefix("INFO ")
                    .is_some_and(|j| serde_json::from_str::<serde_json::Value>(j).is_ok())
            }),
            Expect::Msg { line: want, data } => match &item {
                Item::Msg { head, payload, .. } => {
                    head == want && data.as_ref().is_none_or(|d| d == payload)
                }
                _ => false,
            },
            Expect::Closed => matches!(item, Item::Closed),
            Expect::Nothing(_) | Expect::Msgs { .. } | Expect::Json { .. } => false,
        };
        if ok {
            return Ok(Ok(()));
        }
        let got = self.out.last().cloned().unwrap_or_default();
        Ok(Err(format!("{}, got `{got}`", describe(expect))))
    }

    /// A message expected to carry JSON: its control line without sizes, then its shape.
    fn json_item(&mut self, who: &str, item: &Item, want: &str) -> StepResult {
        let Item::Msg {
            head,
            payload: body,
            ..
        } = item
        else {
            self.record_item(who, item);
            let got = self.out.last().cloned().unwrap_or_default();
            return Err(format!("expected a JSON message `{want}`, got `{got}`"));
        };
        // The sizes differ with the payload; the rest of the line is kept byte for byte (Go's
        // internal messages carry an empty reply: two spaces before the size).
        let sizes = if head.starts_with("HMSG") { 2 } else { 1 };
        let mut cut = head.len();
        for _ in 0..sizes {
            cut = head[..cut].trim_end().rfind(' ').unwrap_or(0);
        }
        let kept = self.norm.ports_in(&head[..cut]);
        let line = kept.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        let sizes_text = if sizes == 2 { "<hdr> <size>" } else { "<size>" };
        self.record(who, '<', &format!("{kept} {sizes_text} <json>"));
        let parsed = serde_json::from_slice::<serde_json::Value>(body);
        match &parsed {
            Ok(v) => {
                for l in json_shape(v) {
                    self.record(who, '<', &l);
                }
            }
            Err(_) => self.record(who, '<', &payload(body)),
        }
        if line != want {
            return Err(format!("expected a JSON message `{want}`, got `{line}`"));
        }
        if parsed.is_err() {
            return Err(format!(
                "expected a JSON message `{want}`, the payload is not JSON"
            ));
        }
        Ok(())
    }

    fn recv_msgs(
        &mut self,
        clients: &[String],
        n: usize,
        sorted: bool,
        share: Option<f64>,
        timeout: Duration,
    ) -> Result<StepResult> {
        let deadline = self.step_deadline(timeout);
        // (client, rendered frame, sid)
        let mut got: Vec<(String, String, String)> = Vec::new();
        let poll = Duration::from_millis(if clients.len() > 1 { 5 } else { 1000 });
        let mut problem = None;
        'outer: while got.len() < n {
            if Instant::now() >= deadline {
                break;
            }
            for who in clients {
                let wait = (Instant::now() + poll).min(deadline);
                match self.next_item(who, wait, false)? {
                    Got::Timeout => {}
                    Got::Item(item @ Item::Msg { .. }) => {
                        let Item::Msg { head, .. } = &item else {
                            continue;
                        };
                        let sid = head
                            .split_ascii_whitespace()
                            .nth(2)
                            .unwrap_or("")
                            .to_string();
                        let text = self.render(&item);
                        got.push((who.clone(), text, sid));
                        if got.len() == n {
                            break 'outer;
                        }
                    }
                    Got::Item(other) => {
                        problem = Some((who.clone(), other));
                        break 'outer;
                    }
                }
            }
        }
        if let Some(f) = share {
            // Counts per subscription instead of the frames: who gets which message is random.
            let mut per_sub: BTreeMap<(String, String), usize> = BTreeMap::new();
            let mut frames: BTreeMap<String, usize> = BTreeMap::new();
            for (who, text, sid) in &got {
                *per_sub.entry((who.clone(), sid.clone())).or_insert(0) += 1;
                let masked = text.replacen(&format!(" {sid} "), " * ", 1);
                *frames.entry(masked).or_insert(0) += 1;
            }
            let who = clients.join("+");
            for (frame, count) in &frames {
                self.record(&who, '<', &format!("{frame} x{count}"));
            }
            let min = (f * n as f64).ceil() as usize;
            let low: Vec<String> = per_sub
                .iter()
                .filter(|(_, c)| **c < min)
                .map(|((w, s), c)| format!("{w} sid {s} got {c}"))
                .collect();
            self.record(
                &who,
                ':',
                &format!(
                    "{} subscriptions received messages, each at least {:.0}%: {}",
                    per_sub.len(),
                    f * 100.0,
                    if low.is_empty() { "yes" } else { "no" }
                ),
            );
            if got.len() == n && problem.is_none() && !low.is_empty() {
                return Ok(Err(format!(
                    "each subscription should get at least {min} of {n}: {}",
                    low.join(", ")
                )));
            }
        } else {
            if sorted {
                got.sort();
            }
            for (who, text, _) in &got {
                self.out.push(format!("{who}< {text}"));
            }
        }
        if let Some((who, item)) = problem {
            self.record_item(&who, &item);
            let last = self.out.last().cloned().unwrap_or_default();
            return Ok(Err(format!(
                "expected {n} messages, got {} and then `{last}`",
                got.len()
            )));
        }
        if got.len() < n {
            let who = clients.join("+");
            let msg = self.timed_out(&who, timeout);
            return Ok(Err(format!(
                "expected {n} messages, got {}: {msg}",
                got.len()
            )));
        }
        Ok(Ok(()))
    }

    fn http(&mut self, path: &str, status: u16) -> Result<StepResult> {
        let Some(addr) = self.server.monitor_addr() else {
            bail!("the server has no monitoring port");
        };
        let deadline = self.step_deadline(Duration::from_secs(5));
        let (code, body) = match super::http::get(addr, path, deadline) {
            Ok(r) => r,
            Err(e) => {
                self.record("http", ':', &format!("GET {path} failed"));
                return Ok(Err(format!("GET {path}: {e:#}")));
            }
        };
        self.record("http", ':', &format!("GET {path} -> {code}"));
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) => {
                for l in json_shape(&v) {
                    self.record("http", '<', &l);
                }
            }
            Err(_) => {
                let text = payload(&body);
                self.record("http", '<', &text);
            }
        }
        if code != status {
            return Ok(Err(format!(
                "GET {path}: expected status {status}, got {code}"
            )));
        }
        Ok(Ok(()))
    }

    /// Whatever arrives shortly after the last step, so an extra line at the end is not missed.
    fn settle(&mut self) -> Result<()> {
        std::thread::sleep(SETTLE);
        let mut names: Vec<String> = self.clients.keys().cloned().collect();
        names.sort();
        for who in names {
            if self.clients.get(&who).is_some_and(|c| c.conn.is_closed()) {
                continue;
            }
            loop {
                let wait = Instant::now() + Duration::from_millis(5);
                match self.next_item(&who, wait, false)? {
                    Got::Timeout => break,
                    Got::Item(item) => {
                        let closed = matches!(item, Item::Closed);
                        self.record_item(&who, &item);
                        if closed {
                            break;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// What an expectation waits for, in words.
fn describe(e: &Expect) -> String {
    match e {
        Expect::Line(l) => format!("expected the line `{l}`"),
        Expect::Match(re) => format!("expected a line matching `{}`", re.as_str()),
        Expect::Err(t) => format!("expected `-ERR '{t}'`"),
        Expect::Info => "expected an INFO line with valid JSON".into(),
        Expect::Msg { line, data } => match data {
            Some(d) => format!("expected `{line}` with payload {}", payload(d)),
            None => format!("expected `{line}`"),
        },
        Expect::Json { head } => format!("expected a JSON message `{head}`"),
        Expect::Msgs { n, .. } => format!("expected {n} messages"),
        Expect::Closed => "expected the server to close the connection".into(),
        Expect::Nothing(d) => format!("expected nothing for {}ms", d.as_millis()),
    }
}

/// Plays `sc` against the server `spec` describes. An `Err` means the scenario could not be played
/// at all (the server did not start, a restart failed...); unmet expectations are in `failure`.
pub fn play(sc: &Scenario, spec: &ServerSpec, backend: BackendKind) -> Result<Played> {
    let mut spec = spec.clone();
    spec.args.extend(sc.args.iter().cloned());
    spec.config = sc.config.clone();
    spec.monitor = sc.monitor;
    play_on(sc, backend.launch(&spec)?)
}

/// Plays `sc` against a server already running; stops it when done.
pub fn play_on(sc: &Scenario, server: Box<dyn Server>) -> Result<Played> {
    let started = Instant::now();
    let norm = Normalizer::new(ports_of(server.as_ref()));
    let mut p = Player {
        sc,
        server,
        clients: HashMap::new(),
        norm,
        out: Vec::new(),
        deadline: Instant::now() + sc.limit,
        last_reply: None,
    };
    let mut failure = None;
    for (i, step) in sc.steps.iter().enumerate() {
        let result = match p.step(&step.action) {
            Ok(r) => r,
            Err(e) => {
                bail!(
                    "step {} ({}:{}): {e:#}\nserver log:\n{}",
                    i + 1,
                    sc.file,
                    step.line,
                    crate::backend::process::tail(&p.server.log(), 20)
                );
            }
        };
        if let Err(why) = result {
            let f = format!("step {} ({}:{}): {why}", i + 1, sc.file, step.line);
            p.out.push(format!("!! {f}"));
            failure = Some(f);
            break;
        }
    }
    if failure.is_none() {
        p.settle()?;
    }
    for c in p.clients.values_mut() {
        c.conn.shutdown();
    }
    let log = p.server.log();
    Ok(Played {
        transcript: p.out,
        failure,
        log,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests;
