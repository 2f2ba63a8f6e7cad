//! Argument helpers for the client parser: field splitting, sizes, and the log texts of parse errors.
//!
//! Go splits PUB/HPUB arguments on spaces and tabs only (`processPub`, `processHeaderPub`), but SUB/UNSUB
//! arguments also on `\r` and `\n` (`splitArg`); both are kept distinct here because a stray `\r` inside a
//! control line is part of a PUB subject yet a separator for SUB. Sizes follow Go's `parseSize`: 1 to 9
//! ASCII digits, nothing else. Nothing here allocates except the error texts.

use crate::gofmt::go_quote;

/// A byte range inside the buffer given to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn of<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start..self.end).unwrap_or(&[])
    }
}

/// Fields of an argument list, up to `N` of them; `count` is the full number found (it may exceed `N`).
pub(super) struct Fields<const N: usize> {
    pub spans: [Span; N],
    pub count: usize,
}

impl<const N: usize> Fields<N> {
    /// The field at `i` as a slice of `buf`; empty when out of range.
    pub fn get<'a>(&self, i: usize, buf: &'a [u8]) -> &'a [u8] {
        match self.spans.get(i) {
            Some(s) if i < self.count => s.of(buf),
            _ => &[],
        }
    }
}

/// Separators of PUB/HPUB arguments (Go's unrolled loop in `processPub`).
#[inline]
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Separators of SUB/UNSUB arguments (Go's `splitArg`).
#[inline]
pub(super) fn is_split_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Split `buf[start..end]` into fields separated by runs of bytes for which `sep` is true.
/// Spans are absolute positions in `buf`. Every separator is a byte <= 0x20, so the end of a field is
/// found eight bytes at a time by [`next_low_byte`], then confirmed with `sep`.
#[inline]
pub(super) fn fields<const N: usize>(
    buf: &[u8],
    start: usize,
    end: usize,
    sep: impl Fn(u8) -> bool,
) -> Fields<N> {
    let mut out = Fields {
        spans: [Span { start: 0, end: 0 }; N],
        count: 0,
    };
    let arg = buf.get(start..end).unwrap_or(&[]);
    let n = arg.len();
    let mut i = 0;
    loop {
        while i < n && sep(arg[i]) {
            i += 1;
        }
        if i == n {
            return out;
        }
        let field = i;
        loop {
            i = next_low_byte(arg, i + 1);
            if i == n || sep(arg[i]) {
                break;
            }
        }
        if let Some(slot) = out.spans.get_mut(out.count) {
            *slot = Span {
                start: start + field,
                end: start + i,
            };
        }
        out.count += 1;
    }
}

/// Position of the first byte <= 0x20 in `s` at or after `from`, or `s.len()`.
#[inline]
fn next_low_byte(s: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = s.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A high bit marks a byte below 0x21; the lowest one is exact (borrows only reach later bytes).
        let low = x.wrapping_sub(ONES * 0x21) & !x & HIGHS;
        if low != 0 {
            return i + (low.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && s[i] > 0x20 {
        i += 1;
    }
    i.min(s.len())
}

/// Go's `parseSize`: a decimal number of 1 to 9 digits; `None` for anything else (Go returns -1).
#[inline]
pub(super) fn parse_size(d: &[u8]) -> Option<usize> {
    if d.is_empty() || d.len() > 9 {
        return None;
    }
    let mut n = 0usize;
    for &b in d {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
    }
    Some(n)
}

/// Go's `protoSnippet(start, PROTO_SNIPPET_SIZE, buf)`: up to 32 bytes from `start`, quoted as Go's `%q` does.
/// Kept with Go's quirk: when the window runs past the end, it stops one byte short of the end.
pub fn proto_snippet(start: usize, max: usize, buf: &[u8]) -> String {
    if start >= buf.len() {
        return "\"\"".to_string();
    }
    let mut stop = start.saturating_add(max);
    if stop > buf.len() {
        stop = buf.len() - 1;
    }
    go_quote(buf.get(start..stop).unwrap_or(&[]))
}
