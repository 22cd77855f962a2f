"""The store stage of a build: the graph stage's triples into the build's new store.

A build writes a new store in its temporary folder (see :func:`kgraph.store.atomic_output`),
with a named graph per document, the entities' graph, the build's graph and the ontology.
It starts from nothing, or, when the output folder holds an earlier build of the same
base, from a checkpoint of that build's store: RocksDB hard-links the files of a
checkpoint, so it costs no copy. The graph stage then runs over the whole corpus as ever
(resolution is global: one new report can merge into events and entities that others
tell), but only the graphs whose triples differ from the earlier build's are written, told
apart by their :class:`~kgraph.store.GraphDigests`, which the manifest keeps. Adding one
report to a large corpus rewrites that report's graph, the entities' and the build's
graphs, and those of the reports its happenings merge with, not millions of quads.

With more than one process, the graph stage writes shares of the corpus to N-Quads files
side by side (:class:`_Writing`), and this process loads them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kgraph.graph import (
    ENTITIES,
    Triple,
    TripleSink,
    build_graph_iri,
    build_metadata,
    graph_iri,
    write_triples,
)
from kgraph.model import DocumentInfo
from kgraph.namespace import ONTOLOGY_IRI
from kgraph.resolve import Resolved
from kgraph.resources import ontology_dir
from kgraph.store import (
    MANIFEST_FILE,
    STORE_DIR,
    EmbeddedStore,
    GraphDigests,
    NQuadsWriter,
    QuadLoader,
)

__all__ = ["Earlier", "Written", "earlier_build", "processes", "write_store"]


@dataclass(frozen=True)
class Earlier:
    """The build already in the output folder, as its manifest tells it: the digests of
    its graphs and where each graph's block is in its ``graph.trig``."""

    folder: Path
    digests: dict[str, str]
    blocks: dict[str, list[int]]

    def kept_blocks(self, kept: Iterable[str]) -> dict[str, list[int]]:
        """Where the blocks of the ``kept`` graphs are in the earlier ``graph.trig``."""
        return {g: self.blocks[g] for g in kept if g in self.blocks}


@dataclass(frozen=True)
class Written:
    """What the store stage wrote: the digests of its graphs (for the manifest), and the
    graphs it kept as the earlier build had them."""

    digests: dict[str, str]
    kept: frozenset[str] = frozenset()


def processes(jobs: int) -> int:
    """The number of processes ``--jobs`` asks for (0: one per CPU).

    >>> processes(3), processes(0) >= 1
    (3, True)
    """
    return jobs or os.cpu_count() or 1


def earlier_build(out: Path, base: str) -> Earlier | None:
    """The build in ``out``, when its store can be the start of a new build with ``base``:
    a build of the same base, whose manifest lists its graphs' digests. None otherwise (no
    build, another base, a manifest from before digests)."""
    try:
        manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("base") != base:
        return None
    graphs, blocks = manifest.get("graphs"), manifest.get("trig", {})
    if not isinstance(graphs, dict) or not isinstance(blocks, dict):
        return None
    if not (out / STORE_DIR).is_dir():
        return None
    digests = {str(g): str(d) for g, d in graphs.items()}
    return Earlier(out, digests, {str(g): list(b) for g, b in blocks.items()})


def write_store(
    tmp: Path,
    documents: Sequence[DocumentInfo],
    resolved: Resolved,
    base: str,
    jobs: int = 1,
    earlier: Earlier | None = None,
) -> tuple[EmbeddedStore, Written]:
    """The build's store in ``tmp``: the ontology, a graph per document, the entities'
    graph and the build's metadata. Starts from the ``earlier`` build's store (see
    :func:`earlier_build`) if it still holds the graphs its manifest lists, and then
    writes only the graphs that changed.

    Returns the store, open for the exports to read, and what was written.
    """
    store = _start(tmp / STORE_DIR, earlier)
    if store is None:
        earlier = None
        store = EmbeddedStore(tmp / STORE_DIR, create=True)
    try:
        ontology = (ontology_dir() / "diplomacy.ttl").read_bytes()
        store.replace_graph(ONTOLOGY_IRI, ontology, "turtle")
        writing = _Writing(resolved, list(documents), base, tmp / "parts")
        with store.loader() as load:
            names = [str(graph_iri(d.doc_id, base)) for d in documents]
            names.append(str(graph_iri(ENTITIES, base)))
            if earlier is None:
                written = Written(_write_all(writing, load, names, jobs).hex())
            else:
                now = _write_changed(writing, load, names, earlier.digests, jobs).hex()
                kept = frozenset(g for g, d in now.items() if earlier.digests.get(g) == d)
                written = Written(now, kept)
            # The build's own graph (when, what, from which documents) is new every time.
            build = str(build_graph_iri(base))
            store.store.remove_graph(ox.NamedNode(build))
            load.add(build, build_metadata(documents, base))
    except BaseException:
        store.close()
        raise
    return store, written


def _start(folder: Path, earlier: Earlier | None) -> EmbeddedStore | None:
    """A checkpoint of the ``earlier`` build's store, opened in ``folder``, if it still
    holds the graphs its manifest lists; None otherwise."""
    if earlier is None:
        return None
    try:
        old = ox.Store.read_only(str(earlier.folder / STORE_DIR))
        held = {g.value for g in old.named_graphs() if isinstance(g, ox.NamedNode)}
        if not set(earlier.digests) <= held:  # not the store the manifest speaks of
            return None
        old.backup(str(folder))
        del old
        return EmbeddedStore(folder)
    except (OSError, RuntimeError, ValueError):
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _write_all(writing: _Writing, load: QuadLoader, names: list[str], jobs: int) -> GraphDigests:
    """Every graph into an empty store."""
    for name in names:
        load.graph(name)  # a document that tells nothing has its graph too
    if _parallel(jobs):
        return _write_in_processes(writing, load, processes(jobs))
    write_triples(writing.resolved, writing.documents, writing.base, writing.sink(load))
    return load.digests


def _write_changed(
    writing: _Writing,
    load: QuadLoader,
    names: list[str],
    earlier: dict[str, str],
    jobs: int,
) -> GraphDigests:
    """Into the checkpoint of the earlier build's store: the graphs whose digest differs
    from ``earlier``'s, in place of theirs; the earlier graphs that are gone removed. The
    graph stage writes N-Quads files first, since which graphs changed is known only once
    it has handed over every triple."""
    writing.folder.mkdir()
    try:
        if _parallel(jobs):
            shares = _shares_in_processes(writing, processes(jobs))
        else:
            path = writing.folder / "all.nq"
            with NQuadsWriter(path) as out:
                write_triples(writing.resolved, writing.documents, writing.base, writing.sink(out))
            shares = [(path, out.digests)]
        digests = GraphDigests()
        for _path, share in shares:
            digests.merge(share)
        now = digests.hex()
        changed = {g for g, d in now.items() if earlier.get(g) != d}
        store = load.store
        if store is None:
            raise ValueError("the loader is closed")
        for name in changed | (set(earlier) - set(now)):
            store.remove_graph(ox.NamedNode(name))
        for name in names:
            load.graph(name)
        with ThreadPoolExecutor(min(len(shares), processes(jobs))) as loaders:
            for done in [loaders.submit(load.add_nquads, p, changed) for p, _ in shares]:
                done.result()
        return digests
    finally:
        shutil.rmtree(writing.folder, ignore_errors=True)


def _parallel(jobs: int) -> bool:
    return processes(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class _Writing:
    """What the graph stage writes from, and where its worker processes put their shares."""

    resolved: Resolved
    documents: list[DocumentInfo]
    base: str
    folder: Path

    def sink(self, out: QuadLoader | NQuadsWriter) -> TripleSink:
        """Triples of a document id go to that document's named graph in ``out``."""
        graphs: dict[str, str] = {}

        def add(doc_id: str, triples: list[Triple]) -> None:
            graph = graphs.get(doc_id) or graphs.setdefault(
                doc_id, str(graph_iri(doc_id, self.base))
            )
            out.add(graph, triples)

        return add

    def share(self, part: int, parts: int) -> tuple[Path, GraphDigests]:
        """Write share ``part`` of ``parts`` to an N-Quads file (in a worker process)."""
        path = self.folder / f"part-{part:04d}.nq"
        with NQuadsWriter(path) as out:
            write_triples(self.resolved, self.documents, self.base, self.sink(out), (part, parts))
        return path, out.digests


#: The writing a forked worker process reads (set only while its pool runs): the
#: resolved corpus reaches the workers by fork, not by pickling it for each.
_WRITING: _Writing | None = None


def _write_in_processes(writing: _Writing, load: QuadLoader, jobs: int) -> GraphDigests:
    """The graph stage in ``jobs`` forked processes: each writes its shares of the corpus to
    N-Quads files, which ``jobs`` threads of this process load into the store as they
    come (the store parses and loads without holding the GIL). There are more shares than
    processes, so the store loads some while the workers write the next, and the last
    shares, written after the others, do not wait for each other to load."""
    digests = GraphDigests()
    writing.folder.mkdir()
    try:
        with ThreadPoolExecutor(jobs) as loaders:
            loading = []
            for path, share in _each_share(writing, jobs):
                digests.merge(share)
                loading.append(loaders.submit(_load_share, load, path))
            for done in loading:
                done.result()
    finally:
        shutil.rmtree(writing.folder, ignore_errors=True)
    return digests


def _shares_in_processes(writing: _Writing, jobs: int) -> list[tuple[Path, GraphDigests]]:
    """The graph stage's shares, written by ``jobs`` forked processes, all of them."""
    return list(_each_share(writing, jobs))


def _each_share(writing: _Writing, jobs: int) -> Iterable[tuple[Path, GraphDigests]]:
    global _WRITING
    _WRITING = writing
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            yield from pool.imap(partial(_write_share, parts=4 * jobs), range(4 * jobs))
    finally:
        _WRITING = None


def _load_share(load: QuadLoader, path: Path) -> None:
    """In a loader thread: one share into the store; its file is not needed after."""
    load.add_nquads(path)
    path.unlink()


def _write_share(part: int, parts: int) -> tuple[Path, GraphDigests]:
    if _WRITING is None:
        raise RuntimeError("a graph writer ran outside a build")
    return _WRITING.share(part, parts)
