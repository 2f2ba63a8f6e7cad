//! The command-line syntax of Go's `flag` package, which `nats-server` uses, and the `strconv` number and
//! boolean rules its values go through.
//!
//! Rules kept (Go: `flag.FlagSet.parseOne`, `strconv.ParseInt(s, 0, 64)`, `strconv.ParseBool`, `strconv.Quote`):
//! a flag is `-name` or `--name`, with its value after `=` or in the next argument (even one starting with
//! `-`, so `-p -1` works); a bool flag takes a value only after `=`; `--` ends the flags and is dropped;
//! the first argument that is `-` or does not start with `-` ends the flags and is kept. The error texts are
//! Go's, word for word.

use super::defs::{FlagDef, Kind};

/// A flag value, already checked against its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
}

/// The outcome of scanning a command line: the flags given, in order, and the arguments after them.
#[derive(Debug)]
pub(crate) struct Scan {
    pub given: Vec<(&'static FlagDef, Value)>,
    pub rest: Vec<String>,
}

/// Scans `args` like Go's `FlagSet.Parse`. The error is the message Go's flag package prints.
pub(crate) fn scan(
    args: &[String],
    lookup: impl Fn(&str) -> Option<&'static FlagDef>,
) -> Result<Scan, String> {
    let mut given = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = args[i].as_str();
        if s.len() < 2 || !s.starts_with('-') {
            break;
        }
        let mut minuses = 1;
        if s.as_bytes()[1] == b'-' {
            minuses = 2;
            if s.len() == 2 {
                // "--" ends the flags and is not an argument itself.
                i += 1;
                break;
            }
        }
        let name = &s[minuses..];
        if name.is_empty() || name.starts_with('-') || name.starts_with('=') {
            return Err(format!("bad flag syntax: {s}"));
        }
        i += 1;
        // The '=' cannot be the first character: that case is rejected above.
        let (name, inline) = match name.find('=') {
            Some(eq) => (&name[..eq], Some(&name[eq + 1..])),
            None => (name, None),
        };
        let Some(def) = lookup(name) else {
            return Err(format!("flag provided but not defined: -{name}"));
        };
        let value = if def.kind == Kind::Bool {
            match inline {
                Some(v) => match parse_bool(v) {
                    Some(b) => Value::Bool(b),
                    None => {
                        return Err(format!(
                            "invalid boolean value {} for -{name}: parse error",
                            go_quote(v)
                        ))
                    }
                },
                None => Value::Bool(true),
            }
        } else {
            let raw = match inline {
                Some(v) => v,
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].as_str()
                }
                None => return Err(format!("flag needs an argument: -{name}")),
            };
            parse_value(def.kind, raw)
                .map_err(|e| format!("invalid value {} for flag -{name}: {e}", go_quote(raw)))?
        };
        given.push((def, value));
    }
    Ok(Scan {
        given,
        rest: args[i..].to_vec(),
    })
}

fn parse_value(kind: Kind, raw: &str) -> Result<Value, NumError> {
    Ok(match kind {
        Kind::Bool => Value::Bool(parse_bool(raw).ok_or(NumError::Syntax)?),
        Kind::Int64 => Value::Int(parse_int(raw)?),
        // Go's `int` is 64 bits; the options these flags feed are 32-bit, so larger values are refused here.
        Kind::Int32 => {
            let v = parse_int(raw)?;
            if i32::try_from(v).is_err() {
                return Err(NumError::Range);
            }
            Value::Int(v)
        }
        Kind::Str => Value::Str(raw.to_string()),
    })
}

/// Why a number did not parse, worded as Go's flag package words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumError {
    Syntax,
    Range,
}

impl std::fmt::Display for NumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NumError::Syntax => "parse error",
            NumError::Range => "value out of range",
        })
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, base from the prefix (`0x`, `0o`, `0b`, leading `0` for
/// octal), `_` allowed between digits.
pub(crate) fn parse_int(s0: &str) -> Result<i64, NumError> {
    let (neg, s) = match s0.as_bytes().first() {
        Some(b'+') => (false, &s0[1..]),
        Some(b'-') => (true, &s0[1..]),
        _ => (false, s0),
    };
    let un = parse_uint_base0(s)?;
    let cutoff = 1u64 << 63;
    if (!neg && un >= cutoff) || (neg && un > cutoff) {
        return Err(NumError::Range);
    }
    // `un` fits: either below 2^63, or exactly 2^63 with a minus sign (i64::MIN).
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

fn parse_uint_base0(s0: &str) -> Result<u64, NumError> {
    let b = s0.as_bytes();
    if b.is_empty() {
        return Err(NumError::Syntax);
    }
    let (base, digits): (u64, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(|c| c.to_ascii_lowercase()) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let d = match c {
            b'_' => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'z' => u64::from(c - b'a') + 10,
            b'A'..=b'Z' => u64::from(c - b'A') + 10,
            _ => return Err(NumError::Syntax),
        };
        if d >= base {
            return Err(NumError::Syntax);
        }
        n = n
            .checked_mul(base)
            .and_then(|n| n.checked_add(d))
            .ok_or(NumError::Range)?;
    }
    if underscores && !underscore_ok(s0) {
        return Err(NumError::Syntax);
    }
    Ok(n)
}

/// Go's `strconv.underscoreOK`: each `_` sits between two digits (a base prefix counts as a digit).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    // '^' start, '0' digit or prefix, '_' underscore, '!' anything else.
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Go's `strconv.Quote` (`%q`) of a string.
pub fn go_quote(s: &str) -> String {
    crate::gofmt::go_quote(s.as_bytes())
}

/// Go's `%v` of a `[]string`: the elements separated by spaces, in brackets.
pub(crate) fn go_list(items: &[&str]) -> String {
    format!("[{}]", items.join(" "))
}
