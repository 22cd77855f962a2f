"""The network view (kgraph/viz.py): its data, its page (offline, escaped) and its file.

The page's behaviour in a browser is tested elsewhere (playwright); here the data, the HTML
text and the files are checked, on invented records and on the built corpus.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import kgraph
from kgraph import viz
from kgraph.api import KnowledgeGraph, RecordSet
from kgraph.errors import KgraphError, StoreError
from kgraph.viz import (
    KINDS,
    MENTIONS_SHOWN,
    RELATIONS,
    STATIC_DIR,
    ViewData,
    inline,
    json_for_html,
    json_pieces,
    read_asset,
    render_view,
    styles,
    view_data,
    view_data_from_records,
    vis_network,
    write_view,
)

EX = "https://example.org/id/"
XSS = "<script>alert(1)</script>"
DOM_IDS = ("year-from", "year-to", "country", "search", "legend", "panel", "network", "reset")

# --------------------------------------------------------------------------- invented records


def entity(label: str, type: str = "place", kind: str | None = "city", **fields: Any) -> dict:
    """An entity record in the JSON contract of ``KnowledgeGraph.entity_records``."""
    record = {
        "iri": f"{EX}{type}/{label}",
        "type": type,
        "kind": kind if type == "place" else None,
        "label": label,
        "label_en": None,
        "aliases": [],
        "titles": [],
        "country": None,
        "wikidata": None,
        "lat": None,
        "lon": None,
        "sources": [],
    }
    record.update(fields)
    return record


def ref(e: dict) -> dict:
    """A record's reference to an entity (as visits and agreements carry them)."""
    return {k: e.get(k) for k in ("iri", "label", "label_en", "aliases", "country")}


def source(quote: str, doc: str = "report.txt", start: int = 0) -> dict:
    return {"doc": doc, "start": start, "end": start + len(quote), "quote": quote}


def visit(visitor: dict, host: dict, start: str | None, **fields: Any) -> dict:
    record = {
        "event": f"{EX}event/{visitor['label']}-{start}",
        "type": "visit",
        "start": start,
        "end": start,
        "visitor": ref(visitor),
        "visitor_persons": [],
        "host": ref(host),
        "host_persons": [],
        "direction": "inbound",
        "sources": [source(f"{start} {visitor['label']}訪高")],
    }
    record.update(fields)
    return record


def agreement(parties: list[dict], date: str | None, kind: str = "mou", **fields: Any) -> dict:
    record = {
        "event": f"{EX}event/a-{date}",
        "agreement": f"{EX}agreement/{'-'.join(p['label'] for p in parties)}-{date}",
        "kind": kind,
        "date": date,
        "ordinal": None,
        "parties": [ref(p) for p in parties],
        "signatories": [],
        "witnesses": [],
        "sources": [source(f"{date} 簽署{kind}")],
    }
    record.update(fields)
    return record


def partnership(partners: list[dict], since: str | None, kind: str = "sister_city") -> dict:
    return {
        "partnership": f"{EX}partnership/{kind}/{'-'.join(p['label'] for p in partners)}",
        "kind": kind,
        "since": since,
        "ordinal": None,
        "partners": [ref(p) for p in partners],
        "agreements": [],
        "sources": [source(f"{since} 締結{kind}")],
    }


HOME = entity("高雄市", country="台灣", label_en="Kaohsiung", lat=22.61626, lon=120.31333)
KUMAMOTO = entity("熊本市", country="日本", label_en="Kumamoto", lat=32.80589, lon=130.69181)
KUMAMOTO_PREF = entity("熊本縣", kind="region", country="日本", aliases=["熊本"])
JAPAN = entity("日本", kind="country")
BUSAN = entity("釜山市", country="韓國", lat=35.10168, lon=129.03004)
OFFICE = entity("日本台灣交流協會", type="org", country="日本")
MAYOR = entity("大西一史", type="person", titles=[{"title": "市長", "of": "熊本市", "date": None}])
CHEN = entity("陳其邁", type="person")
LONELY = entity("孤島市", country="帛琉")


def records() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """A small graph: two visits from Kumamoto (2023, 2024), one from Busan (2025) with people,
    a three-party MOU (undated), a partnership (2017), and an entity with no relation."""
    entities = [HOME, KUMAMOTO, KUMAMOTO_PREF, JAPAN, BUSAN, OFFICE, MAYOR, CHEN, LONELY]
    visits = [
        visit(KUMAMOTO, HOME, "2023-03-05", visitor_persons=[ref(MAYOR)]),
        visit(KUMAMOTO, HOME, "2024-04-06", host_persons=[ref(CHEN)]),
        visit(BUSAN, HOME, "2025-05-07"),
        visit(HOME, KUMAMOTO_PREF, "2025-06-08", direction="outbound"),
    ]
    agreements = [
        agreement([KUMAMOTO_PREF, OFFICE, HOME], None, signatories=[ref(CHEN)]),
    ]
    partnerships = [partnership([KUMAMOTO, HOME], "2017", "friendship_city")]
    return entities, visits, agreements, partnerships


@pytest.fixture
def data() -> ViewData:
    return view_data_from_records(*records())


def edge(data: ViewData, relation: str, source: str, target: str) -> Any:
    u, v = data.node(source).id, data.node(target).id
    found = [e for e in data.edges if e.relation == relation and {e.source, e.target} == {u, v}]
    assert len(found) == 1, found
    return found[0]


def network_urls(html: str) -> list[str]:
    """Every network address (http, https or protocol-relative) in a ``src``/``href`` attribute
    of the page's markup, a CSS ``url()`` or an ``@import``. Script text is not markup: the
    inlined Leaflet holds its default attribution link as a string (the map replaces it)."""
    markup = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S | re.I)
    attributes = re.findall(r"""\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", markup)
    css = re.findall(r"""url\(\s*["']?\s*((?:https?:)?//[^)"']*)""", html)
    imports = re.findall(r"""@import\s+["']?((?:https?:)?//[^"';]*)""", html)
    return attributes + css + imports


def quotes_of(block: dict) -> list[str]:
    """The quote of each passage of a data block, in order."""
    table = block["passages"]
    return [table["quotes"][q] for _doc, _start, _end, q in table["spans"]]


def data_block(html: str) -> dict:
    """The JSON of ``<script type="application/json" id="kgraph-data">``."""
    m = re.search(r'<script type="application/json" id="kgraph-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    loaded: dict = json.loads(m.group(1))
    return loaded


def script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html, re.I)


# --------------------------------------------------------------------------- the data


def test_every_entity_is_a_node_with_its_kind(data: ViewData) -> None:
    assert {n.label for n in data.nodes} == {e["label"] for e in records()[0]}
    kinds = {n.label: n.group for n in data.nodes}
    assert kinds["高雄市"] == "city" and kinds["熊本縣"] == "region" and kinds["日本"] == "country"
    assert kinds["日本台灣交流協會"] == "org" and kinds["大西一史"] == "person"
    assert [n.id for n in data.nodes] == sorted(e["iri"] for e in records()[0])  # IRIs
    assert data.node("高雄市").home and not data.node("熊本市").home
    assert data.node("日本").country == "日本"  # a country is its own country, for the filter


def test_visits_of_a_pair_are_one_directed_edge_with_their_years(data: ViewData) -> None:
    e = edge(data, "visit", "熊本市", "高雄市")
    assert (e.source, e.target) == (data.node("熊本市").id, data.node("高雄市").id)
    assert e.years == (2023, 2024) and not e.undated and len(e.facts) == 2
    out = edge(data, "visit", "高雄市", "熊本縣")
    assert out.source == data.node("高雄市").id  # the visitor, abroad


def test_people_take_part_with_their_side(data: ViewData) -> None:
    mayor = edge(data, "took_part", "大西一史", "熊本市")
    assert mayor.source == data.node("大西一史").id and mayor.years == (2023,)
    chen = edge(data, "took_part", "陳其邁", "高雄市")
    assert chen.years == (2024,)
    # a signatory's agreement is among their facts, but draws no edge to every party
    assert not data.edges_of(data.node("陳其邁"), "agreement")
    relations = {data.facts[i].relation for i in data.node("陳其邁").facts}
    assert relations == {"visit", "agreement"}


def test_an_agreement_links_every_pair_of_its_parties(data: ViewData) -> None:
    pairs = [e for e in data.edges if e.relation == "agreement"]
    assert len(pairs) == 3  # three parties: three undirected edges
    assert all(e.undated and e.years == () for e in pairs)
    assert all(e.source < e.target for e in pairs)


def test_partnership_degree_and_years(data: ViewData) -> None:
    assert edge(data, "partnership", "熊本市", "高雄市").years == (2017,)
    assert data.years == (2017, 2025)
    home = data.node("高雄市")
    assert home.degree == len(data.edges_of(home)) == 7
    assert data.node("孤島市").degree == 0 and data.node("孤島市").facts == ()
    assert Counter(e.relation for e in data.edges) == {
        "visit": 3,
        "took_part": 2,
        "agreement": 3,
        "partnership": 1,
    }


def test_facts_keep_their_passages_once(data: ViewData) -> None:
    visits = [f for f in data.facts if f.relation == "visit"]
    assert [f.start for f in visits] == ["2023-03-05", "2024-04-06", "2025-05-07", "2025-06-08"]
    quotes = [data.passages[i].quote for f in visits for i in f.passages]
    assert quotes[0] == "2023-03-05 熊本市訪高"
    assert len(data.passages) == len(set(data.passages))


def test_a_much_named_entity_lists_a_sample_of_its_passages_and_counts_them_all() -> None:
    """The home city named 30 times in each of 4 reports: its panel lists
    MENTIONS_SHOWN passages, every report's first ones before any report's later ones,
    and says how many there are; a little-named entity lists all of its own."""
    named = [
        source(f"高雄市第{i}次", doc=f"r{d}.txt", start=i * 10) for d in range(4) for i in range(30)
    ]
    home = {**HOME, "sources": named}
    lonely = {**LONELY, "sources": named[:3]}
    data = view_data_from_records([home, lonely], [], [], [])
    node = data.node("高雄市")
    assert node.mentioned == 120 and len(node.mentions) == MENTIONS_SHOWN < 120
    shown = [data.passages[i] for i in node.mentions]
    assert {p.doc for p in shown[:4]} == {"r0.txt"}  # in document order...
    rounds = MENTIONS_SHOWN // 4
    assert {p.start // 10 for p in shown} == set(range(rounds + 1))  # ...taken a round at a time
    little = data.node("孤島市")
    assert little.mentioned == 3 and [data.passages[i].quote for i in little.mentions] == [
        "高雄市第0次",
        "高雄市第1次",
        "高雄市第2次",
    ]


def test_country_choices_leave_out_the_home_city_and_loners(data: ViewData) -> None:
    assert data.countries() == [("日本", 3), ("韓國", 1)]  # 日本 itself has no edge


def test_a_reference_missing_from_the_entities_still_gets_a_node() -> None:
    ghost = entity("幽靈市", country="日本")
    data = view_data_from_records([HOME], [visit(ghost, HOME, "2024")])
    assert data.node("幽靈市").degree == 1 and data.node("幽靈市").country == "日本"


def test_no_records_give_an_empty_view() -> None:
    data = view_data_from_records([], [])
    assert data.nodes == () and data.edges == () and data.years is None
    assert data_block(render_view(data))["nodes"] == []


def test_every_kind_and_relation_has_a_look() -> None:
    look = styles()
    assert set(look["kinds"]) == set(KINDS) and set(look["relations"]) == set(RELATIONS)
    for kind in look["kinds"].values():
        assert {"label", "shape", "color"} <= set(kind)
    assert look["relations"]["agreement"]["dashes"] and look["relations"]["visit"]["arrows"]
    assert look["relations"]["partnership"]["width"] > look["relations"]["visit"]["width"]


def test_the_vis_network_has_the_looks(data: ViewData) -> None:
    net = vis_network(data)
    nodes = {n["label"]: n for n in net.nodes}
    assert nodes["熊本縣"]["shape"] == styles()["kinds"]["region"]["shape"]
    assert nodes["熊本縣"]["color"] == styles()["kinds"]["region"]["color"]
    assert nodes["高雄市"]["size"] > nodes["熊本縣"]["size"] > nodes["孤島市"]["size"]
    by_relation: dict[str, dict] = {}
    for e in net.edges:  # the first edge of each relation
        by_relation.setdefault(e["relation"], e)
    assert by_relation["visit"]["arrows"] == "to" and by_relation["agreement"]["arrows"] == ""
    assert by_relation["agreement"]["dashes"] is True
    assert by_relation["visit"]["years"] == [2023, 2024]
    assert "熊本市 → 高雄市" in by_relation["visit"]["title"]  # a plain-text tooltip
    # the font names keep their spaces (pyvis's set_options would strip them)
    assert '"Noto Sans CJK TC"' in net.options["nodes"]["font"]["face"]


def test_a_large_view_gets_fewer_layout_iterations(data: ViewData) -> None:
    def iterations(view: ViewData) -> int:
        return int(vis_network(view).options["physics"]["stabilization"]["iterations"])

    assert iterations(data) == 250
    hub, *others = data.nodes
    many = tuple(replace(hub, id=f"n{i}", label=f"n{i}") for i in range(400))
    spokes = tuple(
        replace(data.edges[0], id=f"e{i}", source=many[i % 400].id, target=hub.id)
        for i in range(4_000)
    )
    large = replace(data, nodes=(hub, *many), edges=spokes)
    assert 50 <= iterations(large) < 250  # about 600,000 node-or-edge steps in all


# --------------------------------------------------------------------------- the page


def test_the_page_is_offline_and_has_its_controls(data: ViewData) -> None:
    html = render_view(data, title="Test view")
    assert network_urls(html) == []
    assert "<title>Test view</title>" in html and '<meta charset="utf-8">' in html
    for dom_id in DOM_IDS:
        assert f'id="{dom_id}"' in html, dom_id
    for relation in RELATIONS:
        assert f'name="relation" value="{relation}"' in html
    assert '<option value="日本">日本 (3)</option>' in html
    assert 'value="2017"' in html and 'value="2025"' in html
    assert "vis-network" in html and "window.kgraphView" in html  # inlined scripts
    assert len(script_tags(html)) == 3 + 1  # vis, the page's script, the data block


def test_the_data_block_holds_the_view(data: ViewData) -> None:
    block = data_block(render_view(data))
    assert block["years"] == [2017, 2025]
    assert [n["label"] for n in block["nodes"]] == [n.label for n in data.nodes]
    assert {e["relation"] for e in block["vis"]["edges"]} == set(RELATIONS)
    assert block["vis"]["options"]["physics"]["stabilization"]["enabled"] is True
    assert block["facts"][0]["parties"][0]["role"] == "visitor"


def test_the_page_script_never_writes_markup() -> None:
    script = (STATIC_DIR / "view.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script


def test_json_for_html_escapes_what_could_end_the_script() -> None:
    value = {"x": "</script><!-- & \u2028 \u2029 '"}
    text = str(json_for_html(value))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_a_name_with_markup_is_text_in_the_page() -> None:
    evil = entity(XSS, country="日本", aliases=["<img src=x onerror=alert(2)>"])
    passage = source(f"1.112年3月5日，{XSS}代表團訪高。", doc="<b>doc</b>.txt")
    data = view_data_from_records(
        [HOME, evil], [visit(evil, HOME, "2023-03-05", sources=[passage])]
    )
    html = render_view(data)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>doc" not in html
    assert len(script_tags(html)) == 4  # only the page's own
    assert r"\u003cscript\u003ealert(1)\u003c/script\u003e" in html  # in the JSON
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the search list, autoescaped
    block = data_block(html)
    assert XSS in [n["label"] for n in block["nodes"]]
    assert quotes_of(block) == [passage["quote"]]


# --------------------------------------------------------------------------- the file


def test_write_view_writes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "folder" / "view.html"
    with _Stub() as kg:
        assert write_view(kg, out) == out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["view.html"]  # no temporary file left


def test_an_unwritable_output_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with _Stub() as kg, pytest.raises(StoreError) as caught:
        write_view(kg, blocker / "view.html")
    assert caught.value.code == "E012" and "\n" not in str(caught.value)
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    with _Stub() as kg, pytest.raises(KgraphError, match=r"\[E012\]"):
        write_view(kg, folder)


def test_a_missing_browser_asset_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(KgraphError) as caught:
        read_asset(tmp_path / "vis-network.min.js")
    assert caught.value.code == "E080" and "vis-network.min.js" in str(caught.value)


def test_inline_refuses_text_that_would_end_its_element() -> None:
    with pytest.raises(ValueError):
        inline("var s = '</script>';", "script")
    assert str(inline("a{background:url(images/x.png)}", "style")) == "a{background:none}"


class _Stub:
    """A stand-in for KnowledgeGraph serving the invented records."""

    def __enter__(self) -> _Stub:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def entity_records(self) -> list[dict]:
        return records()[0]

    def visit_records(self) -> list[dict]:
        return records()[1]

    def agreement_records(self) -> list[dict]:
        return records()[2]

    def partnership_records(self) -> list[dict]:
        return records()[3]


# --------------------------------------------------------------------------- a built input


def test_script_in_a_report_is_text_in_the_view(script_build: Path, tmp_path: Path) -> None:
    with kgraph.open(str(script_build)) as kg:
        data = view_data(kg)
        html = write_view(kg, tmp_path / "view.html").read_text(encoding="utf-8")
    quotes = [p.quote for p in data.passages]
    assert any(XSS in q for q in quotes)  # the passage keeps it...
    assert "<script>alert" not in html  # ...but never as markup
    assert len(script_tags(html)) == 4
    assert r"日本\u003cscript\u003ealert(1)\u003c/script\u003e市代表團" in html
    assert any(XSS in q for q in quotes_of(data_block(html)))
    assert {"高雄市", "日本", "熊本市"} <= {n.label for n in data.nodes}


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus_view(built_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp("view") / "view.html"
    with kgraph.open(str(built_corpus)) as kg:
        write_view(kg, out)
        counts = {
            "entities": len(kg.entity_records()),
            "visits": len(kg.visit_records()),
            "agreements": len(kg.agreement_records()),
            "partnerships": len(kg.partnership_records()),
        }
    return out.read_text(encoding="utf-8"), counts


def test_the_corpus_view_holds_the_whole_graph(corpus_view: tuple[str, dict]) -> None:
    html, counts = corpus_view
    block = data_block(html)
    assert len(block["nodes"]) == len(block["vis"]["nodes"]) == counts["entities"]
    facts = Counter(f["relation"] for f in block["facts"])
    assert facts == {
        "visit": counts["visits"],
        "agreement": counts["agreements"],
        "partnership": counts["partnerships"],
    }
    nodes = {n["label"]: n for n in block["nodes"]}
    assert nodes["高雄市"]["home"] and nodes["高雄市"]["degree"] > 100
    assert nodes["熊本縣"]["group"] == "region" and nodes["熊本縣"]["country"] == "日本"
    assert nodes["熊本市"]["group"] == "city" and nodes["熊本縣"]["facts"]
    assert block["years"][0] <= 2022 and block["years"][1] >= 2025


def test_the_corpus_view_is_offline(corpus_view: tuple[str, dict]) -> None:
    html, _ = corpus_view
    assert network_urls(html) == []
    assert len(script_tags(html)) == 4
    assert "熊本縣" in html.split('id="kgraph-data"')[0]  # the search list, for one


def test_a_large_graph_shows_home_and_its_best_connected_nodes() -> None:
    full = view_data_from_records(*records())
    capped = view_data_from_records(*records(), max_nodes=3)
    labels = {n.label for n in capped.nodes}
    assert len(capped.nodes) == 3 and capped.hidden == len(full.nodes) - 3
    assert labels == {"高雄市", "熊本市", "熊本縣"}  # home, then the most edges
    kept = {n.id for n in capped.nodes}
    assert all({e.source, e.target} <= kept for e in capped.edges)
    page = render_view(capped)
    assert 'id="hidden"' in page and "--max-nodes 0" in page
    assert 'id="hidden"' not in render_view(full) and full.hidden == 0


@pytest.mark.parametrize("limit", [1, 5, 50, 200])
def test_a_capped_view_keeps_the_nodes_the_whole_view_ranks_first(
    built_corpus: Path, limit: int
) -> None:
    """The cap ranks nodes from the edges' ends alone, without making the whole view: it
    keeps the nodes the whole view's degrees put first (home, then most edges, label, IRI)."""
    with KnowledgeGraph.open(built_corpus) as kg:
        found = RecordSet.of(kg)
    parts = (found.entities, found.visits, found.agreements, found.partnerships)
    full = view_data_from_records(*parts)
    assert len(full.nodes) > 200
    ranked = sorted(full.nodes, key=lambda n: (not n.home, -n.degree, n.label, n.iri))
    capped = view_data_from_records(*parts, max_nodes=limit)
    assert {n.iri for n in capped.nodes} == {n.iri for n in ranked[:limit]}
    assert capped.hidden == len(full.nodes) - limit


JSON_SHAPES = [
    {"spans": [[i, i + 1, XSS] for i in range(25)], "years": None, "\u2028": "&"},
    {"vis": {"nodes": [{"label": "高雄市"}], "options": {"physics": False}}},
    {1: [1, 2, 3, 4, 5], None: "x"},  # keys that are not str: the dict goes whole
    {"nested": {2: ["a", "b", "c", "d", "e"]}},
    (1, 2, 3, 4, 5, 6, 7),
    [1, 2, 3, 4],  # exactly one piece's worth
    [],
    {},
    {"a": []},
    [float("nan"), float("inf"), -0.0, 1e300, "\u2029<"],
]


@pytest.mark.parametrize("value", JSON_SHAPES)
def test_json_in_pieces_is_the_json_made_whole(value: Any) -> None:
    assert "".join(json_pieces(value, size=4)) == json_for_html(value)


def test_a_long_list_goes_out_a_piece_at_a_time() -> None:
    value = {"spans": [[i, i + 1, "高雄市"] for i in range(100)]}
    assert max(len(piece) for piece in json_pieces(value, size=4)) < len(json_for_html(value)) / 20


def test_the_view_written_in_pieces_is_the_page_rendered_whole(
    data: ViewData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole(template: str, data: Any, **context: Any) -> Iterator[str]:
        return iter([viz.render_page(template, data=json_for_html(data), **context)])

    with monkeypatch.context() as patched:
        patched.setattr(viz, "_page_pieces", whole)  # the page as it was made before
        rendered = render_view(data)
    monkeypatch.setattr(viz, "JSON_PIECE", 3)  # long lists go in pieces even here
    written = write_view(RecordSet(*map(tuple, records())), tmp_path / "view.html")
    assert written.read_text(encoding="utf-8") == rendered
