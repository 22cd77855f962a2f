"""The interactive network view: ``write_view(kg, out)`` writes one HTML file that works offline.

Analysts open the view by double-clicking a file, often with no network (or a network that
blocks CDNs), so the page loads nothing: vis-network's script and stylesheet (from the
installed ``pyvis`` package), the page's own script and style (``kgraph/static/view.*``) and
the data are all inlined. pyvis's own ``Network.write_html`` is not used, because its template
pulls bootstrap, tom-select and vis-network from CDNs; pyvis's ``Network`` holds the nodes,
edges and vis options, and the project's Jinja template (``kgraph/static/view.html.j2``)
renders them.

Two steps, so that tests can check the data without HTML:

* :func:`view_data` (pure, over the records of :mod:`kgraph.api`): nodes, edges, the facts
  each node and edge stands for, and the quoted passages telling them (:class:`ViewData`);
* :func:`render_view` / :func:`write_view`: the HTML page (written atomically).

Safety: every value from the reports reaches the page only as JSON inside
``<script type="application/json" id="kgraph-data">``, with ``<``, ``>``, ``&``, U+2028 and
U+2029 escaped (:func:`json_for_html`), or as Jinja-autoescaped text; the page's script builds
the panel with ``textContent`` and ``createElement`` only, and vis-network 9 shows a string
``title`` (tooltip) as text (``innerText``). A name or passage holding ``<script>`` is shown
as text, never run.

The page's contract (for browser tests; keep it stable):

==========================  ===================================================================
DOM id / name               what it is
==========================  ===================================================================
``#network``                the vis-network canvas container
``#year-from``, ``#year-to``  number inputs: the year range (inclusive) of the edges shown
``input[name=relation]``    checkboxes, values ``visit``, ``agreement``, ``partnership``,
                            ``took_part``: the relation kinds shown
``#country``                ``<select>``: ``""`` (all) or a country label; shows the edges with
                            an end of that country (the home city counts for none)
``#search``                 name search (label, English name or alias); Enter (or ``change``)
                            selects and focuses the best match and opens its panel
``#reset``                  button: clears every filter
``#legend``                 node kinds (colour, shape) and edge relations (colour, style)
``#panel``                  the clicked node's (or edge's) facts and quoted source passages
                            (of the passages naming a node, at most :data:`MENTIONS_SHOWN`,
                            with their number in its "Mentions" heading)
``#status``                 one line: what is shown, or a search that found nothing
``#kgraph-data``            the JSON data block: :meth:`ViewData.to_json` plus ``vis`` (the vis
                            nodes, edges and options), ``styles`` and ``relations``
==========================  ===================================================================

Once ready, ``<body>`` also gets ``data-ready="true"``.

An edge is shown when its relation is ticked, one of its years is in the year range (an
undated edge only while the range is the whole span) and the country matches; a node is shown
when one of its edges is, or when no filter is active (then nodes with no relation show too).

``window.kgraphView`` = ``{network, nodes, edges, visibleNodeIds(), visibleEdgeIds(),
applyFilters(), showNode(id), find(name), fitConnected(), ready}``: the vis ``Network`` and
its two ``DataSet`` objects (a node's id is its entity's IRI; an edge's ``e0``, ``e1`` …, with
``relation``, ``years`` and ``undated``; hidden items have ``hidden: true``), the ids of the
items shown, a function that re-reads the controls (they call it on ``input`` and
``change``), the panel of a node, the id of the node a search finds (or null), a zoom that
frames the connected nodes, and ``ready``, true once the layout has settled (physics then
stops) and the network was drawn.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from itertools import chain, combinations, islice, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kgraph.api import Record, RecordSource
from kgraph.dates import iso_year
from kgraph.errors import Errors, KgraphError
from kgraph.export import atomic_file
from kgraph.iri import is_home
from kgraph.resources import PACKAGE_DIR

if TYPE_CHECKING:  # pragma: no cover
    import jinja2
    from pyvis.network import Network

__all__ = [
    "KINDS",
    "RELATIONS",
    "STATIC_DIR",
    "Fact",
    "Passage",
    "Role",
    "Title",
    "ViewData",
    "ViewEdge",
    "ViewNode",
    "group_of",
    "inline",
    "json_for_html",
    "label_size",
    "layout_iterations",
    "node_size",
    "offline_css",
    "page_css",
    "passage_table",
    "read_asset",
    "render_page",
    "render_view",
    "sample_mentions",
    "styles",
    "view_data",
    "view_data_from_records",
    "vis_network",
    "write_html",
    "write_view",
]

STATIC_DIR = PACKAGE_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
VIS_DIR = "templates/lib/vis-9.1.2"  # inside the pyvis package

DEFAULT_TITLE = "高雄城市外交網絡 Kaohsiung city diplomacy network"
# The most entities a default view draws: a browser lays out about this many in a second
# or two; a larger graph shows its best-connected part (``kgraph viz --max-nodes``).
MAX_NODES = 800
# The most passages a node's panel lists of those naming it: reports name the home city
# some fifty times each, and a thousand reports would put 50,000 passages (most of the
# page) in one panel that nobody reads through. The panel says how many there are.
MENTIONS_SHOWN = 50

# Node kinds and relations, in legend order; their looks are in kgraph/static/styles.json.
KINDS: tuple[str, ...] = ("city", "region", "country", "place", "org", "person")
RELATIONS: tuple[str, ...] = ("visit", "agreement", "partnership", "took_part")

# What vis-network does with the nodes and edges; looks per kind and relation come from
# styles.json. forceAtlas2Based keeps the home city's hundreds of spokes apart; without
# improvedLayout, and with 250 iterations, the ~600 nodes of the corpus settle in a few seconds
# (then physics stops, so the picture holds still). Labels of small nodes appear on zooming in.
# A larger view gets fewer iterations (layout_iterations), so that it too opens in seconds.
LAYOUT_ITERATIONS = 250
# Each iteration costs about one step per node and per edge: a view of up to this many steps
# gets all its iterations, a larger one this many steps' worth, and never fewer than the last.
LAYOUT_STEPS = 600_000
LAYOUT_MIN_ITERATIONS = 50
VIS_OPTIONS: dict[str, Any] = {
    "autoResize": True,
    "layout": {"randomSeed": 7, "improvedLayout": False},
    "nodes": {
        "borderWidth": 1,
        "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
        # Sizes are the nodes' own (node_size, label_size); labels under 6 px on screen are
        # not drawn, so small nodes' names appear on zooming in, and none grows past 26 px.
        "scaling": {"label": {"drawThreshold": 7, "maxVisible": 26}},
    },
    "edges": {
        "arrows": {"to": {"scaleFactor": 0.6}},
        "selectionWidth": 2,
        "hoverWidth": 1,
    },
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -60,
            "centralGravity": 0.03,
            "springLength": 60,
            "springConstant": 0.06,
            "damping": 0.5,
            "avoidOverlap": 0,  # costly: it doubles the layout time
        },
        "stabilization": {"enabled": True, "iterations": LAYOUT_ITERATIONS, "updateInterval": 25},
        "minVelocity": 1.5,
        "timestep": 0.5,
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True},
}


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True, slots=True)
class Passage:
    """A quoted passage: its document, offsets into the original file, and the text."""

    doc: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Role:
    """A node taking part in a fact: ``visitor``/``host`` (visits), ``party`` (agreements),
    ``partner`` (partnerships), ``signatory``/``witness`` (people signing)."""

    node: str
    role: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact the reports tell: a visiting relation, a signed agreement or a partnership.

    ``kind`` is the visit's type (visit, video_meeting …), the agreement's kind (mou …) or the
    partnership's (sister_city …); ``start``/``end`` are ISO prefixes (a partnership has its
    start only; an undated agreement none). ``passages`` index :attr:`ViewData.passages`.
    """

    id: int
    relation: str
    kind: str | None
    start: str | None
    end: str | None
    direction: str | None
    parties: tuple[Role, ...]
    persons: tuple[Role, ...]
    passages: tuple[int, ...]

    @property
    def year(self) -> int | None:
        return iso_year(self.start or self.end)


@dataclass(frozen=True, slots=True)
class Title:
    """A title a person holds (市長), of a party (its label), on a date (ISO prefix)."""

    title: str
    of: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class ViewNode:
    """An entity. ``group`` is its kind in :data:`KINDS`; ``country`` its country's label (a
    country's own label for a country); ``degree`` counts its edges; ``facts`` index
    :attr:`ViewData.facts` (every fact it takes part in, edges or not) and ``mentions``
    :attr:`ViewData.passages` (where a report names it: at most :data:`MENTIONS_SHOWN`
    of the ``mentioned`` passages there are, see :func:`sample_mentions`)."""

    id: str
    iri: str
    label: str
    group: str
    type: str | None
    kind: str | None
    country: str | None
    home: bool
    label_en: str | None
    aliases: tuple[str, ...]
    titles: tuple[Title, ...]
    wikidata: str | None
    degree: int
    facts: tuple[int, ...]
    mentions: tuple[int, ...]
    mentioned: int = 0

    def names(self) -> tuple[str, ...]:
        """Every name it is searched by."""
        return tuple(n for n in (self.label, self.label_en, *self.aliases) if n)


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """The facts of one relation between two nodes, drawn as one edge.

    Visits go visitor -> host; took_part goes person -> the party they came with or received
    the visit for; agreement and partnership edges are undirected (source has the smaller
    id). ``years`` are the distinct years of its dated facts; ``undated`` says whether one
    fact has no date."""

    id: str
    source: str
    target: str
    relation: str
    years: tuple[int, ...]
    undated: bool
    facts: tuple[int, ...]


@dataclass(frozen=True)
class ViewData:
    """Everything the page shows, ready for JSON (:meth:`to_json`)."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    facts: tuple[Fact, ...]
    passages: tuple[Passage, ...]
    hidden: int = 0  # entities of the graph the view leaves out (see ``max_nodes``)

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year of a dated edge, or None when nothing is dated."""
        years = [y for e in self.edges for y in e.years]
        return (min(years), max(years)) if years else None

    def countries(self) -> list[tuple[str, int]]:
        """Countries of the connected nodes (not the home city) with their node counts, most
        nodes first: the choices of the country filter."""
        counts = Counter(n.country for n in self.nodes if n.country and n.degree and not n.home)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def node(self, label: str) -> ViewNode:
        """The node labelled ``label`` (KeyError if none)."""
        for n in self.nodes:
            if n.label == label:
                return n
        raise KeyError(label)

    def edges_of(self, node: ViewNode, relation: str | None = None) -> list[ViewEdge]:
        """The edges at ``node`` (of one relation, if given)."""
        return [
            e
            for e in self.edges
            if node.id in (e.source, e.target) and relation in (None, e.relation)
        ]

    def to_json(self) -> dict[str, Any]:
        """Plain lists and dicts: ``nodes`` and ``edges`` (as the dataclasses), ``facts``,
        ``passages`` (see :func:`passage_table`), ``years`` (``[first, last]`` or null) and
        ``countries``."""
        return {
            "nodes": [_plain(n) for n in self.nodes],
            "edges": [_plain(e) for e in self.edges],
            "facts": [_plain(f) for f in self.facts],
            "passages": passage_table(self.passages),
            "years": list(self.years) if self.years else None,
            "countries": [list(c) for c in self.countries()],
            "hidden": self.hidden,
        }


def passage_table(passages: Iterable[Passage]) -> dict[str, list[Any]]:
    """Passages as JSON, each document name and quoted text written once: ``spans`` holds
    ``[doc, start, end, quote]`` per passage, with ``doc`` and ``quote`` indexing ``docs``
    and ``quotes``. The names in one paragraph all quote that paragraph: at a thousand
    reports, 200,000 passages quote 35,000 texts, and writing each once makes the page a
    quarter smaller.

    >>> passage_table([Passage("a.txt", 0, 2, "高雄市長"), Passage("a.txt", 2, 4, "高雄市長")])
    {'docs': ['a.txt'], 'quotes': ['高雄市長'], 'spans': [[0, 0, 2, 0], [0, 2, 4, 0]]}
    """
    docs: dict[str, int] = {}
    quotes: dict[str, int] = {}
    spans = [
        [docs.setdefault(p.doc, len(docs)), p.start, p.end, quotes.setdefault(p.quote, len(quotes))]
        for p in passages
    ]
    return {"docs": list(docs), "quotes": list(quotes), "spans": spans}


def _plain(value: Any) -> Any:
    """A view's dataclass as plain dicts, tuples and lists: :func:`dataclasses.asdict`
    without its deep copies (the view's records are frozen), which took 8 of the 21 s of
    a 1,000-report view, and with each type's fields looked up once (a further 2 s).

    >>> _plain(Fact(0, "visit", None, None, None, None, (Role("a", "visitor"),), (), (1,)))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'id': 0, 'relation': 'visit', 'kind': None, 'start': None, 'end': None,
     'direction': None, 'parties': ({'node': 'a', 'role': 'visitor'},), 'persons': (),
     'passages': (1,)}
    """
    kind = type(value)
    if kind in _LEAVES:  # most of a view's values: checked first, by type alone
        return value
    names = _field_names(kind)  # type: ignore[arg-type]  # mypy: a class is hashable
    if names:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return kind(_plain(v) for v in value)
    return value


_LEAVES = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order; none for another type (asked once a type)."""
    return tuple(f.name for f in fields(kind)) if is_dataclass(kind) else ()


def view_data(kg: RecordSource, max_nodes: int | None = MAX_NODES) -> ViewData:
    """The view of a whole built graph: see :func:`view_data_from_records`."""
    return view_data_from_records(
        kg.entity_records(),
        kg.visit_records(),
        kg.agreement_records(),
        kg.partnership_records(),
        max_nodes=max_nodes,
    )


def view_data_from_records(
    entities: Iterable[Record],
    visits: Iterable[Record],
    agreements: Iterable[Record] = (),
    partnerships: Iterable[Record] = (),
    max_nodes: int | None = None,
) -> ViewData:
    """The nodes, edges, facts and passages of the records of :mod:`kgraph.api`.

    Every entity is a node, its IRI its id (in IRI order); a party or person a record
    names that is missing from ``entities`` still gets one, from its reference. Facts keep
    the records' order: visits, agreements, partnerships.

    A graph of more than ``max_nodes`` entities (None: no limit) shows the home city and
    the best-connected others up to that number, with the facts among them only; the view
    says how many it leaves out (``hidden``), so that a large corpus still draws quickly.
    """
    entities, visits = list(entities), list(visits)
    agreements, partnerships = list(agreements), list(partnerships)
    records = _records(entities, visits, agreements, partnerships)  # a node each
    if max_nodes is None or len(records) <= max_nodes:
        return _view_data(entities, visits, agreements, partnerships)
    kept = _best_connected(records, _facts(visits, agreements, partnerships), max_nodes)
    shown = _view_data(
        [e for e in entities if e["iri"] in kept], *_among(kept, visits, agreements, partnerships)
    )
    return replace(shown, hidden=len(records) - len(shown.nodes))


def _best_connected(records: dict[str, Record], facts: list[Fact], limit: int) -> set[str]:
    """The IRIs of the home city and of the nodes with the most edges, ``limit`` in all:
    ranked as the view's nodes would be (home first, then by degree, label and IRI), from
    the edges' ends alone (making the whole view of a large graph to rank it took twice as
    long as ranking it)."""
    degree: Counter[str] = Counter()
    for _relation, source, target in {k for f in facts for k in _edge_ends(f)}:
        degree.update((source, target))

    def rank(iri: str) -> tuple[bool, int, str, str]:
        return (not is_home(iri), -degree[iri], _label(records[iri]), iri)

    return set(sorted(records, key=rank)[:limit])


def _among(
    kept: set[str], visits: list[Record], agreements: list[Record], partnerships: list[Record]
) -> tuple[list[Record], list[Record], list[Record]]:
    """The records whose parties are all ``kept``, with only the kept persons in them."""

    def inside(refs: Iterable[Record]) -> bool:
        return all(r["iri"] in kept for r in refs)

    def persons(refs: Iterable[Record]) -> list[Record]:
        return [p for p in refs if p["iri"] in kept]

    return (
        [
            {
                **v,
                "visitor_persons": persons(v["visitor_persons"]),
                "host_persons": persons(v["host_persons"]),
            }
            for v in visits
            if inside((v["visitor"], v["host"]))
        ],
        [
            {**a, "signatories": persons(a["signatories"]), "witnesses": persons(a["witnesses"])}
            for a in agreements
            if inside(a["parties"])
        ],
        [p for p in partnerships if inside(p["partners"])],
    )


def _view_data(
    entities: list[Record],
    visits: list[Record],
    agreements: list[Record],
    partnerships: list[Record],
) -> ViewData:
    """The view of these records, every node and fact with its passages."""
    records = _records(entities, visits, agreements, partnerships)
    table = _PassageTable()
    facts = [
        _renumbered(f, i) for i, f in enumerate(_facts(visits, agreements, partnerships, table))
    ]
    edges = _edges(facts)

    degree: Counter[str] = Counter()
    for e in edges:
        degree.update((e.source, e.target))
    node_facts: dict[str, list[int]] = defaultdict(list)
    for f in facts:
        for node in dict.fromkeys(r.node for r in (*f.parties, *f.persons)):
            node_facts[node].append(f.id)

    nodes = tuple(
        _node(records[iri], degree[iri], node_facts[iri], table) for iri in sorted(records)
    )
    return ViewData(nodes, tuple(edges), tuple(facts), table.items())


def _records(
    entities: list[Record],
    visits: list[Record],
    agreements: list[Record],
    partnerships: list[Record],
) -> dict[str, Record]:
    """Each node's record by IRI: every entity, and every one the facts name (the
    entity's record, else a reference to it in a fact)."""
    records = {ref["iri"]: ref for ref in _references(visits, agreements, partnerships)}
    records.update({e["iri"]: e for e in entities})
    return records


def _facts(
    visits: list[Record],
    agreements: list[Record],
    partnerships: list[Record],
    table: _PassageTable | None = None,
) -> list[Fact]:
    """The facts of the records, in their order (each numbered 0); their passages go to
    ``table`` (None: none are looked at)."""
    table = _PassageTable(keep=False) if table is None else table
    return [
        *(_visit_fact(v, table) for v in visits),
        *(_agreement_fact(a, table) for a in agreements),
        *(_partnership_fact(p, table) for p in partnerships),
    ]


def _label(record: Record) -> str:
    """A node's label: the record's, else the end of its IRI.

    >>> _label({"iri": "https://x.org/id/place/x1", "label": None})
    'x1'
    """
    return str(record.get("label") or record["iri"].rsplit("/", 1)[-1])


def group_of(record: Record) -> str:
    """The node kind (:data:`KINDS`) of an entity record: a place's kind, else its type.

    >>> group_of({"type": "place", "kind": "region"}), group_of({"type": "org", "kind": None})
    ('region', 'org')
    >>> group_of({"type": "place", "kind": None}), group_of({"type": None})
    ('place', 'org')
    """
    if record.get("type") == "place":
        kind = record.get("kind")
        return kind if kind in KINDS else "place"
    return "person" if record.get("type") == "person" else "org"


class _PassageTable:
    """Passages, each stored once, by index (none when not ``keep``)."""

    def __init__(self, keep: bool = True) -> None:
        self._index: dict[Passage, int] = {}
        self.keep = keep

    def add(self, sources: Iterable[Record]) -> tuple[int, ...]:
        if not self.keep:
            return ()
        out = []
        for s in sources:
            p = Passage(str(s["doc"]), int(s["start"]), int(s["end"]), str(s["quote"]))
            out.append(self._index.setdefault(p, len(self._index)))
        return tuple(dict.fromkeys(out))

    def items(self) -> tuple[Passage, ...]:
        return tuple(self._index)


def _references(
    visits: list[Record], agreements: list[Record], partnerships: list[Record]
) -> Iterator[Record]:
    """Party and person references of the records (persons typed: their role says so)."""
    for v in visits:
        yield from (v["visitor"], v["host"])
        yield from ({**p, "type": "person"} for p in (*v["visitor_persons"], *v["host_persons"]))
    for a in agreements:
        yield from a["parties"]
        yield from ({**p, "type": "person"} for p in (*a["signatories"], *a["witnesses"]))
    for p in partnerships:
        yield from p["partners"]


def _visit_fact(v: Record, passages: _PassageTable) -> Fact:
    return Fact(
        id=0,
        relation="visit",
        kind=v.get("type"),
        start=v.get("start"),
        end=v.get("end"),
        direction=v.get("direction"),
        parties=(Role(v["visitor"]["iri"], "visitor"), Role(v["host"]["iri"], "host")),
        persons=(
            *(Role(p["iri"], "visitor") for p in v["visitor_persons"]),
            *(Role(p["iri"], "host") for p in v["host_persons"]),
        ),
        passages=passages.add(v.get("sources", [])),
    )


def _agreement_fact(a: Record, passages: _PassageTable) -> Fact:
    return Fact(
        id=0,
        relation="agreement",
        kind=a.get("kind"),
        start=a.get("date"),
        end=a.get("date"),
        direction=None,
        parties=tuple(Role(p["iri"], "party") for p in a["parties"]),
        persons=(
            *(Role(p["iri"], "signatory") for p in a["signatories"]),
            *(Role(p["iri"], "witness") for p in a["witnesses"]),
        ),
        passages=passages.add(a.get("sources", [])),
    )


def _partnership_fact(p: Record, passages: _PassageTable) -> Fact:
    return Fact(
        id=0,
        relation="partnership",
        kind=p.get("kind"),
        start=p.get("since"),
        end=None,
        direction=None,
        parties=tuple(Role(x["iri"], "partner") for x in p["partners"]),
        persons=(),
        passages=passages.add(p.get("sources", [])),
    )


def _renumbered(f: Fact, i: int) -> Fact:
    return replace(f, id=i)


def _edge_ends(f: Fact) -> Iterator[tuple[str, str, str]]:
    """(relation, source, target) of every edge a fact draws, loops left out (a visit
    within one city): the view's edges and the ranking of its nodes both count these."""
    if f.relation == "visit":
        visitor, host = (r.node for r in f.parties)
        ends = [("visit", visitor, host)] + [
            ("took_part", p.node, visitor if p.role == "visitor" else host) for p in f.persons
        ]
        yield from (end for end in ends if end[1] != end[2])
        return
    parties = sorted({r.node for r in f.parties})
    for u, v in combinations(parties, 2):
        yield f.relation, u, v


def _edges(facts: list[Fact]) -> list[ViewEdge]:
    """One edge per relation and ordered pair of nodes, carrying the facts it stands for."""
    grouped: dict[tuple[str, str, str], list[Fact]] = {}
    for f in facts:
        for key in _edge_ends(f):
            grouped.setdefault(key, []).append(f)
    ordered = sorted(grouped.items(), key=lambda item: RELATIONS.index(item[0][0]))
    return [
        ViewEdge(
            id=f"e{i}",
            source=source,
            target=target,
            relation=relation,
            years=tuple(sorted({y for f in fs if (y := f.year) is not None})),
            undated=any(f.year is None for f in fs),
            facts=tuple(dict.fromkeys(f.id for f in fs)),
        )
        for i, ((relation, source, target), fs) in enumerate(ordered)
    ]


def _node(
    record: Record,
    degree: int,
    facts: list[int],
    passages: _PassageTable,
) -> ViewNode:
    group = group_of(record)
    sources: list[Record] = record.get("sources") or []
    label = _label(record)
    country = record.get("country") or (label if group == "country" else None)
    return ViewNode(
        id=str(record["iri"]),
        iri=str(record["iri"]),
        label=label,
        group=group,
        type=record.get("type"),
        kind=record.get("kind"),
        country=country,
        home=is_home(str(record["iri"])),
        label_en=record.get("label_en"),
        aliases=tuple(record.get("aliases") or ()),
        titles=tuple(
            Title(str(t["title"]), t.get("of"), t.get("date")) for t in record.get("titles") or ()
        ),
        wikidata=record.get("wikidata"),
        degree=degree,
        facts=tuple(facts),
        mentions=passages.add(sample_mentions(sources, MENTIONS_SHOWN) if passages.keep else ()),
        mentioned=len(sources),
    )


def sample_mentions(sources: list[Record], limit: int) -> list[Record]:
    """At most ``limit`` of an entity's passages, spread over the documents naming it:
    the first passage of each document in turn, then the second of each, and so on, in
    the order given. A panel of the first fifty would show one report's fifty.

    >>> rows = [{"doc": d, "start": s} for d, s in (("a", 1), ("a", 2), ("b", 5), ("c", 9))]
    >>> [(r["doc"], r["start"]) for r in sample_mentions(rows, 3)]
    [('a', 1), ('b', 5), ('c', 9)]
    >>> [(r["doc"], r["start"]) for r in sample_mentions(rows, 9)]
    [('a', 1), ('a', 2), ('b', 5), ('c', 9)]
    """
    if len(sources) <= limit:
        return sources
    by_doc: dict[Any, list[Record]] = defaultdict(list)
    for row in sources:
        by_doc[row["doc"]].append(row)
    rounds = (row for turn in zip_longest(*by_doc.values()) for row in turn if row is not None)
    chosen = {id(row) for row in islice(rounds, limit)}
    return [row for row in sources if id(row) in chosen]


# --------------------------------------------------------------------------- vis-network


@lru_cache(maxsize=1)
def styles() -> dict[str, Any]:
    """The looks of node kinds and relations (``kgraph/static/styles.json``)."""
    loaded: dict[str, Any] = json.loads((STATIC_DIR / "styles.json").read_text(encoding="utf-8"))
    return loaded


def node_size(degree: int) -> float:
    """A node's size (radius in pixels at zoom 1) by its degree: growing with the square root,
    so the home city's hundreds of edges do not shrink every other node to a dot, and capped.
    (vis-network's own ``value`` scaling stretches whatever range there is over its sizes, so
    in a small graph a node of degree 2 would dwarf one of degree 1.)

    >>> node_size(0), node_size(1), node_size(4), node_size(100), node_size(400)
    (6.0, 9.2, 12.4, 38.0, 50.0)
    """
    return round(min(50.0, 6 + 3.2 * math.sqrt(degree)), 1)


def label_size(degree: int) -> float:
    """A node's label size (pixels at zoom 1): the best connected names stay legible when the
    whole graph is in view.

    >>> label_size(0), label_size(4), label_size(400)
    (11.0, 13.8, 32.0)
    """
    return round(min(32.0, 11 + 1.4 * math.sqrt(degree)), 1)


def layout_iterations(nodes: int, edges: int) -> int:
    """How many layout iterations the browser runs for a view of ``nodes`` and ``edges``.

    Each iteration pushes every node and pulls along every edge, so a view of 800 nodes
    and 9,000 edges (a thousand reports) would take 250 iterations many seconds to settle
    before anything could be clicked; it gets as many as :data:`LAYOUT_STEPS` pay for.

    >>> [layout_iterations(n, e) for n, e in ((600, 1_000), (800, 9_300), (5_000, 50_000))]
    [250, 59, 50]
    """
    steps = max(1, nodes + edges)
    return max(LAYOUT_MIN_ITERATIONS, min(LAYOUT_ITERATIONS, LAYOUT_STEPS // steps))


def vis_network(data: ViewData) -> Network:
    """A pyvis ``Network`` holding the nodes and edges in vis-network's terms, with the
    looks of :func:`styles` and the options of :data:`VIS_OPTIONS`.

    Nodes carry ``group`` (kind), ``country`` and ``home`` for the page's filters, edges
    ``relation``, ``years`` and ``undated``. Tooltips (``title``) are plain text.
    """
    from pyvis.network import Network

    look = styles()
    labels = {n.id: n.label for n in data.nodes}
    # directed: pyvis drops a second edge between two nodes of an undirected network, and
    # a pair has one edge per relation here; undirected relations get no arrow.
    net = Network(directed=True, cdn_resources="in_line")
    for n in data.nodes:
        kind = look["kinds"][n.group]
        net.add_node(
            n.id,
            label=n.label,
            shape=kind["shape"],
            color=kind["color"],
            size=node_size(n.degree),
            font={"size": label_size(n.degree)},
            title=_node_tooltip(n, kind["label"]),
            kind=n.group,  # not "group": pyvis then drops the colour
            country=n.country,
            home=n.home,
            borderWidth=3 if n.home else 1,
        )
    for e in data.edges:
        rel = look["relations"][e.relation]
        net.add_edge(
            e.source,
            e.target,
            id=e.id,
            relation=e.relation,
            years=list(e.years),
            undated=e.undated,
            color={
                "color": rel["color"],
                "highlight": rel["color"],  # a selected edge keeps its relation's colour
                "hover": rel["color"],
                "opacity": 0.6 if e.relation == "took_part" else 0.75,
            },
            width=rel["width"],
            dashes=rel["dashes"],
            arrows=rel["arrows"],
            smooth={"enabled": True, "type": rel["smooth"], "roundness": 0.15},
            title=_edge_tooltip(e, labels[e.source], labels[e.target], data, rel["label"]),
        )
    options = json.loads(json.dumps(VIS_OPTIONS))  # a deep copy
    options["nodes"]["font"]["face"] = look["font"]
    stabilization = options["physics"]["stabilization"]
    stabilization["iterations"] = layout_iterations(len(data.nodes), len(data.edges))
    # Not net.set_options(): it strips every space from the JSON, font names included.
    net.options = options
    return net


def _node_tooltip(n: ViewNode, kind_label: str) -> str:
    lines = [n.label]
    if n.label_en and n.label_en != n.label:
        lines.append(n.label_en)
    lines.append(" · ".join(x for x in (kind_label, n.country) if x))
    lines.append(f"{n.degree} connections · {len(n.facts)} facts")
    return "\n".join(lines)


def _edge_tooltip(e: ViewEdge, source: str, target: str, data: ViewData, rel_label: str) -> str:
    arrow = "→" if e.relation in ("visit", "took_part") else "—"
    lines = [f"{source} {arrow} {target}", f"{rel_label} ×{len(e.facts)}"]
    shown = [data.facts[i] for i in e.facts[:8]]
    for f in shown:
        when = _date_range(f.start, f.end) or "undated"
        lines.append(f"{when}  {(f.kind or '').replace('_', ' ')}")
    if len(e.facts) > len(shown):
        lines.append(f"… {len(e.facts) - len(shown)} more")
    return "\n".join(lines)


def _date_range(start: str | None, end: str | None) -> str:
    """A date or range for people.

    >>> _date_range("2023-03-05", "2023-03-07"), _date_range("2023", "2023")
    ('2023-03-05 – 2023-03-07', '2023')
    """
    if start and end and start != end:
        return f"{start} – {end}"
    return start or end or ""


# --------------------------------------------------------------------------- the page


def json_for_html(value: Any) -> Markup:
    r"""``value`` as JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&``
    (and U+2028, U+2029, line breaks to older JavaScript) are written as ``\uXXXX`` escapes,
    so no text can close the element or open a comment; JSON.parse reads them back.

    >>> print(json_for_html({"name": "</script><b>&"}))
    {"name":"\u003c/script\u003e\u003cb\u003e\u0026"}
    """
    return Markup(_safe_in_script(_json(value)))


def json_pieces(value: Any, size: int = 10_000) -> Iterator[str]:
    r"""``value`` as :func:`json_for_html` writes it, in pieces: a dict with str keys goes
    out key by key (another dict whole), and a list or tuple longer than ``size`` (at
    least 1) ``size`` items at a time. The view's data is 40 MB of JSON at 1,000 reports;
    made whole, then escaped, put in the page and encoded, it was held four times over,
    and was the peak of a build's memory.

    >>> value = {"a": [1, "<b>", 3], "c": {"d": None}}
    >>> list(json_pieces(value, size=2))
    ['{', '"a":', '[', '1,"\\u003cb\\u003e"', ',3', ']', ',"c":', '{', '"d":', 'null', '}', '}']
    >>> "".join(json_pieces(value, size=2)) == json_for_html(value)
    True
    """
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        yield "{"
        for i, (key, part) in enumerate(value.items()):
            yield ("," if i else "") + _safe_in_script(_json(key)) + ":"
            yield from json_pieces(part, size)
        yield "}"
    elif isinstance(value, list | tuple) and len(value) > size:
        yield "["
        for start in range(0, len(value), size):
            items = _safe_in_script(_json(value[start : start + size]))[1:-1]
            yield ("," if start else "") + items
        yield "]"
    else:
        yield _safe_in_script(_json(value))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _safe_in_script(text: str) -> str:
    for char, escape in _JSON_ESCAPES:  # str.replace: str.translate is ten times slower
        text = text.replace(char, escape)
    return text


_JSON_ESCAPES = [(c, f"\\u{ord(c):04x}") for c in "<>&\u2028\u2029"]


def offline_css(css: str) -> str:
    """A stylesheet with every ``url()`` that is not a ``data:`` URI replaced by ``none``: an
    inlined stylesheet's relative images (Leaflet's ``images/layers.png``) do not exist
    beside the page, and nothing may be fetched.

    >>> offline_css('a{background:url(images/x.png)} b{background:url("data:image/png;base64,AA")}')
    'a{background:none} b{background:url("data:image/png;base64,AA")}'
    """
    return re.sub(r"url\(\s*(?![\"']?data:)[^)]*\)", "none", css)


def inline(text: str, tag: str) -> Markup:
    """Vendored or own script/style text to put inside ``<tag>``; refuses text that would end
    the element early (it has none today, but a vendor update must not break the page)."""
    if f"</{tag}" in text.lower():
        raise ValueError(f"cannot inline text containing </{tag}")
    return Markup(offline_css(text) if tag == "style" else text)


def read_asset(path: Path) -> str:
    """A browser asset's text, or :class:`KgraphError` E080 naming the missing file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KgraphError(Errors.E080, path=path, reason=exc.strerror or str(exc)) from None


def vis_asset(name: str) -> str:
    """``vis-network.min.js`` or ``vis-network.css`` from the installed pyvis package."""
    try:
        root = Path(str(importlib_resources.files("pyvis")))
    except ModuleNotFoundError:
        raise KgraphError(Errors.E080, path=f"pyvis/{VIS_DIR}/{name}", reason="no pyvis") from None
    return read_asset(root / VIS_DIR / name)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(STATIC_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _page_pieces(template: str, data: Any, **context: Any) -> Iterator[str]:
    """A template of ``kgraph/static`` rendered as :func:`render_page` renders it, with
    ``data`` where it puts ``{{ data }}`` (once), as :func:`json_pieces` makes it. The
    template is rendered now, not when the pieces are first asked for: a template's error
    is raised before the page's file is opened."""
    mark = f"kgraph-data-{secrets.token_hex(16)}"  # in nothing else on the page
    head, *tail = render_page(template, data=Markup(mark), **context).split(mark)
    if len(tail) != 1:
        raise ValueError(f"{template} must put {{{{ data }}}} in the page once")
    return chain([head], json_pieces(data, JSON_PIECE), tail)


#: How many items of a long list :func:`_page_pieces` writes in one piece.
JSON_PIECE = 10_000


def render_page(template: str, **context: Any) -> str:
    """A template of ``kgraph/static`` rendered with autoescaping (values from the reports
    become text; only :class:`Markup` from this module goes in as it is)."""
    return _environment().get_template(template).render(**context)


def render_view(data: ViewData, title: str = DEFAULT_TITLE) -> str:
    """The HTML page of the network view (one file, nothing to fetch)."""
    return "".join(view_page(data, title))


def view_page(data: ViewData, title: str = DEFAULT_TITLE) -> Iterator[str]:
    """The HTML page of the network view, in pieces: its data block goes out as
    :func:`json_pieces` makes it, never as one string (see :func:`_page_pieces`)."""
    net = vis_network(data)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    look = styles()
    payload = {
        **data.to_json(),
        "vis": {"nodes": nodes, "edges": edges, "options": json.loads(options)},
        "styles": look,
        "relations": list(RELATIONS),
    }
    years = data.years or (0, 0)
    return _page_pieces(
        "view.html.j2",
        payload,
        title=title,
        vis_js=inline(vis_asset("vis-network.min.js"), "script"),
        vis_css=inline(vis_asset("vis-network.css"), "style"),
        page_js=inline(read_asset(STATIC_DIR / "view.js"), "script"),
        page_css=inline(page_css("view.css"), "style"),
        font=look["font"],
        kinds=[(k, look["kinds"][k]) for k in KINDS],
        relations=[(r, look["relations"][r]) for r in RELATIONS],
        countries=data.countries(),
        names=sorted({name for n in data.nodes for name in n.names()}),
        years=years,
        counts={
            "nodes": len(data.nodes),
            "edges": len(data.edges),
            "facts": len(data.facts),
            "hidden": data.hidden,
        },
    )


def write_view(
    kg: RecordSource, out: Path, title: str = DEFAULT_TITLE, max_nodes: int | None = MAX_NODES
) -> Path:
    """Write the network view of ``kg`` to the HTML file ``out``, atomically; returns ``out``.

    Missing parent folders are made; an unwritable ``out`` raises :class:`StoreError` E012.
    """
    return write_html(view_page(view_data(kg, max_nodes), title), out)


def page_css(name: str) -> str:
    """The stylesheet of a page: what the pages share (``page.css``), then its own."""
    return read_asset(STATIC_DIR / "page.css") + read_asset(STATIC_DIR / name)


def write_html(html: str | Iterable[str], out: Path) -> Path:
    """Write a page, whole or in pieces, to ``out`` atomically (a failure leaves the old
    file); returns ``out``."""
    out = Path(out)
    with atomic_file(out) as tmp, tmp.open("w", encoding="utf-8") as file:
        # a str is an iterable of str too: one character at a time would be slow
        file.writelines([html] if isinstance(html, str) else html)
    return out
