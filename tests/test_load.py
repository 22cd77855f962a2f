"""kgraph.load: a rebuild starts from the last build's store and writes only the graphs
whose inputs changed, and gives the very store a build from nothing gives."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgraph.build import build
from kgraph.graph import graph_iri
from kgraph.load import earlier_build
from kgraph.namespace import DEFAULT_BASE
from kgraph.store import GRAPH_FILE, MANIFEST_FILE, STORE_DIR, EmbeddedStore

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TEXT = (CORPUS / "kaohsiung-2025h1-international-affairs.txt").read_text(encoding="utf-8")


def _reports(folder: Path, count: int) -> list[Path]:
    """``count`` small reports: stretches of a real one, each telling its own items."""
    folder.mkdir(exist_ok=True)
    paths = []
    for i, (start, end) in enumerate([(0, 420), (420, 1400), (1400, 2600)][:count]):
        path = folder / f"{'abc'[i]}.txt"
        path.write_text(TEXT[start:end], encoding="utf-8")
        paths.append(path)
    return paths


def _quads(out: Path) -> set[str]:
    """Every quad but the build graph's (its time stamp) and blank nodes (new each time)."""
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return {
            str(q)
            for q in store.store
            if "/graph/_build" not in str(q.graph_name)
            and not isinstance(q.subject, ox.BlankNode)
            and not isinstance(q.object, ox.BlankNode)
        }


def _trig(out: Path) -> set[str]:
    """The quads of ``graph.trig``, as :func:`_quads` takes them."""
    return {
        str(q)
        for q in ox.parse(path=out / GRAPH_FILE, format=ox.RdfFormat.TRIG)
        if "/graph/_build" not in str(q.graph_name)
        and not isinstance(q.subject, ox.BlankNode)
        and not isinstance(q.object, ox.BlankNode)
    }


def _graphs(out: Path) -> set[str]:
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return {g.value for g in store.store.named_graphs()}


def _build(paths: list[Path], out: Path, jobs: int = 1, base: str = DEFAULT_BASE) -> list[str]:
    said: list[str] = []
    build(paths, out, views=False, jobs=jobs, base=base, progress=said.append)
    return said


@pytest.mark.parametrize("jobs", [1, 2])
def test_adding_a_report_rewrites_its_graphs_only_and_gives_the_same_store(
    tmp_path: Path, jobs: int
) -> None:
    a, b, c = _reports(tmp_path / "in", 3)
    out = tmp_path / "kg-out"
    _build([a, b], out, jobs)
    before = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    said = _build([a, b, c], out, jobs)
    after = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    fresh = tmp_path / "fresh"
    _build([a, b, c], fresh, jobs)
    assert _quads(out) == _quads(fresh) and _graphs(out) == _graphs(fresh)
    assert _trig(out) == _trig(fresh) == _quads(fresh)
    kept = [g for g, d in after.items() if before.get(g) == d]
    assert str(graph_iri("a", DEFAULT_BASE)) in kept
    assert str(graph_iri("c", DEFAULT_BASE)) not in kept
    assert f"kept {len(kept)} of 4 graphs from the last build" in said


def test_a_removed_or_changed_report_is_gone_from_the_store(tmp_path: Path) -> None:
    a, b, c = _reports(tmp_path / "in", 3)
    out = tmp_path / "kg-out"
    _build([a, b, c], out)
    b.write_text(TEXT[420:1000], encoding="utf-8")
    _build([a, b], out)
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _quads(out) == _quads(fresh) == _trig(out)
    assert str(graph_iri("c", DEFAULT_BASE)) not in _graphs(out)


def test_a_removed_report_s_graph_is_removed_from_the_last_store(tmp_path: Path) -> None:
    a, b, c = _reports(tmp_path / "in", 3)
    out = tmp_path / "kg-out"
    _build([a, b, c], out)
    said = _build([a, b], out)
    assert "kept 2 of 3 graphs from the last build" in said  # a's and b's
    assert str(graph_iri("c", DEFAULT_BASE)) not in _graphs(out)
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _quads(out) == _quads(fresh) == _trig(out)


@pytest.mark.parametrize("new_name", ["d.txt", "C.txt", "c .txt"])
def test_a_renamed_report_is_told_under_its_new_name(tmp_path: Path, new_name: str) -> None:
    """A file renamed keeps its text: its graph is that of a build from nothing, under
    the new name, even when the new name gives the same document id (C.txt, c .txt)."""
    a, b, c = _reports(tmp_path / "in", 3)
    out = tmp_path / "kg-out"
    _build([a, b, c], out)
    renamed = c.rename(c.with_name(new_name))
    _build([a, b, renamed], out)
    fresh = tmp_path / "fresh"
    _build([a, b, renamed], fresh)
    assert _quads(out) == _quads(fresh) == _trig(out)
    assert any(f'"{new_name}"' in q for q in _quads(out))


def test_a_rebuild_of_the_same_reports_keeps_every_graph(tmp_path: Path) -> None:
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a, b], out)
    trig = _trig(out)
    said = _build([a, b], out)
    assert "kept 3 of 3 graphs from the last build" in said
    assert _trig(out) == trig == _quads(out)


def test_a_build_of_another_base_starts_from_nothing(tmp_path: Path) -> None:
    (a,) = _reports(tmp_path / "in", 1)
    out = tmp_path / "kg-out"
    _build([a], out)
    assert earlier_build(out, DEFAULT_BASE)
    assert earlier_build(out, "https://example.org/kg/") is None
    said = _build([a], out, base="https://example.org/kg/")
    assert not any(line.startswith("kept ") for line in said)
    assert all(DEFAULT_BASE not in q for q in _quads(out) if "/ontology" not in q)


def test_a_store_that_is_not_the_one_its_manifest_lists_is_not_reused(tmp_path: Path) -> None:
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a, b], out)
    with EmbeddedStore(out / STORE_DIR) as store:  # someone dropped a graph by hand
        store.store.remove_graph(ox.NamedNode(str(graph_iri("a", DEFAULT_BASE))))
    said = _build([a, b], out)
    assert not any(line.startswith("kept ") for line in said)
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _quads(out) == _quads(fresh)


def test_no_earlier_build_or_no_graph_inputs_means_none(tmp_path: Path) -> None:
    assert earlier_build(tmp_path / "nothing", DEFAULT_BASE) is None
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / MANIFEST_FILE).write_text(json.dumps({"base": DEFAULT_BASE}))
    assert earlier_build(tmp_path / "old", DEFAULT_BASE) is None


def test_a_kept_graph_s_block_is_copied_from_the_last_graph_trig(tmp_path: Path) -> None:
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a], out)
    graph = str(graph_iri("a", DEFAULT_BASE))
    offset, length = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["trig"][graph]
    block = (out / GRAPH_FILE).read_bytes()[offset : offset + length]
    assert block.startswith(f"<{graph}> {{".encode()) and block.endswith(b"}\n")
    # A mark in the old block (a comment) shows that the new file copied it.
    marked = block.replace(b"{\n", b"{\n# kept\n", 1)
    data = (out / GRAPH_FILE).read_bytes()
    (out / GRAPH_FILE).write_bytes(data[:offset] + marked + data[offset + length :])
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    for g, (o, n) in manifest["trig"].items():
        if o > offset:
            manifest["trig"][g] = [o + len(marked) - length, n]
    manifest["trig"][graph] = [offset, len(marked)]
    (out / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    _build([a, b], out)
    assert b"# kept" in (out / GRAPH_FILE).read_bytes()
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _trig(out) == _trig(fresh) == _quads(fresh)


def test_a_block_that_is_not_where_the_manifest_says_is_dumped_again(tmp_path: Path) -> None:
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a], out)
    (out / GRAPH_FILE).write_bytes(b"# not the file the manifest speaks of\n")
    _build([a, b], out)
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _trig(out) == _trig(fresh) == _quads(fresh)


def test_a_rebuild_with_another_number_of_processes_starts_from_the_last_store(
    tmp_path: Path,
) -> None:
    """What a graph is made from does not depend on how many processes wrote it: a
    --jobs 1 rebuild of a --jobs 2 build keeps the graphs no report touched."""
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a], out, jobs=2)
    said = _build([a, b], out, jobs=1)
    assert "kept 1 of 3 graphs from the last build" in said  # a's; b's and the entities' new
    fresh = tmp_path / "fresh"
    _build([a, b], fresh, jobs=1)
    assert _quads(out) == _quads(fresh) == _trig(out)


def test_a_report_that_tells_what_another_tells_rewrites_that_one_s_graph(tmp_path: Path) -> None:
    """A new report whose happenings merge into events an earlier report tells changes
    that report's graph too (the events gain passages): it is written again, and the
    store is the one a build from nothing gives."""
    a, b, c = _reports(tmp_path / "in", 3)
    again = tmp_path / "in" / "b-again.txt"
    again.write_text(b.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "kg-out"
    _build([a, b, c], out)
    before = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    said = _build([a, b, c, again], out)
    after = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["graphs"]
    changed = {g for g, h in after.items() if before.get(g) != h}
    assert str(graph_iri("b", DEFAULT_BASE)) in changed
    assert "kept 3 of 5 graphs from the last build" in said  # a's, c's, the entities'
    fresh = tmp_path / "fresh"
    _build([a, b, c, again], fresh)
    assert _quads(out) == _quads(fresh) == _trig(out)


def test_a_build_by_another_kgraph_is_not_started_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgraph import load

    (a,) = _reports(tmp_path / "in", 1)
    out = tmp_path / "kg-out"
    _build([a], out)
    assert earlier_build(out, DEFAULT_BASE)
    monkeypatch.setattr(load, "__version__", "another")
    assert earlier_build(out, DEFAULT_BASE) is None


def test_a_store_most_of_whose_graphs_changed_is_not_started_from(tmp_path: Path) -> None:
    """Removing most graphs costs more than writing a store from nothing."""
    a, b, c = _reports(tmp_path / "in", 3)
    out = tmp_path / "kg-out"
    _build([a, b], out)
    said = _build([c], out)
    assert not any(line.startswith("kept ") for line in said)
    fresh = tmp_path / "fresh"
    _build([c], fresh)
    assert _quads(out) == _quads(fresh) == _trig(out)


def test_a_build_by_other_code_is_not_started_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other code makes every graph's hash differ: the store is written from nothing."""
    from kgraph import load

    (a,) = _reports(tmp_path / "in", 1)
    out = tmp_path / "kg-out"
    _build([a], out)
    monkeypatch.setattr(load, "code_stamp", lambda: "other code")
    assert earlier_build(out, DEFAULT_BASE) is None
    said = _build([a], out)
    assert not any(line.startswith("kept ") for line in said)


def test_damaged_block_entries_are_dumped_again(tmp_path: Path) -> None:
    a, b = _reports(tmp_path / "in", 2)
    out = tmp_path / "kg-out"
    _build([a], out)
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    graph = str(graph_iri("a", DEFAULT_BASE))
    manifest["trig"][graph] = ["0", -5]
    (out / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    _build([a, b], out)
    fresh = tmp_path / "fresh"
    _build([a, b], fresh)
    assert _trig(out) == _trig(fresh) == _quads(fresh)
