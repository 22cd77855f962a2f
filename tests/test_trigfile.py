"""graph.trig's blocks made from the lines a build loads (kgraph.trigfile)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.store import EmbeddedStore, NQuadsWriter
from kgraph.trigfile import TrigSpool, turtle_body

EX = "http://example.org/"


def _graphs(count: int) -> list[str]:
    return [f"{EX}graph/{n:03d}" for n in range(count)]


def _triple(n: int, text: str = "") -> ox.Triple:
    return ox.Triple(
        ox.NamedNode(f"{EX}s{n % 7}"),
        ox.NamedNode(f"{EX}p{n % 3}"),
        ox.Literal(text or f'值 {n} "quoted" \\ and\na new line', language="zh-Hant"),
    )


def _parsed(graph: str, body: bytes) -> set[str]:
    """The triples of a block whose body is ``body``, as a strict TriG parser reads them."""
    block = f"<{graph}> {{\n".encode() + body + b"}\n"
    return {str(q.triple) for q in ox.parse(block, format=ox.RdfFormat.TRIG)}


def test_the_writers_of_a_spool_give_each_graph_its_lines_each_once(tmp_path: Path) -> None:
    """Two writers (the main process and a worker) spool lines of many graphs, some
    twice and in any order; each graph's body holds exactly its triples."""
    graphs = _graphs(150)  # more graphs than ranges: several graphs share a file
    main = TrigSpool(tmp_path / "spool", graphs)
    worker = main.part("part-0001")
    expected: dict[str, set[str]] = {g: set() for g in graphs}
    for n, graph in enumerate(graphs * 2):  # each graph's lines from both writers, twice
        triples = [_triple(n % 150), _triple(n % 150 + 1), _triple(n)]
        spool = main if n < 150 else worker
        spool.add({graph: "".join(f"{t} <{graph}> .\n" for t in triples).encode()})
        expected[graph] |= {str(t) for t in triples}
    main.add({f"{EX}graph/not-held": f"{_triple(0)} <{EX}graph/not-held> .\n".encode()})
    main.close()
    worker.close()
    for graph in graphs:  # asked in IRI order, as write_trig does
        body = main.body(graph)
        assert _parsed(graph, body) == expected[graph]
        assert len(body.splitlines()) == len(expected[graph])  # no triple twice
    assert not main.holds(f"{EX}graph/not-held")


def test_a_graph_that_got_no_line_has_an_empty_body(tmp_path: Path) -> None:
    spool = TrigSpool(tmp_path / "spool", _graphs(3))
    spool.close()
    assert spool.body(_graphs(3)[1]) == b""


def test_write_trig_takes_the_spooled_graphs_and_dumps_the_others(tmp_path: Path) -> None:
    """The graphs a loader wrote with a spool come from the spool; a graph it did not
    write (the ontology's, loaded whole) is dumped from the store; both are in the file."""
    written, other = _graphs(2)
    spool = TrigSpool(tmp_path / "spool", [written])
    with EmbeddedStore(tmp_path / "store", create=True) as store:
        store.replace_graph(other, f"<{EX}a> <{EX}b> _:x . _:x <{EX}c> 1 .", "turtle")
        with store.loader(batch=2, spool=spool) as load:
            for n in range(5):
                load.add(written, [_triple(n), _triple(n)])
        blocks = store.write_trig(tmp_path / "g.trig", spool=spool)
        stored = {str(q) for q in store.store.quads_for_pattern(None, None, None, None)}
    data = (tmp_path / "g.trig").read_bytes()
    start, length = blocks[written]
    assert data[start : start + length].count(b"\n") == 2 + 5  # head, 5 triples, end
    read = {str(q) for q in ox.parse(data, format=ox.RdfFormat.TRIG)}
    assert len(read) == len(stored) == 7
    assert {q for q in read if written in q} == {q for q in stored if written in q}


def test_worker_lines_reach_the_spool_through_an_nquads_writer(tmp_path: Path) -> None:
    graph = _graphs(1)[0]
    spool = TrigSpool(tmp_path / "spool", [graph])
    with NQuadsWriter(tmp_path / "part.nq", batch=1, spool=spool.part("part-0000")) as out:
        out.add(graph, [_triple(1), _triple(2)])
    assert _parsed(graph, spool.body(graph)) == {str(_triple(1)), str(_triple(2))}


texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), texts), max_size=30))
def test_turtle_body_reads_back_as_the_set_of_its_lines(items: list[tuple[int, str]]) -> None:
    graph = _graphs(1)[0]
    triples = [_triple(n, text or "x") for n, text in items]
    lines = "".join(f"{t} <{graph}> .\n" for t in triples).encode()
    body = turtle_body(lines, f" <{graph}> .\n".encode())
    assert _parsed(graph, body) == {str(t) for t in triples}
    assert turtle_body(lines, f" <{graph}> .\n".encode()) == body
