//! `/subsz` (and `/subscriptionsz`): subject index statistics, optionally the subscriptions themselves,
//! filtered by a `test` subject (monitor.go `Subsz`).

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
    let acc = q.get("acc");
    let account = if acc.is_empty() {
        Some(m.server.accounts.global())
    } else {
        m.server.accounts.get(acc)
    };
    let include = account.is_some();
    let acc_name = account.as_ref().map(|a| a.name.clone()).unwrap_or_default();
    let sl = account
        .map(|a| a.sublist.clone())
        .unwrap_or_else(|| std::sync::Arc::new(crate::sublist::Sublist::new()));
    let stats = if include {
        sl.stats()
    } else {
        SublistStats::default()
    };
    let mut sz = Subsz {
        server_id: m.server.id.clone(),
        now: rfc3339_nano(SystemTime::now()),
        stats,
        total: 0,
        offset,
        limit,
        subs: Vec::new(),
    };
    if detail && include {
        let mut all = Vec::new();
        sl.all(&mut all);
        let mut details: Vec<SubDetail> = all
            .iter()
            .filter(|s| test.is_empty() || match_literal(test.as_bytes(), &s.subject))
            .filter(|s| s.handler.is_none() && s.import.is_none())
            .map(|s| SubDetail::of(s, s.client.cid, &acc_name))
            .collect();
        details.sort_by(|a, b| (a.cid, &a.sid).cmp(&(b.cid, &b.sid)));
        sz.total = details.len();
        let start = (offset as usize).min(details.len());
        let end = (start + limit as usize).min(details.len());
        sz.subs = details.drain(start..end).collect();
    }
    Ok(sz)
}
