"""RDF output (kgraph.graph.to_graphs) for a tiny resolved corpus: SHACL conformance and
one named graph per document."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef

from kgraph import cache
from kgraph.build import extract_document
from kgraph.graph import ENTITIES, graph_inputs, graph_iri, info_of, to_graphs, write_triples
from kgraph.ingest import read_document
from kgraph.iri import mint
from kgraph.model import DateSpan, Document, DocumentInfo, Happening
from kgraph.namespace import KG
from kgraph.resolve import Event, Resolved, Visit, resolve

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
BASE = "https://example.org/kg/"


def report(body: str, year: int = 112) -> str:
    return f"高雄市政府行政暨國際處{year}年度施政績效成果報告\n壹、國際事務\n一、國際交流\n{body}\n"


DOCS = (
    Document(
        "r112a",
        "r112a.md",
        "r112a.md",
        report(
            "1.112年3月2日，日本熊本市大西一史市長率團訪高，拜會陳其邁市長。\n"
            "2.112年5月10日，副市長林欽榮、羅達生率團出訪日本，拜會八王子市。\n"
            "3.112年6月1日，本處處長拜會美國在台協會。"
        ),
    ),
    Document(
        "r112b",
        "r112b.md",
        "r112b.md",
        report(
            "1.112年8月8日，陳其邁市長與日本八王子市初宿和夫市長簽署姊妹市協定。\n"
            "2.112年7月4日，陳其邁市長與美國聖安東尼奧市長舉行視訊會議。\n"
            "3.熊本市長訪高\n112年3月2日熊本市長率領市議員等一行人來訪本府。\n"
            "4.112年9月1日，本市與日本八王子市舉辦締盟40周年紀念展。\n"
            "5.112年9月5日，日本熊本學園大學師生拜訪高雄市政府。"
        ),
    ),
    Document("r112c", "r112c.md", "r112c.md", report("1.112年2月1日，本處辦理員工英語訓練課程。")),
)


@lru_cache(maxsize=1)
def corpus() -> tuple[Resolved, dict[str, Graph]]:
    resolved = resolve([h for d in DOCS for h in extract_document(d)], BASE)
    return resolved, to_graphs(resolved, list(DOCS), BASE)


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "diplomacy.ttl", format="turtle")


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def conforms(data: Graph) -> tuple[bool, str]:
    ok, _, text = pyshacl.validate(
        data, shacl_graph=shapes(), ont_graph=ontology(), inference="rdfs", allow_warnings=True
    )
    return bool(ok), str(text)


def union() -> Graph:
    g = Graph()
    for part in corpus()[1].values():
        for t in part:
            g.add(t)
    return g


def test_the_tiny_corpus_has_every_kind_of_happening() -> None:
    resolved, _ = corpus()
    assert {e.type for e in resolved.events} >= {"visit", "agreement", "video_meeting", "event"}


def test_union_of_graphs_conforms_to_the_shapes() -> None:
    ok, text = conforms(union())
    assert ok, text


NOT_SELF_CONTAINED = pytest.mark.xfail(
    strict=True,
    reason="a document graph links entities to the OTHER document's passages "
    "(kg:mentionedIn passage/r112b/... in graph r112a, described only in r112b: no "
    "quote/offsets/inDocument there), and the shared event's person person/大西一史 is "
    "referenced in graph r112b without label or passage (its triples are only in r112a)",
)


@pytest.mark.parametrize(
    "doc_id",
    [
        "r112a",
        "r112b",
        "r112c",
    ],
)
def test_each_document_graph_conforms_with_the_entities(doc_id: str) -> None:
    """graph.py: a document's graph can be rebuilt or dropped alone, so with the entities'
    graph (the corpus's resolution, which names what it mentions) it must conform."""
    graphs = corpus()[1]
    ok, text = conforms(with_its_entities(graphs[doc_id], graphs[ENTITIES]))
    assert ok, text


def countries(g: Graph) -> set:
    return set(g.subjects(RDF.type, KG.Country))


def with_its_entities(doc: Graph, entities: Graph) -> Graph:
    """A document's graph and the entities' facts about what it names (and what those
    name in turn: a city's country)."""
    out = Graph() + doc
    todo = set(doc.subjects()) | {o for o in doc.objects() if isinstance(o, URIRef)}
    seen: set = set()
    while todo - seen:
        node = (todo - seen).pop()
        seen.add(node)
        for t in entities.triples((node, None, None)):
            out.add(t)
            todo.add(t[2])
    return out


def test_one_graph_per_document_and_one_of_the_entities() -> None:
    graphs = corpus()[1]
    assert set(graphs) == {d.doc_id for d in DOCS} | {ENTITIES}


def test_entity_facts_are_stored_once_in_the_entities_graph() -> None:
    """Names, class and search keys of an entity are in the entities' graph only; each
    document graph holds its mentions of the entity (kg:mentionedIn), not copies of them."""
    graphs = corpus()[1]
    entities = graphs[ENTITIES]
    named = set(entities.subjects(SKOS.prefLabel, None))
    assert named and set(entities.subjects(SKOS.hiddenLabel, None)) <= named
    mentioned = set()
    for d in DOCS:
        g = graphs[d.doc_id]
        assert not set(g.subjects(SKOS.hiddenLabel, None)) & named
        assert not set(g.subjects(SKOS.prefLabel, None)) & named
        mentioned |= {s for s in g.subjects(KG.mentionedIn, None) if s in named}
    assert named - countries(entities) <= mentioned  # a country may be named only as one


def test_each_graph_describes_its_own_document() -> None:
    graphs = corpus()[1]
    for d in DOCS:
        g = graphs[d.doc_id]
        docs = set(g.subjects(RDF.type, KG.Document))
        assert docs == {mint("doc", d.doc_id, base=BASE)}
        assert (mint("doc", d.doc_id, base=BASE), KG.fileName, Literal(d.name)) in g


def test_passages_are_in_the_graph_of_their_document() -> None:
    graphs = corpus()[1]
    for d in DOCS:
        g = graphs[d.doc_id]
        for passage in g.subjects(RDF.type, KG.Passage):
            assert (passage, KG.inDocument, mint("doc", d.doc_id, base=BASE)) in g
            (quote,) = g.objects(passage, KG.quote)
            (start,) = g.objects(passage, KG.startOffset)
            (end,) = g.objects(passage, KG.endOffset)
            assert d.text[start.toPython() : end.toPython()] == str(quote)


def test_an_event_told_by_two_documents_is_in_both_graphs() -> None:
    resolved, graphs = corpus()
    (shared,) = [e for e in resolved.events if len({s.doc for s in e.sources}) == 2]
    for doc_id in ("r112a", "r112b"):
        assert (URIRef(shared.iri), RDF.type, KG.Visit) in graphs[doc_id]


def test_an_event_is_only_in_the_graphs_of_its_documents() -> None:
    resolved, graphs = corpus()
    for e in resolved.events:
        docs = {s.doc.removesuffix(".md") for s in e.sources}
        holding = {d for d, g in graphs.items() if (URIRef(e.iri), None, None) in g}
        assert holding == docs


def test_signing_gives_an_agreement_and_a_partnership() -> None:
    g = corpus()[1]["r112b"]
    (agreement,) = g.subjects(RDF.type, KG.SisterCityAgreement)
    parties = set(g.objects(agreement, KG.party))
    assert parties == {mint("place", "高雄市", base=BASE), mint("place", "八王子市", base=BASE)}
    assert set(g.subjects(RDF.type, KG.Partnership))


def test_graph_iris_are_per_document() -> None:
    assert graph_iri("r112a", BASE) != graph_iri("r112b", BASE)
    assert str(graph_iri("r112a", BASE)).startswith(BASE)


def test_graphs_are_the_same_from_run_to_run() -> None:
    resolved = resolve([h for d in DOCS for h in extract_document(d)], BASE)
    again = to_graphs(resolved, list(DOCS), BASE)
    first = corpus()[1]
    for doc_id, g in first.items():
        assert set(g) == set(again[doc_id])


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_shares_of_the_corpus_together_are_the_whole_graph(parts: int) -> None:
    """A parallel build writes the corpus in shares (one per worker process): together,
    and with nothing more, they must be every document's graph."""
    resolved = corpus()[0]

    def written(shares: int) -> dict[str, set]:
        out: dict[str, set] = defaultdict(set)
        for part in range(shares):
            write_triples(
                resolved,
                [info_of(d) for d in DOCS],
                BASE,
                lambda doc_id, triples: out[doc_id].update(triples),
                (part, shares),
            )
        return dict(out)

    whole = written(1)
    assert set(whole) == set(corpus()[1]) and all(whole.values())
    assert written(parts) == whole


def _triples_by_graph(
    resolved: Resolved,
    docs: list[DocumentInfo],
    only: set[str] | None = None,
    parts: int = 1,
) -> dict[str, set[str]]:
    """The triples ``write_triples`` hands each graph (by graph IRI), over ``parts``
    shares, of the graphs ``only`` names (all by default)."""
    out: dict[str, set[str]] = defaultdict(set)

    def keep(doc_id: str, triples: list) -> None:
        out[str(graph_iri(doc_id, BASE))].update(f"{s} {p} {o}" for s, p, o in triples)

    for part in range(parts):
        write_triples(resolved, docs, BASE, keep, (part, parts), only)
    return out


def _rebuilt(
    old: tuple[dict[str, str], dict[str, set[str]]],
    new: Resolved,
    docs: list[DocumentInfo],
    parts: int = 1,
) -> tuple[dict[str, set[str]], set[str]]:
    """What a rebuild gives (kgraph.load): the earlier graphs whose inputs hash as before,
    kept, and the others written from ``new`` alone (in ``parts`` shares); and the
    graphs it wrote."""
    inputs, triples = old
    now = graph_inputs(new, docs, BASE)
    changed = {g for g, h in now.items() if inputs.get(g) != h}
    ids = {str(graph_iri(d.doc_id, BASE)): d.doc_id for d in docs}
    ids[str(graph_iri(ENTITIES, BASE))] = ENTITIES
    out = {g: triples.get(g, set()) for g in now if g not in changed}
    written = _triples_by_graph(new, docs, {ids[g] for g in changed}, parts)
    out.update({g: written.get(g, set()) for g in changed})
    return out, changed


_INPUTS = """
import sys
from pathlib import Path
from kgraph.build import extract_document
from kgraph.graph import graph_inputs, info_of
from kgraph.ingest import read_document
from kgraph.resolve import resolve
docs = [read_document(p) for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
happenings = [h for d in docs for h in extract_document(d)]
base = "https://example.org/kg/"
print(sorted(graph_inputs(resolve(happenings, base), [info_of(d) for d in docs], base).items()))
"""


def test_graph_inputs_are_the_same_whatever_the_string_hash_seed() -> None:
    """A rebuild compares the hashes an earlier process wrote: extraction, resolution
    and the hashes must not depend on the order of a set (Python seeds its string hash
    afresh in every process)."""
    corpus_dir = Path(__file__).resolve().parents[1] / "corpus"
    outs = [
        subprocess.run(
            [sys.executable, "-c", _INPUTS, str(corpus_dir)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    ]
    assert outs[0] and outs[0] == outs[1] == outs[2]


def test_a_rebuild_of_the_corpus_with_a_report_more_gives_its_graphs(built_corpus: Path) -> None:
    """Each report of the corpus in turn is left out and added back: the graphs of the
    reports that tell the same events (an annual report and the council's) change, the
    others are kept, and together they are the graphs of the whole corpus."""
    corpus_dir = Path(__file__).resolve().parents[1] / "corpus"
    found: dict[DocumentInfo, tuple[Happening, ...]] = {}
    for path in sorted(corpus_dir.glob("*.txt")):
        extracted = cache.load(built_corpus, info_of(read_document(path)))
        assert extracted is not None
        found[extracted.info] = extracted.happenings
    docs = list(found)
    whole = resolve([h for d in docs for h in found[d]], BASE)
    triples = _triples_by_graph(whole, docs)
    kept = 0
    for left_out in docs:
        fewer = [d for d in docs if d != left_out]
        less = resolve([h for d in fewer for h in found[d]], BASE)
        old = graph_inputs(less, fewer, BASE), _triples_by_graph(less, fewer)
        rebuilt, changed = _rebuilt(old, whole, docs)
        assert rebuilt == {g: triples.get(g, set()) for g in rebuilt}
        kept += len(rebuilt) - len(changed)
    assert kept


def _changes(resolved: Resolved) -> Iterator[tuple[str, Resolved]]:
    """The corpus changed in one place, each way a report's graph can change: a passage
    or title fewer, a visit told by a passage of a report that does not tell its event,
    and each field of an event, visit, agreement and partnership; and an entity's names,
    which are the entities' graph's alone."""

    def events(i: int, event: Event) -> Resolved:
        return replace(resolved, events=[*resolved.events[:i], event, *resolved.events[i + 1 :]])

    def entity(iri: str, **fields: object) -> Resolved:
        changed = replace(resolved.entities[iri], **fields)  # type: ignore[arg-type]
        return replace(resolved, entities={**resolved.entities, iri: changed})

    for iri, x in resolved.entities.items():
        if x.sources:
            yield "entity passage", entity(iri, sources=x.sources[1:])
        if x.titles:
            yield "entity title", entity(iri, titles=x.titles[1:])
        yield "entity names", entity(iri, label=x.label + "甲", aliases=(*x.aliases, "乙"))
    other = next(iter(resolved.entities))
    for i, e in enumerate(resolved.events):
        yield "event passage", events(i, replace(e, sources=e.sources[1:]))
        yield "event date", events(i, replace(e, date=DateSpan("1999-01-01", "1999-01-02")))
        yield "event title", events(i, replace(e, title=e.title + "。"))
        yield "event kind", events(i, replace(e, delegation=not e.delegation))
        yield "event party", events(i, replace(e, participants=(*e.participants, other)))
        elsewhere = [x.sources[0] for x in resolved.entities.values() if x.sources]
        elsewhere = [s for s in elsewhere if s.doc not in {t.doc for t in e.sources}][:1]
        for j, v in enumerate(e.visits):
            for what, changed_v in (
                ("visit passage", replace(v, sources=v.sources[1:])),
                ("visit told elsewhere", replace(v, sources=(*v.sources, *elsewhere))),
                ("visit direction", replace(v, direction="other")),
                ("visit person", replace(v, visitor_persons=(*v.visitor_persons, other))),
            ):
                yield (
                    what,
                    events(i, replace(e, visits=(*e.visits[:j], changed_v, *e.visits[j + 1 :]))),
                )
        for j, a in enumerate(e.agreements):
            for what, changed_a in (
                ("agreement passage", replace(a, sources=a.sources[1:])),
                ("agreement ordinal", replace(a, ordinal=(a.ordinal or 0) + 1)),
                ("agreement party", replace(a, parties=a.parties[1:])),
            ):
                agreements = (*e.agreements[:j], changed_a, *e.agreements[j + 1 :])
                yield what, events(i, replace(e, agreements=agreements))
    for i, p in enumerate(resolved.partnerships):
        for what, changed_p in (
            ("partnership passage", replace(p, sources=p.sources[1:])),
            ("partnership start", replace(p, start="1999")),
        ):
            partnerships = [*resolved.partnerships[:i], changed_p, *resolved.partnerships[i + 1 :]]
            yield what, replace(resolved, partnerships=partnerships)


@pytest.mark.parametrize("parts", [1, 3])
def test_a_rebuild_keeps_the_graphs_whose_inputs_hash_alike_and_writes_the_rest(parts: int) -> None:
    """Whatever changes in the resolved corpus, the graphs a rebuild keeps (their inputs
    hash as before) and those it writes from the new corpus alone (``only``, in shares)
    are the graphs a build from nothing gives."""
    resolved, docs = corpus()[0], [info_of(d) for d in DOCS]
    old = graph_inputs(resolved, docs, BASE), _triples_by_graph(resolved, docs)
    kinds: set[str] = set()
    for what, new in _changes(resolved):
        rebuilt, changed = _rebuilt(old, new, docs, parts)
        whole = _triples_by_graph(new, docs)
        assert rebuilt == {g: whole.get(g, set()) for g in rebuilt}, what
        if what == "entity names":
            assert changed == {str(graph_iri(ENTITIES, BASE))}
        elif any(whole[g] != old[1][g] for g in rebuilt):
            kinds.add(what)
    assert len(kinds) >= 15  # each kind of change did change some graph


@pytest.mark.parametrize("only", [("r112a",), ("r112b", ENTITIES), (ENTITIES,), ("r112c",), ()])
@pytest.mark.parametrize("parts", [1, 3])
def test_only_the_graphs_asked_for_are_written_and_whole(only: tuple[str, ...], parts: int) -> None:
    resolved, docs = corpus()[0], [info_of(d) for d in DOCS]
    whole = _triples_by_graph(resolved, docs)
    out = _triples_by_graph(resolved, docs, set(only), parts)
    assert out == {str(graph_iri(g, BASE)): whole[str(graph_iri(g, BASE))] for g in only}


def test_visiting_relations_and_agreements_link_to_the_passages_that_tell_them() -> None:
    resolved, graphs = corpus()
    for e in resolved.events:
        facts = [(_rel(e.iri, v), v.sources) for v in e.visits]
        facts += [(URIRef(a.iri), a.sources) for a in e.agreements]
        for subject, sources in facts:
            assert sources
            told = {d for d, g in graphs.items() for _ in g.objects(subject, KG.mentionedIn)}
            assert told == {s.doc.removesuffix(".md") for s in sources}


def _rel(event: str, v: Visit) -> URIRef:
    (rel,) = [
        r
        for g in corpus()[1].values()
        for r in g.objects(URIRef(event), KG.visitingRelation)
        if (r, KG.visitor, URIRef(v.visitor)) in g and (r, KG.host, URIRef(v.host)) in g
    ][:1]
    return URIRef(rel)
