//! One message block file (`<id>.blk`): an append-only run of records with a small write
//! buffer, plus the facts about it the store needs without reading it (live messages, the
//! sequences it covers, the tombstones and floor it carries). Go's `msgBlock`, without its
//! caches: reads go to the OS page cache.
//!
//! Writes land in `pending` and reach the file on `flush` (or when the buffer passes
//! [`FLUSH_AT`]); `sync` also fsyncs. Reads of bytes still pending are served from the buffer.

use bytes::Bytes;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Pending bytes that force a write to the file.
pub const FLUSH_AT: usize = 64 * 1024;

/// A block file and what it holds.
pub struct Block {
    pub id: u32,
    pub path: PathBuf,
    file: Option<File>,
    /// Logical size: bytes on disk plus pending.
    pub size: u64,
    flushed: u64,
    pending: Vec<u8>,
    /// Written since the last fsync.
    pub dirty: bool,
    /// Live messages stored here and their accounted bytes.
    pub live: u64,
    pub live_bytes: u64,
    /// Bytes of removed message records still in the file (what a compaction would reclaim).
    pub dead: u64,
    /// Lowest and highest message sequence ever written here (0: none).
    pub first_msg: u64,
    pub last_msg: u64,
    /// Highest sequence named by any record here, and that record's time.
    pub max_seq: u64,
    pub max_ts: i64,
    /// Tombstones written here: (removed sequence, its time).
    pub tombs: Vec<(u64, i64)>,
    /// Highest floor written here (0: none).
    pub floor: u64,
    /// A read-ahead window of flushed bytes (offset, data), so a consumer walking the block
    /// costs one read per window instead of one per message (Go's block cache plays this part).
    window: Option<(u64, Bytes)>,
}

/// Bytes read ahead when a read misses the window.
const READ_AHEAD: usize = 256 * 1024;

pub fn block_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("{id}.blk"))
}

impl Block {
    /// A new, empty block file.
    pub fn create(dir: &Path, id: u32) -> io::Result<Block> {
        let path = block_path(dir, id);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        let mut b = Block::existing(id, path, 0);
        b.file = Some(file);
        Ok(b)
    }

    /// A block already on disk with `size` bytes; facts are filled in by the caller.
    pub fn existing(id: u32, path: PathBuf, size: u64) -> Block {
        Block {
            id,
            path,
            file: None,
            size,
            flushed: size,
            pending: Vec::new(),
            dirty: false,
            live: 0,
            live_bytes: 0,
            dead: 0,
            first_msg: 0,
            last_msg: 0,
            max_seq: 0,
            max_ts: 0,
            tombs: Vec::new(),
            floor: 0,
            window: None,
        }
    }

    fn file(&mut self) -> io::Result<&File> {
        if self.file.is_none() {
            let f = OpenOptions::new().read(true).write(true).open(&self.path)?;
            self.file = Some(f);
        }
        self.file
            .as_ref()
            .ok_or_else(|| io::Error::other("block file not open"))
    }

    /// Closes the file handle (it reopens on demand).
    pub fn close(&mut self) {
        self.file = None;
        self.window = None;
    }

    pub fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Appends encoded records; returns the offset they start at.
    pub fn append(&mut self, rec: &[u8]) -> io::Result<u64> {
        let off = self.size;
        self.pending.extend_from_slice(rec);
        self.size += rec.len() as u64;
        self.dirty = true;
        if self.pending.len() >= FLUSH_AT {
            if let Err(e) = self.flush() {
                // The record was not stored: take it back so the block stays as the index says.
                self.pending.truncate(self.pending.len() - rec.len());
                self.size = off;
                return Err(e);
            }
        }
        Ok(off)
    }

    /// Notes what a record appended here says.
    pub fn note_seq(&mut self, seq: u64, ts: i64) {
        if seq >= self.max_seq {
            self.max_seq = seq;
            self.max_ts = ts;
        }
    }

    pub fn note_msg(&mut self, seq: u64) {
        if self.first_msg == 0 || seq < self.first_msg {
            self.first_msg = seq;
        }
        self.last_msg = self.last_msg.max(seq);
    }

    /// Writes pending bytes to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // The bytes stay pending until written, so a failed write (a full disk) leaves reads
        // and a later attempt consistent.
        let at = self.flushed;
        let pending = std::mem::take(&mut self.pending);
        let written = self.file().and_then(|f| f.write_all_at(&pending, at));
        match written {
            Ok(()) => {
                self.flushed += pending.len() as u64;
                self.pending = pending;
                self.pending.clear();
                Ok(())
            }
            Err(e) => {
                self.pending = pending;
                Err(e)
            }
        }
    }

    /// Flushes and fsyncs.
    pub fn sync(&mut self) -> io::Result<()> {
        self.flush()?;
        if self.dirty {
            self.file()?.sync_data()?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Reads `len` bytes at `off`, from the buffer when they are still pending.
    pub fn read_at(&mut self, off: u64, len: usize) -> io::Result<Vec<u8>> {
        let end = off + len as u64;
        if end > self.size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past block end",
            ));
        }
        if off >= self.flushed {
            let s = (off - self.flushed) as usize;
            return Ok(self.pending[s..s + len].to_vec());
        }
        if end > self.flushed {
            self.flush()?;
        }
        let mut buf = vec![0u8; len];
        self.file()?.read_exact_at(&mut buf, off)?;
        Ok(buf)
    }

    /// Reads `len` bytes at `off` as shared bytes: pending bytes are copied, flushed ones come
    /// from the read-ahead window (filled with one read when they are outside it).
    pub fn read_shared(&mut self, off: u64, len: usize) -> io::Result<Bytes> {
        let end = off + len as u64;
        if end > self.size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past block end",
            ));
        }
        if off >= self.flushed {
            let s = (off - self.flushed) as usize;
            return Ok(Bytes::copy_from_slice(&self.pending[s..s + len]));
        }
        if end > self.flushed {
            self.flush()?;
        }
        if let Some((at, w)) = &self.window {
            if off >= *at && end <= *at + w.len() as u64 {
                let s = (off - at) as usize;
                return Ok(w.slice(s..s + len));
            }
        }
        let want = len.max(READ_AHEAD).min((self.flushed - off) as usize);
        let mut buf = vec![0u8; want];
        self.file()?.read_exact_at(&mut buf, off)?;
        let w = Bytes::from(buf);
        let out = w.slice(0..len);
        self.window = Some((off, w));
        Ok(out)
    }

    /// Overwrites bytes in place (erase); flushes first so the offsets are on disk.
    pub fn overwrite_at(&mut self, off: u64, data: &[u8]) -> io::Result<()> {
        self.flush()?;
        self.window = None;
        self.file()?.write_all_at(data, off)?;
        self.dirty = true;
        Ok(())
    }

    /// Reads the whole block.
    pub fn read_all(&mut self) -> io::Result<Vec<u8>> {
        self.read_at(0, self.size as usize)
    }

    /// The last 8 bytes on disk (the last record's checksum), to tell a stale state file.
    pub fn tail_mark(&mut self) -> io::Result<u64> {
        if self.size < 8 {
            return Ok(0);
        }
        let b = self.read_at(self.size - 8, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        Ok(u64::from_le_bytes(a))
    }
}
