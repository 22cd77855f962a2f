"""Normalisation: exact offsets back to the original, and each artifact of the corpus."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph.normalise import char_fixes, normalise, replacement_pairs


def check_offsets(original: str) -> None:
    norm = normalise(original)
    pairs = replacement_pairs()
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets[-1] == len(original)
    for index, char in enumerate(norm.text):
        source = original[norm.offsets[index]]
        assert char == source or (source, char) in pairs, (index, source, char)
    assert all(a < b for a, b in zip(norm.offsets, norm.offsets[1:], strict=False))


_PIECES = st.sampled_from(
    [
        "高",
        "雄",
        "市",
        "，",
        "。",
        "、",
        "「",
        "」",
        " ",
        "  ",
        "\u3000",
        "\t",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "１",
        "Ａ",
        "ｚ",
        "（",
        "）",
        "：",
        "．",
        "帄",
        "甲以",
        "〃",
        "a",
        "Z",
        "7",
        "(1)",
        "1.",
        "一、",
        "#### 3. ",
        "[bookmark: _GoBack]",
        "\ufeff",
        "照片 1：",
        "- ",
    ]
)


@settings(deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=60).map("".join))
def test_every_char_maps_back_to_its_original_or_a_documented_replacement(text: str) -> None:
    check_offsets(text)


def test_empty_text() -> None:
    norm = normalise("")
    assert norm.text == "" and norm.offsets == (0,)


def test_full_width_ascii_becomes_half_width_but_cjk_punctuation_stays() -> None:
    assert normalise("（１２）ＡＢｃ：，。、「」").text == "(12)ABc：，。、「」"


def test_ideographic_space_becomes_a_space_and_is_collapsed() -> None:
    assert normalise("New\u3000\u3000York").text == "New York"


def test_stray_spaces_between_cjk_and_digits_are_removed() -> None:
    assert normalise("112 年 1 月 13 日 熊本 市").text == "112年1月13日熊本市"
    assert normalise("Ted  Wheeler 市長").text == "Ted Wheeler 市長"


def test_character_fixes_from_the_data_file() -> None:
    assert char_fixes()["貣"] == "起"
    assert (
        normalise("和帄，110 年貣，甲以區，泰德〃惠勒").text == "和平，110年起，甲仙區，泰德‧惠勒"
    )
    assert normalise("以及").text == "以及"


def test_bookmark_markers_are_removed() -> None:
    norm = normalise("[bookmark: _GoBack]1.辦理")
    assert norm.text == "1.辦理"
    assert norm.to_original(0, 2) == (19, 21)


def test_utf8_bom_is_dropped() -> None:
    assert normalise("\ufeff高雄").text == "高雄"


def test_pdf_wrapped_lines_are_joined_and_paragraphs_kept() -> None:
    body = (
        "(1)針對四維及鳳山行政中心大樓四周及庭園景觀樹木、花草進行\n\n綠美化，定期修剪整理。 \n\n"
    )
    text = (
        body * 12 + "(2)依據本府四維及鳳山行政中心大樓環境清潔維護實施計畫，辦\n\n理考核 2次。 \n\n"
    )
    norm = normalise(text)
    assert "花草進行綠美化，定期修剪整理。\n(1)" in norm.text
    assert "辦理考核2次。" in norm.text
    check_offsets(text)


def test_wrapped_heading_lines_are_joined_but_markers_start_lines() -> None:
    filler = "這是一行長度足夠的文字，用來讓文件看起來像是固定寬度排版的報告內容\n\n" * 20
    norm = normalise(
        filler + "(一)配合監察院年\n\n度地方機關\n\n巡察 \n\n(二)研考業務 \n\n1.辦理。 "
    )
    assert "(一)配合監察院年度地方機關巡察\n(二)研考業務\n1.辦理。" in norm.text


def test_prose_line_broken_mid_sentence_is_joined() -> None:
    text = (
        "114年9月17日，文藻外語大學林耀堂副校長拜會郭添貴\n\n"
        "秘書長，並分享文藻與美國奧勒岡州四校締結姊妹校成果。\n\n"
        "#### 5. 拜會德國在台協會新任處長\n\n"
        "114 年 9 月 25 日，本處張硯卿處長拜會德國在台協會。"
    )
    norm = normalise(text)
    assert "拜會郭添貴秘書長，並分享" in norm.text
    assert "成果。\n\n#### 5. 拜會德國在台協會新任處長\n\n114年9月25日" in norm.text


def test_titles_are_not_joined_to_their_body() -> None:
    text = "（8） 與美國紐約州橘郡締結姊妹市\n114年4月15日，在美國在台協會見證下簽署。\n"
    assert (
        normalise(text).text
        == "(8) 與美國紐約州橘郡締結姊妹市\n114年4月15日，在美國在台協會見證下簽署。"
    )


def test_a_line_starting_with_closing_punctuation_continues_the_last() -> None:
    norm = normalise("與奧克塔維亞·戈任斯卡(Oktawia Gorzeńska\n\n)副市長簽署備忘錄。")
    assert norm.text == "與奧克塔維亞·戈任斯卡(Oktawia Gorzeńska)副市長簽署備忘錄。"


def test_slides_lines_are_not_joined() -> None:
    text = "拓展城市外交\n\n締盟城市 波蘭：格丁尼亞市\n\n國際訪賓\n\n2025 年總計交流國家：43 國"
    assert normalise(text).text.count("\n\n") == 3


def test_joined_latin_words_keep_a_space() -> None:
    filler = "這是一行長度足夠的文字，用來讓文件看起來像是固定寬度排版的報告內容\n\n" * 20
    norm = normalise(filler + "市議員(Senator \n\nTracie Davis)拜會。 ")
    assert norm.text.endswith("(Senator Tracie Davis)拜會。")


def test_to_original_of_a_joined_span() -> None:
    original = "日本熊本\n\n市長來訪，" * 30
    norm = normalise(original)
    start = norm.text.index("熊本市長")
    a, b = norm.to_original(start, start + 4)
    assert original[a:b] == "熊本\n\n市長"


def test_a_dateline_wraps_into_no_sentence() -> None:
    """Prose joins a long line that stops mid-sentence to the next; a dateline it keeps."""
    lines = ["〔記者王小明／高雄報導〕2024/04/22", "美國休士頓市長率團於本月20日抵達高雄。"]
    assert normalise("\n".join(lines)).text.split("\n") == lines
