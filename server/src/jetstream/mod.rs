//! JetStream: persistent streams and consumers on top of core NATS.
//!
//! `api` is the pure JSON layer of the `$JS.API` request/response protocol.

pub mod api;
