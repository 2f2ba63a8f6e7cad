//! Request bodies decoded as Go's `json.Unmarshal` decodes them into an options struct: the whole
//! input is checked first and a syntax error carries Go's scanner text (`invalid character 'b'
//! looking for beginning of object key string`, `unexpected end of JSON input`); then keys match
//! field names exactly or case-insensitively, unknown keys and `null` are ignored, later duplicates
//! win, and the first value of the wrong type is reported as Go's `UnmarshalTypeError`
//! (`json: cannot unmarshal number into Go struct field ConnzEventOptions.sort of type
//! server.SortOpt`). Pure: no I/O.

use std::collections::HashMap;

/// A parsed JSON value, objects in input order.
#[derive(Debug, Clone, PartialEq)]
pub enum JVal {
    Null,
    Bool(bool),
    /// The number's literal text.
    Num(String),
    Str(String),
    Arr(Vec<JVal>),
    Obj(Vec<(String, JVal)>),
}

impl JVal {
    /// Go's name for the JSON kind in type errors.
    fn kind(&self) -> &'static str {
        match self {
            JVal::Null => "null",
            JVal::Bool(_) => "bool",
            JVal::Num(_) => "number",
            JVal::Str(_) => "string",
            JVal::Arr(_) => "array",
            JVal::Obj(_) => "object",
        }
    }
}

/// How a field decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Bool,
    /// Any signed Go integer (`int`, `time.Duration`, a named int).
    Int,
    Uint,
    StrList,
}

/// One field of a Go options struct: its JSON name, how it decodes, its Go type for error texts.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub go_type: &'static str,
}

pub const fn field(name: &'static str, kind: Kind, go_type: &'static str) -> Field {
    Field {
        name,
        kind,
        go_type,
    }
}

/// A decoded field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Bool(bool),
    Int(i64),
    Uint(u64),
    List(Vec<String>),
}

/// Decoded options: every field that was set, by JSON name.
#[derive(Debug, Default, Clone)]
pub struct Decoded(HashMap<&'static str, Val>);

impl Decoded {
    pub fn str(&self, k: &str) -> &str {
        match self.0.get(k) {
            Some(Val::Str(s)) => s,
            _ => "",
        }
    }

    pub fn bool(&self, k: &str) -> bool {
        matches!(self.0.get(k), Some(Val::Bool(true)))
    }

    pub fn int(&self, k: &str) -> i64 {
        match self.0.get(k) {
            Some(Val::Int(n)) => *n,
            _ => 0,
        }
    }

    pub fn uint(&self, k: &str) -> u64 {
        match self.0.get(k) {
            Some(Val::Uint(n)) => *n,
            _ => 0,
        }
    }

    pub fn list(&self, k: &str) -> &[String] {
        match self.0.get(k) {
            Some(Val::List(l)) => l,
            _ => &[],
        }
    }

    pub fn set(&mut self, k: &'static str, v: Val) {
        self.0.insert(k, v);
    }
}

/// Decode `body` into the fields of Go struct `go_struct` (named without its package).
pub fn decode(go_struct: &str, fields: &[Field], body: &[u8]) -> Result<Decoded, String> {
    let v = parse(body)?;
    let mut out = Decoded::default();
    let obj = match v {
        JVal::Null => return Ok(out),
        JVal::Obj(o) => o,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type server.{go_struct}",
                other.kind()
            ))
        }
    };
    let mut first_err: Option<String> = None;
    for (key, val) in obj {
        let f = fields
            .iter()
            .find(|f| f.name == key)
            .or_else(|| fields.iter().find(|f| f.name.eq_ignore_ascii_case(&key)));
        let Some(f) = f else { continue };
        if val == JVal::Null {
            continue;
        }
        let type_err = |got: String, ty: &str| {
            format!(
                "json: cannot unmarshal {got} into Go struct field {go_struct}.{} of type {ty}",
                f.name
            )
        };
        let res = match (f.kind, &val) {
            (Kind::Str, JVal::Str(s)) => Ok(Val::Str(s.clone())),
            (Kind::Bool, JVal::Bool(b)) => Ok(Val::Bool(*b)),
            (Kind::Int, JVal::Num(n)) => n
                .parse::<i64>()
                .map(Val::Int)
                .map_err(|_| type_err(format!("number {n}"), f.go_type)),
            (Kind::Uint, JVal::Num(n)) => n
                .parse::<u64>()
                .map(Val::Uint)
                .map_err(|_| type_err(format!("number {n}"), f.go_type)),
            (Kind::StrList, JVal::Arr(items)) => {
                let mut list = Vec::with_capacity(items.len());
                let mut bad = None;
                for it in items {
                    match it {
                        JVal::Str(s) => list.push(s.clone()),
                        JVal::Null => list.push(String::new()),
                        other => {
                            bad.get_or_insert_with(|| type_err(other.kind().into(), "string"));
                        }
                    }
                }
                match bad {
                    Some(e) => Err(e),
                    None => Ok(Val::List(list)),
                }
            }
            (_, other) => Err(type_err(other.kind().into(), f.go_type)),
        };
        match res {
            Ok(v) => out.set(f.name, v),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Parse a whole JSON document, with Go's scanner error texts. Iterative, so nesting (limited to
/// Go's depth) costs no stack; values nested below the second level are kept as empty containers,
/// as option structs only need their kind.
pub fn parse(input: &[u8]) -> Result<JVal, String> {
    let mut p = Parser { b: input, i: 0 };
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        p.ws();
        let c = p.peek().ok_or_else(|| EOF.to_string())?;
        let mut v = match c {
            b'{' | b'[' => {
                if stack.len() + 1 > MAX_DEPTH {
                    return Err(invalid(c, "exceeded max depth"));
                }
                p.i += 1;
                p.ws();
                let keep = stack.len() < KEPT_LEVELS;
                if c == b'[' {
                    if p.peek() == Some(b']') {
                        p.i += 1;
                        JVal::Arr(Vec::new())
                    } else {
                        stack.push(Frame::Arr {
                            items: Vec::new(),
                            keep,
                        });
                        continue 'value;
                    }
                } else if p.peek() == Some(b'}') {
                    p.i += 1;
                    JVal::Obj(Vec::new())
                } else {
                    let key = p.key()?;
                    stack.push(Frame::Obj {
                        items: Vec::new(),
                        key,
                        keep,
                    });
                    continue 'value;
                }
            }
            b'"' => {
                p.i += 1;
                JVal::Str(p.string()?)
            }
            b'-' | b'0'..=b'9' => p.number()?,
            b't' => p.literal(b"true", JVal::Bool(true))?,
            b'f' => p.literal(b"false", JVal::Bool(false))?,
            b'n' => p.literal(b"null", JVal::Null)?,
            _ => return Err(invalid(c, "looking for beginning of value")),
        };
        // A value is complete: give it to the container it is in, closing containers that end.
        loop {
            p.ws();
            match stack.last_mut() {
                None => {
                    if let Some(c) = p.peek() {
                        return Err(invalid(c, "after top-level value"));
                    }
                    return Ok(v);
                }
                Some(Frame::Arr { items, keep }) => {
                    if *keep {
                        items.push(v);
                    }
                    match p.next_or_eof()? {
                        b',' => continue 'value,
                        b']' => {}
                        c => return Err(invalid(c, "after array element")),
                    }
                }
                Some(Frame::Obj { items, key, keep }) => {
                    if *keep {
                        items.push((std::mem::take(key), v));
                    }
                    match p.next_or_eof()? {
                        b',' => {
                            p.ws();
                            *key = p.key()?;
                            continue 'value;
                        }
                        b'}' => {}
                        c => return Err(invalid(c, "after object key:value pair")),
                    }
                }
            }
            v = match stack.pop() {
                Some(Frame::Arr { items, .. }) => JVal::Arr(items),
                Some(Frame::Obj { items, .. }) => JVal::Obj(items),
                // The loop above returned when nothing was open.
                None => return Err(EOF.to_string()),
            };
        }
    }
}

/// An open container while parsing.
enum Frame {
    Arr {
        items: Vec<JVal>,
        keep: bool,
    },
    Obj {
        items: Vec<(String, JVal)>,
        /// The key whose value comes next.
        key: String,
        keep: bool,
    },
}

/// Containers below this many levels are parsed but not kept.
const KEPT_LEVELS: usize = 2;

const EOF: &str = "unexpected end of JSON input";

/// Go's `quoteChar` inside `invalid character ... `.
fn invalid(c: u8, ctx: &str) -> String {
    let q = match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let ch = char::from(c);
            let s = if ch.is_control() || !ch.is_ascii() && !is_printable_latin1(ch) {
                let esc = match c {
                    b'\n' => "\\n".to_string(),
                    b'\r' => "\\r".to_string(),
                    b'\t' => "\\t".to_string(),
                    0x07 => "\\a".to_string(),
                    0x08 => "\\b".to_string(),
                    0x0c => "\\f".to_string(),
                    0x0b => "\\v".to_string(),
                    _ if c < 0x80 => format!("\\x{c:02x}"),
                    _ => format!("\\u{:04x}", c as u32),
                };
                esc
            } else {
                ch.to_string()
            };
            format!("'{s}'")
        }
    };
    format!("invalid character {q} {ctx}")
}

/// Latin-1 supplement characters Go's `strconv.Quote` prints as they are.
fn is_printable_latin1(c: char) -> bool {
    let u = c as u32;
    (0xa1..=0xff).contains(&u) && u != 0xad
}

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn next_or_eof(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| EOF.to_string())?;
        self.i += 1;
        Ok(c)
    }

    /// An object key and its colon: `"key" :`.
    fn key(&mut self) -> Result<String, String> {
        let c = self.next_or_eof()?;
        if c != b'"' {
            return Err(invalid(c, "looking for beginning of object key string"));
        }
        let key = self.string()?;
        self.ws();
        let c = self.next_or_eof()?;
        if c != b':' {
            return Err(invalid(c, "after object key"));
        }
        Ok(key)
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<String, String> {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let c = self.next_or_eof()?;
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&buf).into_owned()),
                b'\\' => {
                    let e = self.next_or_eof()?;
                    match e {
                        b'b' => buf.push(0x08),
                        b'f' => buf.push(0x0c),
                        b'n' => buf.push(b'\n'),
                        b'r' => buf.push(b'\r'),
                        b't' => buf.push(b'\t'),
                        b'\\' | b'/' | b'"' => buf.push(e),
                        b'u' => {
                            let cp = self.hex4()?;
                            let ch = if (0xd800..0xdc00).contains(&cp)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    char::from_u32(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(cp)
                            };
                            let ch = ch.unwrap_or('\u{fffd}');
                            let mut tmp = [0u8; 4];
                            buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                        }
                        _ => return Err(invalid(e, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => buf.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.next_or_eof()?;
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<JVal, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next_or_eof()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            c => return Err(invalid(c, "in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.next_or_eof()? {
                b'0'..=b'9' => self.digits(),
                c => return Err(invalid(c, "after decimal point in numeric literal")),
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            match self.next_or_eof()? {
                b'0'..=b'9' => self.digits(),
                c => return Err(invalid(c, "in exponent of numeric literal")),
            }
        }
        Ok(JVal::Num(
            String::from_utf8_lossy(&self.b[start..self.i]).into_owned(),
        ))
    }

    fn literal(&mut self, word: &'static [u8], v: JVal) -> Result<JVal, String> {
        self.i += 1;
        for &want in &word[1..] {
            let c = self.next_or_eof()?;
            if c != want {
                let ctx = format!(
                    "in literal {} (expecting '{}')",
                    String::from_utf8_lossy(word),
                    want as char
                );
                return Err(invalid(c, &ctx));
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        field("sort", Kind::Str, "server.SortOpt"),
        field("offset", Kind::Int, "int"),
        field("cid", Kind::Uint, "uint64"),
        field("auth", Kind::Bool, "bool"),
        field("tags", Kind::StrList, "[]string"),
    ];

    #[test]
    fn syntax_errors_have_go_scanner_texts() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"{bad json",
                "invalid character 'b' looking for beginning of object key string",
            ),
            (
                b"{MALFORMEDJSON",
                "invalid character 'M' looking for beginning of object key string",
            ),
            (b"{\"a\" 1}", "invalid character '1' after object key"),
            (
                b"{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (b"[1 2]", "invalid character '2' after array element"),
            (b"{\"a\":", "unexpected end of JSON input"),
            (b"  ", "unexpected end of JSON input"),
            (b"{} x", "invalid character 'x' after top-level value"),
            (b"x", "invalid character 'x' looking for beginning of value"),
            (b"tru", "unexpected end of JSON input"),
            (
                b"trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (b"-x", "invalid character 'x' in numeric literal"),
            (
                b"1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                b"1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (b"\"\\q\"", "invalid character 'q' in string escape code"),
            (b"\"a\nb\"", "invalid character '\\n' in string literal"),
            (
                b"\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (
                b"{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
            (b"01", "invalid character '1' after top-level value"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse(input).unwrap_err(),
                *want,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn nesting_is_limited_as_in_go_within_a_small_stack() {
        let deep = |n: usize| {
            let mut v = vec![b'['; n];
            v.extend(std::iter::repeat_n(b']', n));
            v
        };
        // Parsed on a thread with a quarter of a tokio worker's stack.
        let ok = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || (parse(&deep(10_000)).is_ok(), parse(&deep(10_001))))
            .unwrap()
            .join()
            .unwrap();
        assert!(ok.0);
        assert_eq!(
            ok.1.unwrap_err(),
            "invalid character '[' exceeded max depth"
        );
    }

    #[test]
    fn values_parse_in_order_with_escapes() {
        let v = parse(br#" {"b":[1,-2.5e3,true,null],"a":"x\u00e9\ud83d\ude00\n"} "#).unwrap();
        assert_eq!(
            v,
            JVal::Obj(vec![
                (
                    "b".into(),
                    JVal::Arr(vec![
                        JVal::Num("1".into()),
                        JVal::Num("-2.5e3".into()),
                        JVal::Bool(true),
                        JVal::Null
                    ])
                ),
                ("a".into(), JVal::Str("x\u{e9}\u{1f600}\n".into())),
            ])
        );
    }

    #[test]
    fn fields_decode_case_insensitively_ignoring_unknown_and_null() {
        let d = decode(
            "ConnzEventOptions",
            FIELDS,
            br#"{"SORT":"cid","offset":3,"cid":7,"Auth":true,"zzz":[1],"tags":["a",null],"sort":null}"#,
        )
        .unwrap();
        assert_eq!(d.str("sort"), "cid");
        assert_eq!(d.int("offset"), 3);
        assert_eq!(d.uint("cid"), 7);
        assert!(d.bool("auth"));
        assert_eq!(d.list("tags"), ["a".to_string(), String::new()]);
        assert!(decode("X", FIELDS, b"null").is_ok());
    }

    #[test]
    fn type_errors_name_the_go_struct_field() {
        let e = |b: &[u8]| decode("ConnzEventOptions", FIELDS, b).unwrap_err();
        assert_eq!(
            e(br#"{"sort":5}"#),
            "json: cannot unmarshal number into Go struct field ConnzEventOptions.sort of type server.SortOpt"
        );
        assert_eq!(
            e(br#"{"offset":1.5}"#),
            "json: cannot unmarshal number 1.5 into Go struct field ConnzEventOptions.offset of type int"
        );
        assert_eq!(
            e(br#"{"cid":-1}"#),
            "json: cannot unmarshal number -1 into Go struct field ConnzEventOptions.cid of type uint64"
        );
        assert_eq!(
            e(br#"{"auth":"yes","offset":"x"}"#),
            "json: cannot unmarshal string into Go struct field ConnzEventOptions.auth of type bool"
        );
        assert_eq!(
            e(br#"{"tags":[1]}"#),
            "json: cannot unmarshal number into Go struct field ConnzEventOptions.tags of type string"
        );
        assert_eq!(
            e(b"[1]"),
            "json: cannot unmarshal array into Go value of type server.ConnzEventOptions"
        );
    }
}
