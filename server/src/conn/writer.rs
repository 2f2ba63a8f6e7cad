//! The single writer of a connection: drains the outbox with one write per batch, under `write_deadline`.
//! Matches Go's `writeLoop`/`flushOutbound`: a write that does not finish within the deadline makes the
//! connection a slow consumer.

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
        let write = async {
            if deadline.is_zero() {
                Ok(w.write_all(&chunk).await)
            } else {
                tokio::time::timeout(deadline, w.write_all(&chunk)).await
            }
        };
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
