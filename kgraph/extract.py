"""Extracting happenings from a unit: what happened, when, who visited whom, what was signed.

Input: one :class:`~kgraph.model.Unit` and the :class:`~kgraph.model.Mention` s
recognised in it. Output: :class:`~kgraph.model.Happening` records.

The rules work on the grammar of these reports, not on their wording:

* a unit is about international affairs only when it names a foreign party;
* its date is the first date in its narrative (year from the report when missing);
* sentences are split at ``。；``; in a sentence with a visit cue, the parties
  before the cue are its subject and those right after it its object;
* the home city (高雄市, with 市府, 本府, its offices and its people) is the host of
  an inbound visit and the visitor of an outbound one;
* a signing cue (簽署, 締結 …) with an agreement word (姊妹市, 備忘錄 …) in the same
  sentence is an agreement, unless the sentence looks back (周年, 紀念).

The cue words, agreement kinds and blockers are data files in ``kgraph/data``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from kgraph.dates import DateMatch, find_dates, finer
from kgraph.gazetteer import Gazetteer
from kgraph.model import (
    HOME_LABEL,
    PARTY_LABELS,
    AgreementKind,
    AgreementRel,
    DateSpan,
    Direction,
    Happening,
    HappeningType,
    Mention,
    PartyRef,
    PersonRef,
    Source,
    Unit,
    VisitRel,
)
from kgraph.recognise import COUNT, NAME_JOINERS, lexicon, occurrences, place_compounds
from kgraph.resources import data_lines, data_rows, home_row

SENTENCE_END = "。；;!！?？\n"
# A photo caption describes a happening its item already tells.
CAPTION = re.compile(r"^\s*(?:照片|圖片|圖)\s*[0-9一二三四五六七八九十]+\s*[：:]")
ORDINAL = re.compile(r"第\s*(?P<n>[0-9]+|[一二三四五六七八九十百]+)\s*(?:座|個)")


@dataclass(frozen=True)
class Cues:
    """The cue words of ``triggers.tsv`` grouped by what they signal."""

    by_cue: dict[str, tuple[str, ...]]
    kinds: tuple[tuple[str, AgreementKind], ...]
    blockers: tuple[str, ...]
    recalls: tuple[str, ...]
    attributes: tuple[str, ...]
    delegations: tuple[str, ...]  # words that make a visit a group's (率團, 代表團)

    def words(self, cue: str) -> tuple[str, ...]:
        return self.by_cue.get(cue, ())


@lru_cache(maxsize=1)
def cues() -> Cues:
    """Load the cue lists once."""
    by_cue: dict[str, list[str]] = {}
    for word, cue, *_ in data_rows("triggers.tsv"):
        by_cue.setdefault(cue, []).append(word)
    kinds = sorted(
        ((word, kind) for word, kind in data_rows("agreement_kinds.tsv")),
        key=lambda pair: -len(pair[0]),
    )
    return Cues(
        by_cue={k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_cue.items()},
        kinds=tuple((w, k) for w, k in kinds),  # type: ignore[misc]
        blockers=tuple(data_lines("signing_blockers.txt")),
        recalls=tuple(data_lines("recall_words.txt")),
        attributes=tuple(data_lines("kind_as_attribute.txt")),
        delegations=tuple(data_lines("delegation_words.txt")),
    )


@dataclass(frozen=True)
class UnitInput:
    """What extraction needs to know about one unit."""

    unit: Unit
    mentions: tuple[Mention, ...]  # offsets into the whole normalised document
    source: Source
    report_year: int | None
    mention_sources: tuple[Source, ...] = ()  # aligned with mentions; the unit's when empty
    # The date of an event the unit names, told elsewhere; or an article's day that says
    # more than the unit's own month (8日 beside 10月).
    lent_date: DateSpan | None = None
    # People the document names beside a title elsewhere, with their party keys: named
    # here without one (陳其邁表示), they keep that party.
    known_people: tuple[tuple[str, str], ...] = ()
    # The unit goes on with a trip abroad that the one before it told (訪團15日抵達福岡，
    # 16日拜會福岡縣知事): the home side is already there.
    abroad: bool = False


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Actor:
    """A party as it acts in one sentence, with its persons."""

    party: PartyRef
    start: int
    persons: tuple[PersonRef, ...] = ()


@lru_cache(maxsize=1)
def domestic() -> frozenset[str]:
    """Names of the home city's country (its gazetteer names): parties of it are not foreign.

    >>> "台灣" in domestic()
    True
    """
    country = home_row()[3]
    entry = Gazetteer.load().lookup(country)
    return frozenset((country, *(entry.names if entry else ())))


def home_party(surface: str = "") -> PartyRef:
    """The home city as a party (高雄市); every self-reference resolves to it.

    >>> home_party("本府").key
    '高雄市'
    """
    lex = lexicon()
    row = home_row()
    names = tuple(dict.fromkeys(n for n in (lex.home_key, surface) if n))
    return PartyRef(
        key=lex.home_key,
        type="place",
        names=names,
        country=row[3],
        kind=row[4],
        wikidata=row[5] or None,
        latin=row[2] or None,
    )


def is_home(m: Mention) -> bool:
    """The home city itself, its self-references (本府) or one of its own offices (交通局)."""
    if m.label == HOME_LABEL:
        return True
    return m.label == "ORG" and (m.text in lexicon().home_offices or m.key in home_office_keys())


@lru_cache(maxsize=1)
def home_office_keys() -> frozenset[str]:
    """Gazetteer organisations whose parent is the home city: they act on its behalf."""
    home = lexicon().home_key
    return frozenset(e.key for e in Gazetteer.load().orgs() if e.parent == home)


def party_of(m: Mention) -> PartyRef:
    """The party a place, organisation or home mention stands for."""
    if is_home(m):
        return home_party(m.text)
    return PartyRef(
        key=m.key or m.text,
        type="place" if m.label == "PLACE" else "org",
        names=tuple(dict.fromkeys((m.key or m.text, m.text))),
        country=m.country,
        kind=m.kind,
        wikidata=m.wikidata,
        latin=m.latin,
    )


def is_foreign(p: PartyRef) -> bool:
    """True for a party of another country, including a foreign office in Taiwan, and for an
    international body (歐盟, 聯合國)."""
    if p.key == lexicon().home_key:
        return False
    if p.country is None:
        return p.kind == "international"
    return p.country not in domestic()


def is_domestic_body(p: PartyRef) -> bool:
    """An organisation of the home country other than the home city's own (大陸委員會,
    文藻外語大學): it may visit the home city too."""
    return p.type == "org" and p.key != lexicon().home_key and p.country in domestic()


# --------------------------------------------------------------------------- main entry


def extract(item: UnitInput) -> list[Happening]:
    """The happenings a unit tells (none when it names no foreign party)."""
    unit = item.unit
    if CAPTION.match(unit.text):
        return []
    local = _own_mentions(unit, item.mentions)
    # A unit is about international affairs when it names a foreign party, even one that
    # only comes up as a subject (主管香港事務團隊) or as where people come from.
    if not any(is_foreign(party_of(m)) for m in _inherit_countries(local) if _names_party(m)):
        return []
    local = _inherit_countries(_without_bystanders(local, unit.text), unit.text)
    text = unit.text
    date = finer(main_date(text, item.report_year), item.lent_date)
    sentences = split_sentences(text)
    persons = _attach_persons(local, text, dict(item.known_people))
    acting = _acting_parties(local, text)
    agreements = _merge_agreements(
        [
            *_agreements(
                sentences,
                local,
                persons,
                item.report_year,
                _absorbed(acting, local, text, visiting=False),
            ),
            *_summary_rows(text, local, cues()),
        ]
    )
    visits = (
        tuple(_visits(sentences, local, persons, text, item.abroad)) if not _is_video(text) else ()
    )
    absorbed = _absorbed(acting, local, text)
    visits = tuple(v for v in visits if v.direction != "inbound" or v.visitor.key not in absorbed)
    visits = _hosts_abroad_are_places(visits)
    if not _in_period(date, item.report_year):
        # A visit needs a date within the report's period: undated lines and old years
        # recall a relation (締盟 1982) rather than tell a visit.
        visits = ()
    happening_type = _type(text, agreements, visits)
    if happening_type == "video_meeting":
        visits = ()
    told = Happening(
        doc_id=unit.doc_id,
        type=happening_type,
        date=date,
        source=item.source,
        title=unit.heading,
        visits=visits,
        agreements=agreements,
        participants=tuple(acting) if happening_type in ("event", "video_meeting") else (),
        persons=tuple(dict.fromkeys(p for _, p in persons)),
        parties=tuple(acting),
        delegation=happening_type == "visit" and _by_delegation(text),
    )
    return [replace(told, mentions=_told_mentions(told, item))]


def _told_mentions(told: Happening, item: UnitInput) -> tuple[tuple[Mention, Source], ...]:
    """The unit's mentions, each with its passage, that resolution reads of ``told``: a
    happening keeps no other, since every extraction is held until the corpus is resolved
    (see :meth:`Happening.tells_of`)."""
    sources = item.mention_sources or [item.source] * len(item.mentions)
    named = zip(item.mentions, sources, strict=True)
    return tuple(pair for pair in named if told.tells_of(pair[0]))


def _by_delegation(text: str) -> bool:
    """Whether the visit is a group's (率團, 代表團), from ``delegation_words.txt``.

    >>> _by_delegation("市長率團訪問"), _by_delegation("市長拜會")
    (True, False)
    """
    return any(w in text for w in cues().delegations)


def _in_site_name(m: Mention, text: str) -> bool:
    """A place right after 原 or 舊 (former) is part of a historic site's name
    (原日本海軍鳳山無線電信所): it names no party at all.

    >>> _in_site_name(Mention("PLACE", "日本", 1, 3), "原日本海軍鳳山無線電信所")
    True
    """
    return m.label == "PLACE" and text.endswith(cues().words("former"), 0, m.start)


#: A reporter's byline at the head of an article's text: （中央社記者王小明高雄14日電）,
#: 〔記者王小明／高雄報導〕. The places in it say where the reporter wrote, no party.
BYLINE = re.compile(
    r"[（(〔［\[][^（(〔［\[）)〕］\]\n]{0,12}?記者[^（(〔［\[）)〕］\]\n]{1,30}?(?:電|報導)\s*[）)〕］\]]"
)


def _bylines(text: str) -> list[tuple[int, int]]:
    """Where a unit's reporter's bylines are.

    >>> _bylines("（中央社記者王小明高雄14日電）日本…"), _bylines("〔記者王小明／高雄報導〕韓國…")
    ([(0, 16)], [(0, 12)])
    """
    return [m.span() for m in BYLINE.finditer(text)]


def without_bylines(text: str) -> str:
    """The text with its reporter's bylines blanked (same length): their 14日電 is the day
    the reporter wrote, not a day of the story.

    >>> without_bylines("（中央社記者王小明高雄14日電）昨（13）日")
    '                昨（13）日'
    """
    for start, end in _bylines(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _own_mentions(unit: Unit, mentions: Sequence[Mention]) -> list[Mention]:
    """A unit's mentions, at offsets into its text, but for names that name no party where
    they stand: a historic site's (原日本海軍…所) and a reporter's byline's."""
    bylines = _bylines(unit.text)
    local = [_shift(m, -unit.start) for m in mentions]
    return [m for m in local if not _in_site_name(m, unit.text) and not _inside(m, bylines)]


def _inside(m: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(start <= m.start and m.end <= end for start, end in spans)


def _names_party(m: Mention) -> bool:
    return m.label in ("PLACE", "ORG") and not is_home(m)


def _in_period(date: DateSpan | None, year: int | None) -> bool:
    """Whether a date falls in the report's period, give or take a year.

    >>> _in_period(DateSpan("2025-03", "2025-03"), 2025), _in_period(None, 2025)
    (True, False)
    >>> _in_period(DateSpan("1982", "1982"), 2025)
    False
    """
    if date is None:
        return False
    return year is None or abs(int(date.start[:4]) - year) <= 1


def _without_bystanders(mentions: list[Mention], text: str) -> list[Mention]:
    """Drop names that do not act: where someone is posted (巴拉圭駐 + 聯合國), where
    a group comes from (來自 + 聖文森、貝里斯 … 等青年) and a place talked about
    (主管香港事務團隊).

    >>> m = [Mention("PLACE", "巴拉圭", 0, 3), Mention("ORG", "聯合國", 4, 7)]
    >>> [x.text for x in _without_bystanders(m, "巴拉圭駐聯合國代表")]
    ['巴拉圭']
    """
    c = cues()
    out: list[Mention] = []
    origin_until = -1
    for m in mentions:
        if m.label not in ("PLACE", "ORG"):
            out.append(m)
            continue
        listed = origin_until >= 0 and re.fullmatch(r"[、及和與\s]*", text[origin_until : m.start])
        if listed or any(text.endswith(w, 0, m.start) for w in c.words("origin")):
            origin_until = m.end
        else:
            origin_until = -1
        posted = any(text.endswith(w, 0, m.start) for w in c.words("posted"))
        topic = m.label == "PLACE" and text.startswith(c.words("topic"), m.end)
        if origin_until < 0 and not posted and not topic:
            out.append(m)
    return out


def _shift(m: Mention, delta: int) -> Mention:
    return replace(m, start=m.start + delta, end=m.end + delta)


def _inherit_countries(mentions: list[Mention], text: str = "") -> list[Mention]:
    """A pattern-found place takes the country of the known place right before it; an
    unknown organisation takes that of a name earlier in its phrase
    (日本國會重要跨黨派友台團體「日華議員懇談會」)."""
    out: list[Mention] = []
    for m in mentions:
        if m.label in ("PLACE", "ORG") and m.country is None and out:
            prev = next((p for p in reversed(out) if p.label in ("PLACE", "ORG")), None)
            near = prev is not None and m.start - prev.end <= 1
            if prev and not near and m.label == "ORG" and prev.kind != "international":
                near = _same_phrase(text[prev.end : m.start], reach=12)
            if prev and prev.country and near:
                m = replace(m, country=prev.country)
        if m.label == "ORG" and m.country is None:
            inner = [p for p in out if p.label == "PLACE" and p.start >= m.start and p.end <= m.end]
            if inner and inner[0].country:
                m = replace(m, country=inner[0].country)
        out.append(m)
    return out


def main_date(text: str, year: int | None) -> DateSpan | None:
    """The first date of the narrative; the heading line is skipped when the body has one."""
    matches: Sequence[DateMatch] = find_dates(text, default_year=year)
    if not matches:
        return None
    first_line_end = text.find("\n")
    body = [m for m in matches if first_line_end < 0 or m.start > first_line_end]
    return (body or list(matches))[0].span


def split_sentences(text: str) -> list[Sentence]:
    """Split at sentence ends (``。；`` and line breaks), keeping offsets.

    >>> [s.text for s in split_sentences("甲拜會乙。丙訪高；丁")]
    ['甲拜會乙。', '丙訪高；', '丁']
    """
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in SENTENCE_END:
            if text[start : i + 1].strip():
                out.append(Sentence(start, i + 1, text[start : i + 1]))
            start = i + 1
    if text[start:].strip():
        out.append(Sentence(start, len(text), text[start:]))
    return out


# --------------------------------------------------------------------------- persons


def titled_people(unit: Unit, mentions: Sequence[Mention]) -> dict[str, str]:
    """The people a unit names beside a title and right after their party (高雄市長陳其邁),
    with that party's key: the rest of the document may name them with neither (陳其邁表示,
    邀請陳其邁…). A person whose party is only the home city by default is left out, and
    so is one whose party is only where the sentence goes."""
    text = unit.text
    local = _inherit_countries(_without_bystanders(_own_mentions(unit, mentions), text), text)
    titles = _titles(local, text)
    out: dict[str, str] = {}
    for i, m in enumerate(local):
        if m.label != "PERSON" or _title_of(m, titles, text) is None:
            continue
        party = next((p for p in reversed(local[:i]) if p.label in PARTY_LABELS), None)
        if party is not None and _only_a_title(text[party.end : m.start]):
            out[m.text] = party_of(party).key
    return out


def _only_a_title(gap: str) -> bool:
    """Whether what stands between a party and a person is nothing, a title or the end of
    one (高雄市 + 長 + 陳其邁, 熊本縣 + 知事 + 木村敬): the person is that party's.

    >>> [_only_a_title(g) for g in ("", "長", "副市長", "姊妹市  2025年9月")]
    [True, True, True, False]
    """
    return gap == "" or any(t.endswith(gap) for t in lexicon().titles)


def _titles(mentions: Sequence[Mention], text: str) -> list[Mention]:
    """The titles held, not a title word used as a verb before the parties it speaks for
    (山本健一代表兩市簽署: on behalf of the two cities; ``not_after_title.txt``).

    >>> t = [Mention("TITLE", "代表", 4, 6, key="代表")]
    >>> _titles(t, "山本健一代表兩市簽署"), len(_titles(t, "山本健一代表來訪"))
    ([], 1)
    """
    verbs = _title_verbs()
    return [m for m in mentions if m.label == "TITLE" and not text.startswith(verbs, m.end)]


@lru_cache(maxsize=1)
def _title_verbs() -> tuple[str, ...]:
    return tuple(data_lines("not_after_title.txt"))


def _attach_persons(
    mentions: list[Mention], text: str, known: Mapping[str, str] | None = None
) -> list[tuple[str, PersonRef]]:
    """Each person with the party key they belong to and the title used.

    A person belongs to the nearest party named before them in the same clause
    (熊本市大西一史市長); with none, to the place abroad the sentence goes to when they
    are called on there (赴日本熊本市訪問，拜會大西一史市長), else to the home city. A
    person named without a title whom the document names with one elsewhere (``known``)
    keeps the party found there, as does one named with a title but no party; a name that
    starts exactly one such name (佐藤知事: 福岡縣知事佐藤和也) is that person's family name.
    """
    known = known or {}
    out: list[tuple[str, PersonRef]] = []
    titles = _titles(mentions, text)
    foreign = [p for p in _acting_parties(mentions, text) if is_foreign(p)]
    previous: Mention | None = None
    for i, m in enumerate(mentions):
        if m.label != "PERSON":
            continue
        title = _title_of(m, titles, text)
        if title is None and previous is not None and text[previous.end : m.start] == "、":
            # 副市長林欽榮、羅達生: a list of names shares its title.
            title = out[-1][1].title
        previous = m
        party = _party_before(mentions[:i], m.start, text) or _called_on_abroad(
            mentions[:i], m.start, text
        )
        if m.text in known and (title is None or party is None):
            key = known[m.text]
            out.append((key, PersonRef(name=m.text, latin=m.latin, title=title, of=key)))
            continue
        fuller = [n for n in known if n != m.text and n.startswith(m.text)]
        if party is None and len(fuller) == 1:
            # 佐藤知事表示: the family name and title of 福岡縣知事佐藤和也, named before.
            key = known[fuller[0]]
            out.append((key, PersonRef(name=m.text, latin=m.latin, title=title, of=key)))
            continue
        if party is None and _foreign_looking(m.text):
            # A transliterated name with no party beside it (馬欽·克魯帕市長率團訪高) is not
            # the home side's: it belongs to the one foreign party the unit is about.
            party = foreign[0] if len(foreign) == 1 else None
            key = party.key if party else ""
        else:
            key = party.key if party else lexicon().home_key
        out.append((key, PersonRef(name=m.text, latin=m.latin, title=title, of=key or None)))
    return out


def _foreign_looking(name: str) -> bool:
    """A transliterated name (with a name dot) or one in Latin letters only.

    >>> _foreign_looking("馬欽·克魯帕"), _foreign_looking("Anna Jopek"), _foreign_looking("陳其邁")
    (True, True, False)
    """
    return any(j in name for j in NAME_JOINERS) or bool(re.fullmatch(r"[A-Za-z .'-]+", name))


def _called_on_abroad(before: list[Mention], pos: int, text: str) -> PartyRef | None:
    """The foreign place of an outbound sentence, for a person called on after 拜會 there."""
    c = cues()
    start = max(text.rfind(ch, 0, pos) for ch in SENTENCE_END) + 1
    sentence = text[start:pos]
    out_at, _ = _first_cue(sentence, ("outbound",), c)
    call_at = max((sentence.rfind(w) for w in c.words("visit") + c.words("host")), default=-1)
    if out_at < 0 or call_at < out_at:
        return None
    places = [
        party_of(m)
        for m in before
        if m.label == "PLACE" and start + out_at <= m.start < start + call_at
    ]
    foreign = [p for p in places if is_foreign(p)]
    return foreign[-1] if foreign else None


def _has_cue(text: str) -> bool:
    """Whether a stretch of text holds a visit or signing cue (拜會, 簽署 …): a person after
    it acts on the other side of the cue from a party before it."""
    c = cues()
    return any(
        w in text
        for kind in ("inbound", "outbound", "visit", "host", "lead", "sign")
        for w in c.words(kind)
    )


def _same_phrase(gap: str, reach: int) -> bool:
    """Whether two names with ``gap`` between them stand in one phrase: close, with no
    punctuation, conjunction or cue between (熊本市 + 大西一史, not 熊本市與 + 大西一史).

    >>> _same_phrase("國際課", 16), _same_phrase("與", 16), _same_phrase("率團拜會", 16)
    (True, False, False)
    """
    return len(gap) <= reach and not re.search(r"[，,。；、與和及]", gap) and not _has_cue(gap)


def _title_of(person: Mention, titles: list[Mention], text: str) -> str | None:
    """The first title right before a name (市長陳其邁, 市長 陳其邁) or right after it
    (陳其邁市長, with its Latin name between them or not). A title before a comma or a
    joining word is another name's: in 陳其邁市長及曾俊傑副議長, 曾俊傑 is 副議長."""
    for t in titles:
        gap = text[person.end : t.start]
        if 0 <= t.start - person.end <= 40 and re.fullmatch(r"\s*([(（][^()（）]*[)）])?\s*", gap):
            return t.key
        if 0 <= person.start - t.end <= 1 and not text[t.end : person.start].strip():
            return t.key
    return None


def _party_before(before: list[Mention], pos: int, text: str) -> PartyRef | None:
    for m in reversed(before):
        if m.label == "PERSON":
            if re.search(r"[，,。；]", text[m.end : pos]):
                return None
            continue
        if m.label not in PARTY_LABELS:
            continue
        if _same_phrase(text[m.end : pos], reach=16):
            return party_of(m)
        return None
    return None


# --------------------------------------------------------------------------- visits


def _acting_parties(mentions: list[Mention], text: str = "") -> list[PartyRef]:
    """Parties that act: a place directly followed by another name is only its container,
    so is an organisation directly followed by its own group (岩手縣議會「台灣友好議員聯盟」),
    and a country is dropped when a place of that country is named too."""
    named = [m for m in mentions if m.label in PARTY_LABELS]
    acting: list[PartyRef] = []
    for i, m in enumerate(named):
        nxt = named[i + 1] if i + 1 < len(named) else None
        if nxt and not is_home(m) and _contains(m, nxt, text):
            continue
        acting.append(party_of(m))
    countries_with_places = {p.country for p in acting if p.kind != "country" and p.country}
    acting = [p for p in acting if not (p.kind == "country" and p.key in countries_with_places)]
    return list({p.key: p for p in acting}.values())


def _contains(m: Mention, nxt: Mention, text: str) -> bool:
    """Whether ``m`` only names the container of the name right after it.

    >>> org = Mention("ORG", "岩手縣議會", 0, 5)
    >>> _contains(org, Mention("ORG", "台灣友好議員聯盟", 6, 14), "岩手縣議會「台灣友好議員聯盟」")
    True
    >>> _contains(org, Mention("ORG", "台灣友好議員聯盟", 6, 14), "岩手縣議會、台灣友好議員聯盟")
    False
    """
    if m.label == "PLACE":
        return nxt.start == m.end
    # 岩手縣議會「台灣友好議員聯盟」, 日本國會重要跨黨派友台團體「日華議員懇談會」
    quoted = text[nxt.start - 1 : nxt.start] in ("「", "『") and _same_phrase(
        text[m.end : nxt.start - 1], reach=12
    )
    return m.label == "ORG" and nxt.label == "ORG" and (nxt.start == m.end or quoted)


def _absorbed(
    parties: Iterable[PartyRef], mentions: list[Mention], text: str, *, visiting: bool = True
) -> frozenset[str]:
    """Keys of parties that act only through another one named with them: a place whose
    own body acts (和歌山市 beside 和歌山市議會: the body is the actor), unless the place
    acts through its head (關島總督率領關島觀光局…: its bodies are members of its group);
    and a body whose own group acts (岩手縣議會「台灣友好議員聯盟」: the group). A place
    still signs beside its own bodies (橘郡 and 橘郡派恩布希高中): ``visiting=False``."""
    by_key = {p.key: p for p in parties}
    named = [m for m in mentions if m.label == "ORG"]
    drop = {
        m.key
        for m, inner in zip(named, named[1:], strict=False)
        if m.key in by_key and inner.key in by_key and _contains(m, inner, text)
    }
    # A body named inside a group's name (日台友好和歌山市議會議員連盟) is only part of it;
    # a name that starts another (美國在台協會, its 高雄分處) is the parent of a branch.
    drop.update(
        a.key
        for a in by_key.values()
        for b in by_key.values()
        if a.type == b.type == "org" and a.key in b.key[1:] and not b.key.startswith(a.key)
    )
    for place in (p for p in by_key.values() if p.type == "place"):
        bodies = [
            o.key
            for o in by_key.values()
            if o.type == "org" and any(o.key.startswith(n) for n in place.names)
        ]
        if bodies:
            led = [b for b in bodies if _led_by_head(place, b, mentions, text)]
            drop.update(led if led or not visiting else [place.key])
    return frozenset(drop)


def _hosts_abroad_are_places(visits: tuple[VisitRel, ...]) -> tuple[VisitRel, ...]:
    """Abroad, the place is the host, not its office (德國漢堡參議院辦公廳: 漢堡); a city
    whose own office or area the trip met is not a host beside it (赴巴塞隆納…與巴塞隆納
    大都會區歐洲專案辦公室會談: the metropolitan area)."""
    areas = [
        area.key
        for v in visits
        if v.direction == "outbound" and v.host.type == "org"
        if (area := _leading_place(v.host.key)) is not None and _area(area.key) is not None
    ]
    out: list[VisitRel] = []
    for v in visits:
        if v.host.type == "place" and any(a.startswith(v.host.names) for a in areas):
            continue
        place = _leading_place(v.host.key) if v.direction == "outbound" else None
        if v.host.type == "org" and place is not None:
            v = replace(v, host=place)
        if all((v.visitor.key, v.host.key) != (o.visitor.key, o.host.key) for o in out):
            out.append(v)
    return tuple(out)


def _leading_place(name: str) -> PartyRef | None:
    """The known city or region a name starts with (漢堡參議院辦公廳 -> 漢堡市).

    >>> _leading_place("漢堡參議院辦公廳").key
    '漢堡市'
    """
    gaz = Gazetteer.load()
    for end in range(len(name) - 1, 1, -1):
        area = _area(name[:end])
        if area is not None:
            return area
        entry = gaz.lookup(name[:end])
        if entry is not None and entry.type == "place" and entry.kind != "country":
            return PartyRef(
                key=entry.key,
                type="place",
                names=(entry.key, name[:end]),
                country=entry.country or None,
                kind=entry.kind or None,
                wikidata=entry.wikidata or None,
                latin=entry.name_en or None,
            )
    return None


def story_places(mentions: Iterable[Mention]) -> frozenset[str]:
    """The foreign cities and regions a passage is about, named alone or leading a body's
    name (格丁尼亞第17中學 -> 格丁尼亞市): two passages that share one tell one story.

    >>> sorted(story_places([Mention("ORG", "釜山港", 0, 3, key="釜山港", country="韓國")]))
    ['釜山市']
    """
    keys: set[str] = set()
    for m in mentions:
        if m.label == "PLACE" and m.kind != "country" and is_foreign(party_of(m)):
            keys.add(m.key)
        elif m.label == "ORG" and (place := _leading_place(m.key)) and is_foreign(place):
            keys.add(place.key)
    return frozenset(keys)


def _area(name: str) -> PartyRef | None:
    """A known place's area named by a compound word (巴塞隆納大都會區: place_compounds.tsv).

    >>> _area("巴塞隆納大都會區").country, _area("巴塞隆納")
    ('西班牙', None)
    """
    for word, label, kind, _ in place_compounds():
        entry = Gazetteer.load().lookup(name.removesuffix(word))
        if label == "PLACE" and name.endswith(word) and entry is not None:
            return PartyRef(key=name, type="place", names=(name,), country=entry.country, kind=kind)
    return None


def _led_by_head(place: PartyRef, body: str, mentions: list[Mention], text: str) -> bool:
    """Whether the place's head or deputy leads the body in one sentence
    (關島總督率領關島觀光局…, 熊本縣木村敬知事率縣議會…).

    >>> m = [Mention("PLACE", "關島", 0, 2, key="關島"), Mention("TITLE", "總督", 2, 4, key="總督"),
    ...      Mention("ORG", "關島觀光局", 6, 11, key="關島觀光局")]
    >>> _led_by_head(party_of(m[0]), "關島觀光局", m, "關島總督率領關島觀光局來訪")
    True
    >>> m = [Mention("PLACE", "高松市", 0, 3, key="高松市"),
    ...      Mention("TITLE", "市長", 2, 4, key="市長"),
    ...      Mention("ORG", "高松市議會", 6, 11, key="高松市議會")]
    >>> _led_by_head(party_of(m[0]), "高松市議會", m, "高松市長率領高松市議會來訪")
    True
    """
    ranks = lexicon().titles
    heads = []
    for i, m in enumerate(mentions):
        after = mentions[i + 1 : i + 3]
        # 熊本縣 + 知事, or 高松市 + 市長, a title whose first character ends the place's name
        if m.key != place.key or not after or not m.end - 1 <= after[0].start <= m.end:
            continue
        title = after[1] if after[0].label == "PERSON" and len(after) > 1 else after[0]
        if title.label == "TITLE" and ranks.get(title.key) in ("head", "deputy"):
            heads.append(title.end)
    bodies = [m.start for m in mentions if m.key == body]
    return any(_leads(text[h:b]) for h in heads for b in bodies if h <= b)


def _leads(gap: str) -> bool:
    """Whether the text from a head's title to a body says the head leads the body: 率 in
    the same sentence, and only names between 率 and the body (率領關島觀光局、經濟發展局),
    not another clause (率團回訪，出席…，並見證高雄港…).

    >>> _leads("率領關島觀光局、"), _leads("率團回訪，並見證")
    (True, False)
    """
    at = gap.rfind("率")
    return at >= 0 and not re.search(rf"[，,；;{SENTENCE_END}]", gap[at:])


def _visits(
    sentences: list[Sentence],
    mentions: list[Mention],
    persons: list[tuple[str, PersonRef]],
    text: str = "",
    abroad: bool = False,  # an earlier sentence, or unit, took the home side abroad
) -> Iterable[VisitRel]:
    c = cues()
    home = home_party()
    seen: set[tuple[str, str]] = set()
    subject: list[PartyRef] = []
    went_before = abroad  # the unit goes on with a trip an earlier unit told
    acting = {p.key: p for p in _acting_parties(mentions, text)}
    acting_keys = set(acting)
    for s in sentences:

        def told(at: int, s: Sentence = s) -> bool:
            return (
                not _invites_home(s, at, mentions, persons)
                and not _counts(s.text, at, c)
                and _arrives_abroad_if_arrival(s, at, mentions, c)
            )

        kinds = ("inbound", "outbound", "visit", "host", "gather", "arrive")
        cue_pos, cue = _first_cue(s.text, kinds, c, told)
        cue = "outbound" if cue == "arrive" else cue
        if cue_pos < 0:
            # 率團 alone is the cue; before another cue (A率隊與B拜訪…) it only joins A and B.
            cue_pos, cue = _first_cue(s.text, ("lead",), c, told)
            cue = "visit" if cue else cue
        inside = [m for m in mentions if s.start <= m.start < s.end]
        named = [m for m in inside if m.label in PARTY_LABELS]
        home_acts = any(is_home(m) for m in named) or any(
            k == home.key and s.start <= _pos(p, mentions) < s.end for k, p in persons
        )
        if cue_pos < 0 or _comes_to_perform(s.text, cue_pos, c):
            continue
        if _errand(s, cue_pos, inside, c) and not _home_leads(s, cue_pos, mentions, persons):
            continue  # 企業赴愛達荷投資, but 觀光局率團赴東京旅遊展
        if cue == "outbound" and _to_home(s.text, cue_pos, c):
            cue = "inbound"  # 赴高雄: going to the home city is coming
        purpose = _purpose_at(s.text, cue_pos, c)
        before = [party_of(m) for m in named if m.start < s.start + cue_pos]
        after = [party_of(m) for m in named if s.start + cue_pos <= m.start < s.start + purpose]
        # A domestic body visits only as the subject of the cue's own clause (大陸委員會…
        # 南下高雄), not as the organiser in an earlier one (基金會辦理…，青年訪高).
        in_clause = {
            party_of(m).key
            for m in named
            if m.start < s.start + cue_pos
            and not re.search(r"[，,]", text[m.end : s.start + cue_pos])
        }
        before = [p for p in before if p.key in acting_keys or p.key == home.key]
        after = [p for p in after if p.key in acting_keys or p.key == home.key]
        if cue != "outbound" and not before:
            # 約瑟夫·佩蒂市長率團訪高: the people before the cue stand for their party.
            before = _parties_of_people(s, cue_pos, mentions, persons, acting)
        foreign_before = [p for p in before if is_foreign(p)]
        if cue == "gather":
            # …官方單位齊聚高雄: those named before it came; 千人齊聚高雄 brings nobody.
            if not foreign_before:
                continue
            cue = "inbound"
        visiting = [
            p for p in before if is_foreign(p) or (is_domestic_body(p) and p.key in in_clause)
        ]
        if foreign_before or (visiting and not _home_leads(s, cue_pos, mentions, persons)):
            subject = visiting
        home_first = _home_leads(s, cue_pos, mentions, persons)
        out_pos, _ = _first_cue(s.text, ("outbound",), c, told)
        if cue != "outbound" and out_pos > cue_pos and home_first and not foreign_before:
            # 張淑娟局長率團與本處赴西班牙: the home side leads, then goes abroad.
            cue_pos, cue = out_pos, "outbound"
            after = [
                party_of(m)
                for m in named
                if m.start >= s.start + cue_pos and (party_of(m).key in acting_keys)
            ]
        if cue in ("host", "inbound") and home_first and not abroad and not foreign_before:
            # 副市長舉辦晚宴歡迎立陶宛交通及通訊部…, 市長與來訪的宮崎市長簽署…: the home
            # side receives at home; its guests came, foreign offices in Taiwan too.
            for guest in (p for p in after if is_foreign(p)):
                yield from _rel(guest, home, "inbound", persons, seen)
            continue
        cue = "visit" if cue == "host" else cue
        # A foreign party leading a delegation (歐盟代表團由…率團訪問高雄) comes here; the home
        # side meeting a foreign one (與日華議員懇談會會面) goes there when the unit is a trip.
        leaves = cue == "outbound" and (home_first or not foreign_before)
        if leaves or (home_first and (not foreign_before or abroad)):
            hosts = [p for p in after if is_foreign(p)] or [p for p in before if is_foreign(p)]
            outward = cue == "outbound" or abroad or _abroad(hosts)
            direction: Direction = "outbound" if outward else "local"
            abroad = abroad or direction == "outbound"
            for host in hosts:
                yield from _rel(home, host, direction, persons, seen)
        else:
            # With no subject, a foreign party in the cue's own clause came (訪高拜會本府的X).
            clause_end = s.start + _clause_end(s.text, cue_pos)
            guests = [
                party_of(m)
                for m in named
                if s.start + cue_pos <= m.start < clause_end and is_foreign(party_of(m))
            ]
            if abroad and not subject:
                # 訪團於7月25日拜會八王子…: the home side, already abroad, calls on them.
                for host in (p for p in guests if p.key in acting_keys):
                    yield from _rel(home, host, "outbound", persons, seen)
                continue
            visitors = subject or ([p for p in guests if p.key in acting_keys] if home_acts else [])
            if went_before and cue != "inbound":
                continue  # on a trip told before, the hosts who show it round (陪同訪團參觀)
            if visitors:
                visitors = visitors + _companions(s, named, c)
            for visitor in visitors:
                yield from _rel(visitor, home, "inbound", persons, seen)


def _comes_to_perform(text: str, cue_pos: int, c: Cues) -> bool:
    """Whether the movement a cue tells is a troupe's coming to perform (熊本城迎賓武將隊
    第6度赴高雄演出): a performance word right after the cue and the home city's name
    makes it part of an event.

    >>> _comes_to_perform("武將隊赴高雄演出", 3, cues())
    True
    >>> _comes_to_perform("市長訪高觀賞演出", 2, cues())
    False
    """
    cue_end = _cue_end(text, cue_pos, c)
    places = ("", *lexicon().home_names, *domestic())
    return any(text.startswith(place + w, cue_end) for w in c.words("perform") for place in places)


def _errand(s: Sentence, cue_pos: int, inside: list[Mention], c: Cues) -> bool:
    """Whether the movement a cue tells is people's errand, not a visit: the cue, perhaps
    a place, then an ``errand`` word (樂見台灣企業赴愛達荷投資, 鼓勵學生赴日留學).

    >>> s = Sentence(0, 10, "企業赴愛達荷投資")
    >>> _errand(s, 2, [Mention("PLACE", "愛達荷", 3, 6)], cues()), _errand(s, 2, [], cues())
    (True, False)
    """
    end = _cue_end(s.text, cue_pos, c)
    place = next((m for m in inside if m.start == s.start + end), None)
    if place is not None:
        end = place.end - s.start
    return s.text.startswith(c.words("errand"), end)


def _arrives_abroad_if_arrival(s: Sentence, at: int, mentions: list[Mention], c: Cues) -> bool:
    """An arrival word (抵達) is a movement cue only right before a place abroad (訪團15日
    抵達福岡) or as part of an inbound cue (抵達高雄); 市長抵達會場後接見… tells no trip.

    >>> s = Sentence(0, 8, "訪團抵達福岡拜會")
    >>> fukuoka = Mention("PLACE", "福岡", 4, 6, key="福岡市", country="日本")
    >>> arrives = _arrives_abroad_if_arrival
    >>> arrives(s, 2, [fukuoka], cues()), arrives(s, 2, [], cues())
    (True, False)
    """
    word = next((w for w in c.words("arrive") if s.text.startswith(w, at)), None)
    if word is None or s.text.startswith(c.words("inbound"), at):
        return True  # not an arrival, or one at home (抵達高雄: an inbound cue)
    after = s.start + at + len(word)
    return any(
        m.start == after and m.label == "PLACE" and is_foreign(party_of(m)) for m in mentions
    )


def _cue_end(text: str, cue_pos: int, c: Cues) -> int:
    """Where the movement or visit cue at ``cue_pos`` ends (its longest word)."""
    words = [w for kind in ("inbound", "outbound", "visit", "arrive") for w in c.words(kind)]
    return cue_pos + max((len(w) for w in words if text.startswith(w, cue_pos)), default=0)


def _to_home(text: str, cue_pos: int, c: Cues) -> bool:
    """Whether the movement cue at ``cue_pos`` goes to the home city (赴高雄, 前往本市).

    >>> _to_home("團員赴高雄參訪", 2, cues()), _to_home("團員赴日本參訪", 2, cues())
    (True, False)
    """
    return text.startswith(lexicon().home_names, _cue_end(text, cue_pos, c))


def _counts(text: str, cue_pos: int, c: Cues) -> bool:
    """Whether the cue's clause counts people (越南旅客赴高雄人數成長): a figure, no visit.

    >>> _counts("旅客赴高雄人數成長", 2, cues()), _counts("旅客赴高雄，人數成長", 2, cues())
    (True, False)
    """
    clause = text[cue_pos : _clause_end(text, cue_pos)]
    return any(w in clause for w in c.words("count"))


def _parties_of_people(
    s: Sentence,
    cue_pos: int,
    mentions: list[Mention],
    persons: list[tuple[str, PersonRef]],
    parties: dict[str, PartyRef],
) -> list[PartyRef]:
    """The foreign acting parties of the people named before a cue."""
    keys = [
        k for k, p in persons if k in parties and s.start <= _pos(p, mentions) < s.start + cue_pos
    ]
    return [parties[k] for k in dict.fromkeys(keys) if is_foreign(parties[k])]


def _companions(s: Sentence, named: list[Mention], c: Cues) -> list[PartyRef]:
    """Foreign parties right after 偕同 (…訪問高雄，偕同高雄事務所所長拜會): they come along."""
    out: list[PartyRef] = []
    for word in c.words("with"):
        for at in occurrences(word, s.text):
            after = at + len(word)
            stop = _clause_end(s.text, after)
            cue_at, _ = _first_cue(s.text[after:stop], ("inbound", "visit", "host"), c)
            if cue_at >= 0:
                stop = after + cue_at
            out += [
                party_of(m)
                for m in named
                if s.start + after <= m.start < s.start + stop and is_foreign(party_of(m))
            ]
    return out


def _purpose_at(text: str, cue_pos: int, c: Cues) -> int:
    """Where a purpose clause after the cue starts (…會面交流，以延續高雄與X市情誼): the
    names in it are not hosts. The sentence's end when there is none.

    >>> _purpose_at("與教師會面，以延續兩市情誼", 3, cues())
    5
    """
    for m in re.finditer(r"[，,]", text[cue_pos:]):
        at = cue_pos + m.end()
        if any(text.startswith(w, at) for w in c.words("purpose")):
            return at - 1
    return len(text)


def _pos(p: PersonRef, mentions: list[Mention]) -> int:
    return next((m.start for m in mentions if m.label == "PERSON" and m.text == p.name), -1)


def _home_leads(
    s: Sentence, cue_pos: int, mentions: list[Mention], persons: list[tuple[str, PersonRef]]
) -> bool:
    """Whether the home city (or one of its people) is named before the cue: it is the subject."""
    names = _home_people(persons)
    for m in mentions:
        if not (s.start <= m.start < s.start + cue_pos):
            continue
        if _names_home(m, s, names):
            return True
        if m.label in ("PLACE", "ORG") and is_foreign(party_of(m)):
            return False
    return False


def _home_people(persons: list[tuple[str, PersonRef]]) -> frozenset[str]:
    """The home side's people as a text may name them: 陳其邁, and 陳市長 (surname and title)."""
    home_key = lexicon().home_key
    names = {p.name for k, p in persons if k == home_key}
    return frozenset(names | {p.name[0] + p.title for k, p in persons if k == home_key and p.title})


def _names_home(m: Mention, s: Sentence, home_people: frozenset[str]) -> bool:
    """Whether a mention in ``s`` names the home side: the city, its office or its people."""
    if is_home(m) or (m.label == "PERSON" and m.text in home_people):
        return True
    at = m.start - s.start
    return m.label == "TITLE" and at > 0 and s.text[at - 1] + m.key in home_people


def _invites_home(
    s: Sentence, cue_pos: int, mentions: list[Mention], persons: list[tuple[str, PersonRef]]
) -> bool:
    """Whether a cue tells a trip that the home side is invited to make (他也邀請陳其邁明年
    率團訪問高松): no trip yet. An invitation accepted (受邀, 應熊本縣邀請赴日) is a trip
    made; so is a visit of guests the home side invited (邀請姊妹市訪高), which a report
    tells once they came.

    >>> s = Sentence(0, 8, "也邀請本府明年訪問")
    >>> home = Mention("KAOHSIUNG", "本府", 3, 5)
    >>> _invites_home(s, 7, [home], []), _invites_home(s, 7, [], [])
    (True, False)
    >>> s = Sentence(0, 12, "邀請熊本市長至高雄參訪")
    >>> guest = [Mention("PLACE", "熊本市", 2, 5), Mention("KAOHSIUNG", "高雄", 8, 10)]
    >>> _invites_home(s, 10, guest, [])
    False
    """
    c = cues()
    text = s.text
    clause = _clause_start(text, cue_pos)
    invite = max((text.rfind(w, clause, cue_pos) for w in c.words("invite")), default=-1)
    if invite < 0 or any(text.startswith(w, max(0, invite - 1)) for w in c.words("accept")):
        return False
    if re.search(r"應[^，,。；;]{1,20}$", text[clause:invite]):
        return False  # 應熊本縣邀請: at its invitation
    # The invitee is the first name after the invitation, not the place to go (本府邀請
    # 熊本市長大西一史至高雄參訪: the guest comes).
    invitee = next(
        (
            m
            for m in mentions
            if s.start + invite < m.start < s.start + cue_pos
            and m.label in ("PLACE", "ORG", "PERSON", HOME_LABEL)
        ),
        None,
    )
    return invitee is not None and _names_home(invitee, s, _home_people(persons))


def _abroad(hosts: list[PartyRef]) -> bool:
    """A host that is a place abroad (not an office in Taiwan) makes a visit outbound."""
    return any(h.type == "place" for h in hosts)


def _rel(
    visitor: PartyRef,
    host: PartyRef,
    direction: Direction,
    persons: list[tuple[str, PersonRef]],
    seen: set[tuple[str, str]],
) -> Iterable[VisitRel]:
    if visitor.key == host.key or (visitor.key, host.key) in seen:
        return
    seen.add((visitor.key, host.key))
    yield VisitRel(
        visitor=visitor,
        host=host,
        direction=direction,
        visitor_persons=tuple(dict.fromkeys(p for k, p in persons if k == visitor.key)),
        host_persons=tuple(dict.fromkeys(p for k, p in persons if k == host.key)),
    )


def _first_cue(
    text: str, kinds: Sequence[str], c: Cues, told: Callable[[int], bool] = lambda _at: True
) -> tuple[int, str]:
    """The first cue of the kinds, outside quoted titles (「邦交國青年來台圓夢活動」 is a
    programme's name, not a visit), at a place where ``told`` says the text tells a
    happening (not an invitation).

    >>> _first_cue("辦理「青年來台活動」，青年訪高", ("inbound",), cues())
    (13, 'inbound')
    """
    quoted = [(m.start(), m.end()) for m in re.finditer(r"「[^「」]*」|『[^『』]*』", text)]
    best = (-1, "")
    for kind in kinds:
        for word in c.words(kind):
            for i in occurrences(word, text):
                if any(a < i < b for a, b in quoted):
                    continue
                if any(text.startswith(n, i + len(word)) for n in c.words("nominal")):
                    continue  # 參訪計畫: a programme's name, not a visit
                if not told(i):
                    continue
                if best[0] < 0 or i < best[0]:
                    best = (i, kind)
                break
    return best


def _is_video(text: str) -> bool:
    c = cues()
    physical = any(w in text for w in c.words("inbound") + c.words("outbound"))
    return any(w in text for w in c.words("video")) and not physical


# --------------------------------------------------------------------------- agreements


def _agreements(
    sentences: list[Sentence],
    mentions: list[Mention],
    persons: list[tuple[str, PersonRef]],
    year: int | None,
    absorbed: frozenset[str] = frozenset(),
) -> Iterable[AgreementRel]:
    """One agreement per signing cue whose clause names a document of a known kind."""
    c = cues()
    for s in sentences:
        done = 0  # where the previous signed document's name ended
        spans = _cue_spans(s.text, c.words("sign"))
        for i, (cue_at, cue_end) in enumerate(spans):
            clause_end = _clause_end(s.text, cue_end)
            # The document a cue signs is named before the next cue (簽約、5校簽署意向書).
            reach = min(clause_end, spans[i + 1][0]) if i + 1 < len(spans) else clause_end
            found_kind = _kind_after(s.text[cue_end:reach], c) or _kind_before(
                s.text, cue_at, cue_end, c
            )
            if found_kind is None or _looks_back(s.text[cue_at:clause_end], c):
                continue
            if any(w in s.text[:cue_at] for w in c.recalls):
                continue
            kind, kind_end = found_kind
            if s.text[cue_end + kind_end :].lstrip().startswith(c.attributes):
                continue  # 簽署MOU城市高陽市: a partner described, not a signing told
            # 與橘郡簽署…備忘錄、小港高中與…締結姊妹校: each signing has its own stretch.
            start = max(_clause_start(s.text, cue_at), done)
            end = cue_end + kind_end
            done = end
            found = _agreement(s, cue_at, (start, end), kind, mentions, persons, absorbed)
            if len(found.parties) >= 2:  # an agreement has two sides, at least
                yield replace(found, date=_signing_date(s.text, cue_at, clause_end, year))


def _summary_rows(text: str, mentions: list[Mention], c: Cues) -> Iterable[AgreementRel]:
    """A summary row: a document's kind, a bar or colon, then who signed one
    (國際合作備忘錄 | 波蘭波茲南市、韓國高陽市): each item separated by 、 is one
    document with the home city; parties joined by × sign one document together."""
    kinds = "|".join(re.escape(w) for w, _ in c.kinds)
    row = re.compile(
        rf"^[-•✓✔*\s]*[^|｜：:\n]{{0,8}}?(?P<kind>{kinds})\s*[|｜：:](?P<rest>[^\n]+)$", re.M
    )
    by_word = dict(c.kinds)
    for m in row.finditer(text):
        start = m.start("rest")
        for item in re.finditer(r"[^、]+", m.group("rest")):
            a, b = start + item.start(), start + item.end()
            inside = [x for x in mentions if a <= x.start < b]
            signers = [p for p in _acting_parties(inside) if is_foreign(p) or is_domestic_body(p)]
            if any(is_foreign(p) for p in signers):
                yield AgreementRel(kind=by_word[m.group("kind")], parties=(home_party(), *signers))


def _agreement(
    s: Sentence,
    cue_at: int,
    stretch: tuple[int, int],
    kind: AgreementKind,
    mentions: list[Mention],
    persons: list[tuple[str, PersonRef]],
    absorbed: frozenset[str] = frozenset(),
) -> AgreementRel:
    home = home_party()
    witness = _witness_region(s.text[:cue_at])
    clause_start, clause_end = stretch
    in_s = [m for m in mentions if s.start <= m.start < s.start + clause_end]

    def outside_witness(m: Mention) -> bool:
        return not (witness and witness[0] <= m.start - s.start < witness[1])

    named = [m for m in in_s if outside_witness(m)]
    clause = [m for m in named if m.start - s.start >= clause_start]
    foreign = _foreign_acting(clause, absorbed)
    if not foreign:
        before = _foreign_acting([m for m in named if m.start - s.start < cue_at], absorbed)
        many = re.search(r"[三四五六七八九十多]方|[0-9]方", s.text[clause_start:cue_at])
        foreign = before if many else before[-1:]
    if not foreign:
        foreign = _foreign_acting(in_s, absorbed)[:1]
    schools_in_unit = [m for m in mentions if m.label == "ORG" and _is_school(m.text)]
    if not foreign and len(schools_in_unit) < 2:
        # 率團訪高簽署姊妹市協定, under a heading that names the one foreign party (not in
        # a unit about schools, whose signings are the schools').
        in_unit = _foreign_acting(mentions, absorbed)
        foreign = in_unit if len(in_unit) == 1 else []
    schools = [party_of(m) for m in clause if m.label == "ORG" and _is_school(m.text)]
    count = COUNT_OF_SCHOOLS.search(s.text, clause_start, cue_at)
    if count:
        # 共9所中學與陽明國中簽署, 5校簽署: the schools are those the sentence lists, or
        # as many as the count listed after it in the unit; a count with no list names
        # no party.
        schools = [party_of(m) for m in named if _is_school_mention(m)]
        schools += _schools_listed_after(s.start + count.end(), count.group(), schools, mentions)
        if len(schools) < 2:
            schools, foreign = [], []
    if kind == "sister_school" or len(schools) >= 2:
        parties = tuple({p.key: p for p in schools}.values()) or (home, *foreign)
    else:
        parties = (*_home_side(clause), *foreign)
    signers = [m for m in in_s if m.label == "PERSON" and outside_witness(m)]
    witnesses = [m for m in in_s if m.label == "PERSON" and not outside_witness(m)]
    witnesses += _witnesses_after(s, clause_end, mentions)
    return AgreementRel(
        kind=kind,
        parties=parties,
        signatories=_people(signers, persons),
        witnesses=_people(witnesses, persons),
        ordinal=_ordinal(s.text)
        if kind in ("sister_city", "friendship_city", "partner_city")
        else None,
    )


def _home_side(clause: list[Mention]) -> tuple[PartyRef, ...]:
    """Who signs for the home side: the home city, unless the clause names a body of the
    home country that signs instead (高雄港及格丁尼亞港簽署: the port); both when it
    names the city too (本府與文藻外語大學及…簽署三方備忘錄)."""
    bodies = [p for p in _acting_parties(clause) if is_domestic_body(p)]
    with_home = any(is_home(m) for m in clause) or not bodies
    return (home_party(),) * with_home + tuple(bodies)


def _merge_agreements(found: Iterable[AgreementRel]) -> tuple[AgreementRel, ...]:
    """One agreement per kind and parties in a unit (a heading and its text tell it twice)."""
    merged: dict[tuple[str, frozenset[str]], AgreementRel] = {}
    for a in found:
        key = a.signature
        old = merged.get(key)
        if old is None:
            merged[key] = a
            continue
        merged[key] = replace(
            old,
            signatories=tuple(dict.fromkeys(old.signatories + a.signatories)),
            witnesses=tuple(dict.fromkeys(old.witnesses + a.witnesses)),
            ordinal=old.ordinal or a.ordinal,
        )
    return tuple(merged.values())


def _signing_date(text: str, cue_at: int, clause_end: int, year: int | None) -> DateSpan | None:
    """The date the sentence gives the signing: the last date before the cue, else one
    after it in the same clause (高雄市與科羅州於110年9月17日締結為姊妹市)."""
    dates = find_dates(text[:clause_end], default_year=year)
    before = [d for d in dates if d.end <= cue_at]
    after = [d for d in dates if d.start >= cue_at]
    chosen = before[-1:] or after[:1]
    return chosen[0].span if chosen else None


def _is_school(name: str) -> bool:
    return name.endswith(lexicon().school_suffixes)


def _is_school_mention(m: Mention) -> bool:
    """A school, by its name or by the full name a short one stands for (文藻)."""
    return m.label == "ORG" and (_is_school(m.text) or _is_school(m.key))


def _schools_listed_after(
    pos: int, count: str, have: list[PartyRef], mentions: list[Mention]
) -> list[PartyRef]:
    """The schools a count names (文藻與奧勒岡州四校締結姊妹校。…東奧勒岡大學、…及西奧勒岡大學
    等4所大學): the schools the unit lists after it, when there are exactly that many."""
    n = _number(count.rstrip("所校 "))
    later = [party_of(m) for m in mentions if m.start >= pos and _is_school_mention(m)]
    keys = {p.key for p in have}
    later = [p for p in {p.key: p for p in later}.values() if p.key not in keys]
    return later if n is not None and len(later) == n else []


def _foreign_acting(named: list[Mention], absorbed: frozenset[str] = frozenset()) -> list[PartyRef]:
    return [p for p in _acting_parties(named) if is_foreign(p) and p.key not in absorbed]


def _people(found: list[Mention], persons: list[tuple[str, PersonRef]]) -> tuple[PersonRef, ...]:
    by_name = {p.name: p for _, p in persons}
    return tuple(dict.fromkeys(by_name[m.text] for m in found if m.text in by_name))


def _cue_spans(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of cue words, in text order."""
    spans: list[tuple[int, int]] = []
    for word in words:
        for at in occurrences(word, text):
            if all(at + len(word) <= a or at >= b for a, b in spans):
                spans.append((at, at + len(word)))
    return sorted(spans)


CLAUSE_END = "，,。；;"
# A count of schools standing for them (共9所中學, 5校, 等五所學校).
COUNT_OF_SCHOOLS = re.compile(rf"{COUNT}+\s*(?:所|校)")


def _clause_end(text: str, pos: int) -> int:
    """End of the clause at ``pos``; a quoted title 「…」 does not end it."""
    depth = 0
    for i in range(pos, len(text)):
        ch = text[i]
        depth += ch in "「『"
        depth -= ch in "」』"
        if depth <= 0 and ch in CLAUSE_END:
            return i
    return len(text)


def _clause_start(text: str, pos: int) -> int:
    for i in range(pos - 1, -1, -1):
        if text[i] in CLAUSE_END:
            return i + 1
    return 0


def _witnesses_after(s: Sentence, pos: int, mentions: list[Mention]) -> list[Mention]:
    """Persons named after the signing and before 見證 (…簽署協定，由林欽榮副市長見證)."""
    at = s.text.find("見證", pos)
    if at < 0:
        return []
    return [m for m in mentions if m.label == "PERSON" and s.start + pos <= m.start < s.start + at]


def _witness_region(text: str) -> tuple[int, int] | None:
    """Where the witnesses are named: 在A見證下 (before 見證下)."""
    m = re.search(r"(?:在|於|經)?([^，。；]*?)見證下", text)
    return (m.start(), m.end()) if m else None


def _looks_back(clause: str, c: Cues) -> bool:
    """An anniversary or a past signing recalled, not a signing told."""
    return any(b in clause for b in c.blockers)


def _kind_before(text: str, cue_at: int, cue_end: int, c: Cues) -> tuple[AgreementKind, int] | None:
    """An agreement word right before its cue (完成姊妹市簽署, 姊妹市締盟); the offset
    returned is relative to the cue's end, like :func:`_kind_after`'s.

    >>> _kind_before("完成姊妹市簽署程序", 5, 7, cues())
    ('sister_city', 0)
    """
    for word, kind in c.kinds:
        if text.endswith(word, 0, cue_at):
            return kind, 0
    return None


def _kind_after(text: str, c: Cues) -> tuple[AgreementKind, int] | None:
    """The kind of the first agreement word after a signing cue (longest word wins), and
    where that word ends.

    >>> _kind_after("「高雄市及布拉提斯拉瓦省夥伴協定」", cues())
    ('partner_city', 16)
    """
    best: tuple[int, int, AgreementKind] | None = None
    for word, kind in c.kinds:
        i = text.find(word)
        if i >= 0 and (best is None or (i, -len(word)) < (best[0], -best[1])):
            best = (i, len(word), kind)
    return (best[2], best[0] + best[1]) if best else None


def _ordinal(text: str) -> int | None:
    m = ORDINAL.search(text)
    if not m:
        return None
    return _number(m.group("n"))


def _number(n: str) -> int | None:
    """A number in Arabic or Chinese digits (43, 四十三); ``None`` for 多, 數 (several).

    >>> _number("四十三"), _number("4"), _number("多")
    (43, 4, None)
    """
    if n.isdigit():
        return int(n)
    import cn2an  # Chinese numerals such as 第四十三座

    try:
        return int(cn2an.cn2an(n, "smart"))
    except ValueError:
        return None


def _type(
    text: str, agreements: tuple[AgreementRel, ...], visits: tuple[VisitRel, ...]
) -> HappeningType:
    if agreements:
        return "agreement"
    if _is_video(text):
        return "video_meeting"
    if visits:
        return "visit"
    return "event"
