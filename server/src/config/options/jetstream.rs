//! The `jetstream` key (a bool, `enabled`/`disabled`, or a block) and the top-level `store_dir`, with
//! Go's parse errors (opts.go `parseJetStream`, `parseJetStreamLimits`, `getStorageSize`).

use super::auth::{err, mismatch, super_short};
use super::Ctx;
use crate::config::conf::{Entry, Spanned, Value};
use crate::jetstream::store::crypt::Cipher;
use crate::options::Options;

/// Apply `key` if it is a JetStream key; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "jetstream" => jetstream(o, &e.value, ctx),
        "store_dir" | "storedir" => {
            // Go: a store_dir inside the jetstream block conflicts with this one.
            if !o.store_dir.is_empty() {
                ctx.error(e, "Duplicate 'store_dir' configuration");
            } else if let Some(s) = ctx.string(e) {
                o.store_dir = s;
            }
        }
        _ => return false,
    }
    true
}

fn jetstream(o: &mut Options, v: &Spanned<Value>, ctx: &mut Ctx) {
    match &v.value {
        Value::Bool(b) => o.jetstream = *b,
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "enabled" | "enable" => o.jetstream = true,
            "disabled" | "disable" => o.jetstream = false,
            _ => err(
                ctx,
                &v.pos,
                format_args!("Expected 'enabled' or 'disabled' for string value, got '{s}'"),
            ),
        },
        Value::Map(m) => {
            let mut enable = true;
            for f in m {
                let fv = &f.value;
                if !field(o, &f.key.to_ascii_lowercase(), fv, ctx, &mut enable) {
                    // Go returns on the first such error: the block is not applied further.
                    return;
                }
                if !known(&f.key.to_ascii_lowercase()) && !f.used_as_variable {
                    err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                }
            }
            o.jetstream = enable;
        }
        other => err(
            ctx,
            &v.pos,
            format_args!(
                "Expected map, bool or string to define JetStream, got {}",
                other.go_type_name()
            ),
        ),
    }
}

const KNOWN: &[&str] = &[
    "strict",
    "store",
    "store_dir",
    "storedir",
    "sync",
    "sync_interval",
    "max_memory_store",
    "max_mem_store",
    "max_mem",
    "max_file_store",
    "max_file",
    "domain",
    "enable",
    "enabled",
    "key",
    "ek",
    "encryption_key",
    "prev_key",
    "prev_ek",
    "prev_encryption_key",
    "cipher",
    "extension_hint",
    "limits",
    "tpm",
    "unique_tag",
    "max_outstanding_catchup",
    "max_buffered_size",
    "max_buffered_msgs",
    "request_queue_limit",
    "info_queue_limit",
    "meta_compact",
    "meta_compact_size",
    "meta_compact_sync",
    "max_concurrent_io",
];

fn known(key: &str) -> bool {
    KNOWN.contains(&key)
}

/// Go's `getStorageSize`: an integer, or a number with a K/M/G/T suffix (powers of 1024).
fn storage_size(v: &Value) -> Result<i64, String> {
    match v {
        Value::Integer(i) => Ok(*i),
        Value::String(s) if s.is_empty() => Ok(0),
        Value::String(s) => {
            let (num, suffix) = s.split_at(s.len() - s.chars().last().map_or(0, char::len_utf8));
            let n: i64 = num
                .parse()
                .map_err(|_| format!("strconv.ParseInt: parsing {num:?}: invalid syntax"))?;
            let shift = match suffix {
                "K" => 10,
                "M" => 20,
                "G" => 30,
                "T" => 40,
                _ => return Err("sizes defined as strings must end in K, M, G, T".into()),
            };
            Ok(n << shift)
        }
        _ => Err("must be int64 or string".into()),
    }
}

/// One field of the block; false on an error that ends Go's parse of the block.
fn field(o: &mut Options, key: &str, v: &Spanned<Value>, ctx: &mut Ctx, enable: &mut bool) -> bool {
    let js = &mut o.js;
    match key {
        "strict" => match v.value {
            Value::Bool(b) => js.no_strict = !b,
            _ => {
                err(
                    ctx,
                    &v.pos,
                    format_args!(
                        "Expected 'true' or 'false' for bool value, got '{}'",
                        super_short(&v.value)
                    ),
                );
                return false;
            }
        },
        "store" | "store_dir" | "storedir" => {
            if !o.store_dir.is_empty() {
                err(ctx, &v.pos, "Duplicate 'store_dir' configuration");
                return false;
            }
            match &v.value {
                Value::String(s) => o.store_dir = s.clone(),
                _ => mismatch(ctx, v, "string"),
            }
        }
        "sync" | "sync_interval" => match &v.value {
            Value::String(s) if s.eq_ignore_ascii_case("always") => {
                js.sync_interval = Some(crate::jetstream::options::DEFAULT_SYNC_INTERVAL);
                js.sync_always = true;
            }
            Value::String(s) => match crate::gofmt::parse_go_duration(s) {
                Ok(d) => js.sync_interval = Some(d),
                Err(e) => err(ctx, &v.pos, format_args!("error parsing {key}: {e}")),
            },
            Value::Integer(i) => {
                ctx.warnings.push(format!(
                    "{}: {key} should be converted to a duration",
                    v.pos
                ));
                js.sync_interval = Some(std::time::Duration::from_secs((*i).max(0) as u64));
            }
            _ => mismatch(ctx, v, "string"),
        },
        "max_memory_store" | "max_mem_store" | "max_mem" => match storage_size(&v.value) {
            Ok(s) => js.max_memory = Some(s),
            Err(e) => {
                err(ctx, &v.pos, format_args!("max_mem_store {e}"));
                return false;
            }
        },
        "max_file_store" | "max_file" => match storage_size(&v.value) {
            Ok(s) => js.max_store = Some(s),
            Err(e) => {
                err(ctx, &v.pos, format_args!("max_file_store {e}"));
                return false;
            }
        },
        "domain" => match &v.value {
            Value::String(s) => js.domain = s.clone(),
            _ => mismatch(ctx, v, "string"),
        },
        "enable" | "enabled" => match v.value {
            Value::Bool(b) => *enable = b,
            _ => mismatch(ctx, v, "bool"),
        },
        "key" | "ek" | "encryption_key" => match &v.value {
            Value::String(s) => js.encryption_key = s.clone(),
            _ => mismatch(ctx, v, "string"),
        },
        "prev_key" | "prev_ek" | "prev_encryption_key" => match &v.value {
            Value::String(s) => js.prev_encryption_key = s.clone(),
            _ => mismatch(ctx, v, "string"),
        },
        // Go's `setJetStreamEkCipher`; the first error ends the block.
        "cipher" => match &v.value {
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "chacha" | "chachapoly" => js.cipher = Cipher::ChaCha,
                "aes" => js.cipher = Cipher::Aes,
                _ => {
                    err(ctx, &v.pos, format_args!("Unknown cipher type: {s:?}"));
                    return false;
                }
            },
            _ => mismatch(ctx, v, "string"),
        },
        "tpm" => {
            err(
                ctx,
                &v.pos,
                format_args!("{key:?} is not supported yet by rnats"),
            );
        }
        "unique_tag" => match &v.value {
            Value::String(s) => js.unique_tag = s.trim().to_ascii_lowercase(),
            _ => mismatch(ctx, v, "string"),
        },
        "limits" => return limits(o, v, ctx),
        "max_buffered_size" | "max_outstanding_catchup" | "meta_compact_size" => {
            match storage_size(&v.value) {
                Ok(s) => {
                    if key == "max_buffered_size" {
                        js.max_buffered_size = s;
                    }
                }
                Err(e) => {
                    err(ctx, &v.pos, format_args!("{key} {e}"));
                    return false;
                }
            }
        }
        "max_buffered_msgs" | "request_queue_limit" | "info_queue_limit" => match v.value {
            Value::Integer(i) => match key {
                "max_buffered_msgs" => js.max_buffered_msgs = i,
                "request_queue_limit" => js.request_queue_limit = i,
                _ => {}
            },
            _ => {
                err(
                    ctx,
                    &v.pos,
                    format_args!(
                        "Expected a parseable size for {key:?}, got {}",
                        super_short(&v.value)
                    ),
                );
                return false;
            }
        },
        "meta_compact" => match v.value {
            Value::Integer(i) if i >= 0 => {}
            _ => {
                err(
                    ctx,
                    &v.pos,
                    format_args!(
                        "Expected an absolute size for {key:?}, got {}",
                        super_short(&v.value)
                    ),
                );
                return false;
            }
        },
        "max_concurrent_io" => match v.value {
            Value::Integer(i) if (4..=8192).contains(&i) => {}
            _ => {
                err(
                    ctx,
                    &v.pos,
                    format_args!(
                        "Expected an absolute size for {key:?} between 4 and 8192, got {}",
                        super_short(&v.value)
                    ),
                );
                return false;
            }
        },
        "meta_compact_sync" if !matches!(v.value, Value::Bool(_)) => mismatch(ctx, v, "bool"),
        "extension_hint" if !matches!(v.value, Value::String(_)) => mismatch(ctx, v, "string"),
        _ => {}
    }
    true
}

/// Go's `parseJetStreamLimits`.
fn limits(o: &mut Options, v: &Spanned<Value>, ctx: &mut Ctx) -> bool {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!(
                "Expected a map to define JetStreamLimits, got {}",
                v.value.go_type_name()
            ),
        );
        return false;
    };
    let l = &mut o.js.limits;
    *l = Default::default();
    for f in m {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "max_ack_pending" | "max_ha_assets" | "max_request_batch" => {
                let Value::Integer(i) = fv.value else {
                    mismatch(ctx, fv, "int64");
                    continue;
                };
                match f.key.to_ascii_lowercase().as_str() {
                    "max_ack_pending" => l.max_ack_pending = i,
                    "max_ha_assets" => l.max_ha_assets = i,
                    _ => l.max_request_batch = i,
                }
            }
            "duplicate_window" => match &fv.value {
                Value::String(s) => match crate::gofmt::parse_go_duration(s) {
                    Ok(d) => l.duplicates = d,
                    Err(e) => ctx.errors.push(e.to_string()),
                },
                _ => mismatch(ctx, fv, "string"),
            },
            "batch" => batch_limits(l, fv, ctx),
            _ => {
                if !f.used_as_variable {
                    err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                }
            }
        }
    }
    true
}

/// Go's `parseJetStreamLimitsBatch`.
fn batch_limits(l: &mut crate::jetstream::options::JsLimits, v: &Spanned<Value>, ctx: &mut Ctx) {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!(
                "Expected a map to define batch limits, got {}",
                v.value.go_type_name()
            ),
        );
        return;
    };
    for f in m {
        let fv = &f.value;
        let key = f.key.to_ascii_lowercase();
        match key.as_str() {
            "max_inflight_per_stream" | "max_inflight_total" | "max_msgs" => {
                let Value::Integer(i) = fv.value else {
                    mismatch(ctx, fv, "int64");
                    continue;
                };
                match key.as_str() {
                    "max_inflight_per_stream" => l.batch_inflight_per_stream = i,
                    "max_inflight_total" => l.batch_inflight_total = i,
                    _ => l.batch_max_msgs = i,
                }
            }
            "timeout" => match &fv.value {
                Value::String(s) => match crate::gofmt::parse_go_duration(s) {
                    Ok(d) => l.batch_timeout = d,
                    Err(e) => ctx.errors.push(e.to_string()),
                },
                _ => mismatch(ctx, fv, "string"),
            },
            _ => {
                if !f.used_as_variable {
                    err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                }
            }
        }
    }
}
