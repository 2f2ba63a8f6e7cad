#!/usr/bin/env bash
# Run every test of the workspace, then the parity gate (which reads the test results just recorded).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "cargo-nextest is missing: installing it (cargo install --locked cargo-nextest)" >&2
  cargo install --locked cargo-nextest
fi
cargo nextest run --workspace --profile ci
cargo run -q -p harness -- gate
