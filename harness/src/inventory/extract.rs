//! `harness inventory extract`: walks a nats-server source tree and builds its [`Inventory`].
//!
//! It follows the `go` tool's view of a tree: directories named `testdata`, `vendor` or starting
//! with `.` or `_` are skipped, as are files starting with `.` or `_`. Unreadable files or
//! directories stop the extraction with the full list, so a partial inventory never replaces a
//! good one; non-UTF-8 bytes are replaced and reported as warnings.

use super::{category, golex, GoTest, Inventory};
use anyhow::{bail, Result};
use std::path::Path;
use walkdir::WalkDir;

/// The outcome of an extraction.
#[derive(Debug)]
pub struct Extracted {
    pub inventory: Inventory,
    pub files: usize,
    pub warnings: Vec<String>,
}

fn skip_dir(name: &str) -> bool {
    name == "testdata" || name == "vendor" || name.starts_with('.') || name.starts_with('_')
}

/// Lists `*_test.go` files under `root` (relative paths with `/`), sorted; errors are collected.
fn test_files(root: &Path) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = WalkDir::new(root).sort_by_file_name().into_iter();
    let walker = walker.filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skip_dir(&e.file_name().to_string_lossy()))
    });
    for entry in walker {
        match entry {
            Err(e) => errors.push(format!("cannot read {}: {e}", path_of(&e))),
            Ok(e) => {
                let name = e.file_name().to_string_lossy();
                if !name.ends_with("_test.go") || name.starts_with('.') || name.starts_with('_') {
                    continue;
                }
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                let rel = rel.to_string_lossy().replace('\\', "/");
                if e.file_type().is_symlink() {
                    // A link to a test file counts; a broken one is an unreadable test file.
                    match std::fs::metadata(e.path()) {
                        Ok(m) if m.is_file() => files.push(rel),
                        Ok(_) => {}
                        Err(err) => errors.push(format!("cannot read {rel}: {err}")),
                    }
                } else if e.file_type().is_file() {
                    files.push(rel);
                }
            }
        }
    }
    (files, errors)
}

fn path_of(e: &walkdir::Error) -> String {
    e.path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "?".into())
}

/// `VERSION = "x.y.z"` from server/const.go, when the tree has it.
fn go_version(root: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(root.join("server/const.go")) else {
        return String::new();
    };
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("VERSION"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string())
        .next()
        .unwrap_or_default()
}

/// Extracts the inventory of the tree at `root`. `progress(done, total)` is called as files
/// are read.
pub fn extract(
    root: &Path,
    label: &str,
    source: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Extracted> {
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let (files, mut errors) = test_files(root);
    let mut warnings = Vec::new();
    let mut tests: Vec<GoTest> = Vec::new();
    for (n, rel) in files.iter().enumerate() {
        progress(n + 1, files.len());
        let bytes = match std::fs::read(root.join(rel)) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("cannot read {rel}: {e}"));
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!(
                    "{rel}: not valid UTF-8 (first bad byte at offset {}); bad bytes replaced",
                    e.utf8_error().valid_up_to()
                ));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        let (dir, file_name) = rel.rsplit_once('/').unwrap_or((".", rel.as_str()));
        let scan = golex::scan(&text);
        let mut build = scan.build.clone();
        if let Some(implied) = golex::file_name_constraint(file_name) {
            let already = build
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
                .any(|w| w == implied);
            build = if already {
                build
            } else if build.is_empty() {
                implied
            } else {
                format!("({build}) && {implied}")
            };
        }
        for f in scan.funcs {
            tests.push(GoTest {
                package: dir.to_string(),
                category: category::categorize(rel, &f.name).to_string(),
                name: f.name,
                kind: f.kind,
                file: rel.clone(),
                line: f.line,
                build: build.clone(),
                skips: f.skips,
            });
        }
    }
    if !errors.is_empty() {
        bail!(
            "{} unreadable path(s) under {}; nothing written:\n  {}",
            errors.len(),
            root.display(),
            errors.join("\n  ")
        );
    }
    if files.is_empty() {
        bail!(
            "no *_test.go files under {}: is this a nats-server source tree?",
            root.display()
        );
    }
    // Names are unique per package for one build, but files with exclusive build tags may
    // define the same name (logger's syslog tests exist for !windows and for windows). The key
    // stays one test: keep the first definition, widen its constraint, and record the other.
    tests.sort_by(|a, b| {
        (&a.package, &a.name, &a.file, a.line).cmp(&(&b.package, &b.name, &b.file, b.line))
    });
    let mut kept: Vec<GoTest> = Vec::with_capacity(tests.len());
    let mut also = Vec::new();
    for t in tests {
        match kept.last_mut() {
            Some(first) if first.key() == t.key() => {
                also.push(format!(
                    "{} also defined in {}:{} [{}]",
                    t.key(),
                    t.file,
                    t.line,
                    t.build
                ));
                if first.build != t.build {
                    first.build = if first.build.is_empty() || t.build.is_empty() {
                        String::new()
                    } else {
                        format!("({}) || ({})", first.build, t.build)
                    };
                }
            }
            _ => kept.push(t),
        }
    }
    Ok(Extracted {
        inventory: Inventory {
            label: label.to_string(),
            version: go_version(root),
            source: source.to_string(),
            tests: kept,
            also,
        },
        files: files.len(),
        warnings,
    })
}
