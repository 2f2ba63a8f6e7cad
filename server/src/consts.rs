//! Defaults and limits, matching the Go server's `server/const.go` and `setBaselineOptions`.

use std::time::Duration;

/// The version we report: the Go release whose behaviour we match.
pub const VERSION: &str = "2.15.1";
/// The commit this binary was built from (empty outside a git checkout).
pub const GIT_COMMIT: &str = env!("RNATS_GIT_COMMIT");
/// The client protocol level the server speaks (`proto` in INFO).
pub const PROTO: i32 = 1;
/// JetStream API level reported in INFO (`api_lvl`).
pub const API_LEVEL: i32 = 5;

pub const DEFAULT_PORT: i32 = 4222;
pub const DEFAULT_HOST: &str = "0.0.0.0";
/// `-p -1` asks for a random port.
pub const RANDOM_PORT: i32 = -1;
pub const MAX_CONTROL_LINE_SIZE: i32 = 4096;
pub const MAX_PAYLOAD_SIZE: i32 = 1024 * 1024;
/// Above this the server warns at startup (Go's MAX_PAYLOAD_MAX_SIZE) but accepts it.
pub const MAX_PAYLOAD_MAX_SIZE: i32 = 8 * 1024 * 1024;
pub const MAX_PENDING_SIZE: i64 = 64 * 1024 * 1024;
pub const DEFAULT_MAX_CONNECTIONS: i32 = 64 * 1024;
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(2);
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(120);
pub const DEFAULT_PING_MAX_OUT: i32 = 2;
/// The first PING to a client goes out after min(ping_interval, this), to measure RTT early.
pub const FIRST_PING_INTERVAL: Duration = Duration::from_secs(2);
pub const DEFAULT_FLUSH_DEADLINE: Duration = Duration::from_secs(10);
pub const DEFAULT_LAME_DUCK_DURATION: Duration = Duration::from_secs(120);
pub const DEFAULT_LAME_DUCK_GRACE_PERIOD: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_CLOSED_CLIENTS: i32 = 10_000;
pub const PROTO_SNIPPET_SIZE: usize = 32;
pub const MAX_CONTROL_LINE_SNIPPET_SIZE: usize = 128;
/// Name of the global account clients land in when no accounts are configured.
pub const GLOBAL_ACCOUNT: &str = "$G";
pub const SYSTEM_ACCOUNT: &str = "$SYS";
