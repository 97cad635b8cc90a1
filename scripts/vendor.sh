#!/usr/bin/env bash
# Fetches the web app's front-end packages from the npm registry and copies their built files
# into src/kinlink/web/static/vendor/ (committed: the app makes no external request at run
# time and needs no npm to run). axe-core goes to tests/web/vendor/: the browser tests use it,
# the app does not ship it.
# Usage: scripts/vendor.sh   (re-run after changing a version below)
set -euo pipefail
cd "$(dirname "$0")/.."

# The one place the front-end versions are pinned.
GOVUK_FRONTEND=6.6.0
HTMX=2.0.11
CYTOSCAPE=3.34.4
AXE_CORE=4.14.1

out=src/kinlink/web/static/vendor
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

unpack() {  # unpack NAME VERSION: the package's files under $tmp/NAME/package
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
  mkdir -p "$tmp/$1" && tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1"
}

unpack govuk-frontend "$GOVUK_FRONTEND"
unpack htmx.org "$HTMX"
unpack cytoscape "$CYTOSCAPE"
unpack axe-core "$AXE_CORE"

tests_out=tests/web/vendor
rm -rf "$out" "$tests_out" && mkdir -p "$out/govuk-frontend" "$out/htmx" "$out/cytoscape" "$tests_out"
govuk="$tmp/govuk-frontend/package/dist/govuk"
cp "$govuk/govuk-frontend.min.js" "$out/govuk-frontend/"
# The stylesheet names its fonts and images from the site root (/assets/...); made relative
# to the stylesheet, they are served from beside it wherever the app is mounted.
sed 's#url(/assets/#url(assets/#g' "$govuk/govuk-frontend.min.css" > "$out/govuk-frontend/govuk-frontend.min.css"
cp -r "$govuk/assets" "$out/govuk-frontend/assets"
cp "$tmp/htmx.org/package/dist/htmx.min.js" "$tmp/htmx.org/package/LICENSE" "$out/htmx/"
cp "$tmp/cytoscape/package/dist/cytoscape.min.js" "$tmp/cytoscape/package/LICENSE" "$out/cytoscape/"
cp "$tmp/axe-core/package/axe.min.js" "$tmp/axe-core/package/LICENSE" "$tests_out/"
echo "axe-core $AXE_CORE (MPL-2.0), written by scripts/vendor.sh" > "$tests_out/VERSION"

cat > "$out/VERSIONS" <<VERSIONS
# Written by scripts/vendor.sh from the npm registry; do not edit by hand.
govuk-frontend $GOVUK_FRONTEND (MIT)
htmx.org $HTMX (0BSD)
cytoscape $CYTOSCAPE (MIT)
VERSIONS
echo "Vendored into $out (and axe-core into $tests_out):"
cat "$out/VERSIONS"
