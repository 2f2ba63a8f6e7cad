//! Cross-account checks of exports and imports, in Go's order and with Go's texts (opts.go
//! `parseAccounts` after every account is read; accounts.go `addStreamExportWithAccountPos`,
//! `addServiceExportWithResponseAndAccountPos`, `addMappedStreamImportWithClaim`,
//! `addServiceImportWithClaim`, the cycle searches and `checkStreamExportApproved`).

use std::collections::HashMap;

use super::config::{AccountConfig, Export};
use crate::sublist::{
    is_subset_match, is_valid_subject, subject_has_wildcard, subject_is_literal, subjects_collide,
};

/// Go's `MaxAccountCycleSearchDepth`.
const MAX_CYCLE_SEARCH_DEPTH: usize = 1024;

/// Go's `sublist: invalid subject` (`ErrInvalidSubject`).
pub const INVALID_SUBJECT: &str = "sublist: invalid subject";

/// The local and exporter-side subjects of a stream import: `(from, to)` where `from` is the
/// exporter's subject and `to` what this account sees (Go's `addStreamImportWithClaim`: a prefix is
/// prepended with a separating dot).
pub fn stream_import_subjects(
    subject: &str,
    prefix: &str,
    to: &str,
) -> Result<(String, String), &'static str> {
    if !prefix.is_empty() {
        if !subject_is_literal(prefix.as_bytes()) {
            return Err("stream import prefix can not contain wildcard tokens");
        }
        let sep = if prefix.ends_with('.') { "" } else { "." };
        return Ok((subject.to_string(), format!("{prefix}{sep}{subject}")));
    }
    let to = if to.is_empty() { subject } else { to };
    Ok((subject.to_string(), to.to_string()))
}

/// Go's `transformUntokenize`: each `$N` or `{{wildcard(N)}}` placeholder of a mapping destination
/// becomes `*`, giving the subject space the destination covers.
pub fn untokenize(subject: &str) -> String {
    subject
        .split('.')
        .map(|t| {
            let b = t.as_bytes();
            let dollar = b.len() > 1 && b[0] == b'$' && (b'1'..=b'9').contains(&b[1]);
            let func = t
                .strip_prefix("{{")
                .and_then(|r| r.strip_suffix("}}"))
                .map(|r| r.trim().to_ascii_lowercase())
                .and_then(|r| {
                    r.strip_prefix("wildcard(")
                        .and_then(|a| a.strip_suffix(')'))
                        .map(|a| !a.trim().is_empty())
                })
                .unwrap_or(false);
            if dollar || func {
                "*"
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Go's `checkAuth`: the account token position, then an activation token when the export requires
/// one (`token_ok` judges it; configured accounts have none), then the approved accounts.
fn auth_allows(
    e: &Export,
    importer: &str,
    subject: &str,
    token_ok: &dyn Fn(&Export) -> bool,
) -> bool {
    if e.account_token_position > 0 {
        let pos = e.account_token_position as usize;
        return subject
            .split('.')
            .nth(pos - 1)
            .is_some_and(|t| t == importer);
    }
    if e.token_req {
        return token_ok(e);
    }
    match &e.accounts {
        None => true,
        Some(list) => list.iter().any(|a| a == importer),
    }
}

/// Go's `checkStreamExportApproved` / `checkServiceExportApproved`: the exact export first, then the
/// first export the subject is a subset of.
pub fn export_approved(
    exports: &[Export],
    importer: &str,
    subject: &str,
    token_ok: &dyn Fn(&Export) -> bool,
) -> bool {
    if !is_valid_subject(subject.as_bytes()) {
        return false;
    }
    if let Some(e) = exports.iter().find(|e| e.subject == subject) {
        return auth_allows(e, importer, subject, token_ok);
    }
    exports
        .iter()
        .find(|e| is_subset_match(subject.as_bytes(), e.subject.as_bytes()))
        .is_some_and(|e| auth_allows(e, importer, subject, token_ok))
}

/// Go's `setExportAuth` position check.
fn check_token_position(e: &Export) -> Result<(), &'static str> {
    if e.account_token_position > 0 {
        let toks: Vec<&str> = e.subject.split('.').collect();
        let pos = e.account_token_position as usize;
        if toks.len() < pos || toks[pos - 1] != "*" {
            return Err(INVALID_SUBJECT);
        }
    }
    Ok(())
}

/// Imports accepted so far, per account, for the cycle searches.
#[derive(Default)]
struct Accepted {
    /// (exporting account, from, to)
    streams: Vec<(String, String, String)>,
    services: Vec<(String, String, String)>,
}

struct Checker<'a> {
    accounts: HashMap<&'a str, &'a AccountConfig>,
    accepted: HashMap<String, Accepted>,
}

impl Checker<'_> {
    fn has_stream_export_matching(&self, acc: &str, to: &str) -> bool {
        self.accounts.get(acc).is_some_and(|a| {
            a.stream_exports
                .iter()
                .any(|e| is_subset_match(to.as_bytes(), e.subject.as_bytes()))
        })
    }

    /// Go's `checkStreamImportsForCycles`.
    fn stream_cycles(
        &self,
        acc: &str,
        to: &str,
        visited: &mut HashMap<String, bool>,
    ) -> Result<(), &'static str> {
        if visited.len() >= MAX_CYCLE_SEARCH_DEPTH {
            return Err("search cycle depth exhausted");
        }
        if !self.has_stream_export_matching(acc, to) {
            return Ok(());
        }
        let imports = self.accepted.get(acc).map(|a| a.streams.clone());
        for (src, _from, sto) in imports.unwrap_or_default() {
            if subjects_collide(to.as_bytes(), sto.as_bytes()) {
                if visited.contains_key(&src) {
                    return Err("import forms a cycle");
                }
                visited.insert(acc.to_string(), true);
                let t = if is_subset_match(sto.as_bytes(), to.as_bytes()) {
                    sto.clone()
                } else {
                    to.to_string()
                };
                self.stream_cycles(&src, &t, visited)?;
            }
        }
        Ok(())
    }

    /// Go's `checkServiceImportsForCycles`.
    fn service_cycles(
        &self,
        acc: &str,
        from: &str,
        visited: &mut HashMap<String, bool>,
    ) -> Result<(), &'static str> {
        if visited.len() >= MAX_CYCLE_SEARCH_DEPTH {
            return Err("search cycle depth exhausted");
        }
        let imports = self.accepted.get(acc).map(|a| a.services.clone());
        for (dst, sfrom, sto) in imports.unwrap_or_default() {
            if subjects_collide(from.as_bytes(), sto.as_bytes()) {
                if visited.contains_key(&dst) {
                    return Err("import forms a cycle");
                }
                visited.insert(acc.to_string(), true);
                let f = if is_subset_match(sfrom.as_bytes(), from.as_bytes()) {
                    sfrom.clone()
                } else {
                    from.to_string()
                };
                self.service_cycles(&dst, &f, visited)?;
            }
        }
        Ok(())
    }

    fn add_stream_import(
        &mut self,
        importer: &str,
        exporter: &AccountConfig,
        subject: &str,
        prefix: &str,
        to: &str,
    ) -> Result<(), String> {
        if !export_approved(&exporter.stream_exports, importer, subject, &|_| false) {
            return Err("stream import not authorized".into());
        }
        let (from, to) = stream_import_subjects(subject, prefix, to)?;
        for t in [&to, &from] {
            let mut visited = HashMap::from([(importer.to_string(), true)]);
            self.stream_cycles(&exporter.name, t, &mut visited)?;
        }
        if subject_has_wildcard(from.as_bytes()) && to != from {
            crate::accounts::imports::check_stream_transform(&from, &to).map_err(|e| {
                format!(
                    "failed to create mapping transform for stream import subject from {from:?} to {to:?}: {e}"
                )
            })?;
        }
        // Go keeps the destination of a mapped import untokenized (`$1` as `*`) for later cycle searches.
        let to = if subject_has_wildcard(from.as_bytes()) && to != from {
            untokenize(&to)
        } else {
            to
        };
        let acc = self.accepted.entry(importer.to_string()).or_default();
        if acc
            .streams
            .iter()
            .any(|(src, f, _)| src == &exporter.name && f == &from)
        {
            return Err("stream import already exists".into());
        }
        acc.streams.push((exporter.name.clone(), from, to));
        Ok(())
    }

    fn add_service_import(
        &mut self,
        importer: &str,
        exporter: &AccountConfig,
        from: &str,
        to: &str,
    ) -> Result<(), String> {
        if !is_valid_subject(from.as_bytes()) || !is_valid_subject(to.as_bytes()) {
            return Err(INVALID_SUBJECT.into());
        }
        if !export_approved(&exporter.service_exports, importer, to, &|_| false) {
            return Err("service import not authorized".into());
        }
        // Go's addServiceImportWithClaim: with a wildcard export subject the local subject may hold
        // `$N` placeholders; the cycle search uses the subject space they stand for.
        let from_t = if subject_has_wildcard(to.as_bytes()) {
            untokenize(from)
        } else {
            from.to_string()
        };
        let mut visited = HashMap::from([(importer.to_string(), true)]);
        self.service_cycles(&exporter.name, &from_t, &mut visited)?;
        let acc = self.accepted.entry(importer.to_string()).or_default();
        if let Some((dst, _, dto)) = acc
            .services
            .iter()
            .find(|(dst, f, _)| dst == &exporter.name && f == from)
        {
            return Err(format!(
                "duplicate service import subject {from:?}, previously used in import for account {dst:?}, subject {dto:?}"
            ));
        }
        if subject_has_wildcard(to.as_bytes()) && to != from {
            crate::accounts::imports::check_service_transform(from, to).map_err(|e| {
                format!(
                    "failed to create mapping transform for service import subject from {from:?} to {to:?}: {e}"
                )
            })?;
        }
        acc.services
            .push((exporter.name.clone(), from.to_string(), to.to_string()));
        Ok(())
    }
}

/// Every problem with the exports and imports of `accounts`, as Go reports them (without position).
pub fn check(accounts: &[AccountConfig], _no_system_account: bool) -> Vec<String> {
    let mut errors = Vec::new();
    let mut c = Checker {
        accounts: accounts.iter().map(|a| (a.name.as_str(), a)).collect(),
        accepted: HashMap::new(),
    };
    for a in accounts {
        for e in &a.stream_exports {
            for n in e.accounts.iter().flatten() {
                if !c.accounts.contains_key(n.as_str()) {
                    errors.push(format!("{n:?} account not defined for stream export"));
                }
            }
            if let Err(err) = check_token_position(e) {
                errors.push(format!("Error adding stream export {:?}: {err}", e.subject));
            }
        }
    }
    for a in accounts {
        for e in &a.service_exports {
            for n in e.accounts.iter().flatten() {
                if !c.accounts.contains_key(n.as_str()) {
                    errors.push(format!("{n:?} account not defined for service export"));
                }
            }
            if let Err(err) = check_token_position(e) {
                errors.push(format!(
                    "Error adding service export {:?}: {err}",
                    e.subject
                ));
            }
        }
    }
    for a in accounts {
        for si in &a.stream_imports {
            let Some(exporter) = c.accounts.get(si.account.as_str()).copied() else {
                errors.push(format!(
                    "{:?} account not defined for stream import",
                    si.account
                ));
                continue;
            };
            if let Err(err) =
                c.add_stream_import(&a.name, exporter, &si.subject, &si.prefix, &si.to)
            {
                errors.push(format!(
                    "Error adding stream import {:?}: {err}",
                    si.subject
                ));
            }
        }
    }
    for a in accounts {
        for si in &a.service_imports {
            let Some(exporter) = c.accounts.get(si.account.as_str()).copied() else {
                errors.push(format!(
                    "{:?} account not defined for service import",
                    si.account
                ));
                continue;
            };
            let from = if si.to.is_empty() {
                &si.subject
            } else {
                &si.to
            };
            if let Err(err) = c.add_service_import(&a.name, exporter, from, &si.subject) {
                errors.push(format!(
                    "Error adding service import {:?}: {err}",
                    si.subject
                ));
            }
        }
    }
    errors
}
