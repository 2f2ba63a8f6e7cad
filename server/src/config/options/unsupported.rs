//! Top-level keys of Go 2.15 whose subsystems rnats does not implement yet. They are recognised, and
//! rejected with an error naming the key and its position, so a configuration is never half-applied.

use super::Ctx;
use crate::config::conf::Entry;

/// Go's top-level keys (with aliases) not yet implemented here.
const NOT_YET: &[&str] = &[
    "trace_headers",
    "default_sentinel",
    "cluster",
    "gateway",
    "leaf",
    "leafnodes",
    "max_sub_tokens",
    "max_subscription_tokens",
    "ocsp",
    "write_timeout",
    "resolver_tls",
    "resolver_pinned_accounts",
    "trusted",
    "trusted_keys",
    "websocket",
    "ws",
    "mqtt",
    "server_tags",
    "server_metadata",
    "feature_flags",
    "default_js_domain",
    "ocsp_cache",
    "proxies",
];

/// True when `key` is a known Go key not implemented yet (an error is recorded).
pub fn check(key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    if !NOT_YET.contains(&key) {
        return false;
    }
    ctx.error(e, format_args!("{:?} is not supported yet by rnats", e.key));
    true
}
