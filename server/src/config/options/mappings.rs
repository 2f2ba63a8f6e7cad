//! The `mappings` (`maps`) block, at the top level (the global account) and inside an account,
//! with Go's errors (opts.go `parseAccountMappings`, `parseAccountMapDest`).

use super::auth::{err, mismatch, super_short};
use super::Ctx;
use crate::config::conf::{Spanned, Value};
use crate::transform::{MapDest, Mapping};

/// Parse a mappings block into mappings, reporting problems into `ctx`.
pub fn parse(v: &Spanned<Value>, ctx: &mut Ctx) -> Vec<Mapping> {
    let mut out = Vec::new();
    let Value::Map(m) = &v.value else {
        mismatch(ctx, v, "map[string]interface {}");
        return out;
    };
    for entry in m {
        let subj = &entry.key;
        let ev = &entry.value;
        if !crate::sublist::is_valid_subject(subj.as_bytes()) {
            err(
                ctx,
                &v.pos,
                format_args!("Subject {subj:?} is not a valid subject"),
            );
            continue;
        }
        match &ev.value {
            Value::String(dest) => match Mapping::new(subj, &[MapDest::new(dest, 100)]) {
                Ok(m) => out.push(m),
                Err(e) => err(
                    ctx,
                    &ev.pos,
                    format_args!("Error adding mapping for {subj:?} to {dest:?} : {e}"),
                ),
            },
            Value::Array(items) => {
                let mut dests = Vec::new();
                for item in items {
                    if let Some(d) = map_dest(item, ctx) {
                        dests.push(d);
                    }
                }
                match Mapping::new(subj, &dests) {
                    Ok(m) => out.push(m),
                    Err(e) => err(
                        ctx,
                        &ev.pos,
                        format_args!("Error adding mapping for {subj:?} : {e}"),
                    ),
                }
            }
            _ => {
                let Some(d) = map_dest(ev, ctx) else { continue };
                match Mapping::new(subj, &[d]) {
                    Ok(m) => out.push(m),
                    Err(e) => err(
                        ctx,
                        &ev.pos,
                        format_args!("Error adding mapping for {subj:?} : {e}"),
                    ),
                }
            }
        }
    }
    out
}

/// Go's `parseAccountMapDest`.
fn map_dest(v: &Spanned<Value>, ctx: &mut Ctx) -> Option<MapDest> {
    let Value::Map(m) = &v.value else {
        err(ctx, &v.pos, "Expected an entry for the mapping destination");
        return None;
    };
    let mut d = MapDest::new("", 0);
    let mut weight_seen = false;
    for f in m {
        let fv = &f.value;
        match f.key.to_ascii_lowercase().as_str() {
            "dest" | "destination" => match &fv.value {
                Value::String(s) => d.subject = s.clone(),
                _ => {
                    mismatch(ctx, fv, "string");
                    return None;
                }
            },
            "weight" => {
                let w = match &fv.value {
                    Value::String(s) => {
                        let ws = s.strip_suffix('%').unwrap_or(s);
                        match ws.parse::<i64>() {
                            Ok(w) => w,
                            Err(_) => {
                                err(
                                    ctx,
                                    &fv.pos,
                                    format_args!("Invalid weight {ws:?} for mapping destination"),
                                );
                                return None;
                            }
                        }
                    }
                    Value::Integer(i) => *i,
                    other => {
                        err(
                            ctx,
                            &fv.pos,
                            format_args!(
                                "Unknown entry type for weight of {}\n",
                                super_short(other)
                            ),
                        );
                        return None;
                    }
                };
                if !(0..=100).contains(&w) {
                    err(
                        ctx,
                        &fv.pos,
                        format_args!("Invalid weight {w} for mapping destination"),
                    );
                    return None;
                }
                d.weight = w as u8;
                weight_seen = true;
            }
            "cluster" => match &fv.value {
                Value::String(s) => d.cluster = s.clone(),
                _ => {
                    mismatch(ctx, fv, "string");
                    return None;
                }
            },
            _ => {
                err(
                    ctx,
                    &fv.pos,
                    format_args!("Unknown field {:?} for mapping destination", f.key),
                );
                return None;
            }
        }
    }
    if !weight_seen {
        err(
            ctx,
            &v.pos,
            format_args!("Missing weight for mapping destination {:?}", d.subject),
        );
        return None;
    }
    Some(d)
}
