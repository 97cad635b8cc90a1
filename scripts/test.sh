#!/usr/bin/env bash
# Sets up Kinlink with its test dependencies and runs the whole suite (lint, types, tests).
# PostgreSQL tests run when KINLINK_TEST_POSTGRES_URL is set; Spark tests need a Java runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
# The report's test turns PDF pages into images with pdftoppm.
if ! command -v pdftoppm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null
fi
scripts/setup.sh dev,spark
.venv/bin/ruff check src tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
