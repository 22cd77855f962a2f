"""``graph.trig`` from the quads a build writes, instead of read back out of the store.

At 1,000 reports, dumping the store's 4 million quads took 30 s of a 200 s build: RocksDB
looks up the text of every term of every quad. The graph stage has that text in hand
already, as the N-Quads lines it hands to the store (:class:`kgraph.store.QuadMaker`).
So a build keeps those lines on disk, graph by graph, as it writes them
(:class:`TrigSpool`), and :meth:`kgraph.store.EmbeddedStore.write_trig` makes the block of
each graph written from there (:func:`turtle_body`): its triples sorted, each once (the
graph stage hands a few triples over twice, which the store keeps once), and grouped by
subject as Turtle allows. The ontology's graph, and every graph of a store that no build
wrote, is dumped from the store as before.

Each writer (the build's process, and each share a worker process writes, see
:meth:`TrigSpool.part`) keeps a file per range of graph IRIs it wrote to: at most 64
ranges, in sorted order, so the 1,000 document graphs make ranges of about 16. A file
holds chunks: a graph's number and the length of its lines, then the lines. Blocks are
asked for in IRI order, and made one range at a time from every writer's file of it, so
the spool is never all in memory.
"""

from __future__ import annotations

import contextlib
import shutil
import struct
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

__all__ = ["TrigSpool", "turtle_body"]

_CHUNK = struct.Struct("<II")  # a graph's number, and the length of the lines after it


class TrigSpool:
    """The N-Quads lines of the named ``graphs`` a build writes, kept in ``folder`` for
    ``graph.trig``: :meth:`add` them as they are written, ask for each graph's
    :meth:`body` once all are written, in IRI order.

    >>> import tempfile
    >>> spool = TrigSpool(Path(tempfile.mkdtemp()), ["http://x.org/g"])
    >>> g = "http://x.org/g"
    >>> spool.add({g: b"<http://x.org/s> <http://x.org/p> 2 <http://x.org/g> .\\n"})
    >>> spool.add({g: b"<http://x.org/s> <http://x.org/p> 1 <http://x.org/g> .\\n"})
    >>> spool.holds(g), spool.holds("http://x.org/other")
    (True, False)
    >>> spool.close()
    >>> print(spool.body(g).decode(), end="")
    <http://x.org/s> <http://x.org/p> 1 ;
        <http://x.org/p> 2 .
    >>> spool.remove()
    >>> spool.folder.exists()
    False
    """

    def __init__(self, folder: Path, graphs: Iterable[str], writer: str = "main") -> None:
        self.folder = folder
        self.graphs = sorted(set(graphs))
        self.number = {g: n for n, g in enumerate(self.graphs)}
        self.ranges = max(1, min(64, len(self.graphs)))
        self.writer = writer
        self._files: dict[int, BinaryIO] = {}
        self._read: tuple[int, dict[int, list[bytes]]] | None = None

    def part(self, writer: str) -> TrigSpool:
        """A spool of the same graphs into the same folder, for another writer (a worker
        process: each writes files of its own)."""
        return TrigSpool(self.folder, self.graphs, writer)

    def holds(self, graph: str) -> bool:
        """Whether ``graph`` is one the build writes, whose every line went through here."""
        return graph in self.number

    def add(self, lines: Mapping[str, bytes]) -> None:
        """Keep N-Quads ``lines`` by graph IRI, as a batch of them is loaded (those of a
        graph it does not hold are not kept)."""
        for graph, data in lines.items():
            number = self.number.get(graph)
            if number is not None:
                out = self._file(self._range(number))
                out.write(_CHUNK.pack(number, len(data)))
                out.write(data)

    def flush(self) -> None:
        """Put what is written on disk (before forking: a child must not inherit it)."""
        for f in self._files.values():
            f.flush()

    def close(self) -> None:
        files = list(self._files.values())
        self._files.clear()
        with contextlib.ExitStack() as stack:  # every file closed, even if one fails
            for f in files:
                stack.callback(f.close)

    def remove(self) -> None:
        """Close every file and delete the folder: the spool must not stay in the build's
        folder once ``graph.trig`` is written."""
        self.close()
        if self.folder.exists():
            shutil.rmtree(self.folder)

    def body(self, graph: str) -> bytes:
        """The triples of ``graph`` as the body of a TriG block (see :func:`turtle_body`);
        every writer must have closed its files. Each graph's lines are given once (and
        then let go of): ask for each graph once, in IRI order."""
        number = self.number[graph]
        found = self._chunks(self._range(number)).pop(number, [])
        return turtle_body(b"".join(found), f" <{graph}> .\n".encode())

    def _range(self, number: int) -> int:
        return number * self.ranges // len(self.graphs)

    def _file(self, index: int) -> BinaryIO:
        f = self._files.get(index)
        if f is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            f = self._files[index] = (self.folder / f"{self.writer}.{index:03d}").open("ab")
        return f

    def _chunks(self, index: int) -> dict[int, list[bytes]]:
        """The lines of the graphs of range ``index``, by graph number, from every writer's
        file (read once: the blocks are asked for in order)."""
        if self._read is None or self._read[0] != index:
            self.close()
            chunks: dict[int, list[bytes]] = defaultdict(list)
            for path in sorted(self.folder.glob(f"*.{index:03d}")):
                data = path.read_bytes()
                at = 0
                while at < len(data):
                    number, length = _CHUNK.unpack_from(data, at)
                    at += _CHUNK.size
                    chunks[number].append(data[at : at + length])
                    at += length
            self._read = (index, chunks)
        return self._read[1]


def turtle_body(nquads: bytes, end: bytes) -> bytes:
    """N-Quads lines of one graph, each ending in ``end`` (`` <graph> .`` and a newline),
    as Turtle triples: sorted, each once, the triples of a subject after one mention of
    it. The lines hold terms as N-Triples writes them, so a subject is the text before
    the first space, and no line holds a newline.

    >>> lines = b"<s> <p> 2 <g> .\\n<r> <p> 1 <g> .\\n<s> <p> 2 <g> .\\n<s> <q> 3 <g> .\\n"
    >>> print(turtle_body(lines, b" <g> .\\n").decode(), end="")
    <r> <p> 1 .
    <s> <p> 2 ;
        <q> 3 .
    >>> turtle_body(b"", b" <g> .\\n")
    b''
    """
    triples = nquads.split(end)
    triples.sort()  # in place, and repeats dropped as they come: no second list, no set
    out: list[bytes] = []
    last = previous = b""
    for triple in triples:
        if triple == previous:  # the empty text after the last line sorts first
            continue
        previous = triple
        subject, rest = triple.split(b" ", 1)
        if subject == last:
            out.append(b" ;\n    " + rest)
        else:
            if last:
                out.append(b" .\n")
            out.append(triple)
            last = subject
    if last:
        out.append(b" .\n")
    return b"".join(out)
