//! A JetStream-enabled account: its limits, its streams, its API subscription and its usage
//! (Go's `jsAccount`).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::JetStream;
use crate::accounts::Account;
use crate::client::SubRef;
use crate::jetstream::api::account::JetStreamAccountLimits;
use crate::jetstream::api::enums::StorageType;

use super::Stream;

/// Bytes an account's streams hold, kept current by the stores' updates (Go's `jsaUsage`).
#[derive(Default)]
pub struct Usage {
    pub mem: std::sync::atomic::AtomicI64,
    pub store: std::sync::atomic::AtomicI64,
}

pub struct JsAccount {
    pub account: Arc<Account>,
    pub limits: JetStreamAccountLimits,
    pub usage: Arc<Usage>,
    streams: RwLock<BTreeMap<String, Arc<Stream>>>,
    api_sub: RwLock<Option<SubRef>>,
}

impl JsAccount {
    pub fn new(
        _js: &Arc<JetStream>,
        account: Arc<Account>,
        limits: JetStreamAccountLimits,
    ) -> Arc<JsAccount> {
        Arc::new(JsAccount {
            account,
            limits,
            usage: Arc::new(Usage::default()),
            streams: RwLock::new(BTreeMap::new()),
            api_sub: RwLock::new(None),
        })
    }

    /// Subscribe `$JS.API.>` in the account (and `$JS.<domain>.API.>` with a domain).
    pub fn subscribe_api(self: &Arc<Self>, js: &Arc<JetStream>) {
        let handler = Arc::new(super::api::ApiHandler::new(js, self));
        let sub = self
            .account
            .subscribe_internal(b"$JS.API.>", handler.clone());
        if let Ok(mut s) = self.api_sub.write() {
            *s = sub;
        }
        if !js.domain.is_empty() {
            let subject = format!("$JS.{}.API.>", js.domain);
            self.account.subscribe_internal(subject.as_bytes(), handler);
        }
    }

    pub fn streams(&self) -> Vec<Arc<Stream>> {
        self.streams
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn stream(&self, name: &str) -> Option<Arc<Stream>> {
        self.streams.read().ok()?.get(name).cloned()
    }

    pub fn insert_stream(&self, s: Arc<Stream>) {
        if let Ok(mut m) = self.streams.write() {
            m.insert(s.name.clone(), s);
        }
    }

    pub fn remove_stream(&self, name: &str) -> Option<Arc<Stream>> {
        self.streams.write().ok()?.remove(name)
    }

    /// Bytes stored by this account's streams of a storage type.
    pub fn usage(&self, storage: StorageType) -> u64 {
        self.streams()
            .iter()
            .filter(|s| s.config().storage == storage)
            .map(|s| s.state().bytes)
            .sum()
    }

    /// All consumers of the account's streams, those feeding mirrors and sources included
    /// (Go's `numConsumers` per stream in the account stats).
    pub fn num_consumers(&self) -> usize {
        self.streams().iter().map(|s| s.consumers().len()).sum()
    }
}
