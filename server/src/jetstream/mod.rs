//! JetStream: persistent streams and consumers. `store` holds the message stores that streams are
//! built on; the stream and API layers live beside it.

pub mod store;
