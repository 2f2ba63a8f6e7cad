//! The file store (Go `fileStore`): one directory per stream, messages in block files
//! `msgs/1.blk`, `msgs/2.blk`, ... of at most `block_size` bytes, and a state file
//! `msgs/index.db` written on a clean stop.
//!
//! - Every record carries an xxHash64 checksum, checked on every read and on recovery; a record
//!   that fails is never served: it is dropped, counted in `StreamState::lost` and reported as a
//!   [`StoreDiagnostic`]. The record layout mirrors Go's, so accounted sizes equal Go's
//!   `fileStoreMsgSize`, but the hash differs: files are not interchangeable with Go's.
//! - Removals write tombstones (purges and compactions a floor), so they survive a restart;
//!   sequences never go back after a restart, even when everything was purged.
//! - Opening uses `index.db` when it matches the blocks (sizes and last checksums) and removes
//!   it; otherwise, after a crash or with a stale or damaged state file, it rebuilds from the
//!   blocks, cutting off a torn last record.
//! - Durability: writes are buffered per block ([`block::FLUSH_AT`]); `flush_all_pending` hands
//!   them to the OS and `sync` fsyncs. `sync_always` fsyncs before each store returns;
//!   `store_msg_deferred` plus `sync` gives group commit. The store runs no timer: the stream
//!   layer calls `sync` every [`FileStoreConfig::sync_interval`].
//!
//! - Compression and encryption ([`frame`]): with the stream's `compression: s2` each record is
//!   written Snappy-compressed (the block format S2 extends; no maintained S2 crate exists), only
//!   when that makes it smaller; with a stream key ([`FileStoreConfig::key`]) each record is
//!   sealed with ChaCha20-Poly1305 or AES-256-GCM and `index.db` is sealed whole. Plain records
//!   and frames mix in one block, so compression can change with an update; a store opened with a
//!   key rewrites blocks it finds plain. A frame that fails its hash, its AEAD tag or its inner
//!   checksum is damage like any other: dropped and reported, never served.
//!
//! The whole message index lives in memory (about 80 bytes per live message), where Go loads
//! per-block caches on demand.

mod backend;
pub mod block;
mod frame;
mod record;
mod recover;
mod state;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use backend::FileBackend;
use block::Block;
use recover::{recover_blocks, FoundMsg};
use state::{BlockInfo, SavedState};

use super::crypt::{open_file, seal_file, StreamKey};
use super::engine::Engine;
use super::index::Index;
use super::shared::{HasShared, Shared};
use super::types::{LostStreamData, StoreConfig, StoreDiagnostic, StoreError, StoreResult};

const MSG_DIR: &str = "msgs";
const STATE_FILE: &str = "index.db";

/// Where a message's record lives: block id, offset and record length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub blk: u32,
    pub off: u32,
    pub len: u32,
}

/// Go `FileStoreConfig`: where and how a stream is kept on disk.
#[derive(Clone, Debug)]
pub struct FileStoreConfig {
    /// The stream's own directory (created if missing).
    pub store_dir: PathBuf,
    /// Largest block file before a new one is started (one oversized record may exceed it).
    /// Clamped to 1 KiB ..= 1 GiB.
    pub block_size: u64,
    /// fsync before `store_msg` and removals return.
    pub sync_always: bool,
    /// How often the stream layer should call `sync` (Go's `SyncInterval`, default 2 minutes).
    pub sync_interval: Duration,
    /// Seal records and the state file with this stream key (at-rest encryption). Blocks
    /// written before encryption was turned on are converted when the store opens.
    pub key: Option<Arc<StreamKey>>,
}

impl FileStoreConfig {
    /// Go's defaults: 8 MiB blocks, no sync on every write, sync every 2 minutes.
    pub fn new(store_dir: impl Into<PathBuf>) -> Self {
        FileStoreConfig {
            store_dir: store_dir.into(),
            block_size: 8 * 1024 * 1024,
            sync_always: false,
            sync_interval: Duration::from_secs(120),
            key: None,
        }
    }
}

/// Go `fileStore`: a stream kept in block files.
pub struct FileStore {
    inner: Shared<FileBackend>,
    fcfg: FileStoreConfig,
}

impl HasShared for FileStore {
    type B = FileBackend;
    fn shared(&self) -> &Shared<FileBackend> {
        &self.inner
    }
}

fn io_err(e: io::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

impl FileStore {
    /// Opens (or creates) the stream in `fcfg.store_dir`, recovering what is there.
    pub fn open(fcfg: FileStoreConfig, cfg: StoreConfig) -> StoreResult<FileStore> {
        let mut fcfg = fcfg;
        fcfg.block_size = fcfg.block_size.clamp(1024, 1 << 30);
        let dir = fcfg.store_dir.join(MSG_DIR);
        std::fs::create_dir_all(&dir).map_err(io_err)?;
        let ids = list_blocks(&dir).map_err(io_err)?;
        let state_path = dir.join(STATE_FILE);
        let key = fcfg.key.clone();
        if let Some(k) = &key {
            if encrypt_plain_blocks(&dir, &ids, k).map_err(io_err)? {
                let _ = std::fs::remove_file(&state_path);
            }
        }
        let mut diags = Vec::new();
        let saved = match std::fs::read(&state_path) {
            Ok(data) => match open_file(key.as_deref(), data)
                .ok()
                .and_then(|d| state::decode(&d))
            {
                Some(s) => match check_saved(&dir, &ids, &s) {
                    Ok(()) => Some(s),
                    Err(reason) => {
                        diags.push(StoreDiagnostic::StateRebuilt { reason });
                        None
                    }
                },
                None => {
                    diags.push(StoreDiagnostic::StateRebuilt {
                        reason: "state file damaged".into(),
                    });
                    None
                }
            },
            Err(_) if !ids.is_empty() => {
                diags.push(StoreDiagnostic::StateRebuilt {
                    reason: "state file missing".into(),
                });
                None
            }
            Err(_) => None,
        };
        // From here on the state file would go stale with the first write.
        let _ = std::fs::remove_file(&state_path);

        let mut idx = Index::default();
        let mut lost = None;
        let blocks = match saved {
            Some(s) => from_saved(&dir, s, &mut idx),
            None => {
                let rec = recover_blocks(&dir, &ids, key.as_deref(), &mut diags).map_err(io_err)?;
                // Damage to a record already removed loses nothing.
                diags.retain(|d| {
                    !matches!(d, StoreDiagnostic::CorruptRecord { seq: Some(s), .. }
                        if rec.tombs.contains(s) || *s < rec.floor)
                });
                let gone: Vec<u64> = rec
                    .lost
                    .iter()
                    .copied()
                    .filter(|s| !rec.tombs.contains(s) && *s >= rec.floor)
                    .collect();
                if !gone.is_empty() {
                    lost = Some(LostStreamData {
                        msgs: gone,
                        bytes: 0,
                    });
                }
                build_index(&mut idx, rec.msgs, |s| {
                    rec.tombs.contains(&s) || s < rec.floor
                });
                if rec.last_seq >= idx.last_seq {
                    idx.last_seq = rec.last_seq;
                    idx.last_ts = rec.last_ts;
                }
                // An empty store that has held messages continues after them; a never-used one
                // reports a first sequence of 0, as Go's does.
                if idx.msgs.is_empty() && idx.last_seq > 0 {
                    idx.first_seq = idx.last_seq + 1;
                    idx.first_ts = 0;
                }
                rec.blocks
            }
        };
        let fresh = blocks.is_empty();
        let mut be = FileBackend::new(fcfg.store_dir.clone(), dir, blocks, fcfg.block_size);
        be.sync_always = fcfg.sync_always;
        be.codec = frame::Codec {
            compress: cfg.compress,
            key,
        };
        be.diags = diags;
        for e in idx.msgs.values() {
            if let Some(b) = be.blocks.get_mut(&e.loc.blk) {
                b.live += 1;
                b.live_bytes += e.size;
            }
        }
        for b in be.blocks.values_mut() {
            // Roughly what removed messages occupy: everything but live records and tombstones.
            let marks = (b.tombs.len() * record::EMPTY_RECORD_LEN) as u64;
            b.dead = b.size.saturating_sub(b.live_bytes + marks);
        }
        let first_seq = cfg.first_seq;
        let mut engine = Engine::new(cfg, be, idx);
        engine.sync_always = fcfg.sync_always;
        engine.lost = lost;
        if fresh && first_seq > 0 {
            // A floor record keeps the configured first sequence across restarts.
            engine.compact(first_seq)?;
            engine.updates.clear();
        }
        Ok(FileStore {
            inner: Shared::new(engine),
            fcfg,
        })
    }

    /// The configuration the store runs with.
    pub fn config(&self) -> &FileStoreConfig {
        &self.fcfg
    }

    /// Go `checkMsgs`: reads and verifies every stored message, dropping damaged ones; returns
    /// what has been lost so far, if anything.
    pub fn check_msgs(&self) -> StoreResult<Option<LostStreamData>> {
        self.inner.with(|e| {
            let seqs: Vec<u64> = e.idx.msgs.keys().copied().collect();
            for seq in seqs {
                match e.load(seq) {
                    Ok(_) | Err(StoreError::MsgNotFound) => {}
                    Err(err) => return Err(err),
                }
            }
            Ok(e.lost.clone())
        })
    }

    /// How often the stream layer should call `sync`.
    pub fn sync_interval(&self) -> Duration {
        self.fcfg.sync_interval
    }
}

/// Block ids in `dir`, ascending; stray temporary files are removed.
fn list_blocks(dir: &Path) -> io::Result<Vec<u32>> {
    let mut ids = Vec::new();
    for ent in std::fs::read_dir(dir)? {
        let name = ent?.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".tmp") {
            let _ = std::fs::remove_file(dir.join(&*name));
        } else if let Some(id) = name
            .strip_suffix(".blk")
            .and_then(|n| n.parse::<u32>().ok())
        {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Rewrites every block that starts with a plain record with all its records sealed (a stream
/// written before encryption was turned on); true when any block was rewritten.
fn encrypt_plain_blocks(dir: &Path, ids: &[u32], key: &Arc<StreamKey>) -> io::Result<bool> {
    let codec = frame::Codec {
        compress: false,
        key: Some(key.clone()),
    };
    let mut any = false;
    for &id in ids {
        let path = block::block_path(dir, id);
        let data = std::fs::read(&path)?;
        if data.is_empty() || frame::is_frame(&data) {
            continue;
        }
        let mut out = Vec::with_capacity(data.len() + data.len() / 4);
        for item in recover::scan(&data, Some(key)) {
            if let recover::Item::Rec { rec, .. } = item {
                codec.encode(&rec, &mut out);
            }
        }
        let tmp = dir.join(format!("{id}.blk.tmp"));
        std::fs::write(&tmp, &out)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        any = true;
    }
    Ok(any)
}

/// Whether the state file describes exactly the blocks on disk.
fn check_saved(dir: &Path, ids: &[u32], s: &SavedState) -> Result<(), String> {
    let saved: Vec<u32> = s.blocks.iter().map(|b| b.id).collect();
    if saved != ids {
        return Err("state file names other blocks".into());
    }
    for bi in &s.blocks {
        let path = block::block_path(dir, bi.id);
        let size = std::fs::metadata(&path)
            .map(|m| m.len())
            .unwrap_or(u64::MAX);
        let mut b = Block::existing(bi.id, path, size);
        if size != bi.size || b.tail_mark().ok() != Some(bi.tail_mark) {
            return Err(format!("block {} changed since the state file", bi.id));
        }
    }
    Ok(())
}

fn from_saved(dir: &Path, s: SavedState, idx: &mut Index<Loc>) -> BTreeMap<u32, Block> {
    let mut blocks = BTreeMap::new();
    for bi in s.blocks {
        let mut b = Block::existing(bi.id, block::block_path(dir, bi.id), bi.size);
        b.first_msg = bi.first_msg;
        b.last_msg = bi.last_msg;
        b.max_seq = bi.max_seq;
        b.max_ts = bi.max_ts;
        b.floor = bi.floor;
        b.tombs = bi.tombs;
        blocks.insert(bi.id, b);
    }
    build_index(idx, s.msgs, |_| false);
    idx.first_seq = s.first_seq;
    idx.first_ts = s.first_ts;
    idx.last_seq = s.last_seq;
    idx.last_ts = s.last_ts;
    blocks
}

/// Inserts found messages in sequence order, the later copy winning a duplicate.
fn build_index(idx: &mut Index<Loc>, mut msgs: Vec<FoundMsg>, dead: impl Fn(u64) -> bool) {
    msgs.sort_by_key(|m| m.seq);
    let n = msgs.len();
    for i in 0..n {
        let m = &msgs[i];
        if (i + 1 < n && msgs[i + 1].seq == m.seq) || dead(m.seq) {
            continue;
        }
        let subj = idx.intern(&m.subj);
        idx.insert(m.seq, m.ts, subj, m.size, m.ttl, m.loc);
    }
}

/// Writes `index.db` for a fast next start.
fn save_state(be: &mut FileBackend, idx: &Index<Loc>) -> io::Result<()> {
    let mut infos = Vec::with_capacity(be.blocks.len());
    for b in be.blocks.values_mut() {
        infos.push(BlockInfo {
            id: b.id,
            size: b.size,
            tail_mark: b.tail_mark()?,
            first_msg: b.first_msg,
            last_msg: b.last_msg,
            max_seq: b.max_seq,
            max_ts: b.max_ts,
            floor: b.floor,
            tombs: b.tombs.clone(),
        });
    }
    let data = state::encode(
        (idx.first_seq, idx.first_ts, idx.last_seq, idx.last_ts),
        &infos,
        idx.msgs
            .iter()
            .map(|(&s, e)| (s, e.ts, e.ttl, &*e.subj, e.loc, e.size)),
    );
    let data = match be.codec.key() {
        Some(k) => seal_file(k, &data),
        None => data,
    };
    state::write(&be.dir.join(STATE_FILE), &data)
}
