"""SHACL validation of built graphs (kgraph/validate.py, ``kgraph validate``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, URIRef

from kgraph.cli import main
from kgraph.namespace import KG
from kgraph.store import STORE_DIR, EmbeddedStore
from kgraph.validate import validate_graph


def test_the_built_corpus_conforms(built_corpus: Path) -> None:
    """A fresh build of the whole corpus passes every shape; any violation fails the suite."""
    result = CliRunner().invoke(main, ["validate", "--store", str(built_corpus)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("conforms: ")
    assert int(result.output.split()[1]) > 10_000  # triples checked


def _broken_build(folder: Path) -> Path:
    """A build folder whose one graph holds a visiting relation with no host."""
    relation = URIRef("https://example.org/id/visit/1")
    g = Graph()
    g.add((relation, RDF.type, KG.VisitingRelation))
    g.add((relation, KG.direction, Literal("sideways")))
    store = EmbeddedStore(folder / STORE_DIR, create=True)
    store.replace_graph("https://example.org/graph/doc", g.serialize(format="nt"), "ntriples")
    store.close()
    return folder


def test_violations_fail_the_command(tmp_path: Path) -> None:
    out = _broken_build(tmp_path / "kg-out")
    result = CliRunner().invoke(main, ["validate", "--store", str(out)])
    assert result.exit_code == 1
    assert "kgraph: [E043] the graph does not conform to the shapes" in result.output
    assert "https://example.org/id/visit/1" in result.output
    as_json = CliRunner().invoke(main, ["validate", "--store", str(out), "--format", "json"])
    report = json.loads(as_json.output[: as_json.output.rindex("}") + 1])
    assert report["conforms"] is False
    paths = {v["path"].rsplit("#", 1)[-1] for v in report["violations"]}
    assert {"host", "visitor", "direction"} <= paths


def test_validate_graph_reports_each_violation() -> None:
    g = Graph()
    passage = URIRef("https://example.org/id/passage/1")
    g.add((passage, RDF.type, KG.Passage))
    g.add((passage, KG.startOffset, Literal(5)))
    g.add((passage, KG.endOffset, Literal(2)))
    report = validate_graph(g)
    assert not report.conforms
    constraints = {(v.path.rsplit("#", 1)[-1], v.constraint) for v in report.violations}
    assert ("startOffset", "LessThanOrEqualsConstraintComponent") in constraints
    assert ("quote", "MinCountConstraintComponent") in constraints
