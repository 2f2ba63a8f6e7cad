//! Query parameters decoded with Go's rules and error texts (monitor.go `decodeInt`, `decodeBool`...):
//! a bad value is a 400 whose body is the error text.

use std::collections::HashMap;

pub struct Query(HashMap<String, String>);

impl Query {
    /// Parse `a=1&b=x` (percent-decoding values); the first value of a repeated key wins, as Go's `Get`.
    pub fn parse(q: Option<&str>) -> Query {
        let mut m = HashMap::new();
        for pair in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            m.entry(percent_decode(k))
                .or_insert_with(|| percent_decode(v));
        }
        Query(m)
    }

    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map(String::as_str).unwrap_or("")
    }

    /// Go's `decodeInt`: empty is 0.
    pub fn int(&self, key: &str) -> Result<i64, String> {
        let v = self.get(key);
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<i64>().map_err(|_| {
            format!(
                "Error decoding int for '{key}': strconv.Atoi: parsing {}: invalid syntax",
                go_q(v)
            )
        })
    }

    /// Go's `decodeUint64`.
    pub fn uint64(&self, key: &str) -> Result<u64, String> {
        let v = self.get(key);
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<u64>().map_err(|_| {
            format!(
                "Error decoding uint64 for '{key}': strconv.ParseUint: parsing {}: invalid syntax",
                go_q(v)
            )
        })
    }

    /// Go's `decodeBool` (strconv.ParseBool).
    pub fn boolean(&self, key: &str) -> Result<bool, String> {
        let v = self.get(key);
        match v {
            "" => Ok(false),
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
            _ => Err(format!(
                "Error decoding boolean for '{key}': strconv.ParseBool: parsing {}: invalid syntax",
                go_q(v)
            )),
        }
    }

    /// `subs=detail` or a boolean (Go's `decodeSubs`): (subs, detail).
    pub fn subs(&self, key: &str) -> Result<(bool, bool), String> {
        if self.get(key).eq_ignore_ascii_case("detail") {
            return Ok((false, true));
        }
        Ok((self.boolean(key)?, false))
    }
}

fn go_q(v: &str) -> String {
    crate::gofmt::go_quote(v.as_bytes())
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go() {
        let q = Query::parse(Some(
            "limit=x&subs=detail&auth=1&cid=7&test=foo%2Ebar&b=maybe",
        ));
        assert_eq!(
            q.int("limit").unwrap_err(),
            "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(q.subs("subs").unwrap(), (false, true));
        assert!(q.boolean("auth").unwrap());
        assert_eq!(q.uint64("cid").unwrap(), 7);
        assert_eq!(q.get("test"), "foo.bar");
        assert!(q.boolean("b").is_err());
        // Percent signs before non-hex or multi-byte characters are kept, never split a character.
        assert_eq!(Query::parse(Some("test=%é%zz%4")).get("test"), "%é%zz%4");
        assert_eq!(q.int("missing").unwrap(), 0);
    }
}
