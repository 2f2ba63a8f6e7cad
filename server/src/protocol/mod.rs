//! The client protocol: a pure, resumable, byte-oriented parser and the wire texts.
//! No I/O and no tokio types here, so every path is table-testable and fuzzable.

pub mod connect;
pub mod errors;
pub mod info_check;
pub mod ops;
pub mod parser;

pub use connect::ConnectInfo;
pub use errors::{ErrAction, ProtoError};
pub use ops::ClientOp;
pub use parser::ClientParser;
