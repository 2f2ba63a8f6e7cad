#!/usr/bin/env bash
# Run every test of the workspace, then the parity gate (which reads the test results just recorded).
# The gate runs even when tests fail, so a failing claimant is reported as such; either failure fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "cargo-nextest is missing: installing it (cargo install --locked cargo-nextest)" >&2
  cargo install --locked cargo-nextest || exit 1
fi
cargo nextest run --workspace --profile ci
tests=$?
cargo run -q -p harness -- gate
gate=$?
if [ $tests -ne 0 ] || [ $gate -ne 0 ]; then
  echo "tests exit $tests, gate exit $gate" >&2
  exit 1
fi
