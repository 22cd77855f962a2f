"""The main job: from report files to a built knowledge graph on disk.

read -> normalise -> segment -> recognise -> extract (per document), then
resolve (across documents) -> graph -> store. The output folder is written in a
temporary place and moved into place at the end, so a failed or killed build
leaves the previous one intact.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from kgraph import __version__, cache
from kgraph.api import KnowledgeGraph, RecordSet
from kgraph.cache import Extracted
from kgraph.dates import finer, published_date, relative_date, report_year
from kgraph.errors import Errors, InputError
from kgraph.eventnames import dated_events, is_title_only, lent_date
from kgraph.extract import (
    UnitInput,
    extract,
    main_date,
    story_places,
    titled_people,
    without_bylines,
)
from kgraph.graph import info_of
from kgraph.graphrows import GraphRows, together
from kgraph.ingest import discover, read_document
from kgraph.iri import check_base
from kgraph.load import earlier_build, write_store
from kgraph.model import (
    DateSpan,
    Document,
    DocumentInfo,
    Happening,
    Mention,
    NormalisedText,
    Source,
    Unit,
)
from kgraph.namespace import DEFAULT_BASE
from kgraph.normalise import normalise
from kgraph.recognise import mentions, named_again, parse, pipeline
from kgraph.resolve import Resolved, resolve
from kgraph.segment import segment
from kgraph.store import (
    GRAPH_FILE,
    MANIFEST_FILE,
    EmbeddedStore,
    atomic_output,
)
from kgraph.trigfile import TrigSpool

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
    skipped: tuple[str, ...] = ()  # one line per file left out: the file and the reason


def source_of(doc: Document, norm: NormalisedText, start: int, end: int, text: str = "") -> Source:
    """A provenance span: normalised offsets mapped back to the original file's text.
    Where the quote reads as ``text`` (a mention's), it is that string: one object,
    pickled and held once."""
    o_start, o_end = norm.to_original(start, end)
    quote = doc.text[o_start:o_end]
    return Source(doc=doc.name, start=o_start, end=o_end, quote=text if quote == text else quote)


def extract_document(doc: Document) -> list[Happening]:
    """Every happening one document tells."""
    norm = normalise(doc.text)
    units = [u for u in segment(doc.doc_id, norm) if u.text.strip()]
    year = report_year(norm.text)
    found = [
        tuple(mentions(sdoc, offset=u.start))
        for u, sdoc in zip(units, parse(u.text for u in units), strict=True)
    ]
    explicit = [main_date(u.text, year) for u in units]
    lent = _lent_dates(units, found, explicit, year, published_date(norm.text))
    people = _people(units, found)
    found = named_again([(u.start, u.text) for u in units], found, people)
    out: list[Happening] = []
    trip: tuple[bool, frozenset[str]] = (False, frozenset())  # abroad, and where
    for unit, named, date, own in zip(units, found, lent, explicit, strict=True):
        places = story_places(named)
        # A paragraph with a date of its own (114年8月…) starts a story of its own.
        goes_on = trip[0] and not unit.marker and bool(places & trip[1]) and own is None
        told = extract(
            UnitInput(
                unit=unit,
                mentions=named,
                source=_unit_source(doc, norm, unit),
                report_year=year,
                mention_sources=tuple(source_of(doc, norm, m.start, m.end, m.text) for m in named),
                lent_date=date,
                known_people=tuple(people.items()),
                abroad=goes_on,
            )
        )
        out.extend(told)
        if not is_title_only(unit):  # a slide's title between does not end the trip
            outbound = any(v.direction == "outbound" for h in told for v in h.visits)
            trip = (outbound or goes_on, places | trip[1] if goes_on else places)
    return out


def _people(units: list[Unit], found: list[tuple[Mention, ...]]) -> dict[str, str]:
    """The people a document names beside a title and their party, each with that party's
    key; not those it gives two parties (two people of one name, or a party misread)."""
    parties: dict[str, set[str]] = {}
    for unit, named in zip(units, found, strict=True):
        for name, party in titled_people(unit, named).items():
            parties.setdefault(name, set()).add(party)
    return {name: keys.pop() for name, keys in parties.items() if len(keys) == 1}


def _lent_dates(
    units: list[Unit],
    found: list[tuple[Mention, ...]],
    explicit: list[DateSpan | None],
    year: int | None,
    published: DateSpan | None = None,
) -> list[DateSpan | None]:
    """For each undated unit (or one whose own date is only a month or a year where a news
    article's 8日 says more), the day a news article's 今（15）日 or 昨日 names, or the
    date of an event it names that another unit dates, or else, for a paragraph that is
    not a numbered item, the date of the unit before it when it goes on with that unit's
    story (names a foreign place that one names: a slide's next paragraph, 5校簽署意向書
    after the visit). ``explicit`` are the units' own dates (:func:`main_date`)."""
    # An article's 8日 says more than the 10月 of an event it mentions beside it.
    own = [
        finer(d, relative_date(without_bylines(u.text), published))
        for u, d in zip(units, explicit, strict=True)
    ]
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
        lent.append(None if explicit[i] == date else date)
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
    jobs: int = 1,
    strict: bool = False,
) -> BuildReport:
    """Build the knowledge graph of ``paths`` into the folder ``out``, with the network
    view and the map of the result (``view.html``, ``map.html``) unless ``views`` is off.

    ``jobs`` processes extract documents side by side (0: one per CPU); with more than one,
    they also write the graph's shares side by side, and ``graph.trig`` is written beside
    the views. Documents whose
    text, and kgraph itself, are unchanged since the last build into ``out`` are not
    extracted again (see :mod:`kgraph.cache`), and the new store starts from the last
    build's, writing only the graphs whose inputs changed (see :mod:`kgraph.load`).
    """
    say = progress or (lambda _msg: None)
    check_base(base)
    documents, skipped = read_all(discover(paths), strict)
    out = Path(out)
    with atomic_output(out) as tmp, frozen_heap():
        extracted = []
        for found, reused in extract_files(documents, jobs, previous=out, into=tmp):
            state = "unchanged" if reused else "extracted"
            say(f"{found.info.name}: {len(found.happenings)} happenings ({state})")
            extracted.append(found)
            gc.freeze()  # kept to the resolution (see frozen_heap); extracting leaves no cycles
        happenings = [h for found in extracted for h in found.happenings]
        del extracted
        with collector_paused():  # from here on, no garbage cycles worth collecting
            resolved = resolve(happenings, base)
            say(f"resolved {len(resolved.events)} events, {len(resolved.entities)} entities")
            report = _report(out, documents, len(happenings), resolved, skipped)
            del happenings
            workers, earlier = processes(jobs), earlier_build(out, base)
            store, written = write_store(tmp, documents, resolved, base, workers, earlier)
            if written.kept:
                kept = len(written.kept)
                say(f"kept {kept} of {len(written.inputs)} graphs from the last build")
            kept_blocks = earlier.kept_blocks(written.kept) if earlier else {}
            reuse = (out / GRAPH_FILE, kept_blocks, written.spool)
            # The extraction and resolution are no longer needed: the views, which take
            # the most memory of a build, can reuse it (peak RSS is this step's).
            del resolved
            rows = GraphRows.open(out, documents, written.inputs, base) if views else None
            try:
                quads, blocks = _export(store, tmp, rows, workers, reuse)
                report = replace(report, quads=quads)
            finally:
                store.close()
            _write_manifest(tmp, report, base, documents, {**written.manifest(), "trig": blocks})
            return report


def read_all(files: Sequence[Path], strict: bool) -> tuple[list[DocumentInfo], tuple[str, ...]]:
    """The files that can be read, each as a :class:`DocumentInfo`, and a line for each one
    that cannot (the file and why). With ``strict``, or when it is the only file, a bad file
    stops the build; either way this happens before any work, so a bad file never costs a
    half build."""
    documents: list[DocumentInfo] = []
    errors: list[InputError] = []
    for path in files:
        try:
            documents.append(info_of(read_document(path)))
        except InputError as error:
            if strict or len(files) == 1:
                raise
            errors.append(error)
    if not documents:
        raise InputError(Errors.E015, count=len(files), first=errors[0])
    _check_ids(documents)
    return documents, tuple(str(e) for e in errors)


def _check_ids(documents: list[DocumentInfo]) -> None:
    """Each document has a graph and a cached extraction of its own, named by its id:
    two files whose names give one id (``a b.txt`` and ``a_b.txt``, or one name in two
    folders) stop the build, which would otherwise merge them."""
    seen: dict[str, DocumentInfo] = {}
    for d in documents:
        first = seen.setdefault(d.doc_id, d)
        if first is not d:
            raise InputError(Errors.E016, first=first.path, second=d.path, doc_id=d.doc_id)


def extract_files(
    documents: Sequence[DocumentInfo], jobs: int, previous: Path, into: Path
) -> Iterator[tuple[Extracted, bool]]:
    """Each document's extraction, in order, and whether it was reused from the cache of
    the build in ``previous``; each is kept in the cache of ``into``.

    ``documents`` are the files as read (their paths and content hashes). A file to
    extract is read again by the worker that extracts it, and only its happenings come
    back, so that the corpus's text is never all in memory.
    """
    reused = {}
    for d in documents:
        if found := cache.load(previous, d):
            reused[d.doc_id] = found
            gc.freeze()  # kept until resolved: the collector need not walk it
    todo = [Path(d.path) for d in documents if d.doc_id not in reused]
    fresh = _extract_all(todo, jobs, into)
    for d in documents:
        if d.doc_id in reused:
            cache.keep(previous, into, d.doc_id)
            yield reused[d.doc_id], True
        else:
            yield next(fresh), False


def _extract_all(files: list[Path], jobs: int, into: Path) -> Iterator[Extracted]:
    """Extract ``files`` in order, in ``jobs`` processes (0: one per CPU)."""
    work = partial(_extract_file, into=into)
    jobs = min(processes(jobs), len(files))
    if jobs <= 1:
        yield from map(work, files)
        return
    pipeline()  # load the word lists and gazetteer once; forked workers share them
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with frozen_heap(), context.Pool(jobs) as pool:
        for info, data in pool.imap(partial(_extract_packed, into=into), files, chunksize=1):
            yield cache.unpack(info, data)


_FROZEN = 0  # how many frozen_heap blocks are open: the outermost one unfreezes


@contextmanager
def frozen_heap() -> Iterator[None]:
    """While inside, the garbage collector leaves alone every object that exists on entry
    (:func:`gc.freeze`), and every object that exists at a later ``gc.freeze()`` inside:
    the loaded pipeline, each extraction as it comes. A build keeps them until it has
    resolved them and they hold no cycles, yet every full collection walked them all
    again: at 1,000 reports, reading the cached extractions took 8 s instead of 3.4 s,
    and resolving them 14 s instead of 7 (the collector is now paused from there on: see
    :func:`collector_paused`). A full collection now walks only what is new, and a
    forked worker does not walk (and so copy, page by page) the heap it shares with
    this process. Freed by reference counting as ever, those objects are only kept from
    the cycle collector until the outermost block ends.

    >>> with frozen_heap():
    ...     with frozen_heap():
    ...         pass
    ...     gc.get_freeze_count() > 0
    True
    """
    global _FROZEN
    _FROZEN += 1
    gc.freeze()
    try:
        yield
    finally:
        _FROZEN -= 1
        if not _FROZEN:
            gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """While inside, the cyclic garbage collector does not run (:func:`gc.disable`); it
    runs again, if it ran before, at the end. After extraction, a build makes millions
    of objects that it keeps for a while (the resolved corpus, the graph's triples, the
    views' records) and no cycles worth collecting, yet each full collection walked all
    that it had made since the last :func:`gc.freeze`: at 1,000 reports the collector
    took 16 s of a build from cached extractions and 10.7 s of a rebuild, against 0.5 s
    with it paused, for 10 MB more at the peak. Extraction, where spaCy runs, keeps it.

    >>> running = gc.isenabled()
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled() == running
    True
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def processes(jobs: int) -> int:
    """The number of processes ``--jobs`` asks for (0: one per CPU).

    >>> processes(3), processes(0) >= 1
    (3, True)
    """
    return jobs or os.cpu_count() or 1


def _extract_file(path: Path, into: Path) -> Extracted:
    found, _data = _extract_saved(path, into)
    return found


def _extract_packed(path: Path, into: Path) -> tuple[DocumentInfo, bytes]:
    """In a worker process: the extraction as its cache file's bytes, for the build to
    unpack (pickled once, for the file, rather than again to send it)."""
    found, data = _extract_saved(path, into)
    return found.info, data


def _extract_saved(path: Path, into: Path) -> tuple[Extracted, bytes]:
    doc = read_document(path)
    found = Extracted(info_of(doc), tuple(extract_document(doc)))
    return found, cache.save(into, found)


def write_views(kg: KnowledgeGraph, folder: Path, threads: int = 1) -> None:
    """The analyst's first look at a build: the network view and the map, in ``folder``;
    the store's queries run in ``threads`` threads side by side."""
    from kgraph.mapview import write_map
    from kgraph.viz import write_view

    # Both pages read the same records: query the store once.
    records = RecordSet.of(kg, threads)
    write_view(records, folder / VIEW_FILE)
    write_map(records, folder / MAP_FILE)


def _export(
    store: EmbeddedStore,
    folder: Path,
    rows: GraphRows | None,
    jobs: int,
    reuse: tuple[Path, dict[str, tuple[int, int]], TrigSpool | None],
) -> tuple[int, dict[str, list[int]]]:
    """``graph.trig`` and, with the graph-local queries' ``rows`` (None: no views), the
    two pages, into ``folder``; returns the number of quads in the store and where each
    graph's block is in ``graph.trig``. ``reuse`` is the last build's ``graph.trig`` and
    where the blocks of the graphs the store kept are in it: they are copied from there;
    and the lines of the graphs written (see :mod:`kgraph.trigfile`), removed once used
    (on an error, with the rest of the build's temporary folder).
    Allowed more than one CPU (``jobs``), ``graph.trig`` and the count are written in a
    thread beside the views (the store counts and dumps without holding the GIL; making
    blocks from the spool holds it, for about 4 s at 1,000 reports), and the views'
    queries run side by side."""

    def dump() -> tuple[int, dict[str, list[int]]]:
        blocks = store.write_trig(folder / GRAPH_FILE, *reuse)
        if spool := reuse[2]:
            spool.remove()
        return store.count(), blocks

    if rows is None:
        return dump()
    if jobs <= 1:
        dumped = dump()
        _views(store, folder, rows, 1)
        return dumped
    with ThreadPoolExecutor(1) as pool:
        dumping = pool.submit(dump)
        _views(store, folder, rows, jobs)
        return dumping.result()


def _views(store: EmbeddedStore, folder: Path, rows: GraphRows, threads: int) -> None:
    """The two pages. The graph-local queries' rows are read graph by graph, or taken
    from the last build where a graph is as it was then, and kept for the next."""
    kg = KnowledgeGraph(store)
    by_graph = rows.read(store, threads)
    rows.save(folder, by_graph)
    for name, found in together(by_graph).items():
        kg.supply(name, found)
    del by_graph
    write_views(kg, folder, threads)


def _report(
    out: Path,
    documents: list[DocumentInfo],
    happenings: int,
    resolved: Resolved,
    skipped: tuple[str, ...],
) -> BuildReport:
    """The build's report but for its quads, which the store counts once written."""
    return BuildReport(
        out=out,
        documents=tuple(d.name for d in documents),
        happenings=happenings,
        events=len(resolved.events),
        entities=len(resolved.entities),
        quads=0,
        by_type=dict(Counter(e.type for e in resolved.events)),
        skipped=skipped,
    )


def _write_manifest(
    tmp: Path,
    report: BuildReport,
    base: str,
    documents: list[DocumentInfo],
    store: dict[str, object],
) -> None:
    """The build's manifest; ``store`` is what the next build needs to start from this
    build's store and ``graph.trig`` (see :mod:`kgraph.load`)."""
    manifest = {
        "kgraph": __version__,
        "base": base,
        "documents": [
            {"name": d.name, "doc_id": d.doc_id, "content_hash": d.content_hash} for d in documents
        ],
        "events": report.events,
        "entities": report.entities,
        "quads": report.quads,
        "by_type": report.by_type,
        "skipped": list(report.skipped),
        **store,
    }
    (tmp / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
