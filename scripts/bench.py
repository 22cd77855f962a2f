"""Speed and scale of kgraph, measured side by side in one run (issue 7's targets).

    .venv/bin/python scripts/bench.py [--work bench-out] [--large 1000] [--small 100]

Makes synthetic corpora with ``scripts/make_corpus.py`` (seeded: the small corpus is the
first reports of the large one), then measures, each in a fresh process where it matters:

* the blank Chinese tokenizer alone over the large corpus's text (the yardstick);
* full builds of the small and large corpus with ``--jobs 1`` (time, peak memory), and
  of the large one with ``--jobs 2``;
* a rebuild of the large corpus after one report is added (incremental);
* bulk loading its graph into a fresh store (in memory, and on disk as kgraph's own), and
  the who-visited-whom query for one city (median of repeated runs) on each and on an
  in-memory rdflib graph;
* ``kgraph viz`` on the large build, and the time a headless chromium takes to draw it;
* ``kgraph visits --help`` (start-up).

Every target is a ratio or a bound checked against numbers taken in this one run, so a
busy machine slows both sides alike. Prints a table and writes ``results.json`` (and
``results.md``, the table the README shows) into the work folder. Exit status 1 if a
target is missed. ``--table bench-out/results.json`` prints an earlier run's table again,
its targets recomputed from its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from make_corpus import make_corpus, make_report  # noqa: E402

from kgraph.browser import require_chromium  # noqa: E402
from kgraph.errors import KgraphError  # noqa: E402

KGRAPH = str(Path(sys.executable).with_name("kgraph"))
GIB = 1024**3
CITY = "東京都"  # a city the generator's places include; the query's answer is not checked


@dataclass(frozen=True)
class Run:
    """One process's wall time and peak resident memory."""

    seconds: float
    peak_rss: int  # bytes


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    target: str
    met: bool | None  # None: a figure that explains another, with no target of its own


# Linux counts in a child's peak RSS the memory its parent had when it forked (or all
# of the parent's, with vfork), and the bench's own process grows to gigabytes (an
# in-memory store). So each measured command is started by this small launcher, whose
# child starts from the launcher's few megabytes; it prints the time and peak RSS.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss * 1024)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(args: list[str], cwd: Path = ROOT) -> Run:
    """Run a command, as its own process, for its wall time and peak RSS (``wait4``)."""
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *args], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed: {proc.stderr.strip()}")
    seconds, peak = proc.stdout.split()
    result = Run(float(seconds), int(peak))
    # Each figure as soon as it is known, so that a run stopped later still tells it.
    print(f"  {result.seconds:.1f} s, peak RSS {result.peak_rss / GIB:.2f} GiB", flush=True)
    return result


def build(corpus: Path, out: Path, jobs: int = 1, fresh: bool = True) -> Run:
    if fresh and out.exists():
        shutil.rmtree(out)
    return run([KGRAPH, "build", str(corpus), "--out", str(out), "--jobs", str(jobs), "-q"])


def tokenizer_seconds(corpus: Path) -> float:
    """spaCy's blank Chinese tokenizer alone over every report's text (read beforehand)."""
    import spacy

    nlp = spacy.blank("zh")
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    nlp(texts[0])
    start = time.perf_counter()
    for text in texts:
        nlp(text)
    return time.perf_counter() - start


def median_ms(call: Callable[[], object], times: int) -> float:
    call()  # warm caches once
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def store_figures(out: Path) -> dict[str, Any]:
    """Bulk-load rate into a fresh pyoxigraph store, in memory and on disk (RocksDB, as
    kgraph's own), the who-visited-whom query for one city on each, and the same query on
    rdflib's in-memory graph (the same SPARQL text, parameters bound as ``kgraph`` does)."""
    from kgraph.api import load_query
    from kgraph.store import bind_query

    trig = out / "graph.trig"
    query = bind_query(load_query("who_visited_whom"), {"party": CITY})
    folder = out.parent / "bulk-load"
    shutil.rmtree(folder, ignore_errors=True)
    figures: dict[str, Any] = {
        "memory": pyoxigraph_figures(trig, query, None),
        "disk": pyoxigraph_figures(trig, query, folder),
    }
    figures["quads"] = figures["memory"]["quads"]
    figures["rdflib_query_ms"], figures["rdflib_rows"] = rdflib_query_ms(trig, query)
    shutil.rmtree(folder, ignore_errors=True)
    return figures


def pyoxigraph_figures(trig: Path, query: str, folder: Path | None) -> dict[str, float]:
    """Bulk-load ``trig`` into a new store (in memory when ``folder`` is None), then time
    ``query`` on it (median of 21 runs)."""
    import pyoxigraph as ox

    store = ox.Store(str(folder)) if folder else ox.Store()
    start = time.perf_counter()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    seconds = time.perf_counter() - start

    def answer() -> list:
        return list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]

    rows = len(answer())
    return {
        "quads": len(store),
        "load_seconds": seconds,
        "load_per_second": len(store) / seconds,
        "query_ms": median_ms(answer, 21),
        "query_rows": rows,
    }


RDFLIB_LIMIT = 180.0  # seconds rdflib may take for the query once the graph is parsed


def rdflib_query_ms(trig: Path, query: str) -> tuple[float, int | None]:
    """The query once on an in-memory rdflib Dataset, in a child process that is stopped
    after :data:`RDFLIB_LIMIT` s: then the time is a lower bound and the rows are None."""
    import multiprocessing

    def child(conn: Any) -> None:
        import gc

        import rdflib

        gc.disable()  # millions of small objects: the collector made parsing quadratic
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(str(trig), format="trig")
        conn.send("parsed")
        start = time.perf_counter()
        rows = len(list(dataset.query(query)))
        conn.send(((time.perf_counter() - start) * 1000, rows))

    parent, conn = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=child, args=(conn,))
    process.start()
    try:
        parent.recv()  # parsing has no limit: it is not what is compared
        if parent.poll(RDFLIB_LIMIT):
            ms, rows = parent.recv()
            return ms, rows
        return RDFLIB_LIMIT * 1000, None
    finally:
        process.kill()
        process.join()


def draw_seconds(page: Path) -> float:
    """How long headless chromium takes from opening the page to a drawn, settled view."""
    from kgraph.browser import headless_chromium

    with headless_chromium() as browser:
        tab = browser.new_page()
        start = time.perf_counter()
        tab.goto(page.as_uri())
        tab.wait_for_function("window.kgraphView && window.kgraphView.ready", timeout=120_000)
        seconds = time.perf_counter() - start
        nodes = tab.evaluate("window.kgraphView.nodes.length")
        print(f"  view: {nodes} nodes drawn")
        return seconds


def startup_seconds() -> float:
    return statistics.median(run([KGRAPH, "visits", "--help"]).seconds for _ in range(5))


def measure(work: Path, small: int, large: int, seed: int) -> tuple[dict, list[Target]]:
    big, little, out = work / f"corpus-{large}", work / f"corpus-{small}", work / "out"
    for folder, count in ((big, large), (little, small)):
        if folder.exists():
            shutil.rmtree(folder)
        make_corpus(folder, count, seed=seed)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in big.glob("*.txt"))
    step("tokenizer")
    tok = tokenizer_seconds(big)
    print(f"  {tok:.1f} s", flush=True)
    step(f"build {small} reports, --jobs 1")
    small_run = build(little, out / "small")
    step(f"build {large} reports, --jobs 1")
    large_run = build(big, out / "large")
    step(f"build {large} reports, --jobs 2")
    parallel = build(big, out / "parallel", jobs=2)
    step("incremental: one report more")
    extra = big / f"report-{large + 1:05d}.txt"
    extra.write_text(make_report(large + 1, seed), encoding="utf-8")
    incremental = build(big, out / "large", fresh=False)
    step("store")
    store = store_figures(out / "large")
    print(f"  {store}", flush=True)
    step("views")
    viz = run([KGRAPH, "viz", "--store", str(out / "large"), "--out", str(work / "v.html")])
    draw = draw_seconds(work / "v.html")
    print(f"  drawn in {draw:.2f} s", flush=True)
    step("start-up")
    startup = startup_seconds()
    figures = {
        "reports": {"small": small, "large": large},
        "characters_large": chars,
        "tokenizer_seconds": tok,
        "build_small": asdict(small_run),
        "build_large": asdict(large_run),
        "build_large_jobs2": asdict(parallel),
        "incremental": asdict(incremental),
        "store": store,
        "viz_seconds": viz.seconds,
        "draw_seconds": draw,
        "startup_seconds": startup,
    }
    return figures, targets(figures)


def targets(f: dict) -> list[Target]:
    large, small = f["build_large"], f["build_small"]
    s = f["store"]

    def ratio(name: str, value: float, bound: float, at_most: bool = True) -> Target:
        sign = "≤" if at_most else "≥"
        met = value <= bound if at_most else value >= bound
        return Target(name, f"{value:.2f}×", f"{sign} {bound:g}×", met)

    # Writing the graph has a floor: its quads at the store's bulk-load rate (the TriG
    # copy a build writes beside the store is made from the same lines, not read back).
    # Shown beside the build's ratio.
    floor = s["disk"]["load_seconds"] / f["tokenizer_seconds"]
    return [
        ratio("build / tokenizer (jobs 1)", large["seconds"] / f["tokenizer_seconds"], 3),
        Target("… of which writing the graph's quads alone", f"≥ {floor:.2f}×", "", None),
        ratio("jobs 1 / jobs 2", large["seconds"] / f["build_large_jobs2"]["seconds"], 1.6, False),
        ratio("build time large / small", large["seconds"] / small["seconds"], 11),
        ratio("peak RSS large / small", large["peak_rss"] / small["peak_rss"], 1.5),
        Target(
            "peak RSS large",
            f"{large['peak_rss'] / GIB:.2f} GiB",
            "< 2 GiB",
            large["peak_rss"] < 2 * GIB,
        ),
        ratio("incremental / full build", f["incremental"]["seconds"] / large["seconds"], 0.05),
        *store_targets(s, "memory", "in memory"),
        *store_targets(s, "disk", "on disk"),
        Target("view drawn", f"{f['draw_seconds']:.2f} s", "< 5 s", f["draw_seconds"] < 5),
        Target(
            "visits --help", f"{f['startup_seconds']:.2f} s", "< 0.5 s", f["startup_seconds"] < 0.5
        ),
    ]


def store_targets(s: dict, where: str, label: str) -> list[Target]:
    """Bulk load, the one-city query, and rdflib's time over it, for one pyoxigraph store."""
    p = s[where]
    ratio = s["rdflib_query_ms"] / p["query_ms"]
    stopped = s["rdflib_rows"] is None  # then rdflib's time, and the ratio, are lower bounds
    return [
        Target(
            f"bulk load, {label}",
            f"{p['load_per_second']:,.0f} quads/s",
            "≥ 200,000/s",
            p["load_per_second"] >= 200_000,
        ),
        Target(
            f"who visited whom, one city, {label}",
            f"{p['query_ms']:.1f} ms ({p['quads']:,} quads, {p['query_rows']} rows)",
            "< 20 ms, > 1M",
            p["query_ms"] < 20 and p["quads"] > 1_000_000,
        ),
        Target(
            f"rdflib / pyoxigraph {label}, same query",
            f"{'≥ ' if stopped else ''}{ratio:.0f}×"
            + (f" (rdflib stopped after {RDFLIB_LIMIT:.0f} s)" if stopped else ""),
            "≥ 20×",
            ratio >= 20,
        ),
    ]


def _verdict(met: bool | None) -> str:
    return "" if met is None else "yes" if met else "NO"


def table(rows: list[Target]) -> str:
    lines = ["| measure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {t.name} | {t.measured} | {t.target} | {_verdict(t.met)} |" for t in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


_STARTED = time.perf_counter()


def step(name: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:6.0f} s] {name}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--table",
        type=Path,
        metavar="RESULTS_JSON",
        help="print the table of an earlier run's results.json, its targets recomputed",
    )
    args = parser.parse_args()
    if args.table:
        figures = json.loads(args.table.read_text(encoding="utf-8"))
        print(table(targets(figures)) + f"\n\n{figures['machine']}")
        return 0
    if not 1 <= args.small < args.large:
        parser.error("need 1 <= --small < --large")
    try:
        require_chromium()  # the view's drawing comes last: do not find out after the builds
    except KgraphError as error:
        parser.exit(2, f"bench: {error}\n")
    args.work.mkdir(parents=True, exist_ok=True)
    figures, rows = measure(args.work, args.small, args.large, args.seed)
    minutes = (time.perf_counter() - _STARTED) / 60
    figures["machine"] = machine()
    figures["bench_minutes"] = minutes
    figures["targets"] = [asdict(t) for t in rows]
    text = table(rows) + f"\n\n{machine()}; the whole run took {minutes:.1f} min.\n"
    (args.work / "results.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    (args.work / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(t.met is not False for t in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
