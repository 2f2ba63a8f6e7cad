//! The single writer of a connection: drains the outbox in writes of at most 64 MiB, each under
//! `write_deadline`. Matches Go's `writeLoop`/`flushOutbound`: a write batch that does not finish within the
//! deadline makes the connection a slow consumer.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::Outbox;

/// Why the writer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriterEnd {
    /// The outbox was closed and drained.
    Closed,
    /// A write took longer than write_deadline.
    Deadline,
    /// The socket failed.
    Error,
}

/// Largest spare buffer kept between writes; bigger ones are released.
const MAX_SPARE: usize = 1 << 20;

/// Most bytes written under one write deadline. Go writes at most 1024 buffers of 64 KiB per `writev` and
/// arms the deadline per batch, so the deadline bounds the time for 64 MiB, not for the whole backlog.
pub const MAX_WRITE_BATCH: usize = 64 * 1024 * 1024;

/// Write `chunk` in batches of at most [`MAX_WRITE_BATCH`], each under its own deadline (none when zero).
/// `Err(Elapsed)` when a batch missed its deadline.
async fn write_batches<W: AsyncWrite + Unpin>(
    w: &mut W,
    chunk: &[u8],
    deadline: Duration,
) -> Result<std::io::Result<()>, tokio::time::error::Elapsed> {
    for batch in chunk.chunks(MAX_WRITE_BATCH) {
        let res = if deadline.is_zero() {
            w.write_all(batch).await
        } else {
            tokio::time::timeout(deadline, w.write_all(batch)).await?
        };
        if res.is_err() {
            return Ok(res);
        }
    }
    Ok(Ok(()))
}

pub async fn run_writer<W: AsyncWrite + Unpin>(
    out: Arc<Outbox>,
    mut w: W,
    deadline: Duration,
) -> WriterEnd {
    let mut spare = BytesMut::with_capacity(4096);
    let end = loop {
        let Some(mut chunk) = out.take(&mut spare).await else {
            break WriterEnd::Closed;
        };
        let write = write_batches(&mut w, &chunk, deadline);
        let res = tokio::select! {
            r = write => r,
            _ = out.aborted() => break WriterEnd::Closed,
        };
        out.written();
        match res {
            Ok(Ok(())) => {}
            Ok(Err(_)) => break WriterEnd::Error,
            Err(_) => break WriterEnd::Deadline,
        }
        chunk.clear();
        if chunk.capacity() <= MAX_SPARE {
            spare = chunk;
        }
    };
    let _ = w.shutdown().await;
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Accepts everything, remembering the size of each write it was offered.
    #[derive(Default)]
    struct Recorder {
        offered: Vec<usize>,
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.offered.push(buf.len());
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_backlog_is_written_in_batches_of_at_most_64_mib() {
        let out = Arc::new(Outbox::new(0));
        out.queue(&vec![b'x'; MAX_WRITE_BATCH + 10]);
        out.close(true);
        let mut rec = Recorder::default();
        let end = run_writer(out.clone(), &mut rec, Duration::from_secs(30)).await;
        assert_eq!(end, WriterEnd::Closed);
        assert_eq!(rec.offered, vec![MAX_WRITE_BATCH, 10]);
        assert_eq!(out.pending(), 0);
    }
}
