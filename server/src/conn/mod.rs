//! Connection plumbing shared by every connection kind: the bounded outbound buffer and its writer task.

pub mod outbox;
pub mod writer;

pub use outbox::{Outbox, Queued};
