"""kgraph: a knowledge graph of city diplomacy, built from city-government reports.

The heavy parts (spaCy, rdflib, pandas) are imported lazily so that the command
line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from kgraph.api import KnowledgeGraph


def open(store: str = "kg-out", endpoint: str | None = None) -> KnowledgeGraph:  # noqa: A001
    """Open a built knowledge graph (a store folder, or a remote SPARQL endpoint)."""
    from kgraph.api import KnowledgeGraph

    return KnowledgeGraph.open(store, endpoint=endpoint)


def __getattr__(name: str) -> Any:
    if name == "KnowledgeGraph":
        from kgraph.api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(name)
