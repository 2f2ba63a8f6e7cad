//! The conf lexer: turns config text into a stream of [`Item`]s (keys, values, structure, comments).
//!
//! A port of Go's `conf/lex.go`, a state machine after Rob Pike's lexer talk: every state consumes
//! some input, may emit items, and names the next state; a stack of states remembers where to
//! return after a value or a comment. The rule it keeps: the same item types, values, lines and
//! positions as Go, quirks included, because config errors quote them. Positions are Go's: a byte
//! offset in the line, counted from 0 on the first line and from 1 on the others (Go measures from
//! the previous newline byte). Input is bytes; a bad UTF-8 byte reads as U+FFFD and a NUL byte
//! reads as end of input, as in Go.
//!
//! The states live in `states.rs` (top level, keys, includes), `containers.rs` (values, arrays,
//! maps) and `scalars.rs` (strings, numbers, dates, comments); this file holds the cursor, the
//! emit helpers and the item type.

mod containers;
mod scalars;
mod states;

use std::collections::VecDeque;

use super::text::decode_rune;
use states::State;

/// What an [`Item`] is (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemType {
    Error,
    Eof,
    Key,
    Text,
    String,
    Bool,
    Integer,
    Float,
    Datetime,
    ArrayStart,
    ArrayEnd,
    MapStart,
    MapEnd,
    CommentStart,
    Variable,
    Include,
}

/// One lexed token: its type, its text (bytes, since `\xHH` escapes may produce any byte),
/// and where it is: `line` counts from 1, `pos` is Go's in-line offset (see the module header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub typ: ItemType,
    pub val: Vec<u8>,
    pub line: usize,
    pub pos: usize,
}

/// Go's `eof` rune: the lexer reads past the end, and a NUL byte, as this.
pub(super) const EOF: char = '\0';

/// The lexer over one input. Call [`Lexer::next_item`] until it yields `Eof` or `Error`.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    start: usize,
    pos: usize,
    width: usize,
    line: usize,
    state: Option<State>,
    items: VecDeque<Item>,
    stack: Vec<State>,
    /// Decoded pieces of a string with escapes, joined; `nparts` counts the pieces, because an
    /// empty piece still marks the string as escaped (Go's `len(stringParts) > 0`).
    parts: Vec<u8>,
    nparts: usize,
    /// The state a string escape returns to (Go's `stringStateFn`).
    string_state: State,
    /// Byte offset of the newline that began the current line (0 on the first line).
    lstart: usize,
    /// `lstart` as it was when the current item began.
    ilstart: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Lexer {
            input,
            start: 0,
            pos: 0,
            width: 0,
            line: 1,
            state: Some(State::Top),
            items: VecDeque::new(),
            stack: Vec::new(),
            parts: Vec::new(),
            nparts: 0,
            string_state: State::String,
            lstart: 0,
            ilstart: 0,
        }
    }

    /// The next item. After `Eof` or `Error` the lexer has stopped and keeps answering `Eof`.
    pub(crate) fn next_item(&mut self) -> Item {
        loop {
            if let Some(item) = self.items.pop_front() {
                return item;
            }
            match self.state {
                Some(state) => self.state = self.step(state),
                None => {
                    return Item {
                        typ: ItemType::Eof,
                        val: Vec::new(),
                        line: self.line,
                        pos: 0,
                    }
                }
            }
        }
    }

    fn push(&mut self, state: State) {
        self.stack.push(state);
    }

    fn pop(&mut self) -> Option<State> {
        match self.stack.pop() {
            Some(state) => Some(state),
            None => self.errorf("BUG in lexer: no states to pop.".to_string()),
        }
    }

    fn current_val(&self) -> Vec<u8> {
        let mut val = self.parts.clone();
        val.extend_from_slice(&self.input[self.start..self.pos]);
        val
    }

    /// Emits the pending text as `typ`. Like Go's `emit`, it includes (but does not clear) any
    /// escaped string pieces.
    fn emit(&mut self, typ: ItemType) {
        let val = self.current_val();
        self.push_item(typ, val);
    }

    /// Emits the pending text, with its escaped pieces, as a string and clears the pieces.
    fn emit_string(&mut self) {
        let val = self.current_val();
        self.parts.clear();
        self.nparts = 0;
        self.push_item(ItemType::String, val);
    }

    fn push_item(&mut self, typ: ItemType, val: Vec<u8>) {
        let pos = self
            .pos
            .saturating_sub(self.ilstart)
            .saturating_sub(val.len());
        self.items.push_back(Item {
            typ,
            val,
            line: self.line,
            pos,
        });
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    /// Keeps the text up to `offset` bytes before the cursor as a string piece.
    fn add_current_string_part(&mut self, offset: usize) {
        let end = self.pos.saturating_sub(offset).max(self.start);
        self.parts.extend_from_slice(&self.input[self.start..end]);
        self.nparts += 1;
        self.start = self.pos;
    }

    /// Adds a decoded escape as a string piece and returns to the string state.
    fn add_string_part(&mut self, s: &[u8]) -> Option<State> {
        self.parts.extend_from_slice(s);
        self.nparts += 1;
        self.start = self.pos;
        Some(self.string_state)
    }

    fn has_escaped_parts(&self) -> bool {
        self.nparts > 0
    }

    fn next(&mut self) -> char {
        if self.pos >= self.input.len() {
            self.width = 0;
            return EOF;
        }
        if self.input[self.pos] == b'\n' {
            self.line += 1;
            self.lstart = self.pos;
        }
        let (r, w) = decode_rune(&self.input[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    /// Skips the pending input.
    fn ignore(&mut self) {
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    /// Steps back over the last rune read. Like Go it does not restore `lstart`, and a second
    /// call steps back by the same width again.
    fn backup(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
        if self.pos < self.input.len() && self.input[self.pos] == b'\n' {
            self.line = self.line.saturating_sub(1);
        }
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    /// Emits an error item at the cursor and stops the lexer.
    fn errorf(&mut self, msg: String) -> Option<State> {
        let pos = self.pos.saturating_sub(self.lstart);
        self.items.push_back(Item {
            typ: ItemType::Error,
            val: msg.into_bytes(),
            line: self.line,
            pos,
        });
        None
    }

    fn text(&self) -> &'a [u8] {
        &self.input[self.start..self.pos]
    }
}

/// A rune as Go's `errorf` prints it: a newline as `\n`, everything else as itself.
fn esc(c: char) -> String {
    match c {
        '\n' => "\\n".to_string(),
        c => c.to_string(),
    }
}

fn is_whitespace(r: char) -> bool {
    r == '\t' || r == ' '
}

fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}

fn is_key_separator(r: char) -> bool {
    r == '=' || r == ':'
}

fn is_number_suffix(r: char) -> bool {
    matches!(
        r,
        'k' | 'K' | 'm' | 'M' | 'g' | 'G' | 't' | 'T' | 'p' | 'P' | 'e' | 'E'
    )
}
