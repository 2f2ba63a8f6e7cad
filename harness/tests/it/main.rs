//! Integration tests of the harness, in one binary to keep link time down: the extractor on
//! fixture trees (and on the Debian nats-server source when installed), database round trips,
//! the claim scanner, status arithmetic, the gate, the command line, and the report in Chromium.

mod browser;
mod claims;
mod cli;
mod db;
mod extract;
mod scenarios;
mod status_gate;
mod support;
