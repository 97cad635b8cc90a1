#!/usr/bin/env bash
# Sets up Kinlink and runs the demo on a synthetic borough. Extra arguments go to `kinlink demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/kinlink demo "$@"
