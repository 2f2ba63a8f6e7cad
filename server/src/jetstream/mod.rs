//! JetStream: persistent streams and consumers on top of core NATS. `api` is the pure JSON layer of
//! the `$JS.API` request/response protocol, `store` the message stores streams are built on.

pub mod api;
pub mod engine;
pub mod options;
pub mod store;

pub use options::JsOptions;
