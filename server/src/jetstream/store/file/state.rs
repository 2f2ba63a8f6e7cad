//! The state file `index.db`, written on a clean stop so the next start need not read every
//! block (Go's `streamStreamStateFile`). It holds the stream counters, each block's facts with its
//! size and last checksum, and every live message's place. It is trusted only when its own
//! checksum holds and every block still has the recorded size and last checksum; the store
//! removes it once loaded, so after a crash the blocks are always read again.
//!
//! Layout (little-endian): magic `RNSIDX02`; first seq, first ts, last seq, last ts; blocks; a
//! subject table; messages (seq, ts, ttl, subject index, block, offset, length on disk,
//! accounted size); xxHash64 of all that. `RNSIDX01` files (no accounted size: it equalled the
//! length) are still read. An encrypted stream seals the whole file (see `crypt::seal_file`).

use std::io::{self, Write};
use std::path::Path;

use xxhash_rust::xxh64::xxh64;

use super::recover::FoundMsg;
use super::Loc;

const MAGIC: &[u8; 8] = b"RNSIDX02";
const MAGIC_V1: &[u8; 8] = b"RNSIDX01";

/// A block as the state file remembers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub id: u32,
    pub size: u64,
    pub tail_mark: u64,
    pub first_msg: u64,
    pub last_msg: u64,
    pub max_seq: u64,
    pub max_ts: i64,
    pub floor: u64,
    pub tombs: Vec<(u64, i64)>,
}

/// Everything the state file holds.
pub struct SavedState {
    pub first_seq: u64,
    pub first_ts: i64,
    pub last_seq: u64,
    pub last_ts: i64,
    pub blocks: Vec<BlockInfo>,
    pub msgs: Vec<FoundMsg>,
}

/// Messages as the encoder reads them: (seq, ts, ttl, subject, location, accounted size).
pub type MsgRef<'a> = (u64, i64, i64, &'a str, Loc, u64);

pub fn encode<'a>(
    counters: (u64, i64, u64, i64),
    blocks: &[BlockInfo],
    msgs: impl Iterator<Item = MsgRef<'a>>,
) -> Vec<u8> {
    let mut b = Vec::with_capacity(4096);
    b.extend_from_slice(MAGIC);
    let (fs, ft, ls, lt) = counters;
    put64(&mut b, fs);
    put64(&mut b, ft as u64);
    put64(&mut b, ls);
    put64(&mut b, lt as u64);
    put32(&mut b, blocks.len() as u32);
    for bi in blocks {
        put32(&mut b, bi.id);
        for v in [bi.size, bi.tail_mark, bi.first_msg, bi.last_msg, bi.max_seq] {
            put64(&mut b, v);
        }
        put64(&mut b, bi.max_ts as u64);
        put64(&mut b, bi.floor);
        put32(&mut b, bi.tombs.len() as u32);
        for &(s, t) in &bi.tombs {
            put64(&mut b, s);
            put64(&mut b, t as u64);
        }
    }
    let mut subjects: Vec<&str> = Vec::new();
    let mut ids: std::collections::HashMap<&str, u32> = Default::default();
    let mut body = Vec::new();
    let mut n = 0u64;
    for (seq, ts, ttl, subj, loc, size) in msgs {
        let id = *ids.entry(subj).or_insert_with(|| {
            subjects.push(subj);
            subjects.len() as u32 - 1
        });
        put64(&mut body, seq);
        put64(&mut body, ts as u64);
        put64(&mut body, ttl as u64);
        put32(&mut body, id);
        put32(&mut body, loc.blk);
        put32(&mut body, loc.off);
        put32(&mut body, loc.len);
        put64(&mut body, size);
        n += 1;
    }
    put32(&mut b, subjects.len() as u32);
    for s in &subjects {
        put32(&mut b, s.len() as u32);
        b.extend_from_slice(s.as_bytes());
    }
    put64(&mut b, n);
    b.extend_from_slice(&body);
    let h = xxh64(&b, 0);
    put64(&mut b, h);
    b
}

/// Writes the state file atomically (temp file, fsync, rename).
pub fn write(path: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Decodes a state file; `None` when it is damaged in any way.
pub fn decode(data: &[u8]) -> Option<SavedState> {
    if data.len() < MAGIC.len() + 8 || (&data[..8] != MAGIC && &data[..8] != MAGIC_V1) {
        return None;
    }
    let v1 = &data[..8] == MAGIC_V1;
    let (body, sum) = data.split_at(data.len() - 8);
    if xxh64(body, 0) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut c = Cursor { b: body, at: 8 };
    let (first_seq, first_ts, last_seq, last_ts) =
        (c.u64()?, c.u64()? as i64, c.u64()?, c.u64()? as i64);
    let nb = c.u32()? as usize;
    let mut blocks = Vec::with_capacity(nb.min(1 << 16));
    for _ in 0..nb {
        let id = c.u32()?;
        let (size, tail_mark, first_msg, last_msg, max_seq) =
            (c.u64()?, c.u64()?, c.u64()?, c.u64()?, c.u64()?);
        let (max_ts, floor) = (c.u64()? as i64, c.u64()?);
        let nt = c.u32()? as usize;
        let mut tombs = Vec::with_capacity(nt.min(1 << 16));
        for _ in 0..nt {
            tombs.push((c.u64()?, c.u64()? as i64));
        }
        blocks.push(BlockInfo {
            id,
            size,
            tail_mark,
            first_msg,
            last_msg,
            max_seq,
            max_ts,
            floor,
            tombs,
        });
    }
    let ns = c.u32()? as usize;
    let mut subjects = Vec::with_capacity(ns.min(1 << 16));
    for _ in 0..ns {
        let n = c.u32()? as usize;
        subjects.push(String::from_utf8(c.take(n)?.to_vec()).ok()?);
    }
    let nm = c.u64()? as usize;
    let mut msgs = Vec::with_capacity(nm.min(1 << 20));
    for _ in 0..nm {
        let (seq, ts, ttl) = (c.u64()?, c.u64()? as i64, c.u64()? as i64);
        let subj = subjects.get(c.u32()? as usize)?.clone();
        let loc = Loc {
            blk: c.u32()?,
            off: c.u32()?,
            len: c.u32()?,
        };
        let size = if v1 { loc.len as u64 } else { c.u64()? };
        msgs.push(FoundMsg {
            seq,
            ts,
            subj,
            ttl,
            size,
            loc,
        });
    }
    if c.at != body.len() {
        return None;
    }
    Some(SavedState {
        first_seq,
        first_ts,
        last_seq,
        last_ts,
        blocks,
        msgs,
    })
}

fn put32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}
