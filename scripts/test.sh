#!/usr/bin/env bash
# Sets up Kinlink with its test dependencies and runs the whole suite (lint, types, tests).
# PostgreSQL tests run when KINLINK_TEST_POSTGRES_URL is set; Spark tests need a Java runtime;
# the browser tests drive Debian's Chromium (Playwright never downloads a browser here).
set -euo pipefail
cd "$(dirname "$0")/.."
# What the tests need from Debian, installed in one go when missing and running as root:
# Java for Spark, pdftoppm for the report's test, Chromium for the browser tests.
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
scripts/setup.sh dev,spark
.venv/bin/ruff check src tests bench
.venv/bin/mypy
scripts/audit.sh
# Two workers: the suite (SQLite, PostgreSQL, Spark, browser) takes about 6 minutes, not 15.
exec .venv/bin/python -m pytest -n 2 "$@"
