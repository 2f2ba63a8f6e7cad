//! Frames: how a record is kept on disk when the stream compresses or encrypts it.
//!
//! A plain record (see [`super::record`]) is written as is. Otherwise the record is wrapped:
//!
//! ```text
//! u32 len | FBIT   frame length; bit 30 tells a frame from a plain record (whose length is < 64 MiB)
//! u8  flags        bit 0: the inner record is Snappy-compressed; bits 4-5: cipher id (0: none)
//! body             the (compressed) record, or nonce | AEAD ciphertext | tag of it, with the
//!                  first five bytes as associated data
//! u64 hash         xxHash64 of every byte before it
//! ```
//!
//! The inner record keeps its own checksum, so a frame is only accepted when its hash, its AEAD
//! tag (when sealed) and the inner checksum all hold. Plain records and frames may sit side by
//! side in one block (compression turned on by a stream update).

use std::borrow::Cow;

use xxhash_rust::xxh64::xxh64;

use super::record::{parse, Bad, EMPTY_RECORD_LEN, HASH_SIZE, MAX_RECORD_LEN};
use crate::jetstream::store::crypt::{Cipher, StreamKey, OVERHEAD};

/// Marks the first word of a frame.
pub const FBIT: u32 = 1 << 30;
const F_S2: u8 = 1;
const HDR: usize = 5;
/// A frame's bytes besides its body.
const FRAME_EXTRA: usize = HDR + HASH_SIZE;
/// The largest frame accepted: the largest record plus what framing can add.
const MAX_FRAME_LEN: usize = MAX_RECORD_LEN + MAX_RECORD_LEN / 6 + 64;

/// How a store writes records: compressed, sealed, both, or plain.
#[derive(Clone, Default)]
pub struct Codec {
    pub compress: bool,
    pub key: Option<std::sync::Arc<StreamKey>>,
}

impl Codec {
    pub fn key(&self) -> Option<&StreamKey> {
        self.key.as_deref()
    }

    /// Appends the on-disk form of record `rec` to `out`.
    pub fn encode(&self, rec: &[u8], out: &mut Vec<u8>) {
        let compressed = if self.compress {
            snap::raw::Encoder::new()
                .compress_vec(rec)
                .ok()
                .filter(|c| c.len() + FRAME_EXTRA < rec.len())
        } else {
            None
        };
        match (&self.key, compressed) {
            (None, None) => out.extend_from_slice(rec),
            (key, c) => {
                let flags = if c.is_some() { F_S2 } else { 0 };
                self.frame(key.as_deref(), flags, c.as_deref().unwrap_or(rec), out);
            }
        }
    }

    /// Appends a frame of exactly `len` bytes holding `rec` uncompressed, when `rec` has the
    /// length that takes (see [`inner_len_for`](Self::inner_len_for)).
    pub fn encode_uncompressed(&self, rec: &[u8], out: &mut Vec<u8>) {
        match &self.key {
            None => out.extend_from_slice(rec),
            Some(k) => self.frame(Some(k), 0, rec, out),
        }
    }

    /// The length an uncompressed inner record must have to make a frame of `len` bytes.
    pub fn inner_len_for(&self, len: usize) -> Option<usize> {
        let extra = if self.key.is_some() {
            FRAME_EXTRA + OVERHEAD
        } else {
            0
        };
        len.checked_sub(extra).filter(|&n| n >= EMPTY_RECORD_LEN)
    }

    fn frame(&self, key: Option<&StreamKey>, flags: u8, body: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let seal = key.map_or(0, |_| OVERHEAD);
        let len = FRAME_EXTRA + seal + body.len();
        out.extend_from_slice(&(len as u32 | FBIT).to_le_bytes());
        let cid = key.map_or(0, |k| k.cipher().id());
        out.push(flags | (cid << 4));
        match key {
            Some(k) => {
                let aad: [u8; HDR] = out[start..start + HDR].try_into().unwrap_or_default();
                k.seal_into(&aad, body, out);
            }
            None => out.extend_from_slice(body),
        }
        let h = xxh64(&out[start..], 0);
        out.extend_from_slice(&h.to_le_bytes());
    }
}

/// Whether the bytes at the start of `buf` are a frame (not a plain record).
pub fn is_frame(buf: &[u8]) -> bool {
    buf.len() >= 4 && u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) & FBIT != 0
}

/// Whether `buf` starts with a whole frame whose hash holds (its contents may still fail to
/// open, e.g. under another key): such bytes are a damaged record, never a torn tail to cut.
pub fn intact_frame(buf: &[u8]) -> bool {
    if !is_frame(buf) {
        return false;
    }
    let len = (u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) & !FBIT) as usize;
    (FRAME_EXTRA..=MAX_FRAME_LEN).contains(&len)
        && buf.len() >= len
        && xxh64(&buf[..len - HASH_SIZE], 0).to_le_bytes() == buf[len - HASH_SIZE..len]
}

/// Decodes the record or frame at the start of `buf`: the verified inner record and the
/// on-disk length.
pub fn decode<'a>(buf: &'a [u8], key: Option<&StreamKey>) -> Result<(Cow<'a, [u8]>, usize), Bad> {
    if !is_frame(buf) {
        let r = parse(buf)?;
        let n = r.len;
        return Ok((Cow::Borrowed(&buf[..n]), n));
    }
    let len = (u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) & !FBIT) as usize;
    if !(FRAME_EXTRA..=MAX_FRAME_LEN).contains(&len) {
        return Err(Bad::Damaged { len: None, seq: 0 });
    }
    if buf.len() < len {
        return Err(Bad::Short);
    }
    let damaged = Bad::Damaged {
        len: Some(len),
        seq: 0,
    };
    let frame = &buf[..len];
    let (body, sum) = frame.split_at(len - HASH_SIZE);
    if xxh64(body, 0).to_le_bytes() != sum {
        return Err(damaged);
    }
    let flags = body[4];
    let inner: Cow<'a, [u8]> = match flags >> 4 {
        0 => Cow::Borrowed(&body[HDR..]),
        id => {
            let c = Cipher::from_id(id).ok_or(damaged)?;
            let k = key.ok_or(damaged)?;
            Cow::Owned(k.open(c, &body[..HDR], &body[HDR..]).ok_or(damaged)?)
        }
    };
    let inner = if flags & F_S2 != 0 {
        let n = snap::raw::decompress_len(&inner).map_err(|_| damaged)?;
        if n > MAX_RECORD_LEN {
            return Err(damaged);
        }
        Cow::Owned(
            snap::raw::Decoder::new()
                .decompress_vec(&inner)
                .map_err(|_| damaged)?,
        )
    } else {
        inner
    };
    match parse(&inner) {
        Ok(r) if r.len == inner.len() => Ok((inner, len)),
        _ => Err(damaged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jetstream::store::file::record::encode_msg;
    use std::sync::Arc;

    fn rec(payload: &[u8]) -> Vec<u8> {
        let mut r = Vec::new();
        encode_msg(&mut r, 9, 1, b"orders.new", b"", payload);
        r
    }

    #[test]
    fn frames_round_trip_in_every_mode() {
        let key = Arc::new(StreamKey::new(Cipher::ChaCha, &[1; 32]));
        let payload = b"abcdefgh".repeat(64);
        let r = rec(&payload);
        for (compress, key) in [
            (false, None),
            (true, None),
            (false, Some(key.clone())),
            (true, Some(key)),
        ] {
            let sealed = key.is_some();
            let c = Codec { compress, key };
            let mut out = Vec::new();
            c.encode(&r, &mut out);
            let (inner, n) = decode(&out, c.key()).expect("decodes");
            assert_eq!((&*inner, n), (&r[..], out.len()));
            if compress {
                assert!(out.len() < r.len() / 4, "compressed to {}", out.len());
            }
            if sealed {
                assert!(!out.windows(10).any(|w| w == b"orders.new"));
                assert!(decode(&out, None).is_err());
            }
        }
    }

    #[test]
    fn every_flipped_byte_of_a_sealed_frame_is_caught() {
        let key = Arc::new(StreamKey::new(Cipher::Aes, &[2; 32]));
        let c = Codec {
            compress: true,
            key: Some(key),
        };
        let mut out = Vec::new();
        c.encode(&rec(b"hello world"), &mut out);
        for i in 0..out.len() {
            let mut t = out.clone();
            t[i] ^= 0x01;
            assert!(
                decode(&t, c.key()).is_err(),
                "byte {i} flipped went unnoticed"
            );
        }
    }
}
