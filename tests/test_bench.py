"""scripts/bench.py: what it checks before its long run (the run itself is the bench)."""

from __future__ import annotations

import json
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


def test_an_earlier_run_s_table_is_printed_again(tmp_path: Path) -> None:
    """``--table`` recomputes the targets of a results.json, without a run."""
    gib = 1024**3
    store = {"quads": 4_000_000, "load_seconds": 20.0, "load_per_second": 200_000.0}
    figures = {
        "tokenizer_seconds": 10.0,
        "build_small": {"seconds": 20.0, "peak_rss": 0.25 * gib},
        "build_large": {"seconds": 200.0, "peak_rss": 1.0 * gib},
        "build_large_jobs2": {"seconds": 100.0, "peak_rss": 1.0 * gib},
        "incremental": {"seconds": 8.0, "peak_rss": 1.0 * gib},
        "store": {
            "memory": {**store, "query_ms": 5.0, "query_rows": 19},
            "disk": {**store, "query_ms": 2.0, "query_rows": 19},
            "rdflib_query_ms": 1000.0,
            "rdflib_rows": 19,
        },
        "draw_seconds": 4.0,
        "startup_seconds": 0.1,
        "machine": "a test machine",
    }
    results = tmp_path / "results.json"
    results.write_text(json.dumps(figures), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(BENCH), "--table", str(results)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "| build / tokenizer (jobs 1) | 20.00× | ≤ 3× | NO |" in lines
    # no target: one bulk load of the quads (graph.trig is written from the same lines)
    assert "| … of which writing the graph's quads alone | ≥ 2.00× |  |  |" in lines
    assert "| jobs 1 / jobs 2 | 2.00× | ≥ 1.6× | yes |" in lines
    assert "| peak RSS large / small | 4.00× | ≤ 1.5× | NO |" in lines
    assert "| incremental / full build | 0.04× | ≤ 0.05× | yes |" in lines
    assert lines[-1] == "a test machine"
