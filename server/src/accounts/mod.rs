//! Accounts: isolated subject spaces. Each account has its own subject index; stream and service
//! imports are the only bridges between them. The registry holds the live accounts (`$G`, the system
//! account and the configured ones); clients are bound to one at login. Matches Go's `Account`
//! (accounts.go) and `configureAccounts` (server.go).

pub mod check;
pub mod config;
pub mod imports;
mod responses;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::client::{ClientHandle, SubRef};
use crate::consts::{GLOBAL_ACCOUNT, SYSTEM_ACCOUNT};
use crate::options::Options;
use crate::sublist::Sublist;

pub use config::{AccountConfig, AccountLimits, ResponseType, NO_LIMIT, NO_LIMIT_I64};
pub use imports::{MsgHandler, PubCtx};

/// Per-account message counters (Go's account `stats`), for /accstatz.
#[derive(Default)]
pub struct AccountStats {
    pub in_msgs: AtomicU64,
    pub in_bytes: AtomicU64,
    pub out_msgs: AtomicU64,
    pub out_bytes: AtomicU64,
    pub slow_consumers: AtomicU64,
}

/// One live account.
pub struct Account {
    pub name: String,
    pub sublist: Arc<Sublist<SubRef>>,
    /// What the configuration says; replaced as a whole by a reload.
    cfg: RwLock<Arc<AccountConfig>>,
    /// Live imports built from `cfg` (they point at other accounts).
    imports: RwLock<Arc<imports::Imports>>,
    /// The configuration has subject mappings (checked on every publish without a lock).
    has_mappings: std::sync::atomic::AtomicBool,
    /// Client connections bound to this account.
    num_conns: AtomicI32,
    pub stats: AccountStats,
    /// The account's internal client, owner of its internal subscriptions (service imports, responses).
    internal: Arc<ClientHandle>,
    next_isid: AtomicU64,
    /// Pending responses of requests that came in through a service import (Go's `exports.responses`).
    pub(crate) responses: responses::Responses,
}

impl Account {
    pub fn new(cfg: AccountConfig) -> Arc<Account> {
        Arc::new_cyclic(|me| {
            let sublist = Arc::new(Sublist::new());
            Account {
                name: cfg.name.clone(),
                internal: Arc::new(ClientHandle::internal(me.clone())),
                sublist,
                has_mappings: std::sync::atomic::AtomicBool::new(!cfg.mappings.is_empty()),
                cfg: RwLock::new(Arc::new(cfg)),
                imports: RwLock::new(Arc::new(imports::Imports::default())),
                num_conns: AtomicI32::new(0),
                stats: AccountStats::default(),
                next_isid: AtomicU64::new(0),
                responses: responses::Responses::default(),
            }
        })
    }

    pub fn config(&self) -> Arc<AccountConfig> {
        self.cfg
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Go's `selectMappedSubject`: where a publish to `subject` goes when a mapping applies.
    pub fn map_subject(&self, subject: &[u8]) -> Option<Vec<u8>> {
        if !self.has_mappings.load(Ordering::Relaxed) {
            return None;
        }
        let cfg = self.config();
        let subject = std::str::from_utf8(subject).ok()?;
        crate::transform::select_mapping(&cfg.mappings, subject).map(String::into_bytes)
    }

    fn set_config(&self, cfg: AccountConfig) {
        self.has_mappings
            .store(!cfg.mappings.is_empty(), Ordering::Relaxed);
        if let Ok(mut c) = self.cfg.write() {
            *c = Arc::new(cfg);
        }
    }

    pub fn limits(&self) -> AccountLimits {
        self.config().limits
    }

    pub fn imports(&self) -> Arc<imports::Imports> {
        self.imports
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    pub fn is_system(&self, registry: &Accounts) -> bool {
        registry
            .system()
            .is_some_and(|s| std::ptr::eq(Arc::as_ptr(&s), self))
    }

    /// Local client connections bound to this account.
    pub fn num_connections(&self) -> i32 {
        self.num_conns.load(Ordering::Relaxed)
    }

    /// Count a new client; false (and not counted) when the account's max_connections is reached
    /// (Go's `MaxTotalConnectionsReached` in `registerWithAccount`).
    pub fn add_client(&self) -> bool {
        let max = self.limits().max_connections;
        let n = self.num_conns.fetch_add(1, Ordering::AcqRel) + 1;
        if max != NO_LIMIT && n > max {
            self.num_conns.fetch_sub(1, Ordering::AcqRel);
            return false;
        }
        true
    }

    /// Requests that came in through one of this account's service exports and still await answers
    /// (Go's `NumPendingAllResponses`).
    pub fn num_pending_responses(&self) -> usize {
        self.responses.pending()
    }

    pub fn remove_client(&self) {
        self.num_conns.fetch_sub(1, Ordering::AcqRel);
    }

    fn next_sid(&self) -> Vec<u8> {
        (self.next_isid.fetch_add(1, Ordering::Relaxed) + 1)
            .to_string()
            .into_bytes()
    }

    /// Subscribe the internal client with a handler (Go's `subscribeInternal`).
    pub fn subscribe_internal(
        &self,
        subject: &[u8],
        handler: Arc<dyn MsgHandler>,
    ) -> Option<SubRef> {
        let sid = self.next_sid();
        let sub = SubRef(Arc::new(crate::client::Subscription::internal(
            self.internal.clone(),
            subject,
            &sid,
            handler,
        )));
        self.sublist.insert(subject, None, sub.clone()).ok()?;
        Some(sub)
    }

    pub fn unsubscribe_internal(&self, sub: &SubRef) {
        sub.close();
        sub.remove_shadows();
        let _ = self.sublist.remove(&sub.subject, None, sub);
    }
}

/// Every live account by name.
#[derive(Default)]
pub struct Accounts {
    map: RwLock<HashMap<String, Arc<Account>>>,
    system: RwLock<Option<Arc<Account>>>,
    /// Serialises rebuilding imports (start and reload).
    rebuild: Mutex<()>,
}

impl Accounts {
    /// The live accounts for `opts`: `$G`, the configured ones and the system account (Go's
    /// `configureAccounts` then `SetDefaultSystemAccount`). Errors are Go's start-up texts.
    pub fn from_options(opts: &Options) -> Result<Accounts, String> {
        let accounts = Accounts::default();
        accounts.configure(opts)?;
        Ok(accounts)
    }

    pub fn get(&self, name: &str) -> Option<Arc<Account>> {
        self.map.read().ok()?.get(name).cloned()
    }

    pub fn global(&self) -> Arc<Account> {
        match self.get(GLOBAL_ACCOUNT) {
            Some(a) => a,
            None => {
                let a = Account::new(AccountConfig::new(GLOBAL_ACCOUNT));
                if let Ok(mut m) = self.map.write() {
                    m.insert(GLOBAL_ACCOUNT.to_string(), a.clone());
                }
                a
            }
        }
    }

    pub fn system(&self) -> Option<Arc<Account>> {
        self.system.read().ok()?.clone()
    }

    /// Every account, sorted by name.
    pub fn all(&self) -> Vec<Arc<Account>> {
        let mut v: Vec<Arc<Account>> = self
            .map
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Create or update accounts from `opts` (start and reload). Accounts that exist keep their subject
    /// index and clients; their configuration and imports are replaced.
    pub fn configure(&self, opts: &Options) -> Result<(), String> {
        let _guard = self.rebuild.lock();
        let errors = check::check(&opts.accounts, opts.no_system_account);
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        // Go's `SetDefaultSystemAccount`: `$SYS` unless another is named or there should be none.
        let sys_name = if !opts.system_account.is_empty() {
            Some(opts.system_account.clone())
        } else if opts.accounts.iter().any(|a| a.name == SYSTEM_ACCOUNT) || !opts.no_system_account
        {
            Some(SYSTEM_ACCOUNT.to_string())
        } else {
            None
        };
        // The configured accounts, the global and default system ones, and the system services'
        // exports and imports (Go's `addSystemAccountExports` / `registerSystemImports`).
        let mut cfgs = opts.accounts.clone();
        // Operator mode: the system account is named by its public key and built from its JWT when
        // the resolver has one (Go's `SetSystemAccount`).
        if let Some(name) = sys_name
            .as_ref()
            .filter(|_| !opts.trusted_operators.is_empty())
        {
            if !cfgs.iter().any(|a| &a.name == name) {
                cfgs.push(operator_system_account(opts, name));
            }
        }
        if !cfgs.iter().any(|a| a.name == GLOBAL_ACCOUNT) {
            cfgs.push(AccountConfig::new(GLOBAL_ACCOUNT));
        }
        if let Some(name) = &sys_name {
            if name == SYSTEM_ACCOUNT
                && opts.system_account.is_empty()
                && !cfgs.iter().any(|a| &a.name == name)
            {
                cfgs.push(AccountConfig::new(SYSTEM_ACCOUNT));
            }
            if !cfgs.iter().any(|a| &a.name == name) {
                return Err("error resolving system account: account missing".into());
            }
            crate::sys::exports::add_system_services(&mut cfgs, name);
        }
        {
            let mut map = self.map.write().map_err(|_| "accounts lock poisoned")?;
            for cfg in cfgs {
                match map.get(&cfg.name) {
                    Some(a) => a.set_config(cfg),
                    None => {
                        let name = cfg.name.clone();
                        map.insert(name, Account::new(cfg));
                    }
                }
            }
            if let Some(name) = sys_name {
                if let Some(sys) = map.get(&name) {
                    if let Ok(mut s) = self.system.write() {
                        *s = Some(sys.clone());
                    }
                }
            }
        }
        self.rebuild_imports();
        Ok(())
    }

    /// Rebuild every account's imports (another account came or changed).
    fn rebuild_imports(&self) {
        for a in self.all() {
            let new = imports::Imports::build(&a, self);
            let old = {
                let Ok(mut slot) = a.imports.write() else {
                    continue;
                };
                std::mem::replace(&mut *slot, Arc::new(new))
            };
            imports::activate(&a, &old);
        }
    }

    /// Operator mode: forget an account whose JWT the resolver no longer has.
    pub fn remove(&self, name: &str) {
        let _guard = self.rebuild.lock();
        if let Ok(mut map) = self.map.write() {
            map.remove(name);
        }
        self.rebuild_imports();
    }

    /// Operator mode: add an account built from its JWT, or update the one of that name with it
    /// (Go's `registerAccount` and `UpdateAccountClaims`). Returns the live account.
    pub fn register_jwt(&self, cfg: AccountConfig) -> Arc<Account> {
        let _guard = self.rebuild.lock();
        let acc = {
            let Ok(mut map) = self.map.write() else {
                return Account::new(cfg);
            };
            match map.get(&cfg.name) {
                Some(a) => {
                    a.set_config(cfg);
                    a.clone()
                }
                None => {
                    let a = Account::new(cfg);
                    map.insert(a.name.clone(), a.clone());
                    a
                }
            }
        };
        self.rebuild_imports();
        acc
    }
}

/// The system account of an operator: from its preloaded JWT when there is a good one, else bare.
fn operator_system_account(opts: &Options, name: &str) -> AccountConfig {
    // A full resolver's directory has the newer JWT when there is one.
    let stored = match &opts.resolver {
        Some(crate::jwt::resolver::ResolverConfig::Full { dir, .. }) => {
            std::fs::read_to_string(dir.join(format!("{name}.jwt")))
                .ok()
                .map(|s| s.trim().to_string())
        }
        _ => None,
    };
    let from_jwt = stored
        .as_ref()
        .or(opts.resolver_preload.get(name))
        .and_then(|jwt| {
            let claims = crate::jwt::decode::<crate::jwt::AccountClaims>(jwt).ok()?;
            (claims.data.sub == name).then(|| {
                let (mut cfg, info) = crate::jwt::account::from_claims(&claims, jwt);
                cfg.jwt = Some(Arc::new(info));
                cfg
            })
        });
    from_jwt.unwrap_or_else(|| AccountConfig::new(name))
}

impl Account {
    /// The account's internal client (publisher of server-originated messages in this account).
    pub fn internal_client(&self) -> &Arc<ClientHandle> {
        &self.internal
    }

    /// Deliver a server-originated message in this account within a delivery batch already under way
    /// (a handler answering a request). Returns whether anyone got it.
    pub fn deliver_internal(
        self: &Arc<Self>,
        fan: &mut crate::client::delivery::Fanout<'_>,
        server: &crate::server::ServerShared,
        subject: &[u8],
        reply: Option<&[u8]>,
        header: &[u8],
        payload: &[u8],
    ) -> bool {
        self.deliver_as(fan, server, subject, subject, reply, header, payload)
    }

    /// Deliver a server-originated message matched on `match_subject` but shown with `subject`
    /// (JetStream deliveries: matched on the deliver subject, shown with the stored subject; Go's
    /// `c.pa.deliver`).
    #[allow(clippy::too_many_arguments)]
    pub fn deliver_as(
        self: &Arc<Self>,
        fan: &mut crate::client::delivery::Fanout<'_>,
        server: &crate::server::ServerShared,
        match_subject: &[u8],
        subject: &[u8],
        reply: Option<&[u8]>,
        header: &[u8],
        payload: &[u8],
    ) -> bool {
        let mut msg = Vec::with_capacity(header.len() + payload.len());
        msg.extend_from_slice(header);
        msg.extend_from_slice(payload);
        let m = crate::client::delivery::Message {
            subject,
            reply,
            header_len: header.len(),
            msg: &msg,
        };
        let ctx = PubCtx {
            server,
            client: &self.internal,
            account: self,
            from_service: false,
            chain: &[],
        };
        let result = self.sublist.match_subject(match_subject);
        fan.deliver_result(&result, &m, &ctx, 0, true)
    }

    /// Publish a server-originated message in this account (events, timers): its own delivery batch.
    pub fn publish_internal(
        self: &Arc<Self>,
        server: &crate::server::ServerShared,
        subject: &[u8],
        reply: Option<&[u8]>,
        header: &[u8],
        payload: &[u8],
    ) -> bool {
        let mut fan = crate::client::delivery::Fanout::new(&server.stats, rand::random());
        let delivered = self.deliver_internal(&mut fan, server, subject, reply, header, payload);
        fan.finish_batch();
        delivered
    }
}
