//! The file store's [`Backend`]: appends records to the last block, rolls to a new block when
//! one is full, writes tombstones and floors so removals survive a restart, retires blocks
//! with no live messages, and compacts blocks that are mostly dead (Go `compact`).
//!
//! The rule for retiring a block (deleting its file): every record in it that recovery still
//! needs is first written again to the last block, namely tombstones of messages that other
//! blocks still hold, a floor while older messages remain elsewhere, and a marker for its highest
//! sequence when no other block reaches it. So a rebuild from the remaining blocks always gives
//! the same first and last sequence and never revives a removed message.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use bytes::Bytes;

use super::block::Block;
use super::frame::{decode, is_frame, Codec};
use super::record::{
    encode_marker, encode_msg, encode_padded_tomb, parse, record_len, Kind, EMPTY_RECORD_LEN,
    MAX_RECORD_LEN,
};
use super::recover::scan;
use super::Loc;
use crate::jetstream::store::crypt::StreamKey;
use crate::jetstream::store::engine::Backend;
use crate::jetstream::store::index::{Entry, Index};
use crate::jetstream::store::types::{StorageType, StoreDiagnostic, StoreError, StoreResult};

/// Dead bytes worth a rewrite, at most (a quarter block below that).
const COMPACT_MIN: u64 = 64 * 1024;

/// Message bytes in block files.
pub(crate) struct FileBackend {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub blocks: BTreeMap<u32, Block>,
    pub block_size: u64,
    pub sync_always: bool,
    pub diags: Vec<StoreDiagnostic>,
    /// The non-last block whose file is open for reads (at most one, to bound descriptors).
    reading: Option<u32>,
    buf: Vec<u8>,
    /// The on-disk form of `buf` when records are compressed or sealed.
    fbuf: Vec<u8>,
    /// How records are written (compression, encryption).
    pub codec: Codec,
    /// A new block was started: the previous last block may now be retired.
    rolled: bool,
}

impl FileBackend {
    pub fn new(root: PathBuf, dir: PathBuf, blocks: BTreeMap<u32, Block>, block_size: u64) -> Self {
        FileBackend {
            root,
            dir,
            blocks,
            block_size,
            sync_always: false,
            diags: Vec::new(),
            reading: None,
            buf: Vec::new(),
            fbuf: Vec::new(),
            codec: Codec::default(),
            rolled: false,
        }
    }

    fn last_id(&self) -> u32 {
        self.blocks.keys().next_back().copied().unwrap_or(0)
    }

    /// Starts a new last block.
    fn new_block(&mut self) -> io::Result<u32> {
        let id = self.last_id() + 1;
        if let Some(prev) = self.blocks.values_mut().next_back() {
            prev.flush()?;
        }
        let b = Block::create(&self.dir, id)?;
        self.blocks.insert(id, b);
        self.rolled = true;
        Ok(id)
    }

    /// Writes record `rec` in its on-disk form (see [`Codec`]) to the last block; returns the
    /// block, offset and bytes taken.
    fn write_encoded(
        &mut self,
        rec: &[u8],
        seq: u64,
        ts: i64,
        kind: Kind,
    ) -> io::Result<(u32, u64, usize)> {
        let mut f = std::mem::take(&mut self.fbuf);
        f.clear();
        self.codec.encode(rec, &mut f);
        let r = self.write_record(&f, seq, ts, kind);
        let n = f.len();
        self.fbuf = f;
        r.map(|(id, off)| (id, off, n))
    }

    /// Appends one on-disk record to the last block, rolling first when it would overflow.
    fn write_record(
        &mut self,
        rec: &[u8],
        seq: u64,
        ts: i64,
        kind: Kind,
    ) -> io::Result<(u32, u64)> {
        let lid = self.last_id();
        let full = match self.blocks.get(&lid) {
            Some(b) => b.size > 0 && b.size + rec.len() as u64 > self.block_size,
            None => true,
        };
        let id = if full { self.new_block()? } else { lid };
        let b = self
            .blocks
            .get_mut(&id)
            .ok_or_else(|| io::Error::other("no last block"))?;
        let off = b.append(rec)?;
        match kind {
            Kind::Msg => {
                b.note_msg(seq);
                b.note_seq(seq, ts);
            }
            Kind::Tomb => {
                b.tombs.push((seq, ts));
                b.note_seq(seq, ts);
            }
            Kind::Skip(n) => b.note_seq(seq + n.max(1) - 1, ts),
            Kind::Floor => {
                b.floor = b.floor.max(seq);
                b.note_seq(seq.saturating_sub(1), ts);
            }
        }
        Ok((id, off))
    }

    fn marker(&mut self, kind: Kind, seq: u64, ts: i64) -> io::Result<()> {
        let mut rec = std::mem::take(&mut self.buf);
        rec.clear();
        encode_marker(&mut rec, kind, seq, ts);
        let r = self.write_encoded(&rec, seq, ts, kind);
        self.buf = rec;
        r.map(|_| ())
    }

    /// Deletes non-last block `id` (which has no live messages), first writing again what
    /// recovery still needs from it. A block whose needed records would fill half a block is
    /// kept (it is mostly tombstones still in use) and tried again after later retirements.
    fn retire(&mut self, id: u32) -> io::Result<bool> {
        if id == self.last_id() {
            return Ok(false);
        }
        let Some(b) = self.blocks.get(&id) else {
            return Ok(false);
        };
        let holds = |s: u64| {
            self.blocks.iter().any(|(&oid, o)| {
                oid != id && o.first_msg != 0 && o.first_msg <= s && s <= o.last_msg
            })
        };
        let mut keep: Vec<(Kind, u64, i64)> = b
            .tombs
            .iter()
            .filter(|&&(s, _)| holds(s))
            .map(|&(s, t)| (Kind::Tomb, s, t))
            .collect();
        if (keep.len() * EMPTY_RECORD_LEN) as u64 > self.block_size / 2 {
            return Ok(false);
        }
        if b.floor > 0
            && self
                .blocks
                .iter()
                .any(|(&oid, o)| oid != id && o.first_msg != 0 && o.first_msg < b.floor)
        {
            keep.push((Kind::Floor, b.floor, b.max_ts));
        }
        let top = self
            .blocks
            .iter()
            .filter(|(&oid, _)| oid != id)
            .map(|(_, o)| o.max_seq)
            .max()
            .unwrap_or(0);
        if b.max_seq > top {
            keep.push((Kind::Tomb, b.max_seq, b.max_ts));
        }
        let Some(mut b) = self.blocks.remove(&id) else {
            return Ok(false);
        };
        if self.reading == Some(id) {
            self.reading = None;
        }
        b.close();
        let wrote = !keep.is_empty();
        for (k, s, t) in keep {
            self.marker(k, s, t)?;
        }
        if wrote {
            self.sync_last()?;
        }
        std::fs::remove_file(&b.path)?;
        Ok(true)
    }

    /// After a roll, retires the blocks that were left without live messages.
    fn after_roll(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.rolled) {
            self.retire_empty()?;
        }
        Ok(())
    }

    fn sync_last(&mut self) -> io::Result<()> {
        match self.blocks.values_mut().next_back() {
            Some(b) => b.sync(),
            None => Ok(()),
        }
    }

    /// Retires non-last blocks left without live messages, until none more can go.
    fn retire_empty(&mut self) -> io::Result<()> {
        loop {
            let last = self.last_id();
            let empty: Vec<u32> = self
                .blocks
                .iter()
                .filter(|(&id, b)| id != last && b.live == 0)
                .map(|(&id, _)| id)
                .collect();
            let mut progress = false;
            for id in empty {
                progress |= self.retire(id)?;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// Rewrites non-last block `id` when most of it is dead.
    fn maybe_compact(&mut self, idx: &mut Index<Loc>, id: u32) -> io::Result<()> {
        // Only removed messages count as reclaimable: tombstones a block must keep do not, so a
        // block full of needed tombstones is not rewritten over and over.
        let min = (self.block_size / 4).min(COMPACT_MIN);
        let worth = self
            .blocks
            .get(&id)
            .is_some_and(|b| id != self.last_id() && b.dead >= min && b.dead * 2 > b.size);
        if worth {
            self.compact_block(idx, id)?;
        }
        Ok(())
    }

    /// Go `msgBlock.compact`: keeps live messages and the records recovery needs.
    fn compact_block(&mut self, idx: &mut Index<Loc>, id: u32) -> io::Result<()> {
        let Some(b) = self.blocks.get_mut(&id) else {
            return Ok(());
        };
        let data = b.read_all()?;
        let (max_seq, max_ts) = (b.max_seq, b.max_ts);
        let mut out = Vec::with_capacity(b.live_bytes as usize + 64);
        let mut moved = Vec::new();
        let mut has_max = false;
        let items = scan(&data, self.codec.key());
        for item in &items {
            let Some((off, len, r)) = item.record() else {
                continue;
            };
            let bytes = &data[off..off + len];
            let keep = match r.kind {
                Kind::Msg => idx
                    .msgs
                    .get(&r.seq)
                    .is_some_and(|e| e.loc.blk == id && e.loc.off as usize == off),
                Kind::Tomb => self.blocks.iter().any(|(&oid, o)| {
                    oid != id && o.first_msg != 0 && o.first_msg <= r.seq && r.seq <= o.last_msg
                }),
                Kind::Skip(_) | Kind::Floor => true,
            };
            if keep {
                if r.kind == Kind::Msg {
                    moved.push((r.seq, out.len() as u32));
                }
                has_max |= r.seq == max_seq;
                out.extend_from_slice(bytes);
            }
        }
        if !has_max && max_seq > 0 {
            let mut m = Vec::new();
            encode_marker(&mut m, Kind::Tomb, max_seq, max_ts);
            self.codec.encode(&m, &mut out);
        }
        let tmp = self.dir.join(format!("{id}.blk.tmp"));
        std::fs::write(&tmp, &out)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        let Some(old) = self.blocks.get_mut(&id) else {
            return Ok(());
        };
        old.close();
        std::fs::rename(&tmp, &old.path)?;
        let mut nb = Block::existing(id, old.path.clone(), out.len() as u64);
        nb.live = old.live;
        nb.live_bytes = old.live_bytes;
        fill_facts(&mut nb, &out, self.codec.key());
        nb.max_seq = nb.max_seq.max(max_seq);
        self.blocks.insert(id, nb);
        for (seq, off) in moved {
            if let Some(e) = idx.msgs.get_mut(&seq) {
                e.loc.off = off;
            }
        }
        Ok(())
    }

    /// Writes the records of `ids` that survive a truncation to new blocks, then deletes `ids`.
    fn rewrite_tail(&mut self, idx: &mut Index<Loc>, ids: &[u32]) -> io::Result<()> {
        let last = idx.last_seq;
        self.new_block()?;
        let mut rec = Vec::new();
        for &id in ids {
            let Some(b) = self.blocks.get_mut(&id) else {
                continue;
            };
            let data = b.read_all()?;
            let key = self.codec.key.clone();
            let items = scan(&data, key.as_deref());
            for item in &items {
                let Some((off, len, r)) = item.record() else {
                    continue;
                };
                rec.clear();
                let kind = match r.kind {
                    Kind::Msg => {
                        let live = idx
                            .msgs
                            .get(&r.seq)
                            .is_some_and(|e| e.loc.blk == id && e.loc.off as usize == off);
                        if !live {
                            continue;
                        }
                        rec.extend_from_slice(&data[off..off + len]);
                        Kind::Msg
                    }
                    Kind::Tomb if r.seq <= last => Kind::Tomb,
                    Kind::Floor if r.seq <= last + 1 => Kind::Floor,
                    Kind::Skip(n) if r.seq <= last => Kind::Skip(n.min(last - r.seq + 1)),
                    _ => continue,
                };
                let (nid, noff) = if kind == Kind::Msg {
                    self.write_record(&rec, r.seq, r.ts, kind)?
                } else {
                    encode_marker(&mut rec, kind, r.seq, r.ts);
                    let (id, off, _) = self.write_encoded(&rec, r.seq, r.ts, kind)?;
                    (id, off)
                };
                if let (Kind::Msg, Some(e)) = (kind, idx.msgs.get_mut(&r.seq)) {
                    e.loc = Loc {
                        blk: nid,
                        off: noff as u32,
                        len: len as u32,
                    };
                    if let Some(nb) = self.blocks.get_mut(&nid) {
                        nb.live += 1;
                        nb.live_bytes += e.size;
                    }
                }
            }
        }
        if !idx.msgs.contains_key(&last) && last > 0 {
            self.marker(Kind::Tomb, last, idx.last_ts)?;
        }
        for b in self.blocks.values_mut() {
            b.sync()?;
        }
        for id in ids {
            if let Some(mut b) = self.blocks.remove(id) {
                b.close();
                std::fs::remove_file(&b.path)?;
            }
        }
        self.reading = None;
        Ok(())
    }

    fn forget(&mut self, removed: &[(u64, Entry<Loc>)]) {
        for (_, e) in removed {
            if let Some(b) = self.blocks.get_mut(&e.loc.blk) {
                b.live = b.live.saturating_sub(1);
                b.live_bytes = b.live_bytes.saturating_sub(e.size);
                b.dead += e.size;
            }
        }
    }

    /// Replaces every block with one new block (purge of everything, reset).
    fn replace_all(&mut self, floor: Option<(u64, i64)>) -> io::Result<()> {
        let old: Vec<u32> = self.blocks.keys().copied().collect();
        self.new_block()?;
        if let Some((f, ts)) = floor {
            self.marker(Kind::Floor, f, ts)?;
        }
        self.sync_last()?;
        for id in old {
            if let Some(mut b) = self.blocks.remove(&id) {
                b.close();
                std::fs::remove_file(&b.path)?;
            }
        }
        self.reading = None;
        Ok(())
    }
}

/// Sets a block's facts (message range, max sequence, tombstones, floor) from its bytes.
pub(super) fn fill_facts(b: &mut Block, data: &[u8], key: Option<&StreamKey>) {
    for item in scan(data, key) {
        let Some((_, _, r)) = item.record() else {
            continue;
        };
        match r.kind {
            Kind::Msg => {
                b.note_msg(r.seq);
                b.note_seq(r.seq, r.ts);
            }
            Kind::Tomb => {
                b.tombs.push((r.seq, r.ts));
                b.note_seq(r.seq, r.ts);
            }
            Kind::Skip(n) => b.note_seq(r.seq + n.max(1) - 1, r.ts),
            Kind::Floor => {
                b.floor = b.floor.max(r.seq);
                b.note_seq(r.seq.saturating_sub(1), r.ts);
            }
        }
    }
}

fn io_err(e: io::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

impl Backend for FileBackend {
    type Loc = Loc;
    const KIND: StorageType = StorageType::File;

    /// Go `fileStoreMsgSize`: the record length.
    fn msg_size(slen: usize, hlen: usize, mlen: usize) -> u64 {
        record_len(slen, hlen, mlen) as u64
    }

    fn append(
        &mut self,
        seq: u64,
        ts: i64,
        subj: &str,
        hdr: &[u8],
        msg: &[u8],
        sync: bool,
    ) -> StoreResult<Loc> {
        let len = record_len(subj.len(), hdr.len(), msg.len());
        if len > MAX_RECORD_LEN || subj.len() > u16::MAX as usize {
            return Err(StoreError::MsgTooLarge);
        }
        let mut rec = std::mem::take(&mut self.buf);
        rec.clear();
        encode_msg(&mut rec, seq, ts, subj.as_bytes(), hdr, msg);
        let r = self.write_encoded(&rec, seq, ts, Kind::Msg);
        self.buf = rec;
        let (blk, off, disk) = r.map_err(io_err)?;
        if let Some(b) = self.blocks.get_mut(&blk) {
            b.live += 1;
            b.live_bytes += len as u64;
            if sync {
                b.sync().map_err(io_err)?;
            }
        }
        self.after_roll().map_err(io_err)?;
        Ok(Loc {
            blk,
            off: off as u32,
            len: disk as u32,
        })
    }

    fn read(&mut self, seq: u64, e: &Entry<Loc>) -> StoreResult<Option<(Bytes, Bytes)>> {
        let Loc { blk, off, len } = e.loc;
        if blk != self.last_id() && self.reading != Some(blk) {
            if let Some(prev) = self.reading.and_then(|p| self.blocks.get_mut(&p)) {
                prev.close();
            }
            self.reading = Some(blk);
        }
        let mut data = match self.blocks.get_mut(&blk) {
            Some(b) => b.read_shared(off as u64, len as usize).map_err(io_err)?,
            None => Bytes::new(),
        };
        if is_frame(&data) {
            data = match decode(&data, self.codec.key()) {
                Ok((inner, n)) if n == data.len() => Bytes::from(inner.into_owned()),
                _ => Bytes::new(),
            };
        }
        match parse(&data) {
            Ok(r) if r.kind == Kind::Msg && r.seq == seq && r.len == data.len() => {
                Ok(Some((data.slice_ref(r.hdr), data.slice_ref(r.msg))))
            }
            _ => {
                self.diags.push(StoreDiagnostic::CorruptRecord {
                    block: blk,
                    offset: off as u64,
                    seq: Some(seq),
                });
                Ok(None)
            }
        }
    }

    fn remove(
        &mut self,
        idx: &mut Index<Loc>,
        seq: u64,
        e: Entry<Loc>,
        secure: bool,
    ) -> StoreResult<()> {
        let (loc, ts) = (e.loc, e.ts);
        let id = loc.blk;
        self.forget(&[(seq, e)]);
        let erased = secure && self.erase(loc, seq).map_err(io_err)?;
        if !erased {
            self.marker(Kind::Tomb, seq, ts).map_err(io_err)?;
        }
        if self.sync_always {
            self.sync_last().map_err(io_err)?;
        }
        if id != self.last_id() && self.blocks.get(&id).is_some_and(|b| b.live == 0) {
            self.retire_empty().map_err(io_err)?;
        } else {
            self.maybe_compact(idx, id).map_err(io_err)?;
            self.after_roll().map_err(io_err)?;
        }
        Ok(())
    }

    fn skip(&mut self, seq: u64, num: u64, ts: i64) -> StoreResult<()> {
        self.marker(Kind::Skip(num), seq, ts).map_err(io_err)?;
        if self.sync_always {
            self.sync_last().map_err(io_err)?;
        }
        self.after_roll().map_err(io_err)
    }

    fn floor(
        &mut self,
        idx: &mut Index<Loc>,
        floor: u64,
        removed: Vec<(u64, Entry<Loc>)>,
    ) -> StoreResult<()> {
        self.forget(&removed);
        if idx.msgs.is_empty() {
            self.replace_all(Some((floor, idx.last_ts))).map_err(io_err)
        } else {
            self.marker(Kind::Floor, floor, idx.last_ts)
                .map_err(io_err)?;
            self.sync_last().map_err(io_err)?;
            self.retire_empty().map_err(io_err)
        }
    }

    fn truncate(
        &mut self,
        idx: &mut Index<Loc>,
        removed: Vec<(u64, Entry<Loc>)>,
    ) -> StoreResult<()> {
        self.forget(&removed);
        if idx.last_seq == 0 {
            return self.replace_all(None).map_err(io_err);
        }
        let last = idx.last_seq;
        let ids: Vec<u32> = self
            .blocks
            .iter()
            .filter(|(_, b)| b.max_seq > last)
            .map(|(&id, _)| id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.rewrite_tail(idx, &ids).map_err(io_err)
    }

    fn snapshot_files(&mut self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        self.flush()?;
        let mut out = Vec::new();
        for id in self.blocks.keys() {
            let name = format!("{id}.blk");
            let data = std::fs::read(self.dir.join(&name)).map_err(io_err)?;
            out.push((format!("{}/{name}", super::MSG_DIR), data));
        }
        Ok(out)
    }

    fn flush(&mut self) -> StoreResult<()> {
        for b in self.blocks.values_mut() {
            b.flush().map_err(io_err)?;
        }
        Ok(())
    }

    fn sync(&mut self) -> StoreResult<()> {
        for b in self.blocks.values_mut() {
            b.sync().map_err(io_err)?;
        }
        Ok(())
    }

    fn stop(&mut self, idx: &Index<Loc>) -> StoreResult<()> {
        self.sync()?;
        super::save_state(self, idx).map_err(io_err)?;
        for b in self.blocks.values_mut() {
            b.close();
        }
        Ok(())
    }

    fn delete(&mut self) -> StoreResult<()> {
        for b in self.blocks.values_mut() {
            b.close();
        }
        self.blocks.clear();
        match std::fs::remove_dir_all(&self.root) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(e)),
            _ => Ok(()),
        }
    }

    fn take_diagnostics(&mut self) -> Vec<StoreDiagnostic> {
        std::mem::take(&mut self.diags)
    }

    fn set_compress(&mut self, on: bool) {
        self.codec.compress = on;
    }
}

impl FileBackend {
    /// Overwrites message `seq` in place with random bytes, making it a tombstone of itself.
    fn erase(&mut self, loc: Loc, seq: u64) -> io::Result<bool> {
        let Some(b) = self.blocks.get_mut(&loc.blk) else {
            return Ok(false);
        };
        let data = b.read_at(loc.off as u64, loc.len as usize)?;
        let ts = match decode(&data, self.codec.key()) {
            Ok((inner, n)) if n == data.len() => match parse(&inner) {
                Ok(r) if r.kind == Kind::Msg && r.seq == seq => r.ts,
                _ => return Ok(false),
            },
            _ => return Ok(false),
        };
        // The same number of bytes, now a tombstone of `seq` padded with random bytes.
        let Some(inner_len) = self.codec.inner_len_for(data.len()) else {
            return Ok(false);
        };
        let tomb = encode_padded_tomb(seq, ts, inner_len);
        let mut out = Vec::with_capacity(data.len());
        self.codec.encode_uncompressed(&tomb, &mut out);
        if out.len() != data.len() {
            return Ok(false);
        }
        b.overwrite_at(loc.off as u64, &out)?;
        Ok(true)
    }
}
