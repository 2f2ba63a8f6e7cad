//! A raw protocol connection for scenarios: writes exactly the bytes it is given and reads the server's
//! output as items (a line, a message frame with its payload, or the end of the stream), every read
//! bounded by a deadline. Partial input stays buffered, so a timed-out read loses nothing.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// The longest line or payload a scenario reads; the server is the peer, so bound it.
const MAX_ITEM: usize = 80 << 20;

/// One thing the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A line without its terminator; `crlf` is false when it ended with a bare `\n`.
    Line { text: Vec<u8>, crlf: bool },
    /// `MSG`/`HMSG` with its payload; `crlf` is false when the payload was not followed by CRLF.
    Msg {
        head: String,
        payload: Vec<u8>,
        crlf: bool,
    },
    /// The server closed the connection (or reset it).
    Closed,
}

/// Result of waiting for an item.
#[derive(Debug)]
pub enum Got {
    Item(Item),
    Timeout,
}

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    eof: bool,
}

/// The payload size a message control line announces: `MSG s sid [reply] n`,
/// `HMSG s sid [reply] h n`.
pub fn msg_size(line: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_ascii_whitespace();
    let op = words.next()?;
    let rest: Vec<&str> = words.collect();
    let ok = match op {
        "MSG" => (3..=4).contains(&rest.len()),
        "HMSG" => (4..=5).contains(&rest.len()),
        _ => false,
    };
    if !ok {
        return None;
    }
    rest.last()?.parse().ok()
}

impl Conn {
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            eof: false,
        })
    }

    /// Writes everything; a write the server refuses (it closed) is an error for the caller to record.
    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream
            .set_write_timeout(Some(Duration::from_secs(5)))?;
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    pub fn shutdown(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }

    /// A complete item at the front of the buffer, if there is one.
    fn take(&mut self) -> Option<Item> {
        let nl = self.buf.iter().position(|b| *b == b'\n')?;
        let (text_end, crlf) = if nl > 0 && self.buf[nl - 1] == b'\r' {
            (nl - 1, true)
        } else {
            (nl, false)
        };
        if let Some(size) = msg_size(&self.buf[..text_end]) {
            let need = nl + 1 + size + 2;
            if self.buf.len() < need {
                // An absurd size from a broken server must not make us wait for it forever: the
                // deadline ends the wait, and MAX_ITEM bounds the buffer.
                return None;
            }
            let head = String::from_utf8_lossy(&self.buf[..text_end]).into_owned();
            let payload = self.buf[nl + 1..nl + 1 + size].to_vec();
            let crlf = &self.buf[nl + 1 + size..need] == b"\r\n";
            self.buf.drain(..need);
            return Some(Item::Msg {
                head,
                payload,
                crlf,
            });
        }
        let text = self.buf[..text_end].to_vec();
        self.buf.drain(..=nl);
        Some(Item::Line { text, crlf })
    }

    /// Reads once, waiting at most until `deadline`. Ok(false) on timeout.
    fn fill(&mut self, deadline: Instant) -> Result<bool> {
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        let wait = (deadline - now).max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(wait))?;
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => {
                self.eof = true;
                Ok(true)
            }
            Ok(n) => {
                if self.buf.len() + n > MAX_ITEM {
                    anyhow::bail!(
                        "the server sent more than {MAX_ITEM} bytes without a complete item"
                    );
                }
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(true),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::BrokenPipe
                ) =>
            {
                // A reset is how a server that closes with unread input ends the stream; treat it
                // as the close it is, whichever of FIN or RST the timing produced.
                self.eof = true;
                Ok(true)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The next item, or a timeout at `deadline`. After the end of the stream, every call returns
    /// `Closed` (once the buffer is drained; a trailing partial line is returned first).
    pub fn next(&mut self, deadline: Instant) -> Result<Got> {
        loop {
            if let Some(item) = self.take() {
                return Ok(Got::Item(item));
            }
            if self.eof {
                if !self.buf.is_empty() {
                    let text = std::mem::take(&mut self.buf);
                    return Ok(Got::Item(Item::Line { text, crlf: false }));
                }
                return Ok(Got::Item(Item::Closed));
            }
            if !self.fill(deadline)? {
                return Ok(Got::Timeout);
            }
        }
    }

    pub fn is_closed(&self) -> bool {
        self.eof && self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_sizes() {
        assert_eq!(msg_size(b"MSG foo 1 5"), Some(5));
        assert_eq!(msg_size(b"MSG foo 1 bar 12"), Some(12));
        assert_eq!(msg_size(b"HMSG foo 1 12 14"), Some(14));
        assert_eq!(msg_size(b"HMSG foo 1 r 12 14"), Some(14));
        assert_eq!(msg_size(b"MSG foo"), None);
        assert_eq!(msg_size(b"INFO {}"), None);
        assert_eq!(msg_size(b"MSG foo 1 x"), None);
    }
}
