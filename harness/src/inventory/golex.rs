//! Just enough Go lexing to find test functions honestly: which lines start outside strings and
//! comments, the file's build constraint, and each `func TestXxx(t *testing.T)` signature with
//! whether its body opens with an unconditional `t.Skip`.
//!
//! It follows the `go test` rules (cmd/go `isTest`): the name is `Test`/`Benchmark`/`Fuzz`
//! followed by nothing or a non-lowercase letter, one parameter of type `*testing.T/B/F`, no
//! results. `TestMain(m *testing.M)` is therefore not a test.

use super::Kind;

/// One test function found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFunc {
    pub name: String,
    pub kind: Kind,
    /// 1-based line of the `func` keyword.
    pub line: u32,
    pub skips: bool,
}

/// What a scan of one `_test.go` file yields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileScan {
    /// The `//go:build` expression, or the `// +build` lines turned into one expression.
    pub build: String,
    pub funcs: Vec<FoundFunc>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    Code,
    LineComment,
    BlockComment,
    Str,
    Raw,
    Rune,
}

/// For each line: its byte offset and whether it starts in code (not in a string or comment).
fn lines_in_code(b: &[u8]) -> Vec<(usize, bool)> {
    let mut out = vec![(0, true)];
    let mut st = St::Code;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match st {
            St::Code => match (c, next) {
                (b'/', Some(b'/')) => {
                    st = St::LineComment;
                    i += 1;
                }
                (b'/', Some(b'*')) => {
                    st = St::BlockComment;
                    i += 1;
                }
                (b'"', _) => st = St::Str,
                (b'`', _) => st = St::Raw,
                (b'\'', _) => st = St::Rune,
                _ => {}
            },
            St::LineComment => {
                if c == b'\n' {
                    st = St::Code;
                }
            }
            St::BlockComment => {
                if c == b'*' && next == Some(b'/') {
                    st = St::Code;
                    i += 1;
                }
            }
            St::Str | St::Rune => {
                let close = if st == St::Str { b'"' } else { b'\'' };
                if c == b'\\' && next.is_some_and(|n| n != b'\n') {
                    i += 1;
                } else if c == close || c == b'\n' {
                    // A newline ends an (invalid) unterminated literal: recover at the next line.
                    st = St::Code;
                }
            }
            St::Raw => {
                if c == b'`' {
                    st = St::Code;
                }
            }
        }
        if c == b'\n' {
            out.push((i + 1, st == St::Code));
        }
        i += 1;
    }
    out
}

/// Skips whitespace (newlines included) and comments.
fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            match b[i + 2..].windows(2).position(|w| w == b"*/") {
                Some(p) => i += 2 + p + 2,
                None => return b.len(),
            }
        } else {
            return i;
        }
    }
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Reads an identifier at `i`; returns it and the position after it.
fn ident(b: &[u8], i: usize) -> Option<(&str, usize)> {
    let end = i + b[i..].iter().take_while(|c| is_ident_byte(**c)).count();
    if end == i || b[i].is_ascii_digit() {
        return None;
    }
    std::str::from_utf8(&b[i..end]).ok().map(|s| (s, end))
}

/// Expects byte `c` after trivia; returns the position after it.
fn expect(b: &[u8], i: usize, c: u8) -> Option<usize> {
    let i = skip_trivia(b, i);
    (b.get(i) == Some(&c)).then_some(i + 1)
}

fn kind_of(name: &str) -> Option<Kind> {
    for (prefix, kind) in [
        ("Test", Kind::Test),
        ("Benchmark", Kind::Benchmark),
        ("Fuzz", Kind::Fuzz),
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            // cmd/go: "Testing" is not a test, "Test_x" and "Test" are.
            return match rest.chars().next() {
                Some(ch) if ch.is_lowercase() => None,
                _ => Some(kind),
            };
        }
    }
    None
}

/// Parses a signature after the `func` keyword at `i`. Returns (name, kind, skips).
fn parse_func(b: &[u8], i: usize) -> Option<(String, Kind, bool)> {
    let i = skip_trivia(b, i);
    let (name, i) = ident(b, i)?;
    let kind = kind_of(name)?;
    let i = expect(b, i, b'(')?;
    let mut i = skip_trivia(b, i);
    // The parameter may be unnamed: `func TestX(*testing.T)`.
    let mut param = None;
    if b.get(i) != Some(&b'*') {
        let (p, after) = ident(b, i)?;
        param = Some(p.to_string());
        i = after;
    }
    let i = expect(b, i, b'*')?;
    let (pkg, i) = ident(b, skip_trivia(b, i))?;
    if pkg != "testing" {
        return None;
    }
    let i = expect(b, i, b'.')?;
    let (ty, i) = ident(b, skip_trivia(b, i))?;
    let want = match kind {
        Kind::Test => "T",
        Kind::Benchmark => "B",
        Kind::Fuzz => "F",
    };
    if ty != want {
        return None;
    }
    let mut i = skip_trivia(b, i);
    if b.get(i) == Some(&b',') {
        i += 1;
    }
    let i = expect(b, i, b')')?;
    // A result type or anything but the body means this is not a test function.
    let body = expect(b, i, b'{')?;
    let skips = param.is_some_and(|p| p != "_" && first_statement_skips(b, body, &p));
    Some((name.to_string(), kind, skips))
}

/// Whether the first statement of the body at `i` is `<param>.Skip(...)`/`Skipf`/`SkipNow`.
fn first_statement_skips(b: &[u8], i: usize, param: &str) -> bool {
    let i = skip_trivia(b, i);
    let Some((p, i)) = ident(b, i) else {
        return false;
    };
    if p != param {
        return false;
    }
    let Some(i) = expect(b, i, b'.') else {
        return false;
    };
    let Some((method, i)) = ident(b, skip_trivia(b, i)) else {
        return false;
    };
    matches!(method, "Skip" | "Skipf" | "SkipNow") && expect(b, i, b'(').is_some()
}

/// Turns `// +build` lines into one expression: spaces are OR, commas AND, lines AND.
fn plus_build_expr(lines: &[String]) -> String {
    let parts: Vec<String> = lines
        .iter()
        .map(|l| {
            let ors: Vec<String> = l
                .split_whitespace()
                .map(|o| o.replace(',', " && "))
                .collect();
            if ors.len() > 1 {
                format!("({})", ors.join(" || "))
            } else {
                ors.concat()
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    parts.join(" && ")
}

/// Scans one Go test file.
pub fn scan(text: &str) -> FileScan {
    let b = text.as_bytes();
    let lines = lines_in_code(b);
    let mut out = FileScan::default();
    let mut go_build = None;
    let mut plus_build = Vec::new();
    let mut in_header = true;
    for (n, &(start, in_code)) in lines.iter().enumerate() {
        if !in_code {
            continue;
        }
        let end = b[start..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(b.len(), |p| start + p);
        let line = String::from_utf8_lossy(&b[start..end]);
        let trimmed = line.trim();
        if in_header {
            if let Some(expr) = trimmed.strip_prefix("//go:build") {
                go_build.get_or_insert_with(|| expr.trim().to_string());
            } else if let Some(expr) = trimmed.strip_prefix("// +build") {
                plus_build.push(expr.trim().to_string());
            } else if trimmed.starts_with("package ") || trimmed == "package" {
                in_header = false;
            }
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(rest) = trimmed.strip_prefix("func") {
            if rest.starts_with(|c: char| c.is_whitespace()) {
                if let Some((name, kind, skips)) = parse_func(b, start + indent + 4) {
                    out.funcs.push(FoundFunc {
                        name,
                        kind,
                        line: n as u32 + 1,
                        skips,
                    });
                }
            }
        }
    }
    out.build = go_build.unwrap_or_else(|| plus_build_expr(&plus_build));
    out
}

const GOOS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
const GOARCH: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

/// The constraint implied by a file name (`x_windows_test.go`, `x_linux_arm64_test.go`).
pub fn file_name_constraint(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix("_test.go")?;
    let parts: Vec<&str> = stem.split('_').collect();
    let n = parts.len();
    if n >= 3 && GOOS.contains(&parts[n - 2]) && GOARCH.contains(&parts[n - 1]) {
        return Some(format!("{} && {}", parts[n - 2], parts[n - 1]));
    }
    if n >= 2 && (GOOS.contains(&parts[n - 1]) || GOARCH.contains(&parts[n - 1])) {
        return Some(parts[n - 1].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Kind, bool)> {
        scan(text)
            .funcs
            .into_iter()
            .map(|f| (f.name, f.kind, f.skips))
            .collect()
    }

    #[test]
    fn finds_tests_benchmarks_fuzz_and_not_helpers() {
        let src = "package server\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\nfunc TestA(t *testing.T) {}\nfunc Testing(t *testing.T) {}\nfunc Test_b(t *testing.T) {}\nfunc BenchmarkC(b *testing.B) {}\nfunc FuzzD(f *testing.F) {}\nfunc TestE(t *testing.T) error { return nil }\nfunc (s *x) TestF(t *testing.T) {}\nfunc helper(t *testing.T) {}\nfunc TestG(b *testing.B) {}\n";
        let got: Vec<String> = names(src).into_iter().map(|n| n.0).collect();
        assert_eq!(got, ["TestA", "Test_b", "BenchmarkC", "FuzzD"]);
    }

    #[test]
    fn ignores_functions_inside_raw_strings_and_comments() {
        let src = "package x\nvar s = `\nfunc TestInString(t *testing.T) {}\n`\n/*\nfunc TestInComment(t *testing.T) {}\n*/\nfunc TestReal(t *testing.T) {}\n";
        let got: Vec<String> = names(src).into_iter().map(|n| n.0).collect();
        assert_eq!(got, ["TestReal"]);
    }

    #[test]
    fn odd_formatting_and_skips() {
        let src = "package x\nfunc   TestSpaced (  tt  *testing.T  ){\n\t// why\n\ttt.Skip(\"later\")\n}\nfunc TestMultiLine(\n\tt *testing.T,\n) {\n\tif true { t.Skip() }\n}\nfunc TestSkipf(t *testing.T) { /* c */ t.Skipf(\"%d\", 1) }\nfunc TestUnnamed(*testing.T) {}\n";
        assert_eq!(
            names(src),
            [
                ("TestSpaced".into(), Kind::Test, true),
                ("TestMultiLine".into(), Kind::Test, false),
                ("TestSkipf".into(), Kind::Test, true),
                ("TestUnnamed".into(), Kind::Test, false),
            ]
        );
    }

    #[test]
    fn build_constraints() {
        let src = "// Copyright\n\n//go:build !race && !skip_no_race_tests\n// +build !race\n\npackage x\n//go:build ignored_after_package\n";
        assert_eq!(scan(src).build, "!race && !skip_no_race_tests");
        let old = "// +build !skip_js_tests,!skip_js_cluster_tests\n// +build linux darwin\n\npackage x\n";
        assert_eq!(
            scan(old).build,
            "!skip_js_tests && !skip_js_cluster_tests && (linux || darwin)"
        );
        assert_eq!(
            file_name_constraint("pse_windows_test.go").as_deref(),
            Some("windows")
        );
        assert_eq!(
            file_name_constraint("x_linux_arm64_test.go").as_deref(),
            Some("linux && arm64")
        );
        assert_eq!(file_name_constraint("windows_test.go"), None);
        assert_eq!(file_name_constraint("mqtt_ex_test_test.go"), None);
    }
}
