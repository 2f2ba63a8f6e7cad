//! Core NATS integration tests: an in-process server on a random loopback port, driven over raw TCP
//! (byte-exact wire checks) and with the official async-nats client.

#[path = "../support/mod.rs"]
mod support;

mod async_client;
mod auth;
mod auth_nkeys;
mod config;
mod errors;
mod handshake;
mod keepalive;
mod limits;
mod monitor;
mod permissions;
mod proto;
mod queues;
mod reload;
