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
from dataclasses import dataclass
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

#: One graph's rows: query name -> its rows.
GraphRowsOf = dict[str, list[Row]]


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
    {}
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

    def kept(self) -> dict[str, GraphRowsOf]:
        """The rows the last build kept of each graph made from the inputs it has now (only
        those are unpacked); none if its file is missing, damaged, or from other queries
        or another pyoxigraph."""
        if self.previous is None:
            return {}
        try:
            made_with, columns, packed = read_pickled(self.previous / CACHE_DIR / ROWS_FILE)
            if made_with != stamp():
                return {}
            return {
                g: _unpacked(columns, rows)
                for g, (made_from, rows) in packed.items()
                if self.inputs.get(g) == made_from and set(rows) == set(GRAPH_LOCAL)
            }
        except (AttributeError, KeyError, TypeError, ValueError):  # not of this shape
            return {}

    def read(self, store: GraphStore, threads: int = 1) -> dict[str, GraphRowsOf]:
        """Each document graph's rows: kept, or read from ``store``, graph by graph, in
        ``threads`` threads (Oxigraph evaluates a query without holding the GIL)."""
        by_graph = self.kept()
        todo = [g for g in self.inputs if g not in by_graph]
        texts = {name: load_query(name) for name in GRAPH_LOCAL}

        def rows_of(graph: str) -> GraphRowsOf:
            within = [graph, ONTOLOGY_IRI]
            return {name: store.select(text, graphs=within) for name, text in texts.items()}

        with ThreadPoolExecutor(max(threads, 1), thread_name_prefix="kgraph-rows") as pool:
            by_graph.update(zip(todo, pool.map(rows_of, todo), strict=True))
        return {g: by_graph[g] for g in self.inputs}

    def save(self, folder: Path, by_graph: Mapping[str, GraphRowsOf]) -> None:
        """Keep the rows ``by_graph`` (as :meth:`read` gives them) in the build's
        ``folder`` (written whole, then renamed), each row as a tuple in its query's
        columns' order."""
        columns: dict[str, tuple[str, ...]] = {}
        packed: dict[str, tuple[str, dict[str, list[tuple[Any, ...]]]]] = {}
        for g, rows in by_graph.items():
            for name, found in rows.items():
                if found:
                    columns.setdefault(name, tuple(found[0]))
            packed[g] = (
                self.inputs.get(g, ""),
                {name: [tuple(r.values()) for r in found] for name, found in rows.items()},
            )
        with written_whole(folder / CACHE_DIR / ROWS_FILE) as f:
            pickle.dump((stamp(), columns, packed), f, protocol=pickle.HIGHEST_PROTOCOL)


def together(by_graph: Mapping[str, GraphRowsOf]) -> dict[str, list[Row]]:
    """Each graph-local query's rows over the store: those of every graph, each once (a
    fact that several documents tell is in the graph of each).

    >>> together({"g:a": {"q": [{"x": 1}, {"x": 2}]}, "g:b": {"q": [{"x": 2}]}})
    {'q': [{'x': 1}, {'x': 2}]}
    """
    out: dict[str, list[Row]] = {}
    seen: dict[str, set[tuple[Any, ...]]] = {}
    for rows in by_graph.values():
        for name, found in rows.items():
            known, kept = seen.setdefault(name, set()), out.setdefault(name, [])
            for row in found:
                key = tuple(row.values())
                if key not in known:
                    known.add(key)
                    kept.append(row)
    return out


def _unpacked(columns: dict[str, tuple[str, ...]], packed: dict[str, Any]) -> GraphRowsOf:
    """One graph's rows as :meth:`GraphRows.save` packed them, as rows again.

    >>> _unpacked({"q": ("x", "y")}, {"q": [(1, 2)], "r": []})
    {'q': [{'x': 1, 'y': 2}], 'r': []}
    """
    return {
        str(name): [dict(zip(columns[name], row, strict=True)) for row in found]
        for name, found in packed.items()
    }
