"""Tests for the gazetteer CSVs and kgraph.gazetteer."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from kgraph.errors import KgraphError
from kgraph.gazetteer import (
    ORG_COLUMNS,
    ORG_KINDS,
    PLACE_COLUMNS,
    PLACE_KINDS,
    Gazetteer,
    GazetteerEntry,
    default_dir,
    normalize_name,
)

QID = re.compile(r"^Q\d+$")


def _rows(name: str) -> list[dict[str, str]]:
    with (default_dir() / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def places() -> list[dict[str, str]]:
    return _rows("places.csv")


@pytest.fixture(scope="module")
def orgs() -> list[dict[str, str]]:
    return _rows("orgs.csv")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


# ---------------------------------------------------------------- CSV integrity


def test_headers() -> None:
    for name, cols in [
        ("places.csv", PLACE_COLUMNS),
        ("places_curated.csv", PLACE_COLUMNS),
        ("orgs.csv", ORG_COLUMNS),
    ]:
        with (default_dir() / name).open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == cols, name


def test_place_kinds_and_countries(places: list[dict[str, str]]) -> None:
    countries = {r["key"] for r in places if r["kind"] == "country"}
    assert len(countries) > 240
    for r in places:
        assert r["kind"] in PLACE_KINDS, r
        assert r["country"] in countries, r
        if r["kind"] == "country":
            assert r["country"] == r["key"], r
        assert r["source"] in {"pycountry", "geonames", "curated"}, r
        assert re.fullmatch(r"([A-Z]{2})?", r["country_code"]), r


def test_org_kinds_and_countries(places: list[dict[str, str]], orgs: list[dict[str, str]]) -> None:
    countries = {r["key"] for r in places if r["kind"] == "country"}
    for r in orgs:
        assert r["kind"] in ORG_KINDS, r
        if r["kind"] in {"international", "parliament"} and not r["country"]:
            continue
        assert r["country"] in countries, r


def test_no_duplicate_keys(places: list[dict[str, str]], orgs: list[dict[str, str]]) -> None:
    for rows in (places, orgs, _rows("places_curated.csv")):
        dups = [k for k, n in Counter(r["key"] for r in rows).items() if n > 1]
        assert not dups


def test_wikidata_ids(places: list[dict[str, str]], orgs: list[dict[str, str]]) -> None:
    for r in [*places, *orgs]:
        assert not r["wikidata"] or QID.match(r["wikidata"]), r
    qids = [r["wikidata"] for r in places if r["wikidata"]]
    assert not [q for q, n in Counter(qids).items() if n > 1]


def test_parents_exist(places: list[dict[str, str]], orgs: list[dict[str, str]]) -> None:
    keys = {r["key"] for r in places} | {r["key"] for r in orgs}
    for r in [*places, *orgs]:
        assert not r["parent"] or r["parent"] in keys, r


def test_coordinates_in_range(places: list[dict[str, str]]) -> None:
    for r in places:
        if r["lat"]:
            assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, r


def test_no_alias_shared_between_places(places: list[dict[str, str]]) -> None:
    keys = {normalize_name(r["key"]) for r in places}
    seen: Counter[str] = Counter()
    for r in places:
        own = normalize_name(r["key"])
        aliases = {normalize_name(a) for a in r["aliases"].split("|") if a} - {own}
        assert not aliases & keys, r
        seen.update(aliases)
    assert not [a for a, n in seen.items() if n > 1]


def test_no_place_abroad_is_named_by_a_home_district(places: list[dict[str, str]]) -> None:
    """美濃 and 岡山 are Kaohsiung's districts before they are Mino or Okayama in Japan
    (home_district_names.txt); those stay found by their full names."""
    text = (default_dir() / "home_district_names.txt").read_text(encoding="utf-8")
    districts = {line for line in text.splitlines() if line and not line.startswith("#")}
    assert len(districts) == 38
    for r in places:
        if r["country"] != "台灣":
            assert not districts & set(r["aliases"].split("|")), r
    keys = {r["key"] for r in places}
    assert {"美濃市", "岡山市", "岡山縣"} <= keys


def test_sorted_output(places: list[dict[str, str]]) -> None:
    keys = [r["key"] for r in places]
    assert keys == sorted(keys)


# ---------------------------------------------------------------- runtime API


def test_load(gaz: Gazetteer) -> None:
    assert len(gaz) > 1000
    assert Gazetteer.load() is Gazetteer.load()  # cached
    fresh = Gazetteer.load(default_dir())
    assert fresh is not gaz and len(fresh) == len(gaz)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("釜山", "釜山市"),
        ("釜山廣域市", "釜山市"),
        ("釜山市", "釜山市"),
        ("熊本市", "熊本市"),
        ("熊本縣", "熊本縣"),
        ("德州", "德克薩斯州"),
        ("加州", "加利福尼亞州"),
        ("南韓", "韓國"),
        ("大韓民國", "韓國"),
        ("澳大利亞", "澳洲"),
        ("史瓦帝尼王國", "史瓦帝尼"),
        ("索馬利蘭", "索馬利蘭"),
        ("科索沃", "科索沃"),
        ("聖安東尼市", "聖安東尼市"),
        ("橘郡", "橘郡"),
        ("布拉提斯拉瓦省", "布拉提斯拉瓦省"),
        ("格丁尼亞", "格丁尼亞市"),
        ("東京", "東京都"),
        ("美國在臺協會", "美國在台協會"),
        ("經發局", "高雄市政府經濟發展局"),
        ("行國處", "高雄市政府行政暨國際處"),
    ],
)
def test_lookup_aliases(gaz: Gazetteer, name: str, key: str) -> None:
    entry = gaz.lookup(name)
    assert entry is not None, name
    assert entry.key == key


def test_tai_variants(gaz: Gazetteer) -> None:
    assert gaz.lookup("臺北") == gaz.lookup("台北")
    assert gaz.lookup("臺北市") is gaz.lookup("台北市")
    assert gaz.lookup("臺灣") is gaz.lookup("台灣")
    assert gaz.lookup("  台北市 ") is not None


def test_entry_fields(gaz: Gazetteer) -> None:
    e = gaz.lookup("熊本市")
    assert isinstance(e, GazetteerEntry)
    assert e.type == "place" and e.kind == "city"
    assert e.names[0] == e.key == "熊本市"
    assert e.country == "日本" and e.country_code == "JP"
    assert e.parent == "熊本縣"
    assert e.lat is not None and 30 < e.lat < 35
    org = gaz.lookup("美國在台協會高雄分處")
    assert org is not None and org.type == "org" and org.kind == "foreign_office"
    assert org.country_code == "US"
    office = gaz.lookup("教育局")
    assert office is not None and office.parent == "高雄市" and office.country == "台灣"


def test_country(gaz: Gazetteer) -> None:
    assert gaz.country("日本") is gaz.lookup("日本")
    c = gaz.country("橘郡")
    assert c is not None and c.key == "美國"
    c = gaz.country("關島")
    assert c is not None and c.key == "美國"
    assert gaz.country("不存在") is None


def test_names_cover_keys_and_variants(gaz: Gazetteer) -> None:
    names = dict(gaz.names())
    assert names["釜山廣域市"].key == "釜山市"
    assert names["臺北"].key == "台北市"
    for entry in gaz:
        assert names[entry.key] is entry or names[entry.key].key == entry.key


def test_custom_directory(tmp_path: Path) -> None:
    (tmp_path / "places.csv").write_text(
        ",".join(PLACE_COLUMNS)
        + "\n日本,日本國,Japan,日本,JP,country,,Q17,,,pycountry\n"
        + "熊本市,熊本,Kumamoto,日本,JP,city,,,32.8,130.7,curated\n",
        encoding="utf-8",
    )
    g = Gazetteer.load(tmp_path)
    assert len(g) == 2
    e = g.lookup("熊本")
    assert e is not None and e.key == "熊本市" and e.lon == 130.7
    c = g.country("熊本")
    assert c is not None and c.wikidata == "Q17"


def test_kgraph_s_own_gazetteer_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kgraph.gazetteer as gazetteer

    (tmp_path / "places.csv").write_text("key\n", encoding="utf-8")
    monkeypatch.setattr(gazetteer, "default_dir", lambda: tmp_path)
    gazetteer._load_default.cache_clear()
    try:
        with pytest.raises(KgraphError, match=r"\[E040\] .*orgs\.csv"):
            Gazetteer.load()
    finally:
        gazetteer._load_default.cache_clear()
