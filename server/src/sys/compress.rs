//! Encodings a `$SYS.REQ` answer may be sent in when the request's `Accept-Encoding` header asks
//! (Go's `getAcceptEncoding`: snappy or s2 first, then gzip, anything else `identity`). The streams
//! are valid gzip (RFC 1952) and snappy framing format, made of stored blocks and uncompressed
//! chunks: any decoder reads them, without a compression library here. Pure: no I/O.

/// What the answer's `Content-Encoding` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gzip,
    Snappy,
    Identity,
}

impl Encoding {
    pub fn header_value(self) -> &'static str {
        match self {
            Encoding::Gzip => "gzip",
            Encoding::Snappy => "snappy",
            Encoding::Identity => "identity",
        }
    }

    /// The body in this encoding.
    pub fn encode(self, body: &[u8]) -> Vec<u8> {
        match self {
            Encoding::Gzip => gzip(body),
            Encoding::Snappy => snappy_framed(body),
            Encoding::Identity => body.to_vec(),
        }
    }
}

/// Go's `getAcceptEncoding` on a request's `Accept-Encoding` value (None when absent or empty).
pub fn accept_encoding(value: Option<&[u8]>) -> Option<Encoding> {
    let v = String::from_utf8_lossy(value?).to_ascii_lowercase();
    if v.is_empty() {
        None
    } else if v.contains("snappy") || v.contains("s2") {
        Some(Encoding::Snappy)
    } else if v.contains("gzip") {
        Some(Encoding::Gzip)
    } else {
        Some(Encoding::Identity)
    }
}

fn crc_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    for (i, slot) in t.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { poly ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    t
}

fn crc(table: &[u32; 256], data: &[u8]) -> u32 {
    let mut c = !0u32;
    for b in data {
        c = table[((c ^ *b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// CRC-32 (IEEE), as gzip uses.
pub fn crc32(data: &[u8]) -> u32 {
    crc(&crc_table(0xedb8_8320), data)
}

/// CRC-32C (Castagnoli), as snappy framing uses.
pub fn crc32c(data: &[u8]) -> u32 {
    crc(&crc_table(0x82f6_3b78), data)
}

/// A gzip member whose deflate stream is stored blocks.
fn gzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 32);
    // Magic, deflate, no flags, no mtime, no extra flags, unknown OS (as Go writes it).
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = body.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(body).to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out
}

/// The snappy framing format: the stream identifier, then uncompressed chunks of at most 64 KiB.
fn snappy_framed(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 32);
    out.extend_from_slice(&[0xff, 6, 0, 0]);
    out.extend_from_slice(b"sNaPpY");
    for chunk in body.chunks(65536) {
        let c = crc32c(chunk);
        let masked = c.rotate_right(15).wrapping_add(0xa282_ead8);
        let len = (chunk.len() + 4) as u32;
        out.push(0x01);
        out.extend_from_slice(&len.to_le_bytes()[..3]);
        out.extend_from_slice(&masked.to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crcs_match_their_check_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn accept_encoding_prefers_snappy_then_gzip() {
        assert_eq!(accept_encoding(None), None);
        assert_eq!(accept_encoding(Some(b"")), None);
        assert_eq!(accept_encoding(Some(b"gzip, S2")), Some(Encoding::Snappy));
        assert_eq!(accept_encoding(Some(b"GZIP")), Some(Encoding::Gzip));
        assert_eq!(accept_encoding(Some(b"br")), Some(Encoding::Identity));
    }

    #[test]
    fn gzip_stream_layout() {
        let g = gzip(b"hello");
        assert_eq!(&g[..3], &[0x1f, 0x8b, 8]);
        // One final stored block of 5 bytes.
        assert_eq!(&g[10..15], &[1, 5, 0, 0xfa, 0xff]);
        assert_eq!(&g[15..20], b"hello");
        assert_eq!(&g[20..24], &crc32(b"hello").to_le_bytes());
        assert_eq!(&g[24..], &5u32.to_le_bytes());
        let big = vec![7u8; 70_000];
        let g = gzip(&big);
        assert_eq!(g[10], 0, "first of two blocks is not final");
        assert_eq!(g.len(), 10 + 5 + 65535 + 5 + (70_000 - 65535) + 8);
    }

    #[test]
    fn snappy_frames_layout() {
        let s = snappy_framed(b"abc");
        assert_eq!(&s[..10], b"\xff\x06\x00\x00sNaPpY");
        assert_eq!(&s[10..14], &[1, 7, 0, 0]);
        let masked = crc32c(b"abc").rotate_right(15).wrapping_add(0xa282_ead8);
        assert_eq!(&s[14..18], &masked.to_le_bytes());
        assert_eq!(&s[18..], b"abc");
    }
}
