"""kgraph.build: from report files to a build folder, swapped in atomically."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import leftovers, snapshot

import kgraph
from kgraph import build as build_module
from kgraph.build import build, extract_document, source_of
from kgraph.errors import InputError, KgraphError
from kgraph.graph import build_graph_iri
from kgraph.ingest import read_document
from kgraph.model import DateSpan, Document
from kgraph.namespace import DEFAULT_BASE, ONTOLOGY_IRI
from kgraph.normalise import normalise
from kgraph.store import GRAPH_FILE, MANIFEST_FILE, STORE_DIR, EmbeddedStore

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
H1_2025 = CORPUS / "kaohsiung-2025h1-international-affairs.txt"
# The first two items of the 2025 h1 report: a book exchange with Pristina and Kumamoto's visit.
SAMPLE = H1_2025.read_text(encoding="utf-8")[:420]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, build_module.BuildReport]:
    folder = tmp_path_factory.mktemp("sample")
    doc = folder / "sample-report.txt"
    doc.write_text(SAMPLE, encoding="utf-8")
    messages: list[str] = []
    report = build([doc], folder / "kg-out", progress=messages.append)
    assert any("sample-report.txt" in m for m in messages)
    return folder / "kg-out", report


def test_build_writes_the_folder(sample_build: tuple[Path, build_module.BuildReport]) -> None:
    out, report = sample_build
    assert (out / STORE_DIR).is_dir()
    assert (out / GRAPH_FILE).stat().st_size > 0
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    (entry,) = manifest["documents"]
    assert (entry["name"], entry["doc_id"]) == ("sample-report.txt", "sample-report")
    assert len(entry["content_hash"]) == 64
    assert manifest["quads"] == report.quads > 0
    assert manifest["events"] == report.events == sum(report.by_type.values())
    assert report.documents == ("sample-report.txt",)
    assert leftovers(out.parent, "kg-out") == []


def test_graph_trig_holds_what_the_store_holds(
    sample_build: tuple[Path, build_module.BuildReport],
) -> None:
    """graph.trig is written as the store is loaded, not dumped from it: every graph,
    the ontology's and the build's included, must still be the same."""
    import pyoxigraph as ox

    out, report = sample_build
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        stored = ox.Dataset(store.store)
    parsed = list(ox.parse(path=out / GRAPH_FILE, format=ox.RdfFormat.TRIG))
    written = ox.Dataset(parsed)
    for dataset in (stored, written):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert len(written) == len(stored) == report.quads
    assert set(map(str, written)) == set(map(str, stored))
    graphs = {str(q.graph_name) for q in written}
    assert {f"<{ONTOLOGY_IRI}>", f"<{build_graph_iri(DEFAULT_BASE)}>"} <= graphs
    # As written, not as a store would keep it: each quad once, each literal in the form
    # the store keeps (a store canonicalises "1.50"^^xsd:decimal to "1.5").
    as_written = [str(q) for q in parsed if str(q.graph_name) != f"<{ONTOLOGY_IRI}>"]
    assert len(as_written) == len(set(as_written))
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    assert set(as_written) == {str(q) for q in stored if q.graph_name != ontology}
    assert not (out / "trig-lines").exists()  # the spool is gone from the build


def test_build_finds_the_sample_visit(sample_build: tuple[Path, build_module.BuildReport]) -> None:
    out, _ = sample_build
    with kgraph.open(str(out)) as kg:
        visits = kg.visit_records()
        text = read_document(out.parent / "sample-report.txt").text
        assert visits
        for r in visits:
            for s in r["sources"]:
                assert text[s["start"] : s["end"]] == s["quote"]
        assert any("熊本" in (r["visitor"]["label"] or "") for r in visits)


def test_build_store_matches_its_report(
    sample_build: tuple[Path, build_module.BuildReport],
) -> None:
    out, report = sample_build
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        assert store.count() == report.quads


def test_rebuild_replaces_the_previous_build(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(SAMPLE, encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "kg-out"
    build([first], out)
    build([second], out)
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert [d["name"] for d in manifest["documents"]] == ["b.txt"]
    assert leftovers(tmp_path, "kg-out") == []


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("missing.txt", None, "E001"),
        ("empty.txt", b"", "E002"),
        ("binary.txt", bytes(range(256)) * 4, "E003"),
        ("table.xlsx", b"PK\x03\x04", "E004"),
    ],
)
def test_bad_input_raises_and_writes_nothing(
    name: str, content: bytes | None, error: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "kg-out"
    with pytest.raises(InputError, match=rf"\[{error}\]"):
        build([path], out)
    assert not out.exists()
    assert leftovers(tmp_path, "kg-out") == []


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failed_write_keeps_the_previous_build(
    failure: BaseException,
    sample_build: tuple[Path, build_module.BuildReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    previous, _ = sample_build
    out = tmp_path / "kg-out"
    shutil.copytree(previous, out)
    before = snapshot(out)
    doc = tmp_path / "other.txt"
    doc.write_text(SAMPLE, encoding="utf-8")

    def broken_write(*_args: object) -> None:  # the last write of a build
        raise failure

    monkeypatch.setattr(build_module, "_write_manifest", broken_write)
    with pytest.raises(type(failure)):
        build([doc], out)
    assert snapshot(out) == before
    assert leftovers(tmp_path, "kg-out") == []


def test_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("do not delete", encoding="utf-8")
    with pytest.raises(KgraphError, match=r"\[E012\]"):
        build([doc], out)
    assert snapshot(out) == {"thesis.tex": hashlib.sha256(b"do not delete").hexdigest()}
    assert leftovers(tmp_path, "mine") == []


def test_source_of_maps_back_to_the_original_text() -> None:
    original = "高雄市　陳其邁市長於１１４年３月訪問日本熊本縣。"
    doc = Document(doc_id="d", name="d.txt", path="d.txt", text=original, media_type="text/plain")
    norm = normalise(original)
    start = norm.text.index("陳其邁")
    source = source_of(doc, norm, start, start + 3)
    assert source.quote == "陳其邁"
    assert original[source.start : source.end] == "陳其邁"
    start = norm.text.index("114年3月")
    source = source_of(doc, norm, start, start + len("114年3月"))
    assert source.quote == "１１４年３月"


def test_extract_document_sources_quote_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sample.txt"
    path.write_text(SAMPLE.replace("114年", "１１４年"), encoding="utf-8")
    doc = read_document(path)
    happenings = extract_document(doc)
    assert happenings
    assert any(_sources(h) for h in happenings)
    for h in happenings:
        for source in _sources(h):
            assert doc.text[source.start : source.end] == source.quote


def _sources(value: object) -> list:
    """Every Source anywhere inside a happening (dataclasses, tuples)."""
    from dataclasses import fields, is_dataclass

    from kgraph.model import Source

    if isinstance(value, Source):
        return [value]
    if isinstance(value, tuple | list):
        return [s for item in value for s in _sources(item)]
    if is_dataclass(value) and not isinstance(value, type):
        return [s for f in fields(value) for s in _sources(getattr(value, f.name))]
    return []


def _happenings(text: str) -> list:
    return extract_document(Document("d", "d.md", "d.md", text))


def test_a_paragraph_that_goes_on_with_the_story_before_it_takes_its_date() -> None:
    found = _happenings(
        "高雄市政府行政暨國際處116年度業務報告\n\n國際城市締盟\n\n"
        "2027年4月布爾諾副市長率團回訪，與羅達生副市長會晤。\n\n"
        "兩市學校簽署意向書\n\n"
        "新興高中與布爾諾第2中學簽署教育交流意向書。\n"
    )
    (signing,) = [h for h in found if h.agreements]
    assert signing.date == DateSpan("2027-04", "2027-04")


def test_a_paragraph_about_another_place_or_a_numbered_item_takes_no_date_from_before() -> None:
    other_place = _happenings(
        "高雄市政府行政暨國際處116年度業務報告\n\n國際城市締盟\n\n"
        "2027年4月布爾諾副市長率團回訪，與羅達生副市長會晤。\n\n"
        "新興高中與里昂第2中學簽署教育交流意向書。\n"
    )
    numbered = _happenings(
        "高雄市政府行政暨國際處116年度業務報告\n壹、國際事務\n"
        "1.2027年4月布爾諾副市長率團回訪，與羅達生副市長會晤。\n"
        "2.新興高中與布爾諾第2中學簽署教育交流意向書。\n"
    )
    for found in (other_place, numbered):
        (signing,) = [h for h in found if h.agreements]
        assert signing.date is None


# --------------------------------------------------------------------------- scale


def _quads(out: Path) -> set[str]:
    """The document graphs' quads (the build graph's time stamp and the ontology's blank
    nodes differ per build)."""
    import pyoxigraph as ox

    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        return _document_quads(store.store.dump(format=ox.RdfFormat.N_QUADS).decode())


def _document_quads(nquads: str) -> set[str]:
    return {
        line
        for line in nquads.splitlines()
        if "/graph/_build>" not in line and not line.endswith("/ontology> .")
    }


def _two_reports(folder: Path) -> list[Path]:
    folder.mkdir()
    first, second = folder / "a.txt", folder / "b.txt"
    first.write_text(SAMPLE, encoding="utf-8")
    second.write_text(H1_2025.read_text(encoding="utf-8")[420:1400], encoding="utf-8")
    return [first, second]


def test_a_rebuild_extracts_only_changed_and_new_documents(tmp_path: Path) -> None:
    first, second = _two_reports(tmp_path / "in")
    out = tmp_path / "kg-out"
    build([first], out)
    messages: list[str] = []
    build([first, second], out, progress=messages.append)
    assert "a.txt: " in messages[0] and messages[0].endswith("(unchanged)")
    assert messages[1].startswith("b.txt: ") and messages[1].endswith("(extracted)")
    again = tmp_path / "again"
    build([first, second], again)  # from nothing: the same graph
    assert _quads(out) == _quads(again)
    first.write_text(SAMPLE + "\n", encoding="utf-8")
    messages.clear()
    build([first, second], out, progress=messages.append)
    assert messages[0].endswith("(extracted)") and messages[1].endswith("(unchanged)")


def test_a_cache_of_other_code_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgraph import cache

    (first,) = _two_reports(tmp_path / "in")[:1]
    out = tmp_path / "kg-out"
    build([first], out)
    monkeypatch.setattr(cache, "fingerprint", lambda: "other code")
    messages: list[str] = []
    build([first], out, progress=messages.append)
    assert messages[0].endswith("(extracted)")


def test_jobs_give_the_same_graph_in_the_same_order(tmp_path: Path) -> None:
    files = _two_reports(tmp_path / "in")
    one, two = tmp_path / "one", tmp_path / "two"
    build(files, one, views=False)
    messages: list[str] = []
    build(files, two, views=False, jobs=2, progress=messages.append)
    assert [m.split(":")[0] for m in messages[:2]] == ["a.txt", "b.txt"]
    assert _quads(one) == _quads(two)


def test_a_parallel_build_writes_the_same_exports_and_views(tmp_path: Path) -> None:
    """With --jobs 2 the dump is written beside the views: the files are the same."""
    files = _two_reports(tmp_path / "in")
    one, two = tmp_path / "one", tmp_path / "two"
    build(files, one)
    build(files, two, jobs=2)
    assert _quads(one) == _quads(two)
    assert _trig_quads(one) == _trig_quads(two) == _quads(one)
    assert _document_blocks(one) == _document_blocks(two)  # the workers' lines, sorted
    for page in (build_module.VIEW_FILE, build_module.MAP_FILE):
        assert (one / page).read_bytes() == (two / page).read_bytes()


def _document_blocks(out: Path) -> dict[str, bytes]:
    """The blocks of graph.trig by graph IRI, as the manifest places them: all but the
    build's graph, and the ontology's (whose blank nodes the store names)."""
    data = (out / GRAPH_FILE).read_bytes()
    trig = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["trig"]
    blocks = {g: data[start : start + length] for g, (start, length) in trig.items()}
    assert sum(map(len, blocks.values())) == len(data)
    return {g: b for g, b in blocks.items() if not g.endswith(("/graph/_build", "/ontology"))}


def _trig_quads(out: Path) -> set[str]:
    """The document graphs' quads as graph.trig has them, in N-Quads."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(out / GRAPH_FILE), format=ox.RdfFormat.TRIG)
    return _document_quads(store.dump(format=ox.RdfFormat.N_QUADS).decode())


def test_a_bad_file_fails_in_a_worker_as_one_clear_error(tmp_path: Path) -> None:
    good, _ = _two_reports(tmp_path / "in")
    bad = tmp_path / "in" / "c.txt"
    bad.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"\[E003\]"):
        build([good, bad], tmp_path / "kg-out", jobs=2, strict=True)
    assert not (tmp_path / "kg-out").exists()


# bad files ------------------------------------------------------------------------

GOOD = "112年3月5日，日本熊本市長大西一史率團訪問高雄市，拜會陳其邁市長。\n"


def bad_folder(root: Path) -> tuple[Path, dict[str, str]]:
    """A folder of one good report and every kind of file a download folder holds that
    cannot be read; returns it and, per bad file, the error code it must be skipped with."""
    folder = root / "downloads"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": b" \n\t\n",
        "binary.txt": bytes(range(256)) * 8,
        "mixed.txt": GOOD.encode() * 5 + "高雄市政府新聞稿".encode("cp950"),
        "broken.docx": b"PK\x03\x04 not a zip",
        "broken.pdf": b"%PDF-1.7 truncated",
        "broken.pptx": b"garbage",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    expected = {
        "empty.txt": "E002",
        "blank.txt": "E002",
        "binary.txt": "E003",
        "mixed.txt": "E013",
        "broken.docx": "E006",
        "broken.pdf": "E006",
        "broken.pptx": "E006",
        "huge.txt": "E009",
        "loop.txt": "E014",
    }
    return folder, expected


def test_bad_files_are_skipped_one_line_each(tmp_path: Path) -> None:
    folder, expected = bad_folder(tmp_path)
    report = build([folder], tmp_path / "kg-out", views=False)
    assert report.documents == ("good.txt",)
    assert report.events > 0
    assert len(report.skipped) == len(expected)
    for line in report.skipped:
        assert "\n" not in line
        (name,) = [n for n in expected if n in line]
        assert line.startswith(f"[{expected[name]}]")
    manifest = json.loads((tmp_path / "kg-out" / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["skipped"] == list(report.skipped)


def test_strict_fails_on_the_first_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    folder, _ = bad_folder(tmp_path)
    with pytest.raises(InputError):
        build([folder], tmp_path / "kg-out", views=False, strict=True)
    assert not (tmp_path / "kg-out").exists()
    assert leftovers(tmp_path, "kg-out") == []


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)))
    with pytest.raises(InputError) as error:
        build([tmp_path], tmp_path / "kg-out", views=False)
    assert error.value.code == "E015"
    assert "all 2 files were skipped (the first: [E003] " in str(error.value)


def test_two_files_that_would_be_one_document_stop_the_build(tmp_path: Path) -> None:
    """Each document has a graph of its own, named by its id: two files whose names give
    one id would be merged into one graph."""
    text = "高雄市政府國際事務報告\n一、112年3月5日，日本熊本市長訪高。\n"
    (tmp_path / "a b.txt").write_text(text, encoding="utf-8")
    (tmp_path / "a_b.txt").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        build([tmp_path], tmp_path / "kg-out", views=False)
    assert error.value.code == "E016"
    assert "a b.txt and " in str(error.value) and "a_b.txt would both be document a-b" in str(
        error.value
    )
    assert not (tmp_path / "kg-out").exists()


def test_two_builds_give_isomorphic_graphs_with_the_same_iris(tmp_path: Path) -> None:
    from rdflib import Dataset, URIRef
    from rdflib.compare import to_isomorphic

    from kgraph.graph import build_graph_iri
    from kgraph.namespace import DEFAULT_BASE

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD + SAMPLE, encoding="utf-8")
    (folder / "b.txt").write_text(
        "113年5月2日，高雄市長陳其邁率團訪問日本東京都。\n", encoding="utf-8"
    )

    def graphs(out: Path) -> dict[str, Any]:
        build([folder], out, views=False)
        data = Dataset()
        data.parse(out / GRAPH_FILE, format="trig")
        skip = URIRef(str(build_graph_iri(DEFAULT_BASE)))  # the build's own time and id
        return {
            str(g.identifier): to_isomorphic(g)
            for g in data.graphs()
            if g.identifier != skip and len(g)
        }

    def iris(graph: Any) -> set[str]:
        return {str(n) for t in graph for n in t if isinstance(n, URIRef)}

    first, second = graphs(tmp_path / "one"), graphs(tmp_path / "two")
    assert first.keys() == second.keys() and len(first) >= 3
    for name, graph in first.items():
        assert graph == second[name], name
        assert iris(graph) == iris(second[name])


# crashes --------------------------------------------------------------------------

KILL_POINTS = 20


def assert_readable_build(out: Path) -> dict[str, Any]:
    """The output folder is one whole build: its manifest, store and TriG copy agree."""
    import pyoxigraph as ox

    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    with EmbeddedStore(out / STORE_DIR, read_only=True) as store:
        assert store.count() == manifest["quads"]
    assert len(list(ox.parse(path=out / GRAPH_FILE, format=ox.RdfFormat.TRIG))) > 0
    return manifest


def test_a_build_killed_at_any_moment_leaves_the_previous_output(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD + SAMPLE, encoding="utf-8")
    out = tmp_path / "kg-out"
    command = [str(Path(sys.executable).parent / "kgraph"), "build", "-q", "--out", str(out)]
    start = time.monotonic()
    subprocess.run([*command, str(folder)], check=True, capture_output=True)
    seconds = time.monotonic() - start
    old = assert_readable_build(out)
    (folder / "b.txt").write_text("113年5月2日，陳其邁市長率團訪問日本東京都。\n", encoding="utf-8")
    outcomes = set()
    for i in range(KILL_POINTS):  # from just after start to just past the end of a build
        process = subprocess.Popen([*command, str(folder)], stderr=subprocess.DEVNULL)
        time.sleep(seconds * 1.2 * (i + 0.5) / KILL_POINTS)
        process.send_signal(signal.SIGKILL)
        process.wait()
        manifest = assert_readable_build(out)
        assert manifest == old or len(manifest["documents"]) == 2
        outcomes.add(len(manifest["documents"]))
    assert 1 in outcomes  # most kills land before the swap
    subprocess.run([*command, str(folder)], check=True, capture_output=True)
    assert len(assert_readable_build(out)["documents"]) == 2
    assert leftovers(tmp_path, "kg-out") == []


# hostile content --------------------------------------------------------------------

HOSTILE_REPORT = "\n".join(
    [
        "一、112年13月45日，日本熊本市長率團訪問高雄市。",
        "二、113年2月30日，美國「洛杉磯市」代表團訪問高雄市，簽署備忘錄。",
        "三、9999年1月1日及0年0月0日，高雄市長陳其邁出訪{東京都}。",
        '四、市長與"大阪<府>"知事會面，雙方簽署 MOU（x" } ; DROP ALL ; #）。',
        "五、" + "高" * 5000 + "市長率團訪問高雄市。",
        "六、The Mayor of Kaohsiung met the Mayor of São Paulo. 東京都知事と会談した。مرحبا 🙂",
        "七、控制字元\u0007與\u200b零寬空格、\ufffd替代字元\u202e反向文字。",
    ]
)


def test_hostile_content_builds_valid_rdf(tmp_path: Path) -> None:
    import pyoxigraph as ox

    (tmp_path / "hostile.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    out = tmp_path / "kg-out"
    report = build([tmp_path / "hostile.txt"], out)
    assert report.documents == ("hostile.txt",) and not report.skipped
    quads = list(ox.parse(path=out / GRAPH_FILE, format=ox.RdfFormat.TRIG))  # strict parser
    assert len(quads) == report.quads
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                assert not set(term.value) & set('<>"{}|^`\\ '), term.value
        if isinstance(quad.object, ox.Literal) and quad.object.datatype.value.endswith("#date"):
            date.fromisoformat(quad.object.value)  # impossible dates never reach the graph
    for page in ("view.html", "map.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert "<府>" not in html  # text from a report never becomes markup


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_news_article_dates_its_story_from_its_own_date(tmp_path: Path, gap: str) -> None:
    """昨（15）日 in an article dated 2024-03-16 is the 15th: the visit keeps that date,
    not the dateline's, whether blank lines part the headline, dateline and text or not."""
    path = tmp_path / "news.txt"
    path.write_text(
        gap.join(
            [
                "陳其邁接見熊本縣知事 盼深化半導體合作",
                "2024-03-16 00:20 中央社",
                "高雄市長陳其邁昨（15）日接見來訪的日本熊本縣知事木村敬一行，雙方就合作交換意見。",
            ]
        ),
        encoding="utf-8",
    )
    found = [h for h in extract_document(read_document(path)) if h.visits]
    visits = [(v.visitor.key, v.host.key, v.direction) for h in found for v in h.visits]
    assert visits == [("熊本縣", "高雄市", "inbound")]
    assert {h.date for h in found} == {DateSpan("2024-03-15", "2024-03-15")}


def _article(tmp_path: Path, *lines: str) -> list:
    path = tmp_path / "news.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return extract_document(read_document(path))


def _visit_rows(found: list) -> list[tuple[str, str, str, str | None]]:
    return sorted(
        (v.visitor.key, v.host.key, v.direction, h.date.start if h.date else None)
        for h in found
        for v in h.visits
    )


def test_an_invitation_to_the_home_side_is_no_trip(tmp_path: Path) -> None:
    """邀請陳其邁明年率團訪問: 陳其邁 is named without a title there, yet the article named
    him beside one (高雄市長陳其邁) before, so the trip is the home side's, and only asked."""
    found = _article(
        tmp_path,
        "高松市長訪高雄",
        "2025/03/14 16:20",
        "日本高松市長梶浦輝明今天率團拜會高雄市長陳其邁，雙方就觀光交換意見。",
        "梶浦輝明說，兩市情誼深厚。他也邀請陳其邁明年率團訪問高松市，體驗當地文化。",
    )
    assert _visit_rows(found) == [("高松市", "高雄市", "inbound", "2025-03-14")]


def test_people_named_again_keep_the_party_the_article_gave_them(tmp_path: Path) -> None:
    found = _article(
        tmp_path,
        "高松市長訪高雄",
        "2025/03/14 16:20",
        "日本高松市長梶浦輝明今天率團拜會高雄市長陳其邁。",
        "梶浦輝明表示，陳其邁的邀請讓他印象深刻。",
    )
    people = {(p.name, p.of) for h in found for p in h.persons}
    assert ("梶浦輝明", "高松市") in people and ("陳其邁", "高雄市") in people
    assert not {name for name, party in people if party not in ("高松市", "高雄市")}


def test_an_articles_paragraphs_go_on_with_its_trip_abroad(tmp_path: Path) -> None:
    """Each paragraph is a unit of its own; one that goes on with the trip the one before
    told (訪團15日抵達福岡…) keeps the home side abroad, on the day it names (16日)."""
    found = _article(
        tmp_path,
        "副市長率團訪日",
        "發布日期：2025-09-19",
        "高雄市副市長林欽榮率領訪問團，於9月15日至19日赴日本福岡、北九州及大阪訪問。",
        "訪團15日抵達福岡，16日拜會福岡縣知事佐藤和也，雙方交換意見。",
        "17日訪團前往北九州市，由林副市長與北九州市長梶浦輝明簽署備忘錄。"
        "梶浦市長簽約後並陪同訪團參觀生態城。",
        "18日訪團轉往大阪，拜會大阪府副知事松本美香。",
    )
    rows = _visit_rows(found)
    assert ("高雄市", "福岡縣", "outbound", "2025-09-15") in rows
    assert ("高雄市", "大阪府", "outbound", "2025-09-18") in rows
    assert ("高雄市", "北九州市", "outbound", "2025-09-17") in rows
    assert all(direction == "outbound" for _, _, direction, _ in rows)  # the hosts stay home
    people = {p.name for h in found for p in h.persons}
    assert {"佐藤和也", "松本美香"} <= people


def test_an_articles_day_is_worth_more_than_a_month_it_mentions(tmp_path: Path) -> None:
    found = _article(
        tmp_path,
        "副市長北上拜會",
        "2025/07/08 15:42 中國時報 記者林小明／高雄報導",
        "高雄市副市長羅達生8日北上台北，拜會日本台灣交流協會台北事務所代表片山隆之，"
        "邀請日本企業參加10月在高雄舉辦的遊艇展。",
    )
    assert _visit_rows(found) == [("高雄市", "日本台灣交流協會台北事務所", "local", "2025-07-08")]


def test_a_person_named_by_family_name_and_title_keeps_the_party_given_before(
    tmp_path: Path,
) -> None:
    found = _article(
        tmp_path,
        "副市長率團訪日",
        "發布日期：2025-09-19",
        "高雄市副市長林欽榮率團於9月16日拜會日本福岡縣知事梶浦輝明，雙方交換意見。",
        "梶浦知事表示，福岡縣期盼與高雄加強往來。",
    )
    parties = {p.of for h in found for p in h.persons if p.name.startswith("梶浦")}
    assert parties == {"福岡縣"}


def test_a_dated_paragraph_starts_a_story_of_its_own() -> None:
    """The home side went abroad in March; a paragraph dated August that tells of guests
    received at home is not part of that trip."""
    found = _happenings(
        "高雄市政府行政暨國際處114年度業務報告\n\n國際城市交流\n\n"
        "114年3月，陳其邁市長率團訪問日本熊本市。\n\n"
        "114年8月，本府設宴款待來訪的熊本市議會議員團。\n"
    )
    assert _visit_rows(found) == [
        ("熊本市議會", "高雄市", "inbound", "2025-08"),
        ("高雄市", "熊本市", "outbound", "2025-03"),
    ]


def test_a_bylines_day_is_no_day_of_the_story(tmp_path: Path) -> None:
    found = _article(
        tmp_path,
        "陳其邁接見熊本縣知事",
        "2024/03/14 16:20",
        "（中央社記者王小明高雄14日電）高雄市長陳其邁昨（13）日接見來訪的日本熊本縣知事梶浦輝明。",
    )
    assert _visit_rows(found) == [("熊本縣", "高雄市", "inbound", "2024-03-13")]
