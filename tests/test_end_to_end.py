"""End to end: the five reports of corpus/ built once, then asked through the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kgraph.api import ROW_ORDER, sort_rows
from kgraph.cli import main
from kgraph.ingest import read_document
from kgraph.normalise import name_key

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "gold"
H1_2025 = "kaohsiung-2025h1-international-affairs.txt"
HOSTILE = 'x" } ; DROP ALL ; #'

VISIT_KEYS = {
    "event",
    "type",
    "start",
    "end",
    "visitor",
    "visitor_persons",
    "host",
    "host_persons",
    "direction",
    "sources",
}
AGREEMENT_KEYS = {"event", "kind", "date", "parties", "signatories", "sources"}
ENTITY_KEYS = {"iri", "type", "label", "label_en", "aliases", "titles", "country", "sources"}
PARTY_KEYS = {"iri", "label", "label_en", "aliases", "country"}
PERSON_KEYS = {"iri", "label", "aliases"}
SOURCE_KEYS = {"doc", "start", "end", "quote"}
# The contract names YYYY-MM-DD and YYYY-MM; a year alone also occurs ("於 2006 年締結").
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# --------------------------------------------------------------------------- helpers


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def listing(built: Path, command: str, *args: str) -> list[dict[str, Any]]:
    records = json.loads(ok(command, "--store", str(built), "--format", "json", *args))
    assert isinstance(records, list)
    return records


@cache
def original_text(name: str) -> str:
    return read_document(CORPUS / name).text


def names(record: dict[str, Any]) -> set[str]:
    found = [record.get("label"), record.get("label_en"), *record.get("aliases", [])]
    return {name_key(n) for n in found if n}


def quad_count(built: Path) -> int:
    rows = json.loads(
        ok(
            "sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "--store",
            str(built),
            "--format",
            "json",
        )
    )
    return int(rows[0]["n"])


@pytest.fixture(scope="module")
def all_visits(built_corpus: Path) -> list[dict[str, Any]]:
    return listing(built_corpus, "visits")


# --------------------------------------------------------------------------- visits


def test_visits_cover_every_report(all_visits: list[dict[str, Any]]) -> None:
    docs = {s["doc"] for r in all_visits for s in r["sources"]}
    assert docs == {p.name for p in CORPUS.glob("*.txt")}
    assert len(docs) == 5


def test_visit_json_has_exactly_the_contract_keys(all_visits: list[dict[str, Any]]) -> None:
    assert all_visits
    for r in all_visits:
        assert set(r) == VISIT_KEYS, r
        assert r["type"] in {"visit", "video_meeting", "agreement", "event"}
        assert r["direction"] in {"inbound", "outbound", "local"}
        assert isinstance(r["event"], str) and r["event"].startswith("http")
        for key in ("start", "end"):
            assert r[key] is None or DATE.match(r[key]), r[key]
        for key in ("visitor", "host"):
            assert set(r[key]) >= PARTY_KEYS, r[key]
            assert isinstance(r[key]["aliases"], list)
        for person in [*r["visitor_persons"], *r["host_persons"]]:
            assert set(person) >= PERSON_KEYS, person
        assert r["sources"], r
        for source in r["sources"]:
            assert set(source) == SOURCE_KEYS
            assert isinstance(source["start"], int) and isinstance(source["end"], int)


def test_every_quote_is_the_original_text_at_its_offsets(built_corpus: Path) -> None:
    records = [
        *listing(built_corpus, "visits"),
        *listing(built_corpus, "agreements"),
        *listing(built_corpus, "entities"),
    ]
    sources = [s for r in records for s in r["sources"]]
    assert len(sources) > 100
    for s in sources:
        text = original_text(s["doc"])
        assert 0 <= s["start"] < s["end"] <= len(text), s
        assert text[s["start"] : s["end"]] == s["quote"], s


# ---------------------------------------------------------------- agreements and entities


def test_agreement_json_keys(built_corpus: Path) -> None:
    records = listing(built_corpus, "agreements")
    assert records
    for r in records:
        assert set(r) >= AGREEMENT_KEYS, r
        assert r["date"] is None or DATE.match(r["date"])
        for party in r["parties"]:
            assert set(party) >= PARTY_KEYS
        for person in r["signatories"]:
            assert set(person) >= PERSON_KEYS


def test_orange_county_sister_city_agreement(built_corpus: Path) -> None:
    records = listing(built_corpus, "agreements", "--party", "橘郡")
    found = [
        r
        for r in records
        if r["date"] == "2025-04-15"
        and r["kind"] == "sister_city"
        and any(s["doc"] == H1_2025 for s in r["sources"])
    ]
    assert found, records
    assert any(
        any("姊妹市" in s["quote"] for s in r["sources"] if s["doc"] == H1_2025) for r in found
    )
    assert all(any("橘郡" in names(p) for p in r["parties"]) for r in found)


def test_entities_persons_include_the_mayor(built_corpus: Path) -> None:
    records = listing(built_corpus, "entities", "--type", "person")
    assert records
    assert {r["type"] for r in records} == {"person"}
    assert "陳其邁" in {r["label"] for r in records}
    for r in records:
        assert set(r) >= ENTITY_KEYS, r
        for title in r["titles"]:
            assert {"title", "of", "date"} <= set(title)


# --------------------------------------------------------------------------- filters


def _expect_subset(filtered: list[dict[str, Any]], everything: list[dict[str, Any]], keep: Any):
    expected = [r for r in everything if keep(r)]
    assert expected, "the corpus should have answers for this filter"
    assert filtered == expected
    assert len(filtered) < len(everything)


def test_party_filter(built_corpus: Path, all_visits: list[dict[str, Any]]) -> None:
    wanted = name_key("熊本縣")
    _expect_subset(
        listing(built_corpus, "visits", "--party", "熊本縣"),
        all_visits,
        lambda r: wanted in names(r["visitor"]) or wanted in names(r["host"]),
    )


def test_person_filter(built_corpus: Path, all_visits: list[dict[str, Any]]) -> None:
    _expect_subset(
        listing(built_corpus, "visits", "--person", "陳其邁"),
        all_visits,
        lambda r: any("陳其邁" in names(p) for p in r["visitor_persons"] + r["host_persons"]),
    )


def test_country_filter(built_corpus: Path, all_visits: list[dict[str, Any]]) -> None:
    _expect_subset(
        listing(built_corpus, "visits", "--country", "日本"),
        all_visits,
        # a party of the country, or the country itself (日本 sends an envoy)
        lambda r: any("日本" in (p["country"], p["label"]) for p in (r["visitor"], r["host"])),
    )


def test_date_filter(built_corpus: Path, all_visits: list[dict[str, Any]]) -> None:
    def overlaps(r: dict[str, Any]) -> bool:
        if r["start"] is None:
            return False
        return r["start"][:7] <= "2025-06" and (r["end"] or r["start"])[:7] >= "2025-01"

    filtered = listing(built_corpus, "visits", "--from", "2025-01", "--to", "2025-06")
    _expect_subset(filtered, all_visits, overlaps)
    assert all(r["start"] and r["start"] <= "2025-06-30" for r in filtered)


def test_filters_combine(built_corpus: Path) -> None:
    both = listing(built_corpus, "visits", "--country", "日本", "--from", "2025-01")
    japan = listing(built_corpus, "visits", "--country", "日本")
    assert both and len(both) < len(japan)
    assert all(r in japan for r in both)


def test_hostile_party_filter_finds_nothing_and_harms_nothing(built_corpus: Path) -> None:
    manifest = (built_corpus / "manifest.json").read_bytes()
    before = quad_count(built_corpus)
    for command in ("visits", "agreements", "entities"):
        assert listing(built_corpus, command, "--party", HOSTILE) == []
        assert listing(built_corpus, command, "--person", HOSTILE) == []
        assert listing(built_corpus, command, "--country", HOSTILE) == []
    assert quad_count(built_corpus) == before > 0
    assert (built_corpus / "manifest.json").read_bytes() == manifest
    assert listing(built_corpus, "visits")


# --------------------------------------------------------------------------- formats


def test_table_format_prints_a_header(built_corpus: Path) -> None:
    lines = ok("visits", "--store", str(built_corpus)).splitlines()
    assert lines[0].split()[:4] == ["start", "end", "type", "visitor"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) > 3


def test_csv_format_prints_a_header(built_corpus: Path) -> None:
    for command, first in (("visits", "start"), ("agreements", "date"), ("entities", "type")):
        out = ok(command, "--store", str(built_corpus), "--format", "csv")
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][0] == first, rows[0]
        assert len(rows) > 2
        assert all(len(row) == len(rows[0]) for row in rows)


def test_table_with_no_rows(built_corpus: Path) -> None:
    out = ok("visits", "--store", str(built_corpus), "--party", "no such party")
    assert out.strip() == "(no rows)"


# --------------------------------------------------------------------------- sparql and eval


def test_sparql_count(built_corpus: Path) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    lines = ok("sparql", query, "--store", str(built_corpus)).splitlines()
    assert lines[0].strip() == "n"
    assert int(lines[2]) > 1000
    assert quad_count(built_corpus) == int(lines[2])


def test_sparql_file(built_corpus: Path) -> None:
    path = Path(__file__).resolve().parents[1] / "kgraph" / "queries" / "visits.rq"
    rows = json.loads(
        ok("sparql", "--file", str(path), "--store", str(built_corpus), "--format", "json")
    )
    assert rows
    assert {"event", "type", "visitor", "host", "direction"} <= set(rows[0])
    by_name = json.loads(ok("sparql", "visits", "--store", str(built_corpus), "--format", "json"))
    # The same rows; by name, in the bundled query's order (the query text leaves it to
    # kgraph, see api.ROW_ORDER).
    assert by_name == sort_rows(rows, ROW_ORDER["visits"])


def test_eval_prints_an_overall_row(built_corpus: Path) -> None:
    if not GOLD.is_dir():
        pytest.skip(f"no shared gold answers at {GOLD}")
    out = ok("eval", "--gold", str(GOLD), "--store", str(built_corpus))
    overall = [line for line in out.splitlines() if line.startswith("overall")]
    assert overall, out
    assert "visits" in overall[0]
