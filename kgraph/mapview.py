"""The map of partners: ``write_map(kg, out)`` writes one HTML file that works offline.

Each place the home city (高雄市) visited, received, signed with or partners with is a circle
at its gazetteer point, coloured by the strongest relation (partnership > agreement > visit),
sized by the number of contacts, with a line from the home city. Leaflet, topojson-client and
the Natural Earth 1:110m country outlines are vendored in ``kgraph/static/vendor`` and inlined,
and the outlines are the base layer: map tiles would need the network. Partners the gazetteer
has no point for (regions such as 熊本縣, countries, organisations) are listed beside the map,
so none is silently dropped.

Longitudes are unwrapped around the home city (:func:`unwrap`), so the line to a partner in
the Americas crosses the Pacific, not Eurasia; the outlines are drawn once more 360° east.

The page's contract (for browser tests; keep it stable): ``#map`` (the Leaflet map), ``#legend``,
``#partners`` (the mapped partners: a button per partner that opens its popup), ``#unmapped``
(places without coordinates), ``#organisations`` (organisation partners), ``#kgraph-data`` (the
JSON of :meth:`MapData.to_json`) and ``#kgraph-countries`` (the outlines).
``window.kgraphMap`` = ``{map, markers, lines, home, ready}``: the Leaflet map, one circle
marker per mapped partner (in the order of ``#partners``), the lines from the home city, the
home city's marker (or null) and ``ready``, true once everything is drawn. Popups and tooltips
are built with ``textContent``; names from the reports never become markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kgraph.api import Record, RecordSource
from kgraph.iri import is_home
from kgraph.viz import (
    STATIC_DIR,
    VENDOR_DIR,
    inline,
    json_for_html,
    page_css,
    read_asset,
    render_page,
    styles,
    write_html,
)

__all__ = ["MapData", "Partner", "map_data", "map_data_from_records", "render_map", "unwrap"]

DEFAULT_TITLE = "高雄市的夥伴 Kaohsiung's partners"
STRENGTH: tuple[str, ...] = ("partnership", "agreement", "visit")  # strongest first


@dataclass(frozen=True, slots=True)
class Point:
    """The home city on the map."""

    label: str
    label_en: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Partner:
    """A party the home city has a relation with, and how much: visits both ways, agreements
    signed together, partnerships (their kinds), first and latest dated contact. ``lon`` is
    unwrapped around the home city's longitude."""

    iri: str
    label: str
    label_en: str | None
    aliases: tuple[str, ...]
    type: str | None
    kind: str | None
    country: str | None
    lat: float | None
    lon: float | None
    visits_in: int = 0
    visits_out: int = 0
    agreements: int = 0
    partnerships: tuple[str, ...] = ()
    first: str | None = None
    latest: str | None = None

    @property
    def visits(self) -> int:
        return self.visits_in + self.visits_out

    @property
    def contacts(self) -> int:
        return self.visits + self.agreements + len(self.partnerships)

    @property
    def strongest(self) -> str:
        """partnership, agreement or visit: the strongest relation it has."""
        if self.partnerships:
            return "partnership"
        return "agreement" if self.agreements else "visit"

    @property
    def mapped(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "visits": self.visits,
            "contacts": self.contacts,
            "strongest": self.strongest,
        }


@dataclass
class _Tally:
    """What the records say of one partner, counted while reading them."""

    visits_in: set[str] = field(default_factory=set)  # visiting events, as analysis counts
    visits_out: set[str] = field(default_factory=set)
    agreements: int = 0
    partnerships: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)

    def saw(self, *dates: str | None) -> None:
        self.dates.extend(d for d in dates if d)

    def counts(self) -> dict[str, Any]:
        """The counting fields of :class:`Partner` (ISO prefixes order as strings)."""
        return {
            "visits_in": len(self.visits_in),
            "visits_out": len(self.visits_out),
            "agreements": self.agreements,
            "partnerships": tuple(self.partnerships),
            "first": min(self.dates, default=None),
            "latest": max(self.dates, default=None),
        }


@dataclass(frozen=True)
class MapData:
    """The home city's point (None when the gazetteer has none) and its partners, strongest
    relation first, then most contacts."""

    home: Point | None
    partners: tuple[Partner, ...]

    @property
    def mapped(self) -> list[Partner]:
        return [p for p in self.partners if p.mapped]

    @property
    def unmapped(self) -> list[Partner]:
        """Places without coordinates (regions, countries …)."""
        return [p for p in self.partners if not p.mapped and p.type == "place"]

    @property
    def organisations(self) -> list[Partner]:
        """Partners that are not places (organisations, or parties of unknown type)."""
        return [p for p in self.partners if not p.mapped and p.type != "place"]

    def partner(self, label: str) -> Partner:
        for p in self.partners:
            if p.label == label:
                return p
        raise KeyError(label)

    def to_json(self) -> dict[str, Any]:
        return {
            "home": asdict(self.home) if self.home else None,
            "mapped": [p.to_json() for p in self.mapped],
            "unmapped": [p.to_json() for p in self.unmapped],
            "organisations": [p.to_json() for p in self.organisations],
        }


def unwrap(lon: float, reference: float) -> float:
    """``lon`` moved by whole turns to within 180° of ``reference``: a straight line from the
    reference then takes the short way round (Kaohsiung to Portland crosses the Pacific).

    >>> unwrap(-122.68, 120.31), unwrap(13.74, 120.31), unwrap(170.0, -170.0)
    (237.32, 13.74, -190.0)
    """
    while lon - reference > 180:
        lon -= 360
    while lon - reference < -180:
        lon += 360
    return round(lon, 6)


def map_data(kg: RecordSource) -> MapData:
    """The map of a whole built graph: see :func:`map_data_from_records`."""
    return map_data_from_records(
        kg.entity_records(), kg.visit_records(), kg.agreement_records(), kg.partnership_records()
    )


def map_data_from_records(
    entities: Iterable[Record],
    visits: Iterable[Record],
    agreements: Iterable[Record] = (),
    partnerships: Iterable[Record] = (),
) -> MapData:
    """The home city and its partners from the records of :mod:`kgraph.api`.

    The home city is the place :func:`kgraph.iri.is_home` names. Only relations
    with the home city as a party count (a visit between two foreign parties makes no partner).
    """
    index = {e["iri"]: e for e in entities}
    home_iri = _home_iri(index)
    home = index.get(home_iri or "", {})
    ref_lon = home.get("lon")
    refs: dict[str, Record] = {}
    tallies: dict[str, _Tally] = {}

    def tally(ref: Record) -> _Tally:
        refs.setdefault(ref["iri"], ref)
        return tallies.setdefault(ref["iri"], _Tally())

    for v in visits:
        visitor, host = v["visitor"], v["host"]
        if home_iri not in (visitor["iri"], host["iri"]) or visitor["iri"] == host["iri"]:
            continue
        inbound = host["iri"] == home_iri
        t = tally(visitor if inbound else host)
        (t.visits_in if inbound else t.visits_out).add(str(v["event"]))
        t.saw(v.get("start"))  # a contact's date is its start, as kgraph analyze contacts
    for a in agreements:
        for ref in _others(a["parties"], home_iri):
            t = tally(ref)
            t.agreements += 1
            t.saw(a.get("date"))
    for ship in partnerships:
        for ref in _others(ship["partners"], home_iri):
            t = tally(ref)
            t.partnerships.append(str(ship["kind"]))
            t.saw(ship.get("since"))

    point = None
    if home and home.get("lat") is not None and ref_lon is not None:
        point = Point(str(home["label"]), home.get("label_en"), float(home["lat"]), ref_lon)
    found = [_partner(refs[iri], index.get(iri), ref_lon, t) for iri, t in tallies.items()]
    found.sort(key=lambda p: (STRENGTH.index(p.strongest), -p.contacts, p.label))
    return MapData(point, tuple(found))


def _home_iri(index: dict[str, Record]) -> str | None:
    return next((iri for iri in index if is_home(iri)), None)


def _others(parties: list[Record], home_iri: str | None) -> list[Record]:
    """The parties besides the home city, when the home city is one of them."""
    iris = {p["iri"] for p in parties}
    if home_iri not in iris:
        return []
    return [p for p in {p["iri"]: p for p in parties}.values() if p["iri"] != home_iri]


def _partner(ref: Record, entity: Record | None, ref_lon: float | None, tally: _Tally) -> Partner:
    e = entity or ref
    lat, lon = e.get("lat"), e.get("lon")
    if lon is not None and ref_lon is not None:
        lon = unwrap(float(lon), float(ref_lon))
    return Partner(
        iri=str(ref["iri"]),
        label=str(e.get("label") or ref["iri"]),
        label_en=e.get("label_en"),
        aliases=tuple(e.get("aliases") or ()),
        type=e.get("type"),
        kind=e.get("kind"),
        country=e.get("country"),
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        **tally.counts(),
    )


# --------------------------------------------------------------------------- the page


def render_map(data: MapData, title: str = DEFAULT_TITLE) -> str:
    """The HTML page of the map (one file, nothing to fetch)."""
    look = styles()
    countries = json.loads(read_asset(VENDOR_DIR / "countries-110m.json"))
    return render_page(
        "map.html.j2",
        title=title,
        data=json_for_html({**data.to_json(), "styles": look}),
        countries=json_for_html(countries),
        leaflet_js=inline(read_asset(VENDOR_DIR / "leaflet.js"), "script"),
        leaflet_css=inline(read_asset(VENDOR_DIR / "leaflet.css"), "style"),
        topojson_js=inline(read_asset(VENDOR_DIR / "topojson-client.min.js"), "script"),
        page_js=inline(read_asset(STATIC_DIR / "map.js"), "script"),
        page_css=inline(page_css("map.css"), "style"),
        relations=[(r, look["relations"][r]) for r in STRENGTH],
        home=data.home,
        mapped=data.mapped,
        unmapped=data.unmapped,
        organisations=data.organisations,
    )


def write_map(kg: RecordSource, out: Path, title: str = DEFAULT_TITLE) -> Path:
    """Write the map of ``kg``'s partners to the HTML file ``out``, atomically; returns ``out``.

    Missing parent folders are made; an unwritable ``out`` raises :class:`StoreError` E012.
    """
    return write_html(render_map(map_data(kg), title), out)
