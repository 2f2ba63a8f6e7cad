//! What the parser needs from the outside world, behind the [`Host`] trait: the bytes of an
//! include file and the value of an environment variable. [`OsHost`] is the real file system and
//! process environment; [`MemHost`] holds files and variables in memory for tests.
//!
//! Also Go's lexical path rules (`filepath.Clean`, `Dir`, `Join`), because an include path is
//! `filepath.Join(filepath.Dir(including file), value)` and that text is what errors print. Note
//! Go's `Join` does not restart at an absolute second part: `include /etc/x.conf` in `a/b.conf`
//! reads `a/etc/x.conf`.

use std::collections::HashMap;
use std::io::Read;

/// Reads include files and environment variables for the parser.
pub trait Host {
    /// The file's bytes, or Go's `os.ReadFile` error text for it (`open <path>: no such file or
    /// directory`, `read <path>: is a directory`).
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String>;
    /// The environment variable, if set (Go's `os.LookupEnv`).
    fn env_var(&self, name: &str) -> Option<String>;
}

/// The real file system (paths relative to the working directory) and process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsHost;

impl Host for OsHost {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        let mut f = std::fs::File::open(path).map_err(|e| go_path_error("open", path, &e))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)
            .map_err(|e| go_path_error("read", path, &e))?;
        Ok(buf)
    }

    fn env_var(&self, name: &str) -> Option<String> {
        // Go's LookupEnv finds nothing for a name with '=' or NUL; std would panic on them.
        if name.is_empty() || name.contains(['=', '\0']) {
            return None;
        }
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }
}

/// Go's `*PathError` text: `op path: errno text`, where Go's errno text is the C library's
/// message with a lower-case first letter.
fn go_path_error(op: &str, path: &str, e: &std::io::Error) -> String {
    let text = match e.raw_os_error() {
        Some(code) => {
            let full = std::io::Error::from_raw_os_error(code).to_string();
            let bare = full
                .strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&full)
                .to_string();
            let mut chars = bare.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => bare,
            }
        }
        None => e.to_string(),
    };
    format!("{op} {path}: {text}")
}

/// Files and environment variables in memory. A file is found under its path as the parser
/// asks for it, which for includes is the cleaned `Join(Dir(parent), value)`.
#[derive(Clone, Debug, Default)]
pub struct MemHost {
    files: HashMap<String, Vec<u8>>,
    env: HashMap<String, String>,
}

impl MemHost {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_file(mut self, path: &str, text: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_string(), text.into());
        self
    }

    pub fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.to_string(), value.to_string());
        self
    }
}

impl Host for MemHost {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("open {path}: no such file or directory"))
    }

    fn env_var(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}

/// Go's `filepath.Clean` (Unix): the shortest equivalent path, lexically.
pub(crate) fn clean(path: &str) -> String {
    let p = path.as_bytes();
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p[0] == b'/';
    let n = p.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        if p[r] == b'/' || (p[r] == b'.' && (r + 1 == n || p[r + 1] == b'/')) {
            // An empty or `.` element.
            r += 1;
        } else if p[r] == b'.' && p[r + 1] == b'.' && (r + 2 == n || p[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                // Back up to the last separator (dropping it), but not below `dotdot`.
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && p[r] != b'/' {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `filepath.Dir`: everything before the last `/`, cleaned (`.` when there is none).
pub(crate) fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Join` of two parts: empty parts are dropped, the rest joined by `/` and cleaned.
pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}
