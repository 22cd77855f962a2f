"""The ``kgraph`` command line: a thin layer over :mod:`kgraph.api` and :mod:`kgraph.build`.

Heavy libraries are imported inside the commands so that ``--help`` answers fast.
Every :class:`~kgraph.errors.KgraphError` becomes one line on stderr and exit code 1.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kgraph.errors import KgraphError

DEFAULT_OUT = "kg-out"
FORMATS = click.Choice(["table", "csv", "json"])
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn a KgraphError (or a broken pipe) into a one-line message and exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgraphError as exc:
            click.echo(f"kgraph: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("kgraph: interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def build_folder_option(help_text: str) -> Callable[[F], F]:
    """``--store DIR``: the folder of a built graph."""
    return click.option(
        "--store",
        "store",
        default=DEFAULT_OUT,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


def store_option(func: F) -> F:
    func = click.option(
        "--endpoint",
        metavar="URL",
        help="Query a remote SPARQL endpoint instead of the local store.",
    )(func)
    return build_folder_option("Folder of a built graph (the output of 'kgraph build').")(func)


def filter_options(func: F) -> F:
    for name, help_text in reversed(
        [
            (
                "--party",
                "Only answers involving this party (city, region, country or organisation).",
            ),
            ("--person", "Only answers involving this person."),
            ("--country", "Only answers involving a party of this country."),
            ("--from", "Only answers on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
            ("--to", "Only answers on or before this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
        ]
    ):
        dest = {"--from": "date_from", "--to": "date_to"}.get(name, name[2:])
        func = click.option(name, dest, metavar="TEXT", help=help_text)(func)
    return click.option(
        "--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format."
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgraph")
def main() -> None:
    """kgraph: a knowledge graph of city diplomacy, from city-government reports.

    Build the graph from the reports, then ask who visited whom, which agreements
    were signed, and who took part; or query it with SPARQL.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    default=DEFAULT_OUT,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (replaced atomically at the end).",
)
@click.option("--base", default=None, help="Base IRI of the minted resources.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--views/--no-views",
    default=True,
    show_default=True,
    help="Also write the network view (view.html) and the map (map.html) into the output.",
)
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Processes that extract documents, and write the graph, side by side (0: one per CPU).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on the first file that cannot be read, instead of skipping it.",
)
@user_errors
def build(
    paths: Sequence[Path],
    out: Path,
    base: str | None,
    quiet: bool,
    views: bool,
    jobs: int,
    strict: bool,
) -> None:
    """Build the knowledge graph from PATHS (files or folders; default: corpus/).

    A rebuild into the same --out extracts only the documents that changed or are new."""
    from kgraph.build import build as run_build
    from kgraph.namespace import DEFAULT_BASE

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    report = run_build(
        list(paths) or ["corpus"], out, base or DEFAULT_BASE, progress, views, jobs, strict
    )
    for line in report.skipped:  # shown even with --quiet: the graph lacks these files
        click.echo(f"skipped {line}", err=True)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.by_type.items()))
    click.echo(
        f"built {out}: {len(report.documents)} documents, {report.events} events ({kinds}), "
        f"{report.entities} entities, {report.quads} quads"
        + (f"; {_count(len(report.skipped), 'file')} skipped (see above)" if report.skipped else "")
    )
    if views:
        from kgraph.build import MAP_FILE, VIEW_FILE

        click.echo(f"views: {out / VIEW_FILE} (network), {out / MAP_FILE} (map)")


def _count(n: int, noun: str) -> str:
    """A count and its noun, singular or plural, for messages.

    >>> _count(1, "file"), _count(2, "file")
    ('1 file', '2 files')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _open(store: Path, endpoint: str | None) -> Any:
    from kgraph.api import KnowledgeGraph

    return KnowledgeGraph.open(store, endpoint=endpoint)


def _filters(**kwargs: str | None) -> Any:
    from kgraph.api import Filters

    return Filters(
        party=kwargs.get("party"),
        person=kwargs.get("person"),
        country=kwargs.get("country"),
        start=kwargs.get("date_from"),
        end=kwargs.get("date_to"),
    )


@main.command()
@store_option
@filter_options
@user_errors
def visits(store: Path, endpoint: str | None, fmt: str, **filters: str | None) -> None:
    """Who visited whom: one row per visiting relation."""
    from kgraph.api import flat_visit

    with _open(store, endpoint) as kg:
        emit(kg.visit_records(_filters(**filters)), fmt, flat_visit)


@main.command()
@store_option
@filter_options
@user_errors
def agreements(store: Path, endpoint: str | None, fmt: str, **filters: str | None) -> None:
    """Signed agreements: sister cities, friendship and partner cities, MOUs, letters of intent."""
    from kgraph.api import flat_agreement

    with _open(store, endpoint) as kg:
        emit(kg.agreement_records(_filters(**filters)), fmt, flat_agreement)


@main.command()
@store_option
@click.option(
    "--type", "type_", type=click.Choice(["person", "place", "org"]), help="Only this type."
)
@filter_options
@user_errors
def entities(
    store: Path, endpoint: str | None, type_: str | None, fmt: str, **filters: str | None
) -> None:
    """People, places and organisations, with their names, titles and sources."""
    from kgraph.api import flat_entity

    with _open(store, endpoint) as kg:
        emit(kg.entity_records(type_, _filters(**filters)), fmt, flat_entity)


@main.command()
@click.argument("query", required=False)
@click.option(
    "--file",
    "file_",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a .rq file.",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind the query variable ?NAME to VALUE (repeatable), e.g. --param party=熊本縣.",
)
@store_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@user_errors
def sparql(
    query: str | None,
    file_: Path | None,
    params: Sequence[str],
    store: Path,
    endpoint: str | None,
    fmt: str,
) -> None:
    """Run a SPARQL SELECT QUERY (text, or the name of a bundled query) on the graph.

    The bundled queries (kgraph/queries/*.rq) answer the usual questions; their comments
    list the parameters they take: who_visited_whom, agreements_signed, partner_cities,
    agreements_per_year, person_met, country_happenings, partnership_timeline,
    document_says. Values are bound as RDF terms, never pasted into the query text.
    """
    from kgraph.errors import Errors

    bindings = dict(_param(p) for p in params)

    if file_ is not None:
        try:
            query = file_.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise KgraphError(Errors.E006, path=file_, reason="not UTF-8 text") from None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise KgraphError(Errors.E006, path=file_, reason=reason) from None
    if not query:
        raise KgraphError(Errors.E021)
    with _open(store, endpoint) as kg:
        rows = kg.select(query, bindings)
    emit(rows, fmt, lambda r: r)


def _param(text: str) -> tuple[str, str]:
    from kgraph.errors import Errors

    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise KgraphError(Errors.E027, value=text)
    return name.strip().lstrip("?$"), value


@main.command()
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@user_errors
def validate(store: Path, endpoint: str | None, fmt: str) -> None:
    """Check the built graph against the SHACL shapes (ontology/shapes.ttl); exit 1 on any
    violation."""
    from kgraph.errors import Errors
    from kgraph.store import open_store
    from kgraph.validate import validate as check

    with open_store(endpoint or store, read_only=True) as graph_store:
        report = check(graph_store)
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2))
    elif report.conforms:
        click.echo(f"conforms: {report.triples} triples, no violations")
    else:
        for violation in report.violations:
            click.echo(str(violation))
    if not report.conforms:
        first = str(report.violations[0]) if report.violations else "see the report"
        raise KgraphError(Errors.E043, count=len(report.violations), first=first)


@main.command()
@click.argument("url")
@build_folder_option("Folder of the built graph to push.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@user_errors
def push(url: str, store: Path, quiet: bool) -> None:
    """Load the built graph into the SPARQL store at URL, named graph by named graph (Graph
    Store Protocol), replacing graphs of the same name.

    URL is an Oxigraph server's base URL (http://host:7878), or a store's SPARQL endpoint
    for others; see the README for Virtuoso, GraphDB and other stores.
    """
    from kgraph.errors import Errors
    from kgraph.store import copy_graphs, is_url, open_store

    if not is_url(url):
        raise KgraphError(Errors.E023, url=url, reason="not an http(s) URL")
    with open_store(store, read_only=True) as source, open_store(url, read_only=False) as target:
        n = copy_graphs(source, target, None if quiet else lambda m: click.echo(m, err=True))
        click.echo(f"pushed {n} graphs from {store} to {url}: {target.count()} quads there")


@main.command()
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["turtle", "trig", "nquads", "jsonld", "ntriples", "graphml", "csv"]),
    help="RDF (turtle, trig, nquads, jsonld, ntriples), GraphML for Gephi, or CSV tables.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="File (or folder, for csv) to write; default graph.ttl, graph.graphml, tables/ ….",
)
@store_option
@user_errors
def export(fmt: str, out: Path | None, store: Path, endpoint: str | None) -> None:
    """Write the graph for other tools: RDF files, GraphML (Gephi) or CSV tables."""
    from kgraph.export import default_name
    from kgraph.export import export as run_export

    target = out or Path(default_name(fmt).rstrip("/"))
    written = run_export(store, fmt, target, endpoint=endpoint)
    click.echo(f"wrote {written}")


@main.command()
@build_folder_option("Folder of the built graph to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7879, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Time limit of one query, in seconds.",
)
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Query processes."
)
@click.option(
    "--max-answer",
    default=64,
    show_default=True,
    type=click.IntRange(min=1),
    help="Result-size limit: the largest answer sent, in MiB (larger ones get 422).",
)
@click.option("--quiet", "-q", is_flag=True, help="No request log.")
@user_errors
def serve(
    store: Path, host: str, port: int, timeout: float, workers: int, max_answer: int, quiet: bool
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (/sparql) with a query page (/)."""
    from kgraph.serve import serve as run_server

    def ready(url: str) -> None:
        message = f"kgraph: serving {store} at {url}/sparql (query page {url}/); Ctrl+C stops"
        click.echo(message, err=True)

    run_server(
        store, host, port, timeout, workers, quiet=quiet, ready=ready, max_answer=max_answer << 20
    )


def page_options(default: str) -> Callable[[F], F]:
    """``--out`` (default ``default``) and ``--title``, for the commands that write a page."""

    def decorate(func: F) -> F:
        func = click.option("--title", default=None, help="Title of the page.")(func)
        return click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            default=Path(default),
            show_default=True,
            help="HTML file to write.",
        )(func)

    return decorate


@main.command()
@page_options("view.html")
@store_option
@click.option(
    "--max-nodes",
    default=None,
    type=click.IntRange(min=0),
    help="Draw at most this many entities, the best-connected ones (0: all; default: 800).",
)
@user_errors
def viz(
    out: Path, title: str | None, store: Path, endpoint: str | None, max_nodes: int | None
) -> None:
    """Write the interactive network view: one HTML file that works offline, with filters
    by year, relation and country, search, and the source passages of every fact."""
    from kgraph.viz import DEFAULT_TITLE, MAX_NODES, write_view

    limit = MAX_NODES if max_nodes is None else max_nodes or None
    with _open(store, endpoint) as kg:
        written = write_view(kg, out, title or DEFAULT_TITLE, limit)
        click.echo(f"wrote {written}")


@main.command(name="map")
@page_options("map.html")
@store_option
@user_errors
def map_(out: Path, title: str | None, store: Path, endpoint: str | None) -> None:
    """Write the map of partner places (points from the gazetteer, lines to the home city):
    one HTML file that works offline."""
    from kgraph.mapview import DEFAULT_TITLE, write_map

    with _open(store, endpoint) as kg:
        click.echo(f"wrote {write_map(kg, out, title or DEFAULT_TITLE)}")


@main.command(name="eval")
@click.option(
    "--gold", required=True, type=click.Path(path_type=Path), help="Folder of gold *.jsonl files."
)
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--errors", "show_errors", is_flag=True, help="Also list what was missed or wrong.")
@user_errors
def evaluate(gold: Path, store: Path, endpoint: str | None, fmt: str, show_errors: bool) -> None:
    """Score the built graph against gold answers (precision, recall, F1)."""
    from kgraph.errors import Errors
    from kgraph.evaluate import evaluate as score
    from kgraph.evaluate import load_gold

    if not gold.exists():
        raise KgraphError(Errors.E001, path=gold)
    records = load_gold(gold)
    with _open(store, endpoint) as kg:
        report = score(records, kg.visit_records(), kg.agreement_records(), kg.entity_records())
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(report.to_table())
    if show_errors:
        for kind in ("visits", "agreements", "persons"):
            click.echo(f"\n## {kind}")
            for err in report.errors(kind):
                click.echo(f"  {err}")


# The choices of ``kgraph analyze`` (kgraph.analysis.MEASURES and COUNT_BY, not imported here
# so that --help does not load NetworkX; tests check they agree).
ANALYSIS_MEASURES = ["centrality", "communities", "ego", "counts", "contacts", "dormant"]
COUNT_BY = ["year", "country", "kind"]


@main.command()
@click.argument("measure", type=click.Choice(ANALYSIS_MEASURES), metavar="MEASURE")
@click.option("--name", metavar="NAME", help="ego: the party or person at the centre.")
@click.option(
    "--radius",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="ego: how many steps from the centre.",
)
@click.option(
    "--by",
    type=click.Choice(COUNT_BY),
    default="year",
    show_default=True,
    help="counts: per year, per partner country, or per kind of visit and agreement.",
)
@click.option(
    "--years",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="dormant: no visit nor signing in this many years.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="dormant: the end of those years (YYYY, YYYY-MM or YYYY-MM-DD); "
    "default: the latest dated happening.",
)
@click.option(
    "--domestic", is_flag=True, help="contacts, dormant: also partners of the home country."
)
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Only the first N rows.")
@store_option
@click.option(
    "--format", "fmt", type=FORMATS, default="table", show_default=True, help="Output format."
)
@user_errors
def analyze(
    measure: str,
    name: str | None,
    radius: int,
    by: str,
    years: int,
    as_of: str | None,
    domestic: bool,
    top: int | None,
    store: Path,
    endpoint: str | None,
    fmt: str,
) -> None:
    """Network measures of the parties (NetworkX): MEASURE is one of

    \b
    centrality   degree, weighted degree, betweenness, eigenvector of each party
    communities  groups of parties tied more to each other (Louvain, fixed seed)
    ego          whom --name (a party or a person) deals with, --radius steps out
    counts       visits, agreements, partnerships per --by year|country|kind
    contacts     first and latest contact with each partner, and how many
    dormant      partners with agreements but no visit nor signing in --years
    """
    from kgraph.analysis import analyze as run_measure
    from kgraph.analysis import frame_records

    with _open(store, endpoint) as kg:
        frame = run_measure(
            kg,
            measure,
            name=name,
            radius=radius,
            by=by,
            years=years,
            as_of=as_of,
            domestic=domestic,
        )
    if measure == "dormant" and frame.attrs["end"]:
        span = f"from {frame.attrs['start']} to {frame.attrs['end']}"
        click.echo(f"kgraph: partners with no visit nor signing {span}", err=True)
    emit(frame_records(frame.head(top) if top else frame), fmt, _rounded)


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its floats rounded to 4 places, for tables and CSV (JSON keeps them all)."""
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def emit(records: list[dict[str, Any]], fmt: str, flatten: Callable[[dict], dict]) -> None:
    """Print records as JSON (the full contract), CSV or an aligned table (flattened)."""
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [flatten(r) for r in records]
    if fmt == "csv":
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    click.echo(table(rows))


def table(rows: list[dict[str, Any]], max_width: int = 40) -> str:
    """An aligned plain-text table; wide CJK characters count double.

    >>> print(table([{"a": "高雄市", "b": 1}]))
    a       b
    ------  -
    高雄市  1
    """
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    cells = [[_cell(r.get(c), max_width) for c in columns] for r in rows]
    widths = [max(_width(c), *(_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = [_line(columns, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in cells]
    return "\n".join(lines)


def _cell(value: Any, max_width: int) -> str:
    text = "" if value is None else str(value)
    while _width(text) > max_width:
        text = text[:-2] + "…"
    return text


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()


if __name__ == "__main__":  # pragma: no cover
    main()
