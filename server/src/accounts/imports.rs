//! Live imports. A stream import puts a shadow of each matching subscription of the importing account
//! into the exporting account's subject index, and renames what it delivers (Go's
//! `addShadowSubscriptions`, `addShadowSub`, the `sub.im` branch of `processMsgResults`). A service
//! import is an internal subscription on the local subject whose handler republishes the request in
//! the exporting account with a `_R_` reply that routes the answers back (Go's `addServiceImportSub`,
//! `processServiceImport`).

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::config::{ResponseType, DEFAULT_RESPONSE_THRESHOLD};
use super::{Account, Accounts};
use crate::client::delivery::{Fanout, Message};
use crate::client::{ClientHandle, SubRef, Subscription};
use crate::server::ServerShared;
use crate::sublist::{is_subset_match, subject_has_wildcard};

/// Who published what, where: the context a handler needs to pass a message on.
pub struct PubCtx<'a> {
    pub server: &'a ServerShared,
    /// The publishing connection (for the request's client info and echo).
    pub client: &'a Arc<ClientHandle>,
    /// The account the message is being delivered in.
    pub account: &'a Arc<Account>,
    /// The message came through a service import: it does not feed stream exports (Go's
    /// `pmrMsgImportedFromService`).
    pub from_service: bool,
    /// The service imports already crossed, to stop cycles.
    pub chain: &'a [usize],
}

/// What an internal subscription does with a message. Returns whether it was delivered somewhere.
pub trait MsgHandler: Send + Sync {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool;
}

/// How an import renames subjects from the exporter's space to the importer's.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SubjectMap {
    /// Same subject on both sides (`to` equals `from`, possibly with wildcards: Go's `usePub`).
    Same,
    /// A literal import to another literal subject.
    Fixed,
    /// `prefix.<subject>` on the importing side.
    Prefix(String),
}

/// Whether a stream import from `from` (with wildcards) to `to` can be built.
pub fn check_stream_transform(from: &str, to: &str) -> Result<(), String> {
    subject_map(from, to).map(|_| ())
}

/// Whether a service import from local `from` to exported `to` (with wildcards) can be built.
pub fn check_service_transform(from: &str, to: &str) -> Result<(), String> {
    subject_map(to, from).map(|_| ())
}

/// The map from exporter subject `from` to importer subject `to`.
fn subject_map(from: &str, to: &str) -> Result<SubjectMap, String> {
    if from == to {
        return Ok(SubjectMap::Same);
    }
    if !subject_has_wildcard(from.as_bytes()) && !subject_has_wildcard(to.as_bytes()) {
        return Ok(SubjectMap::Fixed);
    }
    if let Some(prefix) = to.strip_suffix(from).and_then(|p| p.strip_suffix('.')) {
        if !prefix.is_empty() && !subject_has_wildcard(prefix.as_bytes()) {
            return Ok(SubjectMap::Prefix(prefix.to_string()));
        }
    }
    // Go's strict (import) transform refuses a plain literal destination for a wildcard source: with
    // `>` in the source the destination must have one too, and every `*` must be placed.
    let placeholder = |t: &str| t.starts_with('$') || t.starts_with("{{");
    if !subject_has_wildcard(to.as_bytes()) && !to.split('.').any(placeholder) {
        if from.split('.').any(|t| t == ">") {
            return Err("invalid subject".into());
        }
        return Err(format!(
            "invalid mapping destination: not using all of the token wildcard(s) in {to}"
        ));
    }
    Err("wildcard subject mappings other than a prefix are not supported yet by rnats".into())
}

/// A live stream import of one account.
pub struct StreamImportRt {
    pub exporter: Weak<Account>,
    pub exporter_name: String,
    /// The exporter's subject.
    pub from: String,
    /// The importer's subject.
    pub to: String,
    map: SubjectMap,
}

impl StreamImportRt {
    /// The subject a message published on `subject` in the exporter is delivered on here.
    pub fn deliver_subject<'b>(&'b self, subject: &'b [u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
        match &self.map {
            SubjectMap::Same => subject,
            SubjectMap::Fixed => self.to.as_bytes(),
            SubjectMap::Prefix(p) => {
                buf.clear();
                buf.extend_from_slice(p.as_bytes());
                buf.push(b'.');
                buf.extend_from_slice(subject);
                buf
            }
        }
    }

    /// The exporter-side subject of an importer-side subject within `to` (Go's reverse transform).
    fn reverse(&self, subject: &str) -> String {
        match &self.map {
            SubjectMap::Prefix(p) => subject
                .strip_prefix(p.as_str())
                .and_then(|s| s.strip_prefix('.'))
                .unwrap_or(subject)
                .to_string(),
            _ => subject.to_string(),
        }
    }
}

/// A live service import of one account.
pub struct ServiceImportRt {
    pub exporter: Weak<Account>,
    pub exporter_name: String,
    /// The local subject requests are published on.
    pub from: String,
    /// The exporter's subject.
    pub to: String,
    map: SubjectMap,
    pub share: bool,
    pub response_type: ResponseType,
    pub threshold: Duration,
    /// The export this import goes through, as an identity for cycle detection.
    export_id: usize,
    sub: Mutex<Option<SubRef>>,
}

impl ServiceImportRt {
    /// The exporter-side subject for a request published on `subject`.
    fn target<'b>(&'b self, subject: &'b [u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
        match &self.map {
            SubjectMap::Same => subject,
            SubjectMap::Fixed => self.to.as_bytes(),
            // For a service import the prefix sits on the local side: strip it.
            SubjectMap::Prefix(p) => {
                buf.clear();
                let rest = subject
                    .strip_prefix(p.as_bytes())
                    .and_then(|s| s.strip_prefix(b"."))
                    .unwrap_or(subject);
                buf.extend_from_slice(rest);
                buf
            }
        }
    }
}

/// An account's live imports.
#[derive(Default)]
pub struct Imports {
    pub streams: Vec<Arc<StreamImportRt>>,
    pub services: Vec<Arc<ServiceImportRt>>,
}

impl Imports {
    /// Build `acc`'s imports from its configuration (already checked).
    pub fn build(acc: &Account, registry: &Accounts) -> Imports {
        let cfg = acc.config();
        let mut out = Imports::default();
        for si in &cfg.stream_imports {
            let Some(exp) = registry.get(&si.account) else {
                continue;
            };
            let Ok((from, to)) =
                super::check::stream_import_subjects(&si.subject, &si.prefix, &si.to)
            else {
                continue;
            };
            let Ok(map) = subject_map(&from, &to) else {
                continue;
            };
            out.streams.push(Arc::new(StreamImportRt {
                exporter: Arc::downgrade(&exp),
                exporter_name: exp.name.clone(),
                from,
                to,
                map,
            }));
        }
        for si in &cfg.service_imports {
            let Some(exp) = registry.get(&si.account) else {
                continue;
            };
            let from = if si.to.is_empty() {
                si.subject.clone()
            } else {
                si.to.clone()
            };
            let to = si.subject.clone();
            // The map goes from the exporter's subject to the local one.
            let Ok(map) = subject_map(&to, &from) else {
                continue;
            };
            let ecfg = exp.config();
            let export = ecfg
                .service_exports
                .iter()
                .enumerate()
                .find(|(_, e)| e.subject == to)
                .or_else(|| {
                    ecfg.service_exports
                        .iter()
                        .enumerate()
                        .find(|(_, e)| is_subset_match(to.as_bytes(), e.subject.as_bytes()))
                });
            let (response_type, threshold, idx) = match export {
                Some((i, e)) => (
                    e.response_type,
                    e.response_threshold.unwrap_or(DEFAULT_RESPONSE_THRESHOLD),
                    i,
                ),
                None => (ResponseType::Singleton, DEFAULT_RESPONSE_THRESHOLD, 0),
            };
            out.services.push(Arc::new(ServiceImportRt {
                export_id: Arc::as_ptr(&exp) as usize ^ (idx << 1),
                exporter: Arc::downgrade(&exp),
                exporter_name: exp.name.clone(),
                from,
                to,
                map,
                share: si.share,
                response_type,
                threshold,
                sub: Mutex::new(None),
            }));
        }
        out
    }

    fn same_streams(&self, other: &Imports) -> bool {
        self.streams.len() == other.streams.len()
            && self.streams.iter().zip(&other.streams).all(|(a, b)| {
                a.exporter_name == b.exporter_name
                    && a.from == b.from
                    && a.to == b.to
                    && a.map == b.map
            })
    }
}

/// Put new imports to work after they replaced `old`: service import subscriptions are swapped, and
/// when stream imports changed every client subscription gets its shadows again (Go's
/// `configureAccounts` and `processSubsOnConfigReload`).
pub fn activate(acc: &Arc<Account>, old: &Imports) {
    for si in &old.services {
        if let Some(sub) = si.sub.lock().ok().and_then(|mut s| s.take()) {
            acc.unsubscribe_internal(&sub);
        }
    }
    let new = acc.imports();
    for si in &new.services {
        let handler = Arc::new(ServiceImportHandler { si: si.clone() });
        let sub = acc.subscribe_internal(si.from.as_bytes(), handler);
        if let Ok(mut slot) = si.sub.lock() {
            *slot = sub;
        }
    }
    if new.same_streams(old) {
        return;
    }
    let mut subs = Vec::new();
    acc.sublist.all(&mut subs);
    for sub in subs {
        if sub.import.is_some() || sub.handler.is_some() {
            continue;
        }
        sub.remove_shadows();
        add_shadows(acc, &new, &sub);
    }
}

/// Go's `addShadowSubscriptions`: shadows of `sub` (a subscription in `acc`) in every exporting account
/// whose stream import overlaps it.
pub fn add_shadows(acc: &Account, imports: &Imports, sub: &SubRef) {
    if imports.streams.is_empty() || sub.is_closed() {
        return;
    }
    let _ = acc;
    let subj = String::from_utf8_lossy(&sub.subject).into_owned();
    let tokens: Vec<&str> = subj.split('.').collect();
    let has_wc = tokens.iter().any(|t| *t == "*" || *t == ">");
    let mut made = Vec::new();
    for im in &imports.streams {
        let Some(exporter) = im.exporter.upgrade() else {
            continue;
        };
        // (dynamic, overlap subject): see Go's four cases.
        let case = if subj == im.to {
            Some((false, None))
        } else if is_subset_match(subj.as_bytes(), im.to.as_bytes()) {
            Some((true, None))
        } else if has_wc {
            if is_subset_match(im.to.as_bytes(), subj.as_bytes()) {
                Some((false, None))
            } else {
                overlap(&tokens, &im.to).map(|o| (true, Some(o)))
            }
        } else {
            None
        };
        let Some((dynamic, overlap)) = case else {
            continue;
        };
        let shadow_subject = match (&im.map, dynamic) {
            (SubjectMap::Prefix(_), true) => im.reverse(overlap.as_deref().unwrap_or(&subj)),
            (SubjectMap::Same, true) if overlap.is_none() => subj.clone(),
            _ => overlap.unwrap_or_else(|| im.from.clone()),
        };
        let shadow = SubRef(Arc::new(Subscription::shadow(
            sub,
            shadow_subject.as_bytes(),
            im.clone(),
        )));
        tracing::debug!(
            "{} - Creating import subscription on {:?} from account {:?}",
            sub.client.label(),
            shadow_subject,
            im.exporter_name
        );
        if exporter
            .sublist
            .insert(
                shadow_subject.as_bytes(),
                sub.queue.as_deref(),
                shadow.clone(),
            )
            .is_err()
        {
            tracing::debug!(
                "Could not add shadow import subscription for account {:?}",
                im.exporter_name
            );
            continue;
        }
        made.push((exporter.sublist.clone(), shadow));
    }
    if let Ok(mut s) = sub.shadows.lock() {
        s.extend(made);
    }
}

/// Go's overlap rewrite: specialise the subscription's wildcards with the import's tokens; the result
/// when it then falls within the import.
fn overlap(tokens: &[&str], im_to: &str) -> Option<String> {
    let im: Vec<&str> = im_to.split('.').collect();
    let mut t: Vec<&str> = tokens.to_vec();
    for (i, tok) in t.iter_mut().enumerate() {
        if i >= im.len() {
            break;
        }
        if *tok == "*" && im[i] != ">" {
            *tok = im[i];
        }
    }
    let last = t.len() - 1;
    if t[last] == ">" && im.len() >= t.len() {
        t[last] = im[last];
        if im.len() > t.len() {
            let extra: Vec<&str> = im[t.len()..].to_vec();
            t.extend(extra);
        }
    }
    let joined = t.join(".");
    is_subset_match(joined.as_bytes(), im_to.as_bytes()).then_some(joined)
}

/// The internal subscription of a service import.
struct ServiceImportHandler {
    si: Arc<ServiceImportRt>,
}

impl MsgHandler for ServiceImportHandler {
    fn handle(&self, fan: &mut Fanout<'_>, ctx: &PubCtx<'_>, m: &Message<'_>) -> bool {
        let si = &self.si;
        if ctx.chain.contains(&si.export_id) {
            return false;
        }
        let Some(exporter) = si.exporter.upgrade() else {
            return false;
        };
        let reply: Option<Vec<u8>> = match m.reply {
            Some(r) if r.starts_with(b"$JS.ACK.") => Some(r.to_vec()),
            Some(r) => Some(exporter.responses.add(
                &exporter,
                ctx.account,
                r,
                si.response_type,
                si.threshold,
            )),
            None => None,
        };
        let mut buf = Vec::new();
        let to = si.target(m.subject, &mut buf).to_vec();
        let info = super::responses::client_info_header(ctx, si, &exporter, m);
        let (msg, header_len) = super::responses::set_header(m, b"Nats-Request-Info", &info);
        let m2 = Message {
            subject: &to,
            reply: reply.as_deref(),
            header_len,
            msg: &msg,
        };
        let mut chain = Vec::with_capacity(ctx.chain.len() + 1);
        chain.extend_from_slice(ctx.chain);
        chain.push(si.export_id);
        let ctx2 = PubCtx {
            server: ctx.server,
            client: ctx.client,
            account: &exporter,
            from_service: true,
            chain: &chain,
        };
        let result = exporter.sublist.match_subject(&to);
        let delivered = fan.deliver_result(&result, &m2, &ctx2, ctx.client.cid, true);
        if !delivered {
            if let Some(r) = &reply {
                exporter.responses.remove(r);
            }
        }
        delivered
    }
}
