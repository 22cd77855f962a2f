"""The pipeline's records: slotted, and pickled as their fields' values (the cache)."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from kgraph import model
from kgraph.model import (
    AgreementRel,
    DateSpan,
    Document,
    DocumentInfo,
    Happening,
    Mention,
    NormalisedText,
    PartyRef,
    PersonRef,
    Source,
    Unit,
    VisitRel,
    pickled_by_fields,
)

RECORDS = [
    cls
    for _, cls in inspect.getmembers(model, inspect.isclass)
    if dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
]


SAMPLES = [
    Document("r", "r.txt", "corpus/r.txt", "熊本市"),
    DocumentInfo("r", "r.txt", "corpus/r.txt", "text/plain", "ab12"),
    NormalisedText("熊本市", (0, 1, 2)),
    Unit("r", 0, ("國際交流",), "1.", 0, 3, "熊本市", heading="交流"),
]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_every_record_is_slotted_and_pickled_by_its_fields(cls: type) -> None:
    assert "__slots__" in vars(cls) and "__dict__" not in dir(cls)
    assert "__reduce__" in vars(cls)  # model.pickled_by_fields, not dataclass's loops


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_a_record_comes_back_from_a_pickle_equal(record: object) -> None:
    assert pickle.loads(pickle.dumps(record)) == record


def test_a_record_of_one_field_is_pickled_as_a_tuple_of_one() -> None:
    @pickled_by_fields
    @dataclasses.dataclass(frozen=True, slots=True)
    class Name:
        text: str

    assert Name("熊本市").__reduce__() == (Name, ("熊本市",))


def test_a_record_with_a_keyword_only_field_cannot_be_pickled_by_fields() -> None:
    with pytest.raises(TypeError, match="positional"):

        @pickled_by_fields
        @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
        class Named:
            text: str


def test_a_happening_comes_back_from_a_pickle_whole() -> None:
    home = PartyRef("高雄市", "place", ("高雄市", "本市"), country="臺灣", kind="city")
    guest = PartyRef("熊本市", "place", ("熊本市",), country="日本", kind="city")
    mayor = PersonRef("大西一史", title="市長", of="熊本市")
    said = Source("r.txt", 12, 15, "熊本市")
    h = Happening(
        "r",
        "visit",
        DateSpan("2023-03-02", "2023-03-02"),
        Source("r.txt", 0, 30, "熊本市大西一史市長率團訪高"),
        visits=(VisitRel(guest, home, "inbound", visitor_persons=(mayor,)),),
        agreements=(AgreementRel("mou", (home, guest), signatories=(mayor,), ordinal=3),),
        persons=(mayor,),
        parties=(guest, home),
        delegation=True,
        mentions=((Mention("PLACE", "熊本市", 12, 15, key="熊本市"), said),),
    )
    back = pickle.loads(pickle.dumps(h, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == h and back.mentions == h.mentions  # mentions do not take part in ==
    assert back.visits[0].visitor_persons == (mayor,)
