"""The bundled analyst queries (kgraph/queries/*.rq) on the built corpus, run through
``kgraph sparql --file … --param …``, and the same answers from a real Oxigraph server
that the corpus was pushed to (``kgraph push``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kgraph.api import Filters, KnowledgeGraph
from kgraph.cli import main
from kgraph.ingest import read_document
from kgraph.resources import QUERY_DIR

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
H1_2025 = "kaohsiung-2025h1-international-affairs.txt"
ANALYST_QUERIES = [
    "who_visited_whom",
    "agreements_signed",
    "partner_cities",
    "agreements_per_year",
    "person_met",
    "country_happenings",
    "partnership_timeline",
    "document_says",
]


def run(store: Path, name: str, *params: str, endpoint: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``kgraph sparql --file kgraph/queries/NAME.rq --param …`` as JSON."""
    args = ["sparql", "--file", str(QUERY_DIR / f"{name}.rq"), "--format", "json"]
    args += [a for p in params for a in ("--param", p)]
    args += ["--endpoint", endpoint] if endpoint else ["--store", str(store)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


@pytest.mark.parametrize("name", ANALYST_QUERIES)
def test_every_analyst_query_documents_itself(name: str) -> None:
    text = (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")
    assert text.startswith("#"), "a query opens with a comment saying what it answers"


def test_who_visited_whom_with_filters(built_corpus: Path) -> None:
    rows = run(built_corpus, "who_visited_whom", "party=熊本縣")
    assert rows and all("熊本縣" in (r["visitorName"], r["hostName"]) for r in rows)
    assert {"2023-01-13", "2025-04-22"} <= {r["start"] for r in rows}
    outbound = [r for r in rows if r["direction"] == "outbound"]
    assert outbound and all(r["visitorName"] == "高雄市" for r in outbound)
    # 臺/台, spaces and the English name all find the same party
    assert run(built_corpus, "who_visited_whom", "party=熊本 縣") == rows
    assert run(built_corpus, "who_visited_whom", "party=Kumamoto Prefecture") == rows
    in_2025 = run(built_corpus, "who_visited_whom", "party=熊本縣", "from=2025", "to=2025-04")
    assert in_2025 and {r["start"][:4] for r in in_2025} == {"2025"}
    assert all(r["start"] <= "2025-04-30" for r in in_2025)


def test_who_visited_whom_matches_the_visits_command(built_corpus: Path) -> None:
    result = CliRunner().invoke(
        main, ["visits", "--store", str(built_corpus), "--country", "美國", "--format", "json"]
    )
    command = {r["event"] for r in json.loads(result.output)}
    query = {r["event"] for r in run(built_corpus, "who_visited_whom", "country=美國")}
    assert command == query and "https://w3id.org/kgraph/id/event/2025-03-18" in {
        e.rsplit("/", 1)[0] for e in query
    }


def test_partner_city_register(built_corpus: Path) -> None:
    rows = run(built_corpus, "partner_cities")
    assert rows and {r["kind"] for r in rows} <= {"sister_city", "friendship_city", "partner_city"}
    orange = [r for r in rows if "橘郡" in r["partners"]]
    assert len(orange) == 1
    assert orange[0]["kind"] == "sister_city"
    assert orange[0]["since"] == "2025-04-15" and orange[0]["ordinal"] == 42
    assert orange[0]["countries"] in ("台灣、美國", "美國、台灣")
    assert all(len(r["partners"].split("、")) == 2 for r in rows)
    assert run(built_corpus, "partner_cities", "party=橘郡") == orange


def test_agreements_per_year_adds_up(built_corpus: Path) -> None:
    rows = run(built_corpus, "agreements_per_year")
    signed = run(built_corpus, "agreements_signed")
    assert sum(r["agreements"] for r in rows) == len({r["agreement"] for r in signed})
    by_year = {(r["year"], r["kind"]): r["agreements"] for r in rows}
    assert by_year[("2025", "sister_city")] >= 1
    mous = run(built_corpus, "agreements_signed", "kind=mou", "from=2025", "to=2025")
    assert len(mous) == by_year[("2025", "mou")]


def test_everyone_a_person_met(built_corpus: Path) -> None:
    rows = run(built_corpus, "person_met", "person=陳其邁")
    assert {r["personName"] for r in rows} == {"陳其邁"}
    signed = {r["metName"] for r in rows if r["how"] == "signed with"}
    assert "史蒂文・紐豪斯" in signed  # Orange County's sister-city agreement
    assert "陳其邁" not in {r["metName"] for r in rows}


def test_happenings_with_a_country(built_corpus: Path) -> None:
    rows = run(built_corpus, "country_happenings", "country=美國")
    assert rows and {r["countryName"] for r in rows} == {"美國"}
    assert {"visitor", "host", "party"} <= {r["role"] for r in rows}
    assert "橘郡" in {r["partyName"] for r in rows}
    assert run(built_corpus, "country_happenings", "country=United States") == rows


def test_timeline_of_one_partnership(built_corpus: Path) -> None:
    rows = run(built_corpus, "partnership_timeline", "party=橘郡")
    assert {r["partnershipKind"] for r in rows} == {"sister_city"}
    starts = [r["start"] for r in rows if r["start"]]
    assert starts == sorted(starts)
    kinds = {(r["start"], r["kind"]) for r in rows}
    assert ("2025-03-18", "visit") in kinds and ("2025-04-15", "agreement") in kinds


def test_what_a_document_says(built_corpus: Path) -> None:
    rows = run(built_corpus, "document_says", f"doc={H1_2025}")
    assert rows and {r["file"] for r in rows} == {H1_2025}
    text = read_document(CORPUS / H1_2025).text
    for r in rows:
        assert text[r["startOffset"] : r["endOffset"]] == r["quote"]
    types = {r["type"] for r in rows}
    assert {"visit", "agreement", "person"} <= types
    assert "橘郡" in {r["name"] for r in rows}
    # By its id, the same rows; unset, every document's.
    doc_id = read_document(CORPUS / H1_2025).doc_id
    same = sorted(rows, key=repr)  # ORDER BY leaves ties
    assert sorted(run(built_corpus, "document_says", f"doc={doc_id}"), key=repr) == same
    every = run(built_corpus, "document_says")
    assert {r["file"] for r in every} == {p.name for p in CORPUS.glob("*.txt")}
    assert sorted((r for r in every if r["file"] == H1_2025), key=repr) == same


def test_bad_param_is_one_line(built_corpus: Path) -> None:
    result = CliRunner().invoke(
        main, ["sparql", "who_visited_whom", "--store", str(built_corpus), "--param", "party"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "kgraph: [E027] invalid query parameter 'party': expected NAME=VALUE"
    ]


# --------------------------------------------------------------------------- a remote store


@pytest.fixture(scope="module")
def pushed(built_corpus: Path, oxigraph_server: str) -> str:
    """The corpus pushed to a real ``oxigraph serve`` (emptied first)."""
    from kgraph.store import open_store

    with open_store(oxigraph_server, read_only=False) as remote:
        for graph in remote.graphs():
            remote.drop_graph(graph)
    result = CliRunner().invoke(main, ["push", oxigraph_server, "--store", str(built_corpus)])
    assert result.exit_code == 0, result.output
    assert "pushed 8 graphs" in result.output  # 5 documents, the entities, ontology, build
    return oxigraph_server


def test_push_gives_the_same_graphs(built_corpus: Path, pushed: str) -> None:
    with KnowledgeGraph.open(built_corpus) as local, KnowledgeGraph.open(endpoint=pushed) as far:
        assert far.store.graphs() == local.store.graphs()
        assert far.store.count() == local.store.count()


def test_remote_answers_like_the_embedded_store(built_corpus: Path, pushed: str) -> None:
    with KnowledgeGraph.open(built_corpus) as local, KnowledgeGraph.open(endpoint=pushed) as far:
        assert far.visit_records() == local.visit_records()
        assert far.agreement_records() == local.agreement_records()
        assert far.entity_records("person") == local.entity_records("person")

    # A filter's few records, read from the graphs that tell them (api.NARROW_LIMIT): over
    # the protocol, the graphs are named by default-graph-uri.
    few = Filters(party="熊本縣")
    with KnowledgeGraph.open(built_corpus) as local, KnowledgeGraph.open(endpoint=pushed) as far:
        assert far.visit_records(few) == local.visit_records(few)
        assert far.agreement_records(few) == local.agreement_records(few)
        assert far._source_index is None  # not read from the whole store


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("who_visited_whom", ("party=熊本縣", "from=2025")),
        ("partner_cities", ()),
        ("agreements_per_year", ()),
        ("person_met", ("person=陳其邁",)),
        ("country_happenings", ("country=日本",)),
        ("partnership_timeline", ("party=橘郡",)),
        ("document_says", (f"doc={H1_2025}",)),
    ],
)
def test_queries_over_http_match(
    built_corpus: Path, pushed: str, name: str, params: tuple[str, ...]
) -> None:
    local = run(built_corpus, name, *params)
    assert local
    assert run(built_corpus, name, *params, endpoint=pushed) == local


def test_push_to_a_bad_url_is_one_line(built_corpus: Path) -> None:
    result = CliRunner().invoke(main, ["push", "kg-somewhere", "--store", str(built_corpus)])
    assert result.exit_code == 1
    assert "[E023]" in result.output and "not an http(s) URL" in result.output
