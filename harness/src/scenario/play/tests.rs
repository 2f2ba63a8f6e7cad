//! The player against a small in-process stand-in server: transcripts, unmet expectations, silence,
//! timeouts and the scenario limit, answered PINGs, unread output at the end, failing server steps.

use super::*;
use crate::scenario::format::parse;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A tiny line server standing in for a NATS server: INFO first, then PING -> PONG,
/// QUIT -> close, SPAM -> three messages, PINGME -> PING and, once answered, GOTPONG.
struct Fake {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

fn serve(mut s: TcpStream, port: u16) {
    let _ = write!(s, "INFO {{\"server_id\":\"FAKE\",\"port\":{port}}} \r\n");
    let mut r = BufReader::new(s.try_clone().expect("clone"));
    let mut line = String::new();
    while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        let reply: &[u8] = match line.trim_end() {
            "PING" => b"PONG\r\n",
            "QUIT" => return,
            "SPAM" => b"MSG a 1 2\r\nhi\r\nMSG a 1 2\r\nho\r\nMSG a 1 0\r\n\r\n",
            "PINGME" => b"PING\r\n",
            "PONG" => b"GOTPONG\r\n",
            _ => b"",
        };
        let _ = s.write_all(reply);
        line.clear();
    }
}

impl Fake {
    fn start() -> Fake {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::spawn(move || serve(s, addr.port()));
            }
        });
        Fake { addr, stop }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
    }
}

impl Server for Fake {
    fn client_addr(&self) -> SocketAddr {
        self.addr
    }
    fn monitor_addr(&self) -> Option<SocketAddr> {
        None
    }
    fn restart(&mut self) -> Result<()> {
        bail!("the fake cannot restart")
    }
    fn kill(&mut self) -> Result<()> {
        Ok(())
    }
    fn start(&mut self) -> Result<()> {
        Ok(())
    }
    fn log(&self) -> String {
        "fake log line".into()
    }
    fn pid(&self) -> Option<u32> {
        None
    }
}

fn run(steps: &str, extra: &str) -> Played {
    let text = format!("[[scenario]]\nname = \"t\"\nabout = \"t\"\n{extra}steps = [\n{steps}\n]\n");
    let sc = parse(&text, "t.toml").expect("parse").remove(0);
    play_on(&sc, Box::new(Fake::start())).expect("played")
}

#[test]
fn a_met_scenario_has_a_normalized_transcript() {
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { send = "a", lines = ["PING"] },
           { recv = "a", line = "PONG" }, { send = "a", lines = ["SPAM"] }, { recv = "a", msgs = 3, sorted = true },
           { send = "a", lines = ["QUIT"] }, { recv = "a", closed = true }"#,
        "",
    );
    assert_eq!(p.failure, None);
    assert_eq!(
        p.transcript,
        [
            "a: open",
            "a< INFO {\"server_id\":\"<server-1>\",\"port\":<port>}\\x20",
            "a> PING",
            "a< PONG",
            "a> SPAM",
            "a< MSG a 1 0 \"\"",
            "a< MSG a 1 2 \"hi\"",
            "a< MSG a 1 2 \"ho\"",
            "a> QUIT",
            "a: closed",
        ]
    );
}

#[test]
fn an_unmet_expectation_stops_the_play() {
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { send = "a", lines = ["PING"] },
           { recv = "a", err = "nope" }, { send = "a", lines = ["PING"] }"#,
        "",
    );
    let f = p.failure.expect("fails");
    assert!(
        f.starts_with("step 4 (t.toml:6): expected `-ERR 'nope'`, got `a< PONG`"),
        "{f}"
    );
    assert_eq!(
        p.transcript.last().map(String::as_str),
        Some(format!("!! {f}").as_str())
    );
    assert_eq!(
        p.transcript
            .iter()
            .filter(|l| l.as_str() == "a> PING")
            .count(),
        1
    );
}

#[test]
fn silence_timeouts_and_the_scenario_limit() {
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { recv = "a", nothing = 50 },
           { recv = "a", line = "PONG", timeout = 100 }"#,
        "",
    );
    assert!(
        p.transcript.contains(&"a: nothing for 50ms".to_string()),
        "{:?}",
        p.transcript
    );
    assert!(p.failure.expect("fails").contains("nothing within 100ms"));

    let started = Instant::now();
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { recv = "a", line = "PONG", timeout = 10000 }"#,
        "limit = 200\n",
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(p.failure.expect("fails").contains("limit of 200ms ran out"));
}

#[test]
fn a_closed_connection_fails_nothing_and_line() {
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { send = "a", lines = ["QUIT"] },
           { recv = "a", nothing = 500 }"#,
        "",
    );
    assert_eq!(
        p.transcript
            .last()
            .map(String::as_str)
            .map(|l| l.starts_with("!! ")),
        Some(true)
    );
    assert!(p.transcript.contains(&"a: closed".to_string()));
}

#[test]
fn pong_answers_server_pings_out_of_the_transcript() {
    let p = run(
        r#"{ open = "a", pong = true }, { recv = "a", info = true }, { send = "a", lines = ["PINGME"] },
           { recv = "a", line = "GOTPONG" }"#,
        "",
    );
    assert_eq!(p.failure, None);
    assert!(
        !p.transcript.iter().any(|l| l.contains("< PING")),
        "{:?}",
        p.transcript
    );
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { send = "a", lines = ["PINGME"] },
           { recv = "a", line = "PING" }"#,
        "",
    );
    assert_eq!(p.failure, None);
}

#[test]
fn unread_output_at_the_end_is_recorded() {
    let p = run(
        r#"{ open = "a" }, { recv = "a", info = true }, { send = "a", lines = ["SPAM"] },
           { recv = "a", msg = "MSG a 1 2", data = "hi" }"#,
        "",
    );
    assert_eq!(p.failure, None);
    let tail: Vec<&str> = p
        .transcript
        .iter()
        .rev()
        .take(2)
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["a< MSG a 1 0 \"\"", "a< MSG a 1 2 \"ho\""]);
}

#[test]
fn a_server_step_that_fails_is_an_error_with_the_log() {
    let text = "[[scenario]]\nname = \"t\"\nabout = \"t\"\nsteps = [{ restart = true }]\n";
    let sc = parse(text, "t.toml").expect("parse").remove(0);
    let e = play_on(&sc, Box::new(Fake::start())).expect_err("restart fails");
    let e = format!("{e:#}");
    assert!(
        e.contains("cannot restart") && e.contains("fake log line"),
        "{e}"
    );
}

#[test]
fn sent_bytes_as_lines() {
    assert_eq!(sent_lines(b"PING\r\nPONG\r\n"), ["PING", "PONG"]);
    assert_eq!(
        sent_lines(b"PUB foo 5\r\nhel"),
        ["PUB foo 5", "hel [no CRLF]"]
    );
    let big = [b'x'; 300];
    let l = sent_lines(&big);
    assert_eq!(l.len(), 1);
    assert!(l[0].contains("(300 bytes, fnv "), "{l:?}");
}
