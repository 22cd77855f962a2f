"""The main job: from report files to a built knowledge graph on disk.

read -> normalise -> segment -> recognise -> extract (per document), then
resolve (across documents) -> graph -> store. The output folder is written in a
temporary place and moved into place at the end, so a failed or killed build
leaves the previous one intact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kgraph import __version__
from kgraph.api import KnowledgeGraph, RecordSet
from kgraph.dates import report_year
from kgraph.eventnames import dated_events, is_title_only, lent_date
from kgraph.extract import UnitInput, extract, main_date, story_places
from kgraph.graph import build_graph_iri, build_metadata, graph_iri, to_graphs
from kgraph.ingest import discover, read_document
from kgraph.iri import check_base
from kgraph.model import DateSpan, Document, Happening, Mention, NormalisedText, Source, Unit
from kgraph.namespace import DEFAULT_BASE, ONTOLOGY_IRI
from kgraph.normalise import normalise
from kgraph.recognise import mentions, pipeline
from kgraph.resolve import Resolved, resolve
from kgraph.resources import ontology_dir
from kgraph.segment import segment
from kgraph.store import GRAPH_FILE, MANIFEST_FILE, STORE_DIR, EmbeddedStore, atomic_output

DEFAULT_OUT = "kg-out"
VIEW_FILE = "view.html"
MAP_FILE = "map.html"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the command line and the manifest."""

    out: Path
    documents: tuple[str, ...]
    happenings: int
    events: int
    entities: int
    quads: int
    by_type: dict[str, int] = field(default_factory=dict)


def source_of(doc: Document, norm: NormalisedText, start: int, end: int) -> Source:
    """A provenance span: normalised offsets mapped back to the original file's text."""
    o_start, o_end = norm.to_original(start, end)
    return Source(doc=doc.name, start=o_start, end=o_end, quote=doc.text[o_start:o_end])


def extract_document(doc: Document) -> list[Happening]:
    """Every happening one document tells."""
    norm = normalise(doc.text)
    units = [u for u in segment(doc.doc_id, norm) if u.text.strip()]
    year = report_year(norm.text)
    nlp = pipeline()
    found = [
        tuple(mentions(sdoc, offset=u.start))
        for u, sdoc in zip(units, nlp.pipe(u.text for u in units), strict=True)
    ]
    lent = _lent_dates(units, found, year)
    out: list[Happening] = []
    for unit, named, date in zip(units, found, lent, strict=True):
        out.extend(
            extract(
                UnitInput(
                    unit=unit,
                    mentions=named,
                    source=_unit_source(doc, norm, unit),
                    report_year=year,
                    mention_sources=tuple(source_of(doc, norm, m.start, m.end) for m in named),
                    lent_date=date,
                )
            )
        )
    return out


def _lent_dates(
    units: list[Unit], found: list[tuple[Mention, ...]], year: int | None
) -> list[DateSpan | None]:
    """For each undated unit, the date of an event it names that another unit dates, or
    else, for a paragraph that is not a numbered item, the date of the unit before it when
    it goes on with that unit's story (names a foreign place that one names: a slide's next
    paragraph, 5校簽署意向書 after the visit)."""
    own = [main_date(u.text, year) for u in units]
    events = dated_events(units, own)
    lent: list[DateSpan | None] = []
    story: tuple[DateSpan | None, frozenset[str]] = (None, frozenset())  # the last passage's
    for i, (unit, named) in enumerate(zip(units, found, strict=True)):
        date = own[i] or lent_date(unit, units[i - 1] if i else None, events, year)
        places = story_places(named)
        if date is None and not unit.marker and places & story[1]:
            date = story[0]
        if not is_title_only(unit):  # a slide's title between does not end the story
            story = (date, places)
        lent.append(None if own[i] else date)
    return lent


def _unit_source(doc: Document, norm: NormalisedText, unit: Unit) -> Source:
    text = unit.text
    start = unit.start + (len(text) - len(text.lstrip()))
    end = unit.start + len(text.rstrip())
    return source_of(doc, norm, start, end)


def build(
    paths: Sequence[str | Path],
    out: str | Path = DEFAULT_OUT,
    base: str = DEFAULT_BASE,
    progress: Progress | None = None,
    views: bool = True,
) -> BuildReport:
    """Build the knowledge graph of ``paths`` into the folder ``out``, with the network
    view and the map of the result (``view.html``, ``map.html``) unless ``views`` is off."""
    say = progress or (lambda _msg: None)
    check_base(base)
    files = discover(paths)
    documents = [read_document(p) for p in files]
    happenings: list[Happening] = []
    for doc in documents:
        found = extract_document(doc)
        say(f"{doc.name}: {len(found)} happenings")
        happenings.extend(found)
    resolved = resolve(happenings, base)
    say(f"resolved {len(resolved.events)} events, {len(resolved.entities)} entities")
    return _write(Path(out), documents, happenings, resolved, base, views)


def write_views(kg: KnowledgeGraph, folder: Path) -> None:
    """The analyst's first look at a build: the network view and the map, in ``folder``."""
    from kgraph.mapview import write_map
    from kgraph.viz import write_view

    records = RecordSet.of(kg)  # both pages read the same records: query the store once
    write_view(records, folder / VIEW_FILE)
    write_map(records, folder / MAP_FILE)


def _write(
    out: Path,
    documents: list[Document],
    happenings: list[Happening],
    resolved: Resolved,
    base: str,
    views: bool,
) -> BuildReport:
    graphs = to_graphs(resolved, documents, base)
    with atomic_output(out) as tmp:
        store = EmbeddedStore(tmp / STORE_DIR, create=True)
        try:
            ontology = (ontology_dir() / "diplomacy.ttl").read_bytes()
            store.replace_graph(ONTOLOGY_IRI, ontology, "turtle")
            for doc in documents:
                g = graphs.get(doc.doc_id)
                data = g.serialize(format="nt", encoding="utf-8") if g is not None else b""
                store.replace_graph(str(graph_iri(doc.doc_id, base)), data, "ntriples")
            meta = build_metadata(documents, base).serialize(format="nt", encoding="utf-8")
            store.replace_graph(str(build_graph_iri(base)), meta, "ntriples")
            store.dump(tmp / GRAPH_FILE, "trig")
            quads = store.count()
            if views:
                write_views(KnowledgeGraph(store), tmp)
        finally:
            store.close()
        by_type: dict[str, int] = {}
        for e in resolved.events:
            by_type[e.type] = by_type.get(e.type, 0) + 1
        report = BuildReport(
            out=out,
            documents=tuple(d.name for d in documents),
            happenings=len(happenings),
            events=len(resolved.events),
            entities=len(resolved.entities),
            quads=quads,
            by_type=by_type,
        )
        manifest = {
            "kgraph": __version__,
            "base": base,
            "documents": [{"name": d.name, "doc_id": d.doc_id} for d in documents],
            "events": report.events,
            "entities": report.entities,
            "quads": report.quads,
            "by_type": by_type,
        }
        (tmp / MANIFEST_FILE).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return report
