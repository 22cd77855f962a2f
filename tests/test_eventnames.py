"""Dates lent by event names (kgraph.eventnames), alone and through a whole build."""

from __future__ import annotations

from kgraph.build import extract_document
from kgraph.eventnames import dated_events, event_names, lent_date, short_forms
from kgraph.model import DateSpan, Document, Unit


def unit(text: str, index: int = 0) -> Unit:
    return Unit("d", index, (), "", 0, len(text), text)


def test_event_names_need_a_year_in_front() -> None:
    assert event_names("出席2027台南國際書展並致詞") == [(2027, "台南國際書展")]
    assert event_names("出席台南國際書展並致詞") == []


def test_short_form_drops_the_home_city() -> None:
    assert short_forms("高雄國際遊艇展") == ("高雄國際遊艇展", "國際遊艇展")
    assert short_forms("台南國際書展") == ("台南國際書展",)


def test_a_name_takes_the_most_precise_date_of_its_year() -> None:
    units = [unit("2027年4月，某某市長出席2027高雄國際遊艇展"), unit("2027年「高雄國際遊艇展」")]
    dates = [DateSpan("2027-04", "2027-04"), DateSpan("2027", "2027")]
    assert dated_events(units, dates) == {"高雄國際遊艇展": DateSpan("2027-04", "2027-04")}


def test_two_precise_dates_for_one_name_lend_none() -> None:
    units = [unit("出席2027高雄國際遊艇展"), unit("出席2027高雄國際遊艇展")]
    dates = [DateSpan("2027-04", "2027-04"), DateSpan("2027-05", "2027-05")]
    assert dated_events(units, dates) == {}


def test_an_undated_unit_borrows_from_its_own_text_or_the_title_above() -> None:
    events = {"高雄國際遊艇展": DateSpan("2027-04", "2027-04")}
    assert (
        lent_date(unit("多國訪團於國際遊艇展設攤"), None, events, 2027) == events["高雄國際遊艇展"]
    )
    title = unit("2027高雄國際遊艇展")
    body = unit("十國代表齊聚高雄", 1)
    assert lent_date(body, title, events, 2027) == events["高雄國際遊艇展"]
    assert lent_date(body, unit("一段很長的敘述，不是標題。"), events, 2027) is None


def test_a_slide_list_of_guests_takes_the_expos_date_end_to_end() -> None:
    text = (
        "高雄市政府行政暨國際處116年度業務報告\n\n"
        "2027年4月布爾諾副市長率團回訪，出席2027高雄國際遊艇展。\n\n"
        "2027高雄國際遊艇展\n\n"
        "美國伍斯特市、捷克布爾諾市官方單位齊聚高雄\n"
    )
    found = extract_document(Document("d", "d.md", "d.md", text))
    guests = [h for h in found if "伍斯特" in h.source.quote]
    assert guests and guests[0].date == DateSpan("2027-04", "2027-04")
    assert {v.visitor.key for v in guests[0].visits} >= {"伍斯特市", "布爾諾市"}
