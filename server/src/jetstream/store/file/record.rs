//! The record layout of block files, and its checksum.
//!
//! A record has Go's field layout and size (so [`record_len`] equals Go's `fileStoreMsgSize`),
//! all little-endian:
//!
//! ```text
//! u32 rl     total record length; top bit set when a header block follows the subject
//! u64 seq    sequence; top bits mark the kind (see below)
//! i64 ts     Unix nanoseconds
//! u16 slen   subject length, then the subject
//! [u32 hlen, headers]   only when the top bit of rl is set
//! payload    the rest up to the checksum
//! u64 hash   xxHash64 of every byte before it
//! ```
//!
//! Kinds: a message; a tombstone (`TBIT`: message `seq` was removed, also written in place over
//! an erased message); a skip (`EBIT`: sequences `seq..seq+n` used without messages, `n` as the
//! u64 payload); a floor (`EBIT|TBIT`: every sequence below `seq` is gone). The checksum is not
//! Go's keyed HighwayHash, so files are not interchangeable with Go's.

use xxhash_rust::xxh64::xxh64;

/// Fixed bytes before the subject (Go `msgHdrSize`).
pub const MSG_HDR_SIZE: usize = 22;
/// Trailing checksum bytes.
pub const HASH_SIZE: usize = 8;
/// A record with no subject, headers or payload.
pub const EMPTY_RECORD_LEN: usize = MSG_HDR_SIZE + HASH_SIZE;
/// Larger records are refused on write and treated as damage on read (Go `rlBadThresh` is 32 MiB).
pub const MAX_RECORD_LEN: usize = 64 * 1024 * 1024;

const HBIT: u32 = 1 << 31;
const EBIT: u64 = 1 << 63;
const TBIT: u64 = 1 << 62;
const SEQ_MASK: u64 = !(EBIT | TBIT);

/// What a record says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Msg,
    Tomb,
    Skip(u64),
    Floor,
}

/// A parsed, checksum-verified record borrowing from its buffer.
#[derive(Debug)]
pub struct Record<'a> {
    pub kind: Kind,
    pub seq: u64,
    pub ts: i64,
    pub subj: &'a [u8],
    pub hdr: &'a [u8],
    pub msg: &'a [u8],
    pub len: usize,
}

/// Why bytes did not parse as a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bad {
    /// The record claims more bytes than there are.
    Short,
    /// The header is implausible or the checksum does not match. `len` is the claimed length
    /// when it fits the buffer, `seq` the claimed sequence.
    Damaged { len: Option<usize>, seq: u64 },
}

/// Go `fileStoreMsgSizeRaw`: the length of a message record.
pub fn record_len(slen: usize, hlen: usize, mlen: usize) -> usize {
    let h = if hlen > 0 { 4 + hlen } else { 0 };
    MSG_HDR_SIZE + slen + h + mlen + HASH_SIZE
}

/// Appends a message record to `buf`.
pub fn encode_msg(buf: &mut Vec<u8>, seq: u64, ts: i64, subj: &[u8], hdr: &[u8], msg: &[u8]) {
    encode(buf, seq & SEQ_MASK, ts, subj, hdr, msg);
}

/// Appends a tombstone, skip or floor record to `buf`.
pub fn encode_marker(buf: &mut Vec<u8>, kind: Kind, seq: u64, ts: i64) {
    let seq = seq & SEQ_MASK;
    match kind {
        Kind::Msg | Kind::Tomb => encode(buf, seq | TBIT, ts, b"", b"", b""),
        Kind::Skip(n) => encode(buf, seq | EBIT, ts, b"", b"", &n.to_le_bytes()),
        Kind::Floor => encode(buf, seq | EBIT | TBIT, ts, b"", b"", b""),
    }
}

fn encode(buf: &mut Vec<u8>, seq: u64, ts: i64, subj: &[u8], hdr: &[u8], msg: &[u8]) {
    let start = buf.len();
    let rl = record_len(subj.len(), hdr.len(), msg.len()) as u32;
    let rl = if hdr.is_empty() { rl } else { rl | HBIT };
    buf.extend_from_slice(&rl.to_le_bytes());
    buf.extend_from_slice(&seq.to_le_bytes());
    buf.extend_from_slice(&ts.to_le_bytes());
    buf.extend_from_slice(&(subj.len() as u16).to_le_bytes());
    buf.extend_from_slice(subj);
    if !hdr.is_empty() {
        buf.extend_from_slice(&(hdr.len() as u32).to_le_bytes());
        buf.extend_from_slice(hdr);
    }
    buf.extend_from_slice(msg);
    let h = xxh64(&buf[start..], 0);
    buf.extend_from_slice(&h.to_le_bytes());
}

/// A tombstone of `seq` exactly `len` bytes long (at least [`EMPTY_RECORD_LEN`]), its payload
/// random bytes: what an erased message is overwritten with.
pub fn encode_padded_tomb(seq: u64, ts: i64, len: usize) -> Vec<u8> {
    let pad: Vec<u8> = (0..len.saturating_sub(EMPTY_RECORD_LEN))
        .map(|_| rand::random::<u8>())
        .collect();
    let mut b = Vec::with_capacity(len);
    encode(&mut b, (seq & SEQ_MASK) | TBIT, ts, b"", b"", &pad);
    b
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Parses and verifies the record at the start of `buf`.
pub fn parse(buf: &[u8]) -> Result<Record<'_>, Bad> {
    if buf.len() < 4 {
        return Err(Bad::Short);
    }
    let raw = u32_at(buf, 0);
    let rl = (raw & !HBIT) as usize;
    let has_hdr = raw & HBIT != 0;
    if !(EMPTY_RECORD_LEN..=MAX_RECORD_LEN).contains(&rl) {
        return Err(Bad::Damaged { len: None, seq: 0 });
    }
    if buf.len() < rl {
        return Err(Bad::Short);
    }
    let rec = &buf[..rl];
    let raw_seq = u64_at(rec, 4);
    let damaged = Bad::Damaged {
        len: Some(rl),
        seq: raw_seq & SEQ_MASK,
    };
    if u64_at(rec, rl - HASH_SIZE) != xxh64(&rec[..rl - HASH_SIZE], 0) {
        return Err(damaged);
    }
    let ts = u64_at(rec, 12) as i64;
    let slen = u16::from_le_bytes([rec[20], rec[21]]) as usize;
    let body_end = rl - HASH_SIZE;
    let mut at = MSG_HDR_SIZE + slen;
    if at > body_end {
        return Err(damaged);
    }
    let subj = &rec[MSG_HDR_SIZE..at];
    let mut hdr: &[u8] = &[];
    if has_hdr {
        if at + 4 > body_end {
            return Err(damaged);
        }
        let hlen = u32_at(rec, at) as usize;
        at += 4;
        if at + hlen > body_end {
            return Err(damaged);
        }
        hdr = &rec[at..at + hlen];
        at += hlen;
    }
    let msg = &rec[at..body_end];
    let seq = raw_seq & SEQ_MASK;
    let kind = match (raw_seq & EBIT != 0, raw_seq & TBIT != 0) {
        (false, false) => Kind::Msg,
        (false, true) => Kind::Tomb,
        (true, false) => Kind::Skip(if msg.len() == 8 { u64_at(msg, 0) } else { 1 }),
        (true, true) => Kind::Floor,
    };
    Ok(Record {
        kind,
        seq,
        ts,
        subj,
        hdr,
        msg,
        len: rl,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sizes() {
        let mut b = Vec::new();
        encode_msg(&mut b, 7, 99, b"foo.bar", b"NATS/1.0\r\n\r\n", b"hello");
        assert_eq!(b.len(), record_len(7, 12, 5));
        let r = parse(&b).expect("valid record");
        assert_eq!((r.kind, r.seq, r.ts), (Kind::Msg, 7, 99));
        assert_eq!(
            (r.subj, r.hdr, r.msg),
            (&b"foo.bar"[..], &b"NATS/1.0\r\n\r\n"[..], &b"hello"[..])
        );
        let mut m = Vec::new();
        encode_marker(&mut m, Kind::Skip(5), 10, 1);
        assert_eq!(parse(&m).map(|r| r.kind), Ok(Kind::Skip(5)));
        assert_eq!(parse(&m[..m.len() - 1]).err(), Some(Bad::Short));
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let mut b = Vec::new();
        encode_msg(&mut b, 3, 5, b"a", b"", b"xyz");
        for i in 0..b.len() * 8 {
            let mut c = b.clone();
            c[i / 8] ^= 1 << (i % 8);
            assert!(parse(&c).is_err(), "bit {i} flipped went unnoticed");
        }
    }

    #[test]
    fn padded_tombstone_has_the_asked_length() {
        let b = encode_padded_tomb(4, 5, 77);
        assert_eq!(b.len(), 77);
        let r = parse(&b).expect("a valid record");
        assert_eq!((r.kind, r.seq, r.ts), (Kind::Tomb, 4, 5));
    }
}
