"""Dates that a passage leaves to an event's name: 出席2026高雄智慧城市展 in a dated
passage tells when the 2026 高雄智慧城市展 was, so a later slide titled with that name,
or a passage that names the 智慧城市展 again, happened then too.

A report names an event with its year in front (``2026高雄智慧城市展``,
``2026年「日光海島生活節」``); the endings that make a name an event's are the
``event`` cues of ``triggers.tsv`` that are names' ends (展, 節, 論壇 …), listed in
``data/event_name_endings.txt``. This module is a document-level step between
segmenting and extracting: it only lends dates to units that have none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from kgraph.model import DateSpan, Unit
from kgraph.recognise import CJK, lexicon
from kgraph.resources import data_lines

# A heading on its own (a slide's title) is short and ends no sentence.
_TITLE_ONLY = re.compile(r"[^\n。；;，,]{2,30}")


@lru_cache(maxsize=1)
def _event_name() -> re.Pattern[str]:
    endings = "|".join(
        map(re.escape, sorted(data_lines("event_name_endings.txt"), key=len, reverse=True))
    )
    return re.compile(
        rf"(?P<year>(?:19|20)\d{{2}})\s*年?\s*「?(?P<name>[{CJK}A-Za-z]{{2,14}}?(?:{endings}))」?"
    )


def event_names(text: str) -> list[tuple[int, str]]:
    """The events a text names with a year in front: (year, name).

    >>> event_names("出席2026高雄智慧城市展，並出席 2026 年「日光海島生活節」")
    [(2026, '高雄智慧城市展'), (2026, '日光海島生活節')]
    """
    return [(int(m.group("year")), m.group("name")) for m in _event_name().finditer(text)]


def short_forms(name: str) -> tuple[str, ...]:
    """The name, and without the home city's name in front (高雄智慧城市展 -> 智慧城市展).

    >>> short_forms("高雄智慧城市展")
    ('高雄智慧城市展', '智慧城市展')
    """
    lex = lexicon()
    for home in sorted(lex.home_names, key=len, reverse=True):
        rest = name.removeprefix(home)
        if rest != name and len(rest) >= 3:
            return (name, rest)
    return (name,)


def dated_events(units: Sequence[Unit], dates: Sequence[DateSpan | None]) -> dict[str, DateSpan]:
    """Each event name's date: the most precise date of a passage that names the event
    with the year of that date. A name given two different precise dates keeps neither."""
    found: dict[str, set[DateSpan]] = {}
    for unit, date in zip(units, dates, strict=True):
        if date is None:
            continue
        for year, name in event_names(unit.text):
            if date.start[:4] == str(year) and date.start == date.end[: len(date.start)]:
                found.setdefault(name, set()).add(date)
    out: dict[str, DateSpan] = {}
    for name, spans in found.items():
        best = max(spans, key=lambda d: len(d.start))
        if all(d.start in (best.start, best.start[:4]) for d in spans):
            out[name] = best
    return out


def is_title_only(unit: Unit) -> bool:
    """Whether a unit is a heading on its own (a slide's title): short, ending no sentence.

    >>> is_title_only(Unit("d", 0, (), "", 0, 9, "兩市學校簽署意向書"))
    True
    """
    return bool(_TITLE_ONLY.fullmatch(unit.text.strip()))


def lent_date(
    unit: Unit, previous: Unit | None, events: dict[str, DateSpan], year: int | None
) -> DateSpan | None:
    """The date of the event an undated unit names, itself or in the title right above it
    (a slide's title on its own, such as 2026高雄智慧城市展)."""
    texts = [unit.text]
    if previous is not None and is_title_only(previous):
        texts.append(previous.text)
    for text in texts:
        for name, date in events.items():
            if any(form in text for form in short_forms(name)):
                return date
        for event_year, _ in event_names(text):
            if year is None or abs(event_year - year) <= 1:
                return DateSpan(str(event_year), str(event_year))
    return None
