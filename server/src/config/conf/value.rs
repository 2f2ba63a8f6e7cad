//! The parsed config tree: [`Value`]s, each wrapped in a [`Spanned`] that says where it came from.
//!
//! Positions follow Go's pedantic parser (`ParseFileWithChecks`, what the server uses): a value
//! in a map carries the position of its KEY (Go rewrites the token's line and column so errors
//! point at the key), an array element carries its own, and a map or array inside an array carries
//! the position of its closing bracket. The column is Go's (see [`Pos`]), so `file:line:col`
//! messages match Go's `configErr` text.

use std::fmt;
use std::sync::Arc;

/// Where a value is: the file it was read from (`None` for text parsed from a string, which Go
/// prints as an empty name), the line (from 1), and Go's column: the byte offset in the line,
/// counted from 0 on the first line and from 1 on the others.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: Option<Arc<str>>,
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// The file name as Go prints it (empty when the text did not come from a file).
    pub fn file_name(&self) -> &str {
        self.file.as_deref().unwrap_or("")
    }
}

/// `file:line:col`, Go's `configErr.Source()`.
impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file_name(), self.line, self.col)
    }
}

/// A value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

/// A config value. Integers have had their size suffix applied; strings are UTF-8 (a byte that
/// is not becomes U+FFFD).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Map(Map),
    Array(Vec<Spanned<Value>>),
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Datetime(Datetime),
}

impl Value {
    /// The Go type name of the value, as Go's `%T` prints it in config errors.
    pub fn go_type_name(&self) -> &'static str {
        match self {
            Value::Map(_) => "map[string]interface {}",
            Value::Array(_) => "[]interface {}",
            Value::String(_) => "string",
            Value::Integer(_) => "int64",
            Value::Float(_) => "float64",
            Value::Bool(_) => "bool",
            Value::Datetime(_) => "time.Time",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Spanned<Value>]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// A `YYYY-MM-DDTHH:MM:SSZ` datetime (always UTC), validated as Go's `time.Parse` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datetime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Datetime {
    /// Parses Go's layout `2006-01-02T15:04:05Z`: ASCII digits only, month 1-12, a day that
    /// exists in that month, hour 0-23, minute and second 0-59.
    pub fn parse(s: &[u8]) -> Option<Datetime> {
        if s.len() != 20
            || s[4] != b'-'
            || s[7] != b'-'
            || s[10] != b'T'
            || s[13] != b':'
            || s[16] != b':'
            || s[19] != b'Z'
        {
            return None;
        }
        let num = |from: usize, len: usize| -> Option<u32> {
            s[from..from + len].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let year = num(0, 4)?;
        let month = num(5, 2)?;
        let day = num(8, 2)?;
        let hour = num(11, 2)?;
        let minute = num(14, 2)?;
        let second = num(17, 2)?;
        if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        if day < 1 || day > days_in(month, year) {
            return None;
        }
        Some(Datetime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
        })
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// RFC 3339, as Go's `time.Time` marshals a whole-second UTC time: `2016-05-04T18:53:41Z`.
impl fmt::Display for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// One key of a map with its value. The value's position is the key's.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Spanned<Value>,
    /// The entry was referenced as `$key` by a later value (Go's `token.IsUsedVariable`); the
    /// server accepts an unknown top-level key when it is only a variable.
    pub used_as_variable: bool,
}

/// A map in the order its keys first appeared. Keys are unique and case-sensitive; a key given
/// again replaces the earlier value in place (Go's map assignment).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    pub(crate) entries: Vec<Entry>,
}

impl Map {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Spanned<Value>> {
        self.entry(key).map(|e| &e.value)
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}
