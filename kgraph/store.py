"""One small facade over the graph store, as kglab does: the rest of kgraph never touches
pyoxigraph or HTTP directly.

Two implementations answer the same :class:`GraphStore` interface:

* :class:`EmbeddedStore`: a pyoxigraph (RocksDB) store on disk, the output of ``kgraph build``;
* :class:`RemoteStore`: a SPARQL 1.1 endpoint (Protocol + Graph Store HTTP Protocol), over
  :mod:`urllib` only; :meth:`RemoteStore.for_oxigraph` fits ``oxigraph serve``.

Both return SELECT results as plain rows (IRIs and literals as ``str``, integers as ``int``,
decimals and doubles as ``float``, unbound as ``None``) and query the *union* of the named graphs
as the default graph, so queries need no ``GRAPH`` clause.

Query parameters (``bindings``) are never pasted into the query text: :mod:`kgraph.params`
binds them through ``VALUES`` blocks.

The build folder layout (``OUT/store/`` plus exports beside it) is named here only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, Self

import pyoxigraph as ox

from kgraph.errors import Errors, StoreError
from kgraph.params import Binding, BindingValue, bind_query, to_term, values_clause
from kgraph.trigfile import TrigSpool

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import rdflib

__all__ = [
    "GRAPH_FILE",
    "MANIFEST_FILE",
    "STORE_DIR",
    "UNION_TRIPLES",
    "Binding",
    "BindingValue",
    "EmbeddedStore",
    "GraphStore",
    "RemoteStore",
    "Row",
    "Value",
    "atomic_output",
    "bind_query",
    "copy_graphs",
    "open_store",
    "to_term",
    "values_clause",
]

# Build folder layout: OUT/store/ (pyoxigraph), OUT/graph.trig, OUT/manifest.json.
STORE_DIR = "store"
GRAPH_FILE = "graph.trig"
MANIFEST_FILE = "manifest.json"

Value = str | int | float | None
Row = dict[str, Value]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = frozenset(
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
_FLOAT_TYPES = frozenset({_XSD + "decimal", _XSD + "double", _XSD + "float"})
_BOOLEAN_TYPE = _XSD + "boolean"
_STRING_TYPE = _XSD + "string"

# Formats accepted for graph data (triples) and for dumps.
_TRIPLE_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle"),
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "n-triples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
}
_DATASET_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "n-quads": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "json-ld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}
DUMP_FORMATS = ("trig", "nquads", "turtle", "ntriples", "jsonld")


# --------------------------------------------------------------------------- values


def _plain(kind: str, value: str, datatype: str | None) -> Value:
    """A plain Python value for an RDF term given as (kind, lexical value, datatype)."""
    if kind == "bnode":
        return "_:" + value
    if kind == "literal" and datatype:
        try:
            if datatype in _INTEGER_TYPES:
                return int(value)
            if datatype in _FLOAT_TYPES:
                return float(value)
        except ValueError:
            return value
        if datatype == _BOOLEAN_TYPE:
            return value in ("true", "1")
    return value


def _from_ox(term: Any) -> Value:
    """The plain Python value of a pyoxigraph term (None for an unbound variable).

    >>> [_from_ox(t) for t in (ox.NamedNode("http://x.org/a"), ox.Literal("高雄"), ox.Literal(3))]
    ['http://x.org/a', '高雄', 3]
    """
    kind = type(term)
    if kind is ox.NamedNode:
        return term.value
    if kind is ox.Literal:
        datatype = term.datatype.value
        # A string, by far the most common literal, needs no conversion.
        return term.value if datatype == _STRING_TYPE else _plain("literal", term.value, datatype)
    if term is None:
        return None
    if kind is ox.BlankNode:
        return _plain("bnode", term.value, None)
    return str(term)  # an RDF-star triple


class _Shared:
    """Makes each distinct IRI or short text of a result one Python string, however many
    rows hold it. A result repeats the same IRIs, document names and labels thousands of
    times (at 1,000 reports, the 370,000 rows of ``sources.rq`` name 1,000 documents), and
    a string made for every cell took hundreds of megabytes of a build's peak memory.
    A long text (a quoted passage) is rarely repeated and is left as it is.

    >>> share = _Shared()
    >>> share("http://x.org/" + "a") is share("http://x.org/a")
    True
    """

    LONGEST = 80

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: Value) -> Value:
        if type(value) is str and len(value) <= self.LONGEST:
            return self.seen.setdefault(value, value)
        return value


def _from_json(term: Mapping[str, Any] | None) -> Value:
    if term is None:
        return None
    kind = term.get("type", "literal")
    if kind == "uri":
        return str(term["value"])
    if kind == "triple":
        return json.dumps(term["value"])
    if kind == "typed-literal":  # SPARQL 1.0 JSON
        kind = "literal"
    return _plain(kind, str(term["value"]), term.get("datatype"))


def _triple_format(format: str) -> tuple[ox.RdfFormat, str]:
    try:
        return _TRIPLE_FORMATS[format.lower()]
    except KeyError:
        raise ValueError(
            f"unsupported graph data format {format!r} (use turtle or ntriples)"
        ) from None


# --------------------------------------------------------------------------- interface


class Closing:
    """Something to close after use, also as a context manager (``with … as x:``)."""

    def close(self) -> None:
        """Release what it holds (nothing here)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class GraphStore(Closing, ABC):
    """What every graph store answers; use it as a context manager to close it."""

    #: where the store lives (a folder or a URL), for messages
    location: str
    read_only: bool

    # -- queries

    def select(
        self,
        query: str,
        bindings: Mapping[str, Binding] | None = None,
        *,
        graphs: Sequence[str] | None = None,
    ) -> list[Row]:
        """Rows of a SELECT query; every projected variable is a key (``None`` if unbound).
        The query sees every named graph, with their union as its default graph; or, given
        ``graphs``, those graphs alone, as if the store held nothing else (their union is
        the default graph, and ``GRAPH ?g`` matches them only): a build reads what changed
        in a few graphs without matching over all of them."""
        return self._select(bind_query(query, bindings), graphs)[1]

    def select_frame(
        self, query: str, bindings: Mapping[str, Binding] | None = None
    ) -> pandas.DataFrame:
        """The rows of :meth:`select` as a pandas DataFrame (columns in projection order)."""
        import pandas

        variables, rows = self._select(bind_query(query, bindings), None)
        return pandas.DataFrame.from_records(rows, columns=variables)

    def ask(self, query: str, bindings: Mapping[str, Binding] | None = None) -> bool:
        """The answer of an ASK query."""
        return self._ask(bind_query(query, bindings))

    @abstractmethod
    def construct(self, query: str) -> bytes:
        """The graph built by a CONSTRUCT (or DESCRIBE) query, as Turtle."""

    @abstractmethod
    def _select(self, query: str, graphs: Sequence[str] | None) -> tuple[list[str], list[Row]]: ...

    @abstractmethod
    def _ask(self, query: str) -> bool: ...

    # -- graphs

    @abstractmethod
    def graphs(self) -> list[str]:
        """The named graph IRIs, sorted."""

    @abstractmethod
    def count(self) -> int:
        """The number of quads (default graph and named graphs)."""

    @abstractmethod
    def replace_graph(self, graph_iri: str, data: bytes | str, format: str = "turtle") -> None:
        """Drop the named graph ``graph_iri`` and load ``data`` (Turtle or N-Triples) into it."""

    @abstractmethod
    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph (no error if it does not exist)."""

    @abstractmethod
    def read_graph(self, graph_iri: str) -> bytes:
        """The triples of one named graph, as N-Triples (empty if there is no such graph)."""

    @abstractmethod
    def dump(self, path: Path, format: str = "trig") -> None:
        """Write the store: 'trig', 'nquads', 'jsonld' (all graphs) or 'turtle', 'ntriples'
        (the union of all graphs as one graph)."""

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(Errors.E012, path=self.location, reason="the store is open read-only")

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"{type(self).__name__}({self.location!r}, {mode})"


@contextlib.contextmanager
def _open_or_none(path: Path) -> Iterator[BinaryIO | None]:
    """``path`` open for reading, or None if it cannot be read (it is then not used)."""
    try:
        file = path.open("rb")
    except OSError:
        yield None
        return
    with file:
        yield file


def _block(file: BinaryIO | None, head: bytes, where: Sequence[int] | None) -> bytes | None:
    """The block at ``where`` (offset, length) in an earlier TriG ``file``, if it is there
    and is the block its head says; None otherwise (the graph is dumped again)."""
    if file is None or where is None:
        return None
    offset, length = where
    file.seek(offset)
    block = file.read(length)
    whole = len(block) == length and block.startswith(head) and block.endswith(b"}\n")
    return block if whole else None


def _graph_node(graph_iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(graph_iri)
    except ValueError as exc:
        raise StoreError(Errors.E020, reason=f"invalid graph IRI {graph_iri!r}: {exc}") from None


def _check_dump_format(format: str) -> str:
    name = format.lower()
    if name in _DATASET_FORMATS or name in _TRIPLE_FORMATS:
        return name
    raise ValueError(f"unsupported dump format {format!r} (use one of {', '.join(DUMP_FORMATS)})")


#: Every triple of every named graph, as one graph (what dumps and validation read).
UNION_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


# --------------------------------------------------------------------------- embedded


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in the folder ``path``.

    The folder must hold a store already (:class:`StoreError` E010 if it does not exist, E011
    if it is not a store) unless ``create=True``, which makes a new store in a missing or empty
    folder. Only one read-write instance may use a folder at a time (RocksDB lock); a
    read-only instance must not be opened while another process writes the folder.
    """

    def __init__(self, path: Path | str, read_only: bool = False, *, create: bool = False) -> None:
        path = Path(path)
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        is_store = (path / "CURRENT").is_file()
        if create and read_only:
            raise ValueError("cannot create a read-only store")
        if not path.exists():
            if not create:
                raise StoreError(Errors.E010, path=path)
        elif not path.is_dir() or not (is_store or (create and not any(path.iterdir()))):
            raise StoreError(Errors.E011, path=path)
        try:
            if read_only:
                self._store: ox.Store | None = ox.Store.read_only(str(path))
            else:
                if create:
                    path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                reason = "the store is in use by another writer"
                raise StoreError(Errors.E012, path=path, reason=reason) from None
            raise StoreError(Errors.E011, path=path) from exc

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store (for kgraph's own loaders; prefer the facade methods)."""
        if self._store is None:
            raise StoreError(Errors.E020, reason=f"the store at {self.path} is closed")
        return self._store

    def _query(self, query: str, graphs: Sequence[str] | None = None) -> Any:
        try:
            if graphs is not None:
                nodes: list[ox.NamedNode | ox.BlankNode] = [_graph_node(g) for g in graphs]
                return self.store.query(query, default_graph=list(nodes), named_graphs=nodes)
            return self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError(Errors.E020, reason=str(exc).splitlines()[0]) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(Errors.E020, reason=str(exc)) from exc

    def _select(self, query: str, graphs: Sequence[str] | None) -> tuple[list[str], list[Row]]:
        result = self._query(query, graphs)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(Errors.E020, reason="not a SELECT query")
        variables = [v.value for v in result.variables]
        try:  # materialise now: a live result keeps the store (and its lock) alive
            share = _Shared()
            rows = [
                dict(zip(variables, [share(_from_ox(term)) for term in solution], strict=True))
                for solution in result
            ]
        except (OSError, RuntimeError) as exc:
            raise StoreError(Errors.E020, reason=str(exc)) from exc
        return variables, rows

    def _ask(self, query: str) -> bool:
        result = self._query(query)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError(Errors.E020, reason="not an ASK query")
        return bool(result)

    def construct(self, query: str) -> bytes:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError(Errors.E020, reason="not a CONSTRUCT or DESCRIBE query")
        data = result.serialize(format=ox.RdfFormat.TURTLE)
        assert data is not None
        return data

    def graphs(self) -> list[str]:
        return sorted(str(_from_ox(g)) for g in self.store.named_graphs())

    def count(self) -> int:
        return len(self.store)

    def replace_graph(self, graph_iri: str, data: bytes | str, format: str = "turtle") -> None:
        """Drop and bulk-load one named graph.

        The bulk loader is not transactional: if ``data`` is invalid the graph is left empty
        (and :class:`StoreError` E012 is raised), never half loaded.
        """
        self._check_writable()
        rdf_format, _ = _triple_format(format)
        graph = _graph_node(graph_iri)
        store = self.store
        try:
            store.remove_graph(graph)
            store.add_graph(graph)
            store.bulk_load(input=data, format=rdf_format, to_graph=graph)
        except (SyntaxError, OSError, RuntimeError) as exc:
            with contextlib.suppress(OSError, RuntimeError):
                store.clear_graph(graph)
            reason = f"cannot load graph <{graph_iri}>: {exc}"
            raise StoreError(Errors.E012, path=self.path, reason=reason) from None

    def drop_graph(self, graph_iri: str) -> None:
        self._check_writable()
        try:
            self.store.remove_graph(_graph_node(graph_iri))
        except (OSError, RuntimeError) as exc:
            raise StoreError(Errors.E012, path=self.path, reason=str(exc)) from exc

    def read_graph(self, graph_iri: str) -> bytes:
        try:
            data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=_graph_node(graph_iri))
        except (OSError, RuntimeError) as exc:
            raise StoreError(Errors.E020, reason=str(exc)) from exc
        return data or b""

    def dump(self, path: Path, format: str = "trig") -> None:
        name = _check_dump_format(format)
        try:
            if name in _DATASET_FORMATS:
                self.store.dump(str(path), _DATASET_FORMATS[name][0])
            else:
                triples = self._query(UNION_TRIPLES)
                triples.serialize(str(path), _TRIPLE_FORMATS[name][0])
        except (OSError, RuntimeError) as exc:
            raise StoreError(Errors.E012, path=path, reason=str(exc)) from exc

    def write_trig(
        self,
        path: Path,
        earlier: Path | None = None,
        kept: Mapping[str, Sequence[int]] | None = None,
        spool: TrigSpool | None = None,
    ) -> dict[str, list[int]]:
        """Every graph into ``path`` as TriG, a block per named graph in IRI order (the
        default graph's triples, if any, first), and where each block is in the file:
        offset and length, by graph IRI. The block of a graph in ``kept`` is copied from
        the TriG file ``earlier``, at the offset and length ``kept`` gives, instead of
        dumped: a rebuild writes again only the graphs that changed (:mod:`kgraph.load`).
        The block of a graph the ``spool`` holds is made from the lines that were loaded
        (see :mod:`kgraph.trigfile`); any other graph is dumped from the store. Dumping
        graph by graph is faster than one TriG dump (33 s against 44 s for 4 million
        quads).

        >>> import tempfile
        >>> store = EmbeddedStore(Path(tempfile.mkdtemp()) / "s", create=True)
        >>> store.replace_graph("http://x.org/g", "<http://x.org/a> <http://x.org/b> 1 .")
        >>> out = Path(tempfile.mkdtemp()) / "g.trig"
        >>> store.write_trig(out)
        {'http://x.org/g': [0, 59]}
        >>> print(out.read_text(), end="")
        <http://x.org/g> {
        <http://x.org/a> <http://x.org/b> 1 .
        }
        """
        kept = kept or {}
        blocks: dict[str, list[int]] = {}
        try:
            with path.open("wb") as out, contextlib.ExitStack() as stack:
                old = stack.enter_context(_open_or_none(earlier)) if earlier and kept else None
                default = ox.DefaultGraph()
                if next(self.store.quads_for_pattern(None, None, None, default), None):
                    out.write(self.store.dump(None, ox.RdfFormat.TURTLE, from_graph=default) or b"")
                for graph in sorted(g.value for g in self.store.named_graphs()):
                    start = out.tell()
                    head = f"<{graph}> {{\n".encode()
                    block = _block(old, head, kept.get(graph))
                    if block is None and spool is not None and spool.holds(graph):
                        block = head + spool.body(graph) + b"}\n"
                    if block is None:
                        # Dumped to bytes, then written: pyoxigraph serialises without the
                        # GIL, where writing to a Python file would take it for every few
                        # kilobytes, from the views running beside (build._export).
                        node = ox.NamedNode(graph)
                        data = self.store.dump(None, ox.RdfFormat.TURTLE, from_graph=node)
                        block = head + (data or b"") + b"}\n"
                    out.write(block)
                    blocks[graph] = [start, out.tell() - start]
        except (OSError, RuntimeError) as exc:
            raise StoreError(Errors.E012, path=path, reason=str(exc)) from exc
        return blocks

    def loader(self, batch: int = 50_000, spool: TrigSpool | None = None) -> QuadLoader:
        """A bulk loader of triples into named graphs of this store (see
        :class:`QuadLoader`); use it as a context manager so that the last batch lands.
        The lines of the triples go to ``spool`` too, if given, for :meth:`write_trig`."""
        self._check_writable()
        return QuadLoader(self.store, batch, spool)

    def flush(self) -> None:
        """Make sure every write is on disk (also done by :meth:`close`)."""
        if self._store is not None and not self.read_only:
            self._store.flush()

    def optimize(self) -> None:
        """Compact the store after a big load (worth it once at the end of a build)."""
        self._check_writable()
        self.store.optimize()

    def rdflib_graph(self) -> rdflib.Dataset:
        """An rdflib ``Dataset`` over this same store (through oxrdflib), for code that wants
        the rdflib API; its default graph is the union of the named graphs.

        It shares the open pyoxigraph store (RocksDB allows one writer per folder), so it keeps
        the store open after :meth:`close` until it is itself garbage collected.
        """
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.store), default_union=True)

    def close(self) -> None:
        """Flush and release the store (pyoxigraph closes it once nothing refers to it)."""
        if self._store is not None:
            with contextlib.suppress(OSError, RuntimeError):
                self.flush()
            self._store = None


#: The term types the graph stage makes, which :class:`QuadMaker` writes as they are.
_OX_TERMS = {ox.NamedNode, ox.Literal}


class QuadMaker:
    """Turns triples into N-Quads lines of named graphs: the text the store's bulk loader
    parses fastest. Making a pyoxigraph ``Quad`` object per quad and handing the objects
    over costs more than writing their text and parsing it (at 1,000 reports: 49 s against
    34 s for 4 million quads). The graph stage makes pyoxigraph terms; an rdflib triple
    (a user's graph) has each IRI converted once: the same few thousand IRIs come back
    in most of its quads.

    Blank nodes are refused: the loader parses each batch alone, and a blank node would
    become a different node in each batch it appears in.

    >>> from rdflib import Literal, URIRef
    >>> (line,) = QuadMaker().lines("http://example.org/g", [(URIRef("http://example.org/s"),
    ...     URIRef("http://example.org/p"), Literal("高雄"))])
    >>> line.split()
    ['<http://example.org/s>', '<http://example.org/p>', '"高雄"', '<http://example.org/g>', '.']
    """

    def __init__(self) -> None:
        self.graphs: dict[str, ox.NamedNode] = {}
        self.ends: dict[str, str] = {}  # graph IRI -> " <graph> .\n", each line's end
        self.iris: dict[str, str] = {}
        from rdflib.term import URIRef  # here: rdflib is slow to import, and only builds load

        self._iri_type = URIRef

    def graph(self, graph_iri: str) -> ox.NamedNode:
        node = self.graphs.get(graph_iri)
        if node is None:
            node = self.graphs[graph_iri] = _graph_node(graph_iri)
            self.ends[graph_iri] = f" {node} .\n"
        return node

    def lines(self, graph_iri: str, triples: Iterable[tuple[Any, Any, Any]]) -> list[str]:
        """The N-Quads lines of ``triples`` (pyoxigraph terms, taken as they are, or rdflib
        terms) in the graph ``graph_iri``."""
        self.graph(graph_iri)
        end = self.ends[graph_iri]
        triples = list(triples)
        if set(map(type, itertools.chain.from_iterable(triples))) <= _OX_TERMS:
            return [f"{s} {p} {o}{end}" for s, p, o in triples]
        term = self._term
        return [f"{term(s)} {term(p)} {term(o)}{end}" for s, p, o in triples]

    def _term(self, term: Any) -> str:
        if type(term) is self._iri_type:
            key = str(term)  # a plain str: rdflib's own hash of a URIRef is slow
            text = self.iris.get(key)
            if text is None:
                text = self.iris[key] = str(ox.NamedNode(key))
            return text
        term = _ox_term(term)
        if isinstance(term, ox.BlankNode):
            raise TypeError(f"the bulk loader takes no blank node: {term}")
        return str(term)


class _QuadBatches:
    """What a :class:`QuadLoader` and an :class:`NQuadsWriter` share: triples of named
    graphs in, N-Quads text out in batches of ``batch`` quads, the last one on leaving the
    ``with`` block."""

    def __init__(self, batch: int, spool: TrigSpool | None = None) -> None:
        self.batch = batch
        self.pending: dict[str, list[str]] = defaultdict(list)  # graph IRI -> lines
        self.count = 0
        self.maker = QuadMaker()
        self.spool = spool

    def add(self, graph_iri: str, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        """Add ``triples`` (pyoxigraph or rdflib terms) to the named graph ``graph_iri``."""
        self.graph(graph_iri)
        lines = self.maker.lines(graph_iri, triples)
        self.pending[graph_iri] += lines
        self.count += len(lines)
        if self.count >= self.batch:
            self.flush()

    def graph(self, graph_iri: str) -> ox.NamedNode:
        return self.maker.graph(graph_iri)

    def flush(self) -> None:
        """Write the pending lines, graph by graph; the lines of each graph go to the
        ``spool`` too (if any), which ``graph.trig`` is written from."""
        if not self.count:
            return
        lines = {g: "".join(found).encode() for g, found in self.pending.items()}
        self.pending.clear()
        self.count = 0
        if self.spool is not None:
            self.spool.add(lines)
        self._write(b"".join(lines.values()))

    def _write(self, nquads: bytes) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        """Let go of the output."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.flush()
        finally:
            self.pending.clear()
            self.count = 0
            try:
                self._close()
            finally:
                if self.spool is not None:
                    self.spool.close()


class QuadLoader(_QuadBatches):
    """Adds triples (pyoxigraph or rdflib terms) to named graphs of a pyoxigraph store in
    large batches.

    A build hands the graph stage's triples to the store this way: written as N-Quads text
    (see :class:`QuadMaker`), no rdflib Graph in between, and never more than ``batch``
    quads in memory.
    Like the store's bulk loader it is not transactional; a build writes a new store in a
    temporary folder, so a failed load leaves nothing behind.

    >>> from rdflib import Literal, URIRef
    >>> store = ox.Store()
    >>> with QuadLoader(store) as load:
    ...     load.add("http://example.org/g", [(URIRef("http://example.org/s"),
    ...         URIRef("http://example.org/p"), Literal("高雄", lang="zh-Hant"))])
    >>> [str(q.object) for q in store]
    ['"高雄"@zh-hant']
    """

    def __init__(
        self, store: ox.Store, batch: int = 50_000, spool: TrigSpool | None = None
    ) -> None:
        super().__init__(batch, spool)
        self.store: ox.Store | None = store

    def graph(self, graph_iri: str) -> ox.NamedNode:
        """The named graph ``graph_iri``, created (empty) the first time it is named."""
        known = graph_iri in self.maker.graphs
        node = self.maker.graph(graph_iri)
        if not known:
            self._open().add_graph(node)
        return node

    def add_nquads(self, path: Path) -> None:
        """Bulk-load an N-Quads file that an :class:`NQuadsWriter` wrote (its terms were
        checked when they were made, so the parser does not check them again).

        The file goes in ``batch`` lines at a time: on disk, RocksDB takes batches of
        tens of thousands of quads nearly twice as fast as one batch of a million.
        Several threads may load files side by side (the store loads without the GIL),
        but none while another adds triples: :meth:`flush` first.
        """
        try:
            with path.open("rb") as file:
                while chunk := b"".join(itertools.islice(file, self.batch)):
                    self._open().bulk_load(chunk, ox.RdfFormat.N_QUADS, lenient=True)
        except (SyntaxError, OSError) as exc:
            raise StoreError(Errors.E012, path=path, reason=str(exc)) from None

    def _write(self, nquads: bytes) -> None:
        # lenient: the terms were checked when they were made
        self._open().bulk_load(nquads, ox.RdfFormat.N_QUADS, lenient=True)

    def _open(self) -> ox.Store:
        if self.store is None:
            raise ValueError("the loader is closed")
        return self.store

    def _close(self) -> None:
        # Let go of the store, so that closing the EmbeddedStore releases its folder
        # even while a traceback keeps this loader alive.
        self.store = None


class NQuadsWriter(_QuadBatches):
    """Writes triples of named graphs to an N-Quads file in batches: how a worker
    process of a parallel build hands its share of the graph to the process that owns the
    store (see :meth:`QuadLoader.add_nquads`).

    >>> import tempfile; from rdflib import Literal, URIRef
    >>> path = Path(tempfile.mkdtemp()) / "part.nq"
    >>> with NQuadsWriter(path) as out:
    ...     out.add("http://example.org/g", [(URIRef("http://example.org/s"),
    ...         URIRef("http://example.org/p"), Literal("高雄"))])
    >>> path.read_text(encoding="utf-8").split()
    ['<http://example.org/s>', '<http://example.org/p>', '"高雄"', '<http://example.org/g>', '.']
    """

    def __init__(self, path: Path, batch: int = 50_000, spool: TrigSpool | None = None) -> None:
        super().__init__(batch, spool)
        self.file = path.open("wb")

    def _write(self, nquads: bytes) -> None:
        self.file.write(nquads)

    def _close(self) -> None:
        self.file.close()


def _ox_term(term: Any) -> Any:
    """The pyoxigraph term for an rdflib IRI, literal or blank node (a pyoxigraph term as
    it is)."""
    from rdflib.term import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


# --------------------------------------------------------------------------- remote


class RemoteStore(GraphStore):
    """A SPARQL 1.1 endpoint: queries by the SPARQL Protocol (POST), graph loads by the Graph
    Store HTTP Protocol at ``gsp_url`` (or SPARQL Update at ``update_url`` if there is none).

    ``union_default_graph`` adds Oxigraph's ``union-default-graph`` URL parameter to queries,
    so that they see all the named graphs like the embedded store does.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout: float = 30,
        *,
        union_default_graph: bool = False,
        read_only: bool = False,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.union_default_graph = union_default_graph
        self.read_only = read_only
        self.location = query_url

    @classmethod
    def for_oxigraph(cls, base_url: str, timeout: float = 30, *, read_only: bool = False) -> Self:
        """The endpoints of ``oxigraph serve`` at ``base_url``: /query, /update and /store.

        >>> RemoteStore.for_oxigraph("http://localhost:7878/").gsp_url
        'http://localhost:7878/store'
        """
        base = base_url.rstrip("/")
        return cls(
            f"{base}/query",
            f"{base}/update",
            f"{base}/store",
            timeout,
            union_default_graph=True,
            read_only=read_only,
        )

    # -- HTTP

    def _request(
        self,
        url: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        missing_ok: bool = False,
    ) -> bytes:
        headers = {"User-Agent": "kgraph"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return b""
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            reason = f"HTTP {exc.code} {exc.reason}" + (f": {detail[0][:300]}" if detail else "")
        except urllib.error.URLError as exc:
            reason = str(exc.reason)
        except TimeoutError:
            reason = f"no answer within {self.timeout:g} s"
        except OSError as exc:
            reason = str(exc)
        raise StoreError(Errors.E023, url=url, reason=reason)

    def _post_query(
        self, query: str, accept: str, *, union: bool = True, graphs: Sequence[str] | None = None
    ) -> bytes:
        url = self.query_url
        data, content_type = query.encode("utf-8"), "application/sparql-query; charset=utf-8"
        if graphs is not None:  # the SPARQL Protocol's dataset: these graphs, merged
            # In a form's body, not the URL: a few hundred graphs pass any URL length limit.
            dataset = [(k, g) for g in graphs for k in ("default-graph-uri", "named-graph-uri")]
            data = urllib.parse.urlencode([("query", query), *dataset]).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        elif union and self.union_default_graph:
            url += ("&" if "?" in url else "?") + "union-default-graph"
        return self._request(
            url, method="POST", data=data, content_type=content_type, accept=accept
        )

    def _results(
        self, query: str, *, union: bool = True, graphs: Sequence[str] | None = None
    ) -> dict[str, Any]:
        accept = "application/sparql-results+json"
        body = self._post_query(query, accept, union=union, graphs=graphs)
        try:
            results = json.loads(body)
            if not isinstance(results, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            reason = f"invalid SPARQL JSON results: {exc}"
            raise StoreError(Errors.E023, url=self.query_url, reason=reason) from None
        return results

    def _update(self, update: str) -> None:
        if not self.update_url:
            reason = "no graph store or update endpoint is configured"
            raise StoreError(Errors.E023, url=self.query_url, reason=reason)
        self._request(
            self.update_url,
            method="POST",
            data=update.encode("utf-8"),
            content_type="application/sparql-update; charset=utf-8",
        )

    def _gsp(self, graph_iri: str) -> str:
        assert self.gsp_url is not None
        sep = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{sep}{urllib.parse.urlencode({'graph': graph_iri})}"

    # -- queries

    def _select(
        self, query: str, graphs: Sequence[str] | None = None, *, union: bool = True
    ) -> tuple[list[str], list[Row]]:
        results = self._results(query, union=union, graphs=graphs)
        try:
            variables = [str(v) for v in results["head"]["vars"]]
            bindings = results["results"]["bindings"]
            share = _Shared()
            rows = [{v: share(_from_json(b.get(v))) for v in variables} for b in bindings]
        except (KeyError, TypeError, AttributeError):
            reason = "the answer is not SELECT results"
            raise StoreError(Errors.E023, url=self.query_url, reason=reason) from None
        return variables, rows

    def _ask(self, query: str) -> bool:
        results = self._results(query)
        if "boolean" not in results:
            raise StoreError(
                Errors.E023, url=self.query_url, reason="the answer is not ASK results"
            )
        return bool(results["boolean"])

    def construct(self, query: str) -> bytes:
        return self._post_query(query, "text/turtle")

    # -- graphs

    def graphs(self) -> list[str]:
        _, rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union=False)
        return sorted(str(row["g"]) for row in rows)

    def count(self) -> int:
        query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        _, rows = self._select(query, union=False)
        n = rows[0]["n"] if rows else 0
        return n if isinstance(n, int) else int(str(n))

    def replace_graph(self, graph_iri: str, data: bytes | str, format: str = "turtle") -> None:
        self._check_writable()
        rdf_format, media_type = _triple_format(format)
        graph = _graph_node(graph_iri)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if self.gsp_url:
            self._request(
                self._gsp(graph_iri),
                method="PUT",
                data=payload,
                content_type=f"{media_type}; charset=utf-8",
            )
            return
        try:  # SPARQL Update fallback: INSERT DATA takes N-Triples as they are
            triples = ox.serialize(ox.parse(payload, rdf_format), format=ox.RdfFormat.N_TRIPLES)
        except SyntaxError as exc:
            reason = f"cannot load graph <{graph_iri}>: {exc}"
            raise StoreError(Errors.E012, path=self.location, reason=reason) from None
        assert triples is not None
        self._update(
            f"DROP SILENT GRAPH {graph} ;\n"
            f"INSERT DATA {{ GRAPH {graph} {{\n{triples.decode('utf-8')}}} }}"
        )

    def drop_graph(self, graph_iri: str) -> None:
        self._check_writable()
        graph = _graph_node(graph_iri)
        if self.gsp_url:
            self._request(self._gsp(graph_iri), method="DELETE", missing_ok=True)
        else:
            self._update(f"DROP SILENT GRAPH {graph}")

    def read_graph(self, graph_iri: str) -> bytes:
        graph = _graph_node(graph_iri)
        if self.gsp_url:
            return self._request(
                self._gsp(graph_iri), accept="application/n-triples", missing_ok=True
            )
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        return self._post_query(query, "application/n-triples", union=False)

    def dump(self, path: Path, format: str = "trig") -> None:
        name = _check_dump_format(format)
        if name in _DATASET_FORMATS:
            if not self.gsp_url:
                reason = "dumping all graphs needs a graph store endpoint"
                raise StoreError(Errors.E023, url=self.query_url, reason=reason)
            data = self._request(self.gsp_url, accept=_DATASET_FORMATS[name][1])
        else:
            data = self._post_query(UNION_TRIPLES, _TRIPLE_FORMATS[name][1])
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise StoreError(Errors.E012, path=path, reason=exc.strerror or str(exc)) from None


# --------------------------------------------------------------------------- copying


def copy_graphs(
    source: GraphStore, target: GraphStore, progress: Callable[[str], None] | None = None
) -> int:
    """Load every named graph of ``source`` into ``target``, one graph at a time (Graph Store
    Protocol PUT on a remote store), replacing graphs of the same name; returns the number
    of graphs copied. Graphs ``target`` has that ``source`` lacks are left alone, so several
    builds (corpora) can share one store as long as their document ids differ.
    """
    graphs = source.graphs()
    for graph_iri in graphs:
        data = source.read_graph(graph_iri)
        target.replace_graph(graph_iri, data, "ntriples")
        if progress:
            progress(f"{graph_iri}: {len(data.splitlines())} triples")
    return len(graphs)


# --------------------------------------------------------------------------- opening


def is_url(location: str | Path) -> bool:
    """Whether ``location`` names a SPARQL endpoint rather than a build folder.

    >>> is_url("http://localhost:7878"), is_url("kg-out")
    (True, False)
    """
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def open_store(location: str | Path, read_only: bool = True) -> GraphStore:
    """Open a built graph: an ``http(s)`` URL gives a :class:`RemoteStore`, a build folder the
    :class:`EmbeddedStore` in ``location/store``.

    A URL without a path (or ending in ``/query``) is taken as an ``oxigraph serve`` base URL;
    any other URL as a plain SPARQL query endpoint.
    """
    if is_url(location):
        url = str(location)
        path = urllib.parse.urlsplit(url).path.rstrip("/")
        if path in ("", "/query") or path.endswith("/query"):
            base = url.rstrip("/").removesuffix("/query")
            return RemoteStore.for_oxigraph(base, read_only=read_only)
        return RemoteStore(url, read_only=read_only)
    out = Path(location)
    recover(out)
    if not out.exists():
        raise StoreError(Errors.E010, path=out)
    if not (out / STORE_DIR).is_dir():
        raise StoreError(Errors.E011, path=out)
    return EmbeddedStore(out / STORE_DIR, read_only=read_only)


def _looks_like_output(folder: Path, marks: frozenset[str]) -> bool:
    names = {p.name for p in folder.iterdir()}
    return not names or bool(names & marks)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


_BUILD_MARKS = frozenset({STORE_DIR, MANIFEST_FILE, GRAPH_FILE})


def recover(out: Path) -> None:
    """Undo what a build killed mid-swap left behind (see :func:`atomic_output`): if ``out``
    is gone but the previous output was renamed aside, put it back; remove the half-written
    folders of builds whose process is gone.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".kg-out.old-999999999").mkdir()
    >>> recover(root / "kg-out"); sorted(p.name for p in root.iterdir())
    ['kg-out']
    """
    parent = out.parent
    if not parent.is_dir():
        return
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for left in sorted(parent.glob(pattern), key=_mtime, reverse=True):
            pid = left.name.rsplit("-", 1)[-1]
            if pid.isdigit() and _alive(int(pid)):
                continue
            if ".old-" in left.name and not out.exists():
                left.rename(out)  # the newest previous output, renamed aside, comes back
            else:
                _remove(left)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process, alive
    return True


@contextlib.contextmanager
def atomic_output(out: Path, marks: frozenset[str] = _BUILD_MARKS) -> Iterator[Path]:
    """Build into a fresh folder beside ``out`` and swap it in only if the body succeeds.

    Yields ``.<name>.tmp-<pid>`` in ``out``'s parent (same file system). On success the old
    ``out`` is renamed away, the new folder renamed to ``out`` and the old one removed; on an
    exception the new folder is removed and ``out`` is untouched. To be safe, an existing
    ``out`` is replaced only if it is empty or holds one of the file names in ``marks`` (a
    build folder's by default; an export of tables passes its own). Close any
    store opened inside the folder before the block ends.
    """
    out = Path(out)
    parent = out.parent
    tmp = parent / f".{out.name}.tmp-{os.getpid()}"
    backup = parent / f".{out.name}.old-{os.getpid()}"
    try:
        recover(out)
        if out.exists() and (not out.is_dir() or not _looks_like_output(out, marks)):
            reason = "it exists and is not a kgraph output folder"
            raise StoreError(Errors.E012, path=out, reason=reason)
        parent.mkdir(parents=True, exist_ok=True)
        _remove(tmp)
        tmp.mkdir()
    except OSError as exc:
        raise StoreError(Errors.E012, path=out, reason=exc.strerror or str(exc)) from None
    try:
        yield tmp
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(Errors.E012, path=out, reason=exc.strerror or str(exc)) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        _remove(backup)
        had_old = out.exists()
        if had_old:
            out.rename(backup)
        try:
            tmp.rename(out)
        except OSError:
            if had_old:
                backup.rename(out)
            raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(Errors.E012, path=out, reason=exc.strerror or str(exc)) from None
    shutil.rmtree(backup, ignore_errors=True)
