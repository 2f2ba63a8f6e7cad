//! Where account JWTs come from in operator mode (Go's `AccountResolver`): the memory resolver holds
//! the `resolver_preload` JWTs; the full directory resolver keeps one `<pubkey>.jwt` file per account
//! in its directory and stores newer JWTs sent by `$SYS.REQ.CLAIMS.UPDATE` (Go's `MemAccResolver` and
//! `DirAccResolver`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

/// The resolver as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolverConfig {
    /// `resolver: MEMORY`.
    Memory,
    /// `resolver { type: full, dir: ... }`; `allow_delete` is kept for the delete requests.
    Full { dir: PathBuf, allow_delete: bool },
}

/// A live resolver.
#[derive(Debug)]
pub struct Resolver {
    pub config: ResolverConfig,
    mem: RwLock<HashMap<String, String>>,
}

/// Go's `ErrMissingAccount` text.
pub const MISSING_ACCOUNT: &str = "account missing";

impl Resolver {
    pub fn new(config: ResolverConfig, preloads: &HashMap<String, String>) -> Resolver {
        let r = Resolver {
            config,
            mem: RwLock::new(HashMap::new()),
        };
        for (k, v) in preloads {
            // Preloads go to the directory only when it has no JWT for the account yet.
            if r.fetch(k).is_err() {
                let _ = r.store(k, v);
            }
        }
        r
    }

    /// The stored JWT of account `name`.
    pub fn fetch(&self, name: &str) -> Result<String, String> {
        match &self.config {
            ResolverConfig::Memory => self
                .mem
                .read()
                .ok()
                .and_then(|m| m.get(name).cloned())
                .ok_or_else(|| MISSING_ACCOUNT.to_string()),
            ResolverConfig::Full { dir, .. } => {
                if !is_account_key(name) {
                    return Err(MISSING_ACCOUNT.to_string());
                }
                std::fs::read_to_string(dir.join(format!("{name}.jwt")))
                    .map(|s| s.trim().to_string())
                    .map_err(|_| MISSING_ACCOUNT.to_string())
            }
        }
    }

    /// Store `jwt` as account `name`'s.
    pub fn store(&self, name: &str, jwt: &str) -> Result<(), String> {
        match &self.config {
            ResolverConfig::Memory => {
                if let Ok(mut m) = self.mem.write() {
                    m.insert(name.to_string(), jwt.to_string());
                }
                Ok(())
            }
            ResolverConfig::Full { dir, .. } => {
                if !is_account_key(name) {
                    return Err(format!("invalid account key {name:?}"));
                }
                let tmp = dir.join(format!("{name}.jwt.tmp"));
                std::fs::write(&tmp, jwt).map_err(|e| e.to_string())?;
                std::fs::rename(&tmp, dir.join(format!("{name}.jwt"))).map_err(|e| e.to_string())
            }
        }
    }

    /// Public keys of every stored account, sorted.
    pub fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = match &self.config {
            ResolverConfig::Memory => self
                .mem
                .read()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            ResolverConfig::Full { dir, .. } => std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            let n = e.file_name().to_string_lossy().to_string();
                            n.strip_suffix(".jwt").map(str::to_string)
                        })
                        .filter(|n| is_account_key(n))
                        .collect()
                })
                .unwrap_or_default(),
        };
        v.sort();
        v
    }

    /// Whether account updates over the system account are taken (only the directory resolver).
    pub fn accepts_updates(&self) -> bool {
        matches!(self.config, ResolverConfig::Full { .. })
    }
}

/// Go's `nkeys.IsValidPublicAccountKey`.
pub fn is_account_key(k: &str) -> bool {
    nkeys::KeyPair::from_public_key(k)
        .map(|kp| kp.key_pair_type() == nkeys::KeyPairType::Account)
        .unwrap_or(false)
}

/// Go's `nkeys.IsValidPublicOperatorKey`.
pub fn is_operator_key(k: &str) -> bool {
    nkeys::KeyPair::from_public_key(k)
        .map(|kp| kp.key_pair_type() == nkeys::KeyPairType::Operator)
        .unwrap_or(false)
}
