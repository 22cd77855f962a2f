"""How long each bundled query takes over a build, beside an earlier revision's text.

    .venv/bin/python scripts/bench_queries.py kg-out [--baseline REV] [--query NAME ...]
        [--param NAME=VALUE ...] [--repeat 3] [--timeout 600]

Runs each bundled query (``kgraph/queries/*.rq``, or those named by ``--query``) over the
store of the build folder as ``kgraph sparql`` does (parameters bound, the union of the
document graphs as the default graph, rows converted to Python values), and prints a
table of its rows and median time. With ``--param``, only the queries that take every
parameter given run. With ``--baseline`` (a git revision, e.g. ``HEAD~3``), the query's
text at that revision runs beside it, and the table says whether both gave the same rows
(``same``), the same rows in another order (``order``: where ``ORDER BY`` leaves ties),
or not (``DIFFER``). Each query runs in a process of its own, stopped after ``--timeout``
seconds (a query that grows with the cube of the corpus can take hours).

The union of the document graphs holds a fact once per document that tells it (Oxigraph
0.5, oxigraph#1919), so a query that joins those copies grows much faster than the
corpus: time the queries on a build of ``scripts/make_corpus.py --count 1000`` (and more)
before and after changing one (ARCHITECTURE.md, "How to add a query").
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kgraph.api import load_query, query_names  # noqa: E402
from kgraph.errors import KgraphError  # noqa: E402
from kgraph.params import bind_query  # noqa: E402
from kgraph.resources import QUERY_DIR  # noqa: E402
from kgraph.store import open_store  # noqa: E402


@dataclass(frozen=True)
class Timing:
    """One query text's figures: its rows, median seconds, and digests of its rows."""

    rows: int
    seconds: float
    ordered: str  # digest of the rows in their order
    as_set: str  # digest of the rows sorted


def digests(rows: list[dict[str, object]]) -> tuple[str, str]:
    """Digests of ``rows`` as given and as a sorted list: equal rows give equal digests.

    >>> digests([{"a": 1}, {"a": 2}])[1] == digests([{"a": 2}, {"a": 1}])[1]
    True
    >>> digests([{"a": 1}, {"a": 2}])[0] == digests([{"a": 2}, {"a": 1}])[0]
    False
    """
    lines = [repr(sorted(row.items())) for row in rows]
    return (
        hashlib.sha256("\n".join(lines).encode()).hexdigest(),
        hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest(),
    )


def _time_in_child(out: Path, text: str, repeat: int, answer: Connection) -> None:
    """In the child process: run ``text`` ``repeat`` times, send back its :class:`Timing`
    (or, if it fails, why)."""
    try:
        store = open_store(out)
        samples, rows = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            rows = store.select(text)
            samples.append(time.perf_counter() - start)
        answer.send(Timing(len(rows), statistics.median(samples), *digests(rows)))
    except Exception as error:  # the parent prints it in the table
        answer.send(str(error).splitlines()[0] if str(error) else type(error).__name__)


def time_query(out: Path, text: str, repeat: int, timeout: float) -> Timing | str:
    """The :class:`Timing` of the bound query ``text`` over the build ``out``, or why
    there is none: an error, a child that died, or ``timeout`` seconds passed (for the
    store's opening and every run together)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_time_in_child, args=(out, text, repeat, send))
    child.start()
    send.close()  # the child's copy alone is left: if it dies, recv() sees the end
    try:
        if not receive.poll(timeout):
            return f"stopped after {timeout:.0f} s"
        result: Timing | str = receive.recv()
        return result
    except EOFError:
        child.join()
        return f"the query's process died (exit status {child.exitcode})"
    finally:
        receive.close()
        child.kill()
        child.join()


def baseline_text(revision: str, name: str) -> str | None:
    """The text of the bundled query ``name`` at git ``revision`` (None: not there)."""
    path = QUERY_DIR.relative_to(ROOT) / f"{name}.rq"
    shown = subprocess.run(
        ["git", "show", f"{revision}:{path.as_posix()}"], cwd=ROOT, capture_output=True, text=True
    )
    return shown.stdout if shown.returncode == 0 else None


def _cell(result: Timing | str | None) -> str:
    if result is None:
        return "–"
    return result if isinstance(result, str) else f"{result.seconds:.3f} s"


def _same(now: Timing | str, then: Timing | str | None) -> str:
    if not isinstance(now, Timing) or not isinstance(then, Timing):
        return ""
    if now.ordered == then.ordered:
        return "same"
    return "order" if now.as_set == then.as_set else "DIFFER"


def _baseline(args: argparse.Namespace, name: str, bindings: dict[str, str]) -> Timing | str | None:
    """The :class:`Timing` of query ``name`` as it was at ``--baseline`` (None: it was not
    there; a string: why it has none)."""
    old = baseline_text(args.baseline, name)
    if old is None:
        return None
    try:
        text = bind_query(old, bindings)
    except KgraphError:
        return "takes no such parameter"
    return time_query(args.out, text, args.repeat, args.timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="a build folder (kgraph build --out)")
    parser.add_argument("--baseline", metavar="REV", help="git revision to time beside")
    parser.add_argument("--query", action="append", default=[], metavar="NAME")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS")
    args = parser.parse_args()
    names = args.query or query_names()
    bindings = dict(p.split("=", 1) for p in args.param if "=" in p)
    if len(bindings) != len(args.param) or args.repeat < 1:
        parser.error("--param takes NAME=VALUE, --repeat at least 1")
    header = "| query | rows | time |"
    header += " baseline | faster | rows as baseline |" if args.baseline else ""
    print(f"{args.out}, {args.param or 'no parameters'}, median of {args.repeat}\n")
    print(header + "\n" + "|---" * (header.count("|") - 1) + "|", flush=True)
    for name in names:
        try:
            query = load_query(name)
        except KgraphError as error:
            parser.error(str(error))
        try:
            text = bind_query(query, bindings)
        except KgraphError:
            continue  # a parameter this query does not take
        now = time_query(args.out, text, args.repeat, args.timeout)
        cells = [name, str(now.rows) if isinstance(now, Timing) else "", _cell(now)]
        if args.baseline:
            then = _baseline(args, name, bindings)
            faster = (
                f"{then.seconds / now.seconds:.1f}×"
                if isinstance(now, Timing) and isinstance(then, Timing) and now.seconds
                else ""
            )
            cells += [_cell(then), faster, _same(now, then)]
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
