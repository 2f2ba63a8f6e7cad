//! Options from a configuration file, key by key as Go's `processConfigFileLine` (opts.go): every
//! top-level key of Go 2.15 is recognised; keys of subsystems rnats does not have yet are rejected with a
//! "not supported yet" error at their position, never ignored. Errors and warnings are collected and
//! reported together as `file:line:col: message`, warnings first, as Go's `processConfigErr` prints them.

mod accounts;
mod auth;
mod ctx;
mod jetstream;
mod mappings;
mod operator;
mod server;
mod tls;
mod unsupported;

use std::fmt;
use std::path::Path;

use crate::config::conf::{self, Map};
use crate::options::Options;

pub use auth::validate as validate_auth;
pub use ctx::Ctx;
pub use operator::{fill_trusted_keys, read_operator_jwt, validate as validate_operators};
pub use tls::parse_tls;

/// Collected problems of one configuration.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in &self.warnings {
            writeln!(f, "{w}")?;
        }
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// Reading or parsing the file failed (Go's conf package error text).
    Parse(conf::ConfError),
    /// The file parsed but its options are wrong.
    Options(ConfigErrors),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Parse(e) => write!(f, "{e}"),
            LoadError::Options(e) => write!(f, "{e}"),
        }
    }
}

/// Read `path` into `opts`. Returns the config digest (`sha256:...`) Go prints for `-t`. Warnings
/// alone fail it, as they fail Go's `-t`.
pub fn load_file(opts: &mut Options, path: &Path) -> Result<String, LoadError> {
    let (map, digest) = conf::parse_file_with_digest(path).map_err(LoadError::Parse)?;
    opts.config_file = Some(path.to_path_buf());
    apply_map(opts, &map, &path.display().to_string()).map_err(LoadError::Options)?;
    Ok(digest)
}

/// Go's `ProcessConfigFile` as starting and reloading use it: a file with warnings but no errors
/// still loads. Returns the digest and the warnings (`file:line:col: text`), which the caller prints
/// or drops as Go does.
pub fn load_file_allowing_warnings(
    opts: &mut Options,
    path: &Path,
) -> Result<(String, Vec<String>), LoadError> {
    let (map, digest) = conf::parse_file_with_digest(path).map_err(LoadError::Parse)?;
    opts.config_file = Some(path.to_path_buf());
    match apply_map(opts, &map, &path.display().to_string()) {
        Ok(()) => Ok((digest, Vec::new())),
        Err(e) if e.errors.is_empty() => Ok((digest, e.warnings)),
        Err(e) => Err(LoadError::Options(e)),
    }
}

/// Apply a parsed configuration to `opts`.
pub fn apply_map(opts: &mut Options, map: &Map, file: &str) -> Result<(), ConfigErrors> {
    let mut ctx = Ctx::default();
    if map.is_empty() {
        ctx.warnings
            .push(format!("{file}: config has no values or is empty"));
    }
    for entry in map {
        let key = entry.key.to_ascii_lowercase();
        if server::apply(opts, &key, entry, &mut ctx)
            || auth::apply(opts, &key, entry, &mut ctx)
            || accounts::apply(opts, &key, entry, &mut ctx)
            || jetstream::apply(opts, &key, entry, &mut ctx)
            || tls::apply(opts, &key, entry, &mut ctx)
            || operator::apply(opts, &key, entry, &mut ctx)
        {
            continue;
        }
        if unsupported::check(&key, entry, &mut ctx) {
            continue;
        }
        if !entry.used_as_variable {
            ctx.errors.push(format!(
                "{}: unknown field {:?}",
                entry.value.pos, entry.key
            ));
        }
    }
    operator::finish(opts);
    // Go's `setBaselineOptions`: `listen: 4222` or `listen: ":4222"` leave the host empty, which means
    // every interface.
    if opts.host.is_empty() {
        opts.host = crate::consts::DEFAULT_HOST.to_string();
    }
    if ctx.errors.is_empty() && ctx.warnings.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors {
            errors: ctx.errors,
            warnings: ctx.warnings,
        })
    }
}
