"""Gazetteer of places and organisations, read from ``ontology/gazetteer/*.csv``.

The CSV files are produced by ``scripts/build_gazetteer.py`` (places) and curated by
hand (organisations).  This module only reads them: it needs no third-party package.

>>> gaz = Gazetteer.load()
>>> gaz.lookup("釜山廣域市").key
'釜山市'
>>> gaz.lookup("臺北") == gaz.lookup("台北")
True
>>> gaz.country("熊本市").key
'日本'
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from kgraph.errors import Errors, KgraphError
from kgraph.resources import ontology_dir

__all__ = ["GazetteerEntry", "Gazetteer", "normalize_name", "surface_variants", "default_dir"]


def default_dir() -> Path:
    """``ontology/gazetteer``, wherever :func:`~kgraph.resources.ontology_dir` finds the
    ontology (a checkout, ``$KGRAPH_ONTOLOGY`` or an installed copy).

    >>> (default_dir() / "places.csv").is_file()
    True
    """
    return ontology_dir() / "gazetteer"


EntryType = Literal["place", "org"]

# The CSV schema, shared by the loader, the builder (scripts/build_gazetteer.py) and tests.
PLACE_COLUMNS = [
    "key",
    "aliases",
    "name_en",
    "country",
    "country_code",
    "kind",
    "parent",
    "wikidata",
    "lat",
    "lon",
    "source",
]
ORG_COLUMNS = ["key", "aliases", "name_en", "country", "kind", "parent", "wikidata", "source"]
PLACE_KINDS = {"city", "region", "country"}
ORG_KINDS = {
    "foreign_office",
    "government",
    "parliament",
    "university",
    "school",
    "association",
    "party",
    "company",
    "international",
}

_FULLWIDTH_PARENS = str.maketrans({"(": "（", ")": "）"})


def normalize_name(name: str) -> str:
    """Normalise a surface name for lookup: NFKC, trimmed, 臺 -> 台.

    >>> normalize_name(" 臺北市 ")
    '台北市'
    >>> normalize_name("中華民國（臺灣）")
    '中華民國(台灣)'
    """
    return unicodedata.normalize("NFKC", name).strip().replace("臺", "台")


def surface_variants(name: str) -> list[str]:
    """Spellings under which ``name`` may appear in running text.

    The normalised form first, then its 臺 spelling and full-width-bracket forms.

    >>> surface_variants("台北市")
    ['台北市', '臺北市']
    >>> surface_variants("中華民國(台灣)")
    ['中華民國(台灣)', '中華民國(臺灣)', '中華民國（台灣）', '中華民國（臺灣）']
    """
    base = normalize_name(name)
    out = [base]
    if "台" in base:
        out.append(base.replace("台", "臺"))
    if "(" in base or ")" in base:
        out.extend([v.translate(_FULLWIDTH_PARENS) for v in out])
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class GazetteerEntry:
    """One place or organisation.

    ``names`` holds the key first, then the aliases (all normalised).
    ``lat``/``lon`` are ``None`` when unknown; ``kind`` is ``city``/``region``/``country``
    for places and ``foreign_office``/``government``/... for organisations.
    """

    key: str
    type: EntryType
    names: tuple[str, ...]
    name_en: str = ""
    country: str = ""
    country_code: str = ""
    kind: str = ""
    parent: str = ""
    wikidata: str = ""
    lat: float | None = None
    lon: float | None = None
    source: str = ""

    @property
    def aliases(self) -> tuple[str, ...]:
        """The names other than the key.

        >>> GazetteerEntry("釜山市", "place", ("釜山市", "釜山")).aliases
        ('釜山',)
        """
        return self.names[1:]


def _float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _split(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split("|") if a.strip()]


class Gazetteer:
    """Name -> entry index over places (``places.csv``) and organisations (``orgs.csv``).

    Keys always win over aliases; on an alias clash places win over organisations and
    the first row read wins otherwise.
    """

    def __init__(self, entries: list[GazetteerEntry]) -> None:
        self._entries: dict[str, GazetteerEntry] = {}
        self._index: dict[str, GazetteerEntry] = {}
        for e in entries:
            self._entries.setdefault(e.key, e)
        for e in self._entries.values():
            self._index.setdefault(e.key, e)
        for e in self._entries.values():
            for n in e.names[1:]:
                self._index.setdefault(n, e)
        children: dict[str, list[GazetteerEntry]] = {}
        for e in self._entries.values():
            if e.parent:
                children.setdefault(e.parent, []).append(e)
        self._children = {k: tuple(v) for k, v in children.items()}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, directory: Path | None = None) -> Gazetteer:
        """Load the gazetteer CSVs from ``directory`` (default: the repo's, cached).

        >>> Gazetteer.load() is Gazetteer.load()
        True
        """
        if directory is None:
            return _load_default()
        return cls._read(Path(directory))

    @classmethod
    def _read(cls, directory: Path) -> Gazetteer:
        entries: list[GazetteerEntry] = []
        places = directory / "places.csv"
        orgs = directory / "orgs.csv"
        if places.exists():
            entries.extend(_read_csv(places, "place"))
        if orgs.exists():
            codes = {e.key: e.country_code for e in entries if e.kind == "country"}
            entries.extend(
                e if e.country_code else replace(e, country_code=codes.get(e.country, ""))
                for e in _read_csv(orgs, "org")
            )
        return cls(entries)

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.lookup(name) is not None

    def get(self, key: str) -> GazetteerEntry | None:
        """The entry whose key is exactly ``key`` (after normalisation)."""
        return self._entries.get(normalize_name(key))

    def lookup(self, name: str) -> GazetteerEntry | None:
        """Exact lookup of a key or alias, after NFKC and 臺->台.

        >>> g = Gazetteer.load()
        >>> g.lookup("釜山").key, g.lookup("德州").key
        ('釜山市', '德克薩斯州')
        >>> g.lookup("美國在臺協會").type
        'org'
        >>> g.lookup("不存在的地方") is None
        True
        """
        return self._index.get(normalize_name(name))

    def names(self) -> Iterator[tuple[str, GazetteerEntry]]:
        """Every surface name (with 臺/台 and bracket variants) and its entry.

        Meant for building spaCy ``PhraseMatcher`` patterns.

        >>> pairs = dict(Gazetteer.load().names())
        >>> pairs["臺北市"].key, pairs["台北"].key
        ('台北市', '台北市')
        """
        seen: set[str] = set()
        for name, entry in self._index.items():
            for variant in surface_variants(name):
                if variant not in seen:
                    seen.add(variant)
                    yield variant, entry

    def country(self, name: str) -> GazetteerEntry | None:
        """The country entry for ``name``: itself for a country, else its country.

        >>> g = Gazetteer.load()
        >>> g.country("南韓").key, g.country("釜山").key, g.country("德國在台協會").key
        ('韓國', '韓國', '德國')
        >>> g.country("聯合國") is None
        True
        """
        entry = self.lookup(name)
        if entry is None:
            return None
        if entry.type == "place" and entry.kind == "country":
            return entry
        if not entry.country:
            return None
        found = self._entries.get(entry.country)
        return found if found is not None and found.kind == "country" else None

    def children(self, key: str) -> tuple[GazetteerEntry, ...]:
        """The entries whose parent is ``key`` (an office's branches)."""
        return self._children.get(key, ())

    def places(self, kind: str | None = None) -> Iterator[GazetteerEntry]:
        """Place entries, optionally only of one ``kind``."""
        return (e for e in self._entries.values() if e.type == "place" and kind in (None, e.kind))

    def orgs(self, kind: str | None = None) -> Iterator[GazetteerEntry]:
        """Organisation entries, optionally only of one ``kind``."""
        return (e for e in self._entries.values() if e.type == "org" and kind in (None, e.kind))


def _read_csv(path: Path, type_: EntryType) -> Iterator[GazetteerEntry]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = normalize_name(row["key"])
            names = dict.fromkeys([key, *(normalize_name(a) for a in _split(row.get("aliases")))])
            yield GazetteerEntry(
                key=key,
                type=type_,
                names=tuple(names),
                name_en=(row.get("name_en") or "").strip(),
                country=normalize_name(row.get("country") or ""),
                country_code=(row.get("country_code") or "").strip(),
                kind=(row.get("kind") or "").strip(),
                parent=normalize_name(row.get("parent") or ""),
                wikidata=(row.get("wikidata") or "").strip(),
                lat=_float(row.get("lat")),
                lon=_float(row.get("lon")),
                source=(row.get("source") or "").strip(),
            )


@functools.lru_cache(maxsize=1)
def _load_default() -> Gazetteer:
    # A folder of one's own may leave a list out; kgraph's own lacking one is a broken
    # install, which would otherwise recognise no place and extract nothing, silently.
    folder = default_dir()
    for name in ("places.csv", "orgs.csv"):
        if not (folder / name).is_file():
            raise KgraphError(Errors.E040, path=folder / name)
    return Gazetteer._read(folder)
