"""Resolving: one entity per real person, place or organisation, one event per real happening.

Extraction gives one :class:`~kgraph.model.Happening` per unit of a report;
here they become :class:`Event` s, and the names in them become :class:`Entity` s
with stable IRIs (from :func:`kgraph.iri.mint_text`):

* a party is identified by its gazetteer key (釜山, 釜山廣域市 -> 釜山市);
* a person by their name, where a transliterated name's last part (施里納 in
  艾德里安‧施里納) and their Latin name are aliases of it;
* happenings told twice (a summary and a detail section, a slide recapping a
  signing) are one event when their dates overlap, their type agrees and they
  share a foreign party; an undated telling of a signing is the signing of the same
  kind between the same parties.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from kgraph.dates import span_overlaps, span_years
from kgraph.extract import is_foreign
from kgraph.iri import digest, mint_text
from kgraph.model import (
    PARTY_LABELS,
    AgreementKind,
    AgreementRel,
    DateSpan,
    Direction,
    EntityType,
    Happening,
    HappeningType,
    PartyRef,
    PersonRef,
    Source,
    VisitRel,
)
from kgraph.recognise import NAME_JOINERS


@dataclass(frozen=True, slots=True)
class Title:
    """A title a person held, as a report gives it (時任 titles keep their date)."""

    title: str
    of: str | None
    date: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved person, place or organisation."""

    iri: str
    type: EntityType
    key: str
    label: str
    label_en: str | None = None
    aliases: tuple[str, ...] = ()
    country: str | None = None
    kind: str | None = None
    wikidata: str | None = None
    titles: tuple[Title, ...] = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, slots=True)
class Visit:
    visitor: str
    host: str
    direction: Direction
    visitor_persons: tuple[str, ...] = ()
    host_persons: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()  # the tellings that tell of the visit itself


@dataclass(frozen=True, slots=True)
class Agreement:
    iri: str
    kind: AgreementKind
    parties: tuple[str, ...]
    signatories: tuple[str, ...] = ()
    witnesses: tuple[str, ...] = ()
    ordinal: int | None = None
    date: DateSpan | None = None
    sources: tuple[Source, ...] = ()  # the tellings that tell of this document


@dataclass(frozen=True, slots=True)
class Event:
    """A resolved happening: IRIs for everyone in it, and every passage that tells it."""

    iri: str
    type: HappeningType
    date: DateSpan | None
    title: str
    visits: tuple[Visit, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    participants: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    delegation: bool = False  # a visit by a group (kg:Delegation), as any telling says


@dataclass(frozen=True, slots=True)
class Partnership:
    """The standing relation an agreement of a partnership kind (sister, friendship or
    partner city) establishes between two parties. Several agreements may establish it
    (a report and a later recap disagreeing on the day): it starts at the earliest."""

    iri: str
    kind: AgreementKind
    partners: tuple[str, str]
    agreements: tuple[str, ...]
    start: str | None = None
    ordinal: int | None = None
    sources: tuple[Source, ...] = ()


@dataclass
class Resolved:
    """The whole resolved corpus: what the graph stage turns into RDF."""

    entities: dict[str, Entity] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)


# --------------------------------------------------------------------------- entities


class _Builder:
    """Collects names, aliases, titles and sources per IRI while resolving."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.entities: dict[str, dict] = {}
        self.person_alias: dict[str, str] = {}
        self.aliases_of: dict[str, set[str]] = {}  # person_alias inverted, kept in step

    def party(self, p: PartyRef, source: Source | None = None) -> str:
        iri = mint_text(p.type, p.key, base=self.base)
        e = self._entry(iri, p.type, p.key)
        e["aliases"].update(p.names)
        e["label_en"] = e["label_en"] or p.latin
        e["country"] = e["country"] or p.country
        e["kind"] = e["kind"] or p.kind
        e["wikidata"] = e["wikidata"] or p.wikidata
        if source:
            e["sources"].add(source)
        return iri

    def person(self, p: PersonRef) -> str:
        key = self.person_key(p)
        iri = mint_text("person", key, base=self.base)
        e = self._entry(iri, "person", key)
        e["aliases"].add(p.name)
        if p.latin:
            e["aliases"].add(p.latin)
            e["label_en"] = e["label_en"] or p.latin
        return iri

    def person_key(self, p: PersonRef) -> str:
        for name in (p.name, *(_name_parts(p.name)), p.latin or ""):
            if name and name in self.person_alias:
                return self.person_alias[name]
        return p.name

    def learn_person(self, p: PersonRef) -> None:
        """Register a person's full name, its parts and Latin name as aliases of it.

        The key is the fullest name known, whatever order the names come in: a later
        艾德里安‧施里納 takes over the aliases of an earlier 施里納.
        """
        names = [n for n in (p.name, *(_name_parts(p.name)), p.latin or "") if len(n) >= 2]
        keys = {self.person_alias[n] for n in names if n in self.person_alias}
        key = max(keys | {p.name}, key=lambda k: (len(k), k))
        for old in keys - {key}:  # the aliases of a key taken over move to the new key
            for alias in self.aliases_of.pop(old, set()):
                self.person_alias[alias] = key
                self.aliases_of.setdefault(key, set()).add(alias)
        for name in names:
            self.person_alias[name] = key
            self.aliases_of.setdefault(key, set()).add(name)

    def _entry(self, iri: str, type_: str, key: str) -> dict:
        return self.entities.setdefault(
            iri,
            {
                "type": type_,
                "key": key,
                "aliases": set(),
                "label_en": None,
                "country": None,
                "kind": None,
                "wikidata": None,
                "titles": set(),
                "sources": set(),
            },
        )

    def freeze(self) -> dict[str, Entity]:
        out = {}
        for iri, e in sorted(self.entities.items()):
            out[iri] = Entity(
                iri=iri,
                type=e["type"],
                key=e["key"],
                label=e["key"],
                label_en=e["label_en"],
                aliases=tuple(sorted(e["aliases"] - {e["key"]})),
                country=e["country"],
                kind=e["kind"],
                wikidata=e["wikidata"],
                titles=tuple(sorted(e["titles"], key=_title_order)),
                sources=tuple(sorted(e["sources"], key=_source_order)),
            )
        return out


def _name_parts(name: str) -> list[str]:
    """The last part of a transliterated name (施里納 of 艾德里安‧施里納).

    >>> _name_parts("艾德里安‧施里納")
    ['施里納']
    >>> _name_parts("陳其邁")
    []
    """
    for joiner in NAME_JOINERS:
        if joiner in name:
            return [name.rsplit(joiner, 1)[1]]
    return []


def _source_order(s: Source) -> tuple[str, int, int]:
    return (s.doc, s.start, s.end)


def _title_order(t: Title) -> tuple[str, str, str, tuple[str, int, int]]:
    """By date, title and organisation, then passage: a title a report gives a person in
    several passages is in the same place from run to run, whatever the set's order
    (the string hash differs between processes), so that the entity, and what a rebuild
    hashes of it (:func:`kgraph.graph.graph_inputs`), is the same."""
    return (t.date or "", t.title, t.of or "", _source_order(t.source))


# --------------------------------------------------------------------------- events


def resolve(happenings: Sequence[Happening], base: str) -> Resolved:
    """Turn all documents' happenings into entities and de-duplicated events."""
    b = _Builder(base)
    for h in happenings:
        for p in h.persons:
            b.learn_person(p)
    groups = _group_same_happenings(_split_recaps(happenings))
    events = [_event(group, b) for group in groups]
    for h in happenings:
        _add_mentions(h, b)
    entities = b.freeze()
    events = sorted(events, key=_event_order)
    return Resolved(
        entities=entities, events=events, partnerships=partnerships(events, entities, base)
    )


PARTNERSHIP_KINDS: tuple[AgreementKind, ...] = ("sister_city", "friendship_city", "partner_city")


def partnerships(
    events: Sequence[Event], entities: dict[str, Entity], base: str
) -> list[Partnership]:
    """One partnership per kind and pair of parties that an agreement of a partnership kind
    joins; its IRI names the kind and both parties' keys, so every build gives the same one.
    """

    def key(iri: str) -> str:
        return entities[iri].key if iri in entities else iri

    found: dict[tuple[AgreementKind, str, str], list[Agreement]] = {}
    for e in events:
        for a in e.agreements:
            if a.kind in PARTNERSHIP_KINDS and len(set(a.parties)) == 2:
                first, second = sorted(a.parties, key=key)
                told = a if a.sources else replace(a, sources=e.sources)
                found.setdefault((a.kind, first, second), []).append(told)
    out = []
    for (kind, first, second), agreements in sorted(found.items()):
        dates = sorted(a.date.start for a in agreements if a.date)
        ordinals = [a.ordinal for a in agreements if a.ordinal is not None]
        sources = {s for a in agreements for s in a.sources}
        out.append(
            Partnership(
                iri=mint_text("partnership", kind, key(first), key(second), base=base),
                kind=kind,
                partners=(first, second),
                agreements=tuple(sorted({a.iri for a in agreements})),
                start=dates[0] if dates else None,
                ordinal=min(ordinals) if ordinals else None,
                sources=tuple(sorted(sources, key=_source_order)),
            )
        )
    return out


def _event_order(e: Event) -> tuple[str, str]:
    return (e.date.start if e.date else "", e.iri)


def _foreign_keys(h: Happening) -> frozenset[str]:
    keys = {p.key for p in h.parties if is_foreign(p)}
    for v in h.visits:
        keys.update(p.key for p in (v.visitor, v.host) if is_foreign(p))
    return frozenset(keys)


def _same(a: Happening, b: Happening) -> bool:
    if a.date is None or b.date is None:
        # An undated telling of a signing (a slide's title) recalls the one that tells it,
        # be that a signing or a visit during which it was signed.
        recap, told = (a, b) if a.date is None else (b, a)
        return (
            recap.type == "agreement" and bool(_signed(recap)) and _signed(recap) <= _signed(told)
        )
    if a.type != b.type:
        return False
    if not span_overlaps(a.date, b.date):
        return False
    if a.doc_id == b.doc_id and a.source == b.source:
        return _signed(a) == _signed(b)  # a summary's signings told apart stay apart
    if a.date != b.date and _precision(a.date) == _precision(b.date) == 3:
        return False
    if a.visits and b.visits and a.type == "visit":
        # Two tellings of a visit share who went where, not merely a place they name; a
        # trip abroad on the same days is one trip, whichever stops each telling names.
        return bool(_pairs(a) & _pairs(b)) or (a.date == b.date and _abroad(a) and _abroad(b))
    return bool(_foreign_keys(a) & _foreign_keys(b))


def _abroad(h: Happening) -> bool:
    return any(v.direction == "outbound" for v in h.visits)


def _pairs(h: Happening) -> set[tuple[str, str]]:
    return {(v.visitor.key, v.host.key) for v in h.visits}


def _split_recaps(happenings: Sequence[Happening]) -> list[Happening]:
    """A summary that lists several signings and tells no trip (國際合作備忘錄 | 波茲南市、
    高陽市…) recalls each one that another telling gives: each such signing becomes a telling of
    its own, which joins that happening (see :func:`_same`), so the summary's passage is
    among its sources. The signings no other telling gives stay together."""
    tellers: dict[tuple[str, frozenset[str]], list[int]] = {}  # signature -> tellings
    for j, h in enumerate(happenings):
        for signature in _signed(h):
            tellers.setdefault(signature, []).append(j)

    def told_elsewhere(signature: tuple[str, frozenset[str]], i: int) -> bool:
        # For an undated summary: dated tellings, and undated ones before it (one
        # undated telling keeps a signing no dated one gives).
        return any(
            j != i and (j < i or happenings[i].date or happenings[j].date)
            for j in tellers[signature]
        )

    out: list[Happening] = []
    for i, h in enumerate(happenings):
        if len(h.agreements) > 1 and not h.visits:
            elsewhere = {a.signature for a in h.agreements if told_elsewhere(a.signature, i)}
            recalled = [a for a in h.agreements if a.signature in elsewhere]
            new = tuple(a for a in h.agreements if a.signature not in elsewhere)
            if recalled:
                if new:
                    out.append(replace(h, agreements=new))
                out.extend(_recap_of(h, a) for a in recalled)
                continue
        out.append(h)
    return out


def _recap_of(summary: Happening, a: AgreementRel) -> Happening:
    """One signing of a summary, told alone."""
    return replace(
        summary, agreements=(a,), visits=(), participants=(), persons=(), parties=a.parties
    )


def _signed(h: Happening) -> set[tuple[str, frozenset[str]]]:
    """Each signed document of a happening as its kind and parties."""
    return {a.signature for a in h.agreements}


def _precision(d: DateSpan) -> int:
    return d.start.count("-") + 1


def _group_same_happenings(happenings: Sequence[Happening]) -> list[list[Happening]]:
    """Each telling joins the first group that has a telling of the same happening.

    Only groups that share a blocking key with it (see :func:`_blocking_keys`) can, so
    those are the only ones compared: grouping stays near-linear in the corpus.
    """
    groups: list[list[Happening]] = []
    by_key: dict[object, list[int]] = {}
    for h in happenings:
        keys = _blocking_keys(h)
        candidates = sorted({i for k in keys for i in by_key.get(k, ())})
        index = next((i for i in candidates if any(_same(h, o) for o in groups[i])), None)
        if index is None:
            index = len(groups)
            groups.append([])
        groups[index].append(h)
        for k in keys:
            bucket = by_key.setdefault(k, [])
            if not bucket or bucket[-1] != index:
                bucket.append(index)
    return groups


def _blocking_keys(h: Happening) -> set[object]:
    """Keys that two tellings :func:`_same` finds alike always share: a signed document
    (for an undated recap), the passage, a day abroad, and a visiting pair or a foreign party
    in a year (dated tellings are alike only if their dates overlap, so they share a year;
    without it, the bucket of a country that many reports name grows with the corpus)."""
    keys: set[object] = {("signed", s) for s in _signed(h)}
    keys.add(("source", h.doc_id, h.source))
    years: Iterable[int | None] = span_years(h.date) if h.date else (None,)
    for year in years:
        keys.update(("pair", p, year) for p in _pairs(h))
        keys.update(("foreign", k, year) for k in _foreign_keys(h))
    if h.date is not None and _abroad(h):
        keys.add(("abroad", h.date))
    return keys


def _event(group: list[Happening], b: _Builder) -> Event:
    # The most precise telling leads; the others add their passages.
    lead = max(group, key=lambda h: (_precision(h.date) if h.date else 0, -group.index(h)))
    sources = _sources_of(group)
    visit_sources = _sources_of([h for h in group if h.visits])
    foreign = sorted(_foreign_keys(lead)) or sorted(p.key for p in lead.parties)
    when = lead.date.start if lead.date else "undated"
    iri = mint_text("event", when, digest(lead.type, *foreign, base_hint(lead)), base=b.base)
    visits = tuple(
        dict.fromkeys(
            Visit(
                visitor=b.party(v.visitor),
                host=b.party(v.host),
                direction=v.direction,
                # Two mentions of a side's people can be one person: list each once.
                visitor_persons=tuple(dict.fromkeys(b.person(p) for p in v.visitor_persons)),
                host_persons=tuple(dict.fromkeys(b.person(p) for p in v.host_persons)),
                sources=visit_sources,
            )
            for v in _visits_of(group, lead)
        )
    )
    agreements = tuple(
        Agreement(
            iri=mint_text(
                "agreement",
                (a.date or DateSpan("undated", "")).start,
                digest(a.kind, *(p.key for p in a.parties)),
                base=b.base,
            ),
            date=a.date,
            kind=a.kind,
            parties=tuple(b.party(p) for p in a.parties),
            signatories=tuple(b.person(p) for p in a.signatories),
            witnesses=tuple(b.person(p) for p in a.witnesses),
            ordinal=a.ordinal,
            sources=_sources_of([h for h in group if a.signature in _signed(h)]),
        )
        for a in _agreements_of(group, lead)
    )
    return Event(
        iri=iri,
        type=lead.type,
        date=lead.date,
        title=lead.title,
        visits=visits,
        agreements=tuple(dict.fromkeys(agreements)),
        participants=tuple(b.party(p) for p in lead.participants),
        persons=tuple(dict.fromkeys(b.person(p) for p in lead.persons)),
        sources=sources,
        delegation=lead.type == "visit" and any(h.delegation for h in group),
    )


def _sources_of(tellings: Iterable[Happening]) -> tuple[Source, ...]:
    """The passages of some tellings: a recap that names a signing tells the signing,
    not the visit during which it was signed."""
    return tuple(sorted({h.source for h in tellings}, key=_source_order))


def _visits_of(group: list[Happening], lead: Happening) -> tuple[VisitRel, ...]:
    """The lead telling's visiting pairs; a summary or recap that gives them when the
    lead does not (a detail section names more places on the way)."""
    return lead.visits or next((h.visits for h in group if h.visits), ())


def _agreements_of(group: list[Happening], lead: Happening) -> list[AgreementRel]:
    """Every document the tellings sign, once: a summary line may list one more."""
    signed: dict[tuple[str, frozenset[str]], AgreementRel] = {}
    for h in (lead, *group):
        for a in h.agreements:
            key = a.signature
            if key not in signed or (signed[key].date is None and a.date is not None):
                signed[key] = replace(a, date=a.date or h.date)
    return list(signed.values())


def base_hint(h: Happening) -> str:
    """The first visiting pair, so that two visits on one day by one city's delegations
    to different hosts get different IRIs."""
    return "|".join(f"{v.visitor.key}>{v.host.key}" for v in h.visits[:1])


def _add_mentions(h: Happening, b: _Builder) -> None:
    """Record every mention's passage on its entity, and each person's title."""
    date = h.date.start if h.date else None
    people = {p.name: p for p in h.persons}
    for m, source in h.mentions:
        if m.label in PARTY_LABELS:
            party = h.party_named(m)
            if party is not None:
                b.party(party, source)
        elif m.label == "PERSON" and m.text in people:
            p = people[m.text]
            iri = b.person(p)
            entry = b.entities[iri]
            entry["sources"].add(source)
            if p.title:
                of = mint_text(_party_type(p.of, h), p.of, base=b.base) if p.of else None
                entry["titles"].add(Title(p.title, of, date, source))


def _party_type(key: str, h: Happening) -> EntityType:
    for p in (*h.parties, *(x for v in h.visits for x in (v.visitor, v.host))):
        if p.key == key:
            return p.type
    return "place"


def all_parties(events: Iterable[Event]) -> set[str]:
    """Every party IRI that takes part in some event."""
    out: set[str] = set()
    for e in events:
        out.update(e.participants)
        for v in e.visits:
            out.update((v.visitor, v.host))
        for a in e.agreements:
            out.update(a.parties)
    return out
