#!/usr/bin/env bash
# Refresh the third-party browser assets in kgraph/static/vendor/ from the npm registry.
# They are committed, so that the HTML views work offline and nothing is fetched at run
# time; run this only to move to newer releases (then check the map view in a browser).
set -euo pipefail
cd "$(dirname "$0")/.."
out=kgraph/static/vendor
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent leaflet@1.9.4 topojson-client@3.1.0 world-atlas@2.0.2 >/dev/null)
for pkg in leaflet-1.9.4 topojson-client-3.1.0 world-atlas-2.0.2; do
  mkdir -p "$tmp/$pkg" && tar xzf "$tmp/$pkg.tgz" -C "$tmp/$pkg"
done
cp "$tmp"/leaflet-1.9.4/package/dist/leaflet.{js,css} "$out/"
cp "$tmp"/leaflet-1.9.4/package/LICENSE "$out/LICENSE.leaflet"
cp "$tmp"/topojson-client-3.1.0/package/dist/topojson-client.min.js "$out/"
cp "$tmp"/topojson-client-3.1.0/package/LICENSE "$out/LICENSE.topojson-client"
cp "$tmp"/world-atlas-2.0.2/package/countries-110m.json "$out/"
cp "$tmp"/world-atlas-2.0.2/package/LICENSE "$out/LICENSE.world-atlas"
echo "vendored assets refreshed in $out"
