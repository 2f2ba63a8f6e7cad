//! Tests against JSON recorded from the Go server: every reply must read back into our
//! types and write out byte for byte, and replaying the create requests through our decode,
//! check and response code must give Go's answers.

mod create_replay;
mod go_consumer_fixtures;
mod go_fixtures;
mod go_message_fixtures;
mod roundtrip;
