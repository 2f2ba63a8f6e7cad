//! The JetStream API layer without I/O: Go's error catalogue, the stream configuration with
//! Go's defaults and validation, and the JSON requests and responses of the stream API,
//! byte-compatible with Go nats-server 2.15's JSON (`server/jetstream_api.go`,
//! `server/stream.go`, `server/errors.json`).
//!
//! Serialize with [`crate::info::go_json`] (Go escapes `<`, `>` and `&`); decode requests
//! with [`decode`], which reads JSON the way Go's `encoding/json` does.

pub mod account;
pub mod consumer_config;
pub mod decode;
pub mod enums;
mod error_table;
pub mod errors;
pub mod gotime;
pub mod limits;
pub mod responses;
mod source_check;
pub mod stream_check;
pub mod stream_config;
pub mod stream_info;

#[cfg(test)]
mod tests;

pub use errors::{ApiError, ErrorId};
pub use gotime::GoTime;
pub use source_check::check_source_filters;
pub use stream_check::{check_stream_config, StreamCheckContext};
pub use stream_config::{StreamConfig, StreamConfigRequest};
pub use stream_info::{StreamInfo, StreamState};
