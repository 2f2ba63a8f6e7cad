//! The conf parser: builds the [`Map`] tree from the lexer's items, resolving `$variables` and
//! `include` files on the way.
//!
//! A port of Go's `conf/parse.go` (`parser.processItem`, `setValue`, `lookupVariable`), keeping
//! its error texts and its odd corners: a key stack that a value with an unknown size suffix
//! (`1kbib`) leaves unbalanced, `config is invalid` for a trailing key without a value, include
//! paths joined Go's way. Variables resolve in the enclosing maps first (innermost out), then in
//! the environment, whose value is parsed as `pk=<value>`, with cycle detection across nested
//! environment references. Values get the positions of Go's pedantic mode (see `value.rs`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::error::ConfError;
use super::host::{dir, join, Host};
use super::lexer::{Item, ItemType, Lexer};
use super::text::{is_digit, lossy, lower_eq, runes};
use super::value::{Datetime, Entry, Map, Pos, Spanned, Value};
use super::Mode;

/// How deep includes may nest. Go has no limit and dies of stack exhaustion on a cycle.
const MAX_INCLUDE_DEPTH: usize = 64;

/// How deep environment variables may refer to further variables. Go has no limit.
const MAX_ENV_DEPTH: usize = 64;

/// The key an environment value is parsed under (Go's `pkey`).
const ENV_KEY: &str = "pk";

/// Raw strings that look like bcrypt hashes are not variables (Go's `bcryptPrefix`).
const BCRYPT_PREFIX: &str = "2a$";

/// A map under construction, with an index so repeated keys replace in place.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl MapBuilder {
    fn set(&mut self, entry: Entry) {
        match self.index.get(&entry.key) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.index.insert(entry.key.clone(), self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    fn finish(self) -> Map {
        Map {
            entries: self.entries,
        }
    }
}

enum Ctx {
    Map(MapBuilder),
    Array(Vec<Spanned<Value>>),
}

impl Ctx {
    fn into_value(self) -> Value {
        match self {
            Ctx::Map(m) => Value::Map(m.finish()),
            Ctx::Array(a) => Value::Array(a),
        }
    }
}

/// A value ready to be stored, with the position Go's token would have and its used flag.
struct Tok {
    value: Value,
    pos: Pos,
    used: bool,
}

/// One parse of one text (a file, a string, or an environment value).
pub(crate) struct Parser<'a> {
    lx: Lexer<'a>,
    ctxs: Vec<Ctx>,
    /// Keys waiting for their value, with the key's line and column.
    keys: Vec<(String, usize, usize)>,
    /// The file path exactly as given, printed in `config is invalid (...)`.
    fp: String,
    /// The directory includes are relative to (Go's `filepath.Dir(fp)`).
    dir: String,
    file: Option<Arc<str>>,
    mode: Mode,
    host: &'a dyn Host,
    /// Environment variables being expanded, to catch reference cycles.
    env_refs: HashSet<String>,
    /// Cleaned paths of the files being parsed, outermost first, to stop include cycles.
    chain: Vec<String>,
}

/// Parses the text of one file (`fp` empty for a string) into its top-level map.
pub(crate) fn parse_text(
    text: &[u8],
    fp: &str,
    host: &dyn Host,
    mode: Mode,
    chain: Vec<String>,
) -> Result<Map, ConfError> {
    let mut p = Parser::new(text, fp, host, mode, HashSet::new(), chain);
    p.run()?;
    Ok(p.into_map())
}

/// Reads and parses a file (Go's `ParseFile` / `ParseFileWithChecks`).
pub(crate) fn parse_path(
    fp: &str,
    host: &dyn Host,
    mode: Mode,
    mut chain: Vec<String>,
) -> Result<Map, ConfError> {
    let data = host.read_file(fp).map_err(|e| {
        ConfError::unplaced(match mode {
            Mode::Pedantic => e,
            Mode::Plain => format!("error opening config file: {e}"),
        })
    })?;
    chain.push(super::host::clean(fp));
    parse_text(&data, fp, host, mode, chain)
}

impl<'a> Parser<'a> {
    fn new(
        text: &'a [u8],
        fp: &str,
        host: &'a dyn Host,
        mode: Mode,
        env_refs: HashSet<String>,
        chain: Vec<String>,
    ) -> Self {
        Parser {
            lx: Lexer::new(text),
            ctxs: vec![Ctx::Map(MapBuilder::default())],
            keys: Vec::new(),
            fp: fp.to_string(),
            dir: dir(fp),
            file: (!fp.is_empty()).then(|| Arc::from(fp)),
            mode,
            host,
            env_refs,
            chain,
        }
    }

    fn into_map(mut self) -> Map {
        match self.ctxs.drain(..).next() {
            Some(Ctx::Map(m)) => m.finish(),
            _ => Map::default(),
        }
    }

    fn pos(&self, line: usize, col: usize) -> Pos {
        Pos {
            file: self.file.clone(),
            line,
            col,
        }
    }

    fn item_pos(&self, it: &Item) -> Pos {
        self.pos(it.line, it.pos)
    }

    fn run(&mut self) -> Result<(), ConfError> {
        let mut prev: Option<Item> = None;
        loop {
            let it = self.lx.next_item();
            if it.typ == ItemType::Eof {
                // A last key without a value is invalid, except a stray '}' closing a JSON-like
                // file (kept from Go, whose lexer once produced it as a key).
                if let Some(p) = &prev {
                    if p.typ == ItemType::Key && p.val != b"}" {
                        return Err(ConfError::at(
                            self.item_pos(&it),
                            format!("config is invalid ({}:{}:{})", self.fp, it.line, it.pos),
                        ));
                    }
                }
                return Ok(());
            }
            self.process_item(&it)?;
            prev = Some(it);
        }
    }

    fn process_item(&mut self, it: &Item) -> Result<(), ConfError> {
        let pos = self.item_pos(it);
        let tok = |value| Tok {
            value,
            pos: pos.clone(),
            used: false,
        };
        match it.typ {
            ItemType::Error => {
                let msg = format!("Parse error on line {}: '{}'", it.line, lossy(&it.val));
                return Err(ConfError::at(pos, msg));
            }
            ItemType::Key => self.keys.push((lossy(&it.val), it.line, it.pos)),
            ItemType::MapStart => self.ctxs.push(Ctx::Map(MapBuilder::default())),
            ItemType::ArrayStart => self.ctxs.push(Ctx::Array(Vec::new())),
            ItemType::MapEnd | ItemType::ArrayEnd => {
                let value = self.pop_context(&pos)?;
                self.set_value(tok(value))?;
            }
            ItemType::String => self.set_value(tok(Value::String(lossy(&it.val))))?,
            ItemType::Integer => {
                if let Some(n) = integer(it, &pos)? {
                    self.set_value(tok(Value::Integer(n)))?;
                }
            }
            ItemType::Float => {
                let f = float(it, &pos)?;
                self.set_value(tok(Value::Float(f)))?;
            }
            ItemType::Bool => {
                let b = if ["true", "yes", "on"].iter().any(|w| lower_eq(&it.val, w)) {
                    true
                } else if ["false", "no", "off"].iter().any(|w| lower_eq(&it.val, w)) {
                    false
                } else {
                    let msg = format!("expected boolean value, but got '{}'", lossy(&it.val));
                    return Err(ConfError::at(pos, msg));
                };
                self.set_value(tok(Value::Bool(b)))?;
            }
            ItemType::Datetime => match Datetime::parse(&it.val) {
                Some(dt) => self.set_value(tok(Value::Datetime(dt)))?,
                None => {
                    let msg = format!(
                        "expected Zulu formatted DateTime, but got '{}'",
                        lossy(&it.val)
                    );
                    return Err(ConfError::at(pos, msg));
                }
            },
            ItemType::Variable => self.variable(it, pos)?,
            ItemType::Include => self.include(it, pos)?,
            ItemType::Eof | ItemType::Text | ItemType::CommentStart => {}
        }
        Ok(())
    }

    fn pop_context(&mut self, pos: &Pos) -> Result<Value, ConfError> {
        // The lexer balances starts and ends; the root map is never popped.
        if self.ctxs.len() < 2 {
            return Err(ConfError::at(
                pos.clone(),
                "BUG in parser, context stack empty".to_string(),
            ));
        }
        Ok(self
            .ctxs
            .pop()
            .map(Ctx::into_value)
            .unwrap_or(Value::Map(Map::default())))
    }

    /// Stores a value in the current array, or in the current map under the last pending key,
    /// taking the key's line and column (Go's pedantic `setValue`).
    fn set_value(&mut self, tok: Tok) -> Result<(), ConfError> {
        let needs_key = matches!(self.ctxs.last(), Some(Ctx::Map(_)));
        let key = if needs_key {
            match self.keys.pop() {
                Some(k) => Some(k),
                None => {
                    return Err(ConfError::at(
                        tok.pos,
                        "BUG in parser, keys stack empty".to_string(),
                    ))
                }
            }
        } else {
            None
        };
        match (self.ctxs.last_mut(), key) {
            (Some(Ctx::Array(a)), _) => a.push(Spanned {
                value: tok.value,
                pos: tok.pos,
            }),
            (Some(Ctx::Map(m)), Some((key, line, col))) => m.set(Entry {
                key,
                value: Spanned {
                    value: tok.value,
                    pos: Pos {
                        file: tok.pos.file,
                        line,
                        col,
                    },
                },
                used_as_variable: tok.used,
            }),
            _ => {}
        }
        Ok(())
    }

    fn variable(&mut self, it: &Item, pos: Pos) -> Result<(), ConfError> {
        let name = lossy(&it.val);
        match self.lookup_variable(&name, &pos) {
            Err(e) => Err(ConfError {
                pos: Some(pos),
                message: format!(
                    "variable reference for '{name}' on line {} could not be parsed: {}",
                    it.line, e.message
                ),
            }),
            Ok(None) => Err(ConfError::at(
                pos,
                format!(
                    "variable reference for '{name}' on line {} can not be found",
                    it.line
                ),
            )),
            Ok(Some(value)) => self.set_value(Tok {
                value,
                pos,
                used: false,
            }),
        }
    }

    /// Go's `lookupVariable`: a bcrypt-looking literal, else the innermost enclosing map that
    /// has the key (marking that entry as used), else the environment.
    fn lookup_variable(&mut self, name: &str, pos: &Pos) -> Result<Option<Value>, ConfError> {
        if name.starts_with(BCRYPT_PREFIX) {
            return Ok(Some(Value::String(format!("${name}"))));
        }
        for ctx in self.ctxs.iter_mut().rev() {
            if let Ctx::Map(m) = ctx {
                if let Some(&i) = m.index.get(name) {
                    m.entries[i].used_as_variable = true;
                    return Ok(Some(m.entries[i].value.value.clone()));
                }
            }
        }
        if self.env_refs.contains(name) {
            return Err(ConfError::at(
                pos.clone(),
                format!("variable reference cycle for '{name}'"),
            ));
        }
        let Some(env) = self.host.env_var(name) else {
            return Ok(None);
        };
        if self.env_refs.len() >= MAX_ENV_DEPTH {
            return Err(ConfError::at(
                pos.clone(),
                format!("variable references nested deeper than {MAX_ENV_DEPTH}"),
            ));
        }
        // Parse the value as a one-key config, sharing the cycle set with the inner parse.
        self.env_refs.insert(name.to_string());
        let text = format!("{ENV_KEY}={env}");
        let refs = std::mem::take(&mut self.env_refs);
        let mut sub = Parser::new(
            text.as_bytes(),
            "",
            self.host,
            Mode::Plain,
            refs,
            self.chain.clone(),
        );
        let result = sub.run();
        self.env_refs = std::mem::take(&mut sub.env_refs);
        self.env_refs.remove(name);
        result?;
        let map = sub.into_map();
        Ok(map.get(ENV_KEY).map(|v| {
            let mut value = v.value.clone();
            // Nothing inside an environment value has a place in the file; use the reference's.
            relocate(&mut value, pos);
            value
        }))
    }

    /// Go's include: parse the file relative to this one and merge its keys into the current map.
    fn include(&mut self, it: &Item, pos: Pos) -> Result<(), ConfError> {
        let val = lossy(&it.val);
        let path = join(&self.dir, &val);
        let wrap = |e: String| format!("error parsing include file '{val}', {e}");
        if self.chain.contains(&path) {
            return Err(ConfError::at(
                pos,
                wrap("include cycle detected".to_string()),
            ));
        }
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            let msg = format!("includes nested deeper than {MAX_INCLUDE_DEPTH}");
            return Err(ConfError::at(pos, wrap(msg)));
        }
        let map =
            parse_path(&path, self.host, self.mode, self.chain.clone()).map_err(|e| ConfError {
                pos: e.pos.or(Some(pos.clone())),
                message: wrap(e.message),
            })?;
        for entry in map.entries {
            let Spanned { value, pos } = entry.value;
            self.keys.push((entry.key, pos.line, pos.col));
            self.set_value(Tok {
                value,
                pos,
                used: entry.used_as_variable,
            })?;
        }
        Ok(())
    }
}

/// Gives every value in the tree the position `pos`.
fn relocate(value: &mut Value, pos: &Pos) {
    match value {
        Value::Map(m) => {
            for e in &mut m.entries {
                e.value.pos = pos.clone();
                relocate(&mut e.value.value, pos);
            }
        }
        Value::Array(a) => {
            for v in a {
                v.pos = pos.clone();
                relocate(&mut v.value, pos);
            }
        }
        _ => {}
    }
}

/// An integer item with its size suffix applied. `None` for a suffix Go does not know (such as
/// `kbib`): Go then stores nothing.
fn integer(it: &Item, pos: &Pos) -> Result<Option<i64>, ConfError> {
    // Go counts leading digit or '-' runes but then cuts the bytes at that count.
    let digits = runes(&it.val)
        .take_while(|&r| is_digit(r) || r == '-')
        .count()
        .min(it.val.len());
    let num = match go_parse_int(&it.val[..digits]) {
        Ok(n) => n,
        Err(IntError::Range) => {
            let msg = format!("integer '{}' is out of the range", lossy(&it.val));
            return Err(ConfError::at(pos.clone(), msg));
        }
        Err(IntError::Syntax) => {
            let msg = format!("expected integer, but got '{}'", lossy(&it.val));
            return Err(ConfError::at(pos.clone(), msg));
        }
    };
    let suffix = lossy(&it.val[digits..]).trim().to_ascii_lowercase();
    // Go multiplies in int64 and wraps on overflow.
    let factor: i64 = match suffix.as_str() {
        "" => 1,
        "k" => 1_000,
        "kb" | "ki" | "kib" => 1 << 10,
        "m" => 1_000_000,
        "mb" | "mi" | "mib" => 1 << 20,
        "g" => 1_000_000_000,
        "gb" | "gi" | "gib" => 1 << 30,
        "t" => 1_000_000_000_000,
        "tb" | "ti" | "tib" => 1 << 40,
        "p" => 1_000_000_000_000_000,
        "pb" | "pi" | "pib" => 1 << 50,
        "e" => 1_000_000_000_000_000_000,
        "eb" | "ei" | "eib" => 1 << 60,
        _ => return Ok(None),
    };
    Ok(Some(num.wrapping_mul(factor)))
}

enum IntError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign and ASCII digits; the first problem
/// found left to right decides between a syntax and a range error.
fn go_parse_int(s: &[u8]) -> Result<i64, IntError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(IntError::Syntax);
    }
    let mut n: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(IntError::Syntax);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or(IntError::Range)?;
    }
    const CUTOFF: u64 = 1 << 63;
    match neg {
        false if n >= CUTOFF => Err(IntError::Range),
        true if n > CUTOFF => Err(IntError::Range),
        false => Ok(n as i64),
        true => Ok((n as i64).wrapping_neg()),
    }
}

/// A float item (`[-]digits.digits`), with Go's `ParseFloat` errors.
fn float(it: &Item, pos: &Pos) -> Result<f64, ConfError> {
    let text = lossy(&it.val);
    let ok = !text.is_empty()
        && text
            .trim_start_matches('-')
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'.');
    match text.parse::<f64>() {
        Ok(f) if ok && f.is_finite() => Ok(f),
        Ok(_) if ok => Err(ConfError::at(
            pos.clone(),
            format!("float '{text}' is out of the range"),
        )),
        _ => Err(ConfError::at(
            pos.clone(),
            format!("expected float, but got '{text}'"),
        )),
    }
}
