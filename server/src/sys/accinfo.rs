//! An account's detail as `$SYS.REQ.ACCOUNT.<account>.INFO` and `ACCOUNTZ` with an account show it
//! (Go's `accountInfo`, `ExtImport`, `ExtExport`): its exports, its imports (the system ones
//! included), connections and subject index statistics.

use std::sync::Arc;

use serde::Serialize;

use super::envelope::Data;
use super::requests::Fail;
use crate::monitor::timefmt::rfc3339_nano;
use crate::server::ServerShared;

/// Go's `ExtImport` of a service or stream import.
#[derive(Serialize)]
struct ExtImport {
    subject: String,
    account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    local_subject: String,
    #[serde(rename = "type")]
    kind: &'static str,
    invalid: bool,
    share: bool,
    tracking: bool,
}

/// Go's `ExtExport`.
#[derive(Serialize)]
struct ExtExport {
    subject: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    token_req: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    approved_accounts: Vec<String>,
}

/// Go's `AccountInfo` for a configured account.
#[derive(Serialize)]
pub struct AccountInfo {
    account_name: String,
    update_time: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    is_system: bool,
    expired: bool,
    complete: bool,
    jetstream_enabled: bool,
    leafnode_connections: i32,
    client_connections: i32,
    subscriptions: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exports: Vec<ExtExport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    imports: Vec<ExtImport>,
    #[serde(skip_serializing_if = "String::is_empty")]
    name_tag: String,
    sublist_stats: crate::sublist::SublistStats,
}

pub fn account_info(server: &ServerShared, name: &str) -> Option<AccountInfo> {
    let a = server.accounts.get(name)?;
    let cfg = a.config();
    let export =
        |e: &crate::accounts::config::Export, kind: &'static str, service: bool| ExtExport {
            subject: e.subject.clone(),
            kind,
            token_req: e.accounts.as_ref().is_some_and(|l| l.is_empty()),
            response_type: service.then(|| e.response_type.as_str()),
            approved_accounts: e.accounts.clone().unwrap_or_default(),
        };
    let mut exports: Vec<ExtExport> = cfg
        .service_exports
        .iter()
        .map(|e| export(e, "service", true))
        .collect();
    exports.extend(
        cfg.stream_exports
            .iter()
            .map(|e| export(e, "stream", false)),
    );
    let imports = a.imports();
    let mut ext: Vec<ExtImport> = imports
        .streams
        .iter()
        .map(|s| ExtImport {
            subject: s.from.clone(),
            account: s.exporter_name.clone(),
            to: String::new(),
            local_subject: s.to.clone(),
            kind: "stream",
            invalid: false,
            share: false,
            tracking: false,
        })
        .collect();
    ext.extend(imports.services.iter().map(|s| ExtImport {
        subject: s.to.clone(),
        account: s.exporter_name.clone(),
        to: s.from.clone(),
        local_subject: s.from.clone(),
        kind: "service",
        invalid: false,
        share: s.share,
        tracking: false,
    }));
    let is_system = server
        .accounts
        .system()
        .is_some_and(|s| Arc::ptr_eq(&s, &a));
    Some(AccountInfo {
        account_name: a.name.clone(),
        update_time: rfc3339_nano(server.config_time()),
        is_system,
        expired: false,
        complete: true,
        jetstream_enabled: server
            .jetstream
            .get()
            .is_some_and(|js| js.account(&a.name).is_some()),
        leafnode_connections: 0,
        client_connections: a.num_connections().max(0),
        subscriptions: a.sublist.count(),
        exports,
        imports: ext,
        name_tag: a.name.clone(),
        sublist_stats: a.sublist.stats(),
    })
}

/// `ACCOUNTZ` with an account: Go's `Accountz` with its detail.
pub fn accountz_detail(server: &ServerShared, acc: &str) -> Result<Data, Fail> {
    let Some(info) = account_info(server, acc) else {
        return Err(Fail::typed(format!("Account {acc} does not exist")));
    };
    #[derive(Serialize)]
    struct Accountz {
        server_id: String,
        now: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        system_account: String,
        account_detail: AccountInfo,
    }
    Ok(Data::of(&Accountz {
        server_id: server.id.clone(),
        now: rfc3339_nano(std::time::SystemTime::now()),
        system_account: server
            .accounts
            .system()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        account_detail: info,
    }))
}
