#!/usr/bin/env bash
# Creates .venv in the checkout and installs Kinlink with its pinned dependencies.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh dev,spark
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Kinlink needs Python 3.11 or newer as '$python' (set PYTHON=...)." >&2
  exit 1
fi
# The PDF report (WeasyPrint) draws text with Pango and Debian's DejaVu fonts.
if { ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || [ ! -d /usr/share/fonts/truetype/dejavu ]; } \
    && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core >/dev/null
fi
stamp=".venv/.kinlink-installed-$(sha256sum requirements.lock bench/requirements.lock pyproject.toml | sha256sum | cut -c1-16)-${extras//,/_}"
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.lock
  # The peers' packages are locked apart: only the benchmarks need them.
  if [[ ",$extras," == *,bench,* ]]; then
    .venv/bin/python -m pip install --quiet -r bench/requirements.lock
  fi
  .venv/bin/python -m pip install --quiet --no-deps -e ".${extras:+[$extras]}"
  rm -f .venv/.kinlink-installed-*
  touch "$stamp"
fi
