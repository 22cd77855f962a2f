"""The Python API over a built graph (kgraph.open, KnowledgeGraph, Filters)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import kgraph
from kgraph import api
from kgraph.api import (
    ROW_ORDER,
    Filters,
    KnowledgeGraph,
    RecordSet,
    load_query,
    query_names,
    sort_rows,
)
from kgraph.errors import KgraphError
from kgraph.normalise import name_key

HOSTILE = 'x" } ; DROP ALL ; #'


@pytest.fixture(scope="module")
def kg(built_corpus: Path) -> Iterator[KnowledgeGraph]:
    with kgraph.open(str(built_corpus)) as graph:
        yield graph


def test_open_gives_a_knowledge_graph(kg: KnowledgeGraph) -> None:
    assert isinstance(kg, KnowledgeGraph)
    assert kg.store.read_only


def test_visits_by_party_is_a_dataframe(kg: KnowledgeGraph) -> None:
    frame = kg.visits(party="熊本縣")
    assert isinstance(frame, pd.DataFrame)
    assert not frame.empty
    assert {"start", "end", "type", "visitor", "host", "direction", "doc", "event"} <= set(
        frame.columns
    )
    everything = kg.visits()
    assert len(frame) < len(everything)


def test_visit_records_match_the_frame(kg: KnowledgeGraph) -> None:
    records = kg.visit_records(Filters(party="熊本縣"))
    assert len(records) == len(kg.visits(party="熊本縣"))
    wanted = name_key("熊本縣")
    for r in records:
        names = set()
        for party in (r["visitor"], r["host"]):
            names |= {name_key(n) for n in [party["label"], *party["aliases"]] if n}
        assert wanted in names


@pytest.mark.parametrize(
    ("filters", "narrow"),
    [
        (Filters(party="熊本縣"), True),
        (Filters(party="無此地"), True),
        (Filters(party="高雄市"), False),  # told in every document: the store is read whole
        (Filters(person="陳其邁"), False),
    ],
)
def test_a_few_records_read_from_their_graphs_are_those_of_the_store(
    built_corpus: Path, filters: Filters, narrow: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter that keeps a few records, told in a few documents, reads them from the
    graphs of those documents; read from the whole store instead, they are the same."""
    with kgraph.open(str(built_corpus)) as few:
        visits, agreements = few.visit_records(filters), few.agreement_records(filters)
        assert (few._source_index is None) == narrow  # the store's passages were not read
        entities = few.entity_records(None, filters)
    monkeypatch.setattr(api, "NARROW_LIMIT", -1)
    with kgraph.open(str(built_corpus)) as whole:
        assert whole.visit_records(filters) == visits
        assert whole.agreement_records(filters) == agreements
        assert whole.entity_records(None, filters) == entities
    told = {s["doc"] for r in visits + agreements + entities for s in r["sources"]}
    assert bool(told) == (filters.party != "無此地")


def test_agreements_and_entities_frames(kg: KnowledgeGraph) -> None:
    agreements = kg.agreements(party="橘郡")
    assert isinstance(agreements, pd.DataFrame) and not agreements.empty
    people = kg.entities(type="person")
    assert isinstance(people, pd.DataFrame)
    assert set(people["type"]) == {"person"}
    assert "陳其邁" in set(people["label"])


def test_sparql_is_a_dataframe(kg: KnowledgeGraph) -> None:
    frame = kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["n"]
    assert int(frame["n"][0]) > 1000


def test_sparql_bindings_are_values_not_text(kg: KnowledgeGraph) -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?iri WHERE { ?iri skos:prefLabel ?label . FILTER (str(?label) = ?name) }"
    )
    found = kg.sparql(query, {"name": "陳其邁"})
    assert not found.empty
    assert kg.sparql(query, {"name": HOSTILE}).empty
    assert int(kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")["n"][0]) > 1000


@pytest.mark.parametrize("name", sorted(ROW_ORDER))
def test_unordered_queries_come_sorted_as_the_store_would(kg: KnowledgeGraph, name: str) -> None:
    """The record queries leave sorting to kgraph (Oxigraph is slow at it): their rows by
    name come in the order an ORDER BY of the same columns gives."""
    lines = load_query(name).splitlines()
    prefixes = "\n".join(line for line in lines if line.startswith("PREFIX"))
    query = "\n".join(line for line in lines if not line.startswith("PREFIX"))
    columns = " ".join("?" + c for c in ROW_ORDER[name])
    ordered = kg.select(f"{prefixes}\nSELECT * WHERE {{ {{ {query}\n }} }} ORDER BY {columns}")
    assert kg.select(name) == ordered


def test_entity_titles_are_those_of_titles_rq(built_corpus: Path) -> None:
    """The records join each membership's organisation name in Python (memberships.rq is
    graph-local, titles.rq is not): the same titles, with the same names, in its order."""
    with KnowledgeGraph.open(built_corpus) as fresh:
        expected: dict[str, list[dict]] = {}
        for row in fresh.select("titles"):
            expected.setdefault(str(row["person"]), []).append(
                {"title": row["title"], "of": row["of"], "date": row["date"]}
            )
        found = {e["iri"]: e["titles"] for e in fresh.entity_records() if e["titles"]}
    assert found == expected
    assert any(t["of"] for titles in found.values() for t in titles)


def test_bundled_queries_by_name(kg: KnowledgeGraph) -> None:
    assert "visits" in query_names()
    assert kg.select("visits") == sort_rows(kg.select(load_query("visits")), ROW_ORDER["visits"])
    with pytest.raises(KgraphError, match=r"\[E022\]"):
        load_query("no-such-query")


def test_sparql_syntax_error_is_a_kgraph_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(KgraphError, match=r"\[E020\]") as caught:
        kg.sparql("SELECT * WHERE { ?s ?p }")
    assert "\n" not in str(caught.value)


def test_hostile_filters_find_nothing(kg: KnowledgeGraph) -> None:
    before = kg.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert kg.visits(party=HOSTILE).empty
    assert kg.agreements(person=HOSTILE).empty
    assert kg.entities(country=HOSTILE).empty
    assert kg.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before


def test_date_filter(kg: KnowledgeGraph) -> None:
    frame = kg.visits(start="2025-01", end="2025-06")
    assert not frame.empty
    assert (frame["start"] <= "2025-06-30").all()
    assert ((frame["end"].fillna(frame["start"])) >= "2025-01").all()


@pytest.mark.parametrize("value", ["2025-13", "2025-02-30", "soon", ""])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(KgraphError, match=r"\[E041\]"):
        Filters(start=value)
    with pytest.raises(KgraphError, match=r"\[E041\]"):
        Filters(end=value)


def test_open_missing_store() -> None:
    with pytest.raises(KgraphError, match=r"\[E010\]"):
        kgraph.open("/nonexistent")


def test_open_folder_that_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(KgraphError, match=r"\[E011\]"):
        kgraph.open(str(tmp_path))


def test_name_key() -> None:
    assert name_key("臺北 ‧ 市") == "台北市"
    assert name_key("ＡＢＣ") == "ABC"


def test_records_read_in_threads_are_the_same(built_corpus: Path) -> None:
    """With several threads the record queries run side by side; the records are the
    same, and each prefetched query's rows serve one select only."""
    with kgraph.open(str(built_corpus)) as one, kgraph.open(str(built_corpus)) as two:
        assert RecordSet.of(two, threads=3) == RecordSet.of(one)
        assert not two._prefetched
        two.prefetch(["aliases"], threads=2)
        assert two.select("aliases") == one.select("aliases")
        assert "aliases" not in two._prefetched


@pytest.mark.parametrize(
    "values",
    [
        ["b", "a", "c", "a"],  # one type: sorted by the values themselves
        [10, 9, 100, 9],
        ["b", None, 10, 9, "a"],  # mixed: unbound first, then numbers, then text
        [True, 2, "x", None],
    ],
)
def test_sort_rows_orders_as_sparql_whatever_the_column_holds(values: list) -> None:
    rows = [{"a": v, "b": i} for i, v in enumerate(values)]
    rank = {type(None): 0, bool: 2, int: 1, str: 2}

    def reference(row: dict) -> tuple:
        v = row["a"]
        return (rank[type(v)], str(v) if rank[type(v)] == 2 else (v or 0)), row["b"]

    assert sort_rows(list(rows), ["a", "b"]) == sorted(rows, key=reference)
