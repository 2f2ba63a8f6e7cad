//! Rebuilding a stream from its block files when there is no trustworthy state file (Go
//! `recoverMsgs` / `rebuildState`). Every record's checksum is checked. A damaged record is
//! skipped and reported; a partial record at the end of a block (a write cut short by a crash) is
//! cut off the file. Tombstones and floors are applied after all blocks are read, since they may
//! live in a later block than the messages they remove.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use super::block::{block_path, Block};
use super::frame::{decode, intact_frame};
use super::record::{parse, Bad, Kind, Record, EMPTY_RECORD_LEN};
use super::Loc;
use crate::jetstream::store::crypt::StreamKey;
use crate::jetstream::store::header::message_ttl;
use crate::jetstream::store::types::StoreDiagnostic;

/// One element of a scanned block.
pub enum Item<'a> {
    /// A verified record at `off` taking `len` bytes on disk, and the record itself (the same
    /// bytes, or what a frame held).
    Rec {
        off: usize,
        len: usize,
        rec: Cow<'a, [u8]>,
    },
    /// Bytes at `off` that are not a valid record; `seq` when the header still read sensibly.
    Damaged { off: usize, seq: Option<u64> },
    /// From `off` on, nothing parses: a torn tail.
    Torn { off: usize },
}

impl Item<'_> {
    /// The record of an `Item::Rec` (verified when scanned).
    pub fn record(&self) -> Option<(usize, usize, Record<'_>)> {
        match self {
            Item::Rec { off, len, rec } => parse(rec).ok().map(|r| (*off, *len, r)),
            _ => None,
        }
    }
}

fn next_ok(data: &[u8], at: usize, key: Option<&StreamKey>) -> bool {
    at == data.len() || (at < data.len() && decode(&data[at..], key).is_ok())
}

/// The next offset after `from` where a valid record starts.
fn resync(data: &[u8], from: usize, key: Option<&StreamKey>) -> Option<usize> {
    (from..data.len().saturating_sub(EMPTY_RECORD_LEN - 1))
        .find(|&o| decode(&data[o..], key).is_ok())
}

/// Splits block bytes into records, damage and a torn tail.
pub fn scan<'a>(data: &'a [u8], key: Option<&StreamKey>) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < data.len() {
        match decode(&data[off..], key) {
            Ok((rec, len)) => {
                out.push(Item::Rec { off, len, rec });
                off += len;
            }
            Err(Bad::Damaged { len: Some(l), seq })
                if next_ok(data, off + l, key) || intact_frame(&data[off..]) =>
            {
                out.push(Item::Damaged {
                    off,
                    seq: (seq > 0).then_some(seq),
                });
                off += l;
            }
            Err(_) => match resync(data, off + 1, key) {
                Some(o) => {
                    out.push(Item::Damaged { off, seq: None });
                    off = o;
                }
                None => {
                    out.push(Item::Torn { off });
                    break;
                }
            },
        }
    }
    out
}

/// A message found in a block.
pub struct FoundMsg {
    pub seq: u64,
    pub ts: i64,
    pub subj: String,
    pub ttl: i64,
    /// Accounted size (the record length, whatever the frame takes on disk).
    pub size: u64,
    pub loc: Loc,
}

/// What the blocks say, before tombstones and floors are applied.
#[derive(Default)]
pub struct Recovered {
    pub blocks: BTreeMap<u32, Block>,
    pub msgs: Vec<FoundMsg>,
    pub tombs: HashSet<u64>,
    pub floor: u64,
    pub last_seq: u64,
    pub last_ts: i64,
    pub lost: Vec<u64>,
}

impl Recovered {
    fn note_last(&mut self, seq: u64, ts: i64) {
        if seq >= self.last_seq {
            self.last_seq = seq;
            self.last_ts = ts;
        }
    }
}

/// Reads blocks `ids` (ascending) from `dir`, truncating torn tails.
pub fn recover_blocks(
    dir: &Path,
    ids: &[u32],
    key: Option<&StreamKey>,
    diags: &mut Vec<StoreDiagnostic>,
) -> io::Result<Recovered> {
    let mut rec = Recovered::default();
    for &id in ids {
        let path = block_path(dir, id);
        let data = std::fs::read(&path)?;
        let mut size = data.len() as u64;
        let mut b = Block::existing(id, path.clone(), size);
        for item in scan(&data, key) {
            if let Some((off, len, r)) = item.record() {
                apply(&mut rec, &mut b, off, len, &r);
                continue;
            }
            match item {
                Item::Rec { .. } => {}
                Item::Damaged { off, seq } => {
                    diags.push(StoreDiagnostic::CorruptRecord {
                        block: id,
                        offset: off as u64,
                        seq,
                    });
                    if let Some(s) = seq {
                        rec.lost.push(s);
                    }
                }
                Item::Torn { off } => {
                    diags.push(StoreDiagnostic::TornTail {
                        block: id,
                        offset: off as u64,
                        bytes: size - off as u64,
                    });
                    let f = OpenOptions::new().write(true).open(&path)?;
                    f.set_len(off as u64)?;
                    f.sync_all()?;
                    size = off as u64;
                    b = reopen_sized(b, size);
                }
            }
        }
        rec.blocks.insert(id, b);
    }
    Ok(rec)
}

/// The same block facts with a new on-disk size.
fn reopen_sized(b: Block, size: u64) -> Block {
    let mut n = Block::existing(b.id, b.path.clone(), size);
    n.first_msg = b.first_msg;
    n.last_msg = b.last_msg;
    n.max_seq = b.max_seq;
    n.max_ts = b.max_ts;
    n.tombs = b.tombs;
    n.floor = b.floor;
    n
}

fn apply(rec: &mut Recovered, b: &mut Block, off: usize, len: usize, r: &Record<'_>) {
    match r.kind {
        Kind::Msg => {
            b.note_msg(r.seq);
            b.note_seq(r.seq, r.ts);
            rec.note_last(r.seq, r.ts);
            rec.msgs.push(FoundMsg {
                seq: r.seq,
                ts: r.ts,
                subj: String::from_utf8_lossy(r.subj).into_owned(),
                ttl: message_ttl(r.hdr),
                size: r.len as u64,
                loc: Loc {
                    blk: b.id,
                    off: off as u32,
                    len: len as u32,
                },
            });
        }
        Kind::Tomb => {
            b.tombs.push((r.seq, r.ts));
            b.note_seq(r.seq, r.ts);
            rec.tombs.insert(r.seq);
            rec.note_last(r.seq, r.ts);
        }
        Kind::Skip(n) => {
            let last = r.seq + n.max(1) - 1;
            b.note_seq(last, r.ts);
            rec.note_last(last, r.ts);
        }
        Kind::Floor => {
            b.floor = b.floor.max(r.seq);
            rec.floor = rec.floor.max(r.seq);
            if r.seq > 0 {
                b.note_seq(r.seq - 1, r.ts);
                rec.note_last(r.seq - 1, r.ts);
            }
        }
    }
}
