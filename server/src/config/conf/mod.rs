//! The NATS configuration file format: lexer, parser and digest, matching Go's `conf` package.
//!
//! The format is a relaxed JSON/HCL mix: `key = value`, `key: value` or `key value`; maps `{}`
//! and arrays `[]` separated by commas or new lines; `#` and `//` comments; double-quoted strings
//! with escapes, single-quoted raw strings, bare strings and `( ... )` block strings; integers
//! with size suffixes (`k`/`m`/`g`/`t`/`p`/`e` are powers of 1000, with `b`, `i` or `ib` powers of
//! 1024); floats; booleans (`true`/`false`/`yes`/`no`/`on`/`off`, any case); Zulu datetimes;
//! `include <file>` relative to the including file; `$name` variables from enclosing maps, then
//! the environment.
//!
//! The module is pure: files and environment variables come through a [`Host`]. The entry points
//! without a host use [`OsHost`]. The rule it keeps: the tree, the error texts and the digest are
//! the ones Go produces for the same input, so `nats-server -t` reads the same on both servers.
//!
//! Go has two modes. Pedantic (`ParseFileWithChecks`, what the server uses) wraps values in
//! tokens with positions; plain (`ParseFile`) does not and words a failed file read differently.
//! This module always records positions; [`Mode`] only selects the read-error text.

mod digest;
mod error;
mod host;
mod lexer;
mod parser;
mod sha256;
mod text;
mod value;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use digest::digest;
pub use error::ConfError;
pub use host::{Host, MemHost, OsHost};
pub use value::{Datetime, Entry, Map, Pos, Spanned, Value};

/// Go's two parser modes; they differ here only in how a file that cannot be read is reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// `ParseWithChecks` / `ParseFileWithChecks`: the OS error as is (`open x: no such file ...`).
    #[default]
    Pedantic,
    /// `Parse` / `ParseFile`: `error opening config file: open x: ...`.
    Plain,
}

/// Parses config text (Go's `ParseWithChecks`). Includes are read relative to the working
/// directory, and positions have no file name.
pub fn parse_str(text: &str) -> Result<Map, ConfError> {
    parse_bytes_with(text.as_bytes(), None, &OsHost, Mode::Pedantic)
}

/// Reads and parses a config file (Go's `ParseFileWithChecks`).
pub fn parse_file(path: &Path) -> Result<Map, ConfError> {
    parse_file_with(&path.to_string_lossy(), &OsHost, Mode::Pedantic)
}

/// Reads and parses a config file and computes its digest (Go's `ParseFileWithChecksDigest`).
pub fn parse_file_with_digest(path: &Path) -> Result<(Map, String), ConfError> {
    let map = parse_file(path)?;
    let d = digest(&map);
    Ok((map, d))
}

/// The digest `nats-server -t` prints for a config file: `sha256:<hex>`.
pub fn config_digest(path: &Path) -> Result<String, ConfError> {
    parse_file_with_digest(path).map(|(_, d)| d)
}

/// Parses config bytes as the file `file` (which only names positions and anchors includes;
/// it is not read), through `host`. Go's internal `parse(data, fp, pedantic)`.
pub fn parse_bytes_with(
    text: &[u8],
    file: Option<&str>,
    host: &dyn Host,
    mode: Mode,
) -> Result<Map, ConfError> {
    let fp = file.unwrap_or("");
    let chain = if fp.is_empty() {
        Vec::new()
    } else {
        vec![host::clean(fp)]
    };
    parser::parse_text(text, fp, host, mode, chain)
}

/// Reads the file `path` through `host` and parses it (Go's `ParseFile` or
/// `ParseFileWithChecks`, by `mode`).
pub fn parse_file_with(path: &str, host: &dyn Host, mode: Mode) -> Result<Map, ConfError> {
    parser::parse_path(path, host, mode, Vec::new())
}
