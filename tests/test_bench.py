"""scripts/bench.py: what it checks before its long run (the run itself is the bench)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgraph.browser import require_chromium
from kgraph.errors import KgraphError

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"


def test_no_chromium_is_said_before_any_build(tmp_path: Path) -> None:
    """The view is drawn last, after a quarter of an hour of builds: a machine without
    chromium must hear so at once, in one line, with nothing made."""
    bare = tmp_path / "bin"
    bare.mkdir()
    result = subprocess.run(
        [sys.executable, str(BENCH), "--work", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(bare)},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bench: [E090] no chromium on PATH: install it with scripts/setup.sh --test "
        "(Debian's chromium)"
    ]
    assert not (tmp_path / "work").exists()


def test_chromium_is_found_or_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(KgraphError, match="E090"):
        require_chromium()
