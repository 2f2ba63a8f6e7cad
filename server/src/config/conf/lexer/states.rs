//! The lexer's states: the [`State`] enum and its dispatch, and the states for the top level,
//! `{ }` blocks around a whole config, keys and `include`. Values are in `containers.rs` and
//! `scalars.rs`. One function per Go `lexXxx` function of `conf/lex.go`.
//!
//! Each takes the lexer, consumes input, may emit items, and returns the next state (`None` stops
//! the lexer after an error or EOF). Go's `lexSkip(lx, next)` becomes `ignore()` then `next`: Go
//! runs the skip as its own step, but nothing can happen in between, so the effect is the same.
//! Odd corners are kept on purpose (a `/` that starts no comment, `]` right after a number, a
//! block string closed at the very end of the input); the tests pin them.

use super::{esc, is_key_separator, is_nl, is_whitespace, ItemType, Lexer, EOF};
use crate::config::conf::text::{is_digit, is_space, lower_eq};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Top,
    TopValueEnd,
    BlockStart,
    BlockValueEnd,
    BlockEnd,
    KeyStart,
    DubQuotedKey,
    QuotedKey,
    IncludeStart,
    IncludeQuotedString,
    IncludeDubQuotedString,
    IncludeString,
    Include,
    Key,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    MapKeyStart,
    MapQuotedKey,
    MapDubQuotedKey,
    MapKey,
    MapKeyEnd,
    MapValue,
    MapValueEnd,
    MapEnd,
    QuotedString,
    DubQuotedString,
    String,
    Block,
    StringEscape,
    StringBinary,
    NumberOrDateOrStringOrIpStart,
    NumberOrDateOrStringOrIp,
    ConvenientNumber,
    DateAfterYear,
    NegNumberStart,
    NegNumber,
    FloatStart,
    Float,
    IpAddr,
    CommentStart,
    Comment,
}

use State as S;

impl Lexer<'_> {
    pub(super) fn step(&mut self, state: State) -> Option<State> {
        match state {
            S::Top => self.lex_top(),
            S::TopValueEnd => self.lex_top_value_end(),
            S::BlockStart => self.lex_block_start(),
            S::BlockValueEnd => self.lex_block_value_end(),
            S::BlockEnd => self.lex_block_end(),
            S::KeyStart => self.lex_key_start(),
            S::DubQuotedKey => self.lex_quoted_key('"'),
            S::QuotedKey => self.lex_quoted_key('\''),
            S::IncludeStart => self.lex_include_start(),
            S::IncludeQuotedString => self.lex_include_quoted('\''),
            S::IncludeDubQuotedString => self.lex_include_quoted('"'),
            S::IncludeString => self.lex_include_string(),
            S::Include => self.lex_include(),
            S::Key => self.lex_key(),
            S::KeyEnd => self.lex_key_end(),
            S::Value => self.lex_value(),
            S::ArrayValue => self.lex_array_value(),
            S::ArrayValueEnd => self.lex_array_value_end(),
            S::ArrayEnd => self.lex_array_end(),
            S::MapKeyStart => self.lex_map_key_start(),
            S::MapQuotedKey => self.lex_map_quoted_key('\''),
            S::MapDubQuotedKey => self.lex_map_quoted_key('"'),
            S::MapKey => self.lex_map_key(),
            S::MapKeyEnd => self.lex_map_key_end(),
            S::MapValue => self.lex_map_value(),
            S::MapValueEnd => self.lex_map_value_end(),
            S::MapEnd => self.lex_map_end(),
            S::QuotedString => self.lex_quoted_string(),
            S::DubQuotedString => self.lex_dub_quoted_string(),
            S::String => self.lex_string(),
            S::Block => self.lex_block(),
            S::StringEscape => self.lex_string_escape(),
            S::StringBinary => self.lex_string_binary(),
            S::NumberOrDateOrStringOrIpStart => self.lex_number_start(),
            S::NumberOrDateOrStringOrIp => self.lex_number_or_date(),
            S::ConvenientNumber => self.lex_convenient_number(),
            S::DateAfterYear => self.lex_date_after_year(),
            S::NegNumberStart => self.lex_neg_number_start(),
            S::NegNumber => self.lex_neg_number(),
            S::FloatStart => self.lex_float_start(),
            S::Float => self.lex_float(),
            S::IpAddr => self.lex_ip_addr(),
            S::CommentStart => self.lex_comment_start(),
            S::Comment => self.lex_comment(),
        }
    }

    /// Skips the consumed input and goes on with `next` (Go's `lexSkip`).
    pub(super) fn skip(&mut self, next: State) -> Option<State> {
        self.ignore();
        Some(next)
    }

    /// The EOF case shared by several states: an error if anything was consumed, else `Eof`.
    pub(super) fn eof_or_error(&mut self) -> Option<State> {
        if self.pos > self.start {
            return self.errorf("Unexpected EOF.".to_string());
        }
        self.emit(ItemType::Eof);
        None
    }

    /// After a `/`: a second `/` starts a comment that returns to `back`. Returns `None` (with
    /// the second rune un-read) when it was a lone `/`.
    pub(super) fn slash_comment(&mut self, back: State) -> Option<State> {
        if self.next() == '/' {
            self.push(back);
            return Some(S::CommentStart);
        }
        self.backup();
        None
    }

    pub(super) fn lex_top(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::Top);
        }
        match r {
            '{' => {
                self.push(S::Top);
                return self.skip(S::BlockStart);
            }
            '#' => {
                self.push(S::Top);
                return Some(S::CommentStart);
            }
            '/' => {
                if let Some(s) = self.slash_comment(S::Top) {
                    return Some(s);
                }
                return self.eof_or_error();
            }
            EOF => return self.eof_or_error(),
            _ => {}
        }
        // Only a key can start here.
        self.backup();
        self.push(S::TopValueEnd);
        Some(S::KeyStart)
    }

    pub(super) fn lex_top_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if r == '#' {
            self.push(S::Top);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::Top) {
                return Some(s);
            }
            return Some(S::TopValueEnd);
        }
        if is_whitespace(r) {
            return Some(S::TopValueEnd);
        }
        if is_nl(r) || r == EOF || r == ';' || r == ',' || r == '}' {
            return self.skip(S::Top);
        }
        self.errorf(format!(
            "Expected a top-level value to end with a new line, comment or EOF, but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_block_start(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::BlockStart);
        }
        match r {
            '{' => {
                self.push(S::BlockEnd);
                return self.skip(S::BlockStart);
            }
            '}' => {
                self.ignore();
                return self.pop();
            }
            '#' => {
                self.push(S::BlockStart);
                return Some(S::CommentStart);
            }
            '/' => {
                if let Some(s) = self.slash_comment(S::BlockStart) {
                    return Some(s);
                }
                return self.eof_or_error();
            }
            EOF => return self.eof_or_error(),
            _ => {}
        }
        self.backup();
        self.push(S::BlockValueEnd);
        Some(S::KeyStart)
    }

    pub(super) fn lex_block_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if r == '#' {
            self.push(S::BlockValueEnd);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::BlockValueEnd) {
                return Some(s);
            }
            return Some(S::BlockValueEnd);
        }
        if is_whitespace(r) {
            return Some(S::BlockValueEnd);
        }
        if is_nl(r) || r == ';' || r == ',' {
            return self.skip(S::BlockStart);
        }
        if r == '}' {
            self.backup();
            return Some(S::BlockEnd);
        }
        self.errorf(format!(
            "Expected a block-level value to end with a new line, comment or EOF, but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_block_end(&mut self) -> Option<State> {
        let r = self.next();
        if r == '#' {
            self.push(S::BlockStart);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::BlockStart) {
                return Some(s);
            }
            return Some(S::BlockEnd);
        }
        if is_nl(r) || is_whitespace(r) {
            return Some(S::BlockEnd);
        }
        if r == ';' || r == ',' {
            return self.skip(S::BlockStart);
        }
        if r == '}' {
            self.ignore();
            return self.pop();
        }
        self.errorf(format!(
            "Expected a block-level to end with a '}}', but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'", esc(r)));
        }
        if is_space(r) {
            self.next();
            return self.skip(S::KeyStart);
        }
        if r == '"' {
            self.next();
            return self.skip(S::DubQuotedKey);
        }
        if r == '\'' {
            self.next();
            return self.skip(S::QuotedKey);
        }
        self.ignore();
        self.next();
        Some(S::Key)
    }

    /// A top-level key between `quote`s (Go's `lexDubQuotedKey` and `lexQuotedKey`).
    pub(super) fn lex_quoted_key(&mut self, quote: char) -> Option<State> {
        let r = self.peek();
        if r == quote {
            self.emit(ItemType::Key);
            self.next();
            return self.skip(S::KeyEnd);
        }
        if r == EOF {
            return self.eof_or_error();
        }
        self.next();
        Some(if quote == '"' {
            S::DubQuotedKey
        } else {
            S::QuotedKey
        })
    }

    /// A key followed by a space may be the `include` keyword (Go's `keyCheckKeyword`).
    pub(super) fn key_check_keyword(
        &mut self,
        fall_through: State,
        push: Option<State>,
    ) -> Option<State> {
        if lower_eq(self.text(), "include") {
            self.ignore();
            if let Some(p) = push {
                self.push(p);
            }
            return Some(S::IncludeStart);
        }
        self.emit(ItemType::Key);
        Some(fall_through)
    }

    pub(super) fn lex_include_start(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(S::IncludeStart);
        }
        self.backup();
        Some(S::Include)
    }

    /// The quoted include path (Go's `lexIncludeQuotedString` and `lexIncludeDubQuotedString`).
    pub(super) fn lex_include_quoted(&mut self, quote: char) -> Option<State> {
        let r = self.next();
        if r == quote {
            self.backup();
            self.emit(ItemType::Include);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            let msg = if quote == '"' {
                "Unexpected EOF in double quoted include"
            } else {
                "Unexpected EOF in quoted include"
            };
            return self.errorf(msg.to_string());
        }
        Some(if quote == '"' {
            S::IncludeDubQuotedString
        } else {
            S::IncludeQuotedString
        })
    }

    pub(super) fn lex_include_string(&mut self) -> Option<State> {
        let r = self.next();
        if is_nl(r) || r == EOF || r == ';' || r == '}' || is_whitespace(r) {
            self.backup();
            self.emit(ItemType::Include);
            return self.pop();
        }
        if r == '\'' {
            self.backup();
            self.emit(ItemType::Include);
            self.next();
            self.ignore();
            return self.pop();
        }
        Some(S::IncludeString)
    }

    pub(super) fn lex_include(&mut self) -> Option<State> {
        let r = self.next();
        let found = match r {
            '\'' => return self.skip(S::IncludeQuotedString),
            '"' => return self.skip(S::IncludeDubQuotedString),
            '[' => "start of an array",
            '{' => "start of a map",
            '(' => "start of a block",
            '\\' => "escape sequence",
            _ if is_digit(r) || r == '-' => "start of a number",
            _ if is_nl(r) => "new line",
            _ => {
                self.backup();
                return Some(S::IncludeString);
            }
        };
        self.errorf(format!("Expected include value but found {found}"))
    }

    pub(super) fn lex_key(&mut self) -> Option<State> {
        let r = self.peek();
        if is_space(r) {
            return self.key_check_keyword(S::KeyEnd, None);
        }
        if is_key_separator(r) || r == EOF {
            self.emit(ItemType::Key);
            return Some(S::KeyEnd);
        }
        self.next();
        Some(S::Key)
    }

    pub(super) fn lex_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::KeyEnd);
        }
        if is_key_separator(r) {
            return self.skip(S::Value);
        }
        if r == EOF {
            self.emit(ItemType::Eof);
            return None;
        }
        self.backup();
        Some(S::Value)
    }
}
