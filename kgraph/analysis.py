"""Network analysis of the graph for analysts: ``kgraph analyze MEASURE`` and pandas DataFrames.

SPARQL answers *who visited whom*; an analyst of city diplomacy also asks which partners
matter most, which groups of partners go together, whom a city or a person deals with, how
the contacts spread over the years and countries, when each partnership was last looked
after, and which partners signed agreements but have not been visited for years. Those are
questions about the shape of the network, which NetworkX answers. This module projects the
records of :mod:`kgraph.api` into NetworkX and computes the measures, each as a DataFrame
with a fixed column order and sort order (documented on each function), so a notebook and
``kgraph analyze MEASURE --format table|csv|json`` print the same rows.

The projections (see each function for its attributes):

* :func:`party_graph`: a ``MultiDiGraph`` of parties (places and organisations), one edge
  per visiting relation (visitor -> host), and one per pair of the parties of an agreement
  or a partnership;
* :func:`person_graph`: a bipartite graph of people and the parties they acted for;
* :func:`weighted`: the party graph as a simple undirected graph whose ``weight`` counts the
  parallel edges, which the measures run on.

The measures: :func:`centrality`, :func:`communities`, :func:`ego` (and :func:`ego_table`),
:func:`counts`, :func:`contacts` and :func:`dormant`; :func:`analyze` runs one by name.
Each takes a :class:`~kgraph.api.KnowledgeGraph` (or any :class:`RecordSource`, such as a
:class:`RecordSet` read once and reused) or, for the party measures, a party graph already
built::

    import kgraph
    from kgraph import analysis

    records = analysis.RecordSet.of(kgraph.open("kg-out"))
    analysis.centrality(records).head()
    analysis.dormant(records, years=3)

Dates are the ISO prefixes of the records (``2023``, ``2023-05``, ``2023-05-10``); they sort
as strings, coarser before finer, which is the order :func:`contacts` uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from itertools import combinations, product
from typing import TYPE_CHECKING, Any

from kgraph.api import Record, RecordSet, RecordSource
from kgraph.dates import iso_year, span_bounds
from kgraph.errors import Errors, KgraphError
from kgraph.iri import is_home
from kgraph.normalise import name_key

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

__all__ = [
    "CENTRALITY_COLUMNS",
    "COMMUNITY_COLUMNS",
    "CONTACT_COLUMNS",
    "COUNT_BY",
    "DORMANT_COLUMNS",
    "EGO_COLUMNS",
    "MEASURES",
    "RELATIONS",
    "RecordSet",
    "RecordSource",
    "analyze",
    "centrality",
    "communities",
    "contacts",
    "count_columns",
    "counts",
    "dormant",
    "ego",
    "ego_table",
    "frame_records",
    "party_graph",
    "person_graph",
    "weighted",
    "window",
]

RELATIONS: tuple[str, ...] = ("visit", "agreement", "partnership")
MEASURES: tuple[str, ...] = ("centrality", "communities", "ego", "counts", "contacts", "dormant")
COUNT_BY: tuple[str, ...] = ("year", "country", "kind")

_PARTY = ("label", "label_en", "country", "kind")
CENTRALITY_COLUMNS: tuple[str, ...] = (
    *_PARTY,
    "degree",
    "weighted_degree",
    "betweenness",
    "eigenvector",
    "iri",
)
COMMUNITY_COLUMNS: tuple[str, ...] = ("community", "size", *_PARTY, "weighted_degree", "iri")
EGO_COLUMNS: tuple[str, ...] = (
    "distance",
    "label",
    "label_en",
    "type",
    "kind",
    "country",
    *RELATIONS,
    "total",
    "iri",
)
CONTACT_COLUMNS: tuple[str, ...] = (
    *_PARTY,
    "first",
    "latest",
    "visits",
    "agreements",
    "partnerships",
    "iri",
)
DORMANT_COLUMNS: tuple[str, ...] = (
    *_PARTY,
    "ties",
    "since",
    "last_visit",
    "last_contact",
    "iri",
)

# The key of the IRI that names the happening an edge of each relation tells.
_HAPPENING = {"visit": "event", "agreement": "agreement", "partnership": "partnership"}

Edge = tuple[str, str, dict[str, Any]]


# --------------------------------------------------------------------------- the records


# --------------------------------------------------------------------------- projections


def party_graph(kg: RecordSource) -> nx.MultiDiGraph:
    """The parties and what joins them, as a NetworkX ``MultiDiGraph``.

    Nodes are the parties (places and organisations) of every visit, agreement and
    partnership, keyed by IRI and inserted sorted, with the string attributes ``label``,
    ``label_en``, ``type`` (place, org), ``kind`` (city, region, country or place for a
    place; ``org`` for an organisation) and ``country`` (its label; a country is its own
    country), ``""`` when unknown; ``aliases`` (a tuple of names); and the floats ``lat`` and
    ``lon`` only when the gazetteer knows the point (so ``nx.get_node_attributes(g, "lat")``
    gives exactly the placed parties). The graph attribute ``home`` is the IRI of the home
    city (``""`` if it is not in the graph).

    Every edge has ``relation`` (one of :data:`RELATIONS`), ``directed``, ``date`` (an ISO
    prefix, ``""`` if unknown), ``year`` (an int, or None), ``type`` and ``sources`` (a
    sorted tuple of ``"doc:start-end"`` passages, offsets into the original file):

    * ``visit``: visiting party -> host, one per visiting relation (``directed=True``), with
      ``type`` the happening's (visit, video_meeting, agreement, event), ``direction``
      (inbound, outbound, local), ``event`` (IRI) and ``date`` its start;
    * ``agreement``: one per pair of an agreement's distinct parties, from the smaller IRI
      (``directed=False``), with ``type`` its kind (sister_city, mou, …), ``agreement`` and
      ``event`` (IRIs) and ``date`` its signing;
    * ``partnership``: one per pair of partners (``directed=False``), with ``type`` its kind,
      ``partnership`` (IRI) and ``date`` its start.

    Edges are inserted sorted by relation, date, ends and IRI, so the same records give the
    same graph. The graph holds tuples and None, which GraphML cannot; ``kgraph export
    --format graphml`` writes a related graph for Gephi (people included, no partnerships).

    >>> home = {"iri": "http://example.org/place/高雄市", "label": "高雄市"}
    >>> tokyo = {"iri": "http://example.org/place/東京都", "label": "東京都"}
    >>> trip = {"event": "E1", "type": "visit", "start": "2023-05", "visitor": tokyo, "host": home}
    >>> g = party_graph(RecordSet(visits=(trip,)))
    >>> g.graph["home"], g.number_of_nodes()
    ('http://example.org/place/高雄市', 2)
    >>> [(g.nodes[u]["label"], g.nodes[v]["label"], a["year"]) for u, v, a in g.edges(data=True)]
    [('東京都', '高雄市', 2023)]
    """
    import networkx as nx

    entities = {e["iri"]: e for e in kg.entity_records()}
    refs: dict[str, Record] = {}
    edges: list[Edge] = []
    for v in kg.visit_records():
        refs.update((p["iri"], p) for p in (v["visitor"], v["host"]))
        edges.append(_visit_edge(v))
    for a in kg.agreement_records():
        refs.update((p["iri"], p) for p in a["parties"])
        edges += _pair_edges("agreement", a["parties"], a.get("date"), a["kind"], a)
    for p in kg.partnership_records():
        refs.update((x["iri"], x) for x in p["partners"])
        edges += _pair_edges("partnership", p["partners"], p.get("since"), p["kind"], p)

    graph = nx.MultiDiGraph(home=_home_iri(refs))
    graph.add_nodes_from((iri, _party_attrs(refs[iri], entities.get(iri))) for iri in sorted(refs))
    edges.sort(key=_edge_order)
    graph.add_edges_from(edges)
    return graph


def person_graph(kg: RecordSource) -> nx.Graph:
    """People and the parties they acted for, as a bipartite NetworkX ``Graph``.

    Nodes are keyed by IRI, with ``bipartite`` 0 for people and 1 for parties, and the
    attributes of :func:`party_graph` (a person has ``type`` person and empty ``kind`` and
    ``country``). A person and a party are joined when the person came with the party's visit
    or received it for the party (roles ``visitor``, ``host``), or signed or witnessed an
    agreement of the party (``signatory``, ``witness``: the records do not say which party a
    person signed for, so every party of the agreement). Edge attributes: ``visit`` and
    ``agreement`` (the number of distinct visiting events and agreements), ``weight`` (their
    sum) and ``roles`` (a sorted tuple).
    """
    import networkx as nx

    entities = {e["iri"]: e for e in kg.entity_records()}
    people: dict[str, Record] = {}
    parties: dict[str, Record] = {}
    ties: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def tie(person: Record, party: Record, role: str, relation: str, happening: str) -> None:
        people[person["iri"]], parties[party["iri"]] = person, party
        found = ties[person["iri"], party["iri"]]
        found[relation].add(happening)
        found["roles"].add(role)

    for v in kg.visit_records():
        for role in ("visitor", "host"):
            for person in v.get(f"{role}_persons", []):
                tie(person, v[role], role, "visit", str(v["event"]))
    for a in kg.agreement_records():
        for role, key in (("signatory", "signatories"), ("witness", "witnesses")):
            for person, party in product(a.get(key, []), a["parties"]):
                tie(person, party, role, "agreement", str(a["agreement"]))

    graph = nx.Graph()
    for side, nodes, describe in ((0, people, _person_attrs), (1, parties, _party_attrs)):
        for iri in sorted(nodes):
            graph.add_node(iri, bipartite=side, **describe(nodes[iri], entities.get(iri)))
    for (person_iri, party_iri), found in sorted(ties.items()):
        n_visits, n_agreements = len(found["visit"]), len(found["agreement"])
        graph.add_edge(
            person_iri,
            party_iri,
            visit=n_visits,
            agreement=n_agreements,
            weight=n_visits + n_agreements,
            roles=tuple(sorted(found["roles"])),
        )
    return graph


def weighted(graph: nx.Graph) -> nx.Graph:
    """``graph`` as a simple undirected ``Graph`` with the same nodes: ``weight`` counts the
    edges between two nodes (either way), ``visit``, ``agreement`` and ``partnership`` count
    them by relation, and ``distance`` is ``1 / weight`` (many contacts make a short path, for
    betweenness). Self-loops are left out.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("東京都", "高雄市", relation="visit")
    0
    >>> g.add_edge("高雄市", "東京都", relation="visit")
    0
    >>> g.add_edge("東京都", "高雄市", relation="agreement")
    1
    >>> w = weighted(g)
    >>> w["高雄市"]["東京都"]
    {'weight': 3, 'visit': 2, 'agreement': 1, 'partnership': 0, 'distance': 0.3333333333333333}
    """
    import networkx as nx

    out = nx.Graph()
    out.graph.update(graph.graph)
    out.add_nodes_from(graph.nodes(data=True))
    for u, v, attrs in graph.edges(data=True):
        if u == v:
            continue
        if not out.has_edge(u, v):
            out.add_edge(u, v, weight=0, **dict.fromkeys(RELATIONS, 0))
        tie = out[u][v]
        tie["weight"] += 1
        if attrs.get("relation") in RELATIONS:
            tie[attrs["relation"]] += 1
    for _, _, tie in out.edges(data=True):
        tie["distance"] = 1 / tie["weight"]
    return out


# --------------------------------------------------------------------------- measures


def centrality(source: RecordSource | nx.MultiDiGraph) -> pd.DataFrame:
    """How central each party is, on the :func:`weighted` party graph.

    Columns :data:`CENTRALITY_COLUMNS`: ``label``, ``label_en``, ``country``, ``kind``,
    ``degree`` (distinct neighbours), ``weighted_degree`` (edges: visits, agreement pairs,
    partnership pairs), ``betweenness`` (normalised, over paths whose length is the sum of
    ``1 / weight``), ``eigenvector`` (weighted eigenvector centrality, 0 off the component of
    the leading eigenvector) and ``iri``. Sorted by weighted degree (highest first), then
    label.
    """
    import networkx as nx

    graph = weighted(_party_graph(source))
    betweenness = nx.betweenness_centrality(graph, weight="distance")
    eigenvector = _eigenvector(graph)
    rows = [
        {
            **_describe(graph, n),
            "degree": graph.degree(n),
            "weighted_degree": graph.degree(n, weight="weight"),
            "betweenness": betweenness[n],
            "eigenvector": eigenvector[n],
            "iri": n,
        }
        for n in graph
    ]
    rows.sort(key=lambda r: (-r["weighted_degree"], r["label"], r["iri"]))
    return _frame(rows, CENTRALITY_COLUMNS)


def communities(
    source: RecordSource | nx.MultiDiGraph, seed: int = 0, resolution: float = 1.0
) -> pd.DataFrame:
    """Groups of parties more tied to each other than to the rest (Louvain communities of the
    :func:`weighted` party graph, with a fixed ``seed`` so that a graph gives the same
    communities every time).

    Columns :data:`COMMUNITY_COLUMNS`: ``community`` (0, 1, … by size, largest first, then by
    the smallest IRI), ``size``, ``label``, ``label_en``, ``country``, ``kind``,
    ``weighted_degree`` and ``iri``. Sorted by community, then weighted degree (highest
    first), then label.
    """
    import networkx as nx

    graph = weighted(_party_graph(source))
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    rows = [
        {
            "community": i,
            "size": len(members),
            **_describe(graph, n),
            "weighted_degree": graph.degree(n, weight="weight"),
            "iri": n,
        }
        for i, members in enumerate(ordered)
        for n in members
    ]
    rows.sort(key=lambda r: (r["community"], -r["weighted_degree"], r["label"], r["iri"]))
    return _frame(rows, COMMUNITY_COLUMNS)


def ego(source: RecordSource | nx.Graph, name: str, radius: int = 1) -> nx.Graph:
    """The ego network of the party or person called ``name``: everything within ``radius``
    steps of it, as a subgraph of :func:`party_graph` (a party) or :func:`person_graph` (a
    person), whose graph attribute ``centre`` is its IRI.

    ``name`` is any of its names (label, English label, alias) after
    :func:`kgraph.normalise.name_key` (so 臺 = 台), in any letter case; labels win over
    aliases, and parties over people. Given a graph, the name is looked up in it. Raises
    :class:`KgraphError` E070 when nothing is called ``name`` and E071 when several parties
    (or people) are.
    """
    import networkx as nx

    graphs = [source] if isinstance(source, nx.Graph) else _both_graphs(source)
    for graph in graphs:
        centre = _find(graph, name)
        if centre is not None:
            sub = nx.ego_graph(graph, centre, radius=radius, undirected=True)
            sub.graph["centre"] = centre
            return sub
    raise KgraphError(Errors.E070, name=name)


def ego_table(source: RecordSource | nx.Graph, name: str, radius: int = 1) -> pd.DataFrame:
    """The :func:`ego` network of ``name`` as a table: one row per node but the centre.

    Columns :data:`EGO_COLUMNS`: ``distance`` (steps from the centre), ``label``,
    ``label_en``, ``type``, ``kind``, ``country``, then ``visit``, ``agreement``,
    ``partnership`` and ``total``: the ties joining the node to the nodes one step closer to
    the centre (for ``radius=1``, to the centre itself; for a person's network, distinct
    visits and agreements, as :func:`person_graph` counts them), and ``iri``. Sorted by
    distance, then total (highest first), then label.
    """
    import networkx as nx

    sub = ego(source, name, radius)
    centre = sub.graph["centre"]
    ties = weighted(sub) if sub.is_multigraph() else sub
    distance = nx.single_source_shortest_path_length(ties, centre)
    rows = []
    for n, d in distance.items():
        if n == centre:
            continue
        closer = [ties[n][m] for m in ties[n] if distance[m] == d - 1]
        counts = {rel: sum(t.get(rel, 0) for t in closer) for rel in RELATIONS}
        attrs = sub.nodes[n]
        rows.append(
            {
                "distance": d,
                **{k: attrs.get(k, "") for k in ("label", "label_en", "type", "kind", "country")},
                **counts,
                "total": sum(t.get("weight", 0) for t in closer),
                "iri": n,
            }
        )
    rows.sort(key=lambda r: (r["distance"], -r["total"], r["label"], r["iri"]))
    return _frame(rows, EGO_COLUMNS)


def count_columns(by: str) -> tuple[str, ...]:
    """The columns of :func:`counts` ``by`` year, country or kind.

    >>> count_columns("year")
    ('year', 'visit', 'agreement', 'partnership', 'total')
    """
    if by not in COUNT_BY:
        raise KgraphError(Errors.E072, by=by, supported=", ".join(COUNT_BY))
    return (by, *RELATIONS, "total")


def counts(source: RecordSource | nx.MultiDiGraph, by: str = "year") -> pd.DataFrame:
    """How many happenings there were, per ``year``, per partner ``country`` or per ``kind``.

    A happening is a visiting event (several visiting relations of one trip count once), an
    agreement or a partnership. Columns :func:`count_columns`: the key (``year``: an integer,
    missing for undated happenings; ``country``: the country of a party other than the home
    city, ``""`` if unknown; ``kind``: the happening type of a visit, visit / video_meeting /
    agreement / event, or the kind of an agreement or partnership), then ``visit``,
    ``agreement``, ``partnership`` and ``total``, their sum. A happening with parties of two
    countries counts for both. Sorted by year (undated last), or by total (highest first)
    then key. Raises :class:`KgraphError` E072 for any other ``by``.
    """
    columns = count_columns(by)
    graph = _party_graph(source)
    found: dict[Any, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for u, v, attrs in graph.edges(data=True):
        for key in _count_keys(graph, u, v, attrs, by):
            found[key][attrs["relation"]].add(_happening(attrs))
    rows = []
    for key, happenings in found.items():
        numbers = {rel: len(happenings[rel]) for rel in RELATIONS}
        rows.append({by: key, **numbers, "total": sum(numbers.values())})
    if by == "year":
        rows.sort(key=lambda r: (r["year"] is None, r["year"] or 0))
    else:
        rows.sort(key=lambda r: (-r["total"], r[by]))
    frame = _frame(rows, columns)
    if by == "year":
        frame["year"] = frame["year"].astype("Int64")
    return frame


def contacts(source: RecordSource | nx.MultiDiGraph, domestic: bool = False) -> pd.DataFrame:
    """The first and latest contact of the home city with each partner, and how many.

    Partners are the parties other than the home city that it visited, hosted, signed with
    or partners with (a school that only signed with a foreign school is not one); of its
    own country only with ``domestic`` (its offices, schools and ministries are otherwise
    left out). Columns
    :data:`CONTACT_COLUMNS`: ``label``, ``label_en``, ``country``, ``kind``, ``first`` and
    ``latest`` (the earliest and latest date of its visits, agreements and partnerships,
    ``""`` if none is dated), ``visits`` (visiting events), ``agreements``, ``partnerships``
    (their kinds, comma-separated) and ``iri``. Sorted by first contact (undated last), then
    label.
    """
    graph = _party_graph(source)
    home = graph.graph.get("home", "")
    rows = []
    for n in _partners(graph, domestic):
        edges = list(_incident(graph, n, home))
        if not edges:  # no contact with the home city: a partner of a partner
            continue
        dates = sorted(a["date"] for a in edges if a["date"])
        rows.append(
            {
                **_describe(graph, n),
                "first": dates[0] if dates else "",
                "latest": dates[-1] if dates else "",
                "visits": _distinct(edges, "visit"),
                "agreements": _distinct(edges, "agreement"),
                "partnerships": _kinds(edges, "partnership"),
                "iri": n,
            }
        )
    rows.sort(key=lambda r: (r["first"] == "", r["first"], r["label"], r["iri"]))
    return _frame(rows, CONTACT_COLUMNS)


def dormant(
    source: RecordSource | nx.MultiDiGraph,
    years: int = 3,
    as_of: str | None = None,
    domestic: bool = False,
) -> pd.DataFrame:
    """Partners with an agreement or a partnership but no visit (nor signing) in the
    ``years`` up to ``as_of``: ties that may need looking after.

    The window is :func:`window` (``as_of``, ``years``). ``as_of`` (an ISO prefix) defaults
    to the date of the latest dated happening in the graph (the one starting last), not
    today: the answer then depends on the graph alone, the same on every day, and a graph
    of older reports is not all dormant. Happenings after ``as_of`` do not count. A contact
    is a visiting relation (a video meeting too) or a dated agreement or partnership: one
    signed in the window is a contact, so a new partner is not dormant. A contact counts
    when the time its date covers reaches into the window (``2022`` reaches into a window
    from 2022-06-01); an undated agreement is a tie but no contact, an undated visit
    neither (it cannot be placed). Partners as in :func:`contacts`.

    Columns :data:`DORMANT_COLUMNS`: ``label``, ``label_en``, ``country``, ``kind``, ``ties``
    (kinds of its agreements and partnerships, comma-separated), ``since`` (the earliest
    date of those), ``last_visit`` and ``last_contact`` (``""`` if none) and ``iri``. Sorted
    by last contact (none first), then label. ``frame.attrs`` holds ``as_of`` and the
    window's ``start`` and ``end`` (ISO dates; all ``""`` when no happening is dated).
    """
    if years < 0:
        raise ValueError("years must be 0 or more")
    graph = _party_graph(source)
    as_of = as_of or _latest_date(graph)
    start, end = window(as_of, years) if as_of else (None, None)
    rows: list[Record] = []
    if start and end:
        found = (_dormant_row(graph, n, start, end) for n in _partners(graph, domestic))
        rows = sorted(filter(None, found), key=lambda r: (r["last_contact"], r["label"], r["iri"]))
    frame = _frame(rows, DORMANT_COLUMNS)
    frame.attrs.update(as_of=as_of, start=_day(start), end=_day(end))
    return frame


def _dormant_row(graph: nx.MultiDiGraph, n: str, start: date, end: date) -> Record | None:
    """The row of :func:`dormant` for the partner ``n``, or None if it is not dormant."""
    edges = [a for a in _incident(graph, n) if not a["date"] or span_bounds(a["date"])[0] <= end]
    ties = [a for a in edges if a["relation"] != "visit"]
    dated = sorted(edges, key=lambda a: a["date"])
    if not ties or any(a["date"] and span_bounds(a["date"])[1] >= start for a in dated):
        return None
    visits = [a["date"] for a in dated if a["relation"] == "visit" and a["date"]]
    since = sorted(a["date"] for a in ties if a["date"])
    return {
        **_describe(graph, n),
        "ties": _kinds(ties, *RELATIONS[1:]),
        "since": since[0] if since else "",
        "last_visit": visits[-1] if visits else "",
        "last_contact": dated[-1]["date"],
        "iri": n,
    }


def window(as_of: str, years: int) -> tuple[date, date]:
    """The first and last day of the ``years`` up to ``as_of`` (an ISO prefix), both
    included: the last day ``as_of`` covers, and the day after the same date ``years``
    earlier. Raises :class:`KgraphError` E041 for a malformed date, E075 for a window that
    would begin before year 1.

    >>> window("2024", 3)
    (datetime.date(2022, 1, 1), datetime.date(2024, 12, 31))
    >>> window("2024-02-29", 1)
    (datetime.date(2023, 3, 1), datetime.date(2024, 2, 29))
    """
    end = span_bounds(as_of)[1]
    if not 0 < years < end.year:
        raise KgraphError(Errors.E075, years=years, as_of=as_of)
    try:
        before = end.replace(year=end.year - years)
    except ValueError:  # 29 February, in a year that has none
        before = end.replace(year=end.year - years, day=28)
    return before + timedelta(days=1), end


def analyze(
    source: RecordSource | nx.MultiDiGraph,
    measure: str,
    *,
    name: str | None = None,
    radius: int = 1,
    by: str = "year",
    years: int = 3,
    as_of: str | None = None,
    domestic: bool = False,
) -> pd.DataFrame:
    """Run one of :data:`MEASURES` by name (what ``kgraph analyze`` does), reading a
    :class:`~kgraph.api.KnowledgeGraph` once. Options a measure does not take are ignored.
    The options are checked before anything is read: :class:`KgraphError` E073 for an
    unknown measure, E074 for ``ego`` without a ``name``, E072 for a bad ``by`` and E041 for
    a malformed ``as_of``.
    """
    import networkx as nx

    _check_options(measure, name, by, as_of)
    graph = source if isinstance(source, nx.Graph) else RecordSet.of(source)
    runs: dict[str, Callable[[], pd.DataFrame]] = {
        "centrality": lambda: centrality(graph),
        "communities": lambda: communities(graph),
        "ego": lambda: ego_table(graph, name or "", radius),
        "counts": lambda: counts(graph, by),
        "contacts": lambda: contacts(graph, domestic),
        "dormant": lambda: dormant(graph, years, as_of, domestic),
    }
    return runs[measure]()


def _check_options(measure: str, name: str | None, by: str, as_of: str | None) -> None:
    if measure not in MEASURES:
        raise KgraphError(Errors.E073, measure=measure, supported=", ".join(MEASURES))
    if measure == "ego" and not name:
        raise KgraphError(Errors.E074)
    if measure == "counts":
        count_columns(by)
    if measure == "dormant" and as_of:
        span_bounds(as_of)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a measure's DataFrame as plain Python values, ready for JSON: missing
    values (NaN, ``pd.NA``) become None, NumPy scalars Python numbers.

    >>> import pandas as pd
    >>> frame_records(pd.DataFrame({"year": pd.array([2023, None], dtype="Int64")}))
    [{'year': 2023}, {'year': None}]
    """
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------- helpers


def _plain(value: Any) -> Any:
    if isinstance(value, str | tuple | list) or value is None:
        return value
    import pandas as pd

    if pd.isna(value):
        return None
    item = getattr(value, "item", None)  # a NumPy scalar
    return item() if callable(item) else value


def _frame(rows: list[dict[str, Any]], columns: Iterable[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _party_attrs(ref: Record, entity: Record | None) -> dict[str, Any]:
    """Node attributes of a party from its entity record (else the reference in a record)."""
    e = entity or ref
    type_ = _text(e.get("type"))
    kind = "org" if type_ == "org" else _text(e.get("kind"))
    attrs: dict[str, Any] = {
        "label": _text(e.get("label")),
        "label_en": _text(e.get("label_en")),
        "aliases": tuple(e.get("aliases") or ()),
        "type": type_,
        "kind": kind,
        "country": _text(e.get("country")) or (_text(e.get("label")) if kind == "country" else ""),
    }
    attrs.update({k: float(e[k]) for k in ("lat", "lon") if e.get(k) is not None})
    return attrs


def _person_attrs(ref: Record, entity: Record | None) -> dict[str, Any]:
    e = entity or ref
    return {
        "label": _text(e.get("label")),
        "label_en": _text(e.get("label_en")),
        "aliases": tuple(e.get("aliases") or ()),
        "type": "person",
        "kind": "",
        "country": "",
    }


def _sources(record: Record) -> tuple[str, ...]:
    """The passages telling a record, as ``doc:start-end``.

    >>> _sources({"sources": [{"doc": "a.txt", "start": 5, "end": 9}]})
    ('a.txt:5-9',)
    """
    return tuple(sorted({f"{s['doc']}:{s['start']}-{s['end']}" for s in record.get("sources", [])}))


def _facts(relation: str, day: Any, type_: Any, record: Record, directed: bool) -> dict[str, Any]:
    text = _text(day)
    return {
        "relation": relation,
        "directed": directed,
        "date": text,
        "year": iso_year(text),
        "type": _text(type_),
        "sources": _sources(record),
    }


def _visit_edge(v: Record) -> Edge:
    attrs = _facts("visit", v.get("start"), v["type"], v, directed=True)
    attrs.update(direction=_text(v.get("direction")), event=_text(v["event"]))
    return v["visitor"]["iri"], v["host"]["iri"], attrs


def _pair_edges(
    relation: str, parties: list[Record], day: Any, kind: Any, record: Record
) -> list[Edge]:
    """One undirected edge per pair of distinct parties of an agreement or a partnership."""
    attrs = _facts(relation, day, kind, record, directed=False)
    attrs[relation] = _text(record[relation])
    if relation == "agreement":
        attrs["event"] = _text(record.get("event"))
    iris = sorted({p["iri"] for p in parties})
    return [(u, v, dict(attrs)) for u, v in combinations(iris, 2)]


def _edge_order(edge: Edge) -> tuple[int, str, str, str, str]:
    u, v, attrs = edge
    return RELATIONS.index(attrs["relation"]), attrs["date"], u, v, _happening(attrs)


def _happening(attrs: dict[str, Any]) -> str:
    """The IRI of the happening an edge tells: its event, agreement or partnership."""
    return str(attrs[_HAPPENING[attrs["relation"]]])


def _home_iri(iris: Iterable[str]) -> str:
    """The IRI among ``iris`` that names the home city under any base, or ``""``."""
    return next((iri for iri in iris if is_home(iri)), "")


def _party_graph(source: RecordSource | nx.MultiDiGraph) -> nx.MultiDiGraph:
    import networkx as nx

    return source if isinstance(source, nx.Graph) else party_graph(source)


def _both_graphs(source: RecordSource) -> Iterator[nx.Graph]:
    """The party graph, then (only if asked for) the person graph."""
    records = RecordSet.of(source)
    yield party_graph(records)
    yield person_graph(records)


def _describe(graph: nx.Graph, n: str) -> dict[str, str]:
    attrs = graph.nodes[n]
    return {k: attrs.get(k, "") for k in _PARTY}


def _key(name: str) -> str:
    return name_key(name).casefold()


def _find(graph: nx.Graph, name: str) -> str | None:
    """The node called ``name``: by label or English label, else by alias; None if none."""
    wanted = _key(name)
    for fields in (("label", "label_en"), ("aliases",)):
        found = sorted(n for n, attrs in graph.nodes(data=True) if wanted in _names(attrs, fields))
        if len(found) > 1:
            labels = "、".join(graph.nodes[n].get("label") or n for n in found)
            raise KgraphError(Errors.E071, name=name, candidates=labels)
        if found:
            return found[0]
    return None


def _names(attrs: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    names: list[str] = []
    for field in fields:
        value = attrs.get(field) or ()
        names += [value] if isinstance(value, str) else list(value)
    return {_key(n) for n in names if n}


def _eigenvector(graph: nx.Graph) -> dict[str, float]:
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    found = nx.eigenvector_centrality(graph, weight="weight", max_iter=10_000, tol=1e-9)
    # The power iteration leaves 1e-120 and the like on components apart from the main one.
    return {n: value if value > 1e-9 else 0.0 for n, value in found.items()}


def _incident(graph: nx.MultiDiGraph, n: str, other: str = "") -> Iterator[dict[str, Any]]:
    """The attributes of every edge into or out of ``n`` (only those with ``other`` at the
    far end, when given)."""
    for _, v, attrs in graph.out_edges(n, data=True):
        if not other or v == other:
            yield attrs
    for u, _, attrs in graph.in_edges(n, data=True):
        if u != n and (not other or u == other):  # a self-loop was given as an out-edge
            yield attrs


def _partners(graph: nx.MultiDiGraph, domestic: bool) -> list[str]:
    """Parties other than the home city; of its country only if ``domestic``."""
    home = graph.graph.get("home", "")
    country = graph.nodes[home].get("country", "") if home in graph else ""
    return [
        n
        for n, attrs in graph.nodes(data=True)
        if n != home and (domestic or not country or attrs.get("country") != country)
    ]


def _distinct(edges: list[dict[str, Any]], relation: str) -> int:
    return len({_happening(a) for a in edges if a["relation"] == relation})


def _kinds(edges: list[dict[str, Any]], *relations: str) -> str:
    """The kinds (``type``) of the edges of ``relations``, sorted and comma-separated."""
    return ", ".join(sorted({a["type"] for a in edges if a["relation"] in relations}))


def _count_keys(
    graph: nx.MultiDiGraph, u: str, v: str, attrs: dict[str, Any], by: str
) -> list[Any]:
    if by == "year":
        return [attrs["year"]]
    if by == "kind":
        return [attrs["type"]]
    home = graph.graph.get("home", "")
    return sorted({graph.nodes[n].get("country", "") for n in (u, v) if n != home})


def _latest_date(graph: nx.MultiDiGraph) -> str:
    """The date of the latest dated edge (the one whose date starts last; of two starting on
    one day, the finer), or ``""``."""
    dates = {a["date"] for _, _, a in graph.edges(data=True) if a["date"]}
    return max(dates, key=lambda d: (span_bounds(d)[0], d), default="")
