"""kgraph.analysis and ``kgraph analyze``: measures checked on a small invented graph whose
answers are known, then on the built corpus and through the command line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner, Result

import kgraph
from kgraph import analysis
from kgraph.analysis import RecordSet
from kgraph.cli import main
from kgraph.errors import KgraphError

BASE = "https://example.org/kg/"


# --------------------------------------------------------------------------- invented records


def entity(
    type_: str, key: str, country: str | None, kind: str | None = None, **extra: Any
) -> dict:
    """An entity record in the JSON contract of kgraph.api."""
    return {
        "iri": f"{BASE}{type_}/{key}",
        "type": type_,
        "kind": kind,
        "label": key,
        "label_en": extra.get("label_en"),
        "aliases": list(extra.get("aliases", [])),
        "titles": [],
        "country": country,
        "wikidata": None,
        "lat": extra.get("lat"),
        "lon": extra.get("lon"),
        "sources": [],
    }


K = entity(
    "place", "高雄市", "台灣", "city", label_en="Kaohsiung", aliases=["高雄"], lat=22.6, lon=120.3
)
A = entity("place", "熊本縣", "日本", "region", label_en="Kumamoto Prefecture", aliases=["熊本"])
B = entity("place", "聖安東尼市", "美國", "city", label_en="San Antonio")
C = entity("place", "東京都", "日本", "region", label_en="Tokyo")
S1 = entity("org", "陽明國中", "台灣")
S2 = entity("org", "川內中學", "日本")
MAC = entity("org", "大陸委員會", "台灣")
JP = entity("place", "日本", None, "country")  # named, but a party of nothing
CHEN = entity("person", "陳其邁", None)
KIMURA = entity("person", "木村敬", None)
RON = entity("person", "朗尼倫伯格", None, aliases=["Ron Nirenberg"])


def ref(e: dict) -> dict:
    """How a visit or an agreement record refers to a party or a person."""
    keys = ("iri", "label", "label_en", "aliases") + (("country",) if e["type"] != "person" else ())
    return {k: e[k] for k in keys}


def visit(event: str, start: str | None, visitor: dict, host: dict, **people: list) -> dict:
    return {
        "event": BASE + "event/" + event,
        "type": "visit",
        "start": start,
        "end": start,
        "visitor": ref(visitor),
        "visitor_persons": [ref(p) for p in people.get("visitors", [])],
        "host": ref(host),
        "host_persons": [ref(p) for p in people.get("hosts", [])],
        "direction": "outbound" if visitor is K else "inbound",
        "sources": [{"doc": "r.txt", "start": 10, "end": 50, "quote": "…"}],
    }


def agreement(
    name: str, kind: str, day: str | None, parties: list, signed: Sequence[dict] = ()
) -> dict:
    return {
        "event": BASE + "event/" + name,
        "agreement": BASE + "agreement/" + name,
        "kind": kind,
        "date": day,
        "ordinal": None,
        "parties": [ref(p) for p in parties],
        "signatories": [ref(p) for p in signed],
        "witnesses": [],
        "sources": [],
    }


def partnership(name: str, kind: str, since: str, partners: list, agreements: list) -> dict:
    return {
        "partnership": BASE + "partnership/" + name,
        "kind": kind,
        "since": since,
        "ordinal": None,
        "partners": [ref(p) for p in partners],
        "agreements": [BASE + "agreement/" + a for a in agreements],
        "sources": [],
    }


@pytest.fixture(scope="module")
def records() -> RecordSet:
    """Kaohsiung (home), Kumamoto (visits up to 2024, friendship city), San Antonio (sister
    city since 1982, MOU 2019, last visit 2019), Tokyo (undated MOU, visit 2024-11-20), two
    schools with a sister-school agreement of 1993 and a domestic body that visited."""
    return RecordSet(
        entities=(K, A, B, C, S1, S2, MAC, JP, CHEN, KIMURA, RON),
        visits=(
            visit("E1", "2023-05-10", A, K, visitors=[KIMURA], hosts=[CHEN]),
            visit("E2", "2024-02", K, A, visitors=[CHEN]),
            visit("E3", "2019-03-01", B, K),
            visit("E4", "2022-01-01", MAC, K),
            visit("E5", "2024-11-20", C, K),
            visit("E5", "2024-11-20", A, K),  # one event, two visiting relations
        ),
        agreements=(
            agreement("AG1", "mou", "2019-06-01", [K, B], signed=[CHEN, RON]),
            agreement("AG2", "friendship_city", "2017", [K, A]),
            agreement("AG3", "sister_school", "1993", [S1, S2]),
            agreement("AG4", "mou", None, [K, A, C]),
        ),
        partnerships=(
            partnership("P1", "friendship_city", "2017", [K, A], ["AG2"]),
            partnership("P2", "sister_city", "1982", [B, K], []),
        ),
    )


def labels(frame: Any, column: str = "label") -> list:
    return list(frame[column])


# --------------------------------------------------------------------------- projections


def test_party_graph_nodes(records: RecordSet) -> None:
    g = analysis.party_graph(records)
    assert sorted(g) == sorted(e["iri"] for e in (K, A, B, C, S1, S2, MAC))  # not JP
    assert g.graph["home"] == K["iri"]
    assert g.nodes[A["iri"]] == {
        "label": "熊本縣",
        "label_en": "Kumamoto Prefecture",
        "aliases": ("熊本",),
        "type": "place",
        "kind": "region",
        "country": "日本",
    }
    assert (g.nodes[K["iri"]]["lat"], g.nodes[K["iri"]]["lon"]) == (22.6, 120.3)
    assert g.nodes[S1["iri"]]["kind"] == "org" and g.nodes[S1["iri"]]["label_en"] == ""


def test_party_graph_edges(records: RecordSet) -> None:
    g = analysis.party_graph(records)
    by_relation: dict[str, int] = {}
    for _, _, attrs in g.edges(data=True):
        by_relation[attrs["relation"]] = by_relation.get(attrs["relation"], 0) + 1
    assert by_relation == {"visit": 6, "agreement": 6, "partnership": 2}  # AG4: 3 pairs
    first_visit = next(a for _, _, a in g.edges(data=True) if a.get("event", "").endswith("E1"))
    assert first_visit == {
        "relation": "visit",
        "directed": True,
        "date": "2023-05-10",
        "year": 2023,
        "type": "visit",
        "sources": ("r.txt:10-50",),
        "direction": "inbound",
        "event": BASE + "event/E1",
    }
    assert g.has_edge(A["iri"], K["iri"])  # visitor -> host
    undated = [
        (u, v, a) for u, v, a in g.edges(data=True) if a.get("agreement", "").endswith("AG4")
    ]
    assert [(a["date"], a["year"], a["directed"]) for _, _, a in undated] == [("", None, False)] * 3
    assert all(u < v for u, v, _ in undated)  # from the smaller IRI
    json.dumps([a for _, _, a in g.edges(data=True)])  # JSON-friendly attributes


def test_party_graph_is_reproducible(records: RecordSet) -> None:
    def edges() -> list:
        return list(analysis.party_graph(records).edges(keys=True, data=True))

    assert edges() == edges()


def test_home_is_found_under_any_base(records: RecordSet) -> None:
    other = RecordSet(
        visits=(visit("E9", "2023", B, {**K, "iri": "http://x.org/kg#place/高雄市"}),)
    )
    assert analysis.party_graph(other).graph["home"] == "http://x.org/kg#place/高雄市"
    assert analysis.party_graph(RecordSet(visits=(visit("E9", "2023", B, A),))).graph["home"] == ""


def test_person_graph(records: RecordSet) -> None:
    g = analysis.person_graph(records)
    assert g.nodes[CHEN["iri"]]["bipartite"] == 0 and g.nodes[CHEN["iri"]]["type"] == "person"
    assert g.nodes[K["iri"]]["bipartite"] == 1 and g.nodes[K["iri"]]["kind"] == "city"
    assert g[CHEN["iri"]][K["iri"]] == {
        "visit": 2,
        "agreement": 1,
        "weight": 3,
        "roles": ("host", "signatory", "visitor"),
    }
    assert g[RON["iri"]][B["iri"]]["roles"] == ("signatory",)  # every party of the agreement
    assert g[KIMURA["iri"]][A["iri"]]["weight"] == 1
    assert nx.is_bipartite(g)


def test_weighted_counts_parallel_edges(records: RecordSet) -> None:
    w = analysis.weighted(analysis.party_graph(records))
    assert not w.is_directed() and not w.is_multigraph()
    tie = w[K["iri"]][A["iri"]]
    assert (tie["weight"], tie["visit"], tie["agreement"], tie["partnership"]) == (6, 3, 2, 1)
    assert w.graph["home"] == K["iri"]


# --------------------------------------------------------------------------- measures


def test_centrality(records: RecordSet) -> None:
    frame = analysis.centrality(records)
    assert tuple(frame.columns) == analysis.CENTRALITY_COLUMNS
    top = frame.iloc[0]
    assert (top["label"], top["degree"], top["weighted_degree"]) == ("高雄市", 4, 12)
    assert top["betweenness"] == frame["betweenness"].max() > 0
    assert list(frame["weighted_degree"]) == sorted(frame["weighted_degree"], reverse=True)
    assert frame.set_index("label").loc["陽明國中", "eigenvector"] == 0.0  # apart from the rest


def test_communities_are_reproducible(records: RecordSet) -> None:
    frame = analysis.communities(records)
    assert tuple(frame.columns) == analysis.COMMUNITY_COLUMNS
    assert frame.equals(analysis.communities(records))
    assert sorted(frame["iri"]) == sorted(analysis.party_graph(records))
    community = dict(zip(frame["label"], frame["community"], strict=True))
    assert community["陽明國中"] == community["川內中學"] != community["高雄市"]
    assert community["高雄市"] == 0  # the largest first


def test_ego_of_a_party(records: RecordSet) -> None:
    sub = analysis.ego(records, "熊本")  # by alias
    assert sub.graph["centre"] == A["iri"]
    assert set(sub) == {A["iri"], K["iri"], C["iri"]}
    frame = analysis.ego_table(records, "kumamoto PREFECTURE")  # English label, any case
    assert tuple(frame.columns) == analysis.EGO_COLUMNS
    rows = frame[["label", "distance", "visit", "agreement", "partnership", "total"]]
    assert rows.values.tolist() == [["高雄市", 1, 3, 2, 1, 6], ["東京都", 1, 0, 1, 0, 1]]


def test_ego_radius_two(records: RecordSet) -> None:
    frame = analysis.ego_table(records, "熊本縣", radius=2)
    assert labels(frame) == ["高雄市", "東京都", "聖安東尼市", "大陸委員會"]
    assert list(frame["distance"]) == [1, 1, 2, 2]
    assert list(frame["total"])[2:] == [3, 1]  # ties to 高雄市, one step closer


def test_ego_of_a_person(records: RecordSet) -> None:
    frame = analysis.ego_table(records, "陳其邁")
    rows = frame[["label", "type", "visit", "agreement", "partnership", "total"]]
    assert rows.values.tolist() == [
        ["高雄市", "place", 2, 1, 0, 3],
        ["聖安東尼市", "place", 0, 1, 0, 1],
    ]
    assert analysis.ego(records, "ron nirenberg").graph["centre"] == RON["iri"]


def test_ego_unknown_or_ambiguous_name(records: RecordSet) -> None:
    with pytest.raises(KgraphError) as error:
        analysis.ego(records, "臺北")
    assert error.value.code == "E070"
    g = nx.Graph()
    g.add_node("a", label="甲", aliases=("X",))
    g.add_node("b", label="乙", aliases=("X",))
    g.add_node("c", label="X")
    assert analysis.ego(g, "X").graph["centre"] == "c"  # a label wins over aliases
    g.remove_node("c")
    with pytest.raises(KgraphError) as error:
        analysis.ego(g, "X")
    assert error.value.code == "E071" and "甲、乙" in str(error.value)


def test_counts_per_year(records: RecordSet) -> None:
    frame = analysis.counts(records, "year")
    assert tuple(frame.columns) == ("year", "visit", "agreement", "partnership", "total")
    rows = analysis.frame_records(frame)
    assert [tuple(r.values()) for r in rows] == [
        (1982, 0, 0, 1, 1),
        (1993, 0, 1, 0, 1),
        (2017, 0, 1, 1, 2),
        (2019, 1, 1, 0, 2),
        (2022, 1, 0, 0, 1),
        (2023, 1, 0, 0, 1),
        (2024, 2, 0, 0, 2),  # E5 counts once for its two visiting relations
        (None, 0, 1, 0, 1),  # undated last
    ]
    json.dumps(rows)


def test_counts_per_country_and_kind(records: RecordSet) -> None:
    country = analysis.counts(records, "country")
    assert country.values.tolist() == [
        ["日本", 3, 3, 1, 7],
        ["美國", 1, 1, 1, 3],
        ["台灣", 1, 1, 0, 2],  # the home city itself does not count
    ]
    kind = analysis.counts(records, "kind")
    assert kind.values.tolist() == [
        ["visit", 5, 0, 0, 5],
        ["friendship_city", 0, 1, 1, 2],
        ["mou", 0, 2, 0, 2],
        ["sister_city", 0, 0, 1, 1],
        ["sister_school", 0, 1, 0, 1],
    ]
    with pytest.raises(KgraphError) as error:
        analysis.counts(records, "month")
    assert error.value.code == "E072"


def test_contacts(records: RecordSet) -> None:
    frame = analysis.contacts(records)
    assert tuple(frame.columns) == analysis.CONTACT_COLUMNS
    columns = ["label", "first", "latest", "visits", "agreements", "partnerships"]
    assert frame[columns].values.tolist() == [
        ["聖安東尼市", "1982", "2019-06-01", 1, 1, "sister_city"],
        ["熊本縣", "2017", "2024-11-20", 3, 2, "friendship_city"],
        ["東京都", "2024-11-20", "2024-11-20", 1, 1, ""],
    ]
    # The two schools signed only with each other: neither is a contact of the home city.
    with_domestic = analysis.contacts(records, domestic=True)
    assert labels(with_domestic) == ["聖安東尼市", "熊本縣", "大陸委員會", "東京都"]


def test_dormant(records: RecordSet) -> None:
    frame = analysis.dormant(records, years=3, as_of="2024")
    assert tuple(frame.columns) == analysis.DORMANT_COLUMNS
    columns = ["label", "ties", "since", "last_visit", "last_contact"]
    assert frame[columns].values.tolist() == [
        ["川內中學", "sister_school", "1993", "", "1993"],
        ["聖安東尼市", "mou, sister_city", "1982", "2019-03-01", "2019-06-01"],
    ]
    assert frame.attrs == {"as_of": "2024", "start": "2022-01-01", "end": "2024-12-31"}


def test_dormant_ignores_what_came_after_as_of(records: RecordSet) -> None:
    frame = analysis.dormant(records, years=1, as_of="2024-06-30")
    # 東京都's only visit is later; its undated MOU is a tie but no contact.
    assert labels(frame) == ["東京都", "川內中學", "聖安東尼市"]
    assert frame.iloc[0]["last_contact"] == ""


def test_dormant_defaults_to_the_latest_happening(records: RecordSet) -> None:
    frame = analysis.dormant(records)
    assert frame.attrs == {"as_of": "2024-11-20", "start": "2021-11-21", "end": "2024-11-20"}
    assert labels(frame) == ["川內中學", "聖安東尼市"]
    assert analysis.dormant(RecordSet()).attrs["as_of"] == ""


def test_a_signing_in_the_window_is_a_contact(records: RecordSet) -> None:
    fresh = RecordSet(
        entities=records.entities,
        agreements=(agreement("AG9", "mou", "2024-03", [K, C]),),
    )
    assert analysis.dormant(fresh, years=1).empty


def test_analyze_runs_measures_by_name(records: RecordSet) -> None:
    frame = analysis.analyze(records, "counts", by="kind")
    assert frame.equals(analysis.counts(records, "kind"))
    graph = analysis.party_graph(records)
    assert analysis.analyze(graph, "centrality").equals(analysis.centrality(records))
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("nope", {}, "E073"),
        ("ego", {}, "E074"),
        ("counts", {"by": "month"}, "E072"),
        ("dormant", {"as_of": "2024-13"}, "E041"),
    ]
    for measure, options, code in cases:
        with pytest.raises(KgraphError) as error:
            analysis.analyze(records, measure, **options)
        assert error.value.code == code


def test_measures_of_an_empty_graph() -> None:
    empty = RecordSet()
    for measure in ("centrality", "communities", "counts", "contacts", "dormant"):
        frame = analysis.analyze(empty, measure)
        assert frame.empty and len(frame.columns) > 0


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus(built_corpus: Path) -> RecordSet:
    with kgraph.open(str(built_corpus)) as kg:
        return RecordSet.of(kg)


def test_kaohsiung_is_the_most_central_party(corpus: RecordSet) -> None:
    frame = analysis.centrality(corpus)
    top = frame.iloc[0]
    assert top["label"] == "高雄市"
    assert top["degree"] > 100 and top["betweenness"] == frame["betweenness"].max()


def test_corpus_ego_and_dormant(corpus: RecordSet) -> None:
    ego = analysis.ego_table(corpus, "熊本縣")
    assert {"高雄市", "亞利桑那州"} <= set(ego["label"])  # the three-party MOU of 2025
    dormant = analysis.dormant(corpus, years=3)
    koror = dormant.set_index("label").loc["科羅州"]  # sister city since 2021, never visited
    assert (koror["ties"], koror["since"], koror["last_visit"]) == ("sister_city", "2021-09-17", "")


def test_corpus_counts_count_each_visiting_event_once(corpus: RecordSet) -> None:
    frame = analysis.counts(corpus, "year")
    assert frame["visit"].sum() == len({v["event"] for v in corpus.visits})
    assert frame["agreement"].sum() == len(corpus.agreements)


# --------------------------------------------------------------------------- command line


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["analyze", *args])


def test_cli_choices_are_the_measures() -> None:
    params = {p.name: p for p in main.commands["analyze"].params}
    assert tuple(params["measure"].type.choices) == analysis.MEASURES  # type: ignore[attr-defined]
    assert tuple(params["by"].type.choices) == analysis.COUNT_BY  # type: ignore[attr-defined]


def test_cli_centrality_json(built_corpus: Path) -> None:
    result = run("centrality", "--store", str(built_corpus), "--format", "json", "--top", "5")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and rows[0]["label"] == "高雄市"
    assert list(rows[0]) == list(analysis.CENTRALITY_COLUMNS)


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["communities"], analysis.COMMUNITY_COLUMNS),
        (["ego", "--name", "熊本縣", "--radius", "2"], analysis.EGO_COLUMNS),
        (["counts", "--by", "country"], analysis.count_columns("country")),
        (["contacts"], analysis.CONTACT_COLUMNS),
        (["dormant", "--years", "2", "--as-of", "2025-06"], analysis.DORMANT_COLUMNS),
    ],
)
def test_cli_csv(args: list[str], columns: tuple[str, ...], built_corpus: Path) -> None:
    result = run(*args, "--store", str(built_corpus), "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(columns) and len(lines) > 1


def test_cli_table_rounds_and_dormant_says_its_window(built_corpus: Path) -> None:
    result = run("centrality", "--store", str(built_corpus), "--top", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].startswith("高雄市")
    result = run("dormant", "--store", str(built_corpus), "--as-of", "2025")
    assert result.exit_code == 0, result.output
    assert "from 2023-01-01 to 2025-12-31" in result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["ego", "--name", "無此城市"], "E070"),
        (["ego"], "E074"),
        (["dormant", "--as-of", "2025-13"], "E041"),
    ],
)
def test_cli_errors_are_one_line(args: list[str], code: str, built_corpus: Path) -> None:
    result = run(*args, "--store", str(built_corpus))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"kgraph: [{code}] ")
    assert "Traceback" not in result.output


def test_a_window_before_year_one_is_a_one_line_error() -> None:
    for as_of, years in (("2026", 2100), ("0002", 3)):
        with pytest.raises(KgraphError) as error:
            analysis.window(as_of, years)
        assert error.value.code == "E075" and "\n" not in str(error.value)
