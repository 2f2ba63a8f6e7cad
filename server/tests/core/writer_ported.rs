//! The connection writer against sockets that take less than they are offered: a partial write followed
//! by more queued bytes, and writes capped at 10 bytes. Everything must arrive once, in order, without
//! the writer stalling. Go: client_test.go `TestFlushOutboundNoSliceReuseIfPartial` (testConnWritePartial),
//! server_test.go `TestClientWriteLoopStall` (shortWriteConn).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use server::conn::writer::{run_writer, WriterEnd};
use server::conn::Outbox;
use tokio::io::AsyncWrite;

use crate::support::*;

#[derive(Default)]
struct Sock {
    written: Vec<u8>,
    /// Take only half (plus one) of the first write.
    partial_first: bool,
    partial_done: bool,
    /// After the partial write, accept nothing until the test opens the gate.
    gate_open: bool,
    waker: Option<Waker>,
    /// Most bytes taken per write call (0: no cap).
    cap: usize,
}

#[derive(Clone, Default)]
struct FakeSock(Arc<Mutex<Sock>>);

impl FakeSock {
    fn with(f: impl FnOnce(&mut Sock)) -> FakeSock {
        let s = FakeSock::default();
        f(&mut s.0.lock().unwrap());
        s
    }

    fn written(&self) -> Vec<u8> {
        self.0.lock().unwrap().written.clone()
    }

    fn open_gate(&self) {
        let mut s = self.0.lock().unwrap();
        s.gate_open = true;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }
}

impl AsyncWrite for FakeSock {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let mut s = self.0.lock().unwrap();
        let mut n = buf.len();
        if s.partial_first && !s.partial_done {
            n = n / 2 + 1;
            s.partial_done = true;
        } else if s.partial_first && !s.gate_open {
            s.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if s.cap > 0 {
            n = n.min(s.cap);
        }
        s.written.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

// go: server/TestFlushOutboundNoSliceReuseIfPartial
#[tokio::test]
async fn bytes_queued_during_a_partial_write_follow_it_intact() {
    let out = Arc::new(Outbox::new(1024));
    let sock = FakeSock::with(|s| s.partial_first = true);
    let writer = tokio::spawn(run_writer(
        out.clone(),
        sock.clone(),
        Duration::from_secs(10),
    ));
    out.queue(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    out.wake();
    wait_for("the partial write", || sock.written().len() == 14).await;
    // More arrives while the rest of the first buffer is still in flight.
    out.queue(b"------");
    out.queue(b"0123456789");
    out.wake();
    sock.open_gate();
    out.close(true);
    let end = tokio::time::timeout(WAIT, writer)
        .await
        .expect("writer ends")
        .unwrap();
    assert_eq!(end, WriterEnd::Closed);
    assert_eq!(
        String::from_utf8(sock.written()).unwrap(),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ------0123456789"
    );
    assert_eq!(out.pending(), 0);
}

// go: server/TestClientWriteLoopStall
#[tokio::test]
async fn short_writes_do_not_stall_the_writer() {
    let out = Arc::new(Outbox::new(64 * 1024 * 1024));
    let sock = FakeSock::with(|s| s.cap = 10);
    let writer = tokio::spawn(run_writer(
        out.clone(),
        sock.clone(),
        Duration::from_secs(10),
    ));
    let mut frame = b"MSG foo 1 100\r\n".to_vec();
    frame.extend((0..100u8).map(|i| b'a' + i % 26));
    frame.extend_from_slice(b"\r\n");
    out.queue(&frame);
    out.wake();
    // Delivered without any further nudge, ten bytes at a time.
    wait_for("the whole frame", || sock.written() == frame).await;
    assert!(!writer.is_finished(), "no error ended the writer");
    out.close(true);
    let end = tokio::time::timeout(WAIT, writer)
        .await
        .expect("writer ends")
        .unwrap();
    assert_eq!(end, WriterEnd::Closed);
}
