"""The passages of a build's facts, kept per document for the next build's views.

The views read every fact's passages: the rows of ``sources.rq`` (a fact, and a passage
that tells it), 360,000 of them at 1,000 reports, the largest of the views' queries. Each
row comes from one document's graph: a passage, the facts' links to it and the document's
name are all in the graph of the document it quotes (see :mod:`kgraph.graph`). So a build
keeps each document's rows, beside the hash of what that document's graph was made from
(:func:`~kgraph.graph.graph_inputs`), in ``cache/passages.pickle``; the next build into
the same folder takes the rows of every graph whose hash is unchanged from there, and asks
the store only for those of the graphs it wrote (:meth:`PassageCache.rows`).

Like the extraction cache, the file is kgraph's own output: one that fails to load, or
was written for another query or pyoxigraph, is treated as missing.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgraph.api import Record, load_query
from kgraph.cache import CACHE_DIR, read_pickled, written_whole
from kgraph.graph import graph_iri
from kgraph.model import DocumentInfo
from kgraph.store import GraphStore, Row

PASSAGES_FILE = "passages.pickle"

#: A document's rows as kept: (start, end, quote, the IRIs of the facts it tells).
Kept = list[tuple[int, int, str, tuple[str, ...]]]


@lru_cache(maxsize=1)
def stamp() -> str:
    """What the kept rows were read with: the query and pyoxigraph, which turns the
    store's terms into them (kgraph's own code is in every graph's hash already).

    >>> len(stamp())
    32
    """
    text = load_query("sources") + ox.__version__
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class PassageCache:
    """The rows of ``sources.rq`` by document graph, for a build whose graphs were made
    from ``inputs`` (graph IRI -> hash); those the build in ``previous`` kept hold for
    every graph made from the same inputs.

    >>> cache = PassageCache({"a.txt": "g:a"}, {"g:a": "1"})
    >>> cache.kept()
    {}
    """

    graphs: dict[str, str]  # document name -> its graph's IRI
    inputs: dict[str, str]  # graph IRI -> the hash of what the graph was made from
    previous: Path | None = None  # the last build's folder

    @classmethod
    def open(
        cls,
        previous: Path,
        documents: Sequence[DocumentInfo],
        inputs: Mapping[str, str],
        base: str,
    ) -> PassageCache:
        """The cache of a build of ``documents`` whose last build is in ``previous``."""
        graphs = {d.name: str(graph_iri(d.doc_id, base)) for d in documents}
        return cls(graphs, dict(inputs), previous)

    def kept(self) -> dict[str, Kept]:
        """The rows the last build kept of each graph made from the inputs it has now
        (read when asked: a build holds them only while it assembles the rows)."""
        if self.previous is None:
            return {}
        wanted = set(self.graphs.values())
        return {
            g: rows
            for g, (made_from, rows) in _load(self.previous / CACHE_DIR / PASSAGES_FILE).items()
            if g in wanted and self.inputs.get(g) == made_from
        }

    def rows(self, store: GraphStore) -> list[Row] | None:
        """Every row of ``sources.rq`` over ``store``: the kept ones, and those of the other
        graphs read from the store (from those graphs alone). None when nothing was kept:
        then the query over the whole store is as quick."""
        kept = self.kept()
        if not kept:
            return None
        names = {g: name for name, g in self.graphs.items()}
        rows: list[Row] = [
            {"subject": s, "doc": names[g], "start": start, "end": end, "quote": quote}
            for g, told in kept.items()
            for start, end, quote, subjects in told
            for s in subjects
        ]
        if missing := sorted(set(names) - set(kept)):
            rows += store.select(load_query("sources"), graphs=missing)
        return rows

    def save(self, folder: Path, passages: Mapping[str, list[Record]]) -> None:
        """Keep the rows of ``passages`` (a fact's IRI -> its passages, see
        :meth:`kgraph.api.KnowledgeGraph.passages`) in the build's ``folder``, by graph
        (written whole, then renamed)."""
        told: dict[str, dict[tuple[int, int, str], list[str]]] = defaultdict(dict)
        for subject, sources in passages.items():
            for s in sources:
                graph = self.graphs.get(str(s["doc"]))
                if graph is not None:
                    key = (int(s["start"]), int(s["end"]), str(s["quote"]))
                    told[graph].setdefault(key, []).append(subject)
        by_graph = {
            g: (self.inputs.get(g, ""), [(*key, tuple(s)) for key, s in told[g].items()])
            for g in set(self.graphs.values())
        }
        with written_whole(folder / CACHE_DIR / PASSAGES_FILE) as f:
            pickle.dump((stamp(), by_graph), f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> dict[str, tuple[str, Kept]]:
    """The rows a build kept (graph IRI -> (the hash of its inputs, its rows)); none if
    the file is missing, damaged or from another query or pyoxigraph."""
    try:
        made_with, by_graph = read_pickled(path)
    except (TypeError, ValueError):  # missing, damaged, or not of this shape
        return {}
    if made_with != stamp() or not isinstance(by_graph, dict):
        return {}
    return _checked(by_graph)


def _checked(by_graph: dict[Any, Any]) -> dict[str, tuple[str, Kept]]:
    """The entries of a loaded file that have the shape :meth:`PassageCache.save` gives."""
    return {
        g: entry
        for g, entry in by_graph.items()
        if isinstance(g, str)
        and isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], list)
    }
