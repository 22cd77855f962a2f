"""Tests of kgraph.evaluate on small synthetic gold and system answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgraph.errors import KgraphError
from kgraph.evaluate import (
    EvalReport,
    GoldRecord,
    Score,
    dates_match,
    evaluate,
    load_gold,
    normalise_name,
)

DOC_A = "report-a.txt"
DOC_B = "report-b.txt"
GOLD_DIR = Path("/work/shared/gold")


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def record(
    rid: str,
    doc: str = DOC_A,
    *,
    type: str = "visit",
    start: str | None = "2023-01-13",
    end: str | None = "2023-01-13",
    same_as: str | None = None,
    visits: list[dict[str, Any]] | None = None,
    agreements: list[dict[str, Any]] | None = None,
    persons: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": rid,
        "doc": doc,
        "anchor": "an anchor of the record",
        "type": type,
        "start": start,
        "end": end,
        "same_as": same_as,
        "visits": visits or [],
        "agreements": agreements or [],
        "participants": [],
        "persons": persons or [],
        "places": [],
        "orgs": [],
        "topics": [],
    }


def gvisit(visitor: list[str], host: list[str], direction: str = "inbound") -> dict[str, Any]:
    return {
        "visitor": visitor,
        "visitor_persons": [],
        "host": host,
        "host_persons": [],
        "direction": direction,
    }


def gperson(name: str, en: str | None = None) -> dict[str, Any]:
    return {"name": name, "en": en, "title": "市長", "of": "X"}


def write_gold(directory: Path, records: list[dict[str, Any]]) -> list[GoldRecord]:
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_doc.setdefault(r["doc"], []).append(r)
    for doc, recs in by_doc.items():
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n"
        (directory / doc.replace(".txt", ".jsonl")).write_text(text, encoding="utf-8")
    return load_gold(directory)


def gold_of(tmp_path: Path, *records: dict[str, Any]) -> list[GoldRecord]:
    return write_gold(tmp_path, list(records))


def party(label: str, *aliases: str, iri: str | None = None) -> dict[str, Any]:
    return {
        "iri": iri or f"ex:{label}",
        "label": label,
        "label_en": None,
        "aliases": list(aliases),
        "country": None,
    }


def src(doc: str = DOC_A) -> list[dict[str, Any]]:
    return [{"doc": doc, "start": 0, "end": 10, "quote": "..."}]


def svisit(
    event: str,
    visitor: dict[str, Any],
    host: dict[str, Any],
    start: str | None = "2023-01-13",
    *,
    direction: str = "inbound",
    type: str = "visit",
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "event": event,
        "type": type,
        "start": start,
        "end": start,
        "visitor": visitor,
        "visitor_persons": [],
        "host": host,
        "host_persons": [],
        "direction": direction,
        "sources": sources if sources is not None else src(),
    }


def sagreement(
    event: str,
    kind: str,
    parties: list[dict[str, Any]],
    date: str | None = "2023-01-13",
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "event": event,
        "kind": kind,
        "date": date,
        "parties": parties,
        "signatories": [],
        "sources": sources if sources is not None else src(),
    }


def sperson(
    iri: str,
    label: str,
    *aliases: str,
    en: str | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "iri": iri,
        "type": "person",
        "label": label,
        "label_en": en,
        "aliases": list(aliases),
        "titles": [],
        "country": None,
        "sources": sources if sources is not None else src(),
    }


KUMAMOTO = party("熊本縣", "Kumamoto")
KAOHSIUNG = party("高雄市", "高雄市政府")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def test_normalise_name() -> None:
    assert normalise_name("臺 北‧市") == "台北市"
    assert normalise_name("Ｐａｕｌ・Ｓｍｉｔｈ") == "PaulSmith"
    assert normalise_name("李•四 . ·") == "李四"


def test_dates_match_spans() -> None:
    assert dates_match("2025-03-22", "2025-03-19", "2025-03-22")
    assert dates_match("2025-03", "2025-03-19", "2025-03-22")
    assert dates_match("2025", "2025-12-31", None)
    assert not dates_match("2025-04", "2025-03-19", "2025-03-22")
    assert dates_match(None, None, None)
    assert not dates_match(None, "2025-03-19", "2025-03-22")


def test_bad_system_date_is_an_error(tmp_path: Path) -> None:
    gold = gold_of(tmp_path, record("a-001", visits=[gvisit(["熊本縣"], ["高雄市"])]))
    with pytest.raises(KgraphError, match="E041"):
        evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG, "2023-02-30")], [], [])


# --------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------


def test_perfect_match(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record(
            "a-001",
            type="agreement",
            visits=[gvisit(["熊本縣"], ["高雄市"])],
            agreements=[
                {
                    "kind": "mou",
                    "parties": [["熊本縣"], ["高雄市"]],
                    "signatories": [],
                    "witnesses": [],
                }
            ],
            persons=[gperson("蒲島郁夫"), gperson("陳其邁")],
        ),
    )
    report = evaluate(
        gold,
        [svisit("ev:1", KUMAMOTO, KAOHSIUNG)],
        [sagreement("ev:1", "mou", [KAOHSIUNG, KUMAMOTO])],
        [sperson("p:1", "蒲島郁夫"), sperson("p:2", "陳其邁")],
    )
    for s in (report.overall.visits, report.overall.agreements, report.overall.persons):
        assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert report.overall.direction.accuracy == 1.0
    assert report.document(DOC_A).visits.f1 == 1.0
    assert report.unmatched == ()


def test_wrong_host_is_a_false_positive_and_a_false_negative(tmp_path: Path) -> None:
    gold = gold_of(tmp_path, record("a-001", visits=[gvisit(["熊本縣"], ["高雄市"])]))
    report = evaluate(gold, [svisit("ev:1", KUMAMOTO, party("台南市"))], [], [])
    v = report.overall.visits
    assert (v.tp, v.system, v.gold) == (0, 1, 1)
    assert v.precision == 0.0 and v.recall == 0.0 and v.f1 == 0.0
    assert [u.ref for u in report.errors("visits", side="gold")] == ["a-001"]
    assert [u.ref for u in report.errors("visits", side="system")] == ["ev:1"]
    assert report.overall.direction.total == 0


def test_month_only_system_date_matches_a_day_range(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record(
            "a-001",
            start="2025-03-19",
            end="2025-03-22",
            visits=[gvisit(["熊本縣"], ["高雄市"])],
        ),
    )
    ok = evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG, "2025-03")], [], [])
    assert ok.overall.visits.tp == 1
    late = evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG, "2025-04")], [], [])
    assert late.overall.visits.tp == 0


def test_undated_gold_matches_on_parties_alone(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path, record("a-001", start=None, end=None, visits=[gvisit(["熊本縣"], ["高雄市"])])
    )
    report = evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG, "2019")], [], [])
    assert report.overall.visits.tp == 1


def test_names_match_after_normalisation_and_aliases(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path, record("a-001", visits=[gvisit(["波蘭臺北辦事處"], ["高雄市"], "local")])
    )
    office = party("Polish Office", "波蘭 台北 辦事處")
    report = evaluate(
        gold, [svisit("ev:1", office, party("高雄市政府", "高雄市"), direction="local")], [], []
    )
    assert report.overall.visits.tp == 1
    assert report.overall.direction.accuracy == 1.0


def test_same_as_records_are_one_happening(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", DOC_A, visits=[gvisit(["熊本縣"], ["高雄市"])]),
        # A recap of the same happening, in another report, with a coarser date.
        record(
            "b-001",
            DOC_B,
            start="2023-01",
            end="2023-01",
            same_as="a-001",
            visits=[gvisit(["熊本縣"], ["高雄市"])],
        ),
    )
    both = src(DOC_A) + src(DOC_B)
    one = evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG, sources=both)], [], [])
    v = one.overall.visits
    assert (v.tp, v.system, v.gold) == (1, 1, 1)
    # Per document, the happening counts in each document that tells it.
    assert one.document(DOC_A).visits.f1 == 1.0
    assert one.document(DOC_B).visits.f1 == 1.0

    # A second system event for the same happening is a false positive.
    two = evaluate(
        gold,
        [
            svisit("ev:1", KUMAMOTO, KAOHSIUNG, sources=src(DOC_A)),
            svisit("ev:2", KUMAMOTO, KAOHSIUNG, "2023-01", sources=src(DOC_B)),
        ],
        [],
        [],
    )
    v = two.overall.visits
    assert (v.tp, v.system, v.gold) == (1, 2, 1)
    assert len(two.errors("visits", side="system")) == 1
    assert two.errors("visits", side="gold") == []


def test_same_as_chain_across_files(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", DOC_A, visits=[gvisit(["熊本縣"], ["高雄市"])]),
        record("b-001", DOC_B, same_as="a-001", visits=[gvisit(["熊本縣"], ["高雄市"])]),
        record("b-002", DOC_B, same_as="b-001", visits=[gvisit(["熊本縣"], ["高雄市"])]),
    )
    report = evaluate(gold, [], [], [])
    assert report.overall.visits.gold == 1


def test_one_system_unit_per_event_visitor_host(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record(
            "a-001",
            visits=[gvisit(["熊本縣"], ["高雄市"]), gvisit(["熊本市"], ["高雄市"])],
        ),
    )
    # Two rows for the same (event, visitor, host), e.g. one per visiting person.
    rows = [svisit("ev:1", KUMAMOTO, KAOHSIUNG), svisit("ev:1", KUMAMOTO, KAOHSIUNG)]
    report = evaluate(gold, rows, [], [])
    v = report.overall.visits
    assert (v.tp, v.system, v.gold) == (1, 1, 2)
    assert [u.text for u in report.errors("visits", side="gold")] == [
        "[a-001] 熊本市 -> 高雄市 2023-01-13 (inbound)"
    ]


def test_matching_is_one_to_one_and_order_independent(tmp_path: Path) -> None:
    # Two gold visits of the same parties in March; the system says "2023-03" for
    # one and "2023-03-20" for the other. A greedy match of the month-only answer
    # with the 20th would leave the second answer unmatched.
    gold = gold_of(
        tmp_path,
        record(
            "a-001", start="2023-03-20", end="2023-03-20", visits=[gvisit(["熊本縣"], ["高雄市"])]
        ),
        record(
            "a-002", start="2023-03-02", end="2023-03-02", visits=[gvisit(["熊本縣"], ["高雄市"])]
        ),
    )
    answers = [
        svisit("ev:1", KUMAMOTO, KAOHSIUNG, "2023-03"),
        svisit("ev:2", KUMAMOTO, KAOHSIUNG, "2023-03-20"),
    ]
    for order in (answers, answers[::-1]):
        assert evaluate(gold, order, [], []).overall.visits.tp == 2
    for records in (gold, gold[::-1]):
        assert evaluate(records, answers, [], []).overall.visits.tp == 2


def test_direction_accuracy(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", visits=[gvisit(["熊本縣"], ["高雄市"], "inbound")]),
        record(
            "a-002",
            start="2023-02-01",
            end="2023-02-01",
            visits=[gvisit(["高雄市"], ["熊本縣"], "outbound")],
        ),
    )
    report = evaluate(
        gold,
        [
            svisit("ev:1", KUMAMOTO, KAOHSIUNG, direction="inbound"),
            svisit("ev:2", KAOHSIUNG, KUMAMOTO, "2023-02-01", direction="inbound"),
        ],
        [],
        [],
    )
    assert report.overall.visits.tp == 2
    d = report.overall.direction
    assert (d.correct, d.total, d.accuracy) == (1, 2, 0.5)
    assert [u.ref for u in report.errors("direction")] == ["ev:2 ~ a-002"]


def test_video_meetings_are_left_out(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", type="video_meeting", visits=[gvisit(["熊本縣"], ["高雄市"])]),
        record(
            "a-002", start="2023-05-01", end="2023-05-01", visits=[gvisit(["熊本縣"], ["高雄市"])]
        ),
    )
    report = evaluate(
        gold,
        [
            svisit("ev:1", KUMAMOTO, KAOHSIUNG, type="video_meeting"),
            svisit("ev:2", KUMAMOTO, KAOHSIUNG, "2023-05-01"),
        ],
        [],
        [],
    )
    v = report.overall.visits
    assert (v.tp, v.system, v.gold) == (1, 1, 1)


def test_documents_without_gold_are_ignored(tmp_path: Path) -> None:
    gold = gold_of(tmp_path, record("a-001", visits=[gvisit(["熊本縣"], ["高雄市"])]))
    report = evaluate(
        gold,
        [
            svisit("ev:1", KUMAMOTO, KAOHSIUNG, sources=src("corpus/" + DOC_A)),
            svisit("ev:2", party("台南市"), KAOHSIUNG, sources=src("other-report.txt")),
        ],
        [sagreement("ev:3", "mou", [KAOHSIUNG, KUMAMOTO], sources=src("other-report.txt"))],
        [sperson("p:1", "某人", sources=src("other-report.txt"))],
    )
    assert [d.doc for d in report.documents] == [DOC_A]
    o = report.overall
    assert (o.visits.tp, o.visits.system, o.visits.gold) == (1, 1, 1)
    assert (o.agreements.system, o.persons.system) == (0, 0)
    assert o.agreements.precision is None and o.agreements.f1 is None


# --------------------------------------------------------------------------
# Agreements
# --------------------------------------------------------------------------


def test_agreement_parties_need_distinct_system_parties(tmp_path: Path) -> None:
    agreement = {
        "kind": "sister_city",
        "parties": [["高雄市"], ["高雄市政府", "高雄"]],
        "signatories": [],
        "witnesses": [],
    }
    gold = gold_of(tmp_path, record("a-001", type="agreement", agreements=[agreement]))
    # One system party naming both gold parties is not enough.
    lone = party("高雄市", "高雄市政府")
    one = evaluate(gold, [], [sagreement("ev:1", "sister_city", [lone])], [])
    assert one.overall.agreements.tp == 0
    two = evaluate(
        gold,
        [],
        [sagreement("ev:1", "sister_city", [lone, party("高雄", iri="ex:other")])],
        [],
    )
    assert two.overall.agreements.tp == 1
    # The kind must be equal, and the date must match.
    assert (
        evaluate(
            gold, [], [sagreement("ev:1", "mou", [lone, party("高雄", iri="ex:o")])], []
        ).overall.agreements.tp
        == 0
    )
    late = sagreement("ev:1", "sister_city", [lone, party("高雄", iri="ex:o")], "2024")
    assert evaluate(gold, [], [late], []).overall.agreements.tp == 0


def test_agreement_extra_system_party_is_allowed(tmp_path: Path) -> None:
    agreement = {
        "kind": "mou",
        "parties": [["熊本縣"], ["高雄市"]],
        "signatories": [],
        "witnesses": [],
    }
    gold = gold_of(tmp_path, record("a-001", type="agreement", agreements=[agreement]))
    answer = sagreement("ev:1", "mou", [KUMAMOTO, KAOHSIUNG, party("熊本市")], "2023-01")
    assert evaluate(gold, [], [answer], []).overall.agreements.f1 == 1.0


# --------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------


def test_person_matching_via_alias_and_en(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record(
            "a-001",
            persons=[gperson("蒲島郁夫"), gperson("史密斯", "John Smith"), gperson("陳其邁")],
        ),
    )
    report = evaluate(
        gold,
        [],
        [],
        [
            sperson("p:1", "Kabashima", "蒲島 郁夫"),  # alias
            sperson("p:2", "斯密斯", en="John・Smith"),  # en
            sperson("p:3", "陳其邁"),
            sperson("p:4", "陳其邁", "Chen"),  # a duplicate entity: one-to-one
            {"iri": "ex:place", "type": "place", "label": "陳其邁", "sources": src()},
        ],
    )
    p = report.overall.persons
    assert (p.tp, p.system, p.gold) == (3, 4, 3)
    assert [u.ref for u in report.errors("persons", side="system")] in (["p:3"], ["p:4"])


def test_persons_are_counted_per_document(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", DOC_A, persons=[gperson("陳其邁")]),
        record("a-002", DOC_A, persons=[gperson("陳其邁"), gperson("Paul Smith", "Paul Smith")]),
        record("b-001", DOC_B, persons=[gperson("陳其邁")]),
    )
    report = evaluate(gold, [], [], [sperson("p:1", "陳其邁", sources=src(DOC_A) + src(DOC_B))])
    assert report.document(DOC_A).persons == Score(tp=1, system=1, gold=2)
    assert (report.document(DOC_B).persons.tp, report.document(DOC_B).persons.gold) == (1, 1)
    p = report.overall.persons
    assert (p.tp, p.system, p.gold) == (2, 2, 3)
    missed = report.errors("persons", side="gold")
    assert [(u.docs, u.text) for u in missed] == [((DOC_A,), "[a-002] Paul Smith (Paul Smith)")]


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def test_report_table_and_dict(tmp_path: Path) -> None:
    gold = gold_of(
        tmp_path,
        record("a-001", DOC_A, visits=[gvisit(["熊本縣"], ["高雄市"])]),
        record("b-001", DOC_B, visits=[gvisit(["熊本市"], ["高雄市"])]),
    )
    report = evaluate(gold, [svisit("ev:1", KUMAMOTO, KAOHSIUNG)], [], [])
    assert isinstance(report, EvalReport)
    table = report.to_table()
    lines = table.splitlines()
    assert lines[0].split() == [
        "document",
        "score",
        "tp",
        "system",
        "gold",
        "precision",
        "recall",
        "f1",
    ]
    starts = [i for i, line in enumerate(lines) if line.startswith(("report-", "overall"))]
    assert [lines[i].split()[0] for i in starts] == [DOC_A, DOC_B, "overall"]
    assert "0.500" in lines[starts[2]]  # overall visits recall
    data = json.loads(json.dumps(report.to_dict()))
    assert data["overall"]["visits"] == {
        "tp": 1,
        "system": 1,
        "gold": 2,
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    assert [d["doc"] for d in data["documents"]] == [DOC_A, DOC_B]
    assert data["errors"][0]["kind"] == "visits"
    with pytest.raises(ValueError):
        report.errors("places")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def test_load_gold_reads_every_line_of_the_shared_gold() -> None:
    if not GOLD_DIR.is_dir():
        pytest.skip("no shared gold")
    records = load_gold(GOLD_DIR)
    lines = sum(
        1
        for f in GOLD_DIR.glob("*.jsonl")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    assert len(records) == lines
    assert len({r.id for r in records}) == lines
    assert all(r.file and r.line > 0 for r in records)
    evaluate(records, [], [], [])  # every record can be scored


def test_load_gold_types(tmp_path: Path) -> None:
    agreement = {
        "kind": "mou",
        "parties": [["熊本縣"], ["高雄市"]],
        "signatories": ["甲"],
        "witnesses": [],
    }
    [rec] = gold_of(
        tmp_path,
        record(
            "a-001",
            end=None,
            visits=[gvisit(["熊本縣"], ["高雄市"])],
            agreements=[agreement],
            persons=[gperson("甲", "Jia")],
        ),
    )
    assert rec.visits[0].visitor == ("熊本縣",)
    assert rec.agreements[0].parties == (("熊本縣",), ("高雄市",))
    assert rec.persons[0].en == "Jia"
    assert rec.span is not None and rec.span[0] == rec.span[1]
    assert rec.line == 1 and rec.file.endswith("report-a.jsonl")


def test_load_gold_without_files(tmp_path: Path) -> None:
    with pytest.raises(KgraphError, match=r"\[E030\]"):
        load_gold(tmp_path)
    with pytest.raises(KgraphError, match=r"\[E030\]"):
        load_gold(tmp_path / "missing")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ('["a list"]', "JSON object"),
        (json.dumps({k: v for k, v in record("a-002").items() if k != "start"}), "'start'"),
        (json.dumps(record("a-002", start="2023-13-01")), "'start'"),
        (json.dumps(record("a-002", type="party")), "'type'"),
        (
            json.dumps(record("a-002", visits=[{"visitor": ["X"], "direction": "inbound"}])),
            "'host'",
        ),
        (json.dumps(record("a-002", visits=[gvisit(["X"], ["Y"], "sideways")])), "'direction'"),
        (json.dumps(record("a-002", persons=[{"en": "x"}])), "'name'"),
        (json.dumps(record("a-002", same_as="nowhere-001")), "same_as"),
        (json.dumps(record("a-001")), "already used"),
    ],
)
def test_bad_gold_line_is_reported_with_file_and_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record("a-001")) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(KgraphError) as info:
        load_gold(tmp_path)
    message = str(info.value)
    assert message.startswith(f"[E031] {path}:3: ")
    assert reason in message
