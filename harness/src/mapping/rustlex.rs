//! Just enough Rust lexing for the claim scanner: for each line, whether it starts in code
//! (not inside a string or block comment) and which inline `mod name { ... }` blocks enclose it.
//!
//! Strings (`"..."`, raw `r#"..."#`, byte strings), char literals versus lifetimes, and nested
//! block comments are skipped so that braces and `// go:` text inside them are not misread.

/// Facts about the start of one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInfo {
    pub start: usize,
    pub in_code: bool,
    /// Inline modules open at the start of this line, outermost first.
    pub modules: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    Code,
    LineComment,
    BlockComment(u32),
    Str,
    RawStr(usize),
}

/// Lexes `text` and returns one [`LineInfo`] per line.
pub fn lines(text: &str) -> Vec<LineInfo> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = vec![LineInfo {
        start: 0,
        in_code: true,
        modules: Vec::new(),
    }];
    let mut st = St::Code;
    let mut depth: u32 = 0;
    // (module name, brace depth inside it)
    let mut mods: Vec<(String, u32)> = Vec::new();
    // The last two identifiers / punctuation tokens seen in code, to spot `mod name {`.
    let mut last: [String; 2] = [String::new(), String::new()];
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let mut i = 0;
    while i < chars.len() {
        let begin = i;
        let c = chars[i].1;
        let next = at(i + 1);
        match st {
            St::Code => {
                if c == '/' && next == Some('/') {
                    st = St::LineComment;
                    i += 1;
                } else if c == '/' && next == Some('*') {
                    st = St::BlockComment(1);
                    i += 1;
                } else if c == '"' {
                    st = St::Str;
                } else if c == '\'' {
                    // A char literal ('x', '\n', '\u{..}') or a lifetime / label ('a).
                    if next == Some('\\') {
                        // Skip the escaped character itself, then find the closing quote.
                        let mut j = i + 3;
                        while j < chars.len() && chars[j].1 != '\'' && chars[j].1 != '\n' {
                            j += 1;
                        }
                        i = j;
                    } else if at(i + 2) == Some('\'') {
                        i += 2;
                    }
                } else if c.is_alphabetic() || c == '_' {
                    let word_start = i;
                    while at(i + 1).is_some_and(|n| n.is_alphanumeric() || n == '_') {
                        i += 1;
                    }
                    let word: String = chars[word_start..=i].iter().map(|c| c.1).collect();
                    let after = at(i + 1);
                    let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
                    let str_prefix = matches!(word.as_str(), "b" | "c");
                    if (raw_prefix || str_prefix) && after == Some('"') {
                        i += 1;
                        st = if raw_prefix { St::RawStr(0) } else { St::Str };
                    } else if raw_prefix && after == Some('#') {
                        let mut j = i + 1;
                        while at(j) == Some('#') {
                            j += 1;
                        }
                        if at(j) == Some('"') {
                            st = St::RawStr(j - i - 1);
                            i = j;
                        } else {
                            // A raw identifier `r#name`: just an identifier.
                            last = [std::mem::take(&mut last[1]), word];
                        }
                    } else {
                        last = [std::mem::take(&mut last[1]), word];
                    }
                } else if c == '{' {
                    depth += 1;
                    if last[0] == "mod" && !last[1].is_empty() && last[1] != "mod" {
                        mods.push((last[1].clone(), depth));
                    }
                    last = [String::new(), "{".into()];
                } else if c == '}' {
                    if mods.last().is_some_and(|m| m.1 == depth) {
                        mods.pop();
                    }
                    depth = depth.saturating_sub(1);
                    last = [String::new(), "}".into()];
                } else if !c.is_whitespace() {
                    last = [std::mem::take(&mut last[1]), c.to_string()];
                }
            }
            St::LineComment => {
                if c == '\n' {
                    st = St::Code;
                }
            }
            St::BlockComment(n) => {
                if c == '*' && next == Some('/') {
                    st = if n == 1 {
                        St::Code
                    } else {
                        St::BlockComment(n - 1)
                    };
                    i += 1;
                } else if c == '/' && next == Some('*') {
                    st = St::BlockComment(n + 1);
                    i += 1;
                }
            }
            St::Str => {
                if c == '\\' {
                    i += 1;
                } else if c == '"' {
                    st = St::Code;
                }
            }
            St::RawStr(hashes) => {
                if c == '"' && (1..=hashes).all(|k| at(i + k) == Some('#')) {
                    st = St::Code;
                    i += hashes;
                }
            }
        }
        // Every newline consumed by this step starts a line (string escapes can span one).
        for &(pos, ch) in &chars[begin..=i.min(chars.len() - 1)] {
            if ch == '\n' {
                out.push(LineInfo {
                    start: pos + 1,
                    in_code: st == St::Code,
                    modules: mods.iter().map(|m| m.0.clone()).collect(),
                });
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str, needle: &str) -> LineInfo {
        let infos = lines(text);
        let n = text.lines().position(|l| l.contains(needle)).unwrap();
        infos[n].clone()
    }

    #[test]
    fn tracks_inline_modules() {
        let src = "mod a {\n    mod b {\n        fn x() {}\n    }\n    fn y() { let s = \"}\"; }\n    fn z() {}\n}\nfn w() {}\n";
        assert_eq!(line_of(src, "fn x").modules, ["a", "b"]);
        assert_eq!(line_of(src, "fn z").modules, ["a"]);
        assert!(line_of(src, "fn w").modules.is_empty());
    }

    #[test]
    fn strings_chars_lifetimes_and_comments() {
        let src = "mod m {\nfn f<'a>(x: &'a str) -> char { '{' }\nconst S: &str = r#\"\n// go: inside/TestString\n}\"#;\n/* outer /* inner */\n// go: inside/TestComment\n*/\nfn g() {}\n}\nfn h() {}\n";
        assert!(!line_of(src, "inside/TestString").in_code);
        assert!(!line_of(src, "inside/TestComment").in_code);
        assert_eq!(line_of(src, "fn g").modules, ["m"]);
        assert!(line_of(src, "fn h").modules.is_empty());
    }
}
