//! Lexer states for scalar values: quoted, raw and block strings with their escapes, numbers
//! with size suffixes, floats, IP addresses, datetimes, and comments, after the matching
//! `lexXxx` functions of Go's `conf/lex.go`.

use super::states::State;
use super::{esc, is_nl, is_number_suffix, is_whitespace, ItemType, Lexer, EOF};
use crate::config::conf::text::{is_digit, lower_eq};

use State as S;

impl Lexer<'_> {
    /// Go's `isBool`: the pending unquoted text is a boolean word, in any case.
    pub(super) fn is_bool(&self) -> bool {
        let t = self.text();
        ["true", "false", "on", "off", "yes", "no"]
            .iter()
            .any(|w| lower_eq(t, w))
    }

    /// Go's `isVariable`: the pending text starts with `$`, which is then dropped.
    pub(super) fn is_variable(&mut self) -> bool {
        if self.start >= self.input.len() {
            return false;
        }
        if self.input[self.start] == b'$' {
            self.start += 1;
            return true;
        }
        false
    }

    pub(super) fn lex_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\'' {
            self.backup();
            self.emit(ItemType::String);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return self.eof_or_error();
        }
        Some(S::QuotedString)
    }

    pub(super) fn lex_dub_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\\' {
            self.add_current_string_part(1);
            return Some(S::StringEscape);
        }
        if r == '"' {
            self.backup();
            self.emit_string();
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return self.eof_or_error();
        }
        Some(S::DubQuotedString)
    }

    pub(super) fn lex_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\\' {
            self.add_current_string_part(1);
            return Some(S::StringEscape);
        }
        if is_nl(r) || r == EOF || r == ';' || r == ',' || r == ']' || r == '}' || is_whitespace(r)
        {
            self.backup();
            if self.has_escaped_parts() {
                self.emit_string();
            } else if self.is_bool() {
                self.emit(ItemType::Bool);
            } else if self.is_variable() {
                self.emit(ItemType::Variable);
            } else {
                self.emit_string();
            }
            return self.pop();
        }
        if r == '\'' {
            self.backup();
            self.emit_string();
            self.next();
            self.ignore();
            return self.pop();
        }
        Some(S::String)
    }

    /// A `( ... )` block string, which ends at a `)` alone on its line.
    pub(super) fn lex_block(&mut self) -> Option<State> {
        let r = self.next();
        if r == ')' {
            // Go steps back twice over a width-one rune to look at what precedes the ')'.
            self.backup();
            self.backup();
            if self.next() != '\n' {
                self.next();
                return Some(S::Block);
            }
            self.next();
            // The ')' must be followed by a new line or the end. At the true end the width is
            // zero, so the two steps back do nothing and the ')' stays in the value, as in Go.
            let after = self.next();
            if after == '\n' || after == EOF {
                self.backup();
                self.backup();
                self.emit(ItemType::String);
                self.next();
                self.ignore();
                return self.pop();
            }
            self.backup();
        } else if r == EOF {
            return self.errorf("Unexpected EOF processing block.".to_string());
        }
        Some(S::Block)
    }

    pub(super) fn lex_string_escape(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'x' => Some(S::StringBinary),
            't' => self.add_string_part(b"\t"),
            'n' => self.add_string_part(b"\n"),
            'r' => self.add_string_part(b"\r"),
            '"' => self.add_string_part(b"\""),
            '\\' => self.add_string_part(b"\\"),
            _ => self.errorf(format!(
                "Invalid escape character '{}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
                esc(r)
            )),
        }
    }

    pub(super) fn lex_string_binary(&mut self) -> Option<State> {
        const EOL: &str = "Expected two hexadecimal digits after '\\x', but hit end of line";
        if is_nl(self.next()) {
            return self.errorf(EOL.to_string());
        }
        if is_nl(self.next()) {
            return self.errorf(EOL.to_string());
        }
        let offset = self.pos.saturating_sub(2);
        let hex = &self.input[offset..self.pos];
        match decode_hex_byte(hex) {
            Some(b) => {
                self.add_string_part(&[b]);
                Some(self.string_state)
            }
            None => {
                let got = String::from_utf8_lossy(hex).into_owned();
                self.errorf(format!(
                    "Expected two hexadecimal digits after '\\x', but got '{got}'"
                ))
            }
        }
    }

    pub(super) fn lex_number_start(&mut self) -> Option<State> {
        let r = self.next();
        if !is_digit(r) {
            if r == '.' {
                return self.errorf("Floats must start with a digit, not '.'.".to_string());
            }
            return self.errorf(format!("Expected a digit but got '{}'.", esc(r)));
        }
        Some(S::NumberOrDateOrStringOrIp)
    }

    /// An integer, float, datetime, IP address, or a string that starts with a digit.
    pub(super) fn lex_number_or_date(&mut self) -> Option<State> {
        let r = self.next();
        if r == '-' {
            if self.pos - self.start != 5 {
                return self.errorf("All ISO8601 dates must be in full Zulu form.".to_string());
            }
            return Some(S::DateAfterYear);
        }
        if is_digit(r) {
            return Some(S::NumberOrDateOrStringOrIp);
        }
        if r == '.' {
            // A float at first; a second '.' makes it an IP address.
            return Some(S::FloatStart);
        }
        if is_number_suffix(r) {
            return Some(S::ConvenientNumber);
        }
        // ']' is not a terminator here, so `[1,2]` lexes its last value as the string "2]".
        let ends = is_nl(r) || r == EOF || r == '}' || r == ';' || r == ',' || is_whitespace(r);
        if !ends {
            self.string_state = S::String;
            return Some(S::String);
        }
        self.backup();
        self.emit(ItemType::Integer);
        self.pop()
    }

    /// A size suffix such as `1k` or `1Mb`; anything else after it makes the value a string.
    pub(super) fn lex_convenient_number(&mut self) -> Option<State> {
        let r = self.next();
        if matches!(r, 'b' | 'B' | 'i' | 'I') {
            return Some(S::ConvenientNumber);
        }
        self.backup();
        let ends = is_nl(r)
            || r == EOF
            || r == '}'
            || r == ';'
            || r == ','
            || is_whitespace(r)
            || is_digit(r);
        if ends {
            self.emit(ItemType::Integer);
            return self.pop();
        }
        self.string_state = S::String;
        Some(S::String)
    }

    /// The rest of a Zulu datetime after `YYYY-`.
    pub(super) fn lex_date_after_year(&mut self) -> Option<State> {
        const FORMAT: &[char] = &[
            '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z',
        ];
        for &f in FORMAT {
            let r = self.next();
            if f == '0' {
                if !is_digit(r) {
                    return self.errorf(format!(
                        "Expected digit in ISO8601 datetime, but found '{}' instead.",
                        esc(r)
                    ));
                }
            } else if f != r {
                return self.errorf(format!(
                    "Expected '{}' in ISO8601 datetime, but found '{}' instead.",
                    esc(f),
                    esc(r)
                ));
            }
        }
        self.emit(ItemType::Datetime);
        self.pop()
    }

    pub(super) fn lex_neg_number_start(&mut self) -> Option<State> {
        // A digit must follow the '-'; floats too must start with one.
        let r = self.next();
        if !is_digit(r) {
            if r == '.' {
                return self.errorf("Floats must start with a digit, not '.'.".to_string());
            }
            return self.errorf(format!("Expected a digit but got '{}'.", esc(r)));
        }
        Some(S::NegNumber)
    }

    pub(super) fn lex_neg_number(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(S::NegNumber);
        }
        if r == '.' {
            return Some(S::FloatStart);
        }
        if is_number_suffix(r) {
            return Some(S::ConvenientNumber);
        }
        self.backup();
        self.emit(ItemType::Integer);
        self.pop()
    }

    pub(super) fn lex_float_start(&mut self) -> Option<State> {
        let r = self.next();
        if !is_digit(r) {
            return self.errorf(format!(
                "Floats must have a digit after the '.', but got '{}' instead.",
                esc(r)
            ));
        }
        Some(S::Float)
    }

    pub(super) fn lex_float(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(S::Float);
        }
        if r == '.' {
            return Some(S::IpAddr);
        }
        self.backup();
        self.emit(ItemType::Float);
        self.pop()
    }

    /// An IP address such as `127.0.0.1:4222`, emitted as a string.
    pub(super) fn lex_ip_addr(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) || r == '.' || r == ':' || r == '-' {
            return Some(S::IpAddr);
        }
        self.backup();
        self.emit(ItemType::String);
        self.pop()
    }

    pub(super) fn lex_comment_start(&mut self) -> Option<State> {
        self.ignore();
        self.emit(ItemType::CommentStart);
        Some(S::Comment)
    }

    /// A comment runs to the end of the line; the new line is left for the state below.
    pub(super) fn lex_comment(&mut self) -> Option<State> {
        let r = self.peek();
        if is_nl(r) || r == EOF {
            self.emit(ItemType::Text);
            return self.pop();
        }
        self.next();
        Some(S::Comment)
    }
}

/// Go's `hex.DecodeString` on exactly two bytes.
fn decode_hex_byte(h: &[u8]) -> Option<u8> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    match h {
        [a, b] => Some(nibble(*a)? << 4 | nibble(*b)?),
        _ => None,
    }
}
