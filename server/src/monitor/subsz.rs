//! `/subsz` (and `/subscriptionsz`): subject index statistics summed over the accounts (or one, with
//! `acc`), optionally the subscriptions themselves, filtered by a `test` subject (monitor.go `Subsz`).

use std::time::SystemTime;

use serde::Serialize;

use super::connz::SubDetail;
use super::query::Query;
use super::timefmt::rfc3339_nano;
use super::Monitor;
use crate::sublist::{is_valid_literal_subject, match_literal, SublistStats};

pub const DEFAULT_SUB_LIST_SIZE: i64 = 1024;

#[derive(Serialize)]
pub struct Subsz {
    pub server_id: String,
    pub now: String,
    #[serde(flatten)]
    pub stats: SublistStats,
    pub total: usize,
    pub offset: i64,
    pub limit: i64,
    #[serde(rename = "subscriptions_list", skip_serializing_if = "Vec::is_empty")]
    pub subs: Vec<SubDetail>,
}

pub fn subsz(m: &Monitor, q: &Query) -> Result<Subsz, String> {
    let detail = q.boolean("subs")?;
    let mut offset = q.int("offset")?;
    let mut limit = q.int("limit")?;
    let test = q.get("test");
    if offset < 0 {
        offset = 0;
    }
    if limit <= 0 {
        limit = DEFAULT_SUB_LIST_SIZE;
    }
    if !test.is_empty() && !is_valid_literal_subject(test.as_bytes()) {
        return Err(format!(
            "invalid test subject, must be valid publish subject: {test}"
        ));
    }
    // Go's Subsz: every account's subject index (or the one `acc` names), statistics summed.
    let acc = q.get("acc");
    let accounts: Vec<std::sync::Arc<crate::accounts::Account>> = m
        .server
        .accounts
        .all()
        .into_iter()
        .filter(|a| acc.is_empty() || a.name == acc)
        .collect();
    let mut stats = SublistStats::default();
    for a in &accounts {
        stats.add(&a.sublist.stats());
    }
    let mut sz = Subsz {
        server_id: m.server.id.clone(),
        now: rfc3339_nano(SystemTime::now()),
        stats,
        total: 0,
        offset,
        limit,
        subs: Vec::new(),
    };
    if detail {
        let mut details: Vec<SubDetail> = Vec::new();
        for a in &accounts {
            let mut all = Vec::new();
            a.sublist.all(&mut all);
            // Every subscription is listed under its client's account: a stream import's shadow
            // under the importing account, an internal one under the account that owns it.
            details.extend(
                all.iter()
                    .filter(|s| test.is_empty() || match_literal(test.as_bytes(), &s.subject))
                    .map(|s| {
                        let name = s.client.account().map(|c| c.name.clone());
                        SubDetail::of(s, s.client.cid, name.as_deref().unwrap_or(&a.name))
                    }),
            );
        }
        details.sort_by(|a, b| (&a.account, a.cid, &a.sid).cmp(&(&b.account, b.cid, &b.sid)));
        sz.total = details.len();
        let start = (offset as usize).min(details.len());
        let end = (start + limit as usize).min(details.len());
        sz.subs = details.drain(start..end).collect();
    }
    Ok(sz)
}
