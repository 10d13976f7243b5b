#!/usr/bin/env bash
# Installs Splink 5 into a virtualenv beside the build (target/splink-venv), for the linkage
# benchmark's side-by-side comparison (`cargo bench -p girok-linkage` runs it when present).
# Not needed by the tests. Versions are pinned so the comparison is reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CARGO_TARGET_DIR:-target}/splink-venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q "splink==5.0.0" "duckdb==2.0.1" "pandas==3.1.1"
echo "Splink installed in $venv; now: cargo bench -p girok-linkage"
