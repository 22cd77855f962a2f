#!/usr/bin/env bash
# Install kgraph into a virtual environment (.venv, or $KGRAPH_VENV).
#   bash scripts/setup.sh          the package and its runtime dependencies
#   bash scripts/setup.sh --test   plus what the test suite needs (pytest, ruff, mypy, ...)
#                                  and, for the browser tests, Debian's chromium and
#                                  fonts-noto-cjk (apt-get, as root or through sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KGRAPH_VENV:-.venv}"
extras=""
browser=no
for arg in "$@"; do
  case "$arg" in
    --test) extras="[test]"; browser=yes ;;
    --dev) extras="[dev]"; browser=yes ;;
    *) echo "setup.sh: unknown option $arg (expected --test or --dev)" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-python3}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".$extras"
# The browser tests drive Debian's chromium (playwright's own browser download cannot work
# offline) and need a CJK font, or Chinese renders as empty boxes in the screenshots.
install_browser() {
  if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then
    return
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "setup.sh: the browser tests need chromium and fonts-noto-cjk;" \
        "install them with: sudo apt-get install chromium fonts-noto-cjk" >&2
      return
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q chromium fonts-noto-cjk >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium fonts-noto-cjk >/dev/null; }
}
if [ "$browser" = yes ]; then
  install_browser
fi
echo "kgraph installed in $venv (activate with: source $venv/bin/activate)"
