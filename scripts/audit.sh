#!/usr/bin/env bash
# Dependency audit: every package pinned in requirements.lock against known vulnerabilities
# (pip-audit), and no secret committed to the repository.
#
# pip-audit needs a vulnerability service: PyPI's per-release JSON API or OSV. Where neither
# answers (an offline build machine, a mirror that serves only packages) the audit cannot be
# done, and this script says so plainly instead of reporting "no known vulnerabilities" for
# packages it never checked. Set KINLINK_REQUIRE_AUDIT=1 (as CI does) to fail in that case.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"

secrets=$(git grep -n -I -E \
  -e '-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----' \
  -e 'AKIA[0-9A-Z]{16}' -e 'gh[pousr]_[A-Za-z0-9]{36}' -e 'xox[baprs]-[A-Za-z0-9-]{10,}' \
  -e '(postgres(ql)?(\+[a-z]+)?|mysql)://[^:@/ ]+:[^@/ ]{3,}@' \
  -- . ':!scripts/audit.sh' || true)
if [ -n "$secrets" ]; then
  echo "audit: something that looks like a secret is committed:" >&2
  echo "$secrets" >&2
  exit 1
fi
echo "audit: no secrets found in the repository"

reachable() {
  "$python" - <<'PY'
import sys, urllib.request
try:  # the release endpoint pip-audit's PyPI service reads, for a release that exists
    with urllib.request.urlopen("https://pypi.org/pypi/pip/24.0/json", timeout=10) as r:
        sys.exit(0 if b'"vulnerabilities"' in r.read() else 1)
except Exception:
    sys.exit(1)
PY
}
if reachable; then
  "$python" -m pip_audit --requirement requirements.lock --vulnerability-service pypi \
    --strict --progress-spinner off
elif [ "${KINLINK_REQUIRE_AUDIT:-0}" = 1 ]; then
  echo "audit: FAILED: no vulnerability service is reachable (PyPI's release API, OSV)" >&2
  exit 1
else
  echo "audit: SKIPPED the dependency audit: no vulnerability service is reachable from" \
       "here (PyPI's release API, OSV); nothing was checked. Run scripts/audit.sh where" \
       "the network allows it, or set KINLINK_REQUIRE_AUDIT=1 to make this an error." >&2
fi
