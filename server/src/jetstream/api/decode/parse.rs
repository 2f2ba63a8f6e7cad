//! A JSON reader that keeps object keys in document order and reports syntax errors with the
//! text and offsets the Go 2.15.1 server sends (`invalid character 'x' looking for beginning
//! of value at offset 15`, `unexpected EOF`). Offsets count the bytes read, the bad one
//! included, from the start of the request.

use crate::gofmt::go_quote;

/// A parsed JSON value; numbers keep their literal text, objects their key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

impl Node {
    /// Go's word for the kind of value in type errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "bool",
            Node::Num(_) => "number",
            Node::Str(_) => "string",
            Node::Arr(_) => "array",
            Node::Obj(_) => "object",
        }
    }
}

/// Deepest nesting accepted; Go's limit is 10,000.
const MAX_DEPTH: usize = 10_000;

/// Go's `quoteChar`: the byte in single quotes, escaped as `strconv.Quote` would.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let q = go_quote(char::from(c).to_string().as_bytes());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

type PResult<T> = Result<T, String>;

impl Parser<'_> {
    fn eof() -> String {
        "unexpected EOF".to_string()
    }

    fn bad(&self, what: &str) -> String {
        let c = self.b[self.i];
        format!(
            "invalid character {} {what} at offset {}",
            quote_char(c),
            self.i + 1
        )
    }

    fn skip_ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }

    fn peek(&self) -> PResult<u8> {
        self.b.get(self.i).copied().ok_or_else(Self::eof)
    }

    fn value(&mut self, depth: usize) -> PResult<Node> {
        if depth > MAX_DEPTH {
            return Err(format!("exceeded max depth at offset {}", self.i + 1));
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => Ok(Node::Str(self.string()?)),
            b't' => self.literal("true", Node::Bool(true)),
            b'f' => self.literal("false", Node::Bool(false)),
            b'n' => self.literal("null", Node::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.bad("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, node: Node) -> PResult<Node> {
        for (k, &want) in word.as_bytes().iter().enumerate().skip(1) {
            self.i += 1;
            let c = self.peek()?;
            if c != want {
                let _ = k;
                return Err(self.bad(&format!(
                    "in literal {word} (expecting {})",
                    quote_char(want)
                )));
            }
        }
        self.i += 1;
        Ok(node)
    }

    fn digits(&mut self) -> PResult<usize> {
        let start = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        Ok(self.i - start)
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits()?;
            }
            _ => return Err(self.bad("in numeric literal")),
        }
        if self.i < self.b.len() && self.b[self.i] == b'.' {
            self.i += 1;
            self.peek()?;
            if self.digits()? == 0 {
                return Err(self.bad("in numeric literal"));
            }
        }
        if self.i < self.b.len() && matches!(self.b[self.i], b'e' | b'E') {
            self.i += 1;
            if matches!(self.peek()?, b'+' | b'-') {
                self.i += 1;
            }
            self.peek()?;
            if self.digits()? == 0 {
                return Err(self.bad("in numeric literal"));
            }
        }
        // A number may end the input only at the top level; inside a value the caller's
        // next read reports the truncation.
        let text = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
        Ok(Node::Num(text))
    }

    fn hex4(&mut self) -> PResult<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            self.i += 1;
            let c = self.peek()?;
            let d = char::from(c).to_digit(16).ok_or_else(|| {
                format!(
                    "invalid escape sequence `{}` in string at offset {}",
                    String::from_utf8_lossy(&self.b[self.i.saturating_sub(5)..=self.i]),
                    self.i + 1
                )
            })?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn string(&mut self) -> PResult<String> {
        // At the opening quote.
        let mut out: Vec<u8> = Vec::new();
        loop {
            self.i += 1;
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        _ => None,
                    };
                    if let Some(s) = simple {
                        out.push(s);
                    } else if e == b'u' {
                        let mut cp = self.hex4()?;
                        if (0xD800..0xDC00).contains(&cp)
                            && self.b.get(self.i + 1) == Some(&b'\\')
                            && self.b.get(self.i + 2) == Some(&b'u')
                        {
                            let save = self.i;
                            self.i += 2;
                            let lo = self.hex4()?;
                            if (0xDC00..0xE000).contains(&lo) {
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            } else {
                                self.i = save;
                            }
                        }
                        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    } else {
                        return Err(format!(
                            "invalid escape sequence `\\{}` in string at offset {}",
                            char::from(e),
                            self.i + 1
                        ));
                    }
                }
                c if c < 0x20 => return Err(self.bad("in string")),
                c => out.push(c),
            }
        }
    }

    fn object(&mut self, depth: usize) -> PResult<Node> {
        let mut fields = Vec::new();
        self.i += 1;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(Node::Obj(fields));
        }
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return Err(self.bad("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek()? != b':' {
                return Err(self.bad("after object key"));
            }
            self.i += 1;
            let v = self.value(depth + 1)?;
            fields.push((key, v));
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(Node::Obj(fields));
                }
                _ => return Err(self.bad("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> PResult<Node> {
        let mut items = Vec::new();
        self.i += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(Node::Arr(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(Node::Arr(items));
                }
                _ => return Err(self.bad("after array element")),
            }
        }
    }
}

/// Every JSON value in `msg`, one after another, as Go's `json.Decoder` reads a request.
/// Empty or blank input yields no values.
pub fn parse_stream(msg: &[u8]) -> Result<Vec<Node>, String> {
    let mut p = Parser { b: msg, i: 0 };
    let mut out = Vec::new();
    loop {
        p.skip_ws();
        if p.i >= msg.len() {
            return Ok(out);
        }
        out.push(p.value(0)?);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_values() {
        let v =
            parse_stream(br#" {"b":1,"a":[true,null,"x\u00e9\n"],"b":-2.5e3} "#).expect("valid");
        assert_eq!(
            v,
            vec![Node::Obj(vec![
                ("b".into(), Node::Num("1".into())),
                (
                    "a".into(),
                    Node::Arr(vec![Node::Bool(true), Node::Null, Node::Str("xé\n".into())])
                ),
                ("b".into(), Node::Num("-2.5e3".into())),
            ])]
        );
        assert_eq!(parse_stream(b"").expect("empty"), vec![]);
        assert_eq!(parse_stream(b"{}{}").expect("two").len(), 2);
    }

    #[test]
    fn syntax_errors_read_like_go() {
        // Each expected text was returned by Go nats-server 2.15.1 for the same request.
        let cases: &[(&str, &str)] = &[
            (r#"{"name":"j2""#, "unexpected EOF"),
            ("nul", "unexpected EOF"),
            (
                r#"{"name":"j3"} x"#,
                "invalid character 'x' looking for beginning of value at offset 15",
            ),
            (
                r#"{"name":"j18",}"#,
                "invalid character '}' looking for beginning of object key string at offset 15",
            ),
            (
                r#"{"name" "j30"}"#,
                "invalid character '\"' after object key at offset 9",
            ),
            (
                r#"{"name":"j31"]"#,
                "invalid character ']' after object key:value pair at offset 14",
            ),
            (
                r#"{"name":"j32","max_msgs":-}"#,
                "invalid character '}' in numeric literal at offset 27",
            ),
            (
                r#"{"name":"j33","max_msgs":1e}"#,
                "invalid character '}' in numeric literal at offset 28",
            ),
            (
                r#"{"name":"j34","sealed":tru}"#,
                "invalid character '}' in literal true (expecting 'e') at offset 27",
            ),
            (
                "{\"name\":\"j35\n\"}",
                "invalid character '\\n' in string at offset 13",
            ),
            (
                r#"{"name":"j36\q"}"#,
                "invalid escape sequence `\\q` in string at offset 14",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_stream(input.as_bytes()).err().as_deref(),
                Some(*want),
                "{input}"
            );
        }
    }
}
