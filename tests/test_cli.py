"""The command line: help, and bad input giving one line on stderr, an error exit, no output."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import leftovers, snapshot

from kgraph.cli import main, table

COMMANDS = [
    "build",
    "viz",
    "map",
    "visits",
    "agreements",
    "entities",
    "sparql",
    "eval",
    "validate",
    "push",
    "export",
    "serve",
    "analyze",
]
KGRAPH = Path(sys.executable).parent / "kgraph"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result: Result, code: str) -> None:
    """A user error: exit 1, nothing on stdout, one line on stderr naming the error code."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kgraph: [{code}] "), lines[0]
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- help


def test_main_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_every_command_is_listed() -> None:
    assert sorted(main.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_command_help(command: str, flag: str) -> None:
    result = run(command, flag)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and command in result.stdout
    assert "Traceback" not in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert "0." in result.stdout


# --------------------------------------------------------------------------- bad build input


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Inputs ``kgraph build`` must refuse, with the error code each gives."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    blank = folder / "blank.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    binary = folder / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    sheet = folder / "table.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    nothing = folder / "nothing"
    nothing.mkdir()
    return {
        "missing": (folder / "no-such-report.txt", "E001"),
        "empty": (empty, "E002"),
        "blank": (blank, "E002"),
        "binary": (binary, "E003"),
        "xlsx": (sheet, "E004"),
        "empty folder": (nothing, "E007"),
    }


CASES = ["missing", "empty", "blank", "binary", "xlsx", "empty folder"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_leaves_no_output(
    case: str, bad_inputs: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    path, code = bad_inputs[case]
    out = tmp_path / "kg-out"
    result = run("build", str(path), "--out", str(out))
    assert_one_line_error(result, code)
    assert not out.exists()
    assert leftovers(tmp_path, "kg-out") == []


@pytest.mark.parametrize("case", CASES)
def test_bad_input_keeps_the_previous_build(
    case: str,
    bad_inputs: dict[str, tuple[Path, str]],
    built_corpus: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "kg-out"
    shutil.copytree(built_corpus, out)
    before = snapshot(out)
    path, code = bad_inputs[case]
    result = run("build", str(path), "--out", str(out), "--quiet")
    assert_one_line_error(result, code)
    assert snapshot(out) == before
    assert leftovers(tmp_path, "kg-out") == []


def test_strict_one_bad_file_among_good_ones_builds_nothing(
    bad_inputs: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    good = Path(__file__).resolve().parents[1] / "corpus" / "kaohsiung-2022-annual-report.txt"
    out = tmp_path / "kg-out"
    result = run("build", "--strict", str(good), str(bad_inputs["binary"][0]), "--out", str(out))
    assert_one_line_error(result, "E003")
    assert not out.exists()


def test_build_refuses_to_replace_a_folder_that_is_not_a_build(
    built_corpus: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "report.txt"
    shutil.copy(
        Path(__file__).resolve().parents[1] / "corpus" / "kaohsiung-2022-annual-report.txt", doc
    )
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.md").write_text("keep me", encoding="utf-8")
    result = run("build", str(doc), "--out", str(out), "--quiet")
    assert_one_line_error(result, "E012")
    assert snapshot(out) == {"notes.md": hashlib.sha256(b"keep me").hexdigest()}
    assert leftovers(tmp_path, "precious") == []


# --------------------------------------------------------------------------- bad query input


@pytest.mark.parametrize("command", ["visits", "agreements", "entities"])
def test_missing_store(command: str, tmp_path: Path) -> None:
    result = run(command, "--store", "/nonexistent")
    assert_one_line_error(result, "E010")
    result = run(command, "--store", str(tmp_path))  # exists, but is no build
    assert_one_line_error(result, "E011")


def test_missing_store_for_sparql_and_eval(tmp_path: Path) -> None:
    assert_one_line_error(
        run("sparql", "SELECT * WHERE { ?s ?p ?o }", "--store", "/nonexistent"), "E010"
    )
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.jsonl").write_text("", encoding="utf-8")
    assert_one_line_error(run("eval", "--gold", str(gold), "--store", "/nonexistent"), "E010")


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("value", ["2025-13", "2025-02-30", "yesterday", "", "2025/01"])
def test_bad_date_filter(option: str, value: str, built_corpus: Path) -> None:
    result = run("visits", "--store", str(built_corpus), option, value)
    assert_one_line_error(result, "E041")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p }",
        "SELECT ?x WHERE { ?s ?p ?o } LIMIT 1 }",
        "not sparql at all",
        "DROP ALL",
        "DELETE WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
    ],
)
def test_bad_sparql(query: str, built_corpus: Path) -> None:
    result = run("sparql", query, "--store", str(built_corpus))
    assert_one_line_error(result, "E020")


def test_sparql_without_a_query(built_corpus: Path) -> None:
    assert_one_line_error(run("sparql", "--store", str(built_corpus)), "E021")


def test_sparql_file_that_is_not_text(built_corpus: Path, tmp_path: Path) -> None:
    query = tmp_path / "bad.rq"
    query.write_bytes(b"\xff\xfe\xfa SELECT")
    result = run("sparql", "--file", str(query), "--store", str(built_corpus))
    assert_one_line_error(result, "E006")


def test_eval_missing_gold(built_corpus: Path, tmp_path: Path) -> None:
    result = run("eval", "--gold", str(tmp_path / "nope"), "--store", str(built_corpus))
    assert_one_line_error(result, "E001")
    result = run("eval", "--gold", str(tmp_path), "--store", str(built_corpus))
    assert_one_line_error(result, "E030")


def test_unreachable_endpoint() -> None:
    result = run("visits", "--endpoint", "http://127.0.0.1:9")
    assert_one_line_error(result, "E023")


# --------------------------------------------------------------------------- the real entry point


def _kgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not KGRAPH.is_file():
        pytest.skip(f"no installed kgraph entry point at {KGRAPH}")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(KGRAPH), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_entry_point_error_path(tmp_path: Path, built_corpus: Path) -> None:
    out = tmp_path / "kg-out"
    for args, code in [
        (("build", str(tmp_path / "missing.txt"), "--out", str(out)), "E001"),
        (("visits", "--store", "/nonexistent"), "E010"),
        (("sparql", "SELECT * WHERE { ?s ?p }", "--store", str(built_corpus)), "E020"),
    ]:
        proc = _kgraph(*args, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout == ""
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith(f"kgraph: [{code}] ")
        assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert leftovers(tmp_path, "kg-out") == []


def test_entry_point_help(tmp_path: Path) -> None:
    proc = _kgraph("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Usage: kgraph" in proc.stdout


# --------------------------------------------------------------------------- table


def test_table_aligns_wide_characters() -> None:
    text = table([{"city": "高雄市", "n": 1}, {"city": "Kumamoto", "n": 22}])
    lines = text.splitlines()
    assert lines[0] == "city      n"
    assert lines[2] == "高雄市    1"
    assert lines[3] == "Kumamoto  22"


def test_table_cuts_long_cells() -> None:
    text = table([{"a": "x" * 100}], max_width=10)
    assert text.splitlines()[2] == "x" * 9 + "…"
    assert table([]) == "(no rows)"


# --------------------------------------------------------------------------- export, serve


def test_export_choices_are_the_export_formats() -> None:
    from kgraph.export import EXPORT_FORMATS

    option = next(p for p in main.commands["export"].params if p.name == "fmt")
    assert tuple(option.type.choices) == EXPORT_FORMATS  # type: ignore[attr-defined]


def test_export_command_writes_graphml(built_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "kg.graphml"
    result = run("export", "--store", str(built_corpus), "--format", "graphml", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_build_refuses_a_bad_base_iri(tmp_path: Path) -> None:
    doc = tmp_path / "r.txt"
    doc.write_text("1.112年1月1日，日本熊本縣知事訪高。", encoding="utf-8")
    result = run("build", str(doc), "--out", str(tmp_path / "out"), "--base", "not an iri")
    assert_one_line_error(result, "E042")
    assert not (tmp_path / "out").exists()


def test_serve_answers_over_http_until_stopped(built_corpus: Path) -> None:
    """``kgraph serve`` as a user starts it: a process on a free port, asked over HTTP."""
    import json
    import select
    import signal
    import urllib.parse
    import urllib.request

    process = subprocess.Popen(
        [str(KGRAPH), "serve", "--store", str(built_corpus), "--port", "0", "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 60)
        assert ready, "kgraph serve said nothing within 60 s"
        line = process.stderr.readline()
        assert "serving" in line, line
        url = line.split(" at ", 1)[1].split()[0]  # http://127.0.0.1:PORT/sparql
        query = (
            "PREFIX kg: <https://w3id.org/kgraph/ontology#> SELECT ?d WHERE { ?d a kg:Document }"
        )
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            rows = json.load(response)["results"]["bindings"]
        assert len(rows) == 5
    finally:
        process.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert process.wait(timeout=30) == 0


def test_build_skips_bad_files_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "112年3月5日，日本熊本市長率團訪問高雄市。\n", encoding="utf-8"
    )
    (folder / "binary.txt").write_bytes(bytes(range(256)))
    out = tmp_path / "kg-out"
    result = run("build", "-q", "--no-views", "--out", str(out), str(folder))
    assert result.exit_code == 0, result.output
    assert "skipped [E003]" in result.output and "binary.txt" in result.output
    assert "1 file skipped" in result.output
    assert "Traceback" not in result.output
    strict = run("build", "-q", "--strict", "--out", str(tmp_path / "other"), str(folder))
    assert strict.exit_code != 0
    assert strict.output.strip().count("\n") == 0 and "binary.txt" in strict.output
    assert not (tmp_path / "other").exists()
