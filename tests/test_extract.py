"""Extraction (kgraph.extract) end to end on small invented report texts.

Each test runs ``kgraph.build.extract_document`` on a tiny report (title line with
the report year, a section heading and one numbered item), so normalise, segment,
recognise and extract all take part.
"""

from __future__ import annotations

import pytest

from kgraph.build import extract_document
from kgraph.extract import UnitInput, extract
from kgraph.model import DateSpan, Document, Happening, Mention, Source, Unit
from kgraph.resolve import resolve

HOME = "高雄市"


def report(body: str, year: int = 112) -> str:
    return f"高雄市政府行政暨國際處{year}年度施政績效成果報告\n壹、國際事務\n一、國際交流\n{body}\n"


def happenings(body: str, year: int = 112, name: str = "r.md") -> list[Happening]:
    text = report(body, year)
    return extract_document(Document(name.removesuffix(".md"), name, name, text))


def one(body: str, year: int = 112) -> Happening:
    found = happenings(body, year)
    assert len(found) == 1, found
    return found[0]


def visits(h: Happening) -> set[tuple[str, str, str]]:
    return {(v.visitor.key, v.host.key, v.direction) for v in h.visits}


# --------------------------------------------------------------------------- visits


INBOUND = "1.112年3月2日，日本熊本市大西一史市長率團訪高，拜會陳其邁市長。"
GUEST_AT_A_HALL = "1.112年3月2日，日本熊本市大西一史市長率團訪高，於高雄展覽館拜會陳其邁市長。"


def test_inbound_visit() -> None:
    h = one(INBOUND)
    assert h.type == "visit"
    assert visits(h) == {("熊本市", HOME, "inbound")}


@pytest.mark.parametrize(
    "body",
    [
        "1.112年3月2日，陳其邁市長與來訪的日本熊本市大西一史市長會面。",
        "1.112年3月2日，陳其邁市長歡迎來訪的日本熊本市大西一史市長。",
    ],
)
def test_the_home_side_with_visitors_who_came_hosts_them(body: str) -> None:
    """來訪的 X: X came, though the home side is named first."""
    assert visits(one(body)) == {("熊本市", HOME, "inbound")}


def test_inbound_visit_persons_sides() -> None:
    (v,) = one(INBOUND).visits
    assert [p.name for p in v.visitor_persons] == ["大西一史"]
    assert [p.name for p in v.host_persons] == ["陳其邁"]


def test_person_after_a_place_belongs_to_it() -> None:
    people = {p.name: p for p in one(INBOUND).persons}
    assert people["大西一史"].of == "熊本市"
    assert people["大西一史"].title == "市長"
    assert people["陳其邁"].of == HOME


def test_outbound_visit() -> None:
    h = one("1.112年5月10日，林欽榮副市長率團出訪日本，拜會八王子市。")
    assert h.type == "visit"
    assert visits(h) == {(HOME, "八王子市", "outbound")}
    assert [p.name for p in h.visits[0].visitor_persons] == ["林欽榮"]


def test_local_visit_to_a_foreign_office_in_taiwan() -> None:
    h = one("1.112年6月1日，本處處長拜會美國在台協會。")
    assert h.type == "visit"
    assert visits(h) == {(HOME, "美國在台協會", "local")}


def test_local_visit_when_the_date_runs_into_本處() -> None:
    h = one("1.112年6月1日本處處長拜會美國在台協會。")
    assert visits(h) == {(HOME, "美國在台協會", "local")}


def test_video_meeting_has_no_visits() -> None:
    h = one("1.112年7月4日，陳其邁市長與美國聖安東尼奧市長舉行視訊會議。")
    assert h.type == "video_meeting"
    assert h.visits == ()
    assert "聖安東尼市" in {p.key for p in h.participants}


def test_shared_title_list_gives_two_persons_with_the_title() -> None:
    h = one("1.112年5月10日，副市長林欽榮、羅達生率團出訪日本，拜會八王子市。")
    assert [p.name for p in h.visits[0].visitor_persons] == ["林欽榮", "羅達生"]


def test_shared_title_applies_to_every_name_in_the_list() -> None:
    h = one("1.112年5月10日，副市長林欽榮、羅達生率團出訪日本，拜會八王子市。")
    assert {p.name: p.title for p in h.persons} == {"林欽榮": "副市長", "羅達生": "副市長"}


def test_a_name_takes_the_title_after_it_not_the_one_before_a_joining_word() -> None:
    h = one("1.112年6月9日，斯洛伐克代表團拜會陳其邁市長及曾俊傑副議長。")
    assert {p.name: p.title for p in h.persons} == {"陳其邁": "市長", "曾俊傑": "副議長"}


def test_then_serving_title() -> None:
    h = one("1.112年6月1日，時任處長王小明拜會美國在台協會。")
    assert [(p.name, p.title) for p in h.persons] == [("王小明", "處長")]


def test_person_named_right_after_the_date() -> None:
    h = one("1.112年7月4日陳其邁市長與美國聖安東尼奧市長舉行視訊會議。")
    assert [p.name for p in h.persons] == ["陳其邁"]


def test_place_after_known_place_takes_its_country() -> None:
    (v,) = one("1.112年10月3日，日本岐阜縣美濃市代表團訪高。").visits
    assert (v.visitor.key, v.visitor.country, v.direction) == ("美濃市", "日本", "inbound")


def test_place_by_pattern_takes_the_country_of_the_place_before_it() -> None:
    (v,) = one("1.112年10月3日，日本北海道白老町代表團訪高。").visits
    assert (v.visitor.key, v.visitor.type, v.visitor.country) == ("白老町", "place", "日本")


def test_organisation_after_a_place_is_an_org_party() -> None:
    (v,) = one("1.112年9月5日，日本熊本學園大學師生拜訪高雄市政府。").visits
    assert v.visitor.type == "org"
    assert v.visitor.key.endswith("熊本學園大學")
    assert v.visitor.country == "日本"
    assert (v.host.key, v.direction) == (HOME, "inbound")


# --------------------------------------------------------------------------- agreements


SIGNING = "1.112年8月8日，陳其邁市長與日本八王子市初宿和夫市長簽署{}。"


def test_signing_a_sister_city_agreement() -> None:
    h = one(SIGNING.format("姊妹市協定"))
    assert h.type == "agreement"
    (a,) = h.agreements
    assert a.kind == "sister_city"
    assert {p.key for p in a.parties} == {HOME, "八王子市"}
    assert {p.name for p in a.signatories} == {"陳其邁", "初宿和夫"}
    assert a.witnesses == ()


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("友好城市協定", "friendship_city"),
        ("友好交流協定", "friendship_city"),
        ("夥伴協定", "partner_city"),
        ("合作備忘錄", "mou"),
        ("意向書", "loi"),
        ("友好宣言", "declaration"),
    ],
)
def test_agreement_kinds(words: str, kind: str) -> None:
    h = one(SIGNING.format(words))
    assert h.type == "agreement"
    assert [a.kind for a in h.agreements] == [kind]
    assert {p.key for p in h.agreements[0].parties} == {HOME, "八王子市"}


def test_sister_school_agreement() -> None:
    h = one("1.112年8月8日，本市左營高中與日本熊本學園大學附屬高中簽署姊妹校協定。")
    assert h.type == "agreement"
    assert [a.kind for a in h.agreements] == ["sister_school"]


def test_anniversary_is_not_a_signing() -> None:
    found = happenings("1.112年9月1日，本市與日本八王子市舉辦締盟40周年紀念展。")
    assert found, "the exhibition with a foreign city is still a happening"
    assert all(h.type != "agreement" and h.agreements == () for h in found)


def test_signing_discussed_as_a_topic_is_not_a_signing() -> None:
    found = happenings(
        "1.112年4月2日，日本盛岡市長山田太郎拜會市長，就兩市簽署友好城市協定等議題交換意見。"
    )
    assert [h.type for h in found] == ["visit"]
    assert all(h.agreements == () for h in found)


# --------------------------------------------------------------------------- no foreign party


def test_unit_without_foreign_party_gives_nothing() -> None:
    assert happenings("1.112年2月1日，本處辦理市府員工英語訓練課程。") == []


def test_unit_without_foreign_party_when_date_runs_into_本處() -> None:
    assert happenings("1.112年2月1日本處辦理市府員工英語訓練課程。") == []


# --------------------------------------------------------------------------- dates


def test_roc_date_in_the_unit() -> None:
    h = one("1.112年1月13日，韓國釜山廣域市副市長訪高。")
    assert h.date == DateSpan("2023-01-13", "2023-01-13")


@pytest.mark.parametrize(("year", "iso"), [(112, "2023-03-05"), (113, "2024-03-05")])
def test_date_without_year_takes_the_report_year(year: int, iso: str) -> None:
    h = one("1.3月5日，韓國釜山市副市長訪高。", year=year)
    assert h.date == DateSpan(iso, iso)


# --------------------------------------------------------------------------- provenance


def test_source_quotes_the_original_text() -> None:
    text = report(INBOUND)
    (h,) = extract_document(Document("r", "r.md", "r.md", text))
    assert h.source.doc == "r.md"
    assert h.source.quote == text[h.source.start : h.source.end]
    assert "大西一史" in h.source.quote
    assert h.mentions
    for m, s in h.mentions:
        assert s.quote is m.text  # one string, pickled and held once


def test_a_happening_keeps_the_mentions_of_its_own_parties_and_persons() -> None:
    """Resolution reads no other mention (a title, a place that only says where), so a
    happening does not hold them: each extraction is kept until the corpus is resolved."""
    h = one(GUEST_AT_A_HALL)
    named = [(m.label, m.text) for m, _ in h.mentions]
    assert {"熊本市", "大西一史", "陳其邁"} <= {text for _, text in named}
    assert ("TITLE", "市長") not in named
    assert ("PLACE", "日本") not in named  # where 熊本市 is, not a party of the visit


def test_resolution_reads_nothing_of_the_mentions_a_happening_leaves_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = one(GUEST_AT_A_HALL)
    monkeypatch.setattr(Happening, "tells_of", lambda _self, _mention: True)
    every = one(GUEST_AT_A_HALL)
    assert len(every.mentions) > len(kept.mentions)
    base = "https://example.org/id/"
    assert resolve([every], base).entities == resolve([kept], base).entities


# --------------------------------------------------------------------------- UnitInput by hand


def test_extract_on_a_hand_built_unit() -> None:
    """extract() alone, with mentions given by hand (offsets into the whole document)."""
    text = "3月2日，釜山市代表團訪高。"
    offset = 50
    unit = Unit("d", 0, ("國際交流",), "1.", offset, offset + len(text), text)
    busan = Mention(
        "PLACE", "釜山市", offset + 5, offset + 8, key="釜山市", country="韓國", kind="city"
    )
    source = Source("d.md", 0, len(text), text)
    (h,) = extract(UnitInput(unit, (busan,), source, 2023))
    assert visits(h) == {("釜山市", HOME, "inbound")}
    assert h.date == DateSpan("2023-03-02", "2023-03-02")
    assert h.source == source


def test_a_visit_needs_a_date_in_the_report_period() -> None:
    """Undated lines and old years recall a relation rather than tell a visit."""
    for text in ("釜山市代表團訪高。", "1982年，釜山市代表團訪高。"):
        unit = Unit("d", 0, ("國際交流",), "1.", 0, len(text), text)
        at = text.index("釜山市")
        busan = Mention("PLACE", "釜山市", at, at + 3, key="釜山市", country="韓國", kind="city")
        (h,) = extract(UnitInput(unit, (busan,), Source("d.md", 0, len(text), text), 2023))
        assert h.visits == ()


def test_extract_needs_a_foreign_party() -> None:
    text = "本府辦理員工訓練。"
    unit = Unit("d", 0, (), "1.", 0, len(text), text)
    home = Mention("KAOHSIUNG", "本府", 0, 2, key="本府")
    assert extract(UnitInput(unit, (home,), Source("d.md", 0, len(text), text), 2023)) == []


# --------------------------------------------------------------------------- more variants


@pytest.mark.parametrize(
    "body",
    [
        "1.112年3月2日，美國聖安東尼奧市長率團來訪，由陳其邁市長接見。",
        "1.112年3月2日，美國聖安東尼奧市代表團抵高，參訪駁二藝術特區。",
    ],
)
def test_inbound_visit_variants(body: str) -> None:
    assert visits(one(body)) == {("聖安東尼市", HOME, "inbound")}


def test_person_called_on_in_an_inbound_visit_is_on_the_host_side() -> None:
    h = one("1.112年3月2日，韓國釜山市副市長一行拜會陳其邁市長。")
    assert visits(h) == {("釜山市", HOME, "inbound")}
    (v,) = h.visits
    assert [p.name for p in v.host_persons] == ["陳其邁"]
    assert [p.name for p in v.visitor_persons] == []


def test_outbound_visit_to_a_city_by_its_alias() -> None:
    h = one("1.112年4月12日，羅達生副市長出訪韓國釜山。")
    assert visits(h) == {(HOME, "釜山市", "outbound")}


def test_person_called_on_in_an_outbound_visit_is_not_a_visitor() -> None:
    h = one("1.112年4月12日，陳其邁市長率團赴日本熊本市訪問，拜會大西一史市長。")
    assert visits(h) == {(HOME, "熊本市", "outbound")}
    (v,) = h.visits
    assert [p.name for p in v.visitor_persons] == ["陳其邁"]


def test_online_meeting_is_a_video_meeting() -> None:
    h = one("1.112年7月4日，本府與日本熊本市舉行線上會議。")
    assert h.type == "video_meeting"
    assert h.visits == ()


def test_agreement_concluded_by_the_cities_without_signatories() -> None:
    h = one("1.112年8月8日，高雄市與日本八王子市締結友好城市。")
    (a,) = h.agreements
    assert a.kind == "friendship_city"
    assert {p.key for p in a.parties} == {HOME, "八王子市"}


def test_witness_before_the_signing() -> None:
    h = one(
        "1.112年8月8日，在林欽榮副市長見證下，陳其邁市長與日本八王子市初宿和夫市長簽署姊妹市協定。"
    )
    (a,) = h.agreements
    assert [p.name for p in a.witnesses] == ["林欽榮"]
    assert {p.name for p in a.signatories} == {"陳其邁", "初宿和夫"}


def test_witness_after_the_signing() -> None:
    h = one("1.112年8月8日，陳其邁市長與美國聖安東尼奧市長簽署夥伴城市協定，由副市長林欽榮見證。")
    (a,) = h.agreements
    assert a.kind == "partner_city"
    assert {p.key for p in a.parties} == {HOME, "聖安東尼市"}
    assert [p.name for p in a.signatories] == ["陳其邁"]
    assert [p.name for p in a.witnesses] == ["林欽榮"]


# --------------------------------------------------------------------------- who acts


def test_a_domestic_body_visiting_the_home_city() -> None:
    h = one(
        "1.112年4月7日，文化部國際交流司王大同司長率團南下高雄，拜會陳其邁市長，商討日本交流事宜。"
    )
    assert ("文化部", HOME, "inbound") in visits(h)
    assert not any(v.visitor.key == "日本" for v in h.visits)


def test_where_an_envoy_is_posted_is_not_a_party() -> None:
    h = one(
        "1.112年4月7日，帛琉駐聯合國常任代表歐凱爾大使及吐瓦魯駐聯合國常任代表塔拉大使"
        "拜會陳其邁市長。"
    )
    assert visits(h) == {("帛琉", HOME, "inbound"), ("吐瓦魯", HOME, "inbound")}


def test_where_a_group_comes_from_is_not_a_visitor() -> None:
    found = happenings(
        "1.112年4月7日，來自帛琉、吐瓦魯及諾魯等 20 名友邦學生訪高，本處處長介紹城市發展。"
    )
    assert not {v.visitor.key for h in found for v in h.visits} & {"帛琉", "吐瓦魯", "諾魯"}


def test_an_international_body_is_a_foreign_party() -> None:
    h = one("1.112年4月7日，歐盟代表團由歐洲對外事務部主管率團訪問高雄，與本處交流。")
    assert visits(h) == {("歐洲聯盟", HOME, "inbound")}


def test_a_meeting_during_a_trip_abroad_is_outbound() -> None:
    h = one(
        "1.112年5月10日至12日，陳其邁市長出訪日本，拜會東京都知事。"
        "陳市長此行亦與日本跨黨派團體「日泰議員懇談會」會面，交換意見。"
    )
    assert (HOME, "日泰議員懇談會", "outbound") in visits(h)
    assert not any(v.direction == "inbound" for v in h.visits)


# --------------------------------------------------------------------------- one side per body


def test_a_place_and_its_own_body_visiting_are_the_body() -> None:
    h = one(
        "#### 1. 日本愛媛縣山田太郎議員拜會交流\n\n"
        "112年4月5日，日本愛媛縣議會山田太郎議員拜會林欽榮副市長。"
    )
    assert visits(h) == {("愛媛縣議會", HOME, "inbound")}


def test_a_body_and_its_quoted_group_visiting_are_the_group() -> None:
    h = one("1.112年4月5日，日本愛媛縣議會「日台友好議員聯盟」山田太郎會長拜會林欽榮副市長。")
    assert visits(h) == {("日台友好議員聯盟", HOME, "inbound")}


def test_bodies_led_by_a_places_head_belong_to_the_place() -> None:
    h = one("1.112年4月5日，美國關島總督率領關島觀光局等代表團成員來訪。")
    assert visits(h) == {("關島", HOME, "inbound")}


def test_a_place_still_signs_beside_its_own_school() -> None:
    h = one(
        "1.112年4月5日，本處處長出訪美國橘郡。"
        "訪問期間與橘郡簽署教育合作備忘錄、小港高中與橘郡白樺高中締結姊妹校。"
    )
    kinds = {a.kind: {p.key for p in a.parties} for a in h.agreements}
    assert kinds["mou"] == {HOME, "橘郡"}


def test_a_transliterated_visitor_without_a_party_belongs_to_the_units_foreign_party() -> None:
    h = one(
        "1.高雄再拓版圖布爾諾成為姊妹市\n"
        "112年3月，約瑟夫·佩蒂市長率團訪高簽署姊妹市協定，雙方將深化交流。",
    )
    assert visits(h) == {("布爾諾市", HOME, "inbound")}
    assert [p.name for p in h.visits[0].visitor_persons] == ["約瑟夫·佩蒂"]
    assert [(a.kind, {p.key for p in a.parties}) for a in h.agreements] == [
        ("sister_city", {HOME, "布爾諾市"})
    ]


def test_a_crowd_gathering_in_the_city_brings_no_visitor() -> None:
    h = one("1.112年12月7日，逾千名移工齊聚高雄，美國在台協會高雄分處處長共同出席。")
    assert h.visits == ()


def test_those_a_leader_brings_along_visit_too() -> None:
    h = one("1.112年9月5日，日本熊本學園大學山田副教授率隊與國立高雄大學師生拜訪本府。")
    assert visits(h) == {("熊本學園大學", HOME, "inbound"), ("國立高雄大學", HOME, "inbound")}


def test_names_in_a_purpose_clause_are_not_hosts() -> None:
    h = one("1.112年10月28日，本處處長與史瓦帝尼籍教師會面，以延續高雄與姆巴巴內市姊妹市情誼。")
    assert h.visits == ()


def test_an_organiser_in_an_earlier_clause_is_no_visitor() -> None:
    found = happenings(
        "1.112年11月6日，國際合作發展基金會辦理「友邦青年來台活動」，"
        "來自貝里斯、巴拉圭等青年訪高，本處處長與美國明德大學學生座談。"
    )
    assert [v for h in found for v in h.visits] == []


def test_a_domestic_body_in_the_cues_own_clause_visits() -> None:
    h = one("1.112年8月19日，大陸委員會港澳處處長率團南下高雄，與副秘書長商討香港議題。")
    assert ("大陸委員會", HOME, "inbound") in visits(h)


def test_those_who_come_along_with_a_visitor_visit_too() -> None:
    h = one("1.112年12月3日，日本台灣交流協會會長首度訪問高雄，偕同高雄事務所所長拜會陳其邁市長。")
    assert ("日本台灣交流協會高雄事務所", HOME, "inbound") in visits(h)


def test_a_body_named_inside_its_groups_name_is_the_group() -> None:
    h = one(
        "1.日台友好岡山市議會議員連盟訪高\n"
        "112年11月28日，日本岡山「日台友好岡山市議會議員連盟」會長山田太郎議員訪高。"
    )
    assert visits(h) == {("日台友好岡山市議會議員連盟", HOME, "inbound")}


def test_a_group_quoted_after_its_body_in_one_phrase_is_the_group() -> None:
    h = one(
        "1.112年12月11日，陳其邁市長出訪日本東京。"
        "陳市長此行亦與日本國會重要跨黨派友台團體「日華議員懇談會」會面。"
    )
    assert ("高雄市", "日本國會", "outbound") not in visits(h)
    assert (HOME, "日華議員懇談會", "outbound") in visits(h)


def test_a_cue_word_inside_a_programmes_name_is_no_visit() -> None:
    h = one("1.112年12月9日，陳其邁市長受美國在台協會邀請出席國際領袖參訪計畫茶會。")
    assert h.visits == ()


def test_a_summary_row_lists_one_document_per_item() -> None:
    h = one(
        "1.國際城市合作\n- ✓ 國際合作備忘錄 | 捷克布爾諾市、法國里昂市\n"
        "- ✓ 三方合作備忘錄 | 英國利物浦市×德國不來梅市"
    )
    signed = sorted(sorted(p.key for p in a.parties) for a in h.agreements)
    assert signed == [
        ["不來梅市", "利物浦市", HOME],
        ["布爾諾市", HOME],
        ["里昂市", HOME],
    ]
    assert {a.kind for a in h.agreements} == {"mou"}


def test_abroad_the_host_is_the_place_not_its_office() -> None:
    h = one("1.112年11月4日，本處處長赴德國，與德國漢堡參議院辦公廳副科長會面。")
    assert visits(h) == {(HOME, "漢堡市", "outbound")}


def test_a_count_of_schools_stands_for_the_schools_listed_before_it() -> None:
    h = one(
        "1.112年12月盛岡市教育長率團來訪，參與學校包括北陵中學、下橋中學及上田中學，"
        "共3所中學與陽明國中完成姊妹校協議簽署。"
    )
    (a,) = h.agreements
    assert {p.key for p in a.parties} == {"北陵中學", "下橋中學", "上田中學", "陽明國中"}


def test_a_count_of_schools_with_no_list_names_no_party() -> None:
    found = happenings("1.高雄港與波蘭格丁尼亞港簽約、5校簽署教育交流意向書")
    assert [a for h in found for a in h.agreements if a.kind == "loi"] == []


def test_a_count_of_schools_stands_for_as_many_schools_listed_after_it() -> None:
    h = one(
        "1.112年10月3日，晨曦大學副校長來訪，並分享晨曦大學與美國德州三校締結姊妹校之成果。"
        "學生可在北湖大學、松谷理工大學及西岸大學等3所大學就讀。"
    )
    (a,) = h.agreements
    assert a.kind == "sister_school"
    assert {p.key for p in a.parties} == {"晨曦大學", "北湖大學", "松谷理工大學", "西岸大學"}


def test_a_count_of_schools_does_not_take_a_list_of_another_size() -> None:
    h = one(
        "1.112年10月3日，晨曦大學副校長來訪，並分享晨曦大學與美國德州三校締結姊妹校之成果。"
        "北湖大學及松谷理工大學亦將派員來訪。"
    )
    assert h.agreements == ()


def test_two_ports_sign_for_their_cities() -> None:
    h = one("1.112年5月8日，釜山市副市長率團來訪，並見證高雄港及釜山港簽署合作備忘錄。")
    (a,) = h.agreements
    assert {p.key for p in a.parties} == {"高雄港", "釜山港"}
    assert {p.kind for p in a.parties} == {"port"}


def test_the_home_city_signs_beside_a_body_of_its_country_when_it_is_named() -> None:
    h = one("1.112年5月8日，本府與國立中山大學及日本盛岡市簽署三方合作備忘錄。")
    (a,) = h.agreements
    assert {p.key for p in a.parties} == {HOME, "國立中山大學", "盛岡市"}


def test_a_head_who_led_a_delegation_does_not_lead_a_body_named_in_a_later_clause() -> None:
    h = one("1.112年5月8日，釜山市副市長率團來訪，出席智慧城市展，並見證釜山港簽署合作備忘錄。")
    assert "釜山市" in {v.visitor.key for v in h.visits}


def test_an_agreement_word_describing_a_partner_is_no_signing() -> None:
    h = one("1.112年11月22日，本處以姊妹市釜山市及簽署MOU城市大田市之吉祥物宣傳韓國文化日。")
    assert h.agreements == ()


def test_guests_the_home_side_receives_at_home_came_to_it() -> None:
    h = one("1.112年8月9日，羅達生副市長舉辦晚宴歡迎捷克工業及貿易部次長訪團。")
    assert visits(h) == {("捷克工業及貿易部", HOME, "inbound")}


def test_the_home_side_received_abroad_is_still_the_visitor() -> None:
    h = one("1.112年8月9日，羅達生副市長率團赴日本，盛岡市長設宴款待訪團。")
    assert ("高雄市", "盛岡市", "outbound") in visits(h)


def test_a_trip_that_met_a_citys_metropolitan_area_has_the_area_as_host() -> None:
    h = one(
        "1.112年11月4日，本處處長赴法國里昂參加論壇，並與法國里昂大都會區國際事務辦公室主任會談。"
    )
    assert visits(h) == {(HOME, "里昂大都會區", "outbound")}


def test_a_trip_that_met_a_body_of_another_place_keeps_the_city_it_went_to() -> None:
    h = one("1.112年11月4日，本處處長赴日本熊本市，拜會熊本縣議會。")
    assert {host for _, host, _ in visits(h)} >= {"熊本市"}


def test_a_troupe_that_comes_to_perform_makes_no_visit() -> None:
    h = one("1.112年2月7日，日本盛岡市「盛岡太鼓隊」第3度赴高雄演出，展現盛岡文化。")
    assert h.visits == ()


def test_a_visitor_who_watches_a_performance_still_visits() -> None:
    h = one("1.112年2月7日，日本盛岡市長率團訪高，並觀賞演出。")
    assert ("盛岡市", HOME, "inbound") in visits(h)


def test_a_delegation_already_abroad_calls_on_its_hosts() -> None:
    h = one(
        "1.112年7月24至28日，羅達生副市長率團出訪日本，考察觀光政策。"
        "訪團於7月25日拜會盛岡市，討論促進高雄物產於該市販售等議題。"
    )
    assert visits(h) == {(HOME, "盛岡市", "outbound")}


def test_a_place_talked_about_is_no_party_but_makes_the_unit_international() -> None:
    h = one(
        "1.112年8月19日，大陸委員會港澳蒙藏處處長率主管香港事務團隊南下高雄，商討香港相關事務。"
    )
    assert visits(h) == {("大陸委員會", HOME, "inbound")}


def test_a_place_in_a_historic_sites_name_makes_no_trip_abroad() -> None:
    found = happenings("1.112年3月24日配合監察院巡察，前往原日本海軍鳳山無線電信所聽取簡報。")
    assert found == []


def test_a_delegation_invited_to_a_ceremony_abroad_visits_the_city() -> None:
    h = one("1.112年9月，羅達生副市長率市府訪團受邀出席布爾諾建市800週年典禮。")
    assert visits(h) == {(HOME, "布爾諾市", "outbound")}


def test_訪問期間_is_a_time_not_a_visit() -> None:
    h = one(
        "1.112年6月3日至11日，本處處長率團出訪美國，訪問橘郡。"
        "訪問期間亦與橘郡簽署教育合作備忘錄、小港高中與橘郡派恩布希高中締結姊妹校。"
    )
    assert visits(h) == {(HOME, "橘郡", "outbound")}


# --------------------------------------------------------------------------- invitations


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "1.112年3月2日，陳其邁市長接見日本熊本市大西一史市長。"
            "大西一史市長邀請陳其邁市長明年訪問熊本市。",
            {("熊本市", HOME, "inbound")},
            id="an-invitation-to-the-home-side-is-no-trip",
        ),
        pytest.param(
            "1.112年3月2日，陳其邁市長受邀訪問日本熊本市，拜會大西一史市長。",
            {(HOME, "熊本市", "outbound")},
            id="an-invitation-accepted-is-a-trip",
        ),
        pytest.param(
            "1.112年3月2日，陳其邁市長應熊本市邀請赴日本熊本市訪問。",
            {(HOME, "熊本市", "outbound")},
            id="at-someones-invitation-is-a-trip",
        ),
        pytest.param(
            "1.112年3月2日至3日，邀請姊妹市熊本市及友好城市八王子市訪高參與高雄燈會。",
            {("熊本市", HOME, "inbound"), ("八王子市", HOME, "inbound")},
            id="guests-the-home-side-invited-came",
        ),
        pytest.param(
            "1.112年3月2日，本府歡迎日本熊本市訪團赴高雄參訪。",
            {("熊本市", HOME, "inbound")},
            id="going-to-the-home-city-is-coming",
        ),
        pytest.param(
            "1.112年3月2日，日本熊本市大西一史市長表示，熊本旅客赴高雄人數創新高。",
            set(),
            id="a-figure-of-travellers-is-no-visit",
        ),
        pytest.param(
            "1.112年3月2日，日本熊本市大西一史市長表示，樂見更多台灣企業赴熊本投資。",
            set(),
            id="an-errand-is-no-visit",
        ),
        pytest.param(
            "1.112年3月14日，陳其邁市長接見日本熊本市長大西一史，大西一史市長邀請本府明年"
            "率團訪問熊本市。",
            {("熊本市", HOME, "inbound")},
            id="an-invitation-in-the-same-sentence",
        ),
        pytest.param(
            "1.112年3月14日，本府邀請日本熊本市長大西一史至高雄參訪。",
            {("熊本市", HOME, "inbound")},
            id="the-home-city-as-the-place-to-go-is-no-invitee",
        ),
        pytest.param(
            "1.112年3月14日，陳其邁市長抵達會場後，隨即接見日本熊本縣知事蒲島郁夫一行。",
            {("熊本縣", HOME, "inbound")},
            id="arriving-at-a-venue-is-no-trip",
        ),
        pytest.param(
            "1.112年3月2日，日本熊本市大西一史市長率領經貿代表團於2日抵達高雄。",
            {("熊本市", HOME, "inbound")},
            id="arriving-in-the-home-city-is-coming",
        ),
        pytest.param(
            "1.112年3月14日，本府觀光局率團赴日本東京旅遊展推廣高雄觀光。",
            {(HOME, "東京都", "outbound")},
            id="the-home-sides-trip-to-a-fair-is-no-errand",
        ),
    ],
)
def test_trips_asked_for_counted_or_made(body: str, expected: set[tuple[str, str, str]]) -> None:
    assert {v for h in happenings(body) for v in visits(h)} == expected


def test_a_title_word_before_the_parties_it_speaks_for_gives_no_title() -> None:
    """代表兩市簽署: on behalf of the two cities; 大西一史 is still the mayor of 熊本市."""
    h = one(
        "1.112年3月2日，日本熊本市大西一史市長率團訪高，由陳其邁市長與大西一史代表兩市簽署"
        "友好交流協定。"
    )
    held = {(p.title, p.of) for p in h.persons if p.name == "大西一史"}
    assert {party for _, party in held} == {"熊本市"} and "代表" not in {t for t, _ in held}
