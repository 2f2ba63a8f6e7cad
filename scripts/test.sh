#!/usr/bin/env bash
# Run every test of the workspace, then the differential scenarios against the Go server, then the parity
# gate (which reads the results just recorded). Each step runs even when an earlier one failed, so failing
# claimants are reported as such; any failure fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "cargo-nextest is missing: installing it (cargo install --locked cargo-nextest)" >&2
  cargo install --locked cargo-nextest || exit 1
fi
cargo nextest run --workspace --profile ci
tests=$?
# Reuse the debug binary nextest just built rather than building another variant.
target="${CARGO_TARGET_DIR:-target}"
RNATS_SERVER="$target/debug/rnats-server" cargo run -q -p harness -- diff
scenarios=$?
cargo run -q -p harness -- gate
gate=$?
if [ $tests -ne 0 ] || [ $scenarios -ne 0 ] || [ $gate -ne 0 ]; then
  echo "tests exit $tests, scenarios exit $scenarios, gate exit $gate" >&2
  exit 1
fi
