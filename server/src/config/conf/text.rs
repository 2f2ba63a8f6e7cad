//! Character rules the conf lexer and parser share, each matching the Go function it stands for:
//! rune decoding as `utf8.DecodeRune` (a bad byte is U+FFFD of width 1, NUL reads as the lexer's EOF),
//! `unicode.IsDigit` (every decimal digit of Unicode 17, not only ASCII), and `strings.ToLower` where
//! it decides keywords (`include`, the booleans).

/// Decimal-digit (Nd) ranges of Unicode 17, the tables of the Go release that builds nats-server 2.15.
/// Checked code point by code point against the Go binary: a digit after `1` keeps a value an integer.
const DIGIT_RANGES: &[(u32, u32)] = &[
    (0x30, 0x39),
    (0x660, 0x669),
    (0x6F0, 0x6F9),
    (0x7C0, 0x7C9),
    (0x966, 0x96F),
    (0x9E6, 0x9EF),
    (0xA66, 0xA6F),
    (0xAE6, 0xAEF),
    (0xB66, 0xB6F),
    (0xBE6, 0xBEF),
    (0xC66, 0xC6F),
    (0xCE6, 0xCEF),
    (0xD66, 0xD6F),
    (0xDE6, 0xDEF),
    (0xE50, 0xE59),
    (0xED0, 0xED9),
    (0xF20, 0xF29),
    (0x1040, 0x1049),
    (0x1090, 0x1099),
    (0x17E0, 0x17E9),
    (0x1810, 0x1819),
    (0x1946, 0x194F),
    (0x19D0, 0x19D9),
    (0x1A80, 0x1A89),
    (0x1A90, 0x1A99),
    (0x1B50, 0x1B59),
    (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49),
    (0x1C50, 0x1C59),
    (0xA620, 0xA629),
    (0xA8D0, 0xA8D9),
    (0xA900, 0xA909),
    (0xA9D0, 0xA9D9),
    (0xA9F0, 0xA9F9),
    (0xAA50, 0xAA59),
    (0xABF0, 0xABF9),
    (0xFF10, 0xFF19),
    (0x104A0, 0x104A9),
    (0x10D30, 0x10D39),
    (0x10D40, 0x10D49),
    (0x11066, 0x1106F),
    (0x110F0, 0x110F9),
    (0x11136, 0x1113F),
    (0x111D0, 0x111D9),
    (0x112F0, 0x112F9),
    (0x11450, 0x11459),
    (0x114D0, 0x114D9),
    (0x11650, 0x11659),
    (0x116C0, 0x116C9),
    (0x116D0, 0x116E3),
    (0x11730, 0x11739),
    (0x118E0, 0x118E9),
    (0x11950, 0x11959),
    (0x11BF0, 0x11BF9),
    (0x11C50, 0x11C59),
    (0x11D50, 0x11D59),
    (0x11DA0, 0x11DA9),
    (0x11DE0, 0x11DE9),
    (0x11F50, 0x11F59),
    (0x16130, 0x16139),
    (0x16A60, 0x16A69),
    (0x16AC0, 0x16AC9),
    (0x16B50, 0x16B59),
    (0x16D70, 0x16D79),
    (0x1CCF0, 0x1CCF9),
    (0x1D7CE, 0x1D7FF),
    (0x1E140, 0x1E149),
    (0x1E2F0, 0x1E2F9),
    (0x1E4F0, 0x1E4F9),
    (0x1E5F1, 0x1E5FA),
    (0x1E950, 0x1E959),
    (0x1FBF0, 0x1FBF9),
];

/// Go's `unicode.IsDigit`.
pub(crate) fn is_digit(c: char) -> bool {
    let c = c as u32;
    if c < 0x80 {
        return (0x30..=0x39).contains(&c);
    }
    DIGIT_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Go's `unicode.IsSpace` is the Unicode White_Space property, as is Rust's `char::is_whitespace`.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Decodes the rune at the start of `b` as Go's `utf8.DecodeRune`: `(U+FFFD, 1)` for a bad
/// encoding, `(U+FFFD, 0)` for empty input.
pub(crate) fn decode_rune(b: &[u8]) -> (char, usize) {
    let Some(&first) = b.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    let want = match first {
        0x00..=0x7F => return (first as char, 1),
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    if b.len() < want {
        return (char::REPLACEMENT_CHARACTER, 1);
    }
    // Rust's UTF-8 validation rejects exactly what Go's does: overlongs, surrogates, > U+10FFFF.
    match std::str::from_utf8(&b[..want]) {
        Ok(s) => (
            s.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER),
            want,
        ),
        Err(_) => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// Iterates the runes of `b` as Go's `for _, r := range string(b)` does.
pub(crate) fn runes(mut b: &[u8]) -> impl Iterator<Item = char> + '_ {
    std::iter::from_fn(move || {
        if b.is_empty() {
            return None;
        }
        let (c, w) = decode_rune(b);
        b = &b[w.max(1)..];
        Some(c)
    })
}

/// `unicode.ToLower` for one rune, as far as it can matter to an ASCII keyword: the only non-ASCII
/// runes whose lower case is ASCII are U+0130 (to `i`) and the Kelvin sign U+212A (to `k`).
fn go_lower(c: char) -> char {
    match c {
        '\u{130}' => 'i',
        '\u{212A}' => 'k',
        _ => c.to_ascii_lowercase(),
    }
}

/// `strings.ToLower(s) == word` for an ASCII lower-case `word`.
pub(crate) fn lower_eq(s: &[u8], word: &str) -> bool {
    runes(s).map(go_lower).eq(word.chars())
}

/// A Go string of arbitrary bytes as Rust text: invalid UTF-8 becomes U+FFFD.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
