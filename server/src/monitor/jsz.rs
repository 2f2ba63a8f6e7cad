//! `/jsz` and the `jetstream` section of `/varz` when JetStream runs (Go's `Jsz`, `JSInfo`,
//! `AccountDetail`, `StreamDetail` and `JetStreamVarz` in monitor.go).

use std::sync::atomic::Ordering;

use serde_json::{json, Map, Value};

use super::Monitor;
use crate::jetstream::engine::JetStream;

/// Go's `default_max_consumers` limit shown in the JetStream limits (`JSLimitOpts`).
const DEFAULT_MAX_CONSUMERS: i64 = 1000;

fn config(js: &JetStream) -> Value {
    let mut c = Map::new();
    c.insert("max_memory".into(), json!(js.max_memory));
    c.insert("max_storage".into(), json!(js.max_store));
    c.insert(
        "store_dir".into(),
        json!(js.store_dir.display().to_string()),
    );
    c.insert(
        "sync_interval".into(),
        json!(js.sync_interval.as_nanos() as u64),
    );
    if js.sync_always {
        c.insert("sync_always".into(), json!(true));
    }
    if !js.domain.is_empty() {
        c.insert("domain".into(), json!(js.domain));
    }
    c.insert("strict".into(), json!(js.strict));
    Value::Object(c)
}

/// Memory, storage and reservations over every enabled account.
fn usage(js: &JetStream) -> (u64, u64, u64, u64) {
    use crate::jetstream::api::enums::StorageType;
    let (mut mem, mut store, mut rmem, mut rstore) = (0, 0, 0, 0);
    for jsa in js.accounts() {
        mem += jsa.usage(StorageType::Memory);
        store += jsa.usage(StorageType::File);
        for s in jsa.streams() {
            let cfg = s.config();
            if cfg.max_bytes > 0 {
                match cfg.storage {
                    StorageType::Memory => rmem += cfg.max_bytes as u64,
                    StorageType::File => rstore += cfg.max_bytes as u64,
                }
            }
        }
    }
    (mem, store, rmem, rstore)
}

fn stats(js: &JetStream) -> Value {
    let (mem, store, rmem, rstore) = usage(js);
    json!({
        "memory": mem,
        "storage": store,
        "reserved_memory": rmem,
        "reserved_storage": rstore,
        "accounts": js.accounts().len(),
        "ha_assets": 0,
        "api": {
            "level": crate::jetstream::api::stream_config::JS_API_LEVEL,
            "total": js.api_total.load(Ordering::Relaxed),
            "errors": js.api_errors.load(Ordering::Relaxed),
        },
    })
}

/// The `jetstream` member of `/varz`.
pub fn varz_section(js: &JetStream) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("config".into(), config(js));
    m.insert("stats".into(), stats(js));
    m.insert(
        "limits".into(),
        json!({"default_max_consumers": DEFAULT_MAX_CONSUMERS}),
    );
    m
}

/// `/jsz` with JetStream enabled.
pub fn jsz(
    m: &Monitor,
    js: &JetStream,
    accounts: bool,
    streams: bool,
    consumers: bool,
    acc: &str,
) -> Value {
    let mut out = match stats(js) {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    out.insert("server_id".into(), json!(m.server.id));
    out.insert("now".into(), json!(super::misc::now()));
    out.insert("config".into(), config(js));
    out.insert(
        "limits".into(),
        json!({"default_max_consumers": DEFAULT_MAX_CONSUMERS}),
    );
    let all = js.accounts();
    let (mut nstreams, mut nconsumers, mut msgs, mut bytes) = (0u64, 0u64, 0u64, 0u64);
    for jsa in &all {
        for s in jsa.streams() {
            nstreams += 1;
            nconsumers += s.consumers().len() as u64;
            let st = s.state();
            msgs += st.msgs;
            bytes += st.bytes;
        }
    }
    out.insert("streams".into(), json!(nstreams));
    out.insert("consumers".into(), json!(nconsumers));
    out.insert("messages".into(), json!(msgs));
    out.insert("bytes".into(), json!(bytes));
    let (streams, consumers) = (streams || consumers, consumers);
    if accounts || streams || !acc.is_empty() {
        let mut details = Vec::new();
        for jsa in all
            .iter()
            .filter(|a| acc.is_empty() || a.account.name == acc)
        {
            let mut d = Map::new();
            d.insert("name".into(), json!(jsa.account.name));
            d.insert("id".into(), json!(jsa.account.name));
            use crate::jetstream::api::enums::StorageType;
            d.insert("memory".into(), json!(jsa.usage(StorageType::Memory)));
            d.insert("storage".into(), json!(jsa.usage(StorageType::File)));
            // Go reports the unlimited reservation as the largest unsigned value.
            d.insert("reserved_memory".into(), json!(u64::MAX));
            d.insert("reserved_storage".into(), json!(u64::MAX));
            d.insert("accounts".into(), json!(0));
            d.insert("ha_assets".into(), json!(0));
            d.insert(
                "api".into(),
                json!({"level": 0, "total": js.api_total.load(Ordering::Relaxed), "errors": js.api_errors.load(Ordering::Relaxed)}),
            );
            if streams {
                let mut sd = Vec::new();
                for s in jsa.streams() {
                    let info = s.info(
                        &m.server.name,
                        crate::consts::VERSION,
                        crate::jetstream::engine::stream::InfoKind::Info,
                    );
                    let mut e = Map::new();
                    e.insert("name".into(), json!(s.name));
                    e.insert("created".into(), json!(info.created));
                    e.insert("cluster".into(), json!(info.cluster));
                    e.insert("state".into(), json!(info.state));
                    if consumers {
                        let cd: Vec<Value> = s
                            .consumers()
                            .iter()
                            .map(|c| json!(c.info(&m.server.name)))
                            .collect();
                        e.insert("consumer_detail".into(), json!(cd));
                    }
                    sd.push(Value::Object(e));
                }
                d.insert("stream_detail".into(), json!(sd));
            }
            details.push(Value::Object(d));
        }
        out.insert("account_details".into(), json!(details));
    }
    out.insert("total".into(), json!(all.len()));
    Value::Object(out)
}
