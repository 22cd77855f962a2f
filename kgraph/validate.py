"""Checking a built graph against the SHACL shapes of ``ontology/shapes.ttl`` (pyshacl).

The shapes are the contract of the graph: every class of the ontology has one, and
``kgraph validate`` (and the test suite, on a fresh build of the corpus) fails on any
violation. The data is the union of all named graphs, read through the store facade,
so a remote endpoint is checked the same way as the embedded store. The ontology is
mixed in with RDFS inference, so a ``kg:City`` counts as a ``kg:Party`` and the ranges
of properties type their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from kgraph.resources import ontology_dir
from kgraph.store import UNION_TRIPLES, GraphStore


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node broke which constraint, on which property."""

    focus: str
    path: str
    constraint: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.focus}{where}: {self.message} ({self.constraint})"


@dataclass(frozen=True)
class ValidationReport:
    """What a validation found: no violations means the graph conforms."""

    conforms: bool
    triples: int
    violations: tuple[Violation, ...] = ()


@lru_cache(maxsize=1)
def _shapes_and_ontology() -> tuple[Graph, Graph]:
    folder = ontology_dir()
    return (
        Graph().parse(folder / "shapes.ttl"),
        Graph().parse(folder / "diplomacy.ttl"),
    )


def validate_graph(data: Graph) -> ValidationReport:
    """Validate an rdflib graph against kgraph's shapes.

    >>> from rdflib import RDF, Literal, URIRef
    >>> from kgraph.namespace import KG
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:x:p"), RDF.type, KG.Passage))
    >>> _ = g.add((URIRef("urn:x:p"), KG.startOffset, Literal(-1)))
    >>> report = validate_graph(g)
    >>> report.conforms, sorted({v.path.rsplit("#")[-1] for v in report.violations})
    (False, ['endOffset', 'inDocument', 'quote', 'startOffset'])
    """
    import pyshacl

    shapes, ontology = _shapes_and_ontology()
    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", allow_warnings=True
    )
    assert isinstance(results, Graph)
    violations = tuple(
        sorted(
            (_violation(results, r) for r in results.subjects(SH.resultSeverity, None)),
            key=lambda v: (v.focus, v.path, v.constraint),
        )
    )
    return ValidationReport(conforms=bool(conforms), triples=len(data), violations=violations)


def validate(store: GraphStore) -> ValidationReport:
    """Validate the union of every named graph in ``store``."""
    data = Graph().parse(data=store.construct(UNION_TRIPLES), format="turtle")
    return validate_graph(data)


def _violation(results: Graph, result: Node) -> Violation:
    def text(predicate: Node) -> str:
        value = results.value(result, predicate)
        return "" if value is None else str(value)

    return Violation(
        focus=text(SH.focusNode),
        path=text(SH.resultPath),
        constraint=text(SH.sourceConstraintComponent).rsplit("#", 1)[-1],
        message=text(SH.resultMessage),
        severity=text(SH.resultSeverity).rsplit("#", 1)[-1],
    )
