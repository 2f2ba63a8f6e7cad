//! `harness test-run`: runs the workspace tests and says where their results are. nextest with
//! the `ci` profile (JUnit XML) is the normal path; `cargo test` is the fallback, its output
//! shown live and saved to `target/harness/cargo-test.log` for the libtest parser.

use crate::load::Junit;
use crate::paths::Layout;
use crate::util;
use anyhow::{bail, Context, Result};
use std::io::Write;

fn nextest_available() -> bool {
    std::process::Command::new("cargo")
        .args(["nextest", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the tests; returns whether they passed and where the results are.
pub fn run(layout: &Layout, cargo_test: bool, args: &[String]) -> Result<(bool, Junit)> {
    if !cargo_test && nextest_available() {
        eprintln!(
            "running: cargo nextest run --workspace --profile ci {}",
            args.join(" ")
        );
        let status = std::process::Command::new("cargo")
            .current_dir(&layout.root)
            .args(["nextest", "run", "--workspace", "--profile", "ci"])
            .args(args)
            .status()
            .context("starting `cargo nextest`")?;
        let junit = layout.default_junit();
        if !junit.is_file() {
            bail!(
                "nextest wrote no JUnit file at {} (exit {status}); is .config/nextest.toml present?",
                junit.display()
            );
        }
        return Ok((status.success(), Junit::File(junit)));
    }
    if !cargo_test {
        eprintln!(
            "cargo-nextest not found (cargo install cargo-nextest --locked); using cargo test"
        );
    }
    eprintln!(
        "running: cargo test --workspace --no-fail-fast {}",
        args.join(" ")
    );
    let log = layout.libtest_log();
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // cargo prints `Running <binary>` on stderr and libtest the results on stdout: read both
    // through one pipe so they stay in order.
    let (mut reader, writer) = std::io::pipe().context("creating a pipe")?;
    let mut child = {
        let mut cmd = std::process::Command::new("cargo");
        cmd.current_dir(&layout.root)
            .args(["test", "--workspace", "--no-fail-fast"])
            .args(args)
            .stdout(writer.try_clone()?)
            .stderr(writer);
        cmd.spawn().context("starting `cargo test`")?
        // `cmd` drops here, closing our ends of the pipe so the read below sees EOF.
    };
    let mut saved = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = std::io::Read::read(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        // Show the output as it comes and keep it for parsing.
        std::io::stdout().write_all(&buf[..n])?;
        saved.extend_from_slice(&buf[..n]);
    }
    let status = child.wait()?;
    util::write_atomic(&log, &saved)?;
    Ok((status.success(), Junit::Libtest(log)))
}
