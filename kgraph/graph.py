"""Turning resolved entities and events into RDF under the kgraph ontology.

Each source document gets its own named graph (``<base>graph/<doc_id>``) holding
everything that document says: its passages, the events it tells and the
entities it names. A fact told by two documents is in both graphs, so one
document's graph can be rebuilt or dropped without touching the others; the
store queries the union. Build metadata (PROV-O activity, time, software
version) goes to a graph of its own so that the document graphs are the same
from build to build.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import pyoxigraph as ox
import rdflib
from rdflib import Graph, URIRef

from kgraph import __version__
from kgraph import namespace as ns
from kgraph.gazetteer import Gazetteer
from kgraph.iri import digest, mint, mint_text
from kgraph.model import DateSpan, Document, DocumentInfo, Source
from kgraph.normalise import name_key
from kgraph.resolve import Agreement, Entity, Event, Partnership, Resolved, Title, Visit
from kgraph.resources import ontology_dir

ZH = "zh-Hant"
T = TypeVar("T")


class Vocabulary:
    """An rdflib namespace's terms as pyoxigraph terms, each made once.

    The graph stage makes its triples of pyoxigraph terms, which the store takes as they
    are: made as rdflib terms and converted, they took half of a build's graph writing.

    >>> KG.Visit.value, WD["Q181557"].value
    ('https://w3id.org/kgraph/ontology#Visit', 'http://www.wikidata.org/entity/Q181557')
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = ox.NamedNode(str(getattr(self._namespace, name)))
        setattr(self, name, node)  # found as a plain attribute from now on
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(str(self._namespace[name]))


RDF, RDFS, SKOS, OWL, PROV, XSD = (
    Vocabulary(n)
    for n in (rdflib.RDF, rdflib.RDFS, rdflib.SKOS, rdflib.OWL, rdflib.PROV, rdflib.XSD)
)
KG, ORG, TIME, GEO, WD = (Vocabulary(n) for n in (ns.KG, ns.ORG, ns.TIME, ns.GEO, ns.WD))

#: An IRI as a pyoxigraph term; the entities' IRIs come back in most triples of a build.
_node = lru_cache(maxsize=1 << 16)(ox.NamedNode)


def _mint(kind: str, *parts: str, base: str) -> ox.NamedNode:
    """:func:`kgraph.iri.mint_text` as a pyoxigraph term."""
    return ox.NamedNode(mint_text(kind, *parts, base=base))


@dataclass(frozen=True)
class Codes:
    """The ontology's classes by machine code (kg:code), and their CAMEO codes."""

    happening: dict[str, ox.NamedNode]
    agreement: dict[str, ox.NamedNode]
    place: dict[str, ox.NamedNode]
    cameo: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def codes() -> Codes:
    """Read the codes from ``ontology/diplomacy.ttl`` once: the ontology is their one source.

    >>> codes().happening["visit"] == KG.Visit, codes().cameo["agreement"]
    (True, ('057',))
    """
    onto = Graph().parse(ontology_dir() / "diplomacy.ttl")
    sub_class_of, code_of = rdflib.RDFS.subClassOf, ns.KG.code

    def by_code(parent: URIRef) -> dict[str, ox.NamedNode]:
        # Of classes sharing a code (Visit, Delegation), the most general one stands for it.
        found: dict[str, ox.NamedNode] = {}
        classes = {c for c in onto.transitive_subjects(sub_class_of, parent) if c is not None}
        for cls in sorted(classes, key=str):
            code = onto.value(cls, code_of)
            supers = set(onto.objects(cls, sub_class_of))
            if code is not None and not any(onto.value(c, code_of) == code for c in supers):
                found[str(code)] = ox.NamedNode(str(cls))
        return found

    happening = by_code(ns.KG.Happening)
    return Codes(
        happening=happening,
        agreement=by_code(ns.KG.Agreement),
        place={k: v for k, v in by_code(ns.KG.Place).items() if v != KG.Place},
        cameo={
            code: tuple(sorted(str(c) for c in onto.objects(URIRef(cls.value), ns.KG.cameoCode)))
            for code, cls in happening.items()
        },
    )


#: The graph id (in place of a document id) of the entities' own facts: class, names,
#: search keys, country, Wikidata link, coordinates. They are the resolution of the whole
#: corpus, stored once: copied into every document graph that names an entity, they made
#: every query over the union sort out thousands of copies. Document ids never begin
#: with ``_``.
ENTITIES = "_entities"


def graph_iri(doc_id: str, base: str) -> URIRef:
    """The named graph of one document (or of the entities, :data:`ENTITIES`)."""
    return mint("graph", doc_id, base=base)


def build_graph_iri(base: str) -> URIRef:
    return mint("graph", "_build", base=base)


def date_literal(value: str) -> ox.Literal:
    """An ISO prefix as a typed literal: xsd:date, xsd:gYearMonth or xsd:gYear.

    >>> date_literal("2025-04").datatype == XSD.gYearMonth
    True
    """
    datatype = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}[value.count("-") + 1]
    return ox.Literal(value, datatype=datatype)


def name_literal(name: str) -> ox.Literal:
    """A name tagged zh-Hant when it has Chinese characters, untagged otherwise."""
    chinese = any("\u3400" <= ch <= "\u9fff" for ch in name)
    return ox.Literal(name, language=ZH) if chinese else ox.Literal(name)


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]
TripleSink = Callable[[str, list[Triple]], None]
"""Where triples go: called with a document id and triples for that document's graph."""


class _Writer:
    """Adds triples to the graphs of the documents a resource comes from.

    The triples of one item (a document, event, partnership or entity) are gathered by
    graph and handed to the sink together when the item is done (:meth:`flush`): an
    entity's links to each of its passages were a call of their own, over a million
    calls at 1,000 reports. With ``only``, the triples of other graphs are dropped (a
    rebuild writes the graphs whose inputs changed, see :func:`graph_inputs`).
    """

    def __init__(
        self,
        base: str,
        doc_ids: dict[str, str],
        sink: TripleSink,
        only: Collection[str] | None = None,
    ) -> None:
        self.base = base
        self.doc_ids = doc_ids  # file name -> doc_id
        self.sink = sink
        self.only = only  # the graphs (doc ids, ENTITIES) to write; None: all
        self.passages: dict[Source, ox.NamedNode] = {}  # written once, however often cited
        self.described: set[tuple[str, ox.NamedNode]] = set()  # (graph, node) pairs
        self.pending: dict[str, list[tuple]] = {}  # graph -> the current item's triples

    def describe(self, docs: Iterable[str], node: ox.NamedNode, triples: list[tuple]) -> None:
        """Triples about ``node``, a resource that several facts share (a date's interval
        or instant, a title held, a country), into each graph of ``docs`` once."""
        new = [d for d in sorted(set(docs)) if (d, node) not in self.described]
        self.described.update((d, node) for d in new)
        if new:
            self.add(new, triples)

    def wanted(self, docs: Iterable[str]) -> bool:
        """Whether any graph of ``docs`` is written: an item that goes to none is skipped."""
        return self.only is None or any(doc in self.only for doc in docs)

    def add(self, docs: Iterable[str], triples: Iterable[tuple]) -> None:
        triples = list(triples)
        for doc in set(docs):
            if self.only is None or doc in self.only:
                self.pending.setdefault(doc, []).extend(triples)

    def flush(self) -> None:
        """Hand the current item's triples to the sink, a batch per graph."""
        for doc in sorted(self.pending):
            self.sink(doc, self.pending[doc])
        self.pending = {}

    def passage(self, s: Source) -> ox.NamedNode:
        if s in self.passages:
            return self.passages[s]
        doc_id = self.doc_ids[s.doc]
        iri = _mint("passage", doc_id, f"{s.start}-{s.end}", base=self.base)
        self.add(
            [doc_id],
            [
                (iri, RDF.type, KG.Passage),
                (iri, KG.inDocument, _mint("doc", doc_id, base=self.base)),
                (iri, KG.startOffset, ox.Literal(s.start)),
                (iri, KG.endOffset, ox.Literal(s.end)),
                (iri, KG.quote, ox.Literal(s.quote)),
            ],
        )
        self.passages[s] = iri
        return iri

    def docs_of(self, sources: Iterable[Source]) -> list[str]:
        return sorted({self.doc_ids[s.doc] for s in sources})


def to_graphs(
    resolved: Resolved, documents: Sequence[Document | DocumentInfo], base: str
) -> dict[str, Graph]:
    """One rdflib Graph per document id (plus no others): the whole corpus as RDF."""
    graphs: dict[str, Graph] = defaultdict(Graph)

    def add(doc_id: str, triples: list[Triple]) -> None:
        g = graphs[doc_id]
        for s, p, o in triples:
            g.add((URIRef(s.value), URIRef(p.value), _rdflib_term(o)))

    write_triples(resolved, [info_of(d) for d in documents], base, add)
    return dict(graphs)


def _rdflib_term(term: ox.NamedNode | ox.Literal) -> rdflib.term.Identifier:
    """The rdflib term of a pyoxigraph IRI or literal (an ``xsd:string`` literal plain).

    >>> _rdflib_term(ox.Literal("2025", datatype=XSD.gYear)).datatype == rdflib.XSD.gYear
    True
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == XSD.string:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=URIRef(term.datatype.value))


def info_of(document: Document | DocumentInfo) -> DocumentInfo:
    """A document without its text (its content hash computed when it has text).

    >>> info_of(Document("r", "r.txt", "r.txt", "文")).content_hash[:8]
    '3677ef77'
    """
    if isinstance(document, DocumentInfo):
        return document
    return document.info(digest(document.text, length=64))


def write_triples(
    resolved: Resolved,
    documents: Sequence[DocumentInfo],
    base: str,
    sink: TripleSink,
    share: tuple[int, int] = (0, 1),
    only: Collection[str] | None = None,
) -> None:
    """The whole corpus as RDF, handed to ``sink`` piece by piece and document by document,
    so that a large corpus goes to the store without being held as rdflib Graphs.

    ``share`` = (k, n) writes only the k-th of n shares of the documents, events,
    partnerships and entities, so that n processes can write a corpus side by side. The
    shares together give every triple; a passage two shares cite is in both (a store
    keeps it once). Each item's share follows from its IRI, not from its place in the
    corpus.

    ``only`` (document ids, and :data:`ENTITIES` for the entities' graph) writes those
    graphs alone, and skips the items that go to none of them: a rebuild writes the
    graphs whose inputs changed (:func:`graph_inputs`, :mod:`kgraph.load`).
    """
    part, parts = share

    def mine(items: Iterable[T], key: Callable[[T], str]) -> Iterator[T]:
        if parts == 1:
            return iter(items)
        return (x for x in items if zlib.crc32(key(x).encode()) % parts == part)

    w = _Writer(base, {d.name: d.doc_id for d in documents}, sink, only)
    for d in mine(documents, lambda d: d.doc_id):
        if w.wanted([d.doc_id]):
            _document(w, d)
            w.flush()
    for event in mine(resolved.events, lambda e: e.iri):
        if w.wanted(w.docs_of(_sources_of(event))):
            _event(w, event, resolved.entities)
            w.flush()
    for p in mine(resolved.partnerships, lambda p: p.iri):
        if w.wanted(w.docs_of(p.sources)):
            _partnership(w, p)
            w.flush()
    referencing = _events_referencing(resolved.events)
    for entity in mine(resolved.entities.values(), lambda e: e.iri):
        docs = _docs_for(entity, referencing.get(entity.iri, []), w)
        if w.wanted([ENTITIES, *docs, *_title_docs(entity, w)]):
            _entity(w, entity, docs)
            w.flush()


def graph_inputs(
    resolved: Resolved, documents: Sequence[DocumentInfo], base: str, stamp: str = ""
) -> dict[str, str]:
    """What :func:`write_triples` makes each graph from, as a hash by graph IRI. A
    rebuild writes again only the graphs whose hash changed (:mod:`kgraph.load`), and the
    graph stage makes no triple for the others: adding a report to a thousand costs the
    graphs it touches, not the corpus.

    A document's graph is made from the document, the events and partnerships that a
    passage of it tells (whole), and of each entity, the passages of that document it
    is linked to and the titles that document gives it, as :func:`write_triples`
    routes them. The entities' graph is made from each entity's names, kind and country
    (see :func:`_entity`). ``stamp`` stands for the code and data that turn these inputs
    into triples (the gazetteer's points, the ontology's classes), and the base.

    >>> doc = DocumentInfo("r", "r.txt", "r.txt", "text/plain", "c0ffee")
    >>> inputs = graph_inputs(Resolved(), [doc], "http://x.org/")
    >>> sorted(inputs), inputs == graph_inputs(Resolved(), [doc], "http://x.org/", "v2")
    (['http://x.org/graph/_entities', 'http://x.org/graph/r'], False)
    """
    w = _Writer(base, {d.name: d.doc_id for d in documents}, lambda *_: None)
    hashes: dict[str, list[bytes]] = defaultdict(list)

    def feed(docs: Iterable[str], item: object) -> None:
        h = hashlib.blake2b(repr(item).encode(), digest_size=16).digest()
        for doc in set(docs):
            hashes[doc].append(h)

    for d in documents:
        feed([d.doc_id], ("document", d.doc_id, d.name, d.content_hash))
    for e in resolved.events:
        feed(w.docs_of(_sources_of(e)), e)
    for p in resolved.partnerships:
        feed(w.docs_of(p.sources), p)
    referencing = _events_referencing(resolved.events)
    for x in resolved.entities.values():
        names = (x.label, x.label_en, x.aliases, x.wikidata)
        feed([ENTITIES], (x.iri, x.type, x.kind, x.country, names))
        own = set(x.sources)
        docs = _docs_for(x, referencing.get(x.iri, []), w)
        titles = _title_docs(x, w)
        for doc in docs.keys() | titles.keys():
            links = [(s, s in own) for s in docs.get(doc, [])]
            feed([doc], (x.iri, links, titles.get(doc, [])))
    return {
        str(graph_iri(doc, base)): _combined(stamp, base, hashes[doc])
        for doc in [d.doc_id for d in documents] + [ENTITIES]
    }


def _combined(stamp: str, base: str, hashes: list[bytes]) -> str:
    """One hash of a graph's inputs, whatever order its items came in."""
    h = hashlib.blake2b(f"{stamp}\x1f{base}\x1f".encode(), digest_size=16)
    for part in sorted(hashes):
        h.update(part)
    return h.hexdigest()


def _sources_of(e: Event) -> list[Source]:
    """Every passage that tells the event or a visit or agreement in it: the documents
    whose graphs the event goes to (see :func:`_event`)."""
    out = list(e.sources)
    for v in e.visits:
        out += v.sources
    for a in e.agreements:
        out += a.sources
    return out


def _title_docs(e: Entity, w: _Writer) -> dict[str, list[Title]]:
    """The entity's titles by the document that gives them."""
    out: dict[str, list[Title]] = defaultdict(list)
    for t in e.titles:
        out[w.doc_ids[t.source.doc]].append(t)
    return out


def _events_referencing(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Entity IRI -> the events that reference it, in event order (an index, so that
    finding an entity's documents does not scan every event)."""
    out: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        for iri in sorted(_referenced(e)):
            out[iri].append(e)
    return out


def build_metadata(documents: Sequence[Document | DocumentInfo], base: str) -> list[Triple]:
    """The PROV-O activity that produced the document graphs. Its time is written in
    the canonical form (to the second, in UTC, ``Z``), which the store keeps as it is.

    >>> doc = DocumentInfo("r", "r.txt", "r.txt", "text/plain", "c0ffee")
    >>> when = {p: o for _, p, o in build_metadata([doc], "http://x.org/")}[PROV.startedAtTime]
    >>> when.value.endswith("Z"), when.datatype == XSD.dateTime
    (True, True)
    """
    now = datetime.now(UTC)
    build = _mint("build", now.strftime("%Y%m%dT%H%M%S%fZ"), base=base)
    started = ox.Literal(now.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)
    triples: list[Triple] = [
        (build, RDF.type, KG.Build),
        (build, PROV.startedAtTime, started),
        (build, KG.softwareVersion, ox.Literal(f"kgraph {__version__}")),
    ]
    for d in documents:
        triples.append((_mint("graph", d.doc_id, base=base), PROV.wasGeneratedBy, build))
        triples.append((build, PROV.used, _mint("doc", d.doc_id, base=base)))
    return triples


def _document(w: _Writer, d: DocumentInfo) -> None:
    iri = _mint("doc", d.doc_id, base=w.base)
    w.add(
        [d.doc_id],
        [
            (iri, RDF.type, KG.Document),
            (iri, KG.docId, ox.Literal(d.doc_id)),
            (iri, KG.fileName, ox.Literal(d.name)),
            (iri, KG.contentHash, ox.Literal(d.content_hash)),
        ],
    )


def _event(w: _Writer, e: Event, entities: dict[str, Entity]) -> None:
    docs = w.docs_of(e.sources)
    iri = _node(e.iri)
    triples: list[tuple] = [(iri, RDF.type, codes().happening[e.type])]
    if e.delegation:  # typed as both, so that `?e a kg:Visit` finds it without inference
        triples.append((iri, RDF.type, KG.Delegation))
    triples += [(iri, KG.cameoCode, ox.Literal(c)) for c in codes().cameo[e.type]]
    if e.title:
        triples.append((iri, RDFS.label, name_literal(e.title)))
    triples += _dates(w, docs, iri, e.date)
    _told_in(w, iri, e.sources)
    for i, v in enumerate(e.visits):
        triples += _visit(iri, i, v, w.base)
        _told_in(w, _visit_iri(iri, v, w.base), v.sources)
    for p in e.participants:
        triples.append((iri, KG.participant, _node(p)))
    for p in e.persons:
        triples.append((iri, KG.participantPerson, _node(p)))
    for a in e.agreements:
        triples.append((iri, KG.agreement, _node(a.iri)))
        triples += _agreement(a, iri)
        _told_in(w, _node(a.iri), a.sources)
    w.add(docs, triples)


def _told_in(w: _Writer, subject: ox.NamedNode, sources: Iterable[Source]) -> None:
    """Link a fact to each passage that tells it, in that passage's document graph."""
    for s in sources:
        w.add(w.docs_of([s]), [(subject, KG.mentionedIn, w.passage(s))])


def _dates(w: _Writer, docs: list[str], iri: ox.NamedNode, date: DateSpan | None) -> list[tuple]:
    """The happening's dates twice: as kg:startDate/kg:endDate literals for simple queries,
    and as an OWL-Time interval (time:hasTime) for tools that reason about time. The
    interval, shared by the happenings of those days, is described once per graph."""
    if date is None:
        return []
    interval = _mint("interval", date.start, date.end, base=w.base)
    w.describe(
        docs,
        interval,
        [
            (interval, RDF.type, TIME.Interval),
            (interval, TIME.hasBeginning, _instant(w, docs, date.start)),
            (interval, TIME.hasEnd, _instant(w, docs, date.end)),
        ],
    )
    return [
        (iri, KG.startDate, date_literal(date.start)),
        (iri, KG.endDate, date_literal(date.end)),
        (iri, TIME.hasTime, interval),
    ]


def _instant(w: _Writer, docs: list[str], value: str) -> ox.NamedNode:
    """The OWL-Time instant of an ISO prefix, described (in the inXSD* property of its
    precision) once per graph.

    >>> out = []
    >>> w = _Writer("x:", {}, lambda doc, triples: out.extend(triples))
    >>> _instant(w, ["d"], "2023-05").value, _instant(w, ["d"], "2023-05").value
    ('x:instant/2023-05', 'x:instant/2023-05')
    >>> w.flush()
    >>> [t[1].value.rsplit("#")[-1] for t in out]
    ['type', 'inXSDgYearMonth']
    """
    instant = _mint("instant", value, base=w.base)
    literal = date_literal(value)
    precise = {XSD.date: TIME.inXSDDate, XSD.gYearMonth: TIME.inXSDgYearMonth}
    w.describe(
        docs,
        instant,
        [
            (instant, RDF.type, TIME.Instant),
            (instant, precise.get(literal.datatype, TIME.inXSDgYear), literal),
        ],
    )
    return instant


def _visit_iri(event: ox.NamedNode, v: Visit, base: str) -> ox.NamedNode:
    return _mint("visit", digest(event.value, v.visitor, v.host), base=base)


def _visit(event: ox.NamedNode, i: int, v: Visit, base: str) -> list[tuple]:
    rel = _visit_iri(event, v, base)
    triples: list[tuple] = [
        (event, KG.visitingRelation, rel),
        (rel, RDF.type, KG.VisitingRelation),
        (rel, KG.visitor, _node(v.visitor)),
        (rel, KG.host, _node(v.host)),
        (rel, KG.direction, ox.Literal(v.direction)),
    ]
    triples += [(rel, KG.visitorPerson, _node(p)) for p in v.visitor_persons]
    triples += [(rel, KG.hostPerson, _node(p)) for p in v.host_persons]
    return triples


def _agreement(a: Agreement, event: ox.NamedNode) -> list[tuple]:
    iri = _node(a.iri)
    triples: list[tuple] = [(iri, RDF.type, codes().agreement[a.kind])]
    if a.date:
        triples.append((iri, KG.date, date_literal(a.date.start)))
    triples += [(iri, KG.party, _node(p)) for p in a.parties]
    triples += [(iri, KG.signatory, _node(p)) for p in a.signatories]
    triples += [(iri, KG.witness, _node(p)) for p in a.witnesses]
    triples += [(iri, PROV.wasDerivedFrom, event)]
    if a.ordinal is not None:
        triples.append((iri, KG.ordinal, ox.Literal(a.ordinal)))
    return triples


def _partnership(w: _Writer, p: Partnership) -> None:
    """A partnership goes to the graph of every document that tells an agreement making it,
    whole in each (its start is the earliest over all of them), so each graph stands alone."""
    iri = _node(p.iri)
    triples: list[tuple] = [
        (iri, RDF.type, KG.Partnership),
        *((iri, KG.partner, _node(x)) for x in p.partners),
        *((iri, KG.establishedBy, _node(a)) for a in p.agreements),
    ]
    if p.start:
        triples.append((iri, KG.startDate, date_literal(p.start)))
    if p.ordinal is not None:
        triples.append((iri, KG.ordinal, ox.Literal(p.ordinal)))
    w.add(w.docs_of(p.sources), triples)
    _told_in(w, iri, p.sources)


def _docs_for(entity: Entity, events: list[Event], w: _Writer) -> dict[str, list[Source]]:
    """Every document graph that names or references the entity (``events`` are the ones
    that reference it), each with the passages of that document that speak of it: its own
    mentions, else the passages of the events that reference it (an event told by two
    reports names people only one of them names)."""
    docs: dict[str, dict[Source, None]] = defaultdict(dict)  # ordered sets
    for s in entity.sources:
        docs[w.doc_ids[s.doc]][s] = None
    named_in = set(docs)
    for e in events:
        for s in e.sources:
            doc = w.doc_ids[s.doc]
            if doc not in named_in:
                docs[doc][s] = None
    return {doc: list(sources) for doc, sources in docs.items()}


def _referenced(e: Event) -> set[str]:
    out = set(e.participants) | set(e.persons)
    for v in e.visits:
        out.update((v.visitor, v.host, *v.visitor_persons, *v.host_persons))
    for a in e.agreements:
        out.update((*a.parties, *a.signatories, *a.witnesses))
    return out


def _entity(w: _Writer, e: Entity, docs: dict[str, list[Source]]) -> None:
    """The entity's names and links go to the entities' graph, once; its mentions go to
    every document graph in ``docs``, and each passage and title only to the graph of the
    document it comes from."""
    iri = _node(e.iri)
    triples: list[tuple] = [
        (iri, RDF.type, _entity_class(e)),
        (iri, SKOS.prefLabel, name_literal(e.label)),
        (iri, RDFS.label, name_literal(e.label)),
    ]
    if e.label_en:
        triples.append((iri, SKOS.prefLabel, ox.Literal(e.label_en, language="en")))
    triples += [(iri, SKOS.altLabel, name_literal(a)) for a in e.aliases]
    triples += _search_keys(iri, [e.label, e.label_en or "", *e.aliases])
    if e.wikidata:
        triples.append((iri, OWL.sameAs, WD[e.wikidata]))
    if e.type == "place":
        triples += _coordinates(iri, e.label)
    if e.country and e.type != "person" and e.kind != "country":
        country = _mint("place", e.country, base=w.base)
        triples.append((iri, KG.country, country))
        w.describe([ENTITIES], country, _country(country, e.country))
    w.add([ENTITIES], triples)
    own = set(e.sources)
    for doc, sources in docs.items():
        if w.wanted([doc]):
            links = [(KG.mentionedIn if s in own else PROV.wasDerivedFrom, s) for s in sources]
            w.add([doc], [(iri, link, w.passage(s)) for link, s in links])
    for t in e.titles:
        if w.wanted([w.doc_ids[t.source.doc]]):
            _title(w, iri, e, t)


def _title(w: _Writer, iri: ox.NamedNode, e: Entity, t: Title) -> None:
    """A title held, as an org:Membership: described once per graph (a report may give a
    person the same title in several passages), derived from each passage."""
    docs = w.docs_of([t.source])
    key = digest(e.iri, t.title, t.of or "", t.date or "")
    m = _mint("membership", key, base=w.base)
    triples: list[tuple] = [
        (iri, ORG.hasMembership, m),
        (m, RDF.type, ORG.Membership),
        (m, ORG.member, iri),
        (m, KG.roleTitle, ox.Literal(t.title, language=ZH)),
    ]
    if t.of:
        triples.append((m, ORG.organization, _node(t.of)))
    if t.date:
        # All we know of the term is one day inside it: org:memberDuring an interval of
        # unknown bounds that has that instant inside (time:inside).
        during = _mint("membership", key, "term", base=w.base)
        triples += [
            (m, KG.asOf, date_literal(t.date)),
            (m, ORG.memberDuring, during),
            (during, RDF.type, TIME.Interval),
            (during, TIME.inside, _instant(w, docs, t.date)),
        ]
    w.describe(docs, m, triples)
    w.add(docs, [(m, PROV.wasDerivedFrom, w.passage(t.source))])


def _search_keys(iri: ox.NamedNode, names: Iterable[str]) -> list[tuple]:
    """Each name in the form filters compare (:func:`~kgraph.normalise.name_key`), as an
    untagged ``skos:hiddenLabel``: what SKOS calls a label for search, never displayed.
    The queries match a user's name against these, whatever its spacing or 臺/台."""
    keys = sorted({name_key(n) for n in names if n} - {""})
    return [(iri, SKOS.hiddenLabel, ox.Literal(k)) for k in keys]


def _coordinates(iri: ox.NamedNode, key: str) -> list[tuple]:
    """The place's point from its gazetteer entry (WGS84 ``geo:lat``/``geo:long``), so
    that a map needs nothing but the graph. A place the gazetteer lacks has none."""
    entry = Gazetteer.load().lookup(key)
    if entry is None or entry.type != "place" or entry.lat is None or entry.lon is None:
        return []
    return [(iri, GEO.lat, decimal_literal(entry.lat)), (iri, GEO.long, decimal_literal(entry.lon))]


def decimal_literal(value: float) -> ox.Literal:
    """``value`` as an xsd:decimal in its canonical form, which the store keeps as it is
    (``graph.trig`` is written from the triples as made, see :mod:`kgraph.trigfile`): no
    exponent, no trailing zero, no sign on zero.

    >>> [decimal_literal(x).value for x in (35.0, 22.6273, 1e-05, -0.5, -0.0, 1e3)]
    ['35', '22.6273', '0.00001', '-0.5', '0', '1000']
    """
    text = format(Decimal(repr(value)).normalize(), "f") if value else "0"
    return ox.Literal(text, datatype=XSD.decimal)


def _entity_class(e: Entity) -> ox.NamedNode:
    if e.type == "person":
        return KG.Person
    if e.type == "org":
        return KG.Organisation
    return codes().place.get(e.kind or "", KG.Place)


def _country(iri: ox.NamedNode, name: str) -> list[tuple]:
    entry = Gazetteer.load().lookup(name)
    triples: list[tuple] = [
        (iri, RDF.type, KG.Country),
        (iri, SKOS.prefLabel, name_literal(name)),
        (iri, RDFS.label, name_literal(name)),
    ]
    if entry and entry.name_en:
        triples.append((iri, SKOS.prefLabel, ox.Literal(entry.name_en, language="en")))
    triples += _search_keys(iri, [name, entry.name_en if entry else ""])
    if entry and entry.wikidata:
        triples.append((iri, OWL.sameAs, WD[entry.wikidata]))
    return triples
