"""Recognise and parse dates in normalised report text (Traditional Chinese).

The reports write dates in the ROC calendar (``112年1月13日`` is 2023-01-13)
or the Gregorian one (``2025年9月14日``, ``2026 年 3 月``), as slashes
(``114/9/1``), dots (``114.9.1``) or dashes (``2024-03-15``), and join them into ranges
(``9月14至16日``, ``12月29日至1月2日``, ``自110年1月起至111年4月止``) and lists
of days (``111年9月7日及8日``).  Recognition works in two steps:

1. :data:`_ATOM` finds *atoms*: one date phrase each (year, month, day, any
   of them missing), a bare day ``16日`` or a bare month number ``1`` that a
   following ``至 12 月`` explains;
2. :func:`find_dates` joins atoms whose gap is only a range separator (or a
   list separator before a bare day) into one :class:`DateMatch`.

Every result is a :class:`~kgraph.model.DateSpan` whose ends are ISO prefixes
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).  :func:`span_bounds` and
:func:`span_overlaps` read such prefixes as the whole year or month.

News articles date a happening from their own date (``今（15）日``, ``昨日``,
``本月20日``): :func:`published_date` finds the article's date in its first lines and
:func:`relative_date` reads those phrases from it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import islice

from kgraph.errors import Errors, KgraphError
from kgraph.model import DateSpan
from kgraph.segment import DATELINE_WITHIN, is_dateline

# --------------------------------------------------------------------------
# Knowledge: the words and marks that make (or unmake) a date.
# --------------------------------------------------------------------------

#: Years outside this range (after ROC conversion) are not dates.
MIN_YEAR = 1900
MAX_YEAR = 2100
#: ROC year 1 is 1912.
ROC_OFFSET = 1911

#: Marks between the two ends of a range: ``9月14日至16日``, ``1~11月``.
RANGE_SEPARATORS: tuple[str, ...] = ("至", "到", "~", "～", "〜", "－", "-", "–", "—")
#: Words that may precede a range separator: ``110年1月起至111年4月``.
RANGE_OPENERS: tuple[str, ...] = ("起",)
#: Marks between items of a list of days: ``111年9月7日及8日``, ``10月20、21日``.
LIST_SEPARATORS: tuple[str, ...] = ("以及", "、", "，", ",", "及", "和", "與", "暨")
#: Marks after a day number (``日`` is usual, ``號`` colloquial).
DAY_MARKS: tuple[str, ...] = ("日", "號")
#: A day without its mark still counts before these: ``111年2月28 前``.
DAY_STOPS: tuple[str, ...] = ("前", "後", "起", "止", "，", "。", "；", ",", ";", ")", "）")
#: Parts of a month; the span is the whole month (month granularity).
TEN_DAY_PARTS: tuple[str, ...] = ("上旬", "中旬", "下旬")
#: Halves of a year and the months they cover: ``114 年下半年``.
HALF_YEARS: dict[str, tuple[int, int]] = {"上半年": (1, 6), "下半年": (7, 12)}
#: ``1950年代`` is the decade 1950..1959.
DECADE_MARK = "代"
#: A year standing alone is a count, not a date, after these (``第40年``) ...
YEAR_COUNT_BEFORE: tuple[str, ...] = ("第", "滿", "近", "逾", "約", "每", "數", "達", "歷")
#: ... or before these (``100年來``, ``300年以上``).
YEAR_COUNT_AFTER: tuple[str, ...] = ("來", "以上", "以來", "之久", "多")
#: A bare day (``8日``) is a count after these (``第8日``, ``每月5日``) ...
DAY_COUNT_BEFORE: tuple[str, ...] = (
    "第", "每", "數", "前", "近", "約", "共", "計", "達", "逾", "滿", "月", "週", "周", "期", "為",
    "留", "續", "連",
)  # fmt: skip
#: ... or before these (``3日內``, ``3日遊``).
DAY_COUNT_AFTER: tuple[str, ...] = ("內", "間", "遊", "以上", "以內", "之內", "左右")
#: In an article, a day alone is no day where its 日 starts a word (24日本企業, 5日圓).
DAY_WORDS_AFTER: tuple[str, ...] = ("本", "圓", "幣", "元")

#: Days counted back from an article's date: 今（15）日 (today, the 15th), 昨日 (yesterday).
RELATIVE_DAYS: dict[str, int] = {"今": 0, "昨": 1}
#: The same words said in full (今天, 昨天); 日 follows the one-character forms.
RELATIVE_DAY_WORDS: tuple[str, ...] = ("天", "日")
#: Months counted back from an article's date: 本月20日, 上月3日.
RELATIVE_MONTHS: dict[str, int] = {"本月": 0, "上月": 1}

#: Full-width forms mapped one-to-one (offsets are kept) before matching.
_WIDE = str.maketrans("０１２３４５６７８９／．", "0123456789/.")


def _alt(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_S = r"[^\S\r\n]*"  # spaces (including U+3000) but never a line break
_RSEP = _alt(RANGE_SEPARATORS)
_LSEP = _alt(LIST_SEPARATORS)

_ATOM = re.compile(
    rf"""
    (?<![0-9])(?<![0-9],)(?=[0-9])            # start of a number, not 1,500
    (?:
        # 114 年下半年, 2025上半年度
        (?P<hy>[0-9]{{3,4}}) {_S} 年? {_S} (?P<half>{_alt(list(HALF_YEARS))}) 度?
      |
        # 114/9/1, 2025/9/1, 2025/9
        (?P<sy>[0-9]{{3,4}}) {_S} [/] {_S} (?P<sm>[0-9]{{1,2}})
        (?: {_S} [/] {_S} (?P<sd>[0-9]{{1,2}}) )? (?![0-9/])
      |
        # 114.9.1, 2024-03-15 (three parts only: 3.5 and 1.111年 are not dates)
        (?P<py>[0-9]{{3,4}}) (?P<ps>[.-]) (?P<pm>[0-9]{{1,2}}) (?P=ps) (?P<pd>[0-9]{{1,2}})
        (?![0-9%]|(?P=ps)[0-9])
      |
        # a bare day: 16日 (after 至 or 及, or with a default month)
        (?P<bd>[0-9]{{1,2}}) {_S} (?:{_alt(DAY_MARKS)})
      |
        # 112年度, 112年1月13日, 7月25日, 2025 年 1 (至 12 月), 3月上旬
        (?P<ypart> (?P<y>[0-9]{{2,4}}) {_S} 年 (?P<fy>度)? )? {_S}
        (?:
            (?P<m>[0-9]{{1,2}}) {_S} 月 {_S}
            (?:
                (?P<d>[0-9]{{1,2}})
                (?: {_S} (?:{_alt(DAY_MARKS)})
                  | (?= {_S} (?: (?:{_alt(RANGE_OPENERS)})? {_S} (?:{_RSEP}) | {_LSEP} ) {_S} [0-9])
                  | (?= {_S} (?: {_alt(DAY_STOPS)} | $ ))
                )
            )?
            (?P<x>{_alt(TEN_DAY_PARTS)})?
          |
            (?P<mr>[0-9]{{1,2}}) (?= {_S} (?:{_RSEP}) {_S} [0-9]{{1,2}} {_S} 月)
        )?
    )
    """,
    re.VERBOSE | re.MULTILINE,
)

#: The gap between the two ends of a range.
_RANGE_GAP = re.compile(rf"{_S}(?:{_alt(RANGE_OPENERS)})?{_S}(?:{_RSEP}){_S}")
#: The gap between items of a list; a short aside such as ``(上、下午)`` may come first.
_LIST_GAP = re.compile(rf"{_S}(?:[(（][^()（）\n]{{0,8}}[)）])?{_S}(?:{_LSEP}){_S}")
_YEAR_DUE = re.compile(r"([0-9]{2,4})\s*年度")


# --------------------------------------------------------------------------
# Public records and helpers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMatch:
    """One date phrase found by :func:`find_dates`.

    ``start``/``end`` are offsets into the text searched; ``explicit_year`` is
    false when the year came from a default or from an earlier date in a list.

    >>> m = find_dates("於112年1月13日訪高")[0]
    >>> (m.start, m.end, m.text, m.span.start, m.explicit_year)
    (1, 10, '112年1月13日', '2023-01-13', True)
    """

    start: int
    end: int
    text: str
    span: DateSpan
    explicit_year: bool


def roc_to_gregorian(year: int) -> int:
    """Convert an ROC (Minguo) year to a Gregorian one; a 4-digit year stays.

    >>> roc_to_gregorian(112), roc_to_gregorian(2025), roc_to_gregorian(99)
    (2023, 2025, 2010)
    """
    return year if year >= 1000 else year + ROC_OFFSET


class InvalidDateError(KgraphError, ValueError):
    """A string that is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    def __init__(self, value: str) -> None:
        super().__init__(Errors.E041, value=value)


_ISO = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?")


def iso_year(value: str | None) -> int | None:
    """The year of an ISO prefix (``2023``, ``2023-05``, ``2023-05-10``), or None.

    >>> iso_year("2023-03-05"), iso_year("1982"), iso_year(""), iso_year(None)
    (2023, 1982, None, None)
    """
    return int(value[:4]) if value and value[:4].isdigit() else None


@lru_cache(maxsize=4096)
def span_bounds(s: str) -> tuple[date, date]:
    """First and last day that an ISO prefix covers (remembered: resolution compares the
    same few thousand dates hundreds of thousands of times).

    Raises :class:`InvalidDateError` (a ``ValueError``) for anything else.

    >>> span_bounds("2025")
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    >>> span_bounds("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> span_bounds("2023-01-13")
    (datetime.date(2023, 1, 13), datetime.date(2023, 1, 13))
    >>> try:
    ...     span_bounds("2023-13")
    ... except ValueError as error:
    ...     print(error)
    [E041] invalid date '2023-13': expected YYYY, YYYY-MM or YYYY-MM-DD
    """
    m = _ISO.fullmatch(s.strip()) if isinstance(s, str) else None
    if m is None:
        raise InvalidDateError(str(s))
    year = int(m["y"])
    try:
        if m["d"]:
            day = date(year, int(m["m"]), int(m["d"]))
            return day, day
        if m["m"]:
            month = int(m["m"])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise InvalidDateError(s) from None


def span_overlaps(a: DateSpan, b: DateSpan) -> bool:
    """Whether two spans share a day; ``2025-03`` is all of March, ``2025`` all of 2025.

    >>> span_overlaps(DateSpan("2025-03", "2025-03"), DateSpan("2025-03-14", "2025-03-16"))
    True
    >>> span_overlaps(DateSpan("2025", "2025"), DateSpan("2026-01-01", "2026-01-01"))
    False
    >>> span_overlaps(DateSpan("2022-12-29", "2023-01-02"), DateSpan("2023", "2023"))
    True
    """
    a_lo, a_hi = span_bounds(a.start)[0], span_bounds(a.end)[1]
    b_lo, b_hi = span_bounds(b.start)[0], span_bounds(b.end)[1]
    return a_lo <= b_hi and b_lo <= a_hi


def span_years(span: DateSpan) -> range:
    """The calendar years a span touches: two spans that overlap share one of them.

    >>> list(span_years(DateSpan("2022-12-29", "2023-01-02")))
    [2022, 2023]
    """
    return range(span_bounds(span.start)[0].year, span_bounds(span.end)[1].year + 1)


# --------------------------------------------------------------------------
# Atoms: one date phrase each
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """One end of a span: year, month and day, the last two optional."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def valid(self) -> bool:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            return False
        if self.month is None:
            return self.day is None
        if not 1 <= self.month <= 12:
            return False
        return self.day is None or 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class _Atom:
    """One regex hit: what it says, still without a default year."""

    kind: str  # "date", "year", "period", "day" (bare day), "mr" (bare month number)
    start: int
    end: int
    year: int | None = None  # Gregorian
    month: int | None = None
    day: int | None = None
    stop: _Point | None = None  # the last end of a "period" (half year, decade)
    year_end: int | None = None  # offset just after the year part (for fallbacks)


def _year(raw: str) -> int | None:
    """A Gregorian year from the digits written, or None when it cannot be one."""
    value = int(raw)
    if value == 0 or (len(raw) == 3 and raw[0] == "0"):
        return None
    year = roc_to_gregorian(value)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _preceded(text: str, pos: int, words: tuple[str, ...]) -> bool:
    return any(text.endswith(w, 0, pos) for w in words)


def _followed(text: str, pos: int, words: tuple[str, ...]) -> bool:
    rest = text[pos : pos + 4].lstrip()
    return any(rest.startswith(w) for w in words)


def _atom(text: str, m: re.Match[str]) -> _Atom | None:
    """Turn one regex hit into an atom; None when it is empty or impossible."""
    start, end = m.start(), m.start() + len(m[0].rstrip())
    if m["hy"]:
        year = _year(m["hy"])
        first, last = HALF_YEARS[m["half"]]
        if year is None:
            return None
        return _Atom("period", start, end, year, first, stop=_Point(year, last))
    if m["sy"] or m["py"]:
        raw_y, raw_m, raw_d = (
            (m["sy"], m["sm"], m["sd"]) if m["sy"] else (m["py"], m["pm"], m["pd"])
        )
        if raw_d is None and len(raw_y) != 4:
            return None  # 110/111 is two years, not a month
        year = _year(raw_y)
        if year is None:
            return None
        return _Atom("date", start, end, year, int(raw_m), int(raw_d) if raw_d else None)
    if m["bd"]:
        return _Atom("day", start, end, day=int(m["bd"]))
    year = None
    if m["y"]:
        year = _year(m["y"])
        if year is None:
            return None
    month = m["m"] or m["mr"]
    if month is None:
        if year is None or len(m["y"]) == 2:
            return None  # empty, or 12年 (a count: 12年國教)
        if _preceded(text, start, YEAR_COUNT_BEFORE) or _followed(
            text, m.end("ypart"), YEAR_COUNT_AFTER
        ):
            return None
        if text.startswith(DECADE_MARK, m.end("ypart")) and year % 10 == 0:
            stop = _Point(year + 9)
            return _Atom("period", start, m.end("ypart") + len(DECADE_MARK), year, stop=stop)
        return _Atom("year", start, m.end("ypart"), year)
    if m["mr"]:
        return _Atom("mr", start, end, year, int(month), year_end=m.end("ypart") if year else None)
    day = int(m["d"]) if m["d"] and not m["x"] else None
    return _Atom("date", start, end, year, int(month), day)


def _atoms(text: str) -> Iterator[_Atom]:
    for m in _ATOM.finditer(text):
        atom = _atom(text, m)
        if atom is not None:
            yield atom


# --------------------------------------------------------------------------
# Joining atoms into dates
# --------------------------------------------------------------------------


def _end_point(prev: _Point, b: _Atom) -> _Point | None:
    """Where a range that started at ``prev`` ends, given its second atom ``b``."""
    if b.kind == "day":
        if prev.month is None or prev.day is None:
            return None
        return _Point(prev.year, prev.month, b.day)
    if b.kind not in ("date", "year"):
        return None
    if b.year is not None:
        return _Point(b.year, b.month, b.day)
    if prev.month is None:
        return None
    year = prev.year + 1 if b.month is not None and b.month < prev.month else prev.year
    return _Point(year, b.month, b.day)


def _ordered(a: _Point, b: _Point) -> bool:
    return a.valid() and b.valid() and a.first_day() <= b.first_day()


def find_dates(
    text: str, default_year: int | None = None, default_month: int | None = None
) -> list[DateMatch]:
    """All date phrases in ``text``, in order and without overlaps.

    A date written without a year takes ``default_year`` (a Gregorian year), or
    the year of the date just before it in a list; without any it is skipped.
    A bare day (``8日``) counts only after another date or when
    ``default_month`` is given.

    >>> [(m.text, m.span.start, m.span.end) for m in find_dates("111年9月7日及8日")]
    [('111年9月7日及8日', '2022-09-07', '2022-09-08')]
    >>> [(m.text, m.span.end) for m in find_dates("12月29日至1月2日", default_year=2022)]
    [('12月29日至1月2日', '2023-01-02')]
    >>> [m.span for m in find_dates("自110年1月起至111年4月止")]
    [DateSpan(start='2021-01', end='2022-04')]
    >>> find_dates("成長3.5%，第36個，40周年，1,500台，2022台灣燈會")
    []
    """
    original, text = text, text.translate(_WIDE)
    atoms = list(_atoms(text))
    out: list[DateMatch] = []
    # (end offset, year, explicit) of the last match, for years carried along a list
    last: tuple[int, int, bool] | None = None
    i = 0
    while i < len(atoms):
        a = atoms[i]
        i += 1
        explicit = a.year is not None
        year = a.year
        if year is None and last is not None and _LIST_GAP.fullmatch(text, last[0], a.start):
            year, explicit = last[1], False
        if year is None:
            year = default_year
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            continue
        if a.kind == "day":
            if (
                default_month is None
                or _preceded(text, a.start, DAY_COUNT_BEFORE)
                or _followed(text, a.end, DAY_COUNT_AFTER)
            ):
                continue
            first = _Point(year, default_month, a.day)
        else:
            first = _Point(year, a.month, a.day)
        stop = a.stop if a.kind == "period" and a.stop else first
        end = a.end
        if not _ordered(first, stop):
            continue
        # extend: one range separator, then any number of listed bare days
        ranged = False
        while a.kind != "period" and i < len(atoms):
            b = atoms[i]
            if not ranged and _RANGE_GAP.fullmatch(text, end, b.start):
                new = _end_point(stop, b)
                ranged = True
            elif b.kind == "day" and _LIST_GAP.fullmatch(text, end, b.start):
                new = _end_point(stop, b)
            else:
                break
            if new is None or not _ordered(stop, new):
                break
            stop, end = new, b.end
            i += 1
        if a.kind == "mr" and stop is first:
            if a.year_end is None:
                continue
            first = stop = _Point(year)  # "2025 年 1" without its "至 12 月": the year only
            end = a.year_end
        out.append(
            DateMatch(
                a.start, end, original[a.start : end], DateSpan(first.iso(), stop.iso()), explicit
            )
        )
        last = (end, stop.year, explicit)
    return out


def parse_date(text: str, default_year: int | None = None) -> DateSpan | None:
    """Parse one date phrase; None when it is not exactly one possible date.

    >>> parse_date("112年1月13日")
    DateSpan(start='2023-01-13', end='2023-01-13')
    >>> parse_date("111年6月9日至10日")
    DateSpan(start='2022-06-09', end='2022-06-10')
    >>> parse_date("7月25日", default_year=2022)
    DateSpan(start='2022-07-25', end='2022-07-25')
    >>> parse_date("112年13月45日") is None, parse_date("2月30日", 2023) is None
    (True, True)
    """
    try:
        phrase = str(text).strip()
        for prefix in ("自", "於", "在"):
            phrase = phrase.removeprefix(prefix)
        phrase = phrase.rstrip("止 \u3000")
        found = find_dates(phrase, default_year)
        if len(found) == 1 and (found[0].start, found[0].end) == (0, len(phrase)):
            return found[0].span
    except Exception:  # never raise on odd input
        return None
    return None


def report_year(text: str) -> int | None:
    """The year of a report's period, from its first lines.

    A ``年度`` in the title wins, then the first span of at least four weeks
    (the report's period), then the first date with a written year.

    >>> report_year("高雄市政府行政暨國際處111年度施政績效成果報告")
    2022
    >>> report_year("謹就114年9月1日至115年2月28日(以下簡稱本期)本處職掌")
    2025
    >>> report_year("2026 年日光海島生活節\\n2025 年 1 至 12 月總計交流國家")
    2025
    >>> report_year("沒有日期") is None
    True
    """
    lines = [line for line in text.translate(_WIDE).splitlines() if line.strip()]
    for line in lines[:10]:
        m = _YEAR_DUE.search(line)
        if m and (year := _year(m[1])) is not None:
            return year
    found = find_dates("\n".join(lines[:60]))
    for match in found:
        lo, hi = span_bounds(match.span.start)[0], span_bounds(match.span.end)[1]
        if match.explicit_year and (hi - lo).days >= 27 and match.span.start != match.span.end:
            return lo.year
    for match in found:
        if match.explicit_year:
            return span_bounds(match.span.start)[0].year
    return None


# --------------------------------------------------------------------------
# News articles: dates told from the article's own date
# --------------------------------------------------------------------------

_RELATIVE_DAY = re.compile(
    rf"(?<![如迄至現])(?P<rel>{_alt(list(RELATIVE_DAYS))})"
    rf"(?:{_S}[(（]{_S}(?P<d>[0-9]{{1,2}}){_S}[)）]{_S}日|(?:{_alt(RELATIVE_DAY_WORDS)}))"
)
#: A day of the month alone (8日拜會, 16日返國): in an article, the day of that number
#: nearest its date, unless it counts days (:func:`_bare_days`).
_BARE_DAY = re.compile(r"(?<![0-9年/.\-])(?P<d>[0-9]{1,2})\s*日")
_RELATIVE_MONTH = re.compile(
    rf"(?P<rel>{_alt(list(RELATIVE_MONTHS))}){_S}(?P<d>[0-9]{{1,2}}){_S}(?:{_alt(DAY_MARKS)})?"
    rf"(?:{_S}(?:{_RSEP}){_S}(?P<d2>[0-9]{{1,2}}){_S})?(?:{_alt(DAY_MARKS)})"
)


def published_date(text: str) -> DateSpan | None:
    r"""An article's own date: the day of a dateline among its first lines (a short
    line with a full date and no sentence: a report's first dated lines are sentences).

    >>> published_date("〔記者王小明／高雄報導〕\n2024-03-15 14:30\n高雄市長今（15）日…")
    DateSpan(start='2024-03-15', end='2024-03-15')
    >>> published_date("國際交流\n114年1月16日，普里斯提納市長與大使一同參與該市活動。") is None
    True
    """
    lines = (line.translate(_WIDE) for line in text.splitlines() if line.strip())
    for line in islice(lines, DATELINE_WITHIN):
        if is_dateline(line):
            for match in find_dates(line):
                if match.explicit_year and len(match.span.start) == 10:
                    return match.span
    return None


def relative_date(text: str, published: DateSpan | None) -> DateSpan | None:
    """The days that phrases such as 今（15）日, 昨日, 8日 or 本月20日 name, counted from
    the article's date: from the first to the last (本月20日至22日 is a range too); None
    without one (如今 is no day, nor is 今日 in a report).

    >>> day = DateSpan("2024-03-15", "2024-03-15")
    >>> [relative_date(t, day).start for t in ("今（15）日", "昨日", "本月20日", "今（16）日")]
    ['2024-03-15', '2024-03-14', '2024-03-20', '2024-03-16']
    >>> relative_date("今（28）日", DateSpan("2024-03-03", "2024-03-03")).start
    '2024-02-28'
    >>> relative_date("昨（14）日抵達，今（15）日簽署", day)
    DateSpan(start='2024-03-14', end='2024-03-15')
    >>> relative_date("代表（Ann Lee）8日拜會", day).start, relative_date("13日抵達，16日返國", day)
    ('2024-03-08', DateSpan(start='2024-03-13', end='2024-03-16'))
    >>> relative_date("今日接見", None), relative_date("如今日本", day), relative_date("接見", day)
    (None, None, None)
    """
    if published is None:
        return None
    text = text.translate(_WIDE)
    hits = sorted([*_RELATIVE_DAY.finditer(text), *_bare_days(text)], key=_start)
    month = _RELATIVE_MONTH.search(text)
    base = span_bounds(published.start)[0]
    if hits and (month is None or hits[0].start() < month.start()):
        # 昨（1）日抵達，今（2）日簽署: the passage tells the days from the first to the last.
        days = [d for m in hits if (d := _relative_day(base, m))]
        found, last = min(days, default=None), max(days, default=None)
    elif month is not None:
        back = RELATIVE_MONTHS[month["rel"]]
        found = _day_in_month(base, int(month["d"]), back)
        last = _day_in_month(base, int(month["d2"]), back) if month["d2"] else found
    else:
        return None
    if found is None or last is None or last < found:
        return None
    return DateSpan(found.isoformat(), last.isoformat())


def finer(own: DateSpan | None, other: DateSpan | None) -> DateSpan | None:
    """``own``, unless ``other`` names days where it names only a month or a year (an
    article's 8日 beside the 10月 of an event it mentions); either when one is missing.

    >>> day, month = DateSpan("2025-07-08", "2025-07-08"), DateSpan("2025-10", "2025-10")
    >>> finer(month, day) == day, finer(day, month) == day, finer(None, month) == month
    (True, True, True)
    """
    if own is None or (other is not None and len(other.start) > len(own.start)):
        return other
    return own


def _relative_day(base: date, match: re.Match[str]) -> date | None:
    """The day one 今（15）日, 昨日 or 8日 names, counted from ``base``."""
    if match["d"] is None:
        return base - timedelta(days=RELATIVE_DAYS[match["rel"]])
    return _nearest_day(base, int(match["d"]))


def _bare_days(text: str) -> list[re.Match[str]]:
    """The days alone in a text that are no count of days (為期5日, 停留3日, 30日內, 5日遊:
    the words of :data:`DAY_COUNT_BEFORE` and :data:`DAY_COUNT_AFTER`) and whose 日 starts
    no word (24日本企業).

    >>> [m["d"] for m in _bare_days("8日拜會，為期5日，24日本企業，16日返國")]
    ['8', '16']
    """
    return [
        m
        for m in _BARE_DAY.finditer(text)
        if not _preceded(text, m.start(), DAY_COUNT_BEFORE)
        and not _followed(text, m.end(), DAY_COUNT_AFTER + DAY_WORDS_AFTER)
    ]


def _start(match: re.Match[str]) -> int:
    return match.start()


def _nearest_day(base: date, day: int) -> date | None:
    """Day ``day`` of ``base``'s month, of the month before or of the month after,
    whichever is nearest to ``base``: 今（28）日 in an article of 3 March is 28 February,
    今（16）日 in one of 15 March (a dateline after midnight) is 16 March, and 2日返國 in
    one of 30 July is 2 August.

    >>> _nearest_day(date(2025, 7, 30), 2), _nearest_day(date(2024, 3, 3), 28)
    (datetime.date(2025, 8, 2), datetime.date(2024, 2, 28))
    """
    found = [d for back in (0, 1, -1) if (d := _day_in_month(base, day, back))]
    return min(found, key=lambda d: abs((d - base).days), default=None)


def _day_in_month(base: date, day: int, months_back: int) -> date | None:
    """Day ``day`` of the month ``months_back`` before ``base``'s (after it when negative;
    None if that month has no such day)."""
    year, month = base.year, base.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)
