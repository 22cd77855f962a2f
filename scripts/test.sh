#!/usr/bin/env bash
# The whole check: lint (ruff), types (mypy), then the test suite with doctests (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KGRAPH_VENV:-.venv}"
bin="$venv/bin"
"$bin/ruff" check kgraph tests scripts
"$bin/ruff" format --check kgraph tests scripts
"$bin/mypy" kgraph
"$bin/python" -m pytest -q "$@"
