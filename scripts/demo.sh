#!/usr/bin/env bash
# Sets up Kinlink, runs the demo on a synthetic borough, then serves the web app on it
# (the demo prints the address and a user to sign in as; Ctrl+C stops the app).
# Extra arguments go to `kinlink demo`; with --dir, serve that folder's store.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/kinlink demo "$@"
home=var/demo
while [ $# -gt 0 ]; do
  if [ "$1" = --dir ] && [ $# -gt 1 ]; then home="$2"; fi
  shift
done
KINLINK_HOME="$home" exec .venv/bin/kinlink serve
