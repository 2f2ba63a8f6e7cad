//! Finds the workspace's Rust sources and where their tests run: which nextest binary
//! (`<package>` for the lib, `<package>::bin/<name>`, `<package>::<test file>`) and which
//! module path a file has inside it. Then runs the claim scanner over all of them.
//!
//! The harness package itself is not scanned: its fixtures hold claim text on purpose.

use super::claims::{self, ClaimError, ClaimedTest, FileTarget};
use anyhow::{Context, Result};
use std::path::Path;
use walkdir::WalkDir;

/// A workspace member package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// Directory relative to the workspace root.
    pub dir: String,
    pub name: String,
    /// `[[bin]]` targets as (name, path relative to the package).
    pub bins: Vec<(String, String)>,
    pub has_lib: bool,
}

/// Every claim found in a workspace.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub tests: Vec<ClaimedTest>,
    pub errors: Vec<ClaimError>,
    pub files: usize,
}

/// The value of `key = "value"` on a line, if the line sets `key`.
fn toml_str(line: &str, key: &str) -> Option<String> {
    let rest = line
        .trim()
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim().strip_prefix('"')?;
    Some(rest.split('"').next()?.to_string())
}

/// Reads the little of a Cargo.toml the harness needs: package name, lib, bins.
pub fn read_package(root: &Path, dir: &str) -> Result<Package> {
    let path = root.join(dir).join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut name = String::new();
    let mut has_lib = root.join(dir).join("src/lib.rs").is_file();
    let mut bins: Vec<(String, String)> = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_string();
            if section == "[[bin]]" {
                bins.push((String::new(), String::new()));
            }
            if section == "[lib]" {
                has_lib = true;
            }
            continue;
        }
        match section.as_str() {
            "[package]" => {
                if let Some(v) = toml_str(t, "name") {
                    name = v;
                }
            }
            "[[bin]]" => {
                if let Some(last) = bins.last_mut() {
                    if let Some(v) = toml_str(t, "name") {
                        last.0 = v;
                    } else if let Some(v) = toml_str(t, "path") {
                        last.1 = v;
                    }
                }
            }
            _ => {}
        }
    }
    for bin in &mut bins {
        if bin.1.is_empty() {
            bin.1 = format!("src/bin/{}.rs", bin.0);
        }
    }
    if !bins.iter().any(|b| b.1 == "src/main.rs") && root.join(dir).join("src/main.rs").is_file() {
        bins.push((name.clone(), "src/main.rs".into()));
    }
    Ok(Package {
        dir: dir.to_string(),
        name,
        bins,
        has_lib,
    })
}

/// Member directories listed in the root Cargo.toml (`members = [...]`, `dir/*` expanded).
pub fn members(root: &Path) -> Result<Vec<String>> {
    let path = root.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some(start) = text.find("members") else {
        return Ok(Vec::new());
    };
    let list = &text[start..];
    let list = list.split_once('[').map(|x| x.1).unwrap_or("");
    let list = list.split_once(']').map(|x| x.0).unwrap_or("");
    let mut out = Vec::new();
    for item in list.split(',') {
        let item = item.trim().trim_matches('"').trim();
        if item.is_empty() || item.starts_with('#') {
            continue;
        }
        if let Some(parent) = item.strip_suffix("/*") {
            let mut dirs: Vec<String> = std::fs::read_dir(root.join(parent))
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.path().join("Cargo.toml").is_file())
                .map(|e| format!("{parent}/{}", e.file_name().to_string_lossy()))
                .collect();
            dirs.sort();
            out.extend(dirs);
        } else {
            out.push(item.to_string());
        }
    }
    Ok(out)
}

fn module_path(parts: &[&str]) -> Vec<String> {
    let mut mods: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
    if let Some(last) = mods.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" {
            mods.push(stem.to_string());
        }
    }
    mods
}

/// Where the tests of `rel` (a path inside the package, with `/`) run. `None`: not a test
/// location (benches, examples, build scripts).
pub fn target_for(pkg: &Package, rel: &str) -> Option<FileTarget> {
    let parts: Vec<&str> = rel.split('/').collect();
    let bin_named = |path: &str| pkg.bins.iter().find(|b| b.1 == path).map(|b| b.0.clone());
    match parts.as_slice() {
        ["src", rest @ ..] => {
            if let Some(bin) = bin_named(rel) {
                return Some(FileTarget {
                    binary: format!("{}::bin/{bin}", pkg.name),
                    modules: Vec::new(),
                });
            }
            if let ["bin", name, more @ ..] = rest {
                let bin = name.trim_end_matches(".rs").to_string();
                let inner = if more.is_empty() || more == ["main.rs"] {
                    Vec::new()
                } else {
                    module_path(more)
                };
                return Some(FileTarget {
                    binary: format!("{}::bin/{bin}", pkg.name),
                    modules: inner,
                });
            }
            if rest == ["lib.rs"] {
                return Some(FileTarget {
                    binary: pkg.name.clone(),
                    modules: Vec::new(),
                });
            }
            let binary = if pkg.has_lib {
                pkg.name.clone()
            } else {
                let bin = pkg.bins.first().map(|b| b.0.clone()).unwrap_or_default();
                format!("{}::bin/{bin}", pkg.name)
            };
            Some(FileTarget {
                binary,
                modules: module_path(rest),
            })
        }
        ["tests", file] => Some(FileTarget {
            binary: format!("{}::{}", pkg.name, file.trim_end_matches(".rs")),
            modules: Vec::new(),
        }),
        ["tests", dir, rest @ ..] => Some(FileTarget {
            binary: format!("{}::{dir}", pkg.name),
            modules: if rest == ["main.rs"] {
                Vec::new()
            } else {
                module_path(rest)
            },
        }),
        _ => None,
    }
}

/// Scans every member package except the harness.
pub fn scan(root: &Path) -> Result<Scan> {
    let mut out = Scan::default();
    for dir in members(root)? {
        let pkg = read_package(root, &dir)?;
        if pkg.name == "harness" {
            continue;
        }
        for sub in ["src", "tests"] {
            let base = root.join(&dir).join(sub);
            if !base.is_dir() {
                continue;
            }
            for entry in WalkDir::new(&base).sort_by_file_name() {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        out.errors.push(ClaimError {
                            file: e
                                .path()
                                .map(|p| p.display().to_string())
                                .unwrap_or_default(),
                            line: 0,
                            message: format!("cannot read: {e}"),
                        });
                        continue;
                    }
                };
                let p = entry.path();
                if !entry.file_type().is_file() || p.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let in_pkg = p
                    .strip_prefix(root.join(&dir))
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let Some(target) = target_for(&pkg, &in_pkg) else {
                    continue;
                };
                let file = format!("{dir}/{in_pkg}");
                let text = match std::fs::read(p) {
                    Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                    Err(e) => {
                        out.errors.push(ClaimError {
                            file,
                            line: 0,
                            message: format!("cannot read: {e}"),
                        });
                        continue;
                    }
                };
                let (tests, errors) = claims::scan_file(&text, &file, &target);
                out.files += 1;
                out.tests.extend(tests);
                out.errors.extend(errors);
            }
        }
    }
    Ok(out)
}
