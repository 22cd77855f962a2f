"""Recognising names: places, organisations, titles and persons in a unit's text.

The pipeline is ``spacy.blank("zh")`` (one token per character) plus the
components below, each registered with ``@Language.factory`` and usable alone.
Every component writes to its own span group, so that later components can see
what earlier ones found; ``kgraph_mentions`` finally settles overlaps into
``doc.ents``:

* ``kgraph_gazetteer``: known names from the gazetteer (``ontology/gazetteer``)
  and the home city's own names, via a :class:`spacy.matcher.PhraseMatcher`.
* ``kgraph_patterns``: names the gazetteer lacks, by their grammar: a known
  place followed by a run ending in a place suffix (日本岐阜縣 + 美濃市), or a
  place followed by a run ending in an organisation suffix (美國 + 華裔民選官員協會).
* ``kgraph_titles``: titles (市長, 知事, 大使 …) with their modifiers (時任, 前).
* ``kgraph_persons``: person names next to titles, before (陳其邁市長) or after
  (市長陳其邁) them, lists sharing one title (副市長林欽榮、羅達生), transliterated
  names joined by ``·‧．〃`` and Latin names in parentheses.

All word lists are data files in ``kgraph/data``; see ARCHITECTURE.md.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import cast

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kgraph.gazetteer import Gazetteer, GazetteerEntry
from kgraph.model import HOME_LABEL, Mention, MentionLabel
from kgraph.resources import data_lines, data_rows

_TEXT_KEY = "kgraph_text"
PLACES = ("PLACE", HOME_LABEL)
LATIN_NAME = r"[A-ZÀ-ÞĀ-ž][A-Za-zÀ-ÿĀ-žА-я'’\-\.]*(?:[ \u00a0]+(?:[A-Za-zÀ-ÿĀ-ž'’\-\.]+))*"
# A word of a Latin personal name: capitalised, then lower case (not IT, not of).
CAPITALISED = r"[A-ZÀ-ÞĀ-ž][a-zà-ÿā-ž'’\-]+"
NAME_JOINERS = "·‧．〃•・."
CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A name may end like a rare noun (奧正史: 正史), not like a common one (巴士企業: 企業).
COMMON_NOUN = 300
# The country (as the gazetteer names it) whose officials' names follow their titles in
# Japanese: two to five characters, family names beyond any list (宮崎市長清山知憲).
JAPAN = "日本"
JAPANESE_LIST_JOINERS = "、"
# Word-list tags of verbs, adverbs, prepositions and conjunctions, which no name holds;
# a Japanese name, found without a family-name list, holds no time or place word either.
FUNCTION_TAGS = ("v", "d", "p", "c")
NOT_IN_JAPANESE_NAME = (*FUNCTION_TAGS, "t", "f")
MINISTRY = "部"  # the organisation ending of a country's ministry (外交部, 交通及通訊部)
# Items of a list that shares one ending: ordinals (第五、第二、第三中學) or pairs joined
# by 暨 (行政暨經濟、冷凍暨電子學校群).
_ORDINAL = r"第[0-9一二三四五六七八九十]+"
_JOINED = rf"(?:(?![及與和暨、])[{CJK}]){{2,3}}暨[{CJK}]{{2,3}}"
_SHARED_ITEM = rf"{_ORDINAL}|{_JOINED}"

for _ext in ("latin", "country", "kind"):
    if not Span.has_extension(_ext):
        Span.set_extension(_ext, default=None)


@dataclass(frozen=True)
class Lexicon:
    """The word lists that recognition reads, loaded once from ``kgraph/data``."""

    titles: dict[str, str]
    modifiers: tuple[str, ...]
    boundaries: tuple[str, ...]
    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    family_names: tuple[str, ...]
    translit_chars: frozenset[str]
    japanese_endings: frozenset[str]
    org_suffixes: tuple[str, ...]
    place_suffixes: dict[str, str]
    home_key: str
    home_names: tuple[str, ...]
    home_offices: tuple[str, ...]
    school_suffixes: tuple[str, ...]
    common_words: dict[str, tuple[str, int]]
    never_in_name: frozenset[str]
    never_last: frozenset[str]
    place_endings: frozenset[str]
    followers: tuple[str, ...]
    one_char_boundaries: frozenset[str]  # boundary words no transliteration uses (與, 及)

    def ends_place(self, ch: str) -> bool:
        """Whether a character ends places or offices (港, 市, 處, 鎮): what stands before
        a name and ends in it is no part of that name."""
        return ch in self.never_last or ch in self.place_endings


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the recognition word lists (cached: they are read-only data)."""
    titles = {row[0]: row[1] for row in data_rows("titles.tsv")}
    japanese = data_lines("japanese_surnames.txt")
    surnames = data_lines("surnames.txt") + [s for s in japanese if len(s) == 1]
    home = next(iter(data_rows("home_party.csv", delimiter=",", header=True)))
    boundaries = data_lines("name_boundaries.txt")
    translit = frozenset("".join(data_lines("transliteration_chars.txt")))
    return Lexicon(
        titles=titles,
        modifiers=tuple(sorted(data_lines("title_modifiers.txt"), key=len, reverse=True)),
        boundaries=tuple(sorted(boundaries, key=len, reverse=True)),
        surnames=frozenset(s for s in surnames if len(s) == 1),
        compound_surnames=frozenset(s for s in surnames if len(s) == 2),
        family_names=tuple(sorted((s for s in japanese if len(s) > 1), key=len, reverse=True)),
        translit_chars=translit,
        japanese_endings=frozenset(data_lines("japanese_name_endings.txt")),
        org_suffixes=tuple(sorted(data_lines("org_suffixes.txt"), key=len, reverse=True)),
        place_suffixes={row[0]: row[1] for row in data_rows("place_suffixes.txt")},
        home_key=home[0],
        home_names=(home[0], *home[1].split("|")),
        home_offices=tuple(data_lines("home_offices.txt")),
        school_suffixes=tuple(sorted(data_lines("school_suffixes.txt"), key=len, reverse=True)),
        common_words={
            row[0]: (row[2], int(row[1]))
            for name in ("common_words.tsv", "common_words_taiwan.tsv")
            for row in data_rows(name)
        },
        never_in_name=frozenset(data_lines("never_in_name.txt")),
        never_last=frozenset(data_lines("never_last_in_name.txt")),
        place_endings=frozenset(data_lines("place_endings.txt")),
        followers=tuple(data_lines("name_followers.txt")),
        one_char_boundaries=frozenset(b for b in boundaries if len(b) == 1 and b not in translit),
    )


# --------------------------------------------------------------------------- gazetteer


@Language.factory("kgraph_gazetteer")
def make_gazetteer_matcher(nlp: Language, name: str) -> GazetteerMatcher:
    """Known places, organisations and the home city's names."""
    return GazetteerMatcher(nlp)


class GazetteerMatcher:
    """Marks every gazetteer name; longest match wins among overlapping ones."""

    def __init__(self, nlp: Language) -> None:
        self.gazetteer = Gazetteer.load()
        self.matcher = PhraseMatcher(nlp.vocab)
        self.lex = lex = lexicon()
        by_label: dict[str, set[str]] = {"PLACE": set(), "ORG": set(), HOME_LABEL: set()}
        for surface, entry in self.gazetteer.names():
            if entry.key == lex.home_key or surface in lex.home_names:
                continue
            if entry.source == "geonames" and surface[-1] not in lex.place_suffixes:
                # GeoNames' alternate names include bare words (聯合, 太和): only names
                # with a place ending are safe to match in running text.
                continue
            by_label["PLACE" if entry.type == "place" else "ORG"].add(surface)
        by_label[HOME_LABEL].update(lex.home_names)
        by_label["ORG"].update(lex.home_offices)
        for label, names in by_label.items():
            self.matcher.add(label, [nlp.make_doc(n) for n in sorted(names) if n])

    def _starts_word(self, text: str, pos: int, ends: set[int]) -> bool:
        """Whether a word surely starts at ``pos``, however a transliterated name follows:
        after another known name (阿拉伯聯合大公國 + 阿布達比 + 麥可·布朗), an ordinary
        word (夥伴 + 特拉維夫), a place ending (友好城市 + 特拉維夫) or a joining word
        (與 + 雅加達 + 安娜·杜邦)."""
        before = text[pos - 1] if pos > 0 else ""
        return (
            pos in ends
            or before in self.lex.place_suffixes
            or before in self.lex.one_char_boundaries
            or _word_ending_at(self.lex.common_words, text, pos)
        )

    def _family_name_after_title(self, text: str, span: Span, starts: set[int]) -> bool:
        """Whether a place's short name right after a title starts a person's name: the
        Japanese family name 松本 in 副知事松本美香 (or 松本和之), not 松本市; but in
        代表福岡與高雄, a joining word and another name follow a place."""
        start, end = span.start_char, span.end_char
        joined = end < len(text) and text[end] in self.lex.one_char_boundaries
        return (
            span.label_ == "PLACE"
            and span.text in self.lex.family_names
            and end < len(text)
            and re.match(rf"[{CJK}]", text[end]) is not None
            and not (joined and end + 1 in starts)
            and any(text.endswith(t, 0, start) for t in self.lex.titles)
        )

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        found = [
            Span(doc, start, end, label=doc.vocab.strings[match_id])
            for match_id, start, end in self.matcher(doc)
        ]
        ends = {span.end_char for span in found}
        starts = {span.start_char for span in found}
        spans = []
        for span in found:
            if _part_of_date(text, span.start_char) or (
                not self._starts_word(text, span.start_char, ends)
                and _inside_name(text, span.start_char, span.end_char)
            ):
                continue
            if self._family_name_after_title(text, span, starts):
                continue
            entry = self.gazetteer.lookup(span.text)
            span.kb_id_ = entry.key if entry and span.label_ != HOME_LABEL else span.text
            spans.append(span)
        doc.spans["gazetteer"] = longest_first(spans)
        return doc


# --------------------------------------------------------------------------- patterns


@Language.factory("kgraph_patterns")
def make_pattern_matcher(nlp: Language, name: str, max_len: int = 14) -> PatternMatcher:
    """Places and organisations that the gazetteer lacks, found by their endings."""
    return PatternMatcher(max_len)


class PatternMatcher:
    """After a known place, a run of characters ending in a place or org suffix is a name."""

    def __init__(self, max_len: int) -> None:
        lex = lexicon()
        org = "|".join(map(re.escape, lex.org_suffixes))
        place = "|".join(map(re.escape, sorted(lex.place_suffixes, key=len, reverse=True)))
        not_after = "|".join(map(re.escape, data_lines("not_after_place.txt")))
        # Envoys serve countries: "貝里斯錢冠州大使" is an ambassador's name, not a place.
        envoy = "|".join(map(re.escape, (t for t, r in lex.titles.items() if r == "envoy")))
        self.generic_re = re.compile("|".join(map(re.escape, data_lines("generic_words.txt"))))
        self.org_re = re.compile(rf"[{CJK}A-Za-z]{{0,{max_len}}}?(?:{org})")
        self.quoted_org_re = re.compile(rf"「(?P<name>[{CJK}]{{2,{max_len}}}(?:{org}))」")
        self.place_re = re.compile(
            rf"[{CJK}]{{2,5}}?(?:{place})"
            rf"(?!{not_after})(?!{envoy})(?![{CJK}]{{0,1}}(?:{org}))"
        )
        self.boundaries = lex.boundaries
        self.clause_words = frozenset(data_lines("clause_words.txt"))
        self.not_org_endings = tuple(data_lines("not_org_endings.txt"))
        # 大學生, 高中生: students, not a school.
        self.school_re = re.compile(
            "(?:" + "|".join(map(re.escape, lex.school_suffixes)) + ")(?![生])"
        )
        kinds = "|".join(map(re.escape, data_lines("org_kind_nouns.txt")))
        self.introduced_re = re.compile(
            rf"(?:{kinds})(?P<name>[{CJK}]{{2,8}}?)\s*[（(]\s*(?=[A-Z])"
        )
        branch = "|".join(map(re.escape, data_lines("branch_suffixes.txt")))
        self.branch_re = re.compile(rf"(?P<place>[{CJK}]{{2,4}}?)(?:{branch})")
        self.max_school = 10
        endings = "|".join(map(re.escape, lex.school_suffixes))
        self.shared_re = re.compile(
            rf"(?P<items>(?:{_ORDINAL}、)+{_ORDINAL}|(?:{_JOINED}、)+{_JOINED})(?P<ending>{endings})"
        )

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        known = list(doc.spans["gazetteer"]) if "gazetteer" in doc.spans else []
        found.extend(self._shared_endings(doc, known))
        found.extend(self._schools(doc, known))
        found.extend(self._quoted(doc))
        found.extend(self._branches(doc, known))
        found.extend(self._introduced(doc))
        found.extend(self._compounds(doc, known))
        gaz = Gazetteer.load()
        starts = {s.start_char for s in known if s.label_ == "PLACE"}
        known_starts = frozenset(s.start_char for s in known)
        for anchor in known:
            # A known name right after the anchor continues the chain (日本 + 北海道 + 白老町).
            if anchor.label_ == "PLACE" and anchor.end_char not in starts:
                entry = gaz.lookup(anchor.kb_id_)
                country = entry is not None and entry.kind == "country"
                for span in self._after(doc, anchor.end_char, country, known_starts):
                    span._.country = entry.country if entry else None
                    known_as = gaz.lookup(span.kb_id_)
                    if entry and known_as and known_as.country != entry.country:
                        span.kb_id_ = span.text  # 斯洛伐克經濟部 is not Taiwan's 經濟部
                    found.append(span)
        doc.spans["patterns"] = longest_first(found)
        return doc

    def _after(
        self, doc: Doc, pos: int, country: bool = False, known_starts: frozenset[int] = frozenset()
    ) -> Iterator[Span]:
        """Names that start right after a known place (its sub-place or its organisation).
        A ministry (…部) is a country's: after a city or region, 部 ends a department
        that acts for its place (千葉縣 + 總合企劃部)."""
        text = text_of(doc)
        org = self.org_re.match(text, pos)
        if (
            org
            and (country or not org.group().endswith(MINISTRY))
            and not self._crosses_boundary(org.group())
            and not self._has_clause_word(org.group())
            and self._plausible_org(org.group())
            and not self._title_then_name(text, pos)
        ):
            # The organisation's name includes the place before it (日本熊本學園大學).
            span = doc.char_span(pos, org.end(), label="ORG", alignment_mode="expand")
            if span is not None:
                start = _place_start(doc, pos)
                full = doc.char_span(start, org.end(), label="ORG", alignment_mode="expand")
                if full is not None:
                    full.kb_id_ = _without_country(doc, start, org.end())
                    if _school_keyed_alone(text[pos : org.end()]):
                        full.kb_id_ = text[pos : org.end()]  # 陸奧市 + 川內中學
                    yield full
        place = self.place_re.match(text, pos)
        if (
            place
            and not self._crosses_boundary(place.group())
            and not self.generic_re.search(place.group())
            and self._plausible_place(text, pos, place.group())
            and not any(pos < k < place.end() for k in known_starts)
            and not self._title_then_name(text, pos)
        ):
            span = doc.char_span(pos, place.end(), label="PLACE", alignment_mode="expand")
            if span is not None:
                span.kb_id_ = span.text
                yield span

    def _schools(self, doc: Doc, known: list[Span]) -> Iterator[Span]:
        """School names, wherever they stand: the name runs left from the ending to a
        boundary (新興高中); an ordinal school keeps its city (格丁尼亞第17中學)."""
        text = text_of(doc)
        ends = {s.end_char: s for s in known}
        for m in self.school_re.finditer(text):
            start = m.start()
            while start > 0 and m.start() - start < self.max_school:
                if start in ends or not re.match(rf"[{CJK}0-9]", text[start - 1]):
                    break
                word = word_ending_at(self.boundaries, text, start)
                if word and (len(word) > 1 or m.start() - start >= 2):
                    break
                start -= 1
            count = _COUNT_BEFORE.search(text, 0, start)
            if count is not None:
                start = count.start()  # 陸奧市 + 9所 + 市立中學
            key_start = start
            place = ends.get(start) if start in ends and ends[start].label_ in PLACES else None
            counted = _COUNTED.search(text, key_start, m.end())
            if place is not None and (text.startswith("第", start) or counted):
                # 格丁尼亞第17中學, 陸奧市9所市立中學: the city is part of the name.
                start = key_start = place.start_char
            elif place is not None and text.startswith("立", start):
                # 高雄市立陽明國中: the city runs the school; the school's key is 陽明國中.
                start, key_start = place.start_char, start + 1
            elif place is not None and m.start() - key_start < 2:
                # 高雄高工: a school named by its city alone.
                start = key_start = place.start_char
            elif counted:
                continue  # 多所大學, 五所學校: a count, not a name
            if start == key_start:
                start = key_start = self._after_verb(text, key_start, m.start())
            if m.start() - key_start < 2 or self._generic_school(text[key_start : m.start()]):
                continue
            span = doc.char_span(start, m.end(), label="ORG", alignment_mode="expand")
            if span is not None:
                span.kb_id_ = text[key_start : m.end()]
                if place is not None and start == place.start_char:
                    span._.country = _country_of(place)  # its city's
                yield span

    def _compounds(self, doc: Doc, known: list[Span]) -> Iterator[Span]:
        """A place and a word that names something of it (place_compounds.tsv): its port
        (高雄港, 格丁尼亞港), its metropolitan area (巴塞隆納大都會區)."""
        for place in (s for s in known if s.label_ in PLACES):
            for word, label, kind, pattern in place_compounds():
                m = pattern.match(text_of(doc), place.end_char)
                if m is None:
                    continue
                span = doc.char_span(
                    place.start_char, m.end(), label=label, alignment_mode="expand"
                )
                if span is not None:
                    span.kb_id_ = place.text + word
                    span._.country = _country_of(place)
                    span._.kind = kind
                    yield span
                break

    def _shared_endings(self, doc: Doc, known: list[Span]) -> Iterator[Span]:
        """Schools listed with one ending written once (格丁尼亞第五、第二、第三中學;
        行政暨經濟、冷凍暨電子學校群): each item is a school of its own, named with the
        ending and with the city before the first item."""
        ends = {s.end_char: s for s in known if s.label_ in PLACES}
        for m in self.shared_re.finditer(text_of(doc)):
            place = ends.get(m.start())
            city = place.text if place is not None else ""
            country = _country_of(place)
            ending = m.group("ending")
            items = list(re.finditer(_SHARED_ITEM, m.group("items")))
            for i, item in enumerate(items):
                start, end = m.start("items") + item.start(), m.start("items") + item.end()
                if i == 0 and place is not None:
                    start = place.start_char
                if i == len(items) - 1:
                    end = m.end()
                span = doc.char_span(start, end, label="ORG", alignment_mode="expand")
                if span is not None:
                    span.kb_id_ = city + item.group() + ending
                    span._.country = country
                    yield span

    def _introduced(self, doc: Doc) -> Iterator[Span]:
        """A name introduced by what kind of body it is and followed by its Latin name
        (慈善組織美國精神（Spirit of America）): an organisation with no telling ending."""
        for m in self.introduced_re.finditer(text_of(doc)):
            if self._plausible_org(m.group("name")):
                span = doc.char_span(*m.span("name"), label="ORG", alignment_mode="expand")
                if span is not None:
                    span.kb_id_ = span.text
                    yield span

    def _after_verb(self, text: str, start: int, end: int) -> int:
        """Where a school's name starts when a verb leads the run (分享 + 晨曦大學, 參訪 +
        長榮大學); a name is left whole when the verb is all of it (實踐大學).

        >>> PatternMatcher(14)._after_verb("分享晨曦大學", 0, 4)
        2
        >>> PatternMatcher(14)._after_verb("實踐大學", 0, 2)
        0
        """
        tag, _ = lexicon().common_words.get(text[start : start + 2], ("", 0))
        return start + 2 if tag.startswith("v") and end - start >= 4 else start

    def _generic_school(self, head: str) -> bool:
        """A verb before a school ending makes a phrase, not a name (參與學校, 合作學校)."""
        tag, _ = lexicon().common_words.get(head, ("", 0))
        return tag.startswith("v")

    def _branches(self, doc: Doc, known: list[Span]) -> Iterator[Span]:
        """An office's branch: right after it, a place and a branch ending
        (泰國貿易經濟辦事處 + 高雄勞工處); or later, a branch the gazetteer knows named without
        its parent (日本台灣交流協會…，偕同高雄事務所所長)."""
        gaz = Gazetteer.load()
        text = text_of(doc)
        taken = [(s.start_char, s.end_char) for s in known]
        for anchor in (s for s in known if s.label_ == "ORG"):
            entry = gaz.lookup(anchor.kb_id_)
            if entry is None or entry.kind != "foreign_office":
                continue
            m = self.branch_re.match(text, anchor.end_char)
            if m and (gaz.lookup(m.group("place")) or m.group("place") in lexicon().home_names):
                span = doc.char_span(
                    anchor.start_char, m.end(), label="ORG", alignment_mode="expand"
                )
                if span is not None:
                    span.kb_id_ = entry.key + m.group()
                    span._.country = entry.country
                    yield span
            for child in gaz.children(entry.key):
                rest = child.key.removeprefix(entry.key)
                if rest == child.key or len(rest) < 3:
                    continue
                for start in occurrences(rest, text, anchor.end_char):
                    end = start + len(rest)
                    if any(b < end and start < e and not start <= b < e <= end for b, e in taken):
                        continue  # part of a longer name (高雄事務所 in its full name)
                    span = doc.char_span(start, end, label="ORG")
                    if span is not None:
                        span.kb_id_ = child.key
                        yield span

    def _quoted(self, doc: Doc) -> Iterator[Span]:
        """A quoted name with an organisation's ending is that organisation, even with a
        title inside it (「日華議員懇談會」): the quotes mark where the name starts."""
        for m in self.quoted_org_re.finditer(text_of(doc)):
            if self._plausible_org(m.group("name"), titles_allowed=True):
                span = doc.char_span(*m.span("name"), label="ORG", alignment_mode="expand")
                if span is not None:
                    span.kb_id_ = span.text
                    yield span

    def _holds_title(self, run: str) -> bool:
        """A run with a title in it is a clause, not a name (大阪府 + 知事吉村)."""
        return any(t in run for t in lexicon().titles if len(t) > 1)

    def _plausible_org(self, run: str, titles_allowed: bool = False) -> bool:
        """An organisation's name holds no verb and no title (率領, 市長): a run that does
        is a clause, not a name (波茲南市由市長再度率領多所大學). A run starting with 非
        (non-) describes a kind of body (美國非政府慈善組織), it names none; one ending in
        a part of something (南部, 總部) is no body."""
        lex = lexicon()
        if run.startswith("非") or (not titles_allowed and self._holds_title(run)):
            return False
        if run.endswith(self.not_org_endings):
            return False
        return not _has_function_word(lex.common_words, run)

    def _plausible_place(self, text: str, pos: int, run: str) -> bool:
        """A place the gazetteer lacks, right after a known one, is no clause and no
        person: not a boundary word and a family name (菊陽町 + 由吉村, but 大分縣 +
        由布市), not a family name after a place ending (品川區 + 野村大輔, but 岐阜縣 +
        白川村), no title inside, and no verb after a title that the known place's last
        character begins (柏市 + 長出訪皮馬郡, but 山口縣 + 長門市). A verb alone may name
        a place (奧勒岡州 + 獨立市); a known name inside the run marks a clause instead
        (浦納市 + 成為高雄市)."""
        lex = lexicon()
        family = lex.family_names
        if run in family or (
            run[0] in lex.one_char_boundaries and word_starting_at(family, run, 1)
        ):
            return False
        last = word_ending_at(family, run, len(run)) or ""
        before = run[: -len(last)][-1:] if last else ""
        if before and (before in lex.place_suffixes or lex.ends_place(before)):
            return False
        titles = (t for t in lex.titles if len(t) > 1 and text.startswith(t, pos - 1))
        if any(
            _has_function_word(lex.common_words, text[pos - 1 + len(t) : pos + len(t) + 1])
            for t in titles
        ):
            return False  # 市長 + 出訪, not 縣長 + 久手
        return not self._holds_title(run)

    def _title_then_name(self, text: str, pos: int) -> bool:
        """Whether a title that the known place's last character starts is followed by a
        family name: 富山市 + 長藤井裕久及市議會 is the mayor and then the council, no
        organisation of 富山市, and 北九州市 + 長中村 no village."""
        lex = lexicon()
        for title in (t for t in lex.titles if len(t) > 1 and text.startswith(t, pos - 1)):
            after = pos - 1 + len(title)
            if text[after : after + 1] in lex.surnames or word_starting_at(
                lex.family_names, text, after
            ):
                return True
        return False

    def _has_clause_word(self, run: str) -> bool:
        """A one-character function word (在, 與, 讓…) after the first two characters of a
        run makes it a clause (台灣 + 學生在東奧勒岡大學); at the start it can belong to
        the name (美國 + 在台協會)."""
        return any(c in self.clause_words for c in run[2:])

    def _crosses_boundary(self, run: str) -> bool:
        return any(b in run for b in self.boundaries if len(b) > 1) or bool(
            re.search(r"[、，。：；（）()「」\s]", run)
        )


@lru_cache(maxsize=1)
def place_compounds() -> tuple[tuple[str, str, str, re.Pattern[str]], ...]:
    """The rows of ``place_compounds.tsv``: word, label, kind and the word's pattern.

    >>> [(w, label) for w, label, _, _ in place_compounds()][:2]
    [('港', 'ORG'), ('大都會區', 'PLACE')]
    """
    rows = []
    for word, label, kind, *rest in data_rows("place_compounds.tsv"):
        not_before = rest[0] if rest else ""
        guard = f"(?![{re.escape(not_before)}])" if not_before else ""
        rows.append((word, label, kind, re.compile(re.escape(word) + guard)))
    return tuple(rows)


def _country_of(place: Span | None) -> str | None:
    """The country of a recognised place; the home city's names give the home country."""
    if place is None:
        return None
    key = place.kb_id_ if place.label_ == "PLACE" else lexicon().home_key
    entry = Gazetteer.load().lookup(key)
    return entry.country if entry else None


def _without_country(doc: Doc, start: int, end: int) -> str:
    """An organisation's key without the country its name starts with, when a known name
    follows it (日本熊本縣議會 -> 熊本縣議會); the full form stays its surface name."""
    gaz = Gazetteer.load()
    known = list(doc.spans["gazetteer"])
    name_starts = {s.start_char for s in known}
    for span in known:
        entry = gaz.lookup(span.kb_id_)
        is_country = entry is not None and entry.kind == "country"
        if span.start_char == start and is_country and span.end_char in name_starts:
            return text_of(doc)[span.end_char : end]
    return text_of(doc)[start:end]


def _japanese_place_ends(doc: Doc) -> frozenset[int]:
    """Where the name of a recognised Japanese place ends: a title there is that place's
    (宮崎市 + 市長, 熊本縣 + 副知事), and a Japanese name follows it."""
    places = [*doc.spans.get("gazetteer", []), *doc.spans.get("patterns", [])]
    return frozenset(
        s.end_char
        for s in places
        if s.label_ == "PLACE" and (s._.country or _country_of(s)) == JAPAN
    )


def _place_start(doc: Doc, end_char: int) -> int:
    """Start of the chain of adjacent known places ending at ``end_char`` (美國紐約州)."""
    start = end_char
    spans = sorted(doc.spans["gazetteer"], key=lambda s: s.end_char)
    changed = True
    while changed:
        changed = False
        for span in spans:
            if span.end_char == start and span.label_ == "PLACE":
                start = span.start_char
                changed = True
    return start


# --------------------------------------------------------------------------- titles


@Language.factory("kgraph_titles")
def make_title_matcher(nlp: Language, name: str) -> TitleMatcher:
    """Titles such as 市長, 副知事, 大使, with modifiers such as 時任 and 前."""
    return TitleMatcher()


class TitleMatcher:
    """Marks titles; ``span.kb_id_`` holds the bare title and ``label_`` is TITLE."""

    def __init__(self) -> None:
        lex = lexicon()
        titles = "|".join(map(re.escape, sorted(lex.titles, key=len, reverse=True)))
        mods = "|".join(map(re.escape, lex.modifiers))
        # 副 and 代理 make a deputy or acting title of any title (副校長, 代理市長).
        self.title_re = re.compile(rf"(?:(?P<mod>{mods}))?(?P<title>(?:副|代理)?(?:{titles}))")

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        taken = [(s.start_char, s.end_char) for s in _known_names(doc)]
        for m in self.title_re.finditer(text_of(doc)):
            start, end = m.span("title")
            if _inside(start, end, taken):
                continue
            span = doc.char_span(start, end, label="TITLE", alignment_mode="expand")
            if span is not None:
                span.kb_id_ = m.group("title")
                spans.append(span)
        doc.spans["titles"] = spans
        return doc


# --------------------------------------------------------------------------- persons


@Language.factory("kgraph_persons")
def make_person_finder(nlp: Language, name: str, max_name: int = 5) -> PersonFinder:
    """Person names beside titles."""
    return PersonFinder(max_name)


class PersonFinder:
    """Finds names before and after titles, and lists of names sharing one title.

    A name before a title is scanned leftwards until a boundary: punctuation, a
    recognised name, a boundary word (由, 與, 拜會 …) or ``max_name`` characters.
    A name after a title must start with a known surname, or be a transliterated
    name joined by a dot, or a Latin name.
    """

    def __init__(self, max_name: int) -> None:
        self.lex = lexicon()
        self.max_name = max_name
        # Words that start right after a name: a name after its title ends before them.
        self.followers = self.lex.followers + tuple(b for b in self.lex.boundaries if len(b) > 1)
        joiners = re.escape(NAME_JOINERS)
        self.latin_paren = re.compile(rf"\s*[(（]\s*(?P<latin>{LATIN_NAME})\s*[)）]")
        self.translit = re.compile(rf"[{CJK}]{{1,6}}(?:[{joiners}][{CJK}]{{1,6}})+")
        self.latin = re.compile(rf"\s*(?P<latin>{LATIN_NAME})")
        words = rf"{CAPITALISED}(?:[ \u00a0]+{CAPITALISED}){{1,3}}"
        self.latin_after = re.compile(rf"[ \u00a0]+(?P<latin>{words})")
        self.latin_before = re.compile(rf"{words}[ \u00a0]*$")
        self.cjk_then_latin = re.compile(
            rf"(?P<name>[{CJK}]{{2,6}})\s*[(（]\s*(?P<latin>{LATIN_NAME})\s*[)）]"
        )

    def __call__(self, doc: Doc) -> Doc:
        blocked = [(s.start_char, s.end_char) for s in _known_names(doc)]
        blocked += [(s.start_char, s.end_char) for s in doc.spans.get("titles", [])]
        persons: list[Span] = []
        japanese = set(_japanese_place_ends(doc))
        text = text_of(doc)
        for title in doc.spans.get("titles", []):
            # 熊本縣 + 知事, or 宮崎市 + 市長, whose first character ends the place's name
            held = any(title.start_char <= e < title.end_char for e in japanese)
            for start, end, latin in self._around(text, title, blocked, held):
                if held and text[end : end + 1] in JAPANESE_LIST_JOINERS:
                    japanese.add(end + 1)  # 知事川勝平太、副知事出野勉: the same place's
                span = doc.char_span(start, end, label="PERSON", alignment_mode="expand")
                if span is not None and not _overlaps(start, end, blocked):
                    span.kb_id_ = span.text
                    span._.latin = latin
                    persons.append(span)
        doc.spans["persons"] = longest_first(persons)
        return doc

    def _around(
        self, text: str, title: Span, blocked: list[tuple[int, int]], japanese: bool = False
    ) -> Iterator[tuple[int, int, str | None]]:
        rank = self.lex.titles.get(title.kb_id_)
        # An occupation precedes the name (歌手 Anna Maria Jopek), never follows it.
        before = None if rank == "occupation" else self._before(text, title, blocked)
        if before and text[before[1] - 1] in self.lex.one_char_boundaries:
            # 會議由市長陳其邁主持: a run ending in a boundary word (議由) names no one when
            # a name follows the title; without one it may (張大為市長).
            after = list(self._after(text, title.end_char, japanese))
            if after:
                yield from after
                return
        if before:
            yield before
        if not before or rank == "honorific":
            yield from self._after(text, title.end_char, japanese)

    def _before(
        self, text: str, title: Span, blocked: list[tuple[int, int]]
    ) -> tuple[int, int, str | None] | None:
        """A name just before a title, with its Latin name between them, in parentheses
        or not (科西奧雷克 Aleksandra Kosiorek 市長); or a Latin name alone (Sven Schulze 市長)."""
        envoy = self.lex.titles.get(title.kb_id_) == "envoy"
        end, latin, bare = self._latin_before(text, title.start_char, blocked)
        stop = end
        while stop > 0 and text[stop - 1] == " ":
            stop -= 1
        # A modifier between name and title belongs to the title (安倍晉三前首相).
        mod = next((m for m in self.lex.modifiers if text.endswith(m, 0, stop)), "")
        stop -= len(mod)
        translit = None
        for m in self.translit.finditer(text, max(0, stop - 14), stop):
            if m.end() == stop:
                translit = m
        if translit and self._trim_right(text, translit.start(), stop) < stop:
            return None  # 代表伊莉莎白·威爾森拜會市長: the name ends before 拜會, no title follows
        if translit:
            start = self._trim_left(text, translit.start(), stop)
            for b, e in blocked:
                if b < stop and e > start:
                    start = max(start, e)
        else:
            start = self._scan_left(text, stop, blocked, envoy)
        if stop - start >= 2:
            return start, stop, latin
        if latin and bare:
            # A Latin-only name before its title (David Steinke 代表).
            latin_start = text.index(latin, end)
            return latin_start, latin_start + len(latin), latin
        return None

    def _latin_before(
        self, text: str, end: int, blocked: list[tuple[int, int]]
    ) -> tuple[int, str | None, bool]:
        """Where a name before ``end`` ends once a Latin name between them is set aside,
        that Latin name, and whether it stands bare (not in parentheses)."""
        for m in re.finditer(r"\s*[(（][^()（）]{2,80}[)）]\s*$", text[max(0, end - 84) : end]):
            inner = self.latin_paren.fullmatch(m.group().rstrip())
            if inner:
                return end - len(m.group()), inner.group("latin").strip(), False
        bare = self.latin_before.search(text, max(0, end - 60), end)
        if bare and not _overlaps(bare.start(), bare.end(), blocked):
            return bare.start(), bare.group().strip(), True
        return end, None, False

    def _scan_left(
        self, text: str, stop: int, blocked: list[tuple[int, int]], envoy: bool = False
    ) -> int:
        """Start of the name ending at ``stop``; ``stop`` itself when there is no
        clear left edge within ``max_name`` characters (a guess would be wrong).
        Before an envoy's title a name may end like a place (錢冠州大使): envoys serve
        countries, so no city or state stands there."""
        if stop > 0 and text[stop - 1] in self.lex.never_last and not envoy:
            return stop
        start = stop
        while not self._left_edge(text, start, stop, blocked):
            if stop - start == self.max_name:
                start = self._after_word(text, start, stop)
                break
            start -= 1
        if start < stop and self._starts_no_name(text, start):
            start += 1
        if stop - start == 2 and self._surname_boundary_before(text, start, stop, blocked):
            start -= 1
        return start if self.plausible_name(text[start:stop]) else stop

    def _starts_no_name(self, text: str, start: int) -> bool:
        """Whether the first character of a run starts no name: a joining word (及該市議員;
        but 向 and 曾 are surnames, and 司 starts 司馬), or the end of a word that a character
        never in a name starts (駐台 + 威廉斯)."""
        if self._joining_word(text[start]) and not self._in_family_name(text, start):
            return True
        lex = self.lex
        return (
            start > 0
            and text[start - 1] in lex.never_in_name
            and text[start - 1 : start + 1] in lex.common_words
        )

    def _surname_boundary_before(
        self, text: str, start: int, stop: int, blocked: list[tuple[int, int]]
    ) -> bool:
        """Whether the boundary word just before a two-character name is its surname: 曾
        ("once") ends a name, but after a clear edge it starts one (，曾文生副市長), as
        most names have three characters and 曾 + two characters + title reads as a name."""
        if start < 1:
            return False
        ch = text[start - 1]
        return (
            ch in self.lex.one_char_boundaries
            and ch in self.lex.surnames
            and self._left_edge(text, start - 1, stop, blocked)
            and self.plausible_name(text[start - 1 : stop])
        )

    def _joining_word(self, ch: str) -> bool:
        return ch in self.lex.one_char_boundaries and ch not in self.lex.surnames

    def _left_edge(self, text: str, start: int, stop: int, blocked: list[tuple[int, int]]) -> bool:
        """Whether a name ending at ``stop`` may begin at ``start``: punctuation, a name
        character that is never in a name, a recognised name or a boundary word before it."""
        if start == 0:
            return True
        ch = text[start - 1]
        if start == stop and self._japanese_given_name_ends(text, start):
            return False  # 中川博之知事: 之 ends a given name here, it is no particle
        if not re.match(rf"[{CJK}]", ch) or ch in self.lex.never_in_name:
            return True
        if any(b < start <= e for b, e in blocked):
            return True
        word = self._boundary_ending_at(text, start)
        if word and len(word) == 1 and self._in_family_name(text, start - 1):
            return False  # 阿部 + 謙一, 司馬 + 雯玲: a family name, not an organisation.
        if word:
            return len(word) > 1 or stop - start >= 2
        short = stop - start <= 3 or stop - start <= self._family_length(text[start:stop]) + 3
        return stop - start >= 2 and short and self._place_ending_before(text, start)

    def _place_ending_before(self, text: str, start: int) -> bool:
        """Whether a place's or an organisation's ending stands just before ``start``
        and outside any family name: a place the gazetteer lacks may stand right before
        a name (蒙巴薩港 + 安東尼), though a given name may hold such a character too
        (陳港生). Callers ask only for the two or three characters of most names, or a
        family name of two or more and up to three more (品川區 + 野村大輔): a longer run
        ending in a function word is no name (紅毛港 + 保安堂向 + 前首相)."""
        lex = self.lex
        ch = text[start - 1]
        if not lex.ends_place(ch) or ch in lex.translit_chars:
            return False  # 科 in 科西奧雷克, 內 in 武內和久 spell names too
        if ch in lex.surnames and not word_starting_at(lex.family_names, text, start):
            return False  # the surname 區 (區文雄), unless a family name follows (區 + 野村)
        return not self._in_family_name(text, start - 1)

    def _japanese_given_name_ends(self, text: str, pos: int) -> bool:
        """Whether a Japanese given name of one or two characters ends at ``pos``: a
        family name, then a character that ends given names (之, 司, 子)."""
        return text[pos - 1] in self.lex.japanese_endings and any(
            self._family_name_ending_at(text, p) for p in (pos - 2, pos - 3)
        )

    def _in_family_name(self, text: str, pos: int) -> bool:
        """Whether the character at ``pos`` belongs to a family name of two or more
        characters (阿部, 司馬, 市川, 中曾根)."""
        lex = self.lex
        return text[pos : pos + 2] in lex.compound_surnames or any(
            text[p : p + n] in names
            for n, names in by_length(lex.family_names)
            for p in range(max(0, pos - n + 1), pos + 1)
        )

    def _family_name_ending_at(self, text: str, pos: int) -> bool:
        return word_ending_at(self.lex.family_names, text, pos) is not None

    def _after_word(self, text: str, start: int, stop: int) -> int:
        """With no clear edge in reach, start the name after the first ordinary word
        that ends inside the window (指派 + 竹內信義, 代行 + 萩生田光一); else no name.
        No guess when a boundary word stands right before the title: the title then
        starts a phrase of its own (觀音堂向 + 前市長林明德)."""
        if text[stop - 1] in self.lex.one_char_boundaries:
            return stop
        for pos in range(start, stop - 1):
            if _word_ending_at(self.lex.common_words, text, pos):
                return pos
        return stop

    def _trim_left(self, text: str, start: int, end: int) -> int:
        """Start a transliterated name after the last ordinary word, organisation ending or
        joining word in its first part (辦公室艾蓮娜·阿格利奇 -> 艾蓮娜·阿格利奇,
        與約翰·史密斯 -> 約翰·史密斯): no transliteration uses a boundary word's character."""
        first_end = min(i for i in (text.find(j, start, end) for j in NAME_JOINERS) if i >= 0)
        cut = start
        for i in range(start, first_end - 1):
            if self._never_in_first_part(text[i]):
                cut = i + 1
            for n in (2, 3, 4):
                if i + n <= first_end - 1 and text[i : i + n] in self.lex.common_words:
                    cut = max(cut, i + n)
        return cut

    def _never_in_first_part(self, ch: str) -> bool:
        """Whether a character ends whatever stands before a transliterated name's first
        part: a place or office ending (港, 鎮), a character never in a name (駐), a
        joining word (與)."""
        return self.lex.ends_place(ch) or ch in self.lex.never_in_name or self._joining_word(ch)

    def _trim_right(self, text: str, start: int, end: int) -> int:
        """Cut a transliterated name's last part where a word that is no name begins
        (艾瑞克·亞當斯來訪 -> 艾瑞克·亞當斯); where an ordinary word straddles the name's
        end, where the name ends inside that word (懷特進行: 特進, then 進行; 斯基於: 基於)."""
        last = max(text.rfind(j, start, end) for j in NAME_JOINERS) + 1
        for i in range(last + 1, end):
            if self._follower_at(text, i) or self._boundary_ending_at(text, i + 1):
                return i
            for word in (text[i : i + n] for n in (2, 3, 4)):
                tag = self.lex.common_words.get(word, ("n", 0))[0]
                if not tag.startswith("n"):
                    inner = (j for j in range(i + 1, i + len(word)) if self._ends_before(text, j))
                    return next(inner, i)
        return end

    def _follower_at(self, text: str, pos: int) -> bool:
        return any(text.startswith(w, pos) for w in self.followers)

    def _ends_before(self, text: str, pos: int) -> bool:
        """Whether a name inside an ordinary word ends before ``pos``: a word that follows
        names starts there (懷特 + 進行), or a character never in a name (科瓦爾斯基 + 於)."""
        return self._follower_at(text, pos) or text[pos] in self.lex.never_in_name

    def plausible_name(self, name: str) -> bool:
        """Whether a run of characters can be a name: not an ordinary word, and holding no
        verb or function word (成立, 率領, 慶祝兩), nor ending in a common noun (巴士企業).

        >>> finder = PersonFinder(5)
        >>> [finder.plausible_name(n) for n in ("陳其邁", "新任", "國使節")]
        [True, False, False]
        """
        words = self.lex.common_words
        if len(name) < 2 or name in words:
            return False
        # After a family name of two or more characters the given name may be a common
        # noun (吉村洋文); a one-character surname is too often the start of a word (巴士企業).
        family = self._family_length(name)
        for size in (2, 3, 4):
            for i in range(len(name) - size + 1):
                tag, freq = words.get(name[i : i + size], ("", 0))
                if not tag:
                    continue
                last = i + size == len(name) and not (family and i >= family)
                if not tag.startswith(("n", "s")) or (last and freq >= COMMON_NOUN):
                    return False
        return True

    def _family_length(self, name: str) -> int:
        """Length of the family name of two or more characters a name starts with (0 when
        there is none, or when its first two characters make an ordinary word)."""
        lex = self.lex
        if name[:2] in lex.common_words and name[:2] not in lex.family_names:
            return 0
        family = word_starting_at(lex.family_names, name, 0)
        if family:
            return len(family)
        return 2 if name[:2] in lex.compound_surnames else 0

    def _boundary_ending_at(self, text: str, pos: int) -> str | None:
        return word_ending_at(self.lex.boundaries, text, pos)

    def _after(
        self, text: str, pos: int, japanese: bool = False
    ) -> Iterator[tuple[int, int, str | None]]:
        """Names after a title: Chinese names with a surname, transliterations, Latin names;
        after the title of a Japanese place (``japanese``), Japanese names too."""
        while True:
            found = self._one_after(text, pos, japanese)
            if not found:
                return
            start, end, latin = found
            yield found
            # 副市長林欽榮、羅達生: further names sharing the same title.
            if end < len(text) and text[end] == "、":
                pos = end + 1
                continue
            return

    def _one_after(
        self, text: str, pos: int, japanese: bool = False
    ) -> tuple[int, int, str | None] | None:
        m = self.translit.match(text, pos)
        # Not when its first part holds a word that starts no name: 市長霍靜傑與馬克‧瓊斯
        # names 霍靜傑 here (and 馬克‧瓊斯 before the title that follows).
        if m and self._trim_left(text, m.start(), m.end()) == m.start():
            end = self._trim_right(text, m.start(), m.end())
            return self._with_latin(text, pos, end)
        m = self.cjk_then_latin.match(text, pos)
        if m and self.plausible_name(m.group("name")):
            return m.start("name"), m.end("name"), m.group("latin").strip()
        m = self.latin.match(text, pos)
        if m and len(m.group("latin").split()) >= 2:
            latin = m.group("latin").strip()
            return m.start("latin"), m.start("latin") + len(latin), latin
        family = word_starting_at(self.lex.family_names, text, pos) or ""
        if japanese and not family and (found := self._japanese_after(text, pos)):
            return found
        found = self._chinese_after(text, pos)
        if japanese and family and (found is None or found[1] - found[0] <= len(family)):
            # 知事佐藤和也: 和 (and) ends no name here.
            return self._japanese_after(text, pos, len(family) + 1) or found
        return found

    def _chinese_after(self, text: str, pos: int) -> tuple[int, int, str | None] | None:
        """A Chinese or Japanese name after a title: a known family name, then one or two
        given-name characters (one to three after a Japanese family name), ending before
        a word that goes on the sentence (處長上官俊拜會 -> 上官俊)."""
        lex = self.lex
        family = word_starting_at(lex.family_names, text, pos)
        if family:
            given, most = len(family), 3
        elif text[pos : pos + 2] in lex.compound_surnames:
            given, most = 2, 2
        elif pos < len(text) and text[pos] in lex.surnames:
            given, most = 1, 2
        else:
            return self._translit_after(text, pos)
        end = pos + given
        names = 0
        while end < len(text) and names < most and re.match(rf"[{CJK}]", text[end]):
            # After a Japanese family name 司 and 之 end given names (康司, 博之).
            japanese_ending = family and names and text[end] in lex.japanese_endings
            if self._boundary_ending_at(text, end + 1) and not japanese_ending:
                break
            if self._follower_at(text, end) or (
                text[end] in lex.never_in_name and not japanese_ending
            ):
                break
            if any(text.startswith(t, end) for t in lex.titles):
                break
            end += 1
            names += 1
        if family and names == 3 and text[end - 1] not in lex.japanese_endings:
            end -= 1
        if names == 0 or not self.plausible_name(text[pos:end]):
            return self._translit_after(text, pos)
        return self._with_latin(text, pos, end)

    def _japanese_after(
        self, text: str, pos: int, shortest: int = 0
    ) -> tuple[int, int, str | None] | None:
        """A Japanese name after the title of a Japanese place, when its family name is none
        of the listed ones (宮崎市長清山知憲簽署) or a listed one ends too soon (佐藤 + 和也):
        three to five characters (``shortest`` or more), the shortest run that ends where
        the sentence goes on (two after a one-character family name). A Chinese surname
        would take too few characters (清山知)."""
        words = self.lex.common_words
        if _word_across(words, text, pos) or self._japanese_name_ends(text, pos):
            return None  # 熊本市長期以來 (長期), 代表性卡通 (代表性); 市長率團訪高
        shortest = shortest or (2 if text[pos] in self.lex.surnames else 3)  # 森誠率團, 栗栖勉
        for end in range(pos + shortest, min(pos + 5, len(text)) + 1):
            if not re.fullmatch(rf"[{CJK}]+", text[pos:end]):
                return None
            if self._japanese_name_ends(text, end):
                name = text[pos:end]
                if name in words or _has_function_word(words, name, NOT_IN_JAPANESE_NAME):
                    return None
                last = name[-1] if name[-1] not in self.lex.japanese_endings else ""
                if any(ch in self.lex.never_in_name for ch in name[:-1] + last):
                    return None  # but 之 may end a given name (博之)
                return self._with_latin(text, pos, end)
        return None

    def _japanese_name_ends(self, text: str, pos: int) -> bool:
        """Whether a Japanese name can end before ``pos``: the text stops there, or a
        boundary word, a word that follows names or a title starts there (於, 表示, 副知事),
        or an ordinary verb, adverb or time word does (今天, 再度)."""
        lex = self.lex
        if pos == len(text) or not re.match(rf"[{CJK}]", text[pos]):
            return True
        if text[pos] in lex.one_char_boundaries and text[pos] not in lex.japanese_endings:
            return True
        if self._follower_at(text, pos) or any(text.startswith(t, pos) for t in lex.titles):
            return True
        tags = (lex.common_words.get(text[pos : pos + n], ("",))[0] for n in (2, 3, 4))
        return any(tag.startswith(NOT_IN_JAPANESE_NAME) for tag in tags)

    def _translit_after(self, text: str, pos: int) -> tuple[int, int, str | None] | None:
        """A transliterated name without a dot after a title (市長瓊斯, 副市長奧古斯蒂尼亞克):
        a run of transliteration characters that is no ordinary word."""
        end = pos
        while end < len(text) and end - pos < 8 and text[end] in self.lex.translit_chars:
            end += 1
        if end < len(text) and end - pos == 8 and text[end] in self.lex.translit_chars:
            return None
        if end - pos < 2 or not self.plausible_name(text[pos:end]):
            return None
        return self._with_latin(text, pos, end)

    def _with_latin(self, text: str, start: int, end: int) -> tuple[int, int, str | None]:
        """The name, with the Latin name that follows it in parentheses or after a space
        (阿部謙一 Abe Kenichi)."""
        m = self.latin_paren.match(text, end) or self.latin_after.match(text, end)
        return start, end, (m.group("latin").strip() if m else None)


# --------------------------------------------------------------------------- bodies


@Language.factory("kgraph_person_bodies")
def make_person_bodies(nlp: Language, name: str) -> PersonBodies:
    """Organisations named after a person (安倍晉三後援會, 李登輝基金會)."""
    return PersonBodies()


class PersonBodies:
    """A person's name (found beside a title in the same text) right before an
    organisation's ending names a body: it belongs to
    the country of the last known place before it in the sentence (日本前首相安倍晉三…率
    安倍晉三後援會)."""

    def __init__(self) -> None:
        endings = "|".join(map(re.escape, lexicon().org_suffixes))
        self.ending_re = re.compile(rf"(?:{endings})")

    def __call__(self, doc: Doc) -> Doc:
        places = [s for s in doc.spans.get("gazetteer", []) if s.label_ == "PLACE"]
        names = sorted({p.text for p in doc.spans.get("persons", [])})
        text = text_of(doc)
        hits = ((at, at + len(name)) for name in names for at in occurrences(name, text))
        bodies = (self._body(doc, start, end, places) for start, end in hits)
        doc.spans["person_bodies"] = [b for b in bodies if b is not None]
        return doc

    def _body(self, doc: Doc, start: int, end: int, places: list[Span]) -> Span | None:
        m = self.ending_re.match(text_of(doc), end)
        if m is None or any(text_of(doc).startswith(t, m.start()) for t in lexicon().titles):
            return None  # 田代昇三 + 部長: a title, not a body
        span = doc.char_span(start, m.end(), label="ORG")
        if span is not None:
            begin = max(text_of(doc).rfind(ch, 0, start) for ch in "。；\n") + 1
            before = [p for p in places if begin <= p.start_char < start]
            span.kb_id_ = span.text
            span._.country = _country_of(before[-1] if before else None)
        return span


# --------------------------------------------------------------------------- mentions


@Language.factory("kgraph_mentions")
def make_mention_settler(nlp: Language, name: str) -> MentionSettler:
    """Settle overlapping candidates into ``doc.ents``."""
    return MentionSettler()


class MentionSettler:
    """Longest span wins; on equal length, the gazetteer beats patterns and persons."""

    def __call__(self, doc: Doc) -> Doc:
        candidates: list[Span] = []
        for group in ("gazetteer", "patterns", "person_bodies", "persons"):
            candidates.extend(doc.spans.get(group, []))
        doc.ents = longest_first(candidates)
        return doc


# --------------------------------------------------------------------------- helpers


def longest_first(spans: Iterable[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (earliest first on ties), in text order."""
    chosen: list[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if taken.isdisjoint(range(span.start, span.end)):
            chosen.append(span)
            taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


# A count of schools (多所大學, 五所學校) names no school, unless a place owns them all
# (陸奧市9所市立中學): 所 is their measure word.
COUNT = r"[0-9一二三四五六七八九十兩多數幾]"  # a number, or 多/數/幾 (several)
_COUNTED = re.compile(rf"{COUNT}所")
_COUNT_BEFORE = re.compile(rf"{COUNT}+所$")


def _school_keyed_alone(name: str) -> bool:
    """A school below university level is known by its own name (川內中學 of 陸奧市),
    unless its name is an ordinal (第17中學), which needs its city; a university's name
    keeps its place (熊本學園大學).

    >>> _school_keyed_alone("川內中學"), _school_keyed_alone("第17中學")
    (True, False)
    >>> _school_keyed_alone("學園大學")
    False
    """
    lex = lexicon()
    if not name.endswith(lex.school_suffixes) or name.endswith(_TERTIARY):
        return False
    return len(name) >= 4 and not re.match(r"[第0-9]", name)


# Universities and colleges are named with their city (熊本學園大學, 亞利桑那大學).
_TERTIARY = ("大學", "學院")


def _part_of_date(text: str, start: int) -> bool:
    """A name starting with 日, 月 or 年 right after a number is the end of a date
    (6月1日本處: not 日本)."""
    return text[start] in "日月年" and start > 0 and text[start - 1].isdigit()


def _inside_name(text: str, start: int, end: int, reach: int = 2) -> bool:
    """A known name inside a transliterated name is not a place: right after a name dot
    (朗．尼倫伯格), or starting mid-word with a dot just after it (艾德里安‧施里納) or
    just before it (瑪麗亞·羅德里格斯). A place that starts a phrase keeps its reading
    (，立陶宛馬可‧韋恩).

    >>> _inside_name("瑪麗亞·羅德里格斯議員", 5, 7), _inside_name("市長訪問德里市", 4, 6)
    (True, False)
    """
    dots = re.escape(NAME_JOINERS)
    if start > 0 and text[start - 1] in NAME_JOINERS:
        return True
    mid_word = start > 0 and bool(re.match(rf"[{CJK}]", text[start - 1]))
    after = re.match(rf"[{CJK}]{{0,{reach}}}[{dots}]", text[end : end + reach + 1])
    before = re.search(rf"[{dots}][{CJK}]{{1,{reach}}}$", text[max(0, start - reach - 1) : start])
    return mid_word and bool(after or before)


def _has_function_word(
    words: dict[str, tuple[str, int]], run: str, tags: tuple[str, ...] = FUNCTION_TAGS
) -> bool:
    """Whether a run holds a verb, adverb, preposition or conjunction of two to four
    characters (率領, 成為), which names do not (貿易, a verbal noun, is one); or a word of
    other ``tags`` (今天, a time word, is in no Japanese name).

    >>> words = {"成為": ("v", 9), "貿易": ("vn", 9), "今天": ("t", 9)}
    >>> _has_function_word(words, "成為高雄市"), _has_function_word(words, "貿易局")
    (True, False)
    >>> japanese = NOT_IN_JAPANESE_NAME
    >>> _has_function_word(words, "佐藤今天"), _has_function_word(words, "佐藤今天", japanese)
    (False, True)
    """
    for size in (2, 3, 4):
        for i in range(len(run) - size + 1):
            tag, _ = words.get(run[i : i + size], ("", 0))
            if tag.startswith(tags) and tag != "vn":
                return True
    return False


def _word_ending_at(words: dict[str, tuple[str, int]], text: str, pos: int) -> bool:
    """Whether an ordinary word of two to four characters ends right at ``pos``.

    >>> _word_ending_at({"夥伴": ("n", 9)}, "夥伴特拉維夫", 2)
    True
    """
    return any(text[max(0, pos - n) : pos] in words for n in (2, 3, 4))


def _word_across(words: dict[str, tuple[str, int]], text: str, pos: int) -> bool:
    """Whether an ordinary word of two to four characters runs across ``pos`` from the
    three characters before it: a title there is part of that word (市長期, 代表性).

    >>> _word_across({"長期": ("d", 9)}, "市長期以來", 2), _word_across({}, "市長期", 2)
    (True, False)
    """
    return any(
        text[start : start + n] in words
        for start in range(max(0, pos - 3), pos)
        for n in (2, 3, 4)
        if start + n > pos
    )


def word_ending_at(words: tuple[str, ...], text: str, pos: int) -> str | None:
    """The longest of ``words`` (boundary words 由, 與, 拜會 …; family names) that ends
    right at ``pos``, if any.

    >>> words = ("拜會", "會", "與")
    >>> word_ending_at(words, "前往拜會市長", 4), word_ending_at(words, "與", 0)
    ('拜會', None)
    """
    for n, group in by_length(words):
        if n <= pos and (word := text[pos - n : pos]) in group:
            return word
    return None


def word_starting_at(words: tuple[str, ...], text: str, pos: int) -> str | None:
    """The longest of ``words`` that starts right at ``pos``, if any.

    >>> names = ("中曾根", "中村")
    >>> word_starting_at(names, "前首相中曾根康弘", 3), word_starting_at(names, "中", 0)
    ('中曾根', None)
    """
    for n, group in by_length(words):
        if (word := text[pos : pos + n]) in group:
            return word
    return None


@cache
def by_length(words: tuple[str, ...]) -> tuple[tuple[int, frozenset[str]], ...]:
    """``words`` by length, longest first: the words that end (or start) at a place are
    then a look-up per length, not a comparison per word (a list holds hundreds).

    >>> [(n, sorted(words)) for n, words in by_length(("與", "拜會", "由"))]
    [(2, ['拜會']), (1, ['由', '與'])]
    """
    lengths = sorted({len(w) for w in words}, reverse=True)
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


def _known_names(doc: Doc) -> list[Span]:
    return list(doc.spans.get("gazetteer", [])) + list(doc.spans.get("patterns", []))


def _inside(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(b <= start and end <= e and (b, e) != (start, end) for b, e in ranges)


def _overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(b < end and start < e for b, e in ranges)


def occurrences(word: str, text: str, start: int = 0) -> Iterator[int]:
    """Where ``word`` occurs in ``text`` from ``start`` on, left to right and not
    overlapping, as ``re.finditer(re.escape(word), text)`` finds it but without a pattern
    to make and look up for each word: the cue and name lists are searched hundreds of
    thousands of times in a thousand reports, mostly for words that are not there.

    >>> list(occurrences("訪", "參訪訪問")), list(occurrences("aa", "aaaa"))
    ([1, 2], [0, 2])
    >>> list(occurrences("訪", "參訪訪問", 2)), list(occurrences("", "ab"))
    ([2], [])
    """
    if not word:
        return
    at = text.find(word, start)
    while at >= 0:
        yield at
        at = text.find(word, at + len(word))


def text_of(doc: Doc) -> str:
    """The doc's text, read once: ``Doc.text`` joins every token again on each call, and
    the components below read it many times per doc. A doc of :func:`parse` knows it
    from the start."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return str(text)


def parse(texts: Iterable[str]) -> Iterator[Doc]:
    """The recognition pipeline's docs of ``texts``, in order. Each doc is handed the text
    it was made from (:func:`text_of`), so that no component asks ``Doc.text``, which
    joins the doc's tokens in Python, one per character of Chinese: that was a tenth of
    a report's extraction.

    >>> [text_of(doc) == doc.text for doc in parse(["高雄市長 陳其邁\\n訪日", ""])]
    [True, True]
    """
    nlp = pipeline()

    def docs() -> Iterator[Doc]:
        for text in texts:
            doc = nlp.make_doc(text)
            doc.user_data[_TEXT_KEY] = text
            yield doc

    return iter(nlp.pipe(docs()))


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The recognition pipeline: blank Chinese plus kgraph's components (built once)."""
    import spacy

    nlp = spacy.blank("zh")
    for component in (
        "kgraph_gazetteer",
        "kgraph_patterns",
        "kgraph_titles",
        "kgraph_persons",
        "kgraph_person_bodies",
        "kgraph_mentions",
    ):
        nlp.add_pipe(component)
    return nlp


def named_again(
    units: Sequence[tuple[int, str]],
    found: Sequence[tuple[Mention, ...]],
    people: Iterable[str],
) -> list[tuple[Mention, ...]]:
    """Each unit's mentions, with the ``people`` (names that the document gives beside a
    title) added wherever a unit names them again without one (陳其邁表示, 邀請陳其邁…):
    a name keeps its sense through a document. ``units`` are each unit's offset and text.
    Names shorter than three characters stay where a title marks them (石冠 may be part
    of a word).

    >>> titled = (Mention("PERSON", "陳其邁", 2, 5), Mention("TITLE", "市長", 0, 2))
    >>> [m.text for m in named_again([(0, "市長陳其邁"), (5, "陳其邁表示")], [titled, ()],
    ...                               ["陳其邁"])[1]]
    ['陳其邁']
    """
    # Longest first, then in text order: a set's order changes from process to process.
    names = sorted({n for n in people if len(n) >= 3}, key=lambda n: (-len(n), n))
    latin = {m.text: m.latin for ms in found for m in ms if m.label == "PERSON" and m.latin}
    out = []
    for (offset, text), ms in zip(units, found, strict=True):
        taken = [(m.start - offset, m.end - offset) for m in ms]
        added = []
        for name in names:
            for at in occurrences(name, text):
                if not _overlaps(at, at + len(name), taken):
                    taken.append((at, at + len(name)))
                    start, end = offset + at, offset + at + len(name)
                    added.append(Mention("PERSON", name, start, end, name, latin.get(name)))
        out.append(tuple(sorted((*ms, *added), key=lambda m: (m.start, m.end))) if added else ms)
    return out


def mentions(doc: Doc, offset: int = 0) -> list[Mention]:
    """The settled names and titles of a processed doc, as frozen mentions.

    ``offset`` is added to every position, so that mentions of a unit carry
    offsets into the whole normalised document.
    """
    gaz = Gazetteer.load()
    found = []
    for span in list(doc.ents) + list(doc.spans.get("titles", [])):
        entry: GazetteerEntry | None = (
            gaz.lookup(span.kb_id_) if span.label_ != HOME_LABEL else None
        )
        # spaCy makes a new string at each reading of a span's label, key or text. Equal
        # strings made one object are pickled once per document, and held once when the
        # cache is read (a build holds half a million mentions at 1,000 reports).
        key, text = sys.intern(entry.key if entry else span.kb_id_), span.text
        found.append(
            Mention(
                label=cast(MentionLabel, sys.intern(span.label_)),
                text=key if text == key else text,
                start=span.start_char + offset,
                end=span.end_char + offset,
                key=key,
                latin=span._.latin or (entry.name_en if entry else None) or None,
                country=(entry.country if entry else span._.country) or None,
                kind=(entry.kind if entry else span._.kind) or None,
                wikidata=(entry.wikidata if entry else None) or None,
            )
        )
    return sorted(found, key=lambda m: (m.start, m.end))
