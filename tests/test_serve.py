"""The read-only SPARQL endpoint (``kgraph serve``), over HTTP with urllib only."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import rdflib
from helpers import load_script

from kgraph.errors import KgraphError, StoreError
from kgraph.serve import (
    GRAPH_OFFERS,
    MAX_BODY,
    RESULTS_OFFERS,
    SparqlServer,
    is_update,
    negotiate,
)

load = load_script("load")

PREFIX = "PREFIX kg: <https://w3id.org/kgraph/ontology#>\n"
DOCUMENTS = PREFIX + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }"
VISITS = (
    PREFIX
    + """SELECT (COUNT(DISTINCT ?event) AS ?n) WHERE {
  ?event kg:visitingRelation ?relation ; a ?class .
  ?class kg:code "visit" .
}"""
)
CITIES = PREFIX + "CONSTRUCT { ?city a kg:City } WHERE { ?city a kg:City }"
INSERT = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
INSERTED = "ASK { <urn:a> <urn:b> <urn:c> }"
ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_JSON = "application/sparql-results+json"


class Answer(NamedTuple):
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    url: str,
    path: str = "/sparql",
    *,
    params: Mapping[str, str] | None = None,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
) -> Answer:
    """One HTTP request; HTTP errors are answers too."""
    if params:
        path += "?" + urllib.parse.urlencode(params)
    request = urllib.request.Request(url + path, data=data, headers=dict(headers or {}))
    if method:
        request.method = method
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read())


def get(url: str, query: str, accept: str | None = None, **params: str) -> Answer:
    return call(url, params={"query": query, **params}, headers={"Accept": accept or "*/*"})


def post_form(url: str, fields: Mapping[str, str], accept: str = "*/*") -> Answer:
    data = urllib.parse.urlencode(fields).encode("ascii")
    return call(url, data=data, headers={"Content-Type": FORM, "Accept": accept})


def post_body(url: str, text: str, content_type: str = SPARQL_QUERY) -> Answer:
    headers = {"Content-Type": f"{content_type}; charset=utf-8"}
    return call(url, data=text.encode("utf-8"), headers=headers)


def count(answer: Answer) -> int:
    assert answer.status == 200, answer.body
    assert answer.content_type == SPARQL_JSON
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def assert_one_line_error(answer: Answer, status: int, code: str | None = None) -> None:
    assert answer.status == status, answer.body
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.text.count("\n") == 1 and answer.text.endswith("\n")
    assert "Traceback" not in answer.text
    if code:
        assert answer.text.startswith(f"[{code}] ")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def server(built_corpus: Path) -> Iterator[SparqlServer]:
    with SparqlServer(built_corpus, port=0, workers=2, quiet=True) as running:
        running.start_in_thread()
        yield running


@pytest.fixture(scope="module")
def url(server: SparqlServer) -> str:
    return server.url


# --------------------------------------------------------------------------- queries


def test_select_over_get(url: str) -> None:
    assert count(get(url, DOCUMENTS)) == 5


def test_query_alias_path(url: str) -> None:
    answer = call(url, "/query", params={"query": DOCUMENTS})
    assert count(answer) == 5


def test_select_over_post_form(url: str) -> None:
    fields = {"query": VISITS, "default-graph-uri": "urn:ignored"}
    assert count(post_form(url, fields)) > 100


def test_select_over_post_body(url: str) -> None:
    assert count(post_body(url, VISITS)) > 100


def test_ask(url: str) -> None:
    answer = get(url, PREFIX + "ASK { ?city a kg:City }")
    assert answer.status == 200
    assert answer.content_type == SPARQL_JSON
    assert answer.json()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
        ("image/png, */*;q=0.1", SPARQL_JSON),
        (None, SPARQL_JSON),
    ],
)
def test_results_negotiation(url: str, accept: str | None, content_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = call(url, params={"query": DOCUMENTS}, headers=headers)
    assert answer.status == 200
    assert answer.content_type == content_type
    assert parse_results(answer) == [{"n": "5"}]


def parse_results(answer: Answer) -> list[dict[str, str]]:
    """SELECT results in any of the offered formats, as rows of lexical values."""
    media_type = answer.content_type.split(";")[0]
    if media_type == "text/csv":
        return list(csv.DictReader(io.StringIO(answer.text)))
    if media_type == "text/tab-separated-values":
        lines = answer.text.splitlines()
        names = [name.lstrip("?") for name in lines[0].split("\t")]
        values = [[v.split("^^")[0].strip('"') for v in line.split("\t")] for line in lines[1:]]
        return [dict(zip(names, row, strict=True)) for row in values]
    if media_type == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(answer.body)
        return [
            {b.attrib["name"]: "".join(b.itertext()) for b in result.findall("r:binding", ns)}
            for result in root.iterfind("r:results/r:result", ns)
        ]
    bindings = answer.json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("csv", "text/csv; charset=utf-8"), ("xml", "application/sparql-results+xml")],
)
def test_format_parameter_overrides_accept(url: str, fmt: str, content_type: str) -> None:
    answer = get(url, DOCUMENTS, accept=SPARQL_JSON, format=fmt)
    assert answer.content_type == content_type
    assert parse_results(answer) == [{"n": "5"}]


def test_construct_gives_turtle(url: str) -> None:
    answer = get(url, CITIES)
    assert answer.status == 200
    assert answer.content_type == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert len(graph) > 5


def test_construct_gives_ntriples(url: str) -> None:
    turtle = rdflib.Graph().parse(data=get(url, CITIES).text, format="turtle")
    answer = get(url, CITIES, accept="application/n-triples")
    assert answer.content_type == "application/n-triples"
    ntriples = rdflib.Graph().parse(data=answer.text, format="nt")
    assert len(ntriples) == len(turtle)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "send",
    [
        lambda url: post_body(url, INSERT, "application/sparql-update"),
        lambda url: post_form(url, {"update": INSERT}),
        lambda url: post_body(url, "PREFIX ex: <urn:ex:>\n" + INSERT),
        lambda url: get(url, INSERT),
    ],
    ids=["sparql-update", "form-update", "update-as-query", "update-over-get"],
)
def test_updates_are_refused(url: str, send: Any) -> None:
    before = count(get(url, ALL))
    assert_one_line_error(send(url), 403, "E025")
    assert count(get(url, ALL)) == before
    assert get(url, INSERTED).json()["boolean"] is False


TURTLE_DATA = b"<urn:a> <urn:b> <urn:c> ."


@pytest.mark.parametrize(
    ("method", "path", "content_type", "status"),
    [
        ("PUT", "/sparql?default", "text/turtle", 405),
        ("PUT", "/store?graph=urn:g", "text/turtle", 405),
        ("POST", "/sparql?default", "text/turtle", 403),
        ("POST", "/sparql?graph=urn:g", "application/n-triples", 403),
        ("POST", "/store?default", "application/sparql-query", 403),
        ("POST", "/data", "application/trig", 403),
        ("POST", "/sparql", "application/rdf+xml", 403),
        ("DELETE", "/sparql?graph=urn:g", None, 405),
        ("DELETE", "/store?default", None, 405),
    ],
)
def test_graph_store_writes_are_refused(
    url: str, method: str, path: str, content_type: str | None, status: int
) -> None:
    """The SPARQL 1.1 Graph Store Protocol's write methods change nothing, and say why."""
    before = count(get(url, ALL))
    headers = {"Content-Type": content_type} if content_type else {}
    data = TURTLE_DATA if content_type else None
    answer = call(url, path, data=data, headers=headers, method=method)
    assert_one_line_error(answer, status)
    assert "read-only" in answer.text and "Graph Store writes are refused" in answer.text
    assert count(get(url, ALL)) == before
    assert get(url, INSERTED).json()["boolean"] is False


def test_syntax_error_is_400(url: str) -> None:
    answer = get(url, "SELECT ?x WHERE { ?x ")
    assert_one_line_error(answer, 400, "E020")


def test_missing_query_is_400(url: str) -> None:
    assert_one_line_error(call(url), 400, "E020")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(url: str, method: str) -> None:
    answer = call(url, data=b"<urn:a> <urn:b> <urn:c> .", method=method)
    assert_one_line_error(answer, 405)
    assert answer.headers["Allow"] == "GET, POST"


def test_unknown_path_is_404(url: str) -> None:
    assert_one_line_error(call(url, "/nothing-here"), 404)


def test_unacceptable_accept_is_406(url: str) -> None:
    assert_one_line_error(get(url, DOCUMENTS, accept="image/png"), 406)


def test_graph_query_with_results_only_accept_is_406(url: str) -> None:
    assert_one_line_error(get(url, CITIES, accept="text/csv"), 406, "E020")


def test_unsupported_content_type_is_415(url: str) -> None:
    answer = post_body(url, DOCUMENTS, "text/plain")
    assert_one_line_error(answer, 415, "E020")


def test_large_body_is_413(url: str) -> None:
    answer = post_body(url, "#" * (MAX_BODY + 1))
    assert_one_line_error(answer, 413, "E020")


# --------------------------------------------------------------------------- page


def test_query_page(url: str) -> None:
    for path in ("/", "/index.html"):
        answer = call(url, path)
        assert answer.status == 200
        assert answer.content_type == "text/html; charset=utf-8"
        page = answer.text
        assert '<html lang="zh-Hant">' in page
        assert "<textarea" in page and "<form" in page
        assert "kg:visitingRelation" in page
        assert "innerHTML" not in page
        assert " src=" not in page and "stylesheet" not in page  # nothing external


# --------------------------------------------------------------------------- life cycle


def test_time_limit_stops_the_query_and_the_server_goes_on(built_corpus: Path) -> None:
    with SparqlServer(built_corpus, timeout=1.0, workers=1, quiet=True) as slow:
        slow.start_in_thread()
        first = slow.worker_pids
        started = time.monotonic()
        answer = get(slow.url, HEAVY)
        assert time.monotonic() - started < 5
        assert_one_line_error(answer, 503, "E024")
        assert count(get(slow.url, DOCUMENTS)) == 5  # the replacement worker answers
        second = slow.worker_pids
        assert len(second) == 1 and second != first
    assert not any(alive(pid) for pid in first + second)


def test_result_size_limit(built_corpus: Path) -> None:
    """An answer larger than the limit is refused with 422, however it is asked for; smaller
    ones are answered; the worker that refused goes on (nothing is killed)."""
    with SparqlServer(built_corpus, workers=1, quiet=True, max_answer=4096) as small:
        small.start_in_thread()
        workers = small.worker_pids
        everything = "SELECT * WHERE { ?s ?p ?o }"
        for answer in (
            get(small.url, everything),
            get(small.url, everything, accept="text/csv"),
            get(small.url, "CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle"),
            post_body(small.url, "DESCRIBE ?s WHERE { ?s ?p ?o }"),
        ):
            assert_one_line_error(answer, 422, "E028")
            assert "4 KiB" in answer.text and "LIMIT" in answer.text
        assert count(get(small.url, DOCUMENTS)) == 5
        assert get(small.url, everything + " LIMIT 3").status == 200
        assert small.worker_pids == workers


def test_result_size_limit_must_be_positive(built_corpus: Path) -> None:
    with pytest.raises(ValueError, match="result-size limit"):
        SparqlServer(built_corpus, max_answer=0)


def test_keep_alive_and_unread_bodies(url: str) -> None:
    """Queries share one HTTP/1.1 connection; a refused request whose body was not read
    closes it, so that the body is never taken for the next request."""
    host = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=30)
    try:
        path = "/sparql?" + urllib.parse.urlencode({"query": DOCUMENTS})
        for _ in range(3):
            connection.request("GET", path, headers={"Accept": SPARQL_JSON})
            response = connection.getresponse()
            assert response.status == 200 and response.getheader("Connection") is None
            response.read()
        sock = connection.sock
        connection.request("GET", path)
        connection.getresponse().read()
        assert connection.sock is sock  # the same connection all along
        connection.request("POST", "/sparql", body=INSERT, headers={"Content-Type": "text/plain"})
        response = connection.getresponse()
        assert response.status == 415 and response.getheader("Connection") == "close"
        response.read()
    finally:
        connection.close()


def test_load_many_clients(built_corpus: Path) -> None:
    """50 concurrent clients x 200 queries to a real ``kgraph serve`` process: every query
    answered (scripts/load.py runs the larger load)."""
    with load.serving(built_corpus, workers=2) as base:
        result = load.run_load(base, clients=50, queries=200)
    assert result.errors == ()
    assert result.queries == 10_000 and len(result.latencies) == 10_000


def test_close_stops_every_worker(built_corpus: Path) -> None:
    server = SparqlServer(built_corpus, workers=2, quiet=True)
    pids = server.worker_pids
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    server.close()
    server.close()
    assert not any(alive(pid) for pid in pids)


def test_store_errors_come_first(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"^\[E010\]"):
        SparqlServer(tmp_path / "missing")
    with pytest.raises(StoreError, match=r"^\[E011\]"):
        SparqlServer(tmp_path)


def test_address_errors(built_corpus: Path, server: SparqlServer) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(KgraphError, match=r"^\[E026\] cannot serve on 127\.0\.0\.1:"):
        SparqlServer(built_corpus, port=port, quiet=True)
    with pytest.raises(KgraphError, match=r"^\[E026\] cannot serve on 192\.0\.2\.1:"):
        SparqlServer(built_corpus, host="192.0.2.1", quiet=True)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("accept", "results", "graph"),
    [
        ("*/*", SPARQL_JSON, "text/turtle"),
        ("text/*;q=0.5, application/*", SPARQL_JSON, "application/n-triples"),
        ("text/tab-separated-values, text/turtle", "text/tab-separated-values", "text/turtle"),
        ("application/sparql-results+xml;q=0, */*", SPARQL_JSON, "text/turtle"),
        ("image/png", None, None),
    ],
)
def test_negotiate(accept: str, results: str | None, graph: str | None) -> None:
    assert negotiate(accept, RESULTS_OFFERS) == results
    assert negotiate(accept, GRAPH_OFFERS) == graph


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("BASE <urn:x>\nPREFIX : <urn:y>\nLOAD <http://example.org/>", True),
        ("clear all", True),
        ("DESCRIBE <urn:insert>", False),
        ('SELECT ("INSERT" AS ?x) {}', False),
    ],
)
def test_is_update(text: str, update: bool) -> None:
    assert is_update(text) is update
