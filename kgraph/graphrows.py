"""The rows of the graph-local record queries, read graph by graph and kept per document
for the next build's views.

The views read every record (:class:`kgraph.api.RecordSet`). Five of the record queries
are graph-local (:data:`kgraph.api.GRAPH_LOCAL`): each of their rows is given by one
document's graph, with the ontology. Over the store, their rows are the rows over each
document's graph, together and without repeats.

Read graph by graph, the rows say which graph gives them. So a build reads them so, and
keeps each document graph's rows, beside the hash of what that graph was made from
(:func:`~kgraph.graph.graph_inputs`), in ``cache/graph-rows.pickle``; the next build into
the same folder takes the rows of every graph whose hash is unchanged from there, and
reads only the graphs it wrote (:meth:`GraphRows.read`). A query per graph mostly costs
a build from nothing more than one query over the union: at 1,000 reports, 21.8 s against
17.1 s for ``sources``, ``visits``, ``visit_persons`` and ``agreement_roles``, side by side
on one store (``memberships`` is faster read this way: 1.9 s against 2.4 s). A rebuild
that writes a few graphs reads them in a fraction of a second.

Like the extraction cache, the file is kgraph's own output: one that fails to load, or
was written for other queries or another pyoxigraph, is treated as missing.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgraph.api import GRAPH_LOCAL, load_query
from kgraph.cache import CACHE_DIR, read_pickled, written_whole
from kgraph.graph import graph_iri
from kgraph.model import DocumentInfo
from kgraph.namespace import ONTOLOGY_IRI
from kgraph.store import GraphStore, Row

ROWS_FILE = "graph-rows.pickle"

#: One graph's rows: query name -> its rows, each a tuple in the order of its query's
#: columns (see :class:`ByGraph`).
GraphRowsOf = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class ByGraph:
    """The graph-local queries' rows graph by graph, each row a tuple in the order of its
    query's ``columns``: a tuple hashes, so joining the graphs' rows without repeats
    (:func:`together`) and keeping them for the next build need no conversion; only the
    rows of the union become the api's dicts. At 1,000 reports, 593,000 rows are kept."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # query -> columns
    graphs: dict[str, GraphRowsOf] = field(default_factory=dict)  # graph IRI -> its rows


@lru_cache(maxsize=1)
def stamp() -> str:
    """What kept rows were read with: the queries and pyoxigraph, which turns the store's
    terms into them (kgraph's own code is in every graph's hash already).

    >>> len(stamp())
    32
    """
    text = "".join(load_query(name) for name in GRAPH_LOCAL) + ox.__version__
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class GraphRows:
    """The rows of the graph-local queries in a build's document graphs, which were made
    from ``inputs`` (graph IRI -> hash); those the build in ``previous`` kept hold for
    every graph made from the same inputs.

    >>> GraphRows({"g:a": "1"}).kept()
    ByGraph(columns={}, graphs={})
    """

    inputs: dict[str, str]  # document graph IRI -> the hash of what it was made from
    previous: Path | None = None  # the last build's folder

    @classmethod
    def open(
        cls,
        previous: Path,
        documents: Sequence[DocumentInfo],
        inputs: Mapping[str, str],
        base: str,
    ) -> GraphRows:
        """The rows of a build of ``documents`` whose last build is in ``previous``."""
        graphs = sorted(str(graph_iri(d.doc_id, base)) for d in documents)
        return cls({g: inputs.get(g, "") for g in graphs}, previous)

    def kept(self) -> ByGraph:
        """The rows the last build kept of each graph made from the inputs it has now;
        none if its file is missing, damaged, or from other queries or another pyoxigraph."""
        if self.previous is None:
            return ByGraph()
        try:
            made_with, columns, packed = read_pickled(self.previous / CACHE_DIR / ROWS_FILE)
            if made_with != stamp():
                return ByGraph()
            graphs = {
                g: rows
                for g, (made_from, rows) in packed.items()
                if self.inputs.get(g) == made_from and set(rows) == set(GRAPH_LOCAL)
            }
            if not all(
                _fits(columns.get(name), found)
                for r in graphs.values()
                for name, found in r.items()
            ):
                return ByGraph()
            return ByGraph(dict(columns), graphs)
        except (AttributeError, KeyError, TypeError, ValueError):  # not of this shape
            return ByGraph()

    def read(self, store: GraphStore, threads: int = 1) -> ByGraph:
        """Each document graph's rows: kept, or read from ``store``, graph by graph, in
        ``threads`` threads (Oxigraph evaluates a query without holding the GIL)."""
        kept = self.kept()
        todo = [g for g in self.inputs if g not in kept.graphs]
        texts = {name: load_query(name) for name in GRAPH_LOCAL}

        def rows_of(graph: str) -> dict[str, list[Row]]:
            within = [graph, ONTOLOGY_IRI]
            return {name: store.select(text, graphs=within) for name, text in texts.items()}

        with ThreadPoolExecutor(max(threads, 1), thread_name_prefix="kgraph-rows") as pool:
            fresh = dict(zip(todo, pool.map(rows_of, todo), strict=True))
        columns = dict(kept.columns)
        for rows in fresh.values():  # a row's keys are its query's columns, in their order
            for name, found in rows.items():
                if found:
                    columns.setdefault(name, tuple(found[0]))
        graphs = {g: kept.graphs[g] if g in kept.graphs else _packed(fresh[g]) for g in self.inputs}
        return ByGraph(columns, graphs)

    def save(self, folder: Path, rows: ByGraph) -> None:
        """Keep ``rows`` (as :meth:`read` gives them) in the build's ``folder`` (written
        whole, then renamed), each graph's beside the hash of what it was made from."""
        packed = {g: (self.inputs.get(g, ""), found) for g, found in rows.graphs.items()}
        with written_whole(folder / CACHE_DIR / ROWS_FILE) as f:
            pickle.dump((stamp(), rows.columns, packed), f, protocol=pickle.HIGHEST_PROTOCOL)


def together(rows: ByGraph) -> dict[str, list[Row]]:
    """Each graph-local query's rows over the store: those of every graph, each once (a
    fact that several documents tell is in the graph of each), in the order first given.

    >>> x = ByGraph({"q": ("x",)}, {"g:a": {"q": [(1,), (2,)]}, "g:b": {"q": [(2,)]}})
    >>> together(x)
    {'q': [{'x': 1}, {'x': 2}]}
    """
    unique: dict[str, dict[tuple[Any, ...], None]] = {}
    for graph in rows.graphs.values():
        for name, found in graph.items():
            unique.setdefault(name, {}).update(dict.fromkeys(found))
    return {
        name: [dict(zip(rows.columns[name], row, strict=True)) for row in found]
        for name, found in unique.items()
    }


def _packed(rows: Mapping[str, list[Row]]) -> GraphRowsOf:
    """One graph's rows as the store gives them, each as a tuple of its values.

    >>> _packed({"q": [{"x": 1, "y": 2}], "r": []})
    {'q': [(1, 2)], 'r': []}
    """
    return {name: [tuple(row.values()) for row in found] for name, found in rows.items()}


def _fits(columns: tuple[str, ...] | None, rows: list[tuple[Any, ...]]) -> bool:
    """Whether every row is a tuple with a value for each of ``columns`` (None: the
    file has none for its query); a damaged file's rows might not be.

    >>> _fits(("x", "y"), [(1, 2), (3, 4)]), _fits(("x",), [(1, 2)]), _fits(("x",), [[1]])
    (True, False, False)
    >>> _fits(None, []), _fits(None, [()])
    (True, False)
    """
    if not rows:
        return True
    return (
        columns is not None
        and set(map(type, rows)) == {tuple}
        and all(map(len(columns).__eq__, map(len, rows)))
    )
