"""The map of partners (kgraph/mapview.py): its data, its page (offline, escaped), its file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_viz import (
    BUSAN,
    HOME,
    KUMAMOTO,
    XSS,
    agreement,
    entity,
    network_urls,
    records,
    script_tags,
    visit,
)

import kgraph
from kgraph.errors import StoreError
from kgraph.mapview import MapData, map_data, map_data_from_records, render_map, unwrap, write_map

DOM_IDS = ("map", "legend", "partners", "unmapped", "organisations")
PORTLAND = entity("波特蘭市", country="美國", lat=45.52345, lon=-122.67621)


@pytest.fixture
def data() -> MapData:
    return map_data_from_records(*records())


def block(html: str, name: str = "kgraph-data") -> dict:
    m = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert m, f"no {name} block"
    loaded: dict = json.loads(m.group(1))
    return loaded


# --------------------------------------------------------------------------- the data


def test_partners_count_their_relations_with_the_home_city(data: MapData) -> None:
    assert data.home is not None and data.home.label == "高雄市"
    kumamoto = data.partner("熊本市")
    assert (kumamoto.visits_in, kumamoto.visits_out, kumamoto.agreements) == (2, 0, 0)
    assert kumamoto.partnerships == ("friendship_city",) and kumamoto.strongest == "partnership"
    assert (kumamoto.first, kumamoto.latest) == ("2017", "2024-04-06")
    pref = data.partner("熊本縣")
    assert (pref.visits_out, pref.agreements, pref.strongest) == (1, 1, "agreement")
    assert data.partner("釜山市").strongest == "visit"
    labels = [p.label for p in data.partners]
    assert labels[0] == "熊本市" and labels[-1] == "釜山市"  # strongest relation first
    assert "孤島市" not in labels and "日本" not in labels and "高雄市" not in labels


def test_partners_without_a_point_are_listed_not_dropped(data: MapData) -> None:
    assert [p.label for p in data.mapped] == ["熊本市", "釜山市"]
    assert [p.label for p in data.unmapped] == ["熊本縣"]  # a region: no gazetteer point
    assert [p.label for p in data.organisations] == ["日本台灣交流協會"]
    assert len(data.mapped) + len(data.unmapped) + len(data.organisations) == len(data.partners)


def test_a_visit_between_two_foreign_parties_makes_no_partner() -> None:
    data = map_data_from_records([HOME, KUMAMOTO, BUSAN], [visit(BUSAN, KUMAMOTO, "2024")])
    assert data.partners == ()


def test_longitudes_take_the_short_way_round() -> None:
    data = map_data_from_records([HOME, PORTLAND], [visit(PORTLAND, HOME, "2024")])
    lon = data.partner("波特蘭市").lon
    assert lon is not None and lon == pytest.approx(360 - 122.67621)
    assert unwrap(-170.0, 170.0) == 190.0 and unwrap(10.0, 120.0) == 10.0


def test_a_home_city_without_a_point_draws_no_lines() -> None:
    home = {**HOME, "lat": None, "lon": None}
    data = map_data_from_records([home, PORTLAND], [visit(PORTLAND, home, "2024")])
    assert data.home is None and data.partner("波特蘭市").lon == -122.67621
    assert block(render_map(data))["home"] is None


def test_an_undated_agreement_leaves_the_contact_dates_empty() -> None:
    data = map_data_from_records([HOME, BUSAN], [], [agreement([BUSAN, HOME], None)])
    busan = data.partner("釜山市")
    assert busan.agreements == 1 and busan.first is None and busan.latest is None


# --------------------------------------------------------------------------- the page


def test_the_map_page_is_offline(data: MapData) -> None:
    html = render_map(data, title="Test map")
    assert network_urls(html) == []
    assert "url(images/" not in html  # Leaflet's stylesheet images are not beside the page
    assert "tile" not in block(html)  # no tile layer anywhere in the data
    assert "<title>Test map</title>" in html and '<meta charset="utf-8">' in html
    for dom_id in DOM_IDS:
        assert f'id="{dom_id}"' in html, dom_id
    assert "window.kgraphMap" in html and "L.map(" in html and "topojson" in html
    assert len(script_tags(html)) == 5  # data, outlines, Leaflet, topojson-client, the page
    assert block(html, "kgraph-countries")["type"] == "Topology"


def test_the_data_block_holds_the_partners(data: MapData) -> None:
    got = block(render_map(data))
    assert got["home"]["label"] == "高雄市" and got["home"]["lon"] == pytest.approx(120.31333)
    assert [p["label"] for p in got["mapped"]] == ["熊本市", "釜山市"]
    assert got["mapped"][0]["strongest"] == "partnership" and got["mapped"][0]["visits"] == 2
    assert [p["label"] for p in got["unmapped"]] == ["熊本縣"]
    assert got["styles"]["relations"]["partnership"]["color"]


def test_the_page_lists_the_partners_without_coordinates(data: MapData) -> None:
    html = render_map(data)
    unmapped = html.split('id="unmapped"')[1].split("</ul>")[0]
    assert "熊本縣" in unmapped and "日本" in unmapped and "1 agreement" in unmapped
    organisations = html.split('id="organisations"')[1].split("</ul>")[0]
    assert "日本台灣交流協會" in organisations


def test_the_map_script_never_writes_markup() -> None:
    from kgraph.viz import STATIC_DIR

    script = (STATIC_DIR / "map.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    # Leaflet sets string popups and tooltips as HTML: the page passes elements only
    assert "bindPopup(popup(" in script and 'bindTooltip(el("span"' in script
    assert 'setPrefix("Leaflet")' in script  # plain text, not Leaflet's link to its site


def test_a_name_with_markup_is_text_on_the_map() -> None:
    evil = entity(XSS, country="<b>國</b>", lat=10.0, lon=100.0)
    vague = entity("<img src=x onerror=alert(2)>", kind="region")
    data = map_data_from_records(
        [HOME, evil, vague], [visit(evil, HOME, "2024"), visit(vague, HOME, "2024")]
    )
    html = render_map(data)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>國" not in html
    assert len(script_tags(html)) == 5
    assert r"\u003cscript\u003ealert(1)\u003c/script\u003e" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the list beside the map
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert block(html)["mapped"][0]["label"] == XSS


# --------------------------------------------------------------------------- the file


def test_write_map_writes_atomically_and_fails_in_one_line(tmp_path: Path) -> None:
    from test_viz import _Stub

    out = tmp_path / "maps" / "map.html"
    assert write_map(_Stub(), out) == out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["map.html"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError) as caught:
        write_map(_Stub(), tmp_path / "file" / "map.html")
    assert caught.value.code == "E012" and "\n" not in str(caught.value)


# --------------------------------------------------------------------------- a built input


def test_script_in_a_report_stays_off_the_map(script_build: Path, tmp_path: Path) -> None:
    with kgraph.open(str(script_build)) as kg:
        html = write_map(kg, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and len(script_tags(html)) == 5
    assert [p["label"] for p in block(html)["mapped"]] == ["熊本市"]


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus_map(built_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, MapData]:
    out = tmp_path_factory.mktemp("map") / "map.html"
    with kgraph.open(str(built_corpus)) as kg:
        write_map(kg, out)
        data = map_data(kg)
    return out.read_text(encoding="utf-8"), data


def test_the_corpus_map(corpus_map: tuple[str, MapData]) -> None:
    html, data = corpus_map
    assert network_urls(html) == []
    assert data.home is not None and data.home.label == "高雄市"
    kumamoto = data.partner("熊本市")
    assert kumamoto.mapped and kumamoto.strongest == "partnership"
    assert not data.partner("熊本縣").mapped and data.partner("熊本縣") in data.unmapped
    assert all(abs(p.lon - data.home.lon) <= 180 for p in data.mapped if p.lon is not None)
    got = block(html)
    assert len(got["mapped"]) == len(data.mapped) >= 30
    assert "熊本縣" in html.split('id="unmapped"')[1].split("</ul>")[0]
