"""Write a built graph for other tools: ``kgraph export --format FMT --out PATH``.

The store answers SPARQL, but the people who use the graph mostly reach for other tools:
RDF software wants a standard serialisation, Gephi (and NetworkX analyses) want a property
graph of parties and people, and spreadsheets want flat tables. One module gives each its
file, from the same records the listing commands print, so every export tells the same
facts.

* RDF (``turtle``, ``trig``, ``nquads``, ``jsonld``, ``ntriples``): written by
  :meth:`GraphStore.dump`, the one serialiser of the project. TriG, N-Quads and JSON-LD keep
  the named graphs (one per document); Turtle and N-Triples hold their union as one graph.
* ``graphml``: :func:`to_networkx` as GraphML, the format Gephi opens; see its docstring
  for the node and edge attributes.
* ``csv``: a folder of tables (:data:`TABLE_FILES`), the ``flat_*`` rows of :mod:`kgraph.api`
  plus one row per fact and passage telling it.

Every write is atomic: the export goes to a temporary file or folder beside ``out`` that is
renamed to ``out`` at the end, so a failure never leaves a half-written export (nor replaces a
good one).
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraph.api import KnowledgeGraph, Record, flat_agreement, flat_entity, flat_visit
from kgraph.errors import Errors, KgraphError, StoreError
from kgraph.store import MANIFEST_FILE, STORE_DIR, GraphStore, atomic_output, is_url

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = [
    "EXPORT_FORMATS",
    "RDF_FORMATS",
    "RELATIONS",
    "TABLE_FILES",
    "atomic_file",
    "check_format",
    "default_name",
    "export",
    "graph_from_records",
    "table_rows",
    "to_networkx",
    "write_graphml",
    "write_rdf",
    "write_tables",
]

RDF_FORMATS: tuple[str, ...] = ("turtle", "trig", "nquads", "jsonld", "ntriples")
EXPORT_FORMATS: tuple[str, ...] = (*RDF_FORMATS, "graphml", "csv")

_DEFAULT_NAMES = {
    "turtle": "graph.ttl",
    "trig": "graph.trig",
    "nquads": "graph.nq",
    "jsonld": "graph.jsonld",
    "ntriples": "graph.nt",
    "graphml": "graph.graphml",
    "csv": "tables/",
}

TABLE_FILES: tuple[str, ...] = ("visits.csv", "agreements.csv", "entities.csv", "sources.csv")
SOURCE_COLUMNS: tuple[str, ...] = ("subject", "doc", "start", "end", "quote")

# Edge kinds of the GraphML export, in the order edges are inserted.
RELATIONS: tuple[str, ...] = ("visited", "signed", "took_part", "signatory")

# Excel reads a CSV file without a byte order mark in the local ANSI code page (cp950,
# cp1252, ...) and garbles Chinese; with the UTF-8 BOM it reads UTF-8. Python's csv module
# and pandas skip the BOM when they read with "utf-8-sig".
CSV_ENCODING = "utf-8-sig"


# --------------------------------------------------------------------------- formats


def check_format(fmt: str) -> str:
    """The export format ``fmt`` names (case does not matter), or :class:`KgraphError` E050.

    >>> check_format("GraphML")
    'graphml'
    >>> check_format("xlsx")
    Traceback (most recent call last):
    ...
    kgraph.errors.KgraphError: [E050] unsupported export format 'xlsx' (expected one of turtle, trig, nquads, jsonld, ntriples, graphml, csv)
    """  # noqa: E501
    name = fmt.lower()
    if name not in EXPORT_FORMATS:
        raise KgraphError(Errors.E050, format=fmt, supported=", ".join(EXPORT_FORMATS))
    return name


def default_name(fmt: str) -> str:
    """The usual file name of an export; a folder (``csv``) ends in ``/``.

    >>> [default_name(f) for f in ("turtle", "graphml", "csv")]
    ['graph.ttl', 'graph.graphml', 'tables/']
    """
    return _DEFAULT_NAMES[check_format(fmt)]


# --------------------------------------------------------------------------- entry point


def export(location: str | Path, fmt: str, out: Path, endpoint: str | None = None) -> Path:
    """Export the graph built at ``location`` (or served at ``endpoint``) as ``fmt`` to
    ``out``, a file, or a folder for ``csv``; returns the path written.

    Missing parent folders are made. An existing ``out`` file is replaced; an existing ``csv``
    folder only if :func:`kgraph.store.atomic_output` accepts it. Raises :class:`KgraphError`
    E050 for an unknown format (before opening the store) and :class:`StoreError` E012 when
    ``out`` cannot be written, including when it would overwrite the store being read.
    """
    name = check_format(fmt)
    out = Path(out)
    if endpoint is None and not is_url(location):
        _check_not_the_build(out, Path(location))
    with KnowledgeGraph.open(location, endpoint=endpoint) as kg:
        if name == "csv":
            write_tables(kg, out)
        elif name == "graphml":
            write_graphml(to_networkx(kg), out)
        else:
            write_rdf(kg.store, name, out)
    return out


def _check_not_the_build(out: Path, build: Path) -> None:
    """Refuse an ``out`` that would replace the build folder (or a folder holding it), its
    store or its manifest: an atomic folder swap there would delete the graph being read."""
    target, build = out.resolve(), build.resolve()
    if (
        build.is_relative_to(target)
        or target.is_relative_to(build / STORE_DIR)
        or target == build / MANIFEST_FILE
    ):
        reason = f"it would overwrite the graph being exported ({build})"
        raise StoreError(Errors.E012, path=out, reason=reason)


# --------------------------------------------------------------------------- atomic files


@contextlib.contextmanager
def atomic_file(out: Path) -> Iterator[Path]:
    """Yield ``.<name>.tmp-<pid>`` beside ``out`` to write; on success rename it to ``out``.

    The temporary file is removed whatever happens, so a failure leaves ``out`` as it was.
    Missing parent folders are made; an :class:`OSError` becomes :class:`StoreError` E012.
    """
    out = Path(out)
    if not out.name or out.name == "..":
        raise StoreError(Errors.E012, path=out, reason="a file name is needed")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        raise StoreError(Errors.E012, path=out, reason=exc.strerror or str(exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_rdf(store: GraphStore, fmt: str, out: Path) -> None:
    """Dump ``store`` as one of :data:`RDF_FORMATS` to the file ``out``, atomically."""
    if fmt not in RDF_FORMATS:
        raise KgraphError(Errors.E050, format=fmt, supported=", ".join(RDF_FORMATS))
    with atomic_file(out) as tmp:
        try:
            store.dump(tmp, fmt)
        except StoreError as exc:
            if exc.code != "E012":
                raise
            # The store names the temporary file; the user asked for ``out``.
            reason = str(exc).partition(f"{tmp}: ")[2] or str(exc)
            raise StoreError(Errors.E012, path=out, reason=reason) from None


# --------------------------------------------------------------------------- GraphML


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """The graph of parties and people as a NetworkX ``MultiDiGraph``: see
    :func:`graph_from_records`."""
    return graph_from_records(kg.entity_records(), kg.visit_records(), kg.agreement_records())


def graph_from_records(
    entities: Iterable[Record], visits: Iterable[Record], agreements: Iterable[Record]
) -> nx.MultiDiGraph:
    """A ``MultiDiGraph`` of the records of :mod:`kgraph.api`, ready for GraphML.

    Nodes are entities keyed by IRI, with the string attributes ``label``, ``label_en``,
    ``type`` (person, place, org), ``kind`` (city, region, country, or place for another
    place; empty for people and organisations), ``country`` (its label), ``wikidata`` (a Q
    identifier) and the integer ``mentions`` (passages naming it). GraphML has no null, so a
    missing value is ``""``. A party or person missing from ``entities`` still gets a node,
    with the labels its reference carries and an empty ``type``.

    Every edge has ``relation`` (one of :data:`RELATIONS`, for colouring in Gephi), ``event``
    and ``doc`` (the documents telling it, comma-separated), and:

    * ``visited``: visiting party -> host party, one per visiting relation, with
      ``event_type`` (visit, video_meeting, agreement, event), ``start``, ``end``, ``direction``;
    * ``signed``: one per pair of an agreement's distinct parties, from the party with the
      smaller IRI to the other (n parties give n(n-1)/2 edges; read them as undirected), with
      ``agreement``, ``kind``, ``date``;
    * ``took_part``: person -> party they came with or received the visit for, with ``role``
      (visitor or host), ``start``, ``end``;
    * ``signatory``: signatory -> every party of the agreement they signed (the records do not
      say which party a person signed for), with ``agreement``, ``kind``, ``date``.

    Nodes are inserted sorted by IRI and edges sorted by relation, ends and attributes, with
    keys ``e0``, ``e1``, ... (unique GraphML edge ids), so the same records give the same graph.
    """
    import networkx as nx

    visits, agreements = list(visits), list(agreements)
    nodes: dict[str, dict[str, str | int]] = {e["iri"]: _node(e) for e in entities}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for visit in visits:
        edges += _visit_edges(visit)
    for agreement in agreements:
        edges += _agreement_edges(agreement)
    for ref in _references(visits, agreements):
        nodes.setdefault(ref["iri"], _node_of_reference(ref))

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(sorted(nodes.items()))
    edges.sort(key=_edge_order)
    for i, (u, v, attrs) in enumerate(edges):
        graph.add_edge(u, v, key=f"e{i}", **attrs)
    return graph


def write_graphml(graph: nx.MultiDiGraph, out: Path) -> None:
    """Write ``graph`` as GraphML (UTF-8) to the file ``out``, atomically."""
    import networkx as nx

    with atomic_file(out) as tmp:
        nx.write_graphml(graph, tmp, encoding="utf-8", prettyprint=True)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _docs(record: Record) -> str:
    return ", ".join(sorted({str(s["doc"]) for s in record.get("sources", [])}))


def _node(e: Record) -> dict[str, str | int]:
    attrs: dict[str, str | int] = {
        key: _text(e.get(key))
        for key in ("label", "label_en", "type", "kind", "country", "wikidata")
    }
    attrs["mentions"] = len(e.get("sources", []))
    return attrs


def _node_of_reference(ref: Record) -> dict[str, str | int]:
    return _node({key: ref.get(key) for key in ("label", "label_en", "country")})


def _references(visits: list[Record], agreements: list[Record]) -> Iterator[Record]:
    for v in visits:
        yield from (v["visitor"], v["host"], *v["visitor_persons"], *v["host_persons"])
    for a in agreements:
        yield from (*a["parties"], *a["signatories"])


def _visit_edges(v: Record) -> list[tuple[str, str, dict[str, str]]]:
    common = {"event": _text(v["event"]), "start": _text(v["start"]), "end": _text(v["end"])}
    common["doc"] = _docs(v)
    visitor, host = v["visitor"]["iri"], v["host"]["iri"]
    edges = [
        (
            visitor,
            host,
            {
                "relation": "visited",
                "event_type": _text(v["type"]),
                "direction": _text(v["direction"]),
                **common,
            },
        )
    ]
    for role, party in (("visitor", visitor), ("host", host)):
        for person in v[f"{role}_persons"]:
            edges.append((person["iri"], party, {"relation": "took_part", "role": role, **common}))
    return edges


def _agreement_edges(a: Record) -> list[tuple[str, str, dict[str, str]]]:
    common = {
        "agreement": _text(a["agreement"]),
        "kind": _text(a["kind"]),
        "date": _text(a["date"]),
        "event": _text(a["event"]),
        "doc": _docs(a),
    }
    parties = sorted({p["iri"] for p in a["parties"]})
    edges = [(u, v, {"relation": "signed", **common}) for u, v in combinations(parties, 2)]
    for person in a["signatories"]:
        edges += [(person["iri"], p, {"relation": "signatory", **common}) for p in parties]
    return edges


def _edge_order(edge: tuple[str, str, dict[str, str]]) -> tuple[int, str, str, list]:
    u, v, attrs = edge
    return RELATIONS.index(attrs["relation"]), u, v, sorted(attrs.items())


# --------------------------------------------------------------------------- CSV


class _Blank(dict[str, Any]):
    """A record whose every field is empty: a flattener given one names its columns."""

    def __missing__(self, key: str) -> _Blank:
        return _Blank()


def _columns(flatten: Callable[[Record], Record]) -> list[str]:
    """The column names of a ``flat_*`` table, without any record.

    >>> _columns(flat_visit)[:4]
    ['start', 'end', 'type', 'visitor']
    """
    return list(flatten(_Blank()))


def _table(records: list[Record], flatten: Callable[[Record], Record]) -> tuple[list[str], list]:
    rows = [flatten(r) for r in records]
    return (list(rows[0]) if rows else _columns(flatten)), rows


def table_rows(kg: KnowledgeGraph) -> dict[str, tuple[list[str], list[Record]]]:
    """The CSV tables by file name (:data:`TABLE_FILES`): columns and rows of each.

    ``visits``, ``agreements`` and ``entities`` are the ``flat_*`` rows of :mod:`kgraph.api`
    (the same as ``--format csv`` of the listing commands); ``sources`` has one row per fact
    (``subject``: a visiting relation, agreement, event or entity IRI) and passage telling it.
    """
    return {
        "visits.csv": _table(kg.visit_records(), flat_visit),
        "agreements.csv": _table(kg.agreement_records(), flat_agreement),
        "entities.csv": _table(kg.entity_records(), flat_entity),
        "sources.csv": (list(SOURCE_COLUMNS), kg.source_rows()),
    }


def write_tables(kg: KnowledgeGraph, out: Path) -> None:
    """Write the tables of :func:`table_rows` into the folder ``out``, atomically (through
    :func:`kgraph.store.atomic_output`): every query runs before anything is written."""
    tables = table_rows(kg)
    with atomic_output(out, marks=frozenset(TABLE_FILES)) as folder:
        for name, (columns, rows) in tables.items():
            _write_csv(folder / name, columns, rows)


def _write_csv(path: Path, columns: list[str], rows: Iterable[Record]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)  # None is written as an empty cell
