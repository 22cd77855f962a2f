"""Split a normalised report into units of extraction: numbered items with their section path.

Reports nest items under markers (``壹、`` > ``一、`` > ``(一)`` > ``1.`` > ``(1)`` >
``I.`` > ``a.``; see ``data/markers.tsv``). Extraction needs one item at a time
plus the headings above it, because a heading such as 姊妹市交流 says what kind
of happening the item reports.

Two layouts occur. Ordinary reports put each heading right above its items.
Table reports flattened from DOCX/PDF (the annual reports) put the left-column
headings first, in a run, and the right-column bodies after them; there the
body blocks are handed to the waiting leaf headings in order.

>>> from kgraph.model import NormalisedText
>>> text = "一、姊妹市交流\\n(1)日本熊本\\n114年1月訪高。\\n(2)美國\\n114年2月。"
>>> units = segment("d", NormalisedText(text, tuple(range(len(text) + 1))))
>>> [(u.section, u.marker, u.heading) for u in units]
[(('姊妹市交流',), '(1)', '日本熊本'), (('姊妹市交流',), '(2)', '美國')]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from kgraph.model import NormalisedText, Unit

DATA = Path(__file__).parent / "data"

LEADER = re.compile(r"(?:\.{3,}|…{2,}|‧{3,})\s*\d*$")
_MARKDOWN = re.compile(r"(?:#+\s*)?(?:\*\*\s*)?")
_HEADING = re.compile(r"#+\s+\S")
_BULLET = re.compile(r"[-•●■□◆◇▪▶►✓✔★※]|照片\s*\d+\s*[：:]")
_CAPTION = re.compile(r"照片\s*\d+\s*[：:]")
_PAGE_NUMBER = re.compile(r"\d{1,3}")
_SENTENCE_END = set("。！？!?；;：:")
_CLOSERS = "」』）)\"”’'*】〉》"
_CJK_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_UPPER_DIGITS = {c: i for i, c in enumerate("壹貳參肆伍陸柒捌玖", start=1)}
_ROMAN = {"I": 1, "V": 5, "X": 10}
_HEADING_RANK = 3  # markers up to (一) are headings; deeper ones are items
_FURNITURE_REPEATS = 3
_FURNITURE_MAX_LEN = 40
_SLIDE_TITLE = 30
_TITLE_LEN = 40  # a longer item title is prose that reports something, not a heading


@dataclass(frozen=True)
class MarkerMatch:
    """A marker found at the start of a line, with the title that follows it."""

    rank: int
    kind: str
    marker: str
    ordinal: int
    title: str


@cache
def _markers() -> tuple[tuple[int, str, re.Pattern[str]], ...]:
    rows = []
    for line in (DATA / "markers.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rank, kind, pattern = line.split("\t")
            rows.append((int(rank), kind, re.compile(pattern)))
    return tuple(rows)


def match_marker(line: str) -> MarkerMatch | None:
    """The item marker that starts a line, if any (markdown ``#`` and ``**`` are looked past).

    >>> match_marker("#### 3. 與日本青森縣簽署").marker
    '3.'
    >>> match_marker("(8) 與美國紐約州橘郡").ordinal
    8
    >>> match_marker("3.5%成長") is None, match_marker("114/9/1 起") is None
    (True, True)
    """
    line = line.strip()
    prefix = _MARKDOWN.match(line)
    pos = prefix.end() if prefix else 0
    for rank, kind, pattern in _markers():
        found = pattern.match(line, pos)
        if found:
            marker = found.group("m")
            title = line[found.end() :].strip().strip("*").strip()
            return MarkerMatch(rank, kind, marker, ordinal(marker), title)
    return None


def starts_item(line: str) -> bool:
    """Whether a line opens a new item, bullet or caption (so it never continues the last line).

    >>> starts_item("(1) 出訪"), starts_item("- 項目"), starts_item("高雄")
    (True, True, False)
    """
    line = line.strip()
    return match_marker(line) is not None or bool(_BULLET.match(line))


def ordinal(marker: str) -> int:
    """The number a marker counts, so that a list continued after a page break is recognised.

    >>> [ordinal(m) for m in ["3.", "(十二)", "貳拾陸、", "IV.", "b.", "二十一、"]]
    [3, 12, 26, 4, 2, 21]
    """
    core = marker.strip("()、.")
    if core.isdigit():
        return int(core)
    if core and all(c in _ROMAN for c in core):
        values = [_ROMAN[c] for c in core]
        return sum(-v if v < w else v for v, w in zip(values, values[1:] + [0], strict=True))
    if len(core) == 1 and core.isascii() and core.isalpha():
        return ord(core.lower()) - ord("a") + 1
    return _cjk_number(core)


def _cjk_number(core: str) -> int:
    digits = {**_CJK_DIGITS, **_UPPER_DIGITS}
    total, current = 0, 0
    for ch in core:
        if ch in "十拾":
            total += (current or 1) * 10
            current = 0
        else:
            current = digits.get(ch, 0)
    return total + current


def ends_sentence(line: str) -> bool:
    """Whether text ends a sentence (looking past closing quotes and a short parenthesis).

    >>> ends_sentence("交流。(照片 8)"), ends_sentence("辦理情形如下："), ends_sentence("進行")
    (True, True, False)
    """
    text = re.sub(r"[(（][^()（）]{0,12}[)）]$", "", line.rstrip()) or line.rstrip()
    text = text.rstrip(_CLOSERS) or text
    return bool(text) and text[-1] in _SENTENCE_END


#: A news article's dateline: the whole line is a date, perhaps after a short lead that
#: ends in 報導, a bracket or a colon (〔記者王小明／高雄報導〕, 發布日期：) and before a
#: time, which a source's name may follow (2024-03-15 18:20 中央社). It stands alone (no
#: wrap, in no unit), and the plain lines before it are the article's headline.
_DATELINE = re.compile(
    r"^\s*(?:[^，。,\n]{0,24}?(?:報導|〕|］|\]|）|\)|：|:)\s*)?"
    r"[0-9]{3,4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*日?"
    r"(?:\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:\s*(?:(?![於在])[^\s0-9，。,]){1,12})?)?"
    r"(?:\s*記者[^，。,\n]{1,20}報導)?\s*$"
)
#: A dateline is among an article's first lines (non-empty lines counted).
DATELINE_WITHIN = 5


def is_dateline(line: str) -> bool:
    """Whether a line is a news article's dateline rather than a title or a sentence.

    >>> is_dateline("2024-03-15 18:20 中央社"), is_dateline("〔記者王小明／高雄報導〕2024/04/22")
    (True, True)
    >>> is_dateline("2024/07/08 15:42 中國時報 記者林小明／高雄報導")
    True
    >>> is_dateline("114年1月1日起實施新制"), is_dateline("出國期間：114年9月1日至9月5日")
    (False, False)
    >>> is_dateline("2025/03/15 14:00 於市府第一會議室召開")
    False
    """
    return bool(_DATELINE.match(line))


@dataclass(frozen=True)
class _Entry:
    kind: str  # heading | item | plain | caption | dateline
    start: int
    end: int
    text: str
    para_break: bool = False
    match: MarkerMatch | None = None
    title: str = ""

    @property
    def rank(self) -> int:
        return self.match.rank if self.match else 0


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _skipped_lines(lines: list[tuple[int, int, str]]) -> set[int]:
    """Tables of contents, page headers repeated on every page, and page numbers."""
    skipped: set[int] = set()
    block: list[int] = []
    for i, (_, _, text) in enumerate([*lines, (0, 0, "")]):
        if text.strip():
            block.append(i)
            continue
        if sum(bool(LEADER.search(lines[j][2])) for j in block) >= 2:
            skipped.update(block)
        block = []
    counts = Counter(t.strip() for _, _, t in lines if t.strip() and not match_marker(t))
    for i, (_, _, text) in enumerate(lines):
        stripped = text.strip()
        repeated = counts[stripped] >= _FURNITURE_REPEATS and len(stripped) <= _FURNITURE_MAX_LEN
        toc = re.sub(r"[#*\s]", "", stripped) == "目錄"
        if repeated or toc or _PAGE_NUMBER.fullmatch(stripped) or LEADER.search(stripped):
            skipped.add(i)
    return skipped


def _entries(text: str) -> list[_Entry]:
    lines = _lines(text)
    skipped = _skipped_lines(lines)
    entries: list[_Entry] = []
    blank = False
    for i, (start, end, line) in enumerate(lines):
        if not line.strip():
            blank = True
            continue
        if i not in skipped:
            entries.append(_entry(start, end, line, blank))
        blank = False
    return _with_headline(entries)


def _with_headline(entries: list[_Entry]) -> list[_Entry]:
    """A news article's dateline, and the headline lines before it: the headline is the
    heading of the article's paragraphs, the dateline a line of its own."""
    first = next((i for i, e in enumerate(entries[:DATELINE_WITHIN]) if is_dateline(e.text)), -1)
    if first < 0 or entries[first].kind != "plain":
        return entries
    headline = [e for e in entries[:first] if e.kind == "plain" and not ends_sentence(e.text)]
    out = [e for e in entries if e not in headline]
    out[out.index(entries[first])] = replace(entries[first], kind="dateline")
    if headline:  # one heading, however many lines the headline takes
        title = " ".join(e.text.strip() for e in headline)
        heading = replace(headline[0], kind="heading", title=title, end=headline[-1].end)
        out.insert(entries.index(headline[0]), heading)
    return out


def _entry(start: int, end: int, line: str, para_break: bool) -> _Entry:
    found = match_marker(line)
    if found:
        kind = "heading" if found.rank <= _HEADING_RANK else "item"
        return _Entry(kind, start, end, line, para_break, found, found.title)
    if _HEADING.match(line):
        title = line.lstrip("#").strip().strip("*").strip()
        return _Entry("heading", start, end, line, para_break, None, title)
    kind = "caption" if _CAPTION.match(line.strip()) else "plain"
    return _Entry(kind, start, end, line, para_break)


@dataclass
class _Open:
    """A unit being collected: the item it belongs to and the lines it covers so far."""

    section: tuple[str, ...]
    marker: str
    heading: str
    spans: list[tuple[int, int]]
    emit: bool
    body: bool = False
    heading_id: int | None = None


@dataclass
class _Heading:
    rank: int
    title: str
    ident: int


@dataclass
class _Content:
    rank: int
    kind: str
    ordinal: int
    title: str


@dataclass
class _Walker:
    """Walks the entries once, keeping the heading stack and the waiting leaf headings."""

    doc_id: str
    norm: NormalisedText
    headings: list[_Heading] = field(default_factory=list)
    pending: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    base: tuple[str, ...] = ()
    content: list[_Content] = field(default_factory=list)
    saved: tuple[tuple[str, ...], list[_Content]] | None = None
    last: _Open | None = None
    last_heading: _Heading | None = None
    open: _Open | None = None
    units: list[Unit] = field(default_factory=list)
    counter: int = 0
    news: bool = False  # a news article: each finished paragraph is a unit of its own

    def heading_path(self) -> tuple[str, ...]:
        return tuple(h.title for h in self.headings)

    def section(self) -> tuple[str, ...]:
        if self.content:
            return self.base + tuple(c.title for c in self.content)
        return self.heading_path()

    def run(self, entries: list[_Entry]) -> list[Unit]:
        next_rank = _next_ranks(entries)
        for index, entry in enumerate(entries):
            if entry.kind == "heading":
                self.on_heading(entry)
            elif entry.kind == "item":
                self.on_item(entry, next_rank[index])
            elif entry.kind == "dateline":
                self.close()  # it tells when the article appeared, no happening
            elif entry.kind == "caption":
                self.close()
                caption = _Open(self.heading_path(), "", "", [(entry.start, entry.end)], True)
                self.open = caption
            else:
                self.on_plain(entry)
        self.close()
        return self.units

    def on_heading(self, entry: _Entry) -> None:
        self.close()
        rank = entry.rank
        previous = self.last_heading
        if previous and rank <= previous.rank and previous.ident not in self.consumed:
            self.pending.append((self.heading_path(), previous.ident))
        while self.headings and self.headings[-1].rank >= rank:
            self.headings.pop()
        section = self.heading_path()
        self.counter += 1
        heading = _Heading(rank, _short(entry.title), self.counter)
        self.headings.append(heading)
        self.last_heading = heading
        if self.content or self.saved is None:
            self.saved = (self.base, self.content)
        self.content = []
        marker = entry.match.marker if entry.match else ""
        span = [(entry.start, entry.end)]
        self.open = _Open(section, marker, entry.title, span, False, heading_id=heading.ident)

    def available(self) -> bool:
        """Whether some heading still waits for its body (a table layout's left column)."""
        waiting = bool(self.headings) and self.headings[-1].ident not in self.consumed
        return bool(self.pending) or waiting

    def start_block(self) -> None:
        """Give a new body block to the first waiting leaf heading, or to the current one."""
        if self.pending:
            self.base, ident = self.pending.pop(0)
        else:
            self.base = self.heading_path()
            ident = self.headings[-1].ident if self.headings else -1
        self.consumed.add(ident)
        self.content = []
        self.saved = None

    def resume(self, match: MarkerMatch) -> bool:
        """Continue a list that a page break (and the next page's headings) interrupted."""
        if self.saved is None or match.ordinal <= 1:
            return False
        base, content = self.saved
        for depth, item in enumerate(content):
            if item.kind == match.kind and item.ordinal == match.ordinal - 1:
                self.base, self.content, self.saved = base, content[:depth], None
                return True
        return False

    def on_item(self, entry: _Entry, next_rank: int | None) -> None:
        self.close()
        match = entry.match
        assert match is not None
        restart = bool(self.content) and match.rank <= self.content[0].rank and match.ordinal == 1
        if (not self.content and not self.resume(match)) or restart:
            self.start_block()
        while self.content and self.content[-1].rank >= match.rank:
            self.content.pop()
        section = self.section() if self.content else self.base
        self.content.append(_Content(match.rank, match.kind, match.ordinal, _short(match.title)))
        has_children = next_rank is not None and next_rank > match.rank
        prose = ends_sentence(match.title) or "。" in match.title or len(match.title) > _TITLE_LEN
        emit = not has_children or prose
        self.open = _Open(section, match.marker, match.title, [(entry.start, entry.end)], emit)

    def on_plain(self, entry: _Entry) -> None:
        span = (entry.start, entry.end)
        current = self.open
        if current is None:
            self.paragraph(span, new_block=self.available())
        elif current.heading_id is not None and not current.body:
            self.after_heading(current, span)
        elif self.available() and self.ended(current) and (current.body or self.ended(current, 1)):
            self.close()
            self.paragraph(span, new_block=True)
        elif current.marker == "" and (
            (entry.para_break and not self.titles(current, entry))
            or (self.news and self.ended(current, 1) and current.body)
        ):
            self.close()
            self.paragraph(span, new_block=False)
        else:
            current.spans.append(span)
            current.body = current.emit = True

    def titles(self, current: _Open, entry: _Entry) -> bool:
        """Whether a paragraph unit so far is one short title line (a slide's) for this text."""
        start, end = current.spans[0]
        title = self.norm.text[start:end]
        short = len(current.spans) == 1 and len(title) < _SLIDE_TITLE and not ends_sentence(title)
        return short and len(entry.text) >= _SLIDE_TITLE

    def after_heading(self, current: _Open, span: tuple[int, int]) -> None:
        """Text under a heading: its body, or (in a table layout) a block for another heading."""
        last = self.last
        if last is not None and not self.ended(last):
            self.close()
            self.open = _Open(last.section, last.marker, last.heading, [span], True, True)
        elif self.pending:
            self.close()
            self.paragraph(span, new_block=True)
        else:
            current.spans.append(span)
            current.body = current.emit = True
            if current.heading_id is not None:
                self.consumed.add(current.heading_id)

    def paragraph(self, span: tuple[int, int], new_block: bool) -> None:
        if new_block:
            self.start_block()
            section = self.base
        else:
            section = self.section()
        self.open = _Open(section, "", "", [span], True, True)

    def ended(self, current: _Open, strict: int = 0) -> bool:
        """Whether the unit's last line ends a sentence; ``strict`` ignores a lead-in colon."""
        start, end = current.spans[-1]
        line = self.norm.text[start:end]
        return ends_sentence(line) and not (strict and line.rstrip()[-1:] in "：:")

    def close(self) -> None:
        current, self.open = self.open, None
        if current is None:
            return
        if current.emit:
            for start, end in _runs(self.norm.text, current.spans):
                self.units.append(
                    Unit(
                        doc_id=self.doc_id,
                        index=len(self.units),
                        section=current.section,
                        marker=current.marker,
                        start=start,
                        end=end,
                        text=self.norm.text[start:end],
                        heading=current.heading,
                    )
                )
            # A photo caption never continues on the next page, so it is not a unit to resume.
            if current.marker or not _CAPTION.match(self.norm.text, current.spans[0][0]):
                self.last = current
        # A title-only item (a heading with sub-items) leaves no unit and does not end a block.


def _short(title: str) -> str:
    """A title as a section name: a lead-in before a colon names the section, the rest is prose.

    >>> _short("姊妹市之實質交流：111年持續推動，辦理情形如下：")
    '姊妹市之實質交流'
    """
    head, colon, _ = title.partition("：")
    return head if colon and len(head) >= 2 else title


def _next_ranks(entries: list[_Entry]) -> list[int | None]:
    """For each entry, the rank of the next marked entry (to tell whether an item has sub-items)."""
    out: list[int | None] = [None] * len(entries)
    upcoming: int | None = None
    for i in range(len(entries) - 1, -1, -1):
        out[i] = upcoming
        if entries[i].kind in ("heading", "item"):
            upcoming = entries[i].rank
    return out


def _runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge spans separated only by whitespace; skipped page furniture splits a unit."""
    runs: list[tuple[int, int]] = []
    for start, end in spans:
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def segment(doc_id: str, norm: NormalisedText) -> list[Unit]:
    """Cut a document into units, each with the headings above it, in document order.

    >>> from kgraph.model import NormalisedText
    >>> text = "壹、一般行政\\n(一)庶務\\n(二)車輛\\n\\n1.清潔。\\n\\n1.購車。"
    >>> units = segment("d", NormalisedText(text, tuple(range(len(text) + 1))))
    >>> [(u.section, u.text) for u in units]
    [(('一般行政', '庶務'), '1.清潔。'), (('一般行政', '車輛'), '1.購車。')]
    """
    entries = _entries(norm.text)
    news = any(e.kind == "dateline" for e in entries)
    return _Walker(doc_id, norm, news=news).run(entries)
