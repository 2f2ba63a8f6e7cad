//! [`ConfError`]: a config that cannot be read or parsed.
//!
//! Its text is exactly what Go's `conf` package returns, which `nats-server` prints after
//! `nats-server: `. Go's parse errors carry their place in the text in various shapes
//! (`Parse error on line 3: '...'`, `config is invalid (file:3:1)`, `... on line 2 can not be
//! found`) and some carry none (`integer '...' is out of the range`); `pos` keeps the full
//! position in every case where there is one, for callers that want it.

use std::fmt;

use super::value::Pos;

/// A read or parse error. `Display` gives Go's message; `pos` is where in which file it arose
/// (`None` only when the top-level file itself could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfError {
    pub pos: Option<Pos>,
    pub message: String,
}

impl ConfError {
    pub(crate) fn at(pos: Pos, message: String) -> Self {
        ConfError {
            pos: Some(pos),
            message,
        }
    }

    pub(crate) fn unplaced(message: String) -> Self {
        ConfError { pos: None, message }
    }

    /// `file:line:col: message`, the shape of the server's own config errors (`configErr`), for
    /// callers that want the place even where Go's parser message leaves it out.
    pub fn located(&self) -> String {
        match &self.pos {
            Some(p) => format!("{p}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfError {}
