"""The facts' passages kept per document between builds (kgraph.passages)."""

from __future__ import annotations

import json
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kgraph import passages
from kgraph.api import ROW_ORDER, load_query, sort_rows
from kgraph.build import MAP_FILE, VIEW_FILE, build
from kgraph.cache import CACHE_DIR
from kgraph.graph import info_of
from kgraph.ingest import read_document
from kgraph.model import DocumentInfo
from kgraph.namespace import DEFAULT_BASE
from kgraph.passages import PASSAGES_FILE, PassageCache
from kgraph.store import MANIFEST_FILE, STORE_DIR, EmbeddedStore, Row

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TEXT = (CORPUS / "kaohsiung-2025h1-international-affairs.txt").read_text(encoding="utf-8")


def _documents(folder: Path) -> list[DocumentInfo]:
    return [info_of(read_document(p)) for p in sorted(folder.glob("*.txt"))]


def _inputs(out: Path) -> dict[str, str]:
    graphs = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    return {str(g): str(h) for g, h in graphs.items()}


def _sorted(rows: list[Row]) -> list[Row]:
    return sort_rows(rows, ROW_ORDER["sources"])


def _union_rows(out: Path) -> list[Row]:
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return _sorted(store.select(load_query("sources")))


def test_the_kept_rows_and_those_read_again_are_the_rows_of_sources_rq(
    built_corpus: Path,
) -> None:
    """Each row comes from one document's graph: the rows a build kept, with those of
    any graphs read from the store alone, are the query's rows over the whole store."""
    inputs = _inputs(built_corpus)
    told = PassageCache.open(built_corpus, _documents(CORPUS), inputs, DEFAULT_BASE)
    assert len(told.kept()) == len(_documents(CORPUS))
    expected = _union_rows(built_corpus)
    assert len(expected) > 1000
    changed = {g: "other" for g in sorted(told.kept())[::2]}
    fewer = replace(told, inputs={**inputs, **changed})  # these read from their graphs
    assert 0 < len(fewer.kept()) < len(told.kept())
    with EmbeddedStore(built_corpus / STORE_DIR, read_only=True) as store:
        assert _sorted(told.rows(store) or []) == expected  # all kept
        assert _sorted(fewer.rows(store) or []) == expected
        assert replace(told, previous=None).rows(store) is None  # nothing kept: query it all


def test_a_graph_made_from_other_inputs_is_read_again(built_corpus: Path) -> None:
    inputs = _inputs(built_corpus)
    told = PassageCache.open(built_corpus, _documents(CORPUS), inputs, DEFAULT_BASE)
    changed = sorted(told.kept())[0]
    again = PassageCache.open(
        built_corpus, _documents(CORPUS), {**inputs, changed: "other"}, DEFAULT_BASE
    )
    assert set(told.kept()) - set(again.kept()) == {changed}
    gone = PassageCache.open(built_corpus, _documents(CORPUS)[1:], inputs, DEFAULT_BASE)
    assert len(gone.kept()) == len(told.kept()) - 1  # a report no longer in the corpus


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle", pickle.dumps(("another query", {})), pickle.dumps([1, 2, 3])],
)
def test_a_damaged_or_foreign_file_keeps_nothing(
    built_corpus: Path, tmp_path: Path, content: bytes
) -> None:
    out = tmp_path / "kg-out"
    (out / CACHE_DIR).mkdir(parents=True)
    shutil.copy(built_corpus / MANIFEST_FILE, out / MANIFEST_FILE)
    (out / CACHE_DIR / PASSAGES_FILE).write_bytes(content)
    told = PassageCache.open(out, _documents(CORPUS), _inputs(out), DEFAULT_BASE)
    assert told.kept() == {}


def test_a_damaged_entry_is_left_out() -> None:
    good = ("hash", [(0, 4, "高雄市", ("https://x.org/a",))])
    assert passages._checked({"g:a": good, "g:b": "junk", 3: good}) == {"g:a": good}


def test_a_rebuild_with_a_report_more_draws_the_views_of_a_build_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views of a rebuild, drawn from the passages the last build kept and those of
    the graphs it wrote, are those of a build from nothing; and what it keeps in turn is
    the query's rows over its store."""
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c = folder / "a.txt", folder / "b.txt", folder / "c.txt"
    for path, (start, end) in zip((a, b, c), [(0, 420), (420, 1400), (1400, 2600)], strict=True):
        path.write_text(TEXT[start:end], encoding="utf-8")
    out = tmp_path / "kg-out"
    build([a, b], out)
    reused: list[int] = []
    rows_of = PassageCache.rows

    def spy(self: PassageCache, store: EmbeddedStore) -> list[Row] | None:
        reused.append(len(self.kept()))
        return rows_of(self, store)

    monkeypatch.setattr(PassageCache, "rows", spy)
    build([a, b, c], out)
    assert reused and reused[0] > 0  # the rows of a kept graph came from the last build
    fresh = tmp_path / "fresh"
    build([a, b, c], fresh)
    for page in (VIEW_FILE, MAP_FILE):
        assert (out / page).read_bytes() == (fresh / page).read_bytes()
    told = PassageCache.open(out, _documents(folder), _inputs(out), DEFAULT_BASE)
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        assert _sorted(told.rows(store) or []) == _union_rows(out)


def test_a_build_without_views_keeps_no_passages(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    a = tmp_path / "in" / "a.txt"
    a.write_text(TEXT[:420], encoding="utf-8")
    build([a], tmp_path / "kg-out", views=False)
    assert not (tmp_path / "kg-out" / CACHE_DIR / PASSAGES_FILE).exists()
