//! Core NATS integration tests: an in-process server on a random loopback port, driven over raw TCP
//! (byte-exact wire checks) and with the official async-nats client; process-level behaviour (signals,
//! files, trace output) through the `rnats-server` binary.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod accounts_config;
mod accounts_cycles;
mod accounts_mappings;
mod accounts_monitor;
mod accounts_responses;
mod accounts_services;
mod async_client;
mod auth;
mod auth_nkeys;
mod binary_signals;
mod binary_trace;
mod client_ported;
mod config;
mod config_check;
mod config_flags;
mod config_opts;
mod config_opts_auth;
mod config_vars;
mod errors;
mod handshake;
mod js_client;
mod js_consumers;
mod js_durability;
mod keepalive;
mod limits;
mod monitor;
mod monitor_closed;
mod monitor_common;
mod monitor_connz;
mod monitor_endpoints;
mod monitor_sort;
mod permissions;
mod process;
mod proto;
mod queues;
mod reload;
mod reload_auth;
mod reload_files;
mod reload_opts;
mod reload_perms;
mod reload_varz;
mod server_ported;
mod sys_common;
mod sys_events;
mod sys_requests;
mod sys_shapes;
mod tls;
mod tls_config;
mod tls_logs;
mod tls_map;
mod tls_monitor;
mod tls_reload;
mod writer_ported;
