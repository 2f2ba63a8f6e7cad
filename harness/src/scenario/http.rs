//! A minimal HTTP/1.0 GET for monitoring endpoints: one request per connection, the whole response
//! read until the server closes it, bounded in size and time.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use anyhow::{bail, Context, Result};

const MAX_RESPONSE: usize = 16 << 20;

/// `GET path` on `addr`: the status code and the body.
pub fn get(addr: SocketAddr, path: &str, deadline: Instant) -> Result<(u16, Vec<u8>)> {
    let left = || deadline.saturating_duration_since(Instant::now());
    if left().is_zero() {
        bail!("no time left");
    }
    let mut s =
        TcpStream::connect_timeout(&addr, left()).with_context(|| format!("connect {addr}"))?;
    s.set_write_timeout(Some(left()))?;
    s.write_all(
        format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut resp = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let wait = left();
        if wait.is_zero() {
            bail!("the response did not end in time");
        }
        s.set_read_timeout(Some(wait))?;
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                resp.extend_from_slice(&chunk[..n]);
                if resp.len() > MAX_RESPONSE {
                    bail!("response larger than {MAX_RESPONSE} bytes");
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("reading the response"),
        }
    }
    let Some(split) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        bail!("no end of headers in the response");
    };
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("bad status line in {head:?}"))?;
    Ok((status, resp[split + 4..].to_vec()))
}
