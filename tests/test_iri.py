"""Minting IRIs (kgraph.iri): valid for any name, stable, and distinct for distinct names."""

from __future__ import annotations

import unicodedata

import pyoxigraph
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef

from kgraph.iri import _encode, _encode_char, digest, mint, mint_text
from kgraph.namespace import DEFAULT_BASE

KINDS = st.sampled_from(["place", "person", "org", "event", "agreement", "passage", "graph"])
# Any Unicode text (hypothesis leaves out lone surrogates, which no str can encode).
NAMES = st.text(min_size=1, max_size=40)
HOSTILE = [
    "<script>alert(1)</script>",
    '"',
    "}",
    "{",
    "a b",
    "Ron Nirenberg",
    "Zürich",
    "São Paulo",
    "Kraków",
    "Đà Nẵng",
    "e\u0301",  # e + combining acute
    "\\",
    "^",
    "`",
    "|",
    "#frag",
    "?q=1",
    "%41",
    "a/b",
    "..",
    ".",
    "\t\n\r",
    "\u00a0",
    "\u200b",
    "\u2028",
    "\ufeff",
    "\U0001f600",
    "\ue000",  # private use
    "熊本市",
    "朗．尼倫伯格",
    "艾德里安‧施里納",
    "中華民國(台灣)",
]


def nt_line(iri: str) -> str:
    return f'<{iri}> <http://example.org/p> "x" .\n'


def assert_valid_iri(iri: URIRef) -> None:
    """Strict parsing by pyoxigraph and rdflib both give back the same IRI."""
    quads = list(pyoxigraph.parse(nt_line(str(iri)), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(quads) == 1
    assert quads[0].subject.value == str(iri)
    g = Graph().parse(data=nt_line(str(iri)), format="nt")
    assert set(g.subjects()) == {iri}
    # Serialising and reading back round-trips too.
    again = Graph().parse(data=g.serialize(format="nt"), format="nt")
    assert set(again.subjects()) == {iri}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_give_valid_iris(name: str) -> None:
    iri = mint("person", name)
    assert iri.startswith(DEFAULT_BASE + "person/")
    assert_valid_iri(iri)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_give_valid_iris_under_another_base(name: str) -> None:
    assert_valid_iri(mint("org", name, base="http://example.org/kg/"))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=KINDS, name=NAMES)
def test_any_name_gives_a_valid_iri(kind: str, name: str) -> None:
    assert_valid_iri(mint(kind, name))


@settings(deadline=None)
@given(kind=KINDS, parts=st.lists(NAMES, min_size=1, max_size=3))
def test_any_parts_give_a_valid_iri(kind: str, parts: list[str]) -> None:
    assert_valid_iri(mint(kind, *parts))


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@settings(deadline=None)
@given(kind=KINDS, a=NAMES, b=NAMES)
def test_distinct_names_give_distinct_iris(kind: str, a: str, b: str) -> None:
    # Canonically equivalent spellings (NFC) are the same name, by design.
    assume(_nfc(a) != _nfc(b))
    assert mint(kind, a) != mint(kind, b)


@settings(deadline=None)
@given(a=st.lists(NAMES, min_size=1, max_size=3), b=st.lists(NAMES, min_size=1, max_size=3))
def test_distinct_part_lists_give_distinct_iris(a: list[str], b: list[str]) -> None:
    assume([_nfc(x) for x in a] != [_nfc(x) for x in b])
    assert mint("event", *a) != mint("event", *b)


def test_distinct_hostile_names_give_distinct_iris() -> None:
    by_name = {_nfc(n): mint("place", n) for n in HOSTILE}
    assert len(set(by_name.values())) == len(by_name)


def test_kinds_keep_names_apart() -> None:
    assert mint("place", "釜山市") != mint("org", "釜山市")
    assert mint("org", "a/b") != mint("org", "a", "b")


@settings(deadline=None)
@given(kind=KINDS, name=NAMES)
def test_mint_is_stable(kind: str, name: str) -> None:
    assert mint(kind, name) == mint(kind, name)


@settings(deadline=None)
@given(part=st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=12) | NAMES)
def test_a_part_is_encoded_alike_with_or_without_the_plain_ascii_shortcut(part: str) -> None:
    assert _encode(part) == "".join(map(_encode_char, _nfc(part)))


@settings(deadline=None)
@given(kind=KINDS, parts=st.lists(NAMES, min_size=1, max_size=3))
def test_mint_is_the_text_of_mint_text(kind: str, parts: list[str]) -> None:
    assert mint(kind, *parts) == URIRef(mint_text(kind, *parts))


def test_known_iris_do_not_change_between_versions() -> None:
    """Published IRIs must stay the same from build to build."""
    assert str(mint("place", "熊本縣")) == "https://w3id.org/kgraph/id/place/熊本縣"
    assert str(mint("person", "Ron Nirenberg", base="http://example.org/")) == (
        "http://example.org/person/Ron%20Nirenberg"
    )
    assert digest("2023-01-13", "visit", "熊本縣") == "592e6fe714"


def test_readable_chinese_names_stay_in_the_iri() -> None:
    assert str(mint("person", "艾德里安‧施里納")).endswith("/person/艾德里安‧施里納")


def test_canonically_equivalent_names_give_one_iri() -> None:
    assert mint("place", "Zu\u0308rich") == mint("place", "Zürich")


@pytest.mark.parametrize("parts", [(), ("",), ("a", "")])
def test_empty_names_are_refused(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        mint("place", *parts)


@settings(deadline=None)
@given(a=st.lists(NAMES, min_size=1, max_size=3), b=st.lists(NAMES, min_size=1, max_size=3))
def test_digest_is_stable_and_short(a: list[str], b: list[str]) -> None:
    assert digest(*a) == digest(*a)
    assert len(digest(*a)) == 10
    assert all(c in "0123456789abcdef" for c in digest(*a))
