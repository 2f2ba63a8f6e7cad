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
use crate::transform::SubjectTransform;

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

/// How an import renames subjects between the two accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SubjectMap {
    /// Same subject on both sides (Go's `usePub`: wildcards and `to` equal to `from`).
    Same,
    /// A literal import: always the configured subject.
    Fixed,
    /// A transform (Go's `im.tr` / `si.tr`), with its reverse for shadow subscriptions.
    Transform(Box<SubjectTransform>, Option<Box<SubjectTransform>>),
}

/// Go's `addMappedStreamImportWithClaim`: the map from exporter subject `from` to importer `to`,
/// and the importer subject as stored (placeholders turned back into wildcards).
fn stream_map(from: &str, to: &str) -> Result<(SubjectMap, String), String> {
    if !subject_has_wildcard(from.as_bytes()) {
        return Ok((SubjectMap::Fixed, to.to_string()));
    }
    if from == to {
        return Ok((SubjectMap::Same, to.to_string()));
    }
    let tr = SubjectTransform::strict(from, &crate::transform::tokenize(to))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "invalid subject".to_string())?;
    let rev = tr.reverse().map(Box::new);
    Ok((
        SubjectMap::Transform(Box::new(tr), rev),
        crate::transform::untokenize(to).0,
    ))
}

/// Go's `addServiceImport`: the map from the local subject `from` to the exporter's `to`, and the
/// local subject subscribed.
fn service_map(from: &str, to: &str) -> Result<(SubjectMap, String, String), String> {
    if !subject_has_wildcard(to.as_bytes()) {
        return Ok((SubjectMap::Fixed, from.to_string(), to.to_string()));
    }
    if to == from {
        return Ok((SubjectMap::Same, from.to_string(), to.to_string()));
    }
    let to_u = crate::transform::untokenize(to).0;
    let tr = SubjectTransform::strict(&to_u, &crate::transform::tokenize(from))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "invalid subject".to_string())?;
    let from_u = crate::transform::untokenize(from).0;
    let rev = tr.reverse().ok_or_else(|| "invalid subject".to_string())?;
    Ok((SubjectMap::Transform(Box::new(rev), None), from_u, to_u))
}

/// Whether a stream import from `from` (with wildcards) to `to` can be built.
pub fn check_stream_transform(from: &str, to: &str) -> Result<(), String> {
    stream_map(from, to).map(|_| ())
}

/// Whether a service import from local `from` to exported `to` (with wildcards) can be built.
pub fn check_service_transform(from: &str, to: &str) -> Result<(), String> {
    service_map(from, to).map(|_| ())
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
    /// The subject a message published on `subject` in the exporter is delivered on here (Go's
    /// `sub.im` branch of `processMsgResults`).
    pub fn deliver_subject<'b>(&'b self, subject: &'b [u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
        match &self.map {
            SubjectMap::Same => subject,
            SubjectMap::Fixed => self.to.as_bytes(),
            SubjectMap::Transform(tr, _) => {
                *buf = tr.transform(&String::from_utf8_lossy(subject)).into_bytes();
                buf
            }
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
    /// Whether `other` imports the same thing in the same way (a reload that changed nothing).
    fn same_as(&self, other: &ServiceImportRt) -> bool {
        self.exporter.ptr_eq(&other.exporter)
            && self.from == other.from
            && self.to == other.to
            && self.map == other.map
            && self.share == other.share
            && self.response_type == other.response_type
            && self.threshold == other.threshold
            && self.export_id == other.export_id
    }

    /// The exporter-side subject for a request published on `subject`.
    fn target<'b>(&'b self, subject: &'b [u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
        match &self.map {
            SubjectMap::Same => subject,
            SubjectMap::Fixed => self.to.as_bytes(),
            SubjectMap::Transform(tr, _) => {
                *buf = tr.transform(&String::from_utf8_lossy(subject)).into_bytes();
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
            let ecfg = exp.config();
            if !approved(
                acc,
                &ecfg,
                &ecfg.stream_exports,
                "stream",
                &si.subject,
                &si.token,
            ) {
                continue;
            }
            let Ok((from, to)) =
                super::check::stream_import_subjects(&si.subject, &si.prefix, &si.to)
            else {
                continue;
            };
            let Ok((map, to)) = stream_map(&from, &to) else {
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
            let ecfg = exp.config();
            if !approved(
                acc,
                &ecfg,
                &ecfg.service_exports,
                "service",
                &si.subject,
                &si.token,
            ) {
                continue;
            }
            let from = if si.to.is_empty() {
                si.subject.clone()
            } else {
                si.to.clone()
            };
            let Ok((map, from, to)) = service_map(&from, &si.subject) else {
                continue;
            };
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
    let new = acc.imports();
    // An unchanged service import keeps its subscription (its handler's import is an equal copy):
    // removing and adding it again would drop requests published in between, which a reload of an
    // unchanged configuration must not do (Go's TestAccountReloadServiceImportPanic).
    for si in &new.services {
        if let Some(same) = old.services.iter().find(|o| o.same_as(si)) {
            let sub = same.sub.lock().ok().and_then(|mut s| s.take());
            if let (Some(sub), Ok(mut slot)) = (sub, si.sub.lock()) {
                *slot = Some(sub);
            }
        }
    }
    for si in &old.services {
        if let Some(sub) = si.sub.lock().ok().and_then(|mut s| s.take()) {
            acc.unsubscribe_internal(&sub);
        }
    }
    for si in &new.services {
        if si.sub.lock().map(|s| s.is_some()).unwrap_or(true) {
            continue;
        }
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
        // Go's addShadowSub.
        let shadow_subject = match (&im.map, dynamic) {
            (SubjectMap::Transform(_, Some(rev)), true) => {
                rev.transform(overlap.as_deref().unwrap_or(&subj))
            }
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
        let mut to = si.target(m.subject, &mut buf).to_vec();
        // Go's processServiceImport: the exporter's own mappings apply to the imported subject.
        if let Some(mapped) = exporter.map_subject(&to) {
            to = mapped;
        }
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

/// Whether `acc` may import `subject` of `kind` from the account configured as `exporter` (Go's
/// `checkStreamImportAuthorized` / `checkServiceImportAuthorized`). Configured accounts were checked
/// when the configuration was read; an operator-mode account is checked here, with its activation
/// `token` when the export requires one.
fn approved(
    acc: &Account,
    exporter: &super::AccountConfig,
    exports: &[super::config::Export],
    kind: &str,
    subject: &str,
    token: &str,
) -> bool {
    let import = crate::jwt::activation::ImportRef {
        importer: &acc.name,
        exporter: &exporter.name,
        kind,
        subject,
    };
    let now = crate::jwt::now_unix();
    super::check::export_approved(exports, &acc.name, subject, &|_| {
        !token.is_empty()
            && crate::jwt::activation::grants(token, &import, exporter.jwt.as_deref(), now)
    })
}
