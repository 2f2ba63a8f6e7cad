//! The `accounts` block, `system_account` and `no_system_account`, with Go's parse errors (opts.go
//! `parseAccounts`, `parseAccountExports`, `parseAccountImports`, `parseExportStreamOrService`,
//! `parseImportStreamOrService`, `parseAccountLimits`, `configureSystemAccount`). Exports and imports are
//! checked across accounts once every account is read, as Go does, and those errors point at the block.

use super::auth::{err, mismatch, parse_permissions, parse_users, string};
use super::Ctx;
use crate::accounts::config::{
    AccountConfig, AccountLimits, Export, ResponseType, ServiceImport, StreamImport,
};
use crate::config::conf::{Entry, Map, Spanned, Value};
use crate::options::Options;

/// Apply `key` if it is an accounts key; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "accounts" => accounts(o, e, ctx),
        "system_account" | "system" => match &e.value.value {
            Value::String(s) => o.system_account = s.clone(),
            _ => ctx.error(e, "system account name must be a string"),
        },
        "mappings" | "maps" => {
            let mappings = super::mappings::parse(&e.value, ctx);
            let g = crate::consts::GLOBAL_ACCOUNT;
            match o.accounts.iter_mut().find(|a| a.name == g) {
                Some(a) => a.mappings.extend(mappings),
                None => {
                    let mut a = AccountConfig::new(g);
                    a.mappings = mappings;
                    o.accounts.push(a);
                }
            }
        }
        "no_system_account" | "no_system" | "no_sys_acc" => {
            if let Some(b) = ctx.boolean(e) {
                o.no_system_account = b;
            }
        }
        _ => return false,
    }
    true
}

fn accounts(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    match &e.value.value {
        Value::Array(items) => {
            let mut seen = std::collections::HashSet::new();
            for item in items {
                let Some(name) = string(ctx, item) else {
                    continue;
                };
                if name == crate::consts::GLOBAL_ACCOUNT {
                    err(
                        ctx,
                        &item.pos,
                        format_args!("{name:?} is a Reserved Account"),
                    );
                    continue;
                }
                if !seen.insert(name.clone()) {
                    err(
                        ctx,
                        &item.pos,
                        format_args!("Duplicate Account Entry: {name}"),
                    );
                    continue;
                }
                o.accounts.push(AccountConfig::new(&name));
            }
        }
        Value::Map(m) => accounts_map(o, m, ctx),
        other => {
            // Go's parseAccounts ignores other shapes.
            let _ = other;
        }
    }
    if !ctx.errors.is_empty() {
        return;
    }
    let errors = crate::accounts::check::check(&o.accounts, o.no_system_account);
    for msg in errors {
        ctx.error(e, msg);
    }
}

fn accounts_map(o: &mut Options, m: &Map, ctx: &mut Ctx) {
    // User names and nkeys are unique across the authorization block and every account.
    let mut names: std::collections::HashSet<String> = o
        .users
        .iter()
        .map(|u| u.username.clone())
        .chain(o.nkeys.iter().map(|n| n.nkey.clone()))
        .collect();
    for entry in m {
        if entry.used_as_variable {
            continue;
        }
        let v = &entry.value;
        let Value::Map(am) = &v.value else {
            err(ctx, &v.pos, "Expected map entries for accounts");
            continue;
        };
        if entry.key == crate::consts::GLOBAL_ACCOUNT {
            err(
                ctx,
                &v.pos,
                format_args!("{:?} is a Reserved Account", entry.key),
            );
            continue;
        }
        let mut acc = AccountConfig::new(&entry.key);
        let mut users = Vec::new();
        let mut nkeys = Vec::new();
        let mut users_pos = None;
        for f in am {
            let fv = &f.value;
            match f.key.to_ascii_lowercase().as_str() {
                "nkey" => match &fv.value {
                    Value::String(s) if is_account_key(s) => acc.nkey = s.clone(),
                    other => err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Not a valid public nkey for an account: {:?}",
                            super::auth::super_short(other)
                        ),
                    ),
                },
                "imports" => imports(&mut acc, fv, ctx),
                "exports" => exports(&mut acc, fv, ctx),
                "users" => {
                    users_pos = Some(fv.pos.clone());
                    match parse_users(fv, ctx) {
                        Ok((k, u)) => {
                            nkeys = k;
                            users = u;
                        }
                        Err(e) => ctx.errors.push(e),
                    }
                }
                "default_permissions" => match parse_permissions(fv, ctx) {
                    Ok(p) => acc.default_permissions = Some(p),
                    Err(e) => ctx.errors.push(e),
                },
                "limits" => limits(&mut acc.limits, fv, ctx),
                "jetstream" => account_jetstream(&mut acc, fv, ctx),
                "mappings" | "maps" => acc.mappings = super::mappings::parse(fv, ctx),
                "msg_trace" | "trace_dest" => err(
                    ctx,
                    &fv.pos,
                    format_args!("{:?} is not supported yet by rnats", f.key),
                ),
                _ => {
                    if !f.used_as_variable {
                        err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                    }
                }
            }
        }
        if !users.is_empty() || !nkeys.is_empty() {
            let pos = users_pos.unwrap_or_else(|| v.pos.clone());
            if !o.username.is_empty() {
                err(ctx, &pos, "Can not have a single user/pass and accounts");
                o.accounts.push(acc);
                continue;
            }
            if !o.authorization.is_empty() {
                err(ctx, &pos, "Can not have a token and accounts");
                o.accounts.push(acc);
                continue;
            }
            // Go's applyDefaultPermissions.
            if let Some(d) = &acc.default_permissions {
                for u in &mut users {
                    u.permissions.get_or_insert_with(|| d.clone());
                }
                for n in &mut nkeys {
                    n.permissions.get_or_insert_with(|| d.clone());
                }
            }
            for mut n in nkeys {
                if !names.insert(n.nkey.clone()) {
                    err(
                        ctx,
                        &pos,
                        format_args!("Duplicate nkey {:?} detected", n.nkey),
                    );
                    continue;
                }
                n.account = acc.name.clone();
                o.nkeys.push(n);
            }
            for mut u in users {
                if !names.insert(u.username.clone()) {
                    err(
                        ctx,
                        &pos,
                        format_args!("Duplicate user {:?} detected", u.username),
                    );
                    continue;
                }
                u.account = acc.name.clone();
                o.users.push(u);
            }
        }
        o.accounts.push(acc);
    }
}

fn is_account_key(s: &str) -> bool {
    s.starts_with('A') && nkeys::KeyPair::from_public_key(s).is_ok()
}

/// Go's `parseAccountLimits`.
fn limits(l: &mut AccountLimits, v: &Spanned<Value>, ctx: &mut Ctx) {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!(
                "Expected account limits to be a map/struct, got {}",
                super::auth::super_short(&v.value)
            ),
        );
        return;
    };
    for f in m {
        let slot = match f.key.to_ascii_lowercase().as_str() {
            "max_connections" | "max_conn" => &mut l.max_connections,
            "max_subscriptions" | "max_subs" => &mut l.max_subscriptions,
            "max_payload" | "max_pay" => &mut l.max_payload,
            "max_leafnodes" | "max_leafs" => &mut l.max_leafnodes,
            _ => {
                if !f.used_as_variable {
                    err(
                        ctx,
                        &f.value.pos,
                        format_args!("Unknown field {:?} parsing account limits", f.key),
                    );
                }
                continue;
            }
        };
        match &f.value.value {
            // Go converts with int32(), keeping the low 32 bits.
            Value::Integer(i) => *slot = *i as i32,
            _ => mismatch(ctx, &f.value, "int64"),
        }
    }
}

fn exports(acc: &mut AccountConfig, v: &Spanned<Value>, ctx: &mut Ctx) {
    let Value::Array(items) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!("Exports should be an array, got {}", go_type_of(&v.value)),
        );
        return;
    };
    for item in items {
        let Some((is_service, export)) = export(item, ctx) else {
            continue;
        };
        if is_service {
            acc.service_exports.push(export);
        } else {
            acc.stream_exports.push(export);
        }
    }
}

/// Go's `%T` of a config value.
fn go_type_of(v: &Value) -> &'static str {
    v.go_type_name()
}

/// Go's `parseExportStreamOrService`: `(is_service, export)`, None when it is neither.
fn export(v: &Spanned<Value>, ctx: &mut Ctx) -> Option<(bool, Export)> {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!(
                "Export Items should be a map with type entry, got {}",
                go_type_of(&v.value)
            ),
        );
        return None;
    };
    let mut kind: Option<bool> = None;
    let mut ex = Export::default();
    let mut rt_pos = None;
    let mut thresh_seen = false;
    for f in m {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "stream" => {
                if kind == Some(true) {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Detected stream {:?} but already saw a service",
                            super::auth::super_short(&fv.value)
                        ),
                    );
                    continue;
                }
                if let Some(p) = &rt_pos {
                    err(ctx, p, "Detected response directive on non-service");
                    continue;
                }
                let Value::String(s) = &fv.value else {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Expected stream name to be string, got {}",
                            go_type_of(&fv.value)
                        ),
                    );
                    continue;
                };
                ex.subject = s.clone();
                kind = Some(false);
            }
            "service" => {
                if kind == Some(false) {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Detected service {:?} but already saw a stream",
                            super::auth::super_short(&fv.value)
                        ),
                    );
                    continue;
                }
                let Value::String(s) = &fv.value else {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Expected service name to be string, got {}",
                            go_type_of(&fv.value)
                        ),
                    );
                    continue;
                };
                ex.subject = s.clone();
                kind = Some(true);
            }
            "response" | "response_type" => {
                if rt_pos.is_some() {
                    err(ctx, &fv.pos, "Duplicate response type definition");
                    continue;
                }
                rt_pos = Some(fv.pos.clone());
                let Value::String(s) = &fv.value else {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Expected response type to be string, got {}",
                            go_type_of(&fv.value)
                        ),
                    );
                    continue;
                };
                ex.response_type = match s.to_ascii_lowercase().as_str() {
                    "single" | "singleton" => ResponseType::Singleton,
                    "stream" => ResponseType::Streamed,
                    "chunk" | "chunked" => ResponseType::Chunked,
                    _ => {
                        err(ctx, &fv.pos, format_args!("Unknown response type: {s:?}"));
                        continue;
                    }
                };
                if kind == Some(false) {
                    err(ctx, &fv.pos, "Detected response directive on non-service");
                }
            }
            "threshold" | "response_threshold" | "response_max_time" | "response_time" => {
                if thresh_seen {
                    err(ctx, &fv.pos, "Duplicate response threshold detected");
                    continue;
                }
                thresh_seen = true;
                let Value::String(s) = &fv.value else {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "Expected response threshold to be a parseable time duration, got {}",
                            go_type_of(&fv.value)
                        ),
                    );
                    continue;
                };
                match crate::gofmt::parse_go_duration(s) {
                    Ok(d) => ex.response_threshold = Some(d),
                    Err(_) => {
                        err(
                            ctx,
                            &fv.pos,
                            format_args!(
                                "Expected response threshold to be a parseable time duration, got {s:?}"
                            ),
                        );
                        continue;
                    }
                }
                if kind == Some(false) {
                    err(ctx, &fv.pos, "Detected response directive on non-service");
                }
            }
            "accounts" => {
                let Value::Array(items) = &fv.value else {
                    mismatch(ctx, fv, "[]interface {}");
                    continue;
                };
                let mut names = Vec::new();
                for i in items {
                    if let Some(n) = string(ctx, i) {
                        names.push(n);
                    }
                }
                ex.accounts = Some(names);
            }
            "account_token_position" => match &fv.value {
                Value::Integer(i) => ex.account_token_position = *i as u32,
                _ => mismatch(ctx, fv, "int64"),
            },
            "latency" | "allow_trace" => err(
                ctx,
                &fv.pos,
                format_args!("{:?} is not supported yet by rnats", f.key),
            ),
            _ => {
                if !f.used_as_variable {
                    err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                }
            }
        }
    }
    kind.map(|k| (k, ex))
}

fn imports(acc: &mut AccountConfig, v: &Spanned<Value>, ctx: &mut Ctx) {
    let Value::Array(items) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!("Imports should be an array, got {}", go_type_of(&v.value)),
        );
        return;
    };
    for item in items {
        match import(item, ctx) {
            Some(Import::Stream(s)) => acc.stream_imports.push(s),
            Some(Import::Service(s)) => {
                if let Some(dup) = acc
                    .service_imports
                    .iter()
                    .find(|d| d.to == s.to && d.account == s.account)
                {
                    err(
                        ctx,
                        &item.pos,
                        format_args!(
                            "Duplicate service import subject {:?}, previously used in import for account {:?}, subject {:?}",
                            s.to, dup.account, dup.subject
                        ),
                    );
                    continue;
                }
                acc.service_imports.push(s)
            }
            None => {}
        }
    }
}

enum Import {
    Stream(StreamImport),
    Service(ServiceImport),
}

/// Go's `parseImportStreamOrService`.
fn import(v: &Spanned<Value>, ctx: &mut Ctx) -> Option<Import> {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            format_args!(
                "Import Items should be a map with type entry, got {}",
                go_type_of(&v.value)
            ),
        );
        return None;
    };
    let mut out: Option<Import> = None;
    let (mut prefix, mut to, mut share) = (String::new(), String::new(), false);
    for f in m {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "stream" | "service" => {
                let service = f.key.eq_ignore_ascii_case("service");
                match (&out, service) {
                    (Some(Import::Service(_)), false) => {
                        err(ctx, &fv.pos, "Detected stream but already saw a service");
                        continue;
                    }
                    (Some(Import::Stream(_)), true) => {
                        err(ctx, &fv.pos, "Detected service but already saw a stream");
                        continue;
                    }
                    _ => {}
                }
                let Value::Map(am) = &fv.value else {
                    let what = if service { "Service" } else { "Stream" };
                    err(
                        ctx,
                        &fv.pos,
                        format_args!(
                            "{what} entry should be an account map, got {}",
                            go_type_of(&fv.value)
                        ),
                    );
                    continue;
                };
                let (account, subject) = account_ref(am, ctx);
                if account.is_empty() || subject.is_empty() {
                    err(ctx, &fv.pos, "Expect an account name and a subject");
                    continue;
                }
                out = Some(if service {
                    Import::Service(ServiceImport {
                        account,
                        to: if to.is_empty() {
                            subject.clone()
                        } else {
                            to.clone()
                        },
                        subject,
                        share,
                        token: String::new(),
                    })
                } else {
                    Import::Stream(StreamImport {
                        account,
                        subject,
                        prefix: prefix.clone(),
                        to: to.clone(),
                        token: String::new(),
                    })
                });
            }
            "prefix" => {
                let Some(p) = string(ctx, fv) else { continue };
                prefix = p;
                if let Some(Import::Stream(s)) = &mut out {
                    s.prefix = prefix.clone();
                }
            }
            "to" => {
                let Some(t) = string(ctx, fv) else { continue };
                to = t;
                match &mut out {
                    Some(Import::Service(s)) => s.to = to.clone(),
                    Some(Import::Stream(s)) => {
                        s.to = to.clone();
                        if !s.prefix.is_empty() {
                            err(
                                ctx,
                                &fv.pos,
                                "Stream import can not have a 'prefix' and a 'to' property",
                            );
                            continue;
                        }
                    }
                    None => {}
                }
            }
            "share" => {
                let Value::Bool(b) = &fv.value else {
                    mismatch(ctx, fv, "bool");
                    continue;
                };
                share = *b;
                if let Some(Import::Service(s)) = &mut out {
                    s.share = share;
                }
            }
            "allow_trace" => err(
                ctx,
                &fv.pos,
                format_args!("{:?} is not supported yet by rnats", f.key),
            ),
            _ => {
                if !f.used_as_variable {
                    err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                }
            }
        }
    }
    out
}

/// Go's `parseAccount`: the `{ account, subject }` of an import.
fn account_ref(m: &Map, ctx: &mut Ctx) -> (String, String) {
    let (mut account, mut subject) = (String::new(), String::new());
    for f in m {
        match f.key.to_ascii_lowercase().as_str() {
            "account" => account = string(ctx, &f.value).unwrap_or_default(),
            "subject" => subject = string(ctx, &f.value).unwrap_or_default(),
            _ => {
                if !f.used_as_variable {
                    err(ctx, &f.value.pos, format_args!("unknown field {:?}", f.key));
                }
            }
        }
    }
    (account, subject)
}

/// Go's `parseJetStreamForAccount`.
fn account_jetstream(acc: &mut AccountConfig, v: &Spanned<Value>, ctx: &mut Ctx) {
    use crate::jetstream::api::account::JetStreamAccountLimits;
    match &v.value {
        Value::Bool(b) => {
            acc.jetstream = b.then_some(JetStreamAccountLimits::UNLIMITED);
        }
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "enabled" | "enable" => acc.jetstream = Some(JetStreamAccountLimits::UNLIMITED),
            "disabled" | "disable" => acc.jetstream = None,
            _ => err(
                ctx,
                &v.pos,
                format_args!("Expected 'enabled' or 'disabled' for string value, got '{s}'"),
            ),
        },
        Value::Map(m) => {
            let mut l = JetStreamAccountLimits::UNLIMITED;
            for f in m {
                let fv = &f.value;
                let key = f.key.to_ascii_lowercase();
                let size = |ctx: &mut Ctx| -> Option<i64> {
                    match fv.value {
                        Value::Integer(i) => Some(i),
                        _ => {
                            err(
                                ctx,
                                &fv.pos,
                                format_args!(
                                    "Expected a parseable size for {:?}, got {}",
                                    f.key,
                                    super::auth::super_short(&fv.value)
                                ),
                            );
                            None
                        }
                    }
                };
                match key.as_str() {
                    "max_memory" | "max_mem" | "mem" | "memory" => match size(ctx) {
                        Some(n) => l.max_memory = n,
                        None => return,
                    },
                    "max_store" | "max_file" | "max_disk" | "store" | "disk" => match size(ctx) {
                        Some(n) => l.max_store = n,
                        None => return,
                    },
                    "max_streams" | "streams" => match size(ctx) {
                        Some(n) => l.max_streams = n,
                        None => return,
                    },
                    "max_consumers" | "consumers" => match size(ctx) {
                        Some(n) => l.max_consumers = n,
                        None => return,
                    },
                    "max_bytes_required" | "max_stream_bytes" | "max_bytes" => match fv.value {
                        Value::Bool(b) => l.max_bytes_required = b,
                        _ => {
                            err(
                                ctx,
                                &fv.pos,
                                format_args!(
                                    "Expected a parseable bool for {:?}, got {}",
                                    f.key,
                                    super::auth::super_short(&fv.value)
                                ),
                            );
                            return;
                        }
                    },
                    "mem_max_stream_bytes" | "memory_max_stream_bytes" => match size(ctx) {
                        Some(n) => l.memory_max_stream_bytes = n,
                        None => return,
                    },
                    "disk_max_stream_bytes" | "store_max_stream_bytes" => match size(ctx) {
                        Some(n) => l.store_max_stream_bytes = n,
                        None => return,
                    },
                    "max_ack_pending" => match size(ctx) {
                        Some(n) => l.max_ack_pending = n,
                        None => return,
                    },
                    "cluster_traffic" => match &fv.value {
                        Value::String(s) if matches!(s.as_str(), "system" | "" | "owner") => {}
                        _ => {
                            err(
                                ctx,
                                &fv.pos,
                                format_args!(
                                    "Expected either 'system' or 'owner' string value for {:?}, got {}",
                                    f.key,
                                    super::auth::super_short(&fv.value)
                                ),
                            );
                            return;
                        }
                    },
                    _ => {
                        if !f.used_as_variable {
                            err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                        }
                    }
                }
            }
            acc.jetstream = Some(l);
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
