"""Resolution (kgraph.resolve): one entity per real thing, one event per real happening.

Some tests build happenings by hand (to test one rule alone), others run the
whole per-document pipeline on small invented reports.
"""

from __future__ import annotations

from dataclasses import replace

from kgraph.build import extract_document
from kgraph.iri import mint
from kgraph.model import (
    DateSpan,
    Document,
    Happening,
    PartyRef,
    PersonRef,
    Source,
    VisitRel,
)
from kgraph.resolve import Resolved, resolve

BASE = "https://example.org/kg/"
HOME = PartyRef("高雄市", "place", ("高雄市",), country="台灣", kind="city")
BUSAN = PartyRef("釜山市", "place", ("釜山市", "釜山"), country="韓國", kind="city")
SAN_ANTONIO = PartyRef("聖安東尼市", "place", ("聖安東尼市",), country="美國", kind="city")


def report(body: str, year: int = 112) -> str:
    return f"高雄市政府行政暨國際處{year}年度施政績效成果報告\n壹、國際事務\n一、國際交流\n{body}\n"


def doc(doc_id: str, body: str) -> Document:
    return Document(doc_id, f"{doc_id}.md", f"{doc_id}.md", report(body))


def resolve_docs(*docs: Document) -> Resolved:
    found = [h for d in docs for h in extract_document(d)]
    return resolve(found, BASE)


def inbound(
    doc_id: str, day: str, visitor: PartyRef, persons: tuple[PersonRef, ...] = ()
) -> Happening:
    quote = f"{day} {visitor.names[-1]}訪高"
    return Happening(
        doc_id=doc_id,
        type="visit",
        date=DateSpan(day, day),
        source=Source(f"{doc_id}.md", 10, 10 + len(quote), quote),
        visits=(VisitRel(visitor, HOME, "inbound", visitor_persons=persons),),
        persons=persons,
        parties=(visitor,),
    )


def place_iris(r: Resolved, key: str) -> list[str]:
    return [e.iri for e in r.entities.values() if e.key == key and e.type != "person"]


def person_iris(r: Resolved) -> set[str]:
    return {e.iri for e in r.entities.values() if e.type == "person"}


# --------------------------------------------------------------------------- entities


def test_city_named_by_alias_in_two_documents_is_one_entity() -> None:
    r = resolve_docs(
        doc("a", "1.112年1月13日，韓國釜山廣域市副市長訪高。"),
        doc("b", "1.112年4月2日，韓國釜山代表團訪高。"),
    )
    assert len(r.events) == 2
    visitors = {v.visitor for e in r.events for v in e.visits}
    assert visitors == {str(mint("place", "釜山市", base=BASE))}
    assert place_iris(r, "釜山市") == [str(mint("place", "釜山市", base=BASE))]
    busan = r.entities[place_iris(r, "釜山市")[0]]
    assert {"釜山廣域市", "釜山"} <= set(busan.aliases)
    assert busan.country == "韓國"


def test_home_city_by_any_name_is_one_entity() -> None:
    r = resolve_docs(
        doc("a", "1.112年1月13日，韓國釜山市副市長拜會本府。"),
        doc("b", "1.112年4月2日，日本熊本市代表團拜訪高雄市政府。"),
    )
    hosts = {v.host for e in r.events for v in e.visits}
    assert hosts == {str(mint("place", "高雄市", base=BASE))}


def test_transliterated_name_and_its_last_part_are_one_person() -> None:
    full = PersonRef("艾德里安‧施里納", title="市長", of="聖安東尼市")
    short = PersonRef("施里納", title="市長", of="聖安東尼市")
    r = resolve(
        [
            inbound("a", "2023-03-02", SAN_ANTONIO, (full,)),
            inbound("a", "2023-09-20", SAN_ANTONIO, (short,)),
        ],
        BASE,
    )
    assert len(r.events) == 2
    assert len({p for e in r.events for p in e.persons}) == 1
    (person,) = [e for e in r.entities.values() if e.type == "person"]
    assert person.key == "艾德里安‧施里納"
    assert "施里納" in person.aliases


def test_short_name_told_first_still_joins_the_full_name() -> None:
    short = PersonRef("施里納", title="市長", of="聖安東尼市")
    full = PersonRef("艾德里安‧施里納", title="市長", of="聖安東尼市")
    r = resolve(
        [
            inbound("a", "2023-03-02", SAN_ANTONIO, (short,)),
            inbound("a", "2023-09-20", SAN_ANTONIO, (full,)),
        ],
        BASE,
    )
    assert len({p for e in r.events for p in e.persons}) == 1


def test_transliterated_name_and_later_short_name_end_to_end() -> None:
    r = resolve_docs(
        doc(
            "a",
            "1.112年3月2日，立陶宛馬可‧韋恩大使拜會陳其邁市長。\n"
            "2.112年9月20日，立陶宛韋恩大使再度拜會陳其邁市長。",
        )
    )
    people = {e.key: e for e in r.entities.values() if e.type == "person"}
    assert set(people) == {"馬可‧韋恩", "陳其邁"}
    assert "韋恩" in people["馬可‧韋恩"].aliases


def test_latin_name_joins_the_person() -> None:
    a = PersonRef("艾德里安‧施里納", latin="Adriaan Schrijner", title="市長")
    b = PersonRef("阿德里安‧施萊納", latin="Adriaan Schrijner", title="市長")
    r = resolve(
        [
            inbound("a", "2023-03-02", SAN_ANTONIO, (a,)),
            inbound("b", "2023-09-20", SAN_ANTONIO, (b,)),
        ],
        BASE,
    )
    assert len(person_iris(r)) == 1


def test_different_people_stay_apart() -> None:
    a = PersonRef("大西一史", title="市長", of="熊本市")
    b = PersonRef("初宿和夫", title="市長", of="八王子市")
    r = resolve(
        [inbound("a", "2023-03-02", BUSAN, (a,)), inbound("a", "2023-09-20", BUSAN, (b,))], BASE
    )
    assert len(person_iris(r)) == 2


# --------------------------------------------------------------------------- events


def test_same_happening_in_two_documents_is_one_event_with_two_sources() -> None:
    r = resolve_docs(
        doc("a", "1.112年3月2日，日本熊本市大西一史市長率團訪高，拜會陳其邁市長。"),
        doc("b", "1.熊本市長訪高\n112年3月2日熊本市長率領市議員等一行人來訪本府。"),
    )
    assert len(r.events) == 1
    (event,) = r.events
    assert event.type == "visit"
    assert {s.doc for s in event.sources} == {"a.md", "b.md"}


def test_same_happening_by_hand() -> None:
    r = resolve([inbound("a", "2023-03-02", BUSAN), inbound("b", "2023-03-02", BUSAN)], BASE)
    assert len(r.events) == 1
    assert [s.doc for s in r.events[0].sources] == ["a.md", "b.md"]


def test_two_visits_on_different_days_are_two_events() -> None:
    r = resolve([inbound("a", "2023-03-02", BUSAN), inbound("a", "2023-03-09", BUSAN)], BASE)
    assert len(r.events) == 2
    assert len({e.iri for e in r.events}) == 2
    assert [e.date.start for e in r.events if e.date] == ["2023-03-02", "2023-03-09"]


def test_two_visits_on_different_days_end_to_end() -> None:
    r = resolve_docs(
        doc(
            "a",
            "1.112年3月2日，韓國釜山市副市長訪高。\n2.112年3月9日，韓國釜山市議員團訪高。",
        )
    )
    assert len(r.events) == 2


def test_same_day_different_foreign_parties_are_two_events() -> None:
    r = resolve([inbound("a", "2023-03-02", BUSAN), inbound("b", "2023-03-02", SAN_ANTONIO)], BASE)
    assert len(r.events) == 2


# --------------------------------------------------------------------------- stability


def _iris(r: Resolved) -> tuple[list[str], list[str]]:
    return [e.iri for e in r.events], sorted(r.entities)


def test_iris_are_stable_across_runs() -> None:
    docs = (
        doc("a", "1.112年3月2日，日本熊本市大西一史市長率團訪高，拜會陳其邁市長。"),
        doc("b", "1.112年8月8日，陳其邁市長與日本八王子市初宿和夫市長簽署姊妹市協定。"),
    )
    first = resolve_docs(*docs)
    second = resolve_docs(*docs)
    assert _iris(first) == _iris(second)
    assert [a.iri for e in first.events for a in e.agreements] == [
        a.iri for e in second.events for a in e.agreements
    ]


def test_iris_do_not_depend_on_the_base_except_for_its_prefix() -> None:
    hs = [inbound("a", "2023-03-02", BUSAN)]
    one = resolve(hs, BASE)
    other = resolve(hs, "http://other.example/")
    assert [e.iri.removeprefix(BASE) for e in one.events] == [
        e.iri.removeprefix("http://other.example/") for e in other.events
    ]


def test_entity_iris_are_minted_from_their_keys() -> None:
    r = resolve([inbound("a", "2023-03-02", BUSAN)], BASE)
    assert str(mint("place", "釜山市", base=BASE)) in r.entities
    assert str(mint("place", "高雄市", base=BASE)) in r.entities


def test_organisation_with_and_without_country_prefix_is_one_entity() -> None:
    r = resolve_docs(
        doc("a", "1.112年9月5日，日本熊本學園大學師生拜訪高雄市政府。"),
        doc("b", "1.112年10月5日，熊本學園大學師生拜訪本府。"),
    )
    orgs = [e for e in r.entities.values() if e.type == "org"]
    assert [e.key for e in orgs] == ["熊本學園大學"]


def test_an_undated_telling_of_a_signing_joins_the_dated_signing() -> None:
    r = resolve_docs(
        doc(
            "a",
            "1.高雄市與美國伍斯特市姊妹市締盟簽署儀式\n\n"
            "2.112年3月2日，伍斯特市長率團訪高，與陳其邁市長簽署姊妹市協定。",
        )
    )
    signings = [a for e in r.events for a in e.agreements]
    assert len(signings) == 1
    assert signings[0].date == DateSpan("2023-03-02", "2023-03-02")


def test_visits_of_two_tellings_are_one_only_when_they_share_who_went_where() -> None:
    other = PartyRef("薩克森邦", "place", ("薩克森邦",), country="德國", kind="region")
    a = inbound("a", "2023-09-29", BUSAN)
    b = replace(
        inbound("b", "2023-09-29", other),
        parties=(BUSAN, other),
        date=DateSpan("2023-09", "2023-09"),
    )
    assert len(resolve([a, b], BASE).events) == 2


def test_a_trip_abroad_told_twice_with_different_stops_is_one_event() -> None:
    r = resolve_docs(
        doc(
            "a",
            "(1)出訪日本拜會八王子市\n112年7月24日至28日，羅達生副市長率團出訪日本，拜會八王子市。\n"
            "(2)出訪日本東京\n112年7月24日至28日，羅達生副市長率團出訪日本東京，考察觀光政策。",
        )
    )
    assert len([e for e in r.events if e.type == "visit"]) == 1


def test_a_summary_keeps_only_the_signings_no_other_telling_gives() -> None:
    r = resolve_docs(
        doc("a", "1.112年3月20日，陳其邁市長與捷克布爾諾市長簽署合作備忘錄。"),
        doc("b", "1.國際城市合作\n- ✓ 國際合作備忘錄 | 捷克布爾諾市、法國里昂市"),
    )
    signings = sorted(
        (a.date.start if a.date else "", sorted(r.entities[p].key for p in a.parties))
        for e in r.events
        for a in e.agreements
    )
    assert signings == [("", ["里昂市", "高雄市"]), ("2023-03-20", ["布爾諾市", "高雄市"])]


def test_a_summary_tells_the_signings_it_recalls_but_not_the_visits_they_were_signed_on() -> None:
    r = resolve_docs(
        doc("a", "1.112年3月20日，捷克布爾諾市長率團訪高，與陳其邁市長簽署合作備忘錄。"),
        doc("b", "1.國際城市合作\n- ✓ 國際合作備忘錄 | 捷克布爾諾市、法國里昂市、義大利都靈市"),
    )
    brno = next(e for e in r.events if e.visits)
    assert {s.doc for s in brno.sources} == {"a.md", "b.md"}
    assert {s.doc for v in brno.visits for s in v.sources} == {"a.md"}
    (signing,) = brno.agreements
    assert {s.doc for s in signing.sources} == {"a.md", "b.md"}
    others = [a for e in r.events if e is not brno for a in e.agreements]
    assert len(others) == 2
    assert all({s.doc for s in a.sources} == {"b.md"} for a in others)


def test_a_dated_summary_of_signings_told_elsewhere_adds_no_event() -> None:
    r = resolve_docs(
        doc(
            "a",
            "1.112年3月20日，捷克布爾諾市長率團訪高，與陳其邁市長締結姊妹市。\n"
            "2.112年3月22日，法國里昂市副市長來訪，與本府簽署合作備忘錄。\n"
            "3.112年3月，與捷克布爾諾市締盟姊妹市、與法國里昂市簽署合作備忘錄。",
        )
    )
    signings = [a for e in r.events for a in e.agreements]
    assert sorted(a.kind for a in signings) == ["mou", "sister_city"]
    assert all(len({s.quote for s in a.sources}) == 2 for a in signings)


def test_a_person_named_twice_on_one_side_is_listed_once() -> None:
    """Two mentions (here with and without a title) can be one person: the side's people
    name each person once, so the graph tells each visitorPerson once."""
    persons = (PersonRef("朴亨埈", title="市長", of="釜山市"), PersonRef("朴亨埈"))
    r = resolve([inbound("a", "2023-01-13", BUSAN, persons)], BASE)
    ((visit,),) = [e.visits for e in r.events]
    assert len(visit.visitor_persons) == 1
    assert person_iris(r) == set(visit.visitor_persons)
