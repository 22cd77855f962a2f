#!/usr/bin/env bash
# Install kgraph into a virtual environment (.venv, or $KGRAPH_VENV).
#   bash scripts/setup.sh          the package and its runtime dependencies
#   bash scripts/setup.sh --test   plus what the test suite needs (pytest, ruff, mypy, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KGRAPH_VENV:-.venv}"
extras=""
for arg in "$@"; do
  case "$arg" in
    --test) extras="[test]" ;;
    --dev) extras="[dev]" ;;
    *) echo "setup.sh: unknown option $arg (expected --test or --dev)" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-python3}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".$extras"
echo "kgraph installed in $venv (activate with: source $venv/bin/activate)"
