"""The store stage of a build: the graph stage's triples into the build's new store.

A build writes a new store in its temporary folder (see :func:`kgraph.store.atomic_output`),
with a named graph per document, the entities' graph, the build's graph and the ontology.
It starts from nothing, or, when the output folder holds an earlier build it can start
from (:func:`earlier_build`), from a checkpoint of that build's store: RocksDB hard-links
the files of a checkpoint, so it costs no copy. Resolution runs over the whole corpus as
ever (one new report can merge into events and entities that others tell), and then the
hash of what each graph is made from (:func:`~kgraph.graph.graph_inputs`, which the
manifest keeps) tells which graphs changed: the graph stage writes those alone, in place
of theirs. Adding one report to a large corpus writes that report's graph, the entities'
and the build's graphs, and those of the reports its happenings merge with, not millions
of quads.

With more than one process, the graph stage writes shares of those graphs to N-Quads
files side by side (:class:`_Writing`), and this process loads them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import shutil
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import pyoxigraph as ox

from kgraph import __version__
from kgraph.cache import fingerprint
from kgraph.errors import StoreError
from kgraph.graph import (
    ENTITIES,
    Triple,
    TripleSink,
    build_graph_iri,
    build_metadata,
    graph_inputs,
    graph_iri,
    write_triples,
)
from kgraph.model import DocumentInfo
from kgraph.namespace import ONTOLOGY_IRI
from kgraph.resolve import Resolved
from kgraph.resources import ontology_dir
from kgraph.store import MANIFEST_FILE, STORE_DIR, EmbeddedStore, NQuadsWriter, QuadLoader
from kgraph.trigfile import TrigSpool

__all__ = ["Earlier", "Written", "code_stamp", "earlier_build", "shares", "write_store"]

SPOOL_DIR = "trig-lines"  # in the build's temporary folder, removed once graph.trig is written


@dataclass(frozen=True)
class Earlier:
    """The build already in the output folder, as its manifest tells it: the hash of
    what each of its graphs was made from (see :func:`~kgraph.graph.graph_inputs`), and
    where each graph's block is in its ``graph.trig`` (offset and length)."""

    folder: Path
    inputs: dict[str, str]
    blocks: dict[str, tuple[int, int]]

    def kept_blocks(self, kept: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Where the blocks of the ``kept`` graphs are in the earlier ``graph.trig``."""
        return {g: self.blocks[g] for g in kept if g in self.blocks}


@dataclass(frozen=True)
class Written:
    """What the store stage wrote: the hash of each graph's inputs (for the manifest),
    the graphs it kept as the earlier build had them, and the lines of those it wrote
    (for ``graph.trig``, see :mod:`kgraph.trigfile`)."""

    inputs: dict[str, str]
    kept: frozenset[str] = frozenset()
    spool: TrigSpool | None = None

    def manifest(self) -> dict[str, object]:
        """What the manifest keeps of it, for the next build to start from (with the
        blocks of ``graph.trig``, which the export writes)."""
        return {"pyoxigraph": ox.__version__, "code": code_stamp(), "graphs": self.inputs}


def shares(workers: int) -> int:
    """The number of shares the graph stage writes with ``workers`` processes: more shares
    than processes, so that the store loads some while the workers write the next.

    >>> shares(1), shares(2)
    (1, 8)
    """
    return 4 * workers if _parallel(workers) else 1


def earlier_build(out: Path, base: str) -> Earlier | None:
    """The build in ``out``, if a new build with ``base`` can start from its store: a build
    of the same base, by the same kgraph and pyoxigraph (which write and normalise terms
    alike), whose manifest lists what its graphs were made from. None otherwise.

    By the same code, too (:func:`code_stamp`): other code makes every graph's hash
    differ, and removing every graph from the earlier store (4 million quads at 1,000
    reports, which RocksDB removes in one transaction held in memory) costs more time
    and memory than writing a store from nothing."""
    try:
        manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not (out / STORE_DIR).is_dir():
        return None
    same = {
        "base": base,
        "kgraph": __version__,
        "pyoxigraph": ox.__version__,
        "code": code_stamp(),
    }
    graphs = manifest.get("graphs")
    if any(manifest.get(k) != v for k, v in same.items()) or not isinstance(graphs, dict):
        return None
    inputs = {str(g): str(d) for g, d in graphs.items()}
    return Earlier(out, inputs, _blocks(manifest.get("trig")))


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """What turns the same inputs into other triples: kgraph's code and word lists (see
    :func:`kgraph.cache.fingerprint`) and the ontology, whose codes name the classes.

    >>> len(code_stamp())
    32
    """
    h = hashlib.blake2b(fingerprint().encode(), digest_size=16)
    for path in sorted(ontology_dir().glob("*.ttl")):
        h.update(path.read_bytes())
    return h.hexdigest()


def _blocks(value: object) -> dict[str, tuple[int, int]]:
    """The ``trig`` entries of a manifest that are an offset and a length; a damaged entry
    only means that graph's block is dumped again.

    >>> _blocks({"g": [0, 10], "h": "x", "i": [-1, 2], "j": [1.5, 2]})
    {'g': (0, 10)}
    """
    if not isinstance(value, dict):
        return {}
    return {
        str(g): (b[0], b[1])
        for g, b in value.items()
        if isinstance(b, list) and len(b) == 2 and all(type(n) is int and n >= 0 for n in b)
    }


def write_store(
    tmp: Path,
    documents: Sequence[DocumentInfo],
    resolved: Resolved,
    base: str,
    workers: int = 1,
    earlier: Earlier | None = None,
) -> tuple[EmbeddedStore, Written]:
    """The build's store in ``tmp``: the ontology, a graph per document, the entities'
    graph and the build's metadata, written by ``workers`` processes. Starts from the
    ``earlier`` build's store if it still holds the graphs its manifest lists, and then
    writes only the graphs whose inputs changed.

    Returns the store, open for the exports to read, and what was written.
    """
    inputs = graph_inputs(resolved, documents, base, code_stamp())
    if earlier and not _worth_keeping(earlier, inputs):
        earlier = None
    store = _start(tmp / STORE_DIR, earlier)
    if store is None:
        earlier = None
        store = EmbeddedStore(tmp / STORE_DIR, create=True)
    try:
        ontology = (ontology_dir() / "diplomacy.ttl").read_bytes()
        store.replace_graph(ONTOLOGY_IRI, ontology, "turtle")
        build = str(build_graph_iri(base))
        store.drop_graph(build)  # the build's own graph (when, from what) is new every time
        before = earlier.inputs if earlier else {}
        kept = frozenset(g for g, h in inputs.items() if before.get(g) == h)
        for name in store.graphs():
            if name not in kept and name not in (ONTOLOGY_IRI, build):
                store.drop_graph(name)  # changed, or of a report no longer in the corpus
        by_iri = {str(graph_iri(d.doc_id, base)): d.doc_id for d in documents}
        by_iri[str(graph_iri(ENTITIES, base))] = ENTITIES
        only = {by_iri[g] for g in inputs if g not in kept}
        spool = TrigSpool(tmp / SPOOL_DIR, [*(g for g in inputs if g not in kept), build])
        writing = _Writing(resolved, list(documents), base, tmp / "parts", only, spool)
        with store.loader(spool=spool) as load:
            for name in inputs:
                if name not in kept:
                    load.graph(name)  # a document that tells nothing has its graph too
            _write(writing, load, workers)
            load.add(build, build_metadata(documents, base))
    except BaseException:
        store.close()
        raise
    return store, Written(inputs, kept, spool)


def _worth_keeping(earlier: Earlier, inputs: dict[str, str]) -> bool:
    """Whether the earlier store keeps at least half of its graphs as they are. Removing
    a graph from a store costs about what writing it does, in a transaction that
    RocksDB holds in memory (removing every graph of 1,000 reports took 2.6 GiB):
    when most of them changed, a store written from nothing is cheaper.

    >>> _worth_keeping(Earlier(Path("."), {"a": "1", "b": "2"}, {}), {"a": "1", "b": "3"})
    True
    >>> _worth_keeping(Earlier(Path("."), {"a": "1", "b": "2", "c": "3"}, {}), {"a": "1"})
    False
    """
    kept = sum(inputs.get(g) == h for g, h in earlier.inputs.items())
    return 2 * kept >= len(earlier.inputs)


def _start(folder: Path, earlier: Earlier | None) -> EmbeddedStore | None:
    """A checkpoint of the ``earlier`` build's store, opened in ``folder``, if it still
    holds the graphs its manifest lists; None otherwise."""
    if earlier is None:
        return None
    try:
        old = ox.Store.read_only(str(earlier.folder / STORE_DIR))
        held = {g.value for g in old.named_graphs() if isinstance(g, ox.NamedNode)}
        if not set(earlier.inputs) <= held:  # not the store the manifest speaks of
            return None
        old.backup(str(folder))
        del old
        return EmbeddedStore(folder)
    except (OSError, RuntimeError, ValueError, StoreError):
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _write(writing: _Writing, load: QuadLoader, workers: int) -> None:
    """The graphs ``writing`` names into the store, by the graph stage in this process or
    in ``workers`` forked ones."""
    if not writing.only:
        return
    if _parallel(workers):
        _write_in_processes(writing, load, workers)
    else:
        write_triples(
            writing.resolved, writing.documents, writing.base, writing.sink(load), only=writing.only
        )


def _parallel(workers: int) -> bool:
    return workers > 1 and "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class _Writing:
    """What the graph stage writes from, and where its worker processes put their shares."""

    resolved: Resolved
    documents: list[DocumentInfo]
    base: str
    folder: Path
    only: set[str]  # the graphs to write: document ids, and ENTITIES
    spool: TrigSpool | None = None  # where their lines are kept for graph.trig

    def sink(self, out: QuadLoader | NQuadsWriter) -> TripleSink:
        """Triples of a document id go to that document's named graph in ``out``."""
        graphs: dict[str, str] = {}

        def add(doc_id: str, triples: list[Triple]) -> None:
            graph = graphs.get(doc_id) or graphs.setdefault(
                doc_id, str(graph_iri(doc_id, self.base))
            )
            out.add(graph, triples)

        return add

    def share(self, part: int, parts: int) -> Path:
        """Write share ``part`` of ``parts`` to an N-Quads file (in a worker process)."""
        path = self.folder / f"part-{part:04d}.nq"
        spool = self.spool.part(path.stem) if self.spool else None
        with NQuadsWriter(path, spool=spool) as out:
            sink = self.sink(out)
            write_triples(self.resolved, self.documents, self.base, sink, (part, parts), self.only)
        return path


#: The writing a forked worker process reads (set only while its pool runs): the
#: resolved corpus reaches the workers by fork, not by pickling it for each.
_WRITING: _Writing | None = None


def _write_in_processes(writing: _Writing, load: QuadLoader, workers: int) -> None:
    """The graph stage in ``workers`` forked processes: each writes its shares of the
    corpus to N-Quads files, which as many threads of this process load into the store as
    they come (the store parses and loads without holding the GIL). There are more shares
    than processes, so the store loads some while the workers write the next, and the last
    shares, written after the others, do not wait for each other to load."""
    writing.folder.mkdir()
    load.flush()
    if writing.spool is not None:
        writing.spool.flush()  # the forked workers must not inherit lines to write again
    try:
        with ThreadPoolExecutor(workers) as loaders, _each_share(writing, workers) as each:
            loading = [loaders.submit(_load_share, load, path) for path in each]
            for done in loading:
                done.result()
    finally:
        shutil.rmtree(writing.folder, ignore_errors=True)


@contextlib.contextmanager
def _each_share(writing: _Writing, workers: int) -> Iterator[Iterator[Path]]:
    """The graph stage's shares (each an N-Quads file) as ``workers`` forked processes
    write them; the pool ends when the block does, even on an error."""
    global _WRITING
    _WRITING = writing
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            count = shares(workers)
            yield pool.imap(partial(_write_share, parts=count), range(count))
    finally:
        _WRITING = None


def _load_share(load: QuadLoader, path: Path) -> None:
    """In a loader thread: one share into the store; its file is not needed after."""
    load.add_nquads(path)
    path.unlink()


def _write_share(part: int, parts: int) -> Path:
    """In a worker process: share ``part`` of ``parts`` of the build being written."""
    if _WRITING is None:
        raise RuntimeError("a graph writer ran outside a build")
    return _WRITING.share(part, parts)
