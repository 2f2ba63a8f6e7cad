//! rnats: a NATS server that is a drop-in replacement for the Go `nats-server`.
//!
//! The library holds everything; `main.rs` only parses flags and calls [`server::Server`].
//! Pure cores (`protocol`, `sublist`) do no I/O; `conn` and `client` are the I/O shells.

pub mod accounts;
pub mod auth;
pub mod client;
pub mod config;
pub mod conn;
pub mod consts;
pub mod flags;
pub mod gofmt;
pub mod info;
pub mod jetstream;
pub mod jwt;
pub mod logging;
pub mod monitor;
pub mod options;
pub mod protocol;
pub mod server;
pub mod shutdown;
pub mod signals;
pub mod stats;
pub mod sublist;
pub mod sys;
pub mod tls;
pub mod transform;

pub use options::Options;
pub use server::{Server, ServerHandle};
