//! Operations a client sends, borrowed from the read buffer (no copy on the hot path).

/// One parsed client operation. Slices borrow the buffer given to [`crate::protocol::ClientParser::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientOp<'a> {
    /// `CONNECT <json>`: the raw JSON text (not yet decoded).
    Connect(&'a [u8]),
    /// `PUB <subject> [reply] <size>` and its payload (without the trailing CRLF).
    Pub {
        subject: &'a [u8],
        reply: Option<&'a [u8]>,
        payload: &'a [u8],
    },
    /// `HPUB <subject> [reply] <hdr_size> <total_size>`; `msg` is header block + payload (total_size bytes).
    HPub {
        subject: &'a [u8],
        reply: Option<&'a [u8]>,
        header_len: usize,
        msg: &'a [u8],
    },
    /// `SUB <subject> [queue] <sid>`.
    Sub {
        subject: &'a [u8],
        queue: Option<&'a [u8]>,
        sid: &'a [u8],
    },
    /// `UNSUB <sid> [max_msgs]`.
    Unsub {
        sid: &'a [u8],
        max: Option<u64>,
    },
    Ping,
    Pong,
    /// `INFO <json>` from a client: decoded and otherwise ignored; undecodable JSON closes the connection.
    Info(&'a [u8]),
    /// `+OK` from a client: ignored.
    Ok,
    /// `-ERR <text>` from a client: logged, then the connection is closed.
    Err(&'a [u8]),
}
