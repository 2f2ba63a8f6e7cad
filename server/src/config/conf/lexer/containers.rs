//! Lexer states for values in general and for the two containers: `lex_value` decides what a
//! value is, then arrays (`[...]`, elements separated by commas or new lines) and maps (`{...}`,
//! with their own key rules), after Go's `lexValue`, `lexArray*` and `lexMap*`.

use super::states::State;
use super::{esc, is_key_separator, is_nl, is_whitespace, ItemType, Lexer, EOF};
use crate::config::conf::text::{is_digit, is_space};

use State as S;

impl Lexer<'_> {
    pub(super) fn lex_value(&mut self) -> Option<State> {
        // Whitespace may precede a value, a new line may not; arrays skip their own new lines.
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(S::Value);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(ItemType::ArrayStart);
                Some(S::ArrayValue)
            }
            '{' => {
                self.ignore();
                self.emit(ItemType::MapStart);
                Some(S::MapKeyStart)
            }
            '\'' => self.skip(S::QuotedString),
            '"' => {
                self.ignore();
                self.string_state = S::DubQuotedString;
                Some(S::DubQuotedString)
            }
            '-' => Some(S::NegNumberStart),
            '(' => self.skip(S::Block),
            '.' => self.errorf("Floats must start with a digit".to_string()),
            _ if is_digit(r) => {
                self.backup();
                Some(S::NumberOrDateOrStringOrIpStart)
            }
            _ if is_nl(r) => self.errorf("Expected value but found new line".to_string()),
            _ => {
                self.backup();
                self.string_state = S::String;
                Some(S::String)
            }
        }
    }

    pub(super) fn lex_array_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::ArrayValue);
        }
        if r == '#' {
            self.push(S::ArrayValue);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::ArrayValue) {
                return Some(s);
            }
            // Go falls through into the ',' case here.
            return self.errorf("Unexpected array value terminator ','.".to_string());
        }
        if r == ',' {
            return self.errorf("Unexpected array value terminator ','.".to_string());
        }
        if r == ']' {
            return Some(S::ArrayEnd);
        }
        self.backup();
        self.push(S::ArrayValueEnd);
        Some(S::Value)
    }

    pub(super) fn lex_array_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(S::ArrayValueEnd);
        }
        if r == '#' {
            self.push(S::ArrayValueEnd);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::ArrayValueEnd) {
                return Some(s);
            }
            return self.skip(S::ArrayValue);
        }
        if r == ',' || is_nl(r) {
            return self.skip(S::ArrayValue);
        }
        if r == ']' {
            return Some(S::ArrayEnd);
        }
        self.errorf(format!(
            "Expected an array value terminator \",\" or an array terminator \"]\", but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_array_end(&mut self) -> Option<State> {
        self.ignore();
        self.emit(ItemType::ArrayEnd);
        self.pop()
    }

    pub(super) fn lex_map_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'.", esc(r)));
        }
        if r == ']' {
            return self.errorf(format!("Unexpected array end '{}' processing map.", esc(r)));
        }
        if is_space(r) {
            self.next();
            return self.skip(S::MapKeyStart);
        }
        match r {
            '}' => {
                self.next();
                return self.skip(S::MapEnd);
            }
            '#' => {
                self.next();
                self.push(S::MapKeyStart);
                return Some(S::CommentStart);
            }
            '/' => {
                // No fallthrough in Go here: a lone '/' is dropped and the key starts after it.
                self.next();
                if let Some(s) = self.slash_comment(S::MapKeyStart) {
                    return Some(s);
                }
            }
            '\'' => {
                self.next();
                return self.skip(S::MapQuotedKey);
            }
            '"' => {
                self.next();
                return self.skip(S::MapDubQuotedKey);
            }
            EOF => return self.errorf("Unexpected EOF processing map.".to_string()),
            _ => {}
        }
        self.ignore();
        self.next();
        Some(S::MapKey)
    }

    /// A map key between `quote`s (Go's `lexMapQuotedKey` and `lexMapDubQuotedKey`).
    pub(super) fn lex_map_quoted_key(&mut self, quote: char) -> Option<State> {
        let r = self.peek();
        if r == EOF {
            let msg = if quote == '"' {
                "Unexpected EOF processing double quoted map key."
            } else {
                "Unexpected EOF processing quoted map key."
            };
            return self.errorf(msg.to_string());
        }
        if r == quote {
            self.emit(ItemType::Key);
            self.next();
            return self.skip(S::MapKeyEnd);
        }
        self.next();
        Some(if quote == '"' {
            S::MapDubQuotedKey
        } else {
            S::MapQuotedKey
        })
    }

    pub(super) fn lex_map_key(&mut self) -> Option<State> {
        let r = self.peek();
        if r == EOF {
            return self.errorf("Unexpected EOF processing map key.".to_string());
        }
        if is_space(r) {
            return self.key_check_keyword(S::MapKeyEnd, Some(S::MapValueEnd));
        }
        if is_key_separator(r) {
            self.emit(ItemType::Key);
            return Some(S::MapKeyEnd);
        }
        self.next();
        Some(S::MapKey)
    }

    pub(super) fn lex_map_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::MapKeyEnd);
        }
        if is_key_separator(r) {
            return self.skip(S::MapValue);
        }
        self.backup();
        Some(S::MapValue)
    }

    pub(super) fn lex_map_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(S::MapValue);
        }
        if r == ',' {
            return self.errorf("Unexpected map value terminator \",\".".to_string());
        }
        if r == '}' {
            return self.skip(S::MapEnd);
        }
        self.backup();
        self.push(S::MapValueEnd);
        Some(S::Value)
    }

    pub(super) fn lex_map_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(S::MapValueEnd);
        }
        if r == '#' {
            self.push(S::MapValueEnd);
            return Some(S::CommentStart);
        }
        if r == '/' {
            if let Some(s) = self.slash_comment(S::MapValueEnd) {
                return Some(s);
            }
            return self.skip(S::MapKeyStart);
        }
        if r == ';' || r == ',' || is_nl(r) {
            return self.skip(S::MapKeyStart);
        }
        if r == '}' {
            return self.skip(S::MapEnd);
        }
        self.errorf(format!(
            "Expected a map value terminator \",\" or a map terminator \"}}\", but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_map_end(&mut self) -> Option<State> {
        self.ignore();
        self.emit(ItemType::MapEnd);
        self.pop()
    }
}
