"""A read-only SPARQL 1.1 Protocol endpoint over a built store (``kgraph serve``).

The endpoint answers queries at ``/sparql`` (alias ``/query``) by GET ``?query=``, by POST of
an ``application/x-www-form-urlencoded`` form and by POST of an ``application/sparql-query``
body, and serves a small query page at ``/``. Like :class:`~kgraph.store.EmbeddedStore`, every
query sees the union of the named graphs as its default graph; the ``default-graph-uri`` and
``named-graph-uri`` parameters of the protocol are accepted and ignored.

Why worker processes: pyoxigraph cannot cancel a running query, and a thread stuck in a
query cannot be stopped either. So the HTTP threads never query the store themselves: each
query goes through a pipe to one of a small pool of worker processes, each holding its own
read-only store. The HTTP thread waits for the answer up to the time limit; past it, it kills
that worker (the only way to stop the query), starts a replacement and answers 503. Workers
are started with the ``spawn`` method because forking a process that holds an open RocksDB
store (or threads) is unsafe. A worker serialises the answer itself, so that serialising a
huge result also counts against the time limit, and sends back bytes and their media type.
It serialises into a bounded buffer: an answer larger than the result-size limit is stopped
as soon as it passes the limit and refused with 422 (:attr:`Errors.E028`).

The endpoint is read-only by construction (the workers open the store read-only) and says
so: SPARQL updates and Graph Store Protocol writes (a POST of RDF, or to ``?graph=`` or
``?default``) get 403 with :attr:`Errors.E025`; PUT, DELETE, PATCH and other methods get
405. Every error answer is one line of ``text/plain``, never a traceback.

The standard library's :mod:`http.server` is enough for a local or small-team endpoint; put
a reverse proxy in front of it to expose it widely.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

import pyoxigraph as ox

from kgraph import __version__
from kgraph.errors import Errors, KgraphError, StoreError
from kgraph.store import Closing, EmbeddedStore, open_store

__all__ = [
    "EXAMPLES",
    "FORMAT_NAMES",
    "GRAPH_OFFERS",
    "MAX_ANSWER",
    "MAX_BODY",
    "Limits",
    "RESULTS_OFFERS",
    "SparqlServer",
    "is_update",
    "negotiate",
    "parse_accept",
    "query_page",
    "serve",
    "store_path",
]

# --------------------------------------------------------------------------- media types

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
TEXT = "text/plain"
HTML = "text/html"

_RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
}

#: What a client may ask for (first) and what it gets (second), in the server's order of
#: preference: the first is the default. ``application/json`` and ``application/xml`` are
#: common in generic clients' Accept headers, so they get the SPARQL results formats.
RESULTS_OFFERS: tuple[tuple[str, str], ...] = (
    (SPARQL_JSON, SPARQL_JSON),
    ("application/json", SPARQL_JSON),
    (SPARQL_XML, SPARQL_XML),
    ("application/xml", SPARQL_XML),
    (CSV, CSV),
    (TSV, TSV),
)
GRAPH_OFFERS: tuple[tuple[str, str], ...] = ((TURTLE, TURTLE), (NTRIPLES, NTRIPLES))

#: Values of the ``format=`` URL parameter (which overrides the Accept header).
FORMAT_NAMES: dict[str, str] = {
    "json": SPARQL_JSON,
    "xml": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "turtle": TURTLE,
    "ttl": TURTLE,
    "ntriples": NTRIPLES,
    "n-triples": NTRIPLES,
    "nt": NTRIPLES,
}

#: The largest request body read (a query is rarely more than a few kilobytes).
MAX_BODY = 1 << 20
#: The largest answer sent, by default (``kgraph serve --max-answer``, in MiB).
MAX_ANSWER = 64 << 20
_MAX_DRAIN = 16 * MAX_BODY  # a bigger body is not even read before the 413 answer
_STARTUP_SECONDS = 60.0  # how long a new worker may take to open the store
_ALLOW = "GET, POST"
_QUERY_PATHS = frozenset({"/sparql", "/query"})
_PAGE_PATHS = frozenset({"/", "/index.html"})
#: Media types of RDF data, which only a Graph Store Protocol write would POST.
_RDF_TYPES = frozenset(
    {
        TURTLE,
        NTRIPLES,
        "application/n-quads",
        "application/trig",
        "application/rdf+xml",
        "application/ld+json",
        "text/n3",
    }
)


class Limits(NamedTuple):
    """What one query may cost: its run time, and the size of its serialised answer."""

    seconds: float
    answer_bytes: int


class Reply(NamedTuple):
    """One HTTP answer: status, media type (without charset), body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _one_line(text: str) -> str:
    """``text`` squeezed onto one line (HTTP error bodies are one line)."""
    return " ".join(text.split())


def _error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, TEXT, (_one_line(message) + "\n").encode("utf-8"), headers)


def _query_error(status: int, reason: str) -> Reply:
    return _error(status, Errors.E020.format(reason=reason))


# --------------------------------------------------------------------------- pure helpers


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, in header order.

    Parameters other than ``q`` are dropped; a missing or empty header means ``*/*``, and a
    q-value that is not a number counts as 1 (being lenient costs nothing here).

    >>> parse_accept("text/csv;q=0.5, Application/SPARQL-Results+JSON")
    [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for item in header.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if not name:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((name.lower(), q))
    return ranges


def _quality(ranges: Sequence[tuple[str, float]], media_type: str) -> float:
    """The q-value of ``media_type``: that of the most specific range matching it."""
    kind = media_type.split("/")[0] + "/*"
    best: tuple[int, float] = (-1, 0.0)
    for name, q in ranges:
        specificity = 2 if name == media_type else 1 if name == kind else 0 if name == "*/*" else -1
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The media type to answer with: the offer the Accept header rates highest (ties go to
    the server's order, so ``*/*`` gets the first offer), or None if it accepts none.

    >>> negotiate(None, RESULTS_OFFERS)
    'application/sparql-results+json'
    >>> negotiate("text/csv;q=0.9, application/sparql-results+xml", RESULTS_OFFERS)
    'application/sparql-results+xml'
    >>> negotiate("application/json", RESULTS_OFFERS)
    'application/sparql-results+json'
    >>> negotiate("text/*", GRAPH_OFFERS)
    'text/turtle'
    >>> negotiate("*/*;q=0.1, text/turtle;q=0", GRAPH_OFFERS)
    'application/n-triples'
    >>> negotiate("image/png", RESULTS_OFFERS) is None
    True
    """
    ranges = parse_accept(accept)
    best: tuple[float, str | None] = (0.0, None)
    for asked, answer in offers:
        q = _quality(ranges, asked)
        if q > best[0]:
            best = (q, answer)
    return best[1]


_PROLOGUE = re.compile(
    r"(?:\s+|\#[^\n]*|(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>)*", re.UNICODE
)
_KEYWORD = re.compile(r"[A-Za-z]+")
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def is_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL Update rather than a query, judged by its first keyword
    after the prologue (so that an update sent as a query is refused with 403, not 400).

    >>> is_update("PREFIX ex: <http://example.org/> # the { prologue\\nINSERT DATA { ex:a ex:b 1 }")
    True
    >>> is_update("  with <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    True
    >>> is_update("# DROP ALL\\nSELECT * WHERE { ?s ?p ?o }")
    False
    """
    text = text.removeprefix("\ufeff")
    prologue = _PROLOGUE.match(text)
    word = _KEYWORD.match(text, prologue.end() if prologue else 0)
    return word is not None and word.group().upper() in _UPDATE_KEYWORDS


def _answer_types(accept: str | None, format: str | None) -> tuple[str | None, str | None]:
    """The media types for a results answer (SELECT, ASK) and for a graph answer (CONSTRUCT,
    DESCRIBE); the form of the query is known only once it is parsed, in the worker.

    ``format`` (a name of :data:`FORMAT_NAMES` or a media type) overrides the Accept header
    for its own kind of answer.
    """
    if format:
        name = format.strip().lower()
        if "/" in name:
            accept = name
        elif name in FORMAT_NAMES:
            media_type = FORMAT_NAMES[name]
            if media_type in _RESULTS_FORMATS:
                return media_type, negotiate(accept, GRAPH_OFFERS)
            return negotiate(accept, RESULTS_OFFERS), media_type
        else:
            names = ", ".join(dict.fromkeys(FORMAT_NAMES.values()))
            raise ValueError(f"unknown format {format!r} (use a name or one of {names})")
    return negotiate(accept, RESULTS_OFFERS), negotiate(accept, GRAPH_OFFERS)


def store_path(store_dir: Path | str) -> Path:
    """The pyoxigraph store folder of the build folder ``store_dir`` (``OUT/store``).

    It is opened once, read-only, through :func:`kgraph.store.open_store`, so that a missing
    or invalid folder fails here with the usual errors (E010, E011) before any worker starts.
    """
    with open_store(Path(store_dir), read_only=True) as store:
        if not isinstance(store, EmbeddedStore):  # pragma: no cover - a Path is never a URL
            raise StoreError(Errors.E011, path=store_dir)
        return store.path


# --------------------------------------------------------------------------- worker side

# (query, media type for results, media type for a graph); None: the client accepts none.
_Request = tuple[str, str | None, str | None]


def _run_query(store: ox.Store, request: _Request, max_bytes: int) -> Reply:
    """Run one query and serialise its answer (in a worker process), refusing it with 422
    as soon as the answer grows past ``max_bytes``: the serialiser streams into a bounded
    buffer, so a huge answer is stopped early instead of being built in memory."""
    query, results_type, graph_type = request
    out = _BoundedBuffer(max_bytes)
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            if graph_type is None:
                return _not_acceptable("a graph", GRAPH_OFFERS)
            result.serialize(out, format=_GRAPH_FORMATS[graph_type])
            media_type = graph_type
        else:
            if results_type is None:
                return _not_acceptable("query results", RESULTS_OFFERS)
            result.serialize(out, format=_RESULTS_FORMATS[results_type])
            media_type = results_type
    except _AnswerTooLarge:
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, Errors.E028.format(limit=_size(max_bytes)))
    except SyntaxError as exc:
        lines = str(exc).splitlines() or ["invalid query"]
        return _query_error(HTTPStatus.BAD_REQUEST, lines[0])
    except Exception as exc:  # the worker must outlive any query
        return _query_error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc) or type(exc).__name__)
    return Reply(HTTPStatus.OK, media_type, out.getvalue())


class _AnswerTooLarge(Exception):
    """Raised by :class:`_BoundedBuffer` to stop a serialiser."""


class _BoundedBuffer(io.BytesIO):
    """A byte buffer that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, chunk: Any) -> int:
        if self.tell() + len(chunk) > self.limit:
            raise _AnswerTooLarge
        return super().write(chunk)


def _size(n: int) -> str:
    """A byte count as people read it.

    >>> _size(64 * 1024 * 1024), _size(1536), _size(100)
    ('64 MiB', '1.5 KiB', '100 bytes')
    """
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} bytes"


def _not_acceptable(what: str, offers: Sequence[tuple[str, str]]) -> Reply:
    offered = ", ".join(dict.fromkeys(answer for _, answer in offers))
    reason = f"the query gives {what}, but the request accepts none of {offered}"
    return _query_error(HTTPStatus.NOT_ACCEPTABLE, reason)


def _exit_with_parent() -> None:
    """Exit as soon as the parent process is gone, even in the middle of a query (pyoxigraph
    releases the GIL while it queries), so that no worker outlives a killed server."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:  # pragma: no cover - always set by spawn
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(conn: Connection, path: str, max_bytes: int) -> None:
    """A worker process: open the store read-only once, then answer queries (each at most
    ``max_bytes`` long) until the pipe closes. The first message says whether the store
    opened (status 0 means ready)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's business
    _exit_with_parent()
    try:
        store = ox.Store.read_only(path)
    except Exception as exc:  # reported to the parent
        conn.send(_error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc) or type(exc).__name__))
        return
    conn.send(Reply(0, TEXT, b""))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(_run_query(store, request, max_bytes))
        except (OSError, ValueError):  # the parent is gone, or an unpicklable answer
            return


# --------------------------------------------------------------------------- parent side


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process: SpawnProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self._lock = threading.Lock()
        self._stopped = False

    @classmethod
    def launch(cls, context: SpawnContext, path: Path, max_bytes: int) -> _Worker:
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(
            target=_worker_main,
            args=(child_end, str(path), max_bytes),
            name="kgraph-sparql-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        return cls(process, parent_end)

    def wait_ready(self, seconds: float) -> None:
        """Wait for the worker to open its store; StoreError if it cannot."""
        reason = f"it did not start within {seconds:g} s"
        try:
            if self.conn.poll(seconds):
                reply = self.conn.recv()
                if reply.status == 0:
                    return
                reason = reply.body.decode("utf-8", "replace").strip()
        except (EOFError, OSError):
            reason = "it stopped while starting"
        raise StoreError(Errors.E020, reason=f"a query worker cannot open the store: {reason}")

    def stop(self) -> None:
        """Stop the process (killing it if it is busy) and reap it: no orphan, no zombie.

        Safe to call twice and from two threads; the pipe is closed only once the process is
        gone, so that a thread still waiting on it wakes up with EOFError."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(ValueError):  # still running after 5 s: leave it to the OS
            self.process.close()


class _WorkerPool:
    """A fixed number of worker processes; each query borrows an idle one."""

    def __init__(self, path: Path, size: int, limits: Limits, log: Callable[[str], None]) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._path = path
        self._size = size
        self._timeout = limits.seconds
        self._max_bytes = limits.answer_bytes
        self._log = log
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()  # started and not stopped, busy or idle
        self._starting = 0
        self._closed = False

    @property
    def pids(self) -> list[int]:
        with self._cond:
            return sorted(w.process.pid for w in self._live if w.process.pid is not None)

    def start(self) -> None:
        """Start every worker at once and wait until all have opened the store."""
        workers = [self._launch() for _ in range(self._size)]
        for worker in workers:
            if worker is None:  # pragma: no cover - closed while starting
                continue
            worker.wait_ready(_STARTUP_SECONDS)
        with self._cond:
            self._idle.extend(w for w in workers if w is not None)
            self._cond.notify_all()

    def _launch(self) -> _Worker | None:
        with self._cond:
            if self._closed:
                return None
            worker = _Worker.launch(self._context, self._path, self._max_bytes)
            self._live.add(worker)
            return worker

    def run(self, request: _Request) -> Reply:
        """Answer one query through an idle worker, within the time limit."""
        worker = self._borrow()
        if worker is None:
            return self._unavailable()
        try:
            worker.conn.send(request)
            answered = worker.conn.poll(self._timeout)
            reply = worker.conn.recv() if answered else None
        except (EOFError, OSError):  # the worker died (or the server is closing)
            self._replace(worker)
            if self._closed:
                return self._unavailable()
            reason = "the query worker stopped unexpectedly"
            return _query_error(HTTPStatus.INTERNAL_SERVER_ERROR, reason)
        if reply is None:
            self._replace(worker)
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, Errors.E024.format(seconds=self._timeout))
        self._give_back(worker)
        assert isinstance(reply, Reply)
        return reply

    def _unavailable(self) -> Reply:
        if self._closed:
            reason = "the server is shutting down"
        else:
            reason = "no query worker is free; try again later"
        return _query_error(HTTPStatus.SERVICE_UNAVAILABLE, reason)._replace(
            headers=(("Retry-After", "5"),)
        )

    def _borrow(self) -> _Worker | None:
        """An idle worker, waiting for one as long as a busy worker may take to come back."""
        deadline = time.monotonic() + self._timeout + _STARTUP_SECONDS
        with self._cond:
            while not self._idle:
                left = deadline - time.monotonic()
                if self._closed or left <= 0 or not (self._live or self._starting):
                    return None
                self._cond.wait(left)
            return self._idle.pop()

    def _give_back(self, worker: _Worker) -> None:
        with self._cond:
            if worker in self._live:
                self._idle.append(worker)
                self._cond.notify()

    def _replace(self, worker: _Worker) -> None:
        """Stop ``worker`` (its query cannot be cancelled) and start another in the
        background, so that the HTTP answer does not wait for it."""
        with self._cond:
            self._live.discard(worker)
            if not self._closed:
                self._starting += 1
                threading.Thread(target=self._restart, name="worker-restart", daemon=True).start()
        worker.stop()

    def _restart(self) -> None:
        worker = None
        try:
            worker = self._launch()
            if worker is not None:
                worker.wait_ready(_STARTUP_SECONDS)
        except Exception as exc:  # a background thread: log, and the pool shrinks
            if not self._closed:
                self._log(f"cannot restart a query worker: {exc}")
            if worker is not None:
                self._discard(worker)
            worker = None
        with self._cond:
            self._starting -= 1
            if worker is not None and worker in self._live:
                self._idle.append(worker)
            self._cond.notify_all()

    def _discard(self, worker: _Worker) -> None:
        with self._cond:
            self._live.discard(worker)
        worker.stop()

    def close(self) -> None:
        """Stop every worker, busy or not; queries in flight get 503."""
        with self._cond:
            self._closed = True
            workers = list(self._live)
            self._live.clear()
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.stop()


# --------------------------------------------------------------------------- HTTP


class _HttpServer(ThreadingHTTPServer):
    """The HTTP server, holding what the request handlers need."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog: many clients may connect at once

    def __init__(
        self, address: tuple[str, int], pool: _WorkerPool, quiet: bool, page: bytes
    ) -> None:
        self.pool = pool
        self.quiet = quiet
        self.page = page
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (socket.getfqdn), which may hang on
        # DNS; the name is only used for CGI variables, so skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # An error outside a handler's own guard (e.g. the client reset the connection):
        # one line on stderr, not a traceback.
        if not self.quiet:
            exc = sys.exc_info()[1]
            sys.stderr.write(f"kgraph serve: {client_address[0]}: {exc!r}\n")


class _HttpServer6(_HttpServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """The SPARQL Protocol, the query page and the refusals."""

    server: _HttpServer
    server_version = f"kgraph/{__version__}"
    protocol_version = "HTTP/1.1"  # keep-alive: a client sends many queries on one connection
    timeout = 60  # seconds a client may take to send its request, or keep an idle connection
    _body_read = False

    # -- methods

    def do_GET(self) -> None:
        self._dispatch(self._get)

    def do_POST(self) -> None:
        self._dispatch(self._post)

    def _refuse_method(self) -> None:
        self._send(self._not_allowed())

    def _not_allowed(self) -> Reply:
        message = Errors.E061.format(method=self.command, allowed=_ALLOW)
        if self.command in ("PUT", "DELETE", "PATCH"):
            message += f" ({Errors.E025.format()})"
        return _error(HTTPStatus.METHOD_NOT_ALLOWED, message, (("Allow", _ALLOW),))

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _refuse_method

    # -- routes

    def _dispatch(self, route: Callable[[], Reply]) -> None:
        self._body_read = False
        try:
            reply = route()
        except _ClientGone:
            self.close_connection = True
            return
        except _Refusal as refusal:
            reply = refusal.reply
        except Exception as exc:  # never a traceback in an answer
            self.log_error("internal error: %r", exc)
            reply = _query_error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error ({exc!r})")
        self._send(reply)

    def _get(self) -> Reply:
        url = urllib.parse.urlsplit(self.path)
        if url.path in _PAGE_PATHS:
            return Reply(HTTPStatus.OK, HTML, self.server.page, _PAGE_HEADERS)
        if url.path in _QUERY_PATHS:
            return self._query(_parse_params(url.query))
        return self._not_found(url.path)

    def _post(self) -> Reply:
        url = urllib.parse.urlsplit(self.path)
        if _is_graph_store_write(url.query, self.headers.get("Content-Type")):
            return _error(HTTPStatus.FORBIDDEN, Errors.E025.format())
        if url.path in _PAGE_PATHS:
            return _error(HTTPStatus.METHOD_NOT_ALLOWED, Errors.E062.format(), (("Allow", "GET"),))
        if url.path not in _QUERY_PATHS:
            return self._not_found(url.path)
        params = _parse_params(url.query)
        media_type, charset = _content_type(self.headers.get("Content-Type"))
        if media_type == "application/sparql-update":
            return _error(HTTPStatus.FORBIDDEN, Errors.E025.format())
        if media_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            reason = (
                f"unsupported Content-Type {media_type or '(none)'!r}: send "
                "application/x-www-form-urlencoded or application/sparql-query"
            )
            return _query_error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, reason)
        body = self._read_body()
        if media_type == "application/sparql-query":
            params["query"] = [_decode(body, charset or "utf-8")]
        else:
            for name, values in _parse_params(_decode(body, "ascii")).items():
                params.setdefault(name, []).extend(values)
        return self._query(params)

    def _not_found(self, path: str) -> Reply:
        return _error(HTTPStatus.NOT_FOUND, Errors.E060.format(path=path))

    def _read_body(self) -> bytes:
        """The request body; :class:`_Refusal` (411, 413) if it has no length or is too big."""
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            raise _Refusal(_error(HTTPStatus.LENGTH_REQUIRED, Errors.E063.format()))
        if length > MAX_BODY:
            self.close_connection = True
            if length <= _MAX_DRAIN:  # read it, so that the client sees the answer
                self._read(length)
            reason = f"the request body is larger than {MAX_BODY // 1024} KiB"
            raise _Refusal(_query_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, reason))
        return self._read(length)

    def _read(self, length: int) -> bytes:
        try:
            data = self.rfile.read(length)
        except OSError as exc:
            raise _ClientGone from exc
        if len(data) < length:
            raise _ClientGone
        self._body_read = True
        return data

    def _query(self, params: Mapping[str, list[str]]) -> Reply:
        """The SPARQL Protocol's query operation, from the merged URL and form parameters."""
        if "update" in params or "using-graph-uri" in params:
            return _error(HTTPStatus.FORBIDDEN, Errors.E025.format())
        queries = params.get("query", [])
        if len(queries) != 1:
            reason = (
                "no query given: send query=... (GET or form POST) or an "
                "application/sparql-query body"
                if not queries
                else "give one query per request"
            )
            return _query_error(HTTPStatus.BAD_REQUEST, reason)
        query = queries[0]
        if is_update(query):
            return _error(HTTPStatus.FORBIDDEN, Errors.E025.format())
        formats = params.get("format")
        try:
            results_type, graph_type = _answer_types(
                self.headers.get("Accept"), formats[-1] if formats else None
            )
        except ValueError as exc:
            return _query_error(HTTPStatus.BAD_REQUEST, str(exc))
        if results_type is None and graph_type is None:
            offered = ", ".join(dict.fromkeys(a for _, a in RESULTS_OFFERS + GRAPH_OFFERS))
            reason = f"the request accepts none of the formats offered: {offered}"
            return _query_error(HTTPStatus.NOT_ACCEPTABLE, reason)
        return self.server.pool.run((query, results_type, graph_type))

    # -- answers

    def _send(self, reply: Reply) -> None:
        if self._unread_body():
            self.close_connection = True  # its bytes would be taken for the next request
        content_type = reply.media_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in reply.headers:
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and reply.status >= 200:
                self.wfile.write(reply.body)
        except OSError:  # the client went away
            self.close_connection = True

    def _unread_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None or self._body_read:
            return False
        return headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in headers

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unsupported method): one line of
        text/plain as well, instead of its HTML page."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        if code == HTTPStatus.NOT_IMPLEMENTED and self.command:
            self._send(self._not_allowed())  # an unknown method
        else:
            self._send(_error(code, message or HTTPStatus(code).phrase))

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


class _ClientGone(Exception):
    """The client closed the connection before sending its whole request."""


class _Refusal(Exception):
    """A request refused while it is read: the exception carries the answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _parse_params(text: str) -> dict[str, list[str]]:
    """URL or form parameters; invalid percent-encoded UTF-8 is a client error."""
    try:
        return urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _Refusal(
            _query_error(HTTPStatus.BAD_REQUEST, "the parameters are not UTF-8")
        ) from None


def _is_graph_store_write(query: str, content_type: str | None) -> bool:
    """Whether a POST is a SPARQL 1.1 Graph Store Protocol write: it names a graph
    (``?graph=``, ``?default``) or sends RDF rather than a query.

    >>> _is_graph_store_write("default", "text/turtle"), _is_graph_store_write("graph=urn:g", None)
    (True, True)
    >>> _is_graph_store_write("", "application/sparql-query")
    False
    """
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    return "graph" in params or "default" in params or _content_type(content_type)[0] in _RDF_TYPES


def _content_type(header: str | None) -> tuple[str, str | None]:
    """The media type (lower case) and charset of a Content-Type header.

    >>> _content_type("application/sparql-query; charset=UTF-8")
    ('application/sparql-query', 'utf-8')
    """
    if not header:
        return "", None
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media_type.lower(), charset


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        reason = f"the request body is not valid {charset} text"
        raise _Refusal(_query_error(HTTPStatus.BAD_REQUEST, reason)) from None


# --------------------------------------------------------------------------- query page

_PREFIXES = """\
PREFIX kg: <https://w3id.org/kgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

#: The example queries of the query page: (title, query); the first fills the text box.
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "各類事件的訪問數 (visits by kind of event)",
        _PREFIXES
        + """SELECT ?kind (COUNT(DISTINCT ?event) AS ?events) WHERE {
  ?event kg:visitingRelation ?relation ;
         a ?class .
  ?class kg:code ?kind .
  ?relation kg:visitor ?visitor ;
            kg:host ?host .
}
GROUP BY ?kind
ORDER BY DESC(?events)
""",
    ),
    (
        "誰訪問誰 (who visited whom, most often)",
        _PREFIXES
        + """SELECT ?visitor ?host (COUNT(DISTINCT ?relation) AS ?visits) WHERE {
  ?event kg:visitingRelation ?relation .
  ?relation kg:visitor/skos:prefLabel ?visitor ;
            kg:host/skos:prefLabel ?host .
  FILTER (lang(?visitor) != "en" && lang(?host) != "en")
}
GROUP BY ?visitor ?host
ORDER BY DESC(?visits)
LIMIT 20
""",
    ),
    (
        "各類協定數 (agreements by kind)",
        _PREFIXES
        + """SELECT ?kind (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?event kg:agreement ?agreement .
  ?agreement a ?class .
  ?class kg:code ?kind .
}
GROUP BY ?kind
ORDER BY DESC(?agreements)
""",
    ),
    (
        "來源文件 (source documents)",
        _PREFIXES
        + """SELECT ?document ?file WHERE {
  ?document a kg:Document ;
            kg:fileName ?file .
}
ORDER BY ?file
""",
    ),
    (
        "有沒有城市？ (ASK: is there a city?)",
        _PREFIXES + "ASK { ?city a kg:City }\n",
    ),
    (
        "城市與 Wikidata (CONSTRUCT: cities and their Wikidata items)",
        _PREFIXES
        + """CONSTRUCT {
  ?city skos:prefLabel ?label ;
        owl:sameAs ?wikidata .
} WHERE {
  ?city a kg:City ;
        skos:prefLabel ?label ;
        owl:sameAs ?wikidata .
}
""",
    ),
)

_PAGE_TEMPLATE = """\
<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kgraph SPARQL 查詢</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif;
         margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.4rem; }
  textarea { width: 100%; box-sizing: border-box; min-height: 14rem; font: 0.9rem/1.4 ui-monospace,
             SFMono-Regular, Menlo, Consolas, monospace; padding: 0.5rem; }
  .bar { display: flex; gap: 0.8rem; align-items: center; flex-wrap: wrap; margin: 0.5rem 0; }
  button { font: inherit; padding: 0.35rem 1rem; cursor: pointer; }
  #examples button { padding: 0.1rem 0.5rem; font-size: 0.9rem; }
  #examples { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem; }
  #downloads a { margin-right: 0.6rem; }
  #status { color: #555; }
  .error { color: #b00020; white-space: pre-wrap; }
  table { border-collapse: collapse; margin-top: 0.5rem; font-size: 0.9rem; }
  th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left;
           vertical-align: top; }
  th { background: #f2f2f2; position: sticky; top: 0; }
  .tag { color: #888; font-size: 0.8em; margin-left: 0.3em; }
  pre { background: #f7f7f7; padding: 0.6rem; overflow: auto; }
  .answer { font-size: 1.3rem; font-weight: bold; }
</style>
</head>
<body>
<h1>kgraph 城市外交知識圖譜 · SPARQL 查詢</h1>
<p>預設圖是所有具名圖的聯集；本端點唯讀。端點位址：<code>/sparql</code>（SPARQL 1.1 Protocol）。</p>
<h2 style="font-size:1rem">範例查詢</h2>
<ul id="examples"></ul>
<form id="form">
  <label for="query">SPARQL 查詢</label>
  <textarea id="query" name="query" spellcheck="false"></textarea>
  <div class="bar">
    <button type="submit">執行 (Ctrl+Enter)</button>
    <span id="status"></span>
  </div>
  <div class="bar" id="downloads">下載：</div>
</form>
<div id="output"></div>
<script type="application/json" id="example-data">__EXAMPLES__</script>
<script>
"use strict";
const MAX_ROWS = 1000;
const examples = JSON.parse(document.getElementById("example-data").textContent);
const form = document.getElementById("form");
const query = document.getElementById("query");
const output = document.getElementById("output");
const statusLine = document.getElementById("status");
const downloads = document.getElementById("downloads");

function element(name, text, className) {
  const node = document.createElement(name);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

for (const example of examples) {
  const button = element("button", example.title);
  button.type = "button";
  button.addEventListener("click", () => { query.value = example.query; update(); run(); });
  const item = element("li");
  item.append(button);
  document.getElementById("examples").append(item);
}

const formats = ["json", "xml", "csv", "tsv", "turtle", "ntriples"];
const links = formats.map((format) => {
  const link = element("a", format);
  downloads.append(link);
  return [format, link];
});
function update() {
  for (const [format, link] of links) {
    link.href = "sparql?" + new URLSearchParams({ query: query.value, format });
  }
}

function cell(term) {
  const td = element("td");
  if (!term) return td;
  if (term.type === "uri") {
    if (/^https?:[/][/]/i.test(term.value)) {
      const link = element("a", term.value);
      link.href = term.value;
      link.rel = "noopener noreferrer";
      td.append(link);
    } else {
      td.textContent = "<" + term.value + ">";
    }
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else if (term.type === "triple") {
    td.textContent = JSON.stringify(term.value);
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.append(element("span", "@" + term["xml:lang"], "tag"));
  }
  return td;
}

function showTable(data) {
  const vars = data.head.vars || [];
  const rows = data.results.bindings;
  const table = element("table");
  const head = element("tr");
  for (const name of vars) head.append(element("th", "?" + name));
  const thead = element("thead");
  thead.append(head);
  table.append(thead);
  const body = element("tbody");
  for (const row of rows.slice(0, MAX_ROWS)) {
    const tr = element("tr");
    for (const name of vars) tr.append(cell(row[name]));
    body.append(tr);
  }
  table.append(body);
  output.append(table);
  return rows.length > MAX_ROWS
    ? `${rows.length} 列（只顯示前 ${MAX_ROWS} 列）`
    : `${rows.length} 列`;
}

let latest = 0;  // only the answer to the latest run is shown

async function run() {
  const mine = ++latest;
  statusLine.textContent = "執行中…";
  output.replaceChildren();
  const started = performance.now();
  let summary = "";
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query: query.value }),
    });
    const type = response.headers.get("Content-Type") || "";
    const text = await response.text();
    if (mine !== latest) return;
    if (!response.ok) {
      output.append(element("p", text, "error"));
      summary = `HTTP ${response.status}`;
    } else if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        output.append(element("p", data.boolean ? "true（是）" : "false（否）", "answer"));
        summary = "ASK";
      } else {
        summary = showTable(data);
      }
    } else {
      output.append(element("pre", text));
      summary = `${text.length} 字元`;
    }
  } catch (error) {
    if (mine !== latest) return;
    output.append(element("p", "無法取得結果：" + error, "error"));
    summary = "錯誤";
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  statusLine.textContent = `${summary} · ${seconds} 秒`;
}

form.addEventListener("submit", (event) => { event.preventDefault(); return run(); });
query.addEventListener("input", update);
query.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
query.value = new URLSearchParams(location.search).get("query") || examples[0].query;
update();
</script>
</body>
</html>
"""

_PAGE_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'",
    ),
    ("Referrer-Policy", "no-referrer"),
)


def query_page(examples: Sequence[tuple[str, str]] = EXAMPLES) -> bytes:
    """The self-contained HTML query page (inline CSS and JavaScript, no external assets).

    The examples go in as JSON inside a data ``<script>``; ``<`` is escaped so that no text
    can close that element. The page builds everything from data with ``textContent``.

    >>> page = query_page([("t", "SELECT * { ?s ?p '</script>' }")]).decode()
    >>> "</script>'" in page, '<html lang="zh-Hant">' in page
    (False, True)
    """
    data = json.dumps([{"title": t, "query": q} for t, q in examples], ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _PAGE_TEMPLATE.replace("__EXAMPLES__", data).encode("utf-8")


# --------------------------------------------------------------------------- server


def _bind(host: str, port: int, pool: _WorkerPool, quiet: bool) -> _HttpServer:
    """Listen on ``host:port``; KgraphError E026 if that is impossible."""
    server_class = _HttpServer6 if ":" in host else _HttpServer
    try:
        return server_class((host, port), pool, quiet, query_page())
    except (OSError, OverflowError, ValueError, TypeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise KgraphError(Errors.E026, address=_address(host, port), reason=reason) from None


def _address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 host in brackets.

    >>> _address("::1", 8000), _address("127.0.0.1", 8000)
    ('[::1]:8000', '127.0.0.1:8000')
    """
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class SparqlServer(Closing):
    """A read-only SPARQL endpoint over the built graph in ``store_dir`` (the build folder,
    holding ``store/``), listening on ``host:port`` (port 0: any free port, see :attr:`url`).

    Opening checks the store (E010, E011), binds the port (E026) and starts ``workers``
    query processes; a query running longer than ``timeout`` seconds is stopped with 503,
    and one whose serialised answer would exceed ``max_answer`` bytes is refused with 422.
    Use it as a context manager, or call :meth:`close`: that stops every worker process.

    The workers are started by ``multiprocessing`` with the ``spawn`` method, which imports
    the main module again in each worker: a script that starts a server must keep its top
    level under ``if __name__ == "__main__":`` (the ``kgraph`` command and notebooks do).
    """

    def __init__(
        self,
        store_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 30.0,
        workers: int = 2,
        quiet: bool = False,
        max_answer: int = MAX_ANSWER,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"the time limit must be positive, not {timeout!r}")
        if workers < 1:
            raise ValueError(f"at least one worker is needed, not {workers!r}")
        if max_answer < 1:
            raise ValueError(f"the result-size limit must be positive, not {max_answer!r}")
        self.store_path = store_path(store_dir)
        self.timeout = timeout
        self.max_answer = max_answer
        self.quiet = quiet
        self._pool = _WorkerPool(self.store_path, workers, Limits(timeout, max_answer), self._log)
        self._httpd = _bind(host, port, self._pool, quiet)
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False
        try:
            self._pool.start()
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``; queries go to ``url + "/sparql"``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{_address(str(host), int(port))}"

    @property
    def worker_pids(self) -> list[int]:
        """The process ids of the live query workers (for tests and monitoring)."""
        return self._pool.pids

    def serve_forever(self) -> None:
        """Answer requests until :meth:`close` (from another thread) or KeyboardInterrupt."""
        self._serving = True
        self._httpd.serve_forever(poll_interval=0.25)

    def start_in_thread(self) -> threading.Thread:
        """Serve from a daemon thread and return at once (for tests and notebooks)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever, name="kgraph-sparql-http", daemon=True
            )
            self._serving = True
            self._thread.start()
        return self._thread

    def close(self) -> None:
        """Stop listening and stop every worker process; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._serving:
            self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(10)
        self._httpd.server_close()
        self._pool.close()

    def _log(self, message: str) -> None:
        if not self.quiet:
            sys.stderr.write(f"kgraph serve: {message}\n")

    def __repr__(self) -> str:
        return f"SparqlServer({str(self.store_path)!r}, url={self.url!r})"


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl+C while serving, so that the workers are stopped cleanly
    (only possible from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    store_dir: Path,
    host: str,
    port: int,
    timeout: float,
    workers: int,
    quiet: bool = False,
    ready: Callable[[str], None] | None = None,
    max_answer: int = MAX_ANSWER,
) -> None:
    """Serve the built graph in ``store_dir`` until Ctrl+C (KeyboardInterrupt) or SIGTERM,
    then stop every worker and return; ``ready(url)`` is called once the endpoint listens.

    Raises :class:`~kgraph.errors.StoreError` (E010, E011) for a missing or invalid store and
    :class:`~kgraph.errors.KgraphError` (E026) if the address cannot be bound, both before
    any worker starts.
    """
    with SparqlServer(store_dir, host, port, timeout, workers, quiet, max_answer) as server:
        if ready is not None:
            ready(server.url)
        with _sigterm_as_interrupt(), contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
