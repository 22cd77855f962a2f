"""Exports of the built corpus: RDF files, GraphML for Gephi, CSV tables; atomic writes."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from math import comb
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from helpers import leftovers, snapshot

from kgraph.api import KnowledgeGraph, flat_agreement, flat_entity, flat_visit
from kgraph.errors import KgraphError, StoreError
from kgraph.export import (
    EXPORT_FORMATS,
    RDF_FORMATS,
    RELATIONS,
    TABLE_FILES,
    _check_not_the_build,
    atomic_file,
    default_name,
    export,
    graph_from_records,
    to_networkx,
)

OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
NODE_KEYS = {"label", "label_en", "type", "kind", "country", "wikidata", "mentions"}
EX = "https://example.org/"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def exports(built_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format exported once from the built corpus, by format name."""
    folder = tmp_path_factory.mktemp("exports")
    written = {}
    for fmt in EXPORT_FORMATS:
        out = folder / default_name(fmt)
        assert export(built_corpus, fmt, out) == out
        written[fmt] = out
    return written


@pytest.fixture(scope="module")
def kg(built_corpus: Path) -> Iterator[KnowledgeGraph]:
    with KnowledgeGraph.open(built_corpus) as graph:
        yield graph


@pytest.fixture(scope="module")
def records(kg: KnowledgeGraph) -> dict[str, list[dict[str, Any]]]:
    return {
        "visits": kg.visit_records(),
        "agreements": kg.agreement_records(),
        "entities": kg.entity_records(),
    }


@pytest.fixture(scope="module")
def graphml(exports: dict[str, Path]) -> nx.MultiDiGraph:
    return nx.read_graphml(exports["graphml"], force_multigraph=True)


def read_table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".tmp-" in p.name or ".old-" in p.name]


# --------------------------------------------------------------------------- formats


def test_every_format_has_a_default_name() -> None:
    names = {fmt: default_name(fmt) for fmt in EXPORT_FORMATS}
    assert len(set(names.values())) == len(EXPORT_FORMATS)
    assert names["csv"].endswith("/")
    assert default_name("TURTLE") == "graph.ttl"


def test_unknown_format_is_refused_before_opening_the_store(tmp_path: Path) -> None:
    with pytest.raises(KgraphError) as info:
        export(tmp_path / "no-build", "xlsx", tmp_path / "graph.xlsx")
    assert info.value.code == "E050"
    assert "xlsx" in str(info.value) and "graphml" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(KgraphError, match=r"\[E050\]"):
        default_name("xlsx")


def test_exports_leave_no_temporary_files(exports: dict[str, Path]) -> None:
    folder = exports["turtle"].parent
    assert temp_files(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        default_name(f).rstrip("/") for f in EXPORT_FORMATS
    )


# --------------------------------------------------------------------------- RDF


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_keep_every_quad_and_graph(
    fmt: str, exports: dict[str, Path], kg: KnowledgeGraph
) -> None:
    quads = set(ox.parse(path=str(exports[fmt]), format=OX_FORMATS[fmt]))
    assert len(quads) == kg.store.count() > 1000
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert sorted(graphs) == kg.store.graphs()


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_graph_formats_hold_the_union(
    fmt: str, exports: dict[str, Path], kg: KnowledgeGraph
) -> None:
    quads = list(ox.parse(path=str(exports[fmt]), format=OX_FORMATS[fmt]))
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    distinct = kg.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert len(triples) == distinct[0]["n"]
    assert len(triples) < kg.store.count()  # facts told by several documents count once


def test_rdf_formats_are_the_store_formats() -> None:
    assert set(RDF_FORMATS) == set(OX_FORMATS)
    assert set(EXPORT_FORMATS) == {*RDF_FORMATS, "graphml", "csv"}


# --------------------------------------------------------------------------- GraphML


def _label(graph: nx.MultiDiGraph, label: str) -> str:
    found = [n for n, attrs in graph.nodes(data=True) if attrs.get("label") == label]
    assert len(found) == 1, (label, found)
    return found[0]


def test_graphml_orange_county_visited_kaohsiung(graphml: nx.MultiDiGraph) -> None:
    orange, kaohsiung = _label(graphml, "橘郡"), _label(graphml, "高雄市")
    visits = [
        attrs
        for _, host, attrs in graphml.out_edges(orange, data=True)
        if host == kaohsiung and attrs["relation"] == "visited"
    ]
    assert visits
    for attrs in visits:
        assert attrs["event"].startswith("https://")
        assert attrs["direction"] == "inbound"
        assert attrs["doc"].endswith(".txt")
        assert {"start", "end", "event_type"} <= set(attrs)
    assert graphml.nodes[kaohsiung]["type"] == "place"
    assert graphml.nodes[kaohsiung]["kind"] == "city"
    assert graphml.nodes[kaohsiung]["country"] == "台灣"


def test_graphml_nodes_have_every_attribute(graphml: nx.MultiDiGraph, records: Any) -> None:
    assert graphml.number_of_nodes() == len(records["entities"])
    for node, attrs in graphml.nodes(data=True):
        assert node.startswith("https://")
        assert set(attrs) == NODE_KEYS, (node, attrs)
        assert attrs["type"] in {"person", "place", "org"}
        assert isinstance(attrs["mentions"], int)
    assert any(attrs["wikidata"].startswith("Q") for _, attrs in graphml.nodes(data=True))


def test_graphml_edge_counts_follow_the_records(graphml: nx.MultiDiGraph, records: Any) -> None:
    counts = Counter(attrs["relation"] for _, _, attrs in graphml.edges(data=True))
    assert set(counts) == set(RELATIONS)
    visits, agreements = records["visits"], records["agreements"]
    assert counts["visited"] == len(visits)
    assert counts["took_part"] == sum(
        len(v["visitor_persons"]) + len(v["host_persons"]) for v in visits
    )
    assert counts["signed"] == sum(
        comb(len({p["iri"] for p in a["parties"]}), 2) for a in agreements
    )
    assert counts["signatory"] == sum(
        len(a["signatories"]) * len({p["iri"] for p in a["parties"]}) for a in agreements
    )


def test_graphml_reads_back_as_to_networkx(graphml: nx.MultiDiGraph, kg: KnowledgeGraph) -> None:
    built = to_networkx(kg)
    assert list(graphml.nodes(data=True)) == list(built.nodes(data=True))
    assert list(graphml.edges(keys=True, data=True)) == list(built.edges(keys=True, data=True))


def test_to_networkx_is_deterministic(kg: KnowledgeGraph) -> None:
    first, second = to_networkx(kg), to_networkx(kg)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))
    assert list(first.nodes) == sorted(first.nodes)
    keys = {key for _, _, key in first.edges(keys=True)}  # unique GraphML edge ids
    assert keys == {f"e{i}" for i in range(first.number_of_edges())}


def _party(name: str) -> dict[str, Any]:
    return {"iri": EX + name, "label": name, "label_en": None, "aliases": [], "country": None}


def test_graph_from_records_joins_every_pair_of_parties() -> None:
    entities: list[dict[str, Any]] = [
        {"iri": EX + n, "type": "place", "kind": "city", "label": n, "sources": []}
        for n in ("c", "a", "b")
    ]
    agreement = {
        "event": EX + "event",
        "agreement": EX + "agreement",
        "kind": "mou",
        "date": None,
        "parties": [_party("c"), _party("a"), _party("b"), _party("a")],
        "signatories": [_party("mayor")],
        "sources": [{"doc": "r.txt"}],
    }
    graph = graph_from_records(entities, [], [agreement])
    assert list(graph.nodes) == [EX + n for n in ("a", "b", "c", "mayor")]
    assert graph.nodes[EX + "mayor"]["type"] == ""  # not an entity record: kept, untyped
    assert graph.nodes[EX + "a"]["label_en"] == ""  # never None: GraphML has no null
    signed = [(u[-1], v[-1]) for u, v, r in graph.edges(data="relation") if r == "signed"]
    assert signed == [("a", "b"), ("a", "c"), ("b", "c")]
    signatory = [v[-1] for u, v, r in graph.edges(data="relation") if r == "signatory"]
    assert signatory == ["a", "b", "c"]
    assert {d for _, _, d in graph.edges(data="date")} == {""}


# --------------------------------------------------------------------------- CSV


def test_csv_tables(exports: dict[str, Path], records: Any, kg: KnowledgeGraph) -> None:
    folder = exports["csv"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(TABLE_FILES)
    for name, flatten in (
        ("visits", flat_visit),
        ("agreements", flat_agreement),
        ("entities", flat_entity),
    ):
        rows = read_table(folder / f"{name}.csv")
        assert len(rows) == len(records[name]) > 0
        assert list(rows[0]) == list(flatten(records[name][0]))
    sources = read_table(folder / "sources.csv")
    assert list(sources[0]) == ["subject", "doc", "start", "end", "quote"]
    assert len(sources) == len(kg.select("sources"))
    assert any("\n" in row["quote"] for row in sources)  # multi-line quotes stay one row


def test_csv_is_utf8_with_a_byte_order_mark(exports: dict[str, Path]) -> None:
    path = exports["csv"] / "visits.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
    rows = read_table(path)
    assert "高雄市" in {row["host"] for row in rows} | {row["visitor"] for row in rows}
    assert read_table(path)[0]["start"] == rows[0]["start"]  # the BOM is not in the header


def test_csv_export_replaces_a_previous_one(built_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    export(built_corpus, "csv", out)
    export(built_corpus, "csv", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES)


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("fmt", ["turtle", "graphml", "csv"])
def test_unwritable_parent_is_a_store_error(fmt: str, built_corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    out = blocker / "sub" / default_name(fmt)
    with pytest.raises(StoreError) as info:
        export(built_corpus, fmt, out)
    assert info.value.code == "E012"
    assert str(out).rstrip("/") in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
    assert blocker.read_text() == "not a folder"


def test_rdf_export_over_a_folder_leaves_no_temporary_file(
    built_corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "graph.ttl"
    (out / "inside").mkdir(parents=True)
    with pytest.raises(StoreError, match=r"\[E012\]"):
        export(built_corpus, "turtle", out)
    assert leftovers(tmp_path, out.name) == []
    assert [p.name for p in out.iterdir()] == ["inside"]


def test_failed_graphml_write_keeps_the_old_file(
    built_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "graph.graphml"
    out.write_text("old")

    def broken(graph: Any, path: Path, **kwargs: Any) -> None:
        Path(path).write_text("<graphml>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nx, "write_graphml", broken)
    with pytest.raises(StoreError, match="No space left on device"):
        export(built_corpus, "graphml", out)
    assert out.read_text() == "old"
    assert leftovers(tmp_path, out.name) == []


def test_csv_export_into_another_folder_is_refused(built_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    before = snapshot(out)
    with pytest.raises(StoreError, match=r"\[E012\]"):
        export(built_corpus, "csv", out)
    assert snapshot(out) == before
    assert leftovers(tmp_path, out.name) == []


def test_export_never_overwrites_the_graph_it_reads(built_corpus: Path, tmp_path: Path) -> None:
    before = snapshot(built_corpus / "store")
    for fmt, out in (
        ("csv", built_corpus.parent),
        ("turtle", built_corpus / "store" / "graph.ttl"),
        ("nquads", built_corpus / "manifest.json"),
    ):
        with pytest.raises(StoreError, match="overwrite the graph being exported"):
            export(built_corpus, fmt, out)
    assert snapshot(built_corpus / "store") == before
    # The build folder itself is refused the same way (checked without the shared build).
    build = tmp_path / "kg-out"
    with pytest.raises(StoreError, match="overwrite the graph being exported"):
        _check_not_the_build(build, build)
    _check_not_the_build(build / "graph.ttl", build)  # beside the store is fine


def test_an_output_with_no_file_name_is_a_one_line_error() -> None:
    for name in ("", "."):
        with pytest.raises(StoreError) as error, atomic_file(Path(name)):
            pass
        assert error.value.code == "E012" and "a file name is needed" in str(error.value)
