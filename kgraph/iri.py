"""Minting IRIs: the one pure function every stage uses to name a resource.

IRIs are readable (the Chinese name stays in the IRI, as RFC 3987 allows) and
stable: the same kind and name give the same IRI in every build. Characters
that IRIs forbid, and the delimiters that would change an IRI's structure, are
percent-encoded, so any name (Latin with diacritics, quotes, ``<script>``,
``}``) gives a valid IRI; distinct names give distinct IRIs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache, lru_cache
from urllib.parse import quote

from rdflib import URIRef

from kgraph.errors import Errors, KgraphError
from kgraph.namespace import DEFAULT_BASE

# Allowed as they are: RFC 3987 iunreserved (ASCII unreserved plus ucschar).
_SAFE_ASCII = "-._~"


#: A part made only of what an IRI keeps as it is in ASCII (a document id, offsets, a
#: date, a digest): most parts of a build's million IRIs, which need no encoding.
_PLAIN_ASCII = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def _encode(part: str) -> str:
    """Percent-encode everything but letters, digits, ``-._~`` and non-ASCII letters.

    >>> _encode("熊本縣")
    '熊本縣'
    >>> _encode('x" } <b>')
    'x%22%20%7D%20%3Cb%3E'
    >>> _encode("report-001"), _encode("12-40")
    ('report-001', '12-40')
    """
    if _PLAIN_ASCII(part):
        return part
    return "".join(map(_encode_char, unicodedata.normalize("NFC", part)))


@cache
def _encode_char(ch: str) -> str:
    """One character, encoded once: a build mints a million IRIs from a few thousand
    distinct characters."""
    if ch.isascii():
        return quote(ch, safe=_SAFE_ASCII)
    return ch if _is_ucschar(ch) else quote(ch, safe="")


def _is_ucschar(ch: str) -> bool:
    """RFC 3987 ucschar (its exact ranges), less separators, controls and private use.

    >>> _is_ucschar("熊"), _is_ucschar("\U000e0100"), _is_ucschar("\u2028")
    (True, False, False)
    """
    code = ord(ch)
    if unicodedata.category(ch)[0] in ("Z", "C"):
        return False
    if code < 0x10000:
        return 0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
    if (code & 0xFFFF) >= 0xFFFE:  # the last two code points of every plane
        return False
    # Planes 1-13 whole; plane 14 only from E1000 (E0000-E0FFF are tags and selectors).
    return code <= 0xDFFFD or 0xE1000 <= code <= 0xEFFFD


def check_base(base: str) -> str:
    """``base`` if it can prefix minted IRIs: absolute http(s), ending in ``/`` or ``#``, with
    nothing an IRI forbids (spaces, quotes, angle brackets).

    >>> check_base("http://example.org/kg/")
    'http://example.org/kg/'
    >>> try:
    ...     check_base("example.org")
    ... except KgraphError as error:
    ...     print(error.code)
    E042
    """
    scheme, _, rest = base.partition("://")
    forbidden = set(' <>"{}|\\^`') | {chr(c) for c in range(0x21)}
    if (
        scheme.lower() not in ("http", "https")
        or not rest.strip("/#")
        or not base.endswith(("/", "#"))
        or any(ch in forbidden for ch in base)
    ):
        raise KgraphError(Errors.E042, value=base)
    return base


def mint(kind: str, *parts: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a resource of ``kind`` named by ``parts``, as an rdflib term (see
    :func:`mint_text`).

    >>> mint("place", "熊本縣")
    rdflib.term.URIRef('https://w3id.org/kgraph/id/place/熊本縣')
    >>> mint("person", "Ron Nirenberg", base="http://example.org/")
    rdflib.term.URIRef('http://example.org/person/Ron%20Nirenberg')
    >>> mint("org", "a/b") != mint("org", "a", "b")
    True
    """
    return URIRef(mint_text(kind, *parts, base=base))


@lru_cache(maxsize=1 << 16)
def mint_text(kind: str, *parts: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a resource of ``kind`` named by ``parts``: the one function that names
    things. A string, for the stages that want no rdflib term: resolution and the graph
    stage mint a million IRIs at 1,000 reports. Remembered: resolution asks for the same
    entity's IRI at each of its mentions (750,000 times at 1,000 reports).

    >>> mint_text("place", "熊本縣")
    'https://w3id.org/kgraph/id/place/熊本縣'
    >>> mint_text("passage", "report-001", "12-40", base="http://example.org/")
    'http://example.org/passage/report-001/12-40'
    """
    if not parts or any(p == "" for p in parts):
        raise ValueError("an IRI needs a non-empty name")
    path = "/".join(_encode(p) for p in parts)
    return f"{base}{_encode(kind)}/{path}"


def digest(*parts: str, length: int = 10) -> str:
    """A short, stable hash of some parts, for IRIs of things that have no name.

    >>> digest("2023-01-13", "visit", "熊本縣")
    '592e6fe714'
    """
    data = "\x1f".join(unicodedata.normalize("NFC", p) for p in parts).encode()
    return hashlib.sha256(data).hexdigest()[:length]


def is_home(iri: str) -> bool:
    """Whether ``iri`` names the home city (``kgraph/data/home_party.csv``), minted under
    any base: what the analyses and views centre on, found the way :func:`mint` names it.

    >>> is_home("https://w3id.org/kgraph/id/place/高雄市"), is_home("http://x.org/kg#place/高雄市")
    (True, True)
    >>> is_home("https://w3id.org/kgraph/id/place/高雄市政府")
    False
    """
    suffix = _home_suffix()
    return iri.endswith(suffix) and iri[: -len(suffix)].endswith(("/", "#"))


@lru_cache(maxsize=1)
def _home_suffix() -> str:
    """The home city's IRI without its base: ``place/高雄市``."""
    from kgraph.resources import home_row

    return mint_text("place", home_row()[0], base="")
