//! The `authorization` block and `no_auth_user`, with Go's parse errors (opts.go `parseAuthorization`,
//! `parseUsers`, `parseUserPermissions`, `parseVariablePermissions`, `parseSubjectPermission`,
//! `parseAllowResponses`, `checkPermSubjectArray`). An error that Go returns (rather than collects) drops
//! the whole block, as in Go.

use std::time::Duration;

use super::Ctx;
use crate::auth::authenticate::is_valid_public_user_key;
use crate::auth::{
    NkeyUser, Permissions, ResponsePermission, SubjectPermission, User, CONNECTION_TYPES,
};
use crate::config::conf::{Entry, Map, Pos, Spanned, Value};
use crate::options::Options;
use crate::sublist::is_valid_subject;

/// Apply `key` if it is an auth key; false when the key is not handled here.
pub fn apply(o: &mut Options, key: &str, e: &Entry, ctx: &mut Ctx) -> bool {
    match key {
        "authorization" => authorization(o, e, ctx),
        "no_auth_user" => {
            if let Some(v) = ctx.string(e) {
                o.no_auth_user = v;
            }
        }
        _ => return false,
    }
    true
}

/// An error at a value's position.
pub(super) fn err(ctx: &mut Ctx, pos: &Pos, msg: impl std::fmt::Display) {
    ctx.errors.push(format!("{pos}: {msg}"));
}

/// Go's failed type assertion text.
pub(super) fn mismatch(ctx: &mut Ctx, v: &Spanned<Value>, want: &str) {
    err(
        ctx,
        &v.pos,
        format_args!(
            "interface conversion: interface {{}} is {}, not {want}",
            v.value.go_type_name()
        ),
    );
}

pub(super) fn string(ctx: &mut Ctx, v: &Spanned<Value>) -> Option<String> {
    match &v.value {
        Value::String(s) => Some(s.clone()),
        _ => {
            mismatch(ctx, v, "string");
            None
        }
    }
}

#[derive(Default)]
struct Block {
    user: String,
    pass: String,
    token: String,
    timeout: f64,
    users: Option<Vec<User>>,
    nkeys: Vec<NkeyUser>,
    defaults: Option<Permissions>,
}

fn authorization(o: &mut Options, e: &Entry, ctx: &mut Ctx) {
    let Value::Map(m) = &e.value.value else {
        ctx.error(
            e,
            format_args!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                e.value.value.go_type_name()
            ),
        );
        return;
    };
    let Some(auth) = parse_block(m, ctx) else {
        return;
    };
    o.auth_block_defined = true;
    o.username = auth.user.clone();
    o.password = auth.pass.clone();
    o.authorization = auth.token.clone();
    // Go stores the seconds as given; zero means the default.
    if auth.timeout > 0.0 {
        o.auth_timeout = Duration::from_secs_f64(auth.timeout);
        o.auth_timeout_set = true;
    }
    if (!auth.user.is_empty() || !auth.pass.is_empty()) && !auth.token.is_empty() {
        ctx.error(e, "Cannot have a user/pass and token");
        return;
    }
    if auth.users.is_some() {
        if !auth.user.is_empty() {
            ctx.error(e, "Can not have a single user/pass and a users array");
            return;
        }
        if !auth.token.is_empty() {
            ctx.error(e, "Can not have a token and a users array");
            return;
        }
    }
    let mut names = std::collections::HashSet::new();
    for u in auth.users.iter().flatten() {
        if !names.insert(u.username.clone()) {
            ctx.error(e, format_args!("Duplicate user {:?} detected", u.username));
            return;
        }
    }
    o.users.extend(auth.users.unwrap_or_default());
    for n in &auth.nkeys {
        if !names.insert(n.nkey.clone()) {
            ctx.error(e, format_args!("Duplicate nkey {:?} detected", n.nkey));
            return;
        }
    }
    o.nkeys.extend(auth.nkeys);
}

fn parse_block(m: &Map, ctx: &mut Ctx) -> Option<Block> {
    let mut b = Block::default();
    for entry in m {
        let v = &entry.value;
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => b.user = string(ctx, v)?,
            "pass" | "password" => b.pass = string(ctx, v)?,
            "token" => b.token = string(ctx, v)?,
            "timeout" => {
                let at = match &v.value {
                    Value::Integer(i) => *i as f64,
                    Value::Float(f) => *f,
                    Value::String(s) => match crate::gofmt::parse_go_duration(s) {
                        Ok(d) => d.as_secs_f64(),
                        Err(e) => {
                            err(
                                ctx,
                                &v.pos,
                                format_args!("error parsing authorization config, 'timeout' {e}"),
                            );
                            return None;
                        }
                    },
                    _ => {
                        err(
                            ctx,
                            &v.pos,
                            "error parsing authorization config, 'timeout' wrong type",
                        );
                        return None;
                    }
                };
                if at > 60.0 {
                    let shown = match &v.value {
                        Value::String(s) => s.clone(),
                        Value::Integer(i) => i.to_string(),
                        Value::Float(f) => crate::gofmt::go_float(*f),
                        _ => String::new(),
                    };
                    ctx.warnings.push(format!(
                        "{}: invalid use of field {:?}: timeout of {shown} ({at:.6} seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example",
                        v.pos, entry.key
                    ));
                }
                b.timeout = at;
            }
            "users" => match parse_users(v, ctx) {
                Ok((nkeys, users)) => {
                    b.users = Some(users);
                    b.nkeys = nkeys;
                }
                Err(e) => ctx.errors.push(e),
            },
            "default_permission" | "default_permissions" | "permissions" => {
                match parse_permissions(v, ctx) {
                    Ok(p) => b.defaults = Some(p),
                    Err(e) => ctx.errors.push(e),
                }
            }
            "auth_callout" | "auth_hook" => {
                err(
                    ctx,
                    &v.pos,
                    format_args!("{:?} is not supported yet by rnats", entry.key),
                );
            }
            "proxy_required" => {
                if !matches!(v.value, Value::Bool(_)) {
                    mismatch(ctx, v, "bool");
                    return None;
                }
            }
            _ => {
                if !entry.used_as_variable {
                    err(ctx, &v.pos, format_args!("unknown field {:?}", entry.key));
                }
            }
        }
    }
    // Go's applyDefaultPermissions: users without their own permissions get the defaults.
    if let Some(d) = &b.defaults {
        for u in b.users.iter_mut().flatten() {
            u.permissions.get_or_insert_with(|| d.clone());
        }
        for n in &mut b.nkeys {
            n.permissions.get_or_insert_with(|| d.clone());
        }
    }
    Some(b)
}

/// Go's `parseUsers`. `Err` is an error that drops the whole list.
pub(super) fn parse_users(
    v: &Spanned<Value>,
    ctx: &mut Ctx,
) -> Result<(Vec<NkeyUser>, Vec<User>), String> {
    let Value::Array(items) = &v.value else {
        return Err(format!(
            "{}: Expected users field to be an array, got {}",
            v.pos,
            super_short(&v.value)
        ));
    };
    let (mut keys, mut users) = (Vec::new(), Vec::new());
    for item in items {
        let Value::Map(um) = &item.value else {
            err(
                ctx,
                &item.pos,
                format_args!(
                    "Expected user entry to be a map/struct, got {}",
                    super_short(&item.value)
                ),
            );
            continue;
        };
        let mut user = User::default();
        let mut nkey = NkeyUser::default();
        let mut perms = None;
        let mut last = &item.pos;
        for f in um {
            let fv = &f.value;
            last = &fv.pos;
            match f.key.to_ascii_lowercase().as_str() {
                "nkey" => nkey.nkey = string(ctx, fv).unwrap_or_default(),
                "user" | "username" => user.username = string(ctx, fv).unwrap_or_default(),
                "pass" | "password" => user.password = string(ctx, fv).unwrap_or_default(),
                "permission" | "permissions" | "authorization" => {
                    match parse_permissions(fv, ctx) {
                        Ok(p) => perms = Some(p),
                        Err(e) => ctx.errors.push(e),
                    }
                }
                "allowed_connection_types" | "connection_types" | "clients" => {
                    let cts = connection_types(fv, ctx);
                    nkey.allowed_connection_types = cts.clone();
                    user.allowed_connection_types = cts;
                }
                "proxy_required" => {
                    if !matches!(fv.value, Value::Bool(_)) {
                        mismatch(ctx, fv, "bool");
                    }
                }
                _ => {
                    if !f.used_as_variable {
                        err(ctx, &fv.pos, format_args!("unknown field {:?}", f.key));
                    }
                }
            }
        }
        if let Some(p) = perms {
            if !nkey.nkey.is_empty() {
                nkey.permissions = Some(p);
            } else {
                user.permissions = Some(p);
            }
        }
        if nkey.nkey.is_empty() && user.username.is_empty() {
            return Err(format!("{last}: User entry requires a user"));
        } else if !nkey.nkey.is_empty() {
            if !is_valid_public_user_key(&nkey.nkey) {
                return Err(format!("{last}: Not a valid public nkey for a user"));
            }
            if !user.username.is_empty() || !user.password.is_empty() {
                return Err(format!(
                    "{last}: Nkey users do not take usernames or passwords"
                ));
            }
            keys.push(nkey);
        } else {
            users.push(user);
        }
    }
    Ok((keys, users))
}

/// A short rendering of a value for "got ..." messages.
pub(super) fn super_short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => crate::gofmt::go_float(*f),
        Value::Bool(b) => b.to_string(),
        other => other.go_type_name().to_string(),
    }
}

/// Go's `parseAllowedConnectionTypes`: names upper-cased; unknown names are an error, the known kept.
fn connection_types(v: &Spanned<Value>, ctx: &mut Ctx) -> std::collections::BTreeSet<String> {
    let mut names = Vec::new();
    match &v.value {
        Value::String(s) => names.push(s.clone()),
        Value::Array(items) => {
            for i in items {
                match &i.value {
                    Value::String(s) => names.push(s.clone()),
                    other => err(
                        ctx,
                        &i.pos,
                        format_args!(
                            "error parsing allowed connection types: unsupported type in array {}",
                            other.go_type_name()
                        ),
                    ),
                }
            }
        }
        other => {
            err(
                ctx,
                &v.pos,
                format_args!(
                    "error parsing allowed connection types: unsupported type {}",
                    other.go_type_name()
                ),
            );
            return Default::default();
        }
    }
    let mut set = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for n in names {
        let up = n.to_ascii_uppercase();
        if CONNECTION_TYPES.contains(&up.as_str()) {
            set.insert(up);
        } else {
            unknown.push(format!("{up:?}"));
        }
    }
    if !unknown.is_empty() {
        err(
            ctx,
            &v.pos,
            format_args!("invalid connection types [{}]", unknown.join(" ")),
        );
    }
    set
}

/// Go's `parseUserPermissions`.
pub(super) fn parse_permissions(v: &Spanned<Value>, ctx: &mut Ctx) -> Result<Permissions, String> {
    let Value::Map(pm) = &v.value else {
        return Err(format!(
            "{}: Expected permissions to be a map/struct, got {}",
            v.pos,
            super_short(&v.value)
        ));
    };
    let mut p = Permissions::default();
    for f in pm {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "pub" | "publish" | "import" => match variable_permissions(fv, ctx, false) {
                Ok(sp) => p.publish = sp,
                Err(e) => ctx.errors.push(e),
            },
            "sub" | "subscribe" | "export" => match variable_permissions(fv, ctx, true) {
                Ok(sp) => p.subscribe = sp,
                Err(e) => ctx.errors.push(e),
            },
            "publish_allow_responses" | "allow_responses" => {
                p.response = match &fv.value {
                    Value::Bool(true) => Some(ResponsePermission::default()),
                    Value::Bool(false) => None,
                    _ => allow_responses(fv, ctx),
                };
                if p.response.is_some() {
                    let publish = p.publish.get_or_insert_with(SubjectPermission::default);
                    publish.allow.get_or_insert_with(Vec::new);
                }
            }
            _ => {
                if !f.used_as_variable {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!("Unknown field {:?} parsing permissions", f.key),
                    );
                }
            }
        }
    }
    Ok(p)
}

/// Go's `parseVariablePermissions`: `{allow, deny}` or a shorthand subject list (an allow list).
fn variable_permissions(
    v: &Spanned<Value>,
    ctx: &mut Ctx,
    allow_queue: bool,
) -> Result<Option<SubjectPermission>, String> {
    let Value::Map(m) = &v.value else {
        // Go hands the shorthand over already unwrapped, so its errors carry no position.
        let subjects = perm_subjects(v, allow_queue, false)?;
        return Ok(Some(SubjectPermission {
            allow: Some(subjects),
            deny: None,
        }));
    };
    if m.is_empty() {
        return Ok(None);
    }
    let mut p = SubjectPermission::default();
    for f in m {
        match f.key.to_ascii_lowercase().as_str() {
            "allow" => match perm_subjects(&f.value, allow_queue, true) {
                Ok(s) => p.allow = Some(s),
                Err(e) => ctx.errors.push(e),
            },
            "deny" => match perm_subjects(&f.value, allow_queue, true) {
                Ok(s) => p.deny = Some(s),
                Err(e) => ctx.errors.push(e),
            },
            _ => {
                if !f.used_as_variable {
                    err(ctx, &f.value.pos, format_args!("Unknown field name {:?} parsing subject permissions, only 'allow' or 'deny' are permitted", f.key));
                }
            }
        }
    }
    Ok(Some(p))
}

/// Go's `parsePermSubjects`: a subject or an array of subjects, each checked. `positioned` is false
/// when Go received the bare value: its type and subject errors are then reported without a position
/// (an array element of the wrong type still names its own).
fn perm_subjects(
    v: &Spanned<Value>,
    allow_queue: bool,
    positioned: bool,
) -> Result<Vec<String>, String> {
    let at = |msg: String| {
        if positioned {
            format!("{}: {msg}", v.pos)
        } else {
            msg
        }
    };
    let subjects = match &v.value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => {
            let mut out = Vec::new();
            for i in items {
                match &i.value {
                    Value::String(s) => out.push(s.clone()),
                    _ => {
                        return Err(format!(
                            "{}: Subject in permissions array cannot be cast to string",
                            i.pos
                        ))
                    }
                }
            }
            out
        }
        other => {
            return Err(at(format!(
                "Expected subject permissions to be a subject, or array of subjects, got {}",
                other.go_type_name()
            )))
        }
    };
    check_perm_subjects(&subjects, allow_queue).map_err(at)?;
    Ok(subjects)
}

/// Go's `checkPermSubjectArray`.
pub fn check_perm_subjects(subjects: &[String], allow_queue: bool) -> Result<(), String> {
    for s in subjects {
        if is_valid_subject(s.as_bytes()) {
            continue;
        }
        if !allow_queue {
            return Err(format!("subject {s:?} is not a valid subject"));
        }
        let parts: Vec<&str> = s.split_whitespace().collect();
        if parts.len() != 2 {
            return Err(format!("subject {s:?} is not a valid subject"));
        } else if !is_valid_subject(parts[0].as_bytes()) {
            return Err(format!("subject {:?} is not a valid subject", parts[0]));
        } else if !is_valid_subject(parts[1].as_bytes()) {
            return Err(format!("queue {:?} is not a valid queue", parts[1]));
        }
    }
    Ok(())
}

/// Go's `parseAllowResponses`.
fn allow_responses(v: &Spanned<Value>, ctx: &mut Ctx) -> Option<ResponsePermission> {
    let Value::Map(m) = &v.value else {
        err(
            ctx,
            &v.pos,
            "error parsing response permissions, expected a boolean or a map",
        );
        return None;
    };
    let mut rp = ResponsePermission::default();
    for f in m {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "max" | "max_msgs" | "max_messages" | "max_responses" => match &fv.value {
                Value::Integer(0) => {}
                Value::Integer(n) => rp.max_msgs = *n,
                _ => {
                    mismatch(ctx, fv, "int64");
                    return None;
                }
            },
            "expires" | "expiration" | "ttl" => match &fv.value {
                Value::String(s) => match crate::gofmt::parse_go_duration_signed(s) {
                    Ok(0) => {}
                    Ok(ns) => rp.expires_ns = ns,
                    Err(e) => {
                        err(ctx, &fv.pos, format_args!("error parsing expires: {e}"));
                        return None;
                    }
                },
                _ => {
                    err(ctx, &fv.pos, "error parsing expires, not a duration string");
                    return None;
                }
            },
            _ => {
                if !f.used_as_variable {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!("Unknown field {:?} parsing permissions", f.key),
                    );
                }
            }
        }
    }
    Some(rp)
}

/// Go's `validateAuth` (server start, not `-t`): permission subjects and `no_auth_user`.
pub fn validate(o: &Options) -> Result<(), String> {
    let check = |p: &Option<Permissions>| -> Result<(), String> {
        let Some(p) = p else { return Ok(()) };
        if let Some(pp) = &p.publish {
            check_perm_subjects(pp.allow.as_deref().unwrap_or(&[]), false)
                .map_err(|e| format!("publish allow: {e}"))?;
            check_perm_subjects(pp.deny.as_deref().unwrap_or(&[]), false)
                .map_err(|e| format!("publish deny: {e}"))?;
        }
        if let Some(sp) = &p.subscribe {
            check_perm_subjects(sp.allow.as_deref().unwrap_or(&[]), true)
                .map_err(|e| format!("subscribe allow: {e}"))?;
            check_perm_subjects(sp.deny.as_deref().unwrap_or(&[]), true)
                .map_err(|e| format!("subscribe deny: {e}"))?;
        }
        Ok(())
    };
    for u in &o.users {
        check(&u.permissions)
            .map_err(|e| format!("invalid permissions for user {:?}: {e}", u.username))?;
    }
    for n in &o.nkeys {
        check(&n.permissions)
            .map_err(|e| format!("invalid permissions for nkey {:?}: {e}", n.nkey))?;
    }
    let nau = &o.no_auth_user;
    if nau.is_empty() {
        return Ok(());
    }
    if o.users.is_empty() && o.nkeys.is_empty() {
        return Err(format!(
            "no_auth_user: {nau:?} present, but users/nkeys are not defined"
        ));
    }
    if o.users.iter().any(|u| &u.username == nau) || o.nkeys.iter().any(|n| &n.nkey == nau) {
        return Ok(());
    }
    Err(format!("no_auth_user: {nau:?} not present as user or nkey in authorization block or account configuration"))
}
