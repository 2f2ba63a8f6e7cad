//! The running JetStream subsystem: enabling it (Go's log banner, the store directory, the
//! dynamic memory and storage limits), the JetStream-enabled accounts with their streams, and
//! recovery of file streams at start. Matches Go's `EnableJetStream`, `enableJetStream`,
//! `dynJetStreamConfig` and `configJetStream` (jetstream.go).
//!
//! Design note: Go serves `$JS.API.>` from the system account and imports it into each enabled
//! account; rnats subscribes the API directly in each enabled account. Requests and replies are
//! the same on the wire; the only visible difference is that `/accountz` lists no `$JS.API.>`
//! import.

pub mod account;
pub mod advisory;
pub mod api;
pub mod batch;
pub mod consumer;
mod consumer_api;
mod consumer_ctl;
mod counter;
mod direct;
mod follower;
mod persist;
mod schedule;
mod snapshot;
mod source;
pub mod stream;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use crate::server::ServerShared;

pub use account::JsAccount;
pub use stream::Stream;

/// Go's `JetStreamStoreDir`: the directory placed under `store_dir`.
pub const STORE_DIR_NAME: &str = "jetstream";
/// Go's `JetStreamMaxMemDefault`: used when system memory is unknown.
const MAX_MEM_DEFAULT: i64 = 256 * 1024 * 1024;
/// Go's `JetStreamMaxStoreDefault`: used when the disk cannot be measured.
const MAX_STORE_DEFAULT: i64 = 1024 * 1024 * 1024 * 1024;

/// JetStream as configured and running on this server.
pub struct JetStream {
    server: Weak<ServerShared>,
    pub store_dir: PathBuf,
    pub max_memory: i64,
    pub max_store: i64,
    pub domain: String,
    pub strict: bool,
    pub sync_interval: Duration,
    pub sync_always: bool,
    /// At-rest encryption of file streams (`jetstream { key, prev_encryption_key, cipher }`).
    pub encryption: Option<crate::jetstream::store::crypt::Encryption>,
    /// Server-wide duplicate window cap in nanoseconds (0: none).
    pub max_duplicates: i64,
    accounts: RwLock<HashMap<String, Arc<JsAccount>>>,
    pub api_total: AtomicU64,
    pub api_errors: AtomicU64,
    api: api::ApiQueue,
    /// Bytes stored in memory and file streams (Go's `memUsed`, `storeUsed`).
    mem_used: AtomicI64,
    store_used: AtomicI64,
    /// Atomic batches inflight on this server (Go's `globalInflightAtomicBatches`).
    pub atomic_batches: AtomicI64,
    pub batch_limits: batch::BatchLimits,
}

/// Go's `getHash`: the first 8 characters of the name's SHA-256, each byte mapped into Go's
/// base-62 digits (the `Node:` of the start-up banner).
pub fn node_hash(name: &str) -> String {
    use sha2::Digest;
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let sum = sha2::Sha256::digest(name.as_bytes());
    sum.iter()
        .take(8)
        .map(|b| DIGITS[(*b % 62) as usize] as char)
        .collect()
}

/// Go's `friendlyBytes`.
pub fn friendly_bytes(bytes: i64) -> String {
    let f = bytes as f64;
    if f < 1024.0 {
        return format!("{} B", bytes);
    }
    let pre = ["K", "M", "G", "T", "P", "E"];
    let exp = (f.ln() / 1024f64.ln()) as i32;
    let idx = ((exp - 1).max(0) as usize).min(pre.len() - 1);
    format!("{:.2} {}B", f / 1024f64.powi(exp), pre[idx])
}

/// 75% of the system's memory (Go's `sysmem.Memory() / 4 * 3`).
fn default_max_memory() -> i64 {
    // SAFETY: sysconf only reads system configuration values.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && size > 0 {
        pages.saturating_mul(size) / 4 * 3
    } else {
        MAX_MEM_DEFAULT
    }
}

/// 75% of the disk space available at `dir` (Go's `diskAvailable`).
fn disk_available(dir: &std::path::Path) -> i64 {
    let _ = std::fs::create_dir_all(dir);
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return MAX_STORE_DEFAULT;
    };
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized output struct.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } == 0 {
        ((st.f_bavail as u64).saturating_mul(st.f_frsize as u64) / 4 * 3) as i64
    } else {
        MAX_STORE_DEFAULT
    }
}

impl JetStream {
    /// Go's `EnableJetStream` with the server's options: logs the banner, prepares the store
    /// directory, enables the accounts and recovers their streams.
    pub fn start(server: &Arc<ServerShared>) -> Result<Arc<JetStream>, String> {
        let opts = server.opts();
        tracing::info!("Starting JetStream");
        let started = Instant::now();
        let store_dir = if opts.store_dir.is_empty() {
            tracing::warn!("Temporary storage directory used, data could be lost on system reboot");
            std::env::temp_dir().join("nats").join(STORE_DIR_NAME)
        } else {
            PathBuf::from(&opts.store_dir).join(STORE_DIR_NAME)
        };
        let js_opts = &opts.js;
        let max_store = match js_opts.max_store {
            Some(s) if s > 0 => s,
            Some(0) => 0,
            _ => disk_available(&store_dir),
        };
        let max_memory = match js_opts.max_memory {
            Some(s) if s > 0 => s,
            Some(0) => 0,
            _ => default_max_memory(),
        };
        match std::fs::metadata(&store_dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&store_dir)
                    .map_err(|e| format!("could not create storage directory - {e}"))?
            }
            // Go's check: whatever cannot be looked at (a file in the path) is no directory.
            Err(_) => return Err("storage directory is not a directory".into()),
            Ok(m) if !m.is_dir() => return Err("storage directory is not a directory".into()),
            Ok(_) => {
                let probe = store_dir.join(format!("_test_{}", std::process::id()));
                if std::fs::write(&probe, b"").is_err() {
                    return Err("storage directory is not writable".into());
                }
                let _ = std::fs::remove_file(&probe);
            }
        }
        let banner = [
            "    _ ___ _____ ___ _____ ___ ___   _   __  __",
            " _ | | __|_   _/ __|_   _| _ \\ __| /_\\ |  \\/  |",
            "| || | _|  | | \\__ \\ | | |   / _| / _ \\| |\\/| |",
            " \\__/|___| |_| |___/ |_| |_|_\\___/_/ \\_\\_|  |_|",
            "",
            "         https://docs.nats.io/jetstream",
            "",
        ];
        for line in banner {
            tracing::info!("{line}");
        }
        tracing::info!("---------------- JETSTREAM ----------------");
        tracing::info!("  Strict:          {}", !js_opts.no_strict);
        tracing::info!("  Max Memory:      {}", friendly_bytes(max_memory));
        tracing::info!("  Max Storage:     {}", friendly_bytes(max_store));
        tracing::info!("  Store Directory: \"{}\"", store_dir.display());
        if !js_opts.domain.is_empty() {
            tracing::info!("  Domain:          {}", js_opts.domain);
        }
        // Go: a cipher without a key encrypts nothing; a key without a cipher uses ChaCha.
        let encryption = (!js_opts.encryption_key.is_empty()).then(|| {
            crate::jetstream::store::crypt::Encryption {
                cipher: js_opts.cipher,
                key: js_opts.encryption_key.clone(),
                prev_key: js_opts.prev_encryption_key.clone(),
            }
        });
        if let Some(e) = &encryption {
            tracing::info!("  Encryption:      {}", e.cipher.go_name());
        }
        tracing::info!(
            "  API Level:       {}",
            crate::jetstream::api::stream_config::JS_API_LEVEL
        );
        tracing::info!("-------------------------------------------");
        let js = Arc::new(JetStream {
            server: Arc::downgrade(server),
            store_dir,
            max_memory,
            max_store,
            domain: js_opts.domain.clone(),
            strict: !js_opts.no_strict,
            sync_interval: js_opts
                .sync_interval
                .unwrap_or(crate::jetstream::options::DEFAULT_SYNC_INTERVAL),
            sync_always: js_opts.sync_always,
            encryption,
            max_duplicates: js_opts.limits.duplicates.as_nanos() as i64,
            accounts: RwLock::new(HashMap::new()),
            api_total: AtomicU64::new(0),
            api_errors: AtomicU64::new(0),
            api: api::ApiQueue::start(Arc::downgrade(server)),
            mem_used: AtomicI64::new(0),
            store_used: AtomicI64::new(0),
            atomic_batches: AtomicI64::new(0),
            batch_limits: batch::BatchLimits::from_config(&js_opts.limits),
        });
        for acc in js.accounts_to_enable(server) {
            js.enable_account(server, &acc)?;
        }
        tracing::info!(
            "Took {} to start JetStream",
            crate::gofmt::go_duration(started.elapsed())
        );
        Ok(js)
    }

    /// Go's `enableJetStreamAccounts`: the global account alone when no accounts are configured,
    /// otherwise the configured accounts that enable JetStream.
    fn accounts_to_enable(&self, server: &ServerShared) -> Vec<Arc<crate::accounts::Account>> {
        let opts = server.opts();
        // Go's globalAccountOnly: only `$G` (perhaps with mappings) and the system account.
        let sys = server.accounts.system().map(|a| a.name.clone());
        let only_global = opts
            .accounts
            .iter()
            .all(|a| a.name == crate::consts::GLOBAL_ACCOUNT || Some(&a.name) == sys.as_ref());
        if only_global {
            return vec![server.accounts.global()];
        }
        opts.accounts
            .iter()
            .filter(|a| a.jetstream.is_some())
            .filter_map(|a| server.accounts.get(&a.name))
            .collect()
    }

    /// Count stored bytes of a storage type (store updates, positive or negative).
    pub fn add_usage(&self, storage: crate::jetstream::api::enums::StorageType, bytes: i64) {
        let counter = match storage {
            crate::jetstream::api::enums::StorageType::Memory => &self.mem_used,
            crate::jetstream::api::enums::StorageType::File => &self.store_used,
        };
        counter.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes used and the server's maximum for a storage type.
    pub fn usage_of(&self, storage: crate::jetstream::api::enums::StorageType) -> (i64, i64) {
        match storage {
            crate::jetstream::api::enums::StorageType::Memory => {
                (self.mem_used.load(Ordering::Relaxed), self.max_memory)
            }
            crate::jetstream::api::enums::StorageType::File => {
                (self.store_used.load(Ordering::Relaxed), self.max_store)
            }
        }
    }

    /// Go's `limitsExceeded`: the server's memory or storage for JetStream is used up.
    pub fn limits_exceeded(&self, storage: crate::jetstream::api::enums::StorageType) -> bool {
        let (used, max) = match storage {
            crate::jetstream::api::enums::StorageType::Memory => {
                (self.mem_used.load(Ordering::Relaxed), self.max_memory)
            }
            crate::jetstream::api::enums::StorageType::File => {
                (self.store_used.load(Ordering::Relaxed), self.max_store)
            }
        };
        used > max
    }

    pub fn server(&self) -> Option<Arc<ServerShared>> {
        self.server.upgrade()
    }

    /// Enable JetStream for `acc` and recover its streams from disk.
    pub fn enable_account(
        self: &Arc<Self>,
        server: &Arc<ServerShared>,
        acc: &Arc<crate::accounts::Account>,
    ) -> Result<(), String> {
        let limits = acc
            .config()
            .jetstream
            .clone()
            .unwrap_or(crate::jetstream::api::account::JetStreamAccountLimits::UNLIMITED);
        let jsa = JsAccount::new(self, acc.clone(), limits);
        jsa.subscribe_api(self);
        if let Ok(mut m) = self.accounts.write() {
            m.insert(acc.name.clone(), jsa.clone());
        }
        persist::recover_account(self, server, &jsa);
        Ok(())
    }

    pub fn account(&self, name: &str) -> Option<Arc<JsAccount>> {
        self.accounts.read().ok()?.get(name).cloned()
    }

    pub fn accounts(&self) -> Vec<Arc<JsAccount>> {
        let mut v: Vec<Arc<JsAccount>> = self
            .accounts
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.account.name.cmp(&b.account.name));
        v
    }

    /// Stop every stream (flushing file stores) at shutdown.
    pub fn shutdown(&self) {
        for jsa in self.accounts() {
            for s in jsa.streams() {
                s.stop();
            }
        }
    }

    /// The directory of an account's streams.
    pub fn streams_dir(&self, account: &str) -> PathBuf {
        self.store_dir.join(account).join("streams")
    }
}

#[cfg(test)]
mod tests {
    use super::friendly_bytes;

    #[test]
    fn friendly_bytes_as_go() {
        assert_eq!(friendly_bytes(512), "512 B");
        assert_eq!(friendly_bytes(1024), "1.00 KB");
        assert_eq!(friendly_bytes(18_966_216_704), "17.66 GB");
        assert_eq!(friendly_bytes(1 << 40), "1.00 TB");
    }
}
