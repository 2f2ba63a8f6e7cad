//! Durable consumers of file streams on disk: `<stream dir>/obs/<name>/meta.inf` (creation time and
//! config) and `o.dat` (delivered and ack floor sequences, pending acks, delivery counts), both
//! JSON written atomically with a SHA-256 beside them. The state is written when it changed, at
//! most every `FLUSH_EVERY` and at stop; after a crash at most that much ack progress is lost,
//! so some acknowledged messages may come again (at least once, never lost). Mirrors Go's
//! `consumerFileStore` (filestore.go: `UpdateDelivered`, `UpdateAcks`, `writeState`).

use crate::jetstream::store::crypt::{self, StreamKey};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Pending, State};
use crate::jetstream::api::consumer_config::ConsumerConfig;
use crate::jetstream::api::GoTime;

/// How long changed state may wait before it is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

#[derive(Serialize, Deserialize)]
pub struct Meta {
    pub created: GoTime,
    pub config: ConsumerConfig,
}

/// What survives a restart.
#[derive(Serialize, Deserialize, Default, Debug, PartialEq, Eq)]
pub struct Saved {
    pub sseq: u64,
    pub dseq: u64,
    pub ack_floor_dseq: u64,
    pub ack_floor_sseq: u64,
    /// stream seq -> (consumer seq, delivered at in Unix nanoseconds)
    pub pending: BTreeMap<u64, (u64, i64)>,
    pub redelivered: HashMap<u64, u64>,
}

impl Saved {
    pub fn of(s: &State) -> Saved {
        Saved {
            sseq: s.sseq,
            dseq: s.dseq,
            ack_floor_dseq: s.ack_floor_dseq,
            ack_floor_sseq: s.ack_floor_sseq,
            pending: s
                .pending
                .iter()
                .map(|(k, p)| (*k, (p.dseq, p.ts)))
                .collect(),
            redelivered: s.redelivered.clone(),
        }
    }

    /// Put saved state into a fresh consumer state; pending messages wait one ack wait again.
    pub fn restore_into(self, s: &mut State, ack_wait: Duration) {
        let deadline = Instant::now() + ack_wait;
        s.sseq = self.sseq.max(1);
        s.dseq = self.dseq.max(1);
        s.ack_floor_dseq = self.ack_floor_dseq;
        s.ack_floor_sseq = self.ack_floor_sseq;
        s.pending = self
            .pending
            .into_iter()
            .map(|(k, (dseq, ts))| (k, Pending { dseq, ts, deadline }))
            .collect();
        s.redelivered = self.redelivered;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The directory of consumer `name` of the stream in `stream_dir`.
pub fn dir(stream_dir: &Path, name: &str) -> PathBuf {
    stream_dir.join("obs").join(name)
}

/// Write `data` to `path` atomically with its checksum in `<path>.sum`.
fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)?;
    std::fs::write(path.with_extension("sum"), hex(&Sha256::digest(data)))
}

/// Seals `data` with the stream key of an encrypted stream.
fn seal(data: Vec<u8>, key: Option<&StreamKey>) -> Vec<u8> {
    match key {
        Some(k) => crypt::seal_file(k, &data),
        None => data,
    }
}

/// Seals the consumer files in `dir` that were written before encryption was turned on.
pub fn seal_plain_files(dir: &Path, key: &StreamKey) {
    for name in ["meta.inf", "o.dat"] {
        let path = dir.join(name);
        if let Ok(data) = read_checked(&path) {
            if !crypt::is_sealed(&data) {
                let _ = write_atomic(&path, &crypt::seal_file(key, &data));
            }
        }
    }
}

fn read_checked(path: &Path) -> Result<Vec<u8>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sum = std::fs::read_to_string(path.with_extension("sum"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if sum.trim() != hex(&Sha256::digest(&data)) {
        return Err(format!("{}: checksum mismatch", path.display()));
    }
    Ok(data)
}

pub fn write_meta(dir: &Path, meta: &Meta, key: Option<&StreamKey>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let data = serde_json::to_vec(meta).map_err(std::io::Error::other)?;
    write_atomic(&dir.join("meta.inf"), &seal(data, key))
}

pub fn write_state(dir: &Path, saved: &Saved, key: Option<&StreamKey>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let data = serde_json::to_vec(saved).map_err(std::io::Error::other)?;
    write_atomic(&dir.join("o.dat"), &seal(data, key))
}

pub fn read_meta(dir: &Path, key: Option<&StreamKey>) -> Result<Meta, String> {
    let data = read_checked(&dir.join("meta.inf"))?;
    let data = crypt::open_file(key, data).map_err(|e| format!("{}: {e}", dir.display()))?;
    serde_json::from_slice(&data).map_err(|e| format!("{}: {e}", dir.display()))
}

/// The saved state, or None when there is none yet (or it is damaged: the consumer then starts
/// from its configured position again, redelivering rather than losing).
pub fn read_state(dir: &Path, key: Option<&StreamKey>) -> Option<Saved> {
    let data = read_checked(&dir.join("o.dat")).ok()?;
    let data = crypt::open_file(key, data).ok()?;
    serde_json::from_slice(&data).ok()
}

/// The consumers saved under a stream directory.
pub fn list(stream_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(stream_dir.join("obs")) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_damage_is_refused() {
        let dir = std::env::temp_dir().join(format!("rnats-cstate-{}", rand::random::<u64>()));
        let saved = Saved {
            sseq: 11,
            dseq: 7,
            ack_floor_dseq: 4,
            ack_floor_sseq: 8,
            pending: BTreeMap::from([(9, (5, 123)), (10, (6, 456))]),
            redelivered: HashMap::from([(9, 2)]),
        };
        write_state(&dir, &saved, None).unwrap();
        assert_eq!(read_state(&dir, None), Some(saved));
        // A flipped byte fails the checksum: no state rather than wrong state.
        let p = dir.join("o.dat");
        let mut b = std::fs::read(&p).unwrap();
        b[3] ^= 1;
        std::fs::write(&p, b).unwrap();
        assert_eq!(read_state(&dir, None), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
