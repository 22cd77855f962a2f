"""The graph-local queries' rows, read graph by graph and kept per document between
builds (kgraph.graphrows)."""

from __future__ import annotations

import json
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kgraph import graphrows
from kgraph.api import GRAPH_LOCAL, ROW_ORDER, load_query, sort_rows
from kgraph.build import MAP_FILE, VIEW_FILE, build
from kgraph.cache import CACHE_DIR
from kgraph.graph import info_of
from kgraph.graphrows import ROWS_FILE, ByGraph, GraphRows, together
from kgraph.ingest import read_document
from kgraph.model import DocumentInfo
from kgraph.namespace import DEFAULT_BASE
from kgraph.store import MANIFEST_FILE, STORE_DIR, EmbeddedStore, Row

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TEXT = (CORPUS / "kaohsiung-2025h1-international-affairs.txt").read_text(encoding="utf-8")


def _documents(folder: Path) -> list[DocumentInfo]:
    return [info_of(read_document(p)) for p in sorted(folder.glob("*.txt"))]


def _inputs(out: Path) -> dict[str, str]:
    graphs = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    return {str(g): str(h) for g, h in graphs.items()}


def _sorted(rows: dict[str, list[Row]]) -> dict[str, list[Row]]:
    return {name: sort_rows(list(found), ROW_ORDER[name]) for name, found in rows.items()}


def _union_rows(out: Path) -> dict[str, list[Row]]:
    """Each graph-local query's rows over the whole store."""
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return _sorted({name: store.select(load_query(name)) for name in GRAPH_LOCAL})


def _read(rows: GraphRows, out: Path, threads: int = 1) -> dict[str, list[Row]]:
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return _sorted(together(rows.read(store, threads)))


def test_the_rows_graph_by_graph_are_the_rows_over_the_store(built_corpus: Path) -> None:
    """Each row of a graph-local query comes from one document's graph: read graph by
    graph, kept, or both, the rows are the query's rows over the whole store."""
    inputs = _inputs(built_corpus)
    documents = _documents(CORPUS)
    rows = GraphRows.open(built_corpus, documents, inputs, DEFAULT_BASE)
    assert len(rows.kept().graphs) == len(documents)
    expected = _union_rows(built_corpus)
    assert set(expected) == set(GRAPH_LOCAL)
    assert all(len(found) > 100 for found in expected.values()), expected.keys()
    assert len(expected["sources"]) > 1000
    changed = {g: "other" for g in sorted(rows.kept().graphs)[::2]}
    fewer = replace(rows, inputs={**rows.inputs, **changed})  # these read from their graphs
    assert 0 < len(fewer.kept().graphs) < len(rows.kept().graphs)
    assert _read(rows, built_corpus) == expected  # all kept
    assert _read(fewer, built_corpus, threads=2) == expected
    assert _read(replace(rows, previous=None), built_corpus) == expected  # none kept


def test_a_graph_made_from_other_inputs_is_read_again(built_corpus: Path) -> None:
    inputs = _inputs(built_corpus)
    rows = GraphRows.open(built_corpus, _documents(CORPUS), inputs, DEFAULT_BASE)
    changed = sorted(rows.kept().graphs)[0]
    again = GraphRows.open(
        built_corpus, _documents(CORPUS), {**inputs, changed: "other"}, DEFAULT_BASE
    )
    assert set(rows.kept().graphs) - set(again.kept().graphs) == {changed}
    gone = GraphRows.open(built_corpus, _documents(CORPUS)[1:], inputs, DEFAULT_BASE)
    # a report no longer in the corpus
    assert len(gone.kept().graphs) == len(rows.kept().graphs) - 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle",
        pickle.dumps(("other queries", {}, {})),
        pickle.dumps([1, 2, 3]),
        pickle.dumps((graphrows.stamp(), {}, {"g": ("h", {"sources": [(1,)]})})),
        pickle.dumps((graphrows.stamp(), {"sources": ("a",)}, {"g": ("h", {"sources": [(1, 2)]})})),
    ],
)
def test_a_damaged_or_foreign_file_keeps_nothing(
    built_corpus: Path, tmp_path: Path, content: bytes
) -> None:
    out = tmp_path / "kg-out"
    (out / CACHE_DIR).mkdir(parents=True)
    shutil.copy(built_corpus / MANIFEST_FILE, out / MANIFEST_FILE)
    (out / CACHE_DIR / ROWS_FILE).write_bytes(content)
    rows = GraphRows.open(out, _documents(CORPUS), _inputs(out), DEFAULT_BASE)
    assert rows.kept().graphs == {}


def test_an_entry_without_every_query_is_left_out(tmp_path: Path) -> None:
    rows = GraphRows({"g:a": "h", "g:b": "h"}, tmp_path)
    whole = {name: [] for name in GRAPH_LOCAL}
    rows.save(tmp_path, ByGraph({}, {"g:a": whole, "g:b": {"sources": []}}))
    assert rows.kept().graphs == {"g:a": whole}


def test_a_rebuild_with_a_report_more_draws_the_views_of_a_build_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views of a rebuild, drawn from the rows the last build kept and those of the
    graphs it wrote, are those of a build from nothing; and what it keeps in turn are the
    queries' rows over its store."""
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c = folder / "a.txt", folder / "b.txt", folder / "c.txt"
    for path, (start, end) in zip((a, b, c), [(0, 420), (420, 1400), (1400, 2600)], strict=True):
        path.write_text(TEXT[start:end], encoding="utf-8")
    out = tmp_path / "kg-out"
    build([a, b], out)
    reused: list[int] = []
    read = GraphRows.read

    def spy(self: GraphRows, store: EmbeddedStore, threads: int = 1) -> ByGraph:
        reused.append(len(self.kept().graphs))
        return read(self, store, threads)

    monkeypatch.setattr(GraphRows, "read", spy)
    build([a, b, c], out)
    assert reused and reused[0] > 0  # the rows of a kept graph came from the last build
    fresh = tmp_path / "fresh"
    build([a, b, c], fresh)
    for page in (VIEW_FILE, MAP_FILE):
        assert (out / page).read_bytes() == (fresh / page).read_bytes()
    kept = GraphRows.open(out, _documents(folder), _inputs(out), DEFAULT_BASE)
    assert len(kept.kept().graphs) == 3
    assert _read(kept, out) == _union_rows(out)


def test_a_build_without_views_keeps_no_rows(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    a = tmp_path / "in" / "a.txt"
    a.write_text(TEXT[:420], encoding="utf-8")
    build([a], tmp_path / "kg-out", views=False)
    assert not (tmp_path / "kg-out" / CACHE_DIR / ROWS_FILE).exists()


@pytest.mark.parametrize(
    ("columns", "sources"),
    [
        ({"sources": ("a",)}, [(1, 2)]),  # a value too many
        ({"sources": ("a",)}, [[1]]),  # a row that is not a tuple
        ({}, [(1,)]),  # rows of a query without columns
    ],
)
def test_a_row_that_does_not_fit_its_columns_keeps_nothing(
    tmp_path: Path, columns: dict[str, tuple[str, ...]], sources: list
) -> None:
    rows = GraphRows({"g:a": "h"}, tmp_path)
    whole = {name: [] for name in GRAPH_LOCAL}
    fits = ByGraph({"sources": ("a",)}, {"g:a": {**whole, "sources": [(1,)]}})
    rows.save(tmp_path, fits)
    assert rows.kept() == fits
    rows.save(tmp_path, ByGraph(columns, {"g:a": {**whole, "sources": sources}}))
    assert rows.kept().graphs == {}
