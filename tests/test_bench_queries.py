"""scripts/bench_queries.py: each bundled query timed over a build, beside a revision's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_queries.py"
bench_queries = load_script("bench_queries")


def test_a_query_is_timed_with_its_rows(built_corpus: Path) -> None:
    timing = bench_queries.time_query(built_corpus, "SELECT ?s WHERE { ?s a ?c } LIMIT 7", 2, 60)
    assert isinstance(timing, bench_queries.Timing)
    assert timing.rows == 7 and timing.seconds >= 0


def test_a_query_past_its_timeout_is_stopped(built_corpus: Path) -> None:
    everything = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # hours, unstopped
    assert bench_queries.time_query(built_corpus, everything, 1, 1) == "stopped after 1 s"


def test_a_bad_query_says_why(built_corpus: Path) -> None:
    said = bench_queries.time_query(built_corpus, "SELECT nothing", 1, 60)
    assert isinstance(said, str) and "SPARQL" in said


def test_the_table_compares_with_a_revision(built_corpus: Path) -> None:
    """Against the checked-out revision, every query gives the rows it gives now."""
    checkout = subprocess.run(["git", "rev-parse", "HEAD"], cwd=SCRIPT.parent, capture_output=True)
    if checkout.returncode:
        pytest.skip("not a git checkout")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(built_corpus), "--baseline", "HEAD", "--repeat", "1"]
        + ["--query", "who_visited_whom", "--query", "visits", "--param", "party=高雄市"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("| who")]
    assert len(lines) == 1 and lines[0].endswith("| same |")
    assert "| visits" not in result.stdout  # takes no party: not run


def test_the_rows_are_compared_as_they_come_and_as_a_set() -> None:
    def timing(rows: list[dict[str, object]]) -> object:
        return bench_queries.Timing(len(rows), 0.1, *bench_queries.digests(rows))

    one, two = {"a": 1}, {"a": 2}
    assert bench_queries._same(timing([one, two]), timing([one, two])) == "same"
    assert bench_queries._same(timing([one, two]), timing([two, one])) == "order"
    assert bench_queries._same(timing([one, two]), timing([one])) == "DIFFER"
    assert bench_queries._same(timing([one]), "stopped after 1 s") == ""


def test_a_query_whose_process_dies_says_so(
    built_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_queries, "open_store", lambda _out: os._exit(3))
    said = bench_queries.time_query(built_corpus, "SELECT * WHERE { ?s ?p ?o }", 1, 60)
    assert said == "the query's process died (exit status 3)"
