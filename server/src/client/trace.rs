//! Protocol trace lines under `-V`, in Go's shape: `<<- [PUB foo 5]`, `<<- MSG_PAYLOAD: ["hello"]`,
//! `->> [MSG foo 1 5]` (client.go traceInOp/traceOutOp/traceMsg). Callers check
//! [`crate::logging::trace_enabled`] first so nothing is formatted when tracing is off.

use crate::gofmt::go_quote;

/// `<<- [OP args]` or `->> [OP args]`.
pub fn op(label: &str, inbound: bool, op: &str, args: &[&[u8]]) {
    let dir = if inbound { "<<-" } else { "->>" };
    let mut line = String::with_capacity(64);
    line.push('[');
    line.push_str(op);
    for a in args {
        line.push(' ');
        line.push_str(&String::from_utf8_lossy(a));
    }
    line.push(']');
    tracing::trace!("{label} - {dir} {line}");
}

/// `<<- MSG_PAYLOAD: ["..."]`, cut to `max_len` bytes when set (Go's max_traced_msg_len).
pub fn payload(label: &str, inbound: bool, msg: &[u8], max_len: usize) {
    if msg.is_empty() {
        return;
    }
    let dir = if inbound { "<<-" } else { "->>" };
    if max_len > 0 && msg.len() > max_len {
        let q = go_quote(&msg[..max_len]);
        tracing::trace!(
            "{label} - {dir} MSG_PAYLOAD: [\"{}...\"]",
            &q[1..q.len() - 1]
        );
    } else {
        tracing::trace!("{label} - {dir} MSG_PAYLOAD: [{}]", go_quote(msg));
    }
}
