"""Segmentation: units, their markers and section paths, on small texts and on the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph.ingest import discover, read_document
from kgraph.model import NormalisedText, Unit
from kgraph.normalise import normalise
from kgraph.segment import match_marker, ordinal, segment

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def units_of(text: str) -> list[Unit]:
    return segment("d", normalise(text))


def plain(text: str) -> NormalisedText:
    return NormalisedText(text, tuple(range(len(text) + 1)))


@pytest.mark.parametrize(
    ("line", "rank", "marker"),
    [
        ("壹、一般行政", 1, "壹、"),
        ("貳拾陸、國際事務", 1, "貳拾陸、"),
        ("一、事務管理", 2, "一、"),
        ("(一)庶務工作", 3, "(一)"),
        ("1.辦理", 4, "1."),
        ("2、辦理", 4, "2、"),
        ("#### 1. 日本熊本學園大學拜會", 4, "1."),
        ("## **(二)辦公環境優化**", 3, "(二)"),
        ("1.112 年 5 月 25 日配合", 4, "1."),
        ("(12) 高雄市與韓國", 5, "(12)"),
        ("XIII. 9國使節代表團訪高", 6, "XIII."),
        ("a.112年 6月 7日", 7, "a."),
    ],
)
def test_markers_by_level(line: str, rank: int, marker: str) -> None:
    found = match_marker(line)
    assert found is not None and (found.rank, found.marker) == (rank, marker)


@pytest.mark.parametrize(
    "line", ["114/9/1 起", "3.5%成長", "2025.", "12.5萬元", "Ill. health", "照片 3："]
)
def test_dates_and_numbers_are_not_markers(line: str) -> None:
    assert match_marker(line) is None


def test_ordinals() -> None:
    assert [ordinal(m) for m in ("(三十)", "拾、", "XIV.", "c.")] == [30, 10, 14, 3]


def test_nested_items_give_section_paths_and_body() -> None:
    text = (
        "貳拾陸、國際事務\n一、姊妹市交流\n（1） 與科索沃普里斯提納圖書互贈\n"
        "114年1月16日，普里斯提納市拉瑪市長參與贈書儀式。\n"
        "（2） 熊本市參與燈會\n114年2月3日至5日，熊本市訪高。\n"
        "二、重要國際訪賓接待\n（1） 馬紹爾群島大使拜會\n114年1月21日，大使拜會。\n"
    )
    units = units_of(text)
    assert [(u.section, u.marker, u.heading) for u in units] == [
        (("國際事務", "姊妹市交流"), "(1)", "與科索沃普里斯提納圖書互贈"),
        (("國際事務", "姊妹市交流"), "(2)", "熊本市參與燈會"),
        (("國際事務", "重要國際訪賓接待"), "(1)", "馬紹爾群島大使拜會"),
    ]
    assert units[0].text.endswith("參與贈書儀式。")
    assert [u.index for u in units] == [0, 1, 2]


def test_an_item_with_sub_items_is_part_of_their_section() -> None:
    text = (
        "1.推展與國際間友好互動\n(1) 出訪考察交流\nI. 出訪日本東京\n111年7月24日，副市長出訪。\n"
        "II. 市長訪問日本\n111年12月11日，市長出訪。\n(2) 防疫交流\n111年2月22日，捐贈帛琉。\n"
    )
    units = units_of(text)
    assert [(u.section, u.marker) for u in units] == [
        (("推展與國際間友好互動", "出訪考察交流"), "I."),
        (("推展與國際間友好互動", "出訪考察交流"), "II."),
        (("推展與國際間友好互動",), "(2)"),
    ]


def test_items_without_body_are_units_but_bare_headings_are_not() -> None:
    units = units_of(
        "一、研考業務\n1.辦理研考業務管控及處理。\n2.辦理電話服務測試\n依據計畫測試2次。"
    )
    assert [u.text for u in units] == [
        "1.辦理研考業務管控及處理。",
        "2.辦理電話服務測試\n依據計畫測試2次。",
    ]


def test_markdown_headings_and_table_of_contents() -> None:
    text = (
        "# 目 錄\n\n壹、重要業務執行狀況.....\t2\n一、國際交流深化.....\t2\n(一)強化城市連結\t\n\n"
        "議長、副議長、各位議員女士、先生：\n\n"
        "# 壹、重要業務執行狀況\n\n## 一、國際交流深化\n\n### (一)強化城市連結\n\n"
        "為積極推動與姊妹市交流，本期主要辦理專案如下：\n\n"
        "#### 1. 日本熊本學園大學拜會\n\n114年9月5日，日本熊本學園大學師生拜訪高雄市政府。(照片1)\n"
    )
    units = units_of(text)
    assert [(u.section, u.marker, u.heading) for u in units] == [
        ((), "", ""),
        (("重要業務執行狀況", "國際交流深化"), "(一)", "強化城市連結"),
        (("重要業務執行狀況", "國際交流深化", "強化城市連結"), "1.", "日本熊本學園大學拜會"),
    ]
    assert all("....." not in u.text for u in units)


def test_table_layout_headings_first_then_bodies() -> None:
    """The 2022 report: the left column's headings come first, then the right column's bodies."""
    text = (
        "壹、一般行政\n一、事務管理\n(一)庶務工作\n\n\n\n(二)廳舍管理維護\n\n\n二、充實設備\n\n\n"
        "1.辦理環境美綠化\n(1)定期修剪整理。\n2.加強會場利用\n\n"
        "1.辦理公共設備之保養維護。\n\n"
        "1.辦理電梯控制系統整修工程。\n"
    )
    units = units_of(text)
    assert [(u.section, u.marker) for u in units] == [
        (("一般行政", "事務管理", "庶務工作", "辦理環境美綠化"), "(1)"),
        (("一般行政", "事務管理", "庶務工作"), "2."),
        (("一般行政", "事務管理", "廳舍管理維護"), "1."),
        (("一般行政", "充實設備"), "1."),
    ]


def test_table_layout_unmarked_paragraph_takes_the_next_heading() -> None:
    text = (
        "(一)研考業務\n(二)查核工作\n(三)教育宣導\n"
        "1.辦理研考業務管控。\n2.辦理風險管理作業\n為加強管控，函請各機關辦理。\n"
        "為保障消費者權益，會同主管機關查察。\n1.建置消費者保護網頁。\n"
    )
    assert [(u.section, u.marker) for u in units_of(text)] == [
        (("研考業務",), "1."),
        (("研考業務",), "2."),
        (("查核工作",), ""),
        (("教育宣導",), "1."),
    ]


def test_list_continued_after_a_page_break_keeps_its_section() -> None:
    """The 2023 report: a page header and the next page's headings interrupt a list."""
    header = "重要施政項目 執行成果與效益\n"
    text = (
        header
        + "三、職工管理\n1.臨時人員之審核\n審核進用臨時人員。\n2.績優人員表揚\n頒發獎座。\n"
        + header
        + "四、車輛管理\n3.辦理職工管理研習\n計108人參訓。\n1.辦理車輛先期審查\n核列汽車。\n"
        + header
        + "五、其他\n"
    )
    units = units_of(text)
    assert [(u.section, u.marker) for u in units] == [
        (("職工管理",), "1."),
        (("職工管理",), "2."),
        (("職工管理",), "3."),
        (("車輛管理",), "1."),
    ]
    assert all("重要施政項目" not in u.text for u in units)


def test_paragraph_units_without_markers() -> None:
    units = units_of(
        "拓展城市外交\n\n締盟城市波蘭格丁尼亞市與卡托維茲市、日本青森縣與陸奧市、美國關島。\n\n國際訪賓"
    )
    assert [u.marker for u in units] == ["", ""]
    assert units[0].text.startswith("拓展城市外交\n\n締盟城市")


def test_photo_captions_are_their_own_units() -> None:
    text = "一、交流\n(1)拜會\n114年1月5日拜會。\n照片 1：熊本學園大學拜會\n照片 2：出訪波蘭"
    units = units_of(text)
    assert [(u.section, u.marker, u.text[:4]) for u in units] == [
        (("交流",), "(1)", "(1)拜"),
        (("交流",), "", "照片1："),
        (("交流",), "", "照片2："),
    ]


def test_unit_text_is_the_slice_of_the_normalised_text() -> None:
    text = "一、交流\n(1)拜會\n114年1月5日拜會。"
    unit = segment("d", plain(text))[0]
    assert (unit.doc_id, unit.start, unit.end, unit.text) == ("d", 5, len(text), text[5:])


def test_empty_text_has_no_units() -> None:
    assert segment("d", plain("")) == []


CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


@pytest.mark.skipif(not CORPUS_FILES, reason="no corpus")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_units_map_back_to_the_original(path: Path) -> None:
    document = read_document(path)
    norm = normalise(document.text)
    units = segment(document.doc_id, norm)
    assert len(units) >= 10
    for unit in units:
        assert unit.text.strip() and unit.text == norm.text[unit.start : unit.end]
        start, end = norm.to_original(unit.start, unit.end)
        assert 0 <= start < end <= len(document.text)
        original = document.text[start:end]
        assert original[0] == document.text[norm.offsets[unit.start]]
        assert unit.text.replace("\n", "")[:1] in original[:1] + "(1234567890"


def test_corpus_2025h1_item_8() -> None:
    path = CORPUS / "kaohsiung-2025h1-international-affairs.txt"
    if not path.exists():
        pytest.skip("no corpus")
    document = read_document(path)
    units = segment(document.doc_id, normalise(document.text))
    (unit,) = [u for u in units if "114年4月15日" in u.text]
    assert unit.marker == "(8)" and unit.heading == "與美國紐約州橘郡締結姊妹市"
    assert unit.section == ("國際事務", "姊妹市及友好夥伴城市國際交流近況")


def test_corpus_table_layout_sections() -> None:
    if not CORPUS_FILES:
        pytest.skip("no corpus")
    for name in ("kaohsiung-2022-annual-report.txt", "kaohsiung-2023-annual-report.txt"):
        document = read_document(CORPUS / name)
        units = segment(document.doc_id, normalise(document.text))
        by_text = {u.text[:12]: u.section for u in units}
        visits = [s for t, s in by_text.items() if t.startswith("1.辦理訪賓接待業務")]
        assert visits and visits[0][:2] == (
            "國際事務-訪賓接待聯繫業務",
            "推動姊妹市、國際友好城市之互訪及實質交流",
        )
        meeting = [u for u in units if u.section[-1:] == ("舉辦市政會議",)]
        assert len(meeting) == 1 and meeting[0].marker == ""


def test_discover_finds_the_corpus() -> None:
    if not CORPUS_FILES:
        pytest.skip("no corpus")
    assert discover([CORPUS]) == CORPUS_FILES


@pytest.mark.parametrize(
    "dateline",
    [
        "〔記者王小明／高雄報導〕2024/04/22",
        "2024/04/22 15:42 中國時報 記者王小明／高雄報導",  # a source, then its reporter
        "2024年04月22日 14:30 ETtoday新聞雲",
    ],
)
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_news_articles_headline_heads_its_paragraphs(gap: str, dateline: str) -> None:
    """The lines before a dateline are the headline, the section of each paragraph after
    it; the dateline is in no unit (中國時報 is no party); each paragraph is a unit of
    its own."""
    lines = [
        "休士頓市長訪高 簽經貿備忘錄",
        dateline,
        "美國德州休士頓市長率領經貿代表團於本月20日抵達高雄，並與市府簽署經貿合作備忘錄。",
        "經發局長昨日率團前往德國慕尼黑，參加全球智慧城市博覽會。",
    ]
    units = units_of(gap.join(lines))
    assert [u.text for u in units] == lines[2:]
    assert {u.section for u in units} == {(lines[0].replace(" ", ""),)}


def test_a_report_keeps_its_paragraph_lines_together() -> None:
    """Only a news article (one with a dateline) makes each finished paragraph a unit."""
    assert len(units_of("本府與日本熊本縣交換意見。\n訪團並參觀港區。")) == 1


def test_a_headline_of_two_lines_is_one_heading() -> None:
    units = units_of("出國報告\n\n高雄市政府觀光局\n\n發布日期：2024-03-15\n\n本次出國考察日本。")
    assert [(u.section, u.text) for u in units] == [
        (("出國報告 高雄市政府觀光局",), "本次出國考察日本。")
    ]
