//! The claim scanner: finds `// go: <pkg>/<TestName>` lines in the comment block directly above
//! a Rust test function (attributes may sit between) — see shared PARITY.md.
//!
//! Rules it keeps: one key per line in the exact form `// go: server/TestX` (a `///` doc line
//! is accepted too); the block must touch the `fn` (no blank or code line between); the `fn`
//! must carry a test attribute. A line that looks like a claim but breaks a rule is an error,
//! never silently ignored, so a typo cannot make a claim vanish: the exact `// go: ` prefix is
//! always a claim, and a variant (`//go:`, `// Go:`, `//! go:`) is one when it names a Go test.
//! Prose such as `//! Go: server/opts.go` is left alone.

use super::rustlex;

/// A Rust test function that claims Go tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedTest {
    /// File relative to the workspace root.
    pub file: String,
    /// 1-based line of the `fn`.
    pub line: u32,
    /// nextest binary id this test is expected in (`server`, `server::bin/x`, `server::area`).
    pub binary: String,
    /// Test path inside the binary (`protocol::parser::tests::name`).
    pub path: String,
    /// Carries `#[ignore]`: it will not run, so its claims cannot be mapped.
    pub ignored: bool,
    /// Claimed keys with the line of each claim.
    pub claims: Vec<(String, u32)>,
}

/// A claim that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl std::fmt::Display for ClaimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

const FORM: &str = "write `// go: <package dir>/<TestName>`, e.g. `// go: server/TestSublistInit`";

/// Checks the shape of a key (`dir/sub/Name`); its existence is checked against the inventory
/// later.
pub fn check_key_syntax(key: &str) -> Result<(), String> {
    let Some((pkg, name)) = key.rsplit_once('/') else {
        return Err(format!(
            "claim `{key}` has no package dir: {FORM} (test/ for the black-box tests)"
        ));
    };
    let seg_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if !pkg.split('/').all(seg_ok) {
        return Err(format!("claim `{key}` has a malformed package dir `{pkg}`"));
    }
    let ident_ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ident_ok {
        return Err(format!("claim `{key}` has a malformed test name `{name}`"));
    }
    Ok(())
}

/// Reads one trimmed comment line. `None`: not a claim at all; `Some(Ok(key))`: a claim;
/// `Some(Err(msg))`: looks like a claim but is malformed.
pub fn parse_claim_line(trimmed: &str) -> Option<Result<String, String>> {
    let body = trimmed.strip_prefix("//")?;
    let (doc, body) = match body.strip_prefix('/').or_else(|| body.strip_prefix('!')) {
        Some(rest) => (Some(&trimmed[2..3]), rest),
        None => (None, body),
    };
    let words = body.trim_start();
    let lower = words.to_ascii_lowercase();
    let after_go = lower.strip_prefix("go")?;
    if !after_go.trim_start().starts_with(':') {
        return None;
    }
    let canonical = if doc == Some("!") {
        None
    } else {
        body.strip_prefix(" go: ")
    };
    let Some(rest) = canonical else {
        // `//! Go: server/opts.go` or `// Go: mirrors parseX` is prose about the Go source;
        // only a variant that names a Go test is taken for a mistyped claim.
        if !names_go_test(words) {
            return None;
        }
        if doc == Some("!") {
            return Some(Err(format!(
                "claim in an inner doc comment `{trimmed}`: {FORM} directly above the test fn"
            )));
        }
        return Some(Err(format!("malformed claim `{trimmed}`: {FORM}")));
    };
    let key = rest.trim_end();
    if key.is_empty() || key.starts_with(char::is_whitespace) {
        return Some(Err(format!("malformed claim `{trimmed}`: {FORM}")));
    }
    if key.contains(|c: char| c.is_whitespace() || c == ',') {
        return Some(Err(format!(
            "claim `{trimmed}` holds more than a key: one `// go:` line per Go test"
        )));
    }
    Some(check_key_syntax(key).map(|()| key.to_string()))
}

/// Whether `text` mentions a Go test function name (`TestX`, `BenchmarkX`, `FuzzX` as a word).
fn names_go_test(text: &str) -> bool {
    let bytes = text.as_bytes();
    ["Test", "Benchmark", "Fuzz"].iter().any(|prefix| {
        text.match_indices(prefix).any(|(i, _)| {
            let starts_word =
                i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            let next = bytes.get(i + prefix.len()).copied();
            starts_word
                && next.is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
        })
    })
}

/// Strips `pub`, `pub(...)`, `async`, `unsafe`, `const`, `extern "C"` and returns the name
/// when the line declares a function.
fn fn_name(code: &str) -> Option<&str> {
    let mut rest = code.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("pub(") {
            rest = r.split_once(')')?.1.trim_start();
            continue;
        }
        let mut progressed = false;
        for q in ["pub ", "async ", "unsafe ", "const ", "default "] {
            if let Some(r) = rest.strip_prefix(q) {
                rest = r.trim_start();
                progressed = true;
            }
        }
        if let Some(r) = rest.strip_prefix("extern ") {
            rest = r.trim_start();
            if rest.starts_with('"') {
                rest = rest[1..].split_once('"')?.1.trim_start();
            }
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    let r = rest.strip_prefix("fn")?;
    if !r.starts_with(char::is_whitespace) {
        return None;
    }
    let r = r.trim_start();
    let end = r
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(r.len());
    (end > 0).then(|| &r[..end])
}

/// Whether an attribute (text inside `#[...]`) marks a test: `test`, `tokio::test(..)`,
/// `test_case(..)`, `rstest`...
fn is_test_attr(attr: &str) -> bool {
    let path = attr
        .split(|c: char| c == '(' || c == '=' || c == ']' || c.is_whitespace())
        .next()
        .unwrap_or("");
    let last = path.rsplit("::").next().unwrap_or("");
    last.starts_with("test") || last == "rstest" || last == "quickcheck"
}

fn is_ignore_attr(attr: &str) -> bool {
    let a = attr.trim_start();
    a == "ignore"
        || a.starts_with("ignore ")
        || a.starts_with("ignore=")
        || a.starts_with("ignore(")
}

/// Splits leading `#[...]` attributes off a line: complete ones go to `attrs`, one still open at
/// the end of the line stays in `open` (it continues on the next line). Returns the rest.
fn split_attrs(line: &str, open: &mut Option<(String, i32)>, attrs: &mut Vec<String>) -> String {
    let mut rest = line.to_string();
    loop {
        if let Some((mut text, mut depth)) = open.take() {
            let mut end = None;
            for (i, c) in rest.char_indices() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            match end {
                Some(i) => {
                    text.push_str(&rest[..i]);
                    attrs.push(text);
                    rest = rest[i + 1..].trim_start().to_string();
                }
                None => {
                    text.push_str(&rest);
                    text.push(' ');
                    *open = Some((text, depth));
                    return String::new();
                }
            }
        }
        match rest.strip_prefix("#[") {
            Some(r) => {
                *open = Some((String::new(), 1));
                rest = r.to_string();
            }
            None => return rest,
        }
    }
}

/// Where a file's tests live: the binary id and the module path of the file inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileTarget {
    pub binary: String,
    pub modules: Vec<String>,
}

/// Scans one Rust source file for claims.
pub fn scan_file(
    text: &str,
    file: &str,
    target: &FileTarget,
) -> (Vec<ClaimedTest>, Vec<ClaimError>) {
    let infos = rustlex::lines(text);
    let mut tests = Vec::new();
    let mut errors = Vec::new();
    let err = |errors: &mut Vec<ClaimError>, line: u32, message: String| {
        errors.push(ClaimError {
            file: file.to_string(),
            line,
            message,
        })
    };
    // The block being collected above a possible fn.
    let mut claims: Vec<(String, u32)> = Vec::new();
    let mut attrs: Vec<String> = Vec::new();
    let mut open_attr: Option<(String, i32)> = None;
    let orphan = |errors: &mut Vec<ClaimError>, claims: &mut Vec<(String, u32)>, why: &str| {
        for (key, line) in claims.drain(..) {
            errors.push(ClaimError {
                file: file.to_string(),
                line,
                message: format!("claim `{key}` is not directly above a test fn ({why})"),
            });
        }
    };
    for (n, raw) in text.lines().enumerate() {
        let line_no = n as u32 + 1;
        let info = infos.get(n);
        if !info.is_some_and(|i| i.in_code) {
            orphan(
                &mut errors,
                &mut claims,
                "a string or block comment follows",
            );
            attrs.clear();
            open_attr = None;
            continue;
        }
        let trimmed = raw.trim();
        if open_attr.is_none() {
            if trimmed.is_empty() {
                orphan(&mut errors, &mut claims, "a blank line separates them");
                attrs.clear();
                continue;
            }
            if trimmed.starts_with("//") {
                match parse_claim_line(trimmed) {
                    None => {}
                    Some(Ok(key)) => {
                        if claims.iter().any(|(k, _)| *k == key) {
                            err(
                                &mut errors,
                                line_no,
                                format!("claim `{key}` repeated for the same test"),
                            );
                        } else {
                            claims.push((key, line_no));
                        }
                    }
                    Some(Err(msg)) => err(&mut errors, line_no, msg),
                }
                continue;
            }
        }
        let rest = split_attrs(trimmed, &mut open_attr, &mut attrs);
        // A trailing comment after code (`fn x() {} // go: ...`) is not a claim position.
        let code = rest.split("//").next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        if let Some(name) = fn_name(code) {
            if !claims.is_empty() {
                if attrs.iter().any(|a| is_test_attr(a)) {
                    let mut path = target.modules.clone();
                    path.extend(info.map(|i| i.modules.clone()).unwrap_or_default());
                    path.push(name.to_string());
                    tests.push(ClaimedTest {
                        file: file.to_string(),
                        line: line_no,
                        binary: target.binary.clone(),
                        path: path.join("::"),
                        ignored: attrs.iter().any(|a| is_ignore_attr(a)),
                        claims: std::mem::take(&mut claims),
                    });
                } else {
                    let why = format!("`fn {name}` has no #[test] attribute");
                    orphan(&mut errors, &mut claims, &why);
                }
            }
        } else {
            orphan(&mut errors, &mut claims, "code sits between them");
        }
        claims.clear();
        attrs.clear();
    }
    orphan(&mut errors, &mut claims, "the file ends");
    (tests, errors)
}
