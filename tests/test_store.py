"""The graph store facade: embedded pyoxigraph store, remote oxigraph server, atomic output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib

from kgraph.errors import StoreError
from kgraph.store import (
    STORE_DIR,
    EmbeddedStore,
    GraphStore,
    NQuadsWriter,
    RemoteStore,
    atomic_output,
    open_store,
)

EX = "http://example.org/"
G1 = EX + "graph/reports-2019"
G2 = EX + "graph/reports-2020"
HOSTILE = 'x" } ; DROP ALL ; #'
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

TURTLE = b"""\
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:taipei a ex:City ; rdfs:label "Taipei" ; ex:visits 3 ; ex:score 1.5 .
ex:osaka a ex:City ; rdfs:label "Osaka" ; ex:visits 2 .
ex:visit1 ex:city ex:taipei ; ex:note "brace } and quote \\" inside" .
"""

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NTRIPLES = f"""\
<http://example.org/sendai> {RDF_TYPE} <http://example.org/City> .
<http://example.org/sendai> <http://www.w3.org/2000/01/rdf-schema#label> "Sendai" .
<http://example.org/visit2> <http://example.org/city> <http://example.org/taipei> .
<http://example.org/visit3> <http://example.org/city> <http://example.org/sendai> .
""".encode()
QUADS = 9 + 4

CITIES = """
PREFIX ex: <http://example.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?name ?visits WHERE {
  ?city a ex:City ; rdfs:label ?name .
  OPTIONAL { ?city ex:visits ?visits }
} ORDER BY ?name
"""
EXPECTED_CITIES = [
    {"city": EX + "osaka", "name": "Osaka", "visits": 2},
    {"city": EX + "sendai", "name": "Sendai", "visits": None},
    {"city": EX + "taipei", "name": "Taipei", "visits": 3},
]
BY_NAME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city WHERE { ?city rdfs:label ?name }
"""
VISITS_TO = """
PREFIX ex: <http://example.org/>
# a comment with a { brace and the word WHERE
SELECT (COUNT(?visit) AS ?n) WHERE { ?visit ex:city ?city }
"""


def load(store: GraphStore) -> None:
    store.replace_graph(G1, TURTLE, "turtle")
    store.replace_graph(G2, NTRIPLES, "ntriples")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A build folder holding a store with two named graphs (closed again)."""
    folder = tmp_path / "kg-out"
    with EmbeddedStore(folder / STORE_DIR, create=True) as store:
        load(store)
    return folder


@pytest.fixture
def store(out: Path) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(out / STORE_DIR) as opened:
        yield opened


# --------------------------------------------------------------------------- embedded


def test_graphs_and_count(store: EmbeddedStore) -> None:
    assert store.graphs() == [G1, G2]
    assert store.count() == QUADS


def test_select_sees_the_union_of_named_graphs(store: EmbeddedStore) -> None:
    assert store.select(CITIES) == EXPECTED_CITIES
    [row] = store.select(f"PREFIX ex: <{EX}> SELECT ?score WHERE {{ ex:taipei ex:score ?score }}")
    assert row == {"score": 1.5}
    assert store.ask(f"ASK {{ <{EX}visit3> ?p ?o }}")


def test_select_within_some_graphs_sees_those_alone(store: EmbeddedStore) -> None:
    names = f"SELECT ?name WHERE {{ ?city <{RDFS_LABEL}> ?name }} ORDER BY ?name"
    assert store.select(names, graphs=[G2]) == [{"name": "Sendai"}]
    both = store.select(names, graphs=[G1, G2])
    assert [r["name"] for r in both] == ["Osaka", "Sendai", "Taipei"]
    assert store.select(names, graphs=[]) == []
    assert store.select(BY_NAME, {"name": "Osaka"}, graphs=[G2]) == []
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert store.select(named, graphs=[G2]) == [{"g": G2}]  # as if the store held G2 alone
    with pytest.raises(StoreError, match="E020"):
        store.select(names, graphs=["not an IRI"])


def test_bindings(store: EmbeddedStore) -> None:
    assert store.select(BY_NAME, {"name": "Sendai"}) == [{"city": EX + "sendai"}]
    assert store.select(VISITS_TO, {"city": EX + "taipei"}) == [{"n": 2}]
    assert store.ask(f"ASK {{ ?city <{EX}visits> ?n }}", {"n": 3})
    assert not store.ask(f"ASK {{ ?city <{EX}visits> ?n }}", {"n": 4})
    assert store.select(BY_NAME, {"name": rdflib.Literal("Osaka")}) == [{"city": EX + "osaka"}]


def test_hostile_binding_finds_nothing_and_changes_nothing(store: EmbeddedStore) -> None:
    assert store.select(BY_NAME, {"name": HOSTILE}) == []
    assert store.select(VISITS_TO, {"city": HOSTILE}) == [{"n": 0}]
    assert store.select(BY_NAME, {"name": "\\u0022 } ; DROP ALL ; #"}) == []
    with pytest.raises(StoreError, match="E020"):
        store.select(BY_NAME, {"name } ; DROP ALL ; #": "x"})
    assert store.count() == QUADS
    assert store.graphs() == [G1, G2]


def test_wrapped_sub_select_runs(store: EmbeddedStore) -> None:
    query = f"SELECT ?c WHERE {{ SELECT ?c WHERE {{ ?c a <{EX}City> }} }}"
    assert store.select(query, {"c": EX + "osaka"}) == [{"c": EX + "osaka"}]


def test_select_frame(store: EmbeddedStore) -> None:
    frame = store.select_frame(CITIES)
    assert list(frame.columns) == ["city", "name", "visits"]
    assert list(frame["name"]) == ["Osaka", "Sendai", "Taipei"]
    empty = store.select_frame(BY_NAME, {"name": "nowhere"})
    assert list(empty.columns) == ["city"] and len(empty) == 0


def test_query_errors_are_store_errors(store: EmbeddedStore) -> None:
    with pytest.raises(StoreError, match="E020"):
        store.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(StoreError, match="not a SELECT"):
        store.select("ASK { ?s ?p ?o }")


def test_replace_graph_replaces_only_that_graph(store: EmbeddedStore) -> None:
    store.replace_graph(G2, f"<{EX}a> <{EX}b> <{EX}c> .", "nt")
    assert store.count() == 9 + 1
    store.drop_graph(G2)
    store.drop_graph(G2)  # no error when missing
    assert store.graphs() == [G1]
    with pytest.raises(StoreError, match="E012"):
        store.replace_graph(G1, b"<broken", "turtle")
    assert store.graphs() == [G1] and store.count() == 0


def test_quads_written_to_a_file_load_in_batches(tmp_path: Path) -> None:
    """A worker's N-Quads file lands whole, whatever the batch size, beside the loader's
    own quads; names, quotes and datatypes come through unchanged."""
    triples = [
        (rdflib.URIRef(f"{EX}s{i}"), rdflib.URIRef(f"{EX}p"), rdflib.Literal(f'高雄 "{i}"'))
        for i in range(5)
    ] + [(rdflib.URIRef(f"{EX}s"), rdflib.URIRef(f"{EX}n"), rdflib.Literal(7))]
    part = tmp_path / "part.nq"
    with NQuadsWriter(part, batch=2) as out:
        out.add(G1, triples)
    store = EmbeddedStore(tmp_path / STORE_DIR, create=True)
    try:
        with store.loader(batch=2) as load:
            load.add(G2, triples[:1])
            load.add_nquads(part)
        assert store.graphs() == [G1, G2] and store.count() == 7
        rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
        assert sorted(map(str, (r["o"] for r in rows))) == ["7", *(f'高雄 "{i}"' for i in range(5))]
    finally:
        store.close()


def test_the_loader_takes_both_kinds_of_terms_and_refuses_blank_nodes(tmp_path: Path) -> None:
    """pyoxigraph and rdflib terms load alike; a blank node would be a new node in each
    batch the loader parses, so it is refused rather than split."""
    import pyoxigraph as ox

    store = EmbeddedStore(tmp_path / STORE_DIR, create=True)
    try:
        with store.loader() as load:
            load.add(G1, [(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal(1))])
            load.add(G1, [(rdflib.URIRef(f"{EX}s"), rdflib.URIRef(f"{EX}p"), rdflib.Literal(1))])
            with pytest.raises(TypeError, match="blank node"):
                load.add(G1, [(rdflib.BNode(), rdflib.URIRef(f"{EX}p"), rdflib.Literal(2))])
            with pytest.raises(TypeError, match="blank node"):
                load.add(G1, [(ox.BlankNode(), ox.NamedNode(f"{EX}p"), ox.Literal(2))])
        assert store.count() == 1
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dump_dataset_round_trip(store: EmbeddedStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"graph.{fmt}"
    store.dump(path, fmt)
    dataset = rdflib.Dataset()
    dataset.parse(path, format={"jsonld": "json-ld"}.get(fmt, fmt))
    assert len(list(dataset.quads((None, None, None, None)))) == store.count()
    assert {str(g.identifier) for g in dataset.graphs()} >= {G1, G2}


def test_dump_turtle_is_the_union(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    store.dump(path, "turtle")
    assert len(rdflib.Graph().parse(path, format="turtle")) == QUADS


def test_read_only_open(out: Path) -> None:
    with open_store(out) as store:
        assert isinstance(store, EmbeddedStore) and store.read_only
        assert store.select(CITIES) == EXPECTED_CITIES
        with pytest.raises(StoreError, match="read-only"):
            store.replace_graph(G1, b"", "turtle")
        with pytest.raises(StoreError, match="read-only"):
            store.drop_graph(G1)
    with open_store(out, read_only=False) as store:  # the read-only one released nothing bad
        assert store.count() == QUADS


def test_rdflib_graph_shares_the_store(store: EmbeddedStore) -> None:
    dataset = store.rdflib_graph()
    labels = set(dataset.objects(None, rdflib.RDFS.label))
    assert {str(label) for label in labels} == {"Taipei", "Osaka", "Sendai"}


def test_missing_or_foreign_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="E010"):
        EmbeddedStore(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="E010"):
        open_store(tmp_path / "nowhere")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("x")
    with pytest.raises(StoreError, match="E011"):
        EmbeddedStore(tmp_path / "docs")
    with pytest.raises(StoreError, match="E011"):
        EmbeddedStore(tmp_path / "docs", create=True)
    with pytest.raises(StoreError, match="E011"):
        open_store(tmp_path / "docs")
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["a.txt"]


def test_open_store_urls() -> None:
    remote = open_store("http://localhost:7878/")
    assert isinstance(remote, RemoteStore) and remote.gsp_url == "http://localhost:7878/store"
    assert open_store("http://localhost:7878/query").query_url == "http://localhost:7878/query"  # type: ignore[attr-defined]
    plain = open_store("https://query.example.org/sparql")
    assert isinstance(plain, RemoteStore) and plain.gsp_url is None


# --------------------------------------------------------------------------- atomic output


def test_atomic_output_replaces_on_success(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    out.mkdir()
    (out / "manifest.json").write_text("old")
    with atomic_output(out) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".kg-out.tmp-")
        (tmp / "manifest.json").write_text("new")
        with EmbeddedStore(tmp / STORE_DIR, create=True) as store:
            load(store)
    assert (out / "manifest.json").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["kg-out"]
    with open_store(out) as store:
        assert store.count() == QUADS


def test_atomic_output_keeps_the_old_folder_on_error(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    out.mkdir()
    (out / "manifest.json").write_text("old")
    with pytest.raises(RuntimeError, match="boom"), atomic_output(out) as tmp:
        (tmp / "manifest.json").write_text("new")
        raise RuntimeError("boom")
    assert (out / "manifest.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["kg-out"]


def test_atomic_output_creates_and_refuses_foreign_folders(tmp_path: Path) -> None:
    out = tmp_path / "new" / "kg-out"
    with atomic_output(out) as tmp:
        (tmp / "graph.trig").write_text("")
    assert (out / "graph.trig").exists()
    foreign = tmp_path / "Documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(StoreError, match="E012"), atomic_output(foreign):
        pass
    assert (foreign / "thesis.docx").read_text() == "precious"


# --------------------------------------------------------------------------- remote


def test_remote_store_answers_like_the_embedded_one(
    oxigraph_server: str, store: EmbeddedStore
) -> None:
    with open_store(oxigraph_server, read_only=False) as remote:
        assert isinstance(remote, RemoteStore)
        for graph in remote.graphs():
            remote.drop_graph(graph)
        load(remote)
        assert remote.graphs() == store.graphs() == [G1, G2]
        assert remote.count() == store.count() == QUADS
        for query, bindings in [
            (CITIES, None),
            (BY_NAME, {"name": "Sendai"}),
            (VISITS_TO, {"city": EX + "taipei"}),
            (BY_NAME, {"name": HOSTILE}),
            (f"SELECT ?s ?score WHERE {{ ?s <{EX}score> ?score }}", None),
            ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", None),
        ]:
            assert remote.select(query, bindings) == store.select(query, bindings), query
            # Many graphs pass any URL's length limit: they go in the request's body.
            many = [G1, *(f"{EX}graph/{i}" for i in range(1000)), G2]
            for graphs in ([G1], [G2], [G1, G2], many):
                within = remote.select(query, bindings, graphs=graphs)
                assert within == store.select(query, bindings, graphs=graphs), (query, graphs)
        assert remote.count() == QUADS
        assert remote.ask(f"ASK {{ ?city <{EX}visits> ?n }}", {"n": 3})
        turtle = remote.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == QUADS


def test_remote_dump_and_errors(oxigraph_server: str, tmp_path: Path) -> None:
    remote = RemoteStore.for_oxigraph(oxigraph_server)
    load(remote)
    remote.dump(tmp_path / "graph.trig", "trig")
    dataset = rdflib.Dataset().parse(tmp_path / "graph.trig", format="trig")
    assert len(list(dataset.quads((None, None, None, None)))) == remote.count()
    with pytest.raises(StoreError, match="E023.*HTTP 400"):
        remote.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(StoreError, match="read-only"):
        RemoteStore.for_oxigraph(oxigraph_server, read_only=True).drop_graph(G1)


def test_remote_update_fallback(oxigraph_server: str) -> None:
    base = oxigraph_server
    remote = RemoteStore(f"{base}/query", update_url=f"{base}/update", union_default_graph=True)
    graph = EX + "graph/by-update"
    remote.replace_graph(graph, TURTLE, "turtle")
    remote.replace_graph(graph, TURTLE, "turtle")
    rows = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert rows == [{"n": 9}]
    remote.drop_graph(graph)
    assert graph not in remote.graphs()


def test_unreachable_endpoint(tmp_path: Path) -> None:
    remote = RemoteStore("http://127.0.0.1:9/query", timeout=2)
    with pytest.raises(StoreError, match="E023"):
        remote.select("SELECT * WHERE { ?s ?p ?o }")
