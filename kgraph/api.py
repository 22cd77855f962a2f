"""The Python API over a built graph, for notebooks; the command line is a thin layer on it.

>>> import kgraph                                   # doctest: +SKIP
>>> kg = kgraph.open("kg-out")                      # doctest: +SKIP
>>> kg.visits(party="熊本縣")                        # doctest: +SKIP

Every answer comes from the SPARQL files in ``kgraph/queries``; the records
follow the JSON contract of ``kgraph visits|agreements|entities --format json``.
Filters match names after the scorer's normalisation (NFKC, 臺 = 台, no spaces
or name dots), against labels and every alias, and never enter query text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kgraph.errors import Errors, KgraphError
from kgraph.normalise import name_key
from kgraph.resources import QUERY_DIR
from kgraph.store import GraphStore, Row, open_store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

Record = dict[str, Any]


def load_query(name: str) -> str:
    """The text of a named query in ``kgraph/queries`` (``visits`` or ``visits.rq``).

    >>> "kg:visitingRelation" in load_query("visits")
    True
    """
    path = QUERY_DIR / (name if name.endswith(".rq") else f"{name}.rq")
    if not path.is_file():
        raise KgraphError(Errors.E022, name=name)
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    """Names of the bundled queries."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


@dataclass(frozen=True)
class Filters:
    """Filters of the listing commands; every field is optional."""

    party: str | None = None
    person: str | None = None
    country: str | None = None
    start: str | None = None  # ISO prefix: on or after
    end: str | None = None  # ISO prefix: on or before

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None:
                _bounds(value)

    def bindings(self) -> dict[str, str]:
        """The parameters of the filtering queries (``who_visited_whom.rq`` …) that are set;
        :func:`~kgraph.params.bind_query` turns names into their search keys.

        >>> Filters(party="臺北 市", start="2025").bindings()
        {'party': '臺北 市', 'from': '2025'}
        """
        values = {
            "party": self.party,
            "person": self.person,
            "country": self.country,
            "from": self.start,
            "to": self.end,
        }
        return {k: v for k, v in values.items() if v}


class RecordSource(Protocol):
    """What the projections read: :class:`~kgraph.api.KnowledgeGraph` or a :class:`RecordSet`."""

    def entity_records(self) -> list[Record]: ...

    def visit_records(self) -> list[Record]: ...

    def agreement_records(self) -> list[Record]: ...

    def partnership_records(self) -> list[Record]: ...


#: The bundled queries every record is read from, the slowest first (see
#: :meth:`KnowledgeGraph.prefetch`).
RECORD_QUERIES = (
    "sources",
    "visits",
    "memberships",
    "visit_persons",
    "agreement_roles",
    "agreements",
    "partnerships",
    "aliases",
    "entities",
)

#: The record queries whose every row one document's graph gives, with the ontology: the
#: graph stage writes an event with its relations, roles and dates, a title with its
#: membership, and a passage with the facts it tells, whole into the graph of each document
#: that tells them
#: (:func:`kgraph.graph.write_triples`). Over the store, their rows are those over each
#: document's graph, together and without repeats (see :mod:`kgraph.graphrows`).
GRAPH_LOCAL = ("sources", "visits", "memberships", "visit_persons", "agreement_roles")

#: A listing whose filter keeps at most this many records (``kgraph visits --party 札幌市``)
#: reads their graph-local rows from the graphs of the documents that tell them alone
#: (``told_by.rq``), not from the whole store: at 1,000 reports, one city's 24 relations
#: are in 13 graphs, read in 0.3 s against 16 s. The cost grows with the graphs read (some
#: 20 ms each at 1,000 reports): past half of the store's graphs, it is read whole.
NARROW_LIMIT = 500

#: The bundled queries that leave their rows unordered, and the columns kgraph sorts them
#: by (all of them, so that the order is total and a build's outputs repeat). Oxigraph
#: decodes the terms it compares, and took seconds (up to 80% of a query) to sort tens of
#: thousands of rows at 1,000 reports; Python sorts them in a fraction of one.
ROW_ORDER: dict[str, tuple[str, ...]] = {
    "sources": ("subject", "doc", "start", "end", "quote"),
    "visits": ("start", "event", "visitor", "host", "relation", "type", "end", "direction"),
    "visit_persons": ("relation", "role", "person"),
    "agreement_roles": ("agreement", "role", "member"),
    "titles": ("person", "date", "title", "of"),
    "memberships": ("person", "date", "title", "party"),
    "agreements": ("date", "agreement", "event", "kind", "ordinal"),
    "partnerships": ("since", "partnership", "partner", "agreement", "kind", "ordinal"),
}


def sort_rows(rows: list[Row], columns: Sequence[str]) -> list[Row]:
    """``rows`` sorted in place by ``columns`` as SPARQL's ORDER BY would: unbound first,
    numbers by value, everything else by its text.

    >>> sort_rows([{"a": "b"}, {"a": None}, {"a": 10}, {"a": 9}], ["a"])
    [{'a': None}, {'a': 9}, {'a': 10}, {'a': 'b'}]
    """
    if columns and all(_one_type(rows, c) for c in columns):  # the usual case: at C speed
        rows.sort(key=itemgetter(*columns))
    else:
        rows.sort(key=lambda row: tuple(_order_value(row[c]) for c in columns))
    return rows


def _one_type(rows: list[Row], column: str) -> bool:
    """Whether every value of ``column`` is a string, or every one an integer: then the
    values compare as they are, as they would by :func:`_order_value`."""
    kinds = {type(row[column]) for row in rows}
    return kinds == {str} or kinds == {int}


def _order_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))


@dataclass(frozen=True)
class RecordSet:
    """The records of a graph, read once: pass it to several measures instead of the
    :class:`~kgraph.api.KnowledgeGraph`, which queries the store on every call. Tests and
    notebooks can also build one by hand from records in the JSON contract of
    :mod:`kgraph.api`.

    >>> RecordSet().visit_records()
    []
    """

    entities: tuple[Record, ...] = ()
    visits: tuple[Record, ...] = ()
    agreements: tuple[Record, ...] = ()
    partnerships: tuple[Record, ...] = ()

    @classmethod
    def of(cls, source: RecordSource, threads: int = 1) -> RecordSet:
        """The records of ``source``, read now (a :class:`RecordSet` is returned as it is);
        a :class:`KnowledgeGraph`'s queries run in ``threads`` threads side by side."""
        if isinstance(source, RecordSet):
            return source
        if isinstance(source, KnowledgeGraph):
            source.prefetch(RECORD_QUERIES, threads)
        return cls(
            tuple(source.entity_records()),
            tuple(source.visit_records()),
            tuple(source.agreement_records()),
            tuple(source.partnership_records()),
        )

    def entity_records(self) -> list[Record]:
        return list(self.entities)

    def visit_records(self) -> list[Record]:
        return list(self.visits)

    def agreement_records(self) -> list[Record]:
        return list(self.agreements)

    def partnership_records(self) -> list[Record]:
        return list(self.partnerships)


def _bounds(value: str) -> tuple[date, date]:
    from kgraph.dates import span_bounds

    try:
        return span_bounds(value)
    except (ValueError, KgraphError) as exc:
        raise KgraphError(Errors.E041, value=value) from exc


class KnowledgeGraph:
    """A built knowledge graph, in the embedded store or behind a SPARQL endpoint."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._entities: dict[str, Record] | None = None
        self._entity_rows: list[Row] | None = None
        self._source_index: dict[str, list[Record]] | None = None
        self._title_index: dict[str, list[Record]] | None = None
        self._prefetched: dict[str, Future[list[Row]]] = {}

    @classmethod
    def open(cls, location: str | Path = "kg-out", endpoint: str | None = None) -> KnowledgeGraph:
        return cls(open_store(endpoint or location, read_only=True))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- raw SPARQL

    def select(self, query: str, bindings: Mapping[str, str | int] | None = None) -> list[Row]:
        """Rows of a SELECT query (a query text or a bundled query's name); a bundled
        query's rows in its order (see :data:`ROW_ORDER`)."""
        name = query.strip()
        if not bindings and name in self._prefetched:
            rows = self._prefetched.pop(name).result()
        else:
            text = load_query(name) if name in query_names() else query
            rows = self.store.select(text, bindings)
        order = ROW_ORDER.get(name)
        return sort_rows(rows, order) if order else rows

    def prefetch(self, queries: Iterable[str], threads: int) -> None:
        """Start the bundled ``queries`` (without parameters) side by side in ``threads``
        threads; the next :meth:`select` of each takes its rows. Oxigraph evaluates a query
        without holding the GIL, so on two CPUs reading every record (:class:`RecordSet`)
        takes little more than half as long."""
        if threads <= 1:
            return
        pool = ThreadPoolExecutor(threads, thread_name_prefix="kgraph-query")
        for name in queries:
            if name not in self._prefetched:
                self._prefetched[name] = pool.submit(self.store.select, load_query(name))
        pool.shutdown(wait=False)  # the threads end once the last query has run

    def supply(self, name: str, rows: list[Row]) -> None:
        """The rows of the bundled query ``name`` (without parameters), known already: the
        next :meth:`select` of it takes them instead of asking the store. A rebuild knows
        the rows of the graph-local queries graph by graph (see :mod:`kgraph.graphrows`)."""
        done: Future[list[Row]] = Future()
        done.set_result(rows)
        self._prefetched[name] = done

    def sparql(self, query: str, bindings: Mapping[str, str | int] | None = None) -> pd.DataFrame:
        """A SELECT query's rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.select(query, bindings))

    # ---------------------------------------------------------------- records

    def entity_records(
        self, type: str | None = None, filters: Filters | None = None
    ) -> list[Record]:
        """Entities in the JSON contract, optionally of one type (person, place, org); the
        titles and passages of a filter's few entities are read from the graphs of the
        documents that tell them (see :meth:`_graphs_telling`)."""
        f = filters or Filters()
        kept = [e for e in self._entity_index().values() if type in (None, e["type"])]
        if f.party or f.person:
            wanted = name_key(f.party or f.person or "")
            kept = [e for e in kept if wanted in _names(e)]
        if f.country:
            kept = [e for e in kept if _country_matches(e, f.country)]
        filtered = f.party or f.person or f.country
        graphs = self._graphs_telling({e["iri"] for e in kept} if filtered else None)
        titles, sources = self._person_titles(graphs), self._sources(graphs)
        return [
            {**e, "titles": titles.get(e["iri"], []), "sources": sources.get(e["iri"], [])}
            for e in kept
        ]

    def visit_records(self, filters: Filters | None = None) -> list[Record]:
        """Visiting relations in the JSON contract."""
        wanted = self._matching("who_visited_whom", "relation", filters)
        graphs = self._graphs_telling(wanted)
        people = self._grouped("visit_persons", "relation", "role", "person", graphs)
        sources = self._sources(graphs)
        out = []
        for row in self._local_rows("visits", graphs):
            rel = str(row["relation"])
            if wanted is not None and rel not in wanted:
                continue
            out.append(
                {
                    "event": row["event"],
                    "type": row["type"],
                    "start": _iso(row["start"]),
                    "end": _iso(row["end"]),
                    "visitor": self._party(row["visitor"]),
                    "visitor_persons": [self._person(p) for p in people[rel]["visitor"]],
                    "host": self._party(row["host"]),
                    "host_persons": [self._person(p) for p in people[rel]["host"]],
                    "direction": row["direction"],
                    "sources": sources.get(rel) or sources.get(str(row["event"]), []),
                }
            )
        return out

    def agreement_records(self, filters: Filters | None = None) -> list[Record]:
        """Signed agreements in the JSON contract."""
        wanted = self._matching("agreements_signed", "agreement", filters)
        graphs = self._graphs_telling(wanted)
        roles = self._grouped("agreement_roles", "agreement", "role", "member", graphs)
        sources = self._sources(graphs)
        out = []
        for row in self.select("agreements"):
            agr = str(row["agreement"])
            if wanted is not None and agr not in wanted:
                continue
            out.append(
                {
                    "event": row["event"],
                    "agreement": agr,
                    "kind": row["kind"],
                    "date": _iso(row["date"]),
                    "ordinal": row["ordinal"],
                    "parties": [self._party(p) for p in roles[agr]["party"]],
                    "signatories": [self._person(p) for p in roles[agr]["signatory"]],
                    "witnesses": [self._person(p) for p in roles[agr]["witness"]],
                    "sources": sources.get(agr) or sources.get(str(row["event"]), []),
                }
            )
        return out

    def partnership_records(self) -> list[Record]:
        """Partnerships (sister, friendship, partner city), each with its partners, the
        agreements that made it, its start (the earliest of their dates) and ordinal."""
        out: dict[str, Record] = {}
        sources = self._sources()
        for row in self.select("partnerships"):
            iri = str(row["partnership"])
            p = out.setdefault(
                iri,
                {
                    "partnership": iri,
                    "kind": row["kind"],
                    "since": _iso(row["since"]),
                    "ordinal": row["ordinal"],
                    "partners": [],
                    "agreements": [],
                    "sources": sources.get(iri, []),
                },
            )
            if str(row["partner"]) not in {x["iri"] for x in p["partners"]}:
                p["partners"].append(self._party(row["partner"]))
            if str(row["agreement"]) not in p["agreements"]:
                p["agreements"].append(str(row["agreement"]))
        return list(out.values())

    def source_rows(self) -> list[Row]:
        """The rows of the ``sources`` query (a fact, and a passage that tells it), by fact,
        document and offsets."""
        return self.select("sources")

    # ---------------------------------------------------------------- DataFrames

    def visits(self, **filters: str | None) -> pd.DataFrame:
        """Who visited whom, one row per visiting relation."""
        return _frame(self.visit_records(Filters(**filters)), flat_visit)

    def agreements(self, **filters: str | None) -> pd.DataFrame:
        """Signed agreements, one row each."""
        return _frame(self.agreement_records(Filters(**filters)), flat_agreement)

    def entities(self, type: str | None = None, **filters: str | None) -> pd.DataFrame:
        """People, places and organisations."""
        return _frame(self.entity_records(type, Filters(**filters)), flat_entity)

    # ---------------------------------------------------------------- helpers

    def _matching(self, query: str, key: str, filters: Filters | None) -> set[str] | None:
        """The ``key`` IRIs of the rows ``query`` keeps under ``filters`` (None: no filter).
        The filtering is the query's own, so the CLI and ``kgraph sparql --file`` agree."""
        bindings = filters.bindings() if filters else {}
        if not bindings:
            return None
        return {str(row[key]) for row in self.select(query, bindings)}

    def _graphs_telling(self, subjects: set[str] | None) -> list[str] | None:
        """The graphs of the documents that tell ``subjects``, and the ontology's: a
        graph-local query (:data:`GRAPH_LOCAL`) gives every row about them from those
        alone. None (the whole store) without a filter, for more than :data:`NARROW_LIMIT`
        subjects, or when they are told in more than half of the graphs (one country's
        places, at 1,000 reports: 943 of 1,000 graphs, read in 24 s against 16 s)."""
        if subjects is None or len(subjects) > NARROW_LIMIT:
            return None
        from kgraph.namespace import ONTOLOGY_IRI  # rdflib: not at start-up

        rows = self.store.select(load_query("told_by"), {"subject": tuple(sorted(subjects))})
        graphs = {str(row["graph"]) for row in rows}
        if len(graphs) > len(self.store.graphs()) / 2:  # then no faster than the store's
            return None
        return sorted(graphs | {ONTOLOGY_IRI})

    def _local_rows(self, name: str, graphs: list[str] | None) -> list[Row]:
        """The rows of the graph-local query ``name`` over ``graphs`` (None: the store)."""
        if graphs is None:
            return self.select(name)
        return sort_rows(self.store.select(load_query(name), graphs=graphs), ROW_ORDER[name])

    def _grouped(
        self, query: str, key: str, role: str, member: str, graphs: list[str] | None = None
    ) -> dict[str, dict[str, list]]:
        out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for row in self._local_rows(query, graphs):
            out[str(row[key])][str(row[role])].append(str(row[member]))
        return out

    def _person_titles(self, graphs: list[str] | None) -> dict[str, list[Record]]:
        """Each person's titles, from the store (read once) or from ``graphs`` alone."""
        if graphs is None and self._title_index is not None:
            return self._title_index
        self._entity_index()  # the names of the titles' parties: the entities' rows
        titles = _titles(self._local_rows("memberships", graphs), self._entity_rows or [])
        if graphs is None:
            self._title_index = titles
        return titles

    def _sources(self, graphs: list[str] | None = None) -> dict[str, list[Record]]:
        """Each fact's passages, from the store (read once, for every listing), or from
        ``graphs`` alone (see :meth:`_graphs_telling`)."""
        if graphs is None and self._source_index is not None:
            return self._source_index
        out: dict[str, list[Record]] = defaultdict(list)
        rows = self.source_rows() if graphs is None else self._local_rows("sources", graphs)
        for row in rows:
            out[str(row["subject"])].append(
                {"doc": row["doc"], "start": row["start"], "end": row["end"], "quote": row["quote"]}
            )
        if graphs is None:
            self._source_index = out
        return out

    def _entity_index(self) -> dict[str, Record]:
        if self._entities is not None:
            return self._entities
        aliases: dict[str, list[str]] = defaultdict(list)
        for row in self.select("aliases"):
            aliases[str(row["iri"])].append(str(row["alias"]))
        entities = self.select("entities")
        index: dict[str, Record] = {}
        for row in entities:
            iri = str(row["iri"])
            if iri in index:
                continue
            index[iri] = {
                "iri": iri,
                "type": row["type"],
                "kind": row["kind"] if row["type"] == "place" else None,
                "label": row["label"],
                "label_en": row["label_en"],
                "aliases": aliases.get(iri, []),
                "titles": [],  # entity_records fills both in: names alone are asked more
                "country": row["country"],
                "wikidata": _qid(row["wikidata"]),
                "lat": _float(row["lat"]),
                "lon": _float(row["lon"]),
                "sources": [],
            }
        self._entities, self._entity_rows = index, entities
        return index

    def _party(self, iri: Any) -> Record:
        e = self._entity_index().get(str(iri), {})
        return {
            "iri": str(iri),
            "label": e.get("label"),
            "label_en": e.get("label_en"),
            "aliases": e.get("aliases", []),
            "country": e.get("country"),
        }

    def _person(self, iri: Any) -> Record:
        e = self._entity_index().get(str(iri), {})
        return {
            "iri": str(iri),
            "label": e.get("label"),
            "label_en": e.get("label_en"),
            "aliases": e.get("aliases", []),
        }


def _titles(memberships: list[Row], entities: list[Row]) -> dict[str, list[Record]]:
    """Each person's titles, with the name of the party or organisation of each: the rows
    of ``titles.rq`` (one per name, without repeats, in its order), made from those of
    ``memberships.rq``, which one document's graph gives, and the entities' names: the
    party of a membership is an entity of the graph, so its name is a row of
    ``entities.rq`` (``tests/test_api.py`` checks the two agree on the corpus).

    >>> entities = [{"iri": "o:a", "label": "高雄市"}, {"iri": "o:b", "label": "高雄市"}]
    >>> memberships = [{"person": "p:1", "title": "市長", "party": p, "date": None}
    ...                for p in ("o:a", "o:b", "o:c")]
    >>> _titles(memberships, entities)["p:1"]  # o:c has no name; o:a's and o:b's are one
    [{'title': '市長', 'of': None, 'date': None}, {'title': '市長', 'of': '高雄市', 'date': None}]
    >>> entities += [{"iri": "o:c", "label": "甲"}, {"iri": "o:c", "label": "乙"}]
    >>> [t["of"] for t in _titles(memberships, entities)["p:1"]]  # a row for each name
    ['乙', '甲', '高雄市']
    """
    names: dict[str, set[Any]] = defaultdict(set)
    for row in entities:
        names[str(row["iri"])].add(row["label"])
    rows = {
        (row["person"], row["title"], of, row["date"]): None
        for row in memberships
        for of in (names.get(str(row["party"]), ()) if row["party"] else ()) or (None,)
    }
    joined = [dict(zip(("person", "title", "of", "date"), r, strict=True)) for r in rows]
    out: dict[str, list[Record]] = defaultdict(list)
    for row in sort_rows(joined, ROW_ORDER["titles"]):
        out[str(row["person"])].append(
            {"title": row["title"], "of": row["of"], "date": _iso(row["date"])}
        )
    return out


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _qid(value: Any) -> str | None:
    return str(value).rsplit("/", 1)[-1] if value else None


def _names(record: Record) -> set[str]:
    names = [record.get("label") or "", record.get("label_en") or "", *record.get("aliases", [])]
    return {name_key(n) for n in names if n}


def _country_matches(record: Record, country: str) -> bool:
    return name_key(record.get("country") or "") == name_key(country)


def _labels(items: list[Record]) -> str:
    return "、".join(p["label"] or "" for p in items)


def _docs(r: Record) -> str:
    return ", ".join(sorted({s["doc"] for s in r["sources"]}))


def flat_visit(r: Record) -> Record:
    return {
        "start": r["start"],
        "end": r["end"],
        "type": r["type"],
        "visitor": r["visitor"]["label"],
        "visitor_persons": _labels(r["visitor_persons"]),
        "host": r["host"]["label"],
        "host_persons": _labels(r["host_persons"]),
        "direction": r["direction"],
        "doc": _docs(r),
        "event": r["event"],
    }


def flat_agreement(r: Record) -> Record:
    return {
        "date": r["date"],
        "kind": r["kind"],
        "parties": _labels(r["parties"]),
        "signatories": _labels(r["signatories"]),
        "ordinal": r["ordinal"],
        "doc": _docs(r),
        "event": r["event"],
    }


def flat_entity(r: Record) -> Record:
    return {
        "type": r["type"],
        "label": r["label"],
        "label_en": r["label_en"],
        "country": r["country"],
        "kind": r["kind"],
        "aliases": "、".join(r["aliases"]),
        "titles": "、".join(str(t["title"]) for t in r["titles"]),
        "mentions": len(r["sources"]),
        "lat": r["lat"],
        "lon": r["lon"],
        "iri": r["iri"],
    }


def _frame(records: list[Record], flatten: Any) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([flatten(r) for r in records])
