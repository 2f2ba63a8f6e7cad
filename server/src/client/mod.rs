//! Client connections: the shared handle other tasks deliver into, subscriptions, message delivery,
//! and the per-connection session that reads and dispatches protocol ops.

pub mod closed;
pub mod delivery;
pub mod handle;
pub mod session;
pub mod subscription;
pub mod trace;

pub use closed::ClosedState;
pub use handle::{ClientHandle, ConnMeta};
pub use subscription::{SubRef, Subscription};
