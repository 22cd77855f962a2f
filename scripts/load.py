#!/usr/bin/env python3
"""Load on ``kgraph serve``: many clients sending queries at once, and what they saw.

    python scripts/load.py                    # builds corpus/ first, 50 clients x 2,000 queries
    python scripts/load.py --store kg-out --clients 50 --queries 200

It starts a real ``kgraph serve`` process on 127.0.0.1 (any free port) over the build folder
``--store`` (or over a fresh build of ``corpus/`` in a temporary folder), then runs
``--clients`` threads, each sending ``--queries`` queries one after another over one
keep-alive connection, cycling through :data:`QUERIES` (the questions analysts ask: counts,
who visited whom, one party's visits, agreements, labels). Every answer must be a 200 with
a SPARQL JSON body; anything else is an error.

It prints the number of queries, errors, the wall time, the throughput and the median
(p50) and 99th-percentile (p99) latency, and exits 1 if any query failed. ``tests/
test_serve.py`` runs the smaller load (50 x 200) through :func:`run_load`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KGRAPH = Path(sys.executable).parent / "kgraph"

PREFIX = "PREFIX kg: <https://w3id.org/kgraph/ontology#>\n"
PREFIX += "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
#: The mix of queries each client cycles through: what an analyst's tools ask.
QUERIES: tuple[str, ...] = (
    PREFIX + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }",
    PREFIX
    + """SELECT DISTINCT ?visitor ?host WHERE {
  ?event kg:visitingRelation ?r .
  ?r kg:visitor/skos:prefLabel ?visitor ; kg:host/skos:prefLabel ?host .
} LIMIT 50""",
    PREFIX
    + """SELECT DISTINCT ?event ?date WHERE {
  ?party skos:prefLabel "東京都"@zh-hant .
  { ?r kg:visitor ?party } UNION { ?r kg:host ?party }
  ?event kg:visitingRelation ?r .
  OPTIONAL { ?event kg:startDate ?date }
} LIMIT 50""",
    PREFIX + "SELECT DISTINCT ?event ?a WHERE { ?event kg:agreement ?a } LIMIT 50",
    PREFIX
    + "SELECT DISTINCT ?city ?label WHERE { ?city a kg:City ; skos:prefLabel ?label } LIMIT 100",
    PREFIX + "ASK { ?e a kg:Visit }",
)


@dataclass(frozen=True)
class LoadResult:
    """What the clients saw: one latency per answered query, and the failures."""

    latencies: tuple[float, ...]  # seconds, of the queries answered with 200
    errors: tuple[str, ...]  # one line per failed query
    seconds: float  # wall time of the whole load

    @property
    def queries(self) -> int:
        return len(self.latencies) + len(self.errors)

    @property
    def throughput(self) -> float:
        """Queries per second."""
        return self.queries / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds (0 if nothing was answered)."""
        if len(self.latencies) < 2:
            return 1000 * (self.latencies[0] if self.latencies else 0.0)
        return 1000 * statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]

    def summary(self) -> str:
        return (
            f"{self.queries} queries, {len(self.errors)} errors, {self.seconds:.1f} s, "
            f"{self.throughput:.0f} queries/s, p50 {self.percentile(50):.1f} ms, "
            f"p99 {self.percentile(99):.1f} ms"
        )


def run_load(
    url: str, clients: int, queries: int, mix: Sequence[str] = QUERIES, timeout: float = 120
) -> LoadResult:
    """``clients`` threads each send ``queries`` queries of ``mix`` to the endpoint ``url``
    (``http://host:port``), all at once; a barrier starts them together."""
    start = threading.Barrier(clients)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client(number: int) -> None:
        host = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=timeout)
        mine: list[float] = []
        failed: list[str] = []
        start.wait()
        for i in range(queries):
            query = mix[(number + i) % len(mix)]
            began = time.perf_counter()
            failure = _ask(connection, query)
            if failure is None:
                mine.append(time.perf_counter() - began)
            else:
                failed.append(f"client {number}, query {i}: {failure}")
                connection.close()  # start afresh: the connection may be broken
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return LoadResult(tuple(latencies), tuple(errors), time.perf_counter() - began)


def _ask(connection: http.client.HTTPConnection, query: str) -> str | None:
    """Send one query; None if it was answered with 200 and SPARQL JSON, else why not."""
    path = "/sparql?" + urllib.parse.urlencode({"query": query})
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status != 200:
        return f"HTTP {response.status}: {body[:200].decode('utf-8', 'replace').strip()}"
    try:
        json.loads(body)
    except ValueError:
        return "the answer is not JSON"
    return None


@contextmanager
def serving(store: Path, workers: int) -> Iterator[str]:
    """A ``kgraph serve`` process over ``store`` on a free port of 127.0.0.1; yields its base
    URL and stops it (and its workers) at the end."""
    command = [str(KGRAPH), "serve", "--store", str(store), "--port", "0", "--quiet"]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "kgraph: serving STORE at URL/sparql ..."
        found = re.search(r"at (http://\S+)/sparql", line)
        if found is None:
            raise RuntimeError(f"kgraph serve did not start: {line.strip() or 'no output'}")
        yield found.group(1)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def build_corpus(into: Path) -> Path:
    """A build of the project's ``corpus/`` in ``into`` (no views: only the store is used)."""
    out = into / "kg-out"
    command = [str(KGRAPH), "build", str(ROOT / "corpus"), "--out", str(out), "-q", "--no-views"]
    subprocess.run(command, check=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="build folder (default: build corpus/)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--queries", type=int, default=2000, help="queries per client")
    parser.add_argument("--workers", type=int, default=2, help="kgraph serve --workers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kgraph-load-") as tmp:
        store = args.store or build_corpus(Path(tmp))
        with serving(store, args.workers) as url:
            print(f"{args.clients} clients x {args.queries} queries to {url}/sparql ...")
            result = run_load(url, args.clients, args.queries)
    print(result.summary())
    for line in result.errors[:10]:
        print("  " + line)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
