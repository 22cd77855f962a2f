"""Score system answers against the hand-written gold annotations.

This is a pure module: it reads gold files (:func:`load_gold`) and compares
plain JSON-like answers (the output of ``kgraph visits/agreements/entities
--format json``) with them (:func:`evaluate`). It never opens a store.

The rules are those of ``GUIDELINES.md``, section "How answers are scored".
Where the guidelines leave a choice open, this module decides as follows.

Names and dates
    * Names are compared after :func:`normalise_name` (NFKC, ``臺`` -> ``台``,
      whitespace and the dots ``·‧•・.`` removed); case is kept.
    * A party matches a gold list of names by its ``label`` or ``aliases``
      (not ``label_en``). A person matches a gold person by ``label`` or
      ``aliases`` against the gold ``name``, or by ``label_en`` against the
      gold ``en``.
    * A system date is read as a span (day, whole month, whole year) and
      matches when it overlaps the gold span ``start``..``end`` (``end`` null
      means ``end = start``). A gold record with ``start`` null matches any
      system date, even a null one; a null system date matches only such
      records. For a visit, the system date is its ``start``; for an
      agreement, its ``date``. A malformed system date raises ``E041``.

Scope
    * The scored documents are the ``doc`` values of the gold records (plus
      any ``documents=`` given to :func:`evaluate`, e.g. for a gold file with
      no record). Documents are compared by file name: a source ``doc`` given
      as a path is reduced to its last component, and a bare stem
      (``kaohsiung-2023-annual-report``) is accepted for ``...report.txt``.
    * A system answer is in scope when one of its sources is in a scored
      document; it is attributed to every scored document among its sources.

Happenings and units
    * ``same_as`` links (direct or chained, across files) are merged by
      union-find into one happening; a ``same_as`` naming an unknown record
      is ignored here (:func:`load_gold` rejects it).
    * Visits: records and answers of type ``video_meeting`` are left out.
      A gold unit is built from each visit element of each record; within one
      happening, elements whose visitor names intersect, whose host names
      intersect and whose record dates match (overlap, or either start null)
      are ONE unit (transitively), so a happening told by a report and by a
      recap slide counts once. Such a unit keeps every variant (names, date,
      direction) and a system unit matches it when it matches any variant.
      A system unit is one distinct (event, visitor IRI, host IRI) among the
      in-scope visit elements; duplicates are merged (all their names, start
      dates and directions).
    * Agreements: a gold unit is (happening, kind, parties); within one
      happening, agreements of the same kind whose dates match and whose
      parties (of the shorter list) are each matched by a different party of
      the other are one unit, matched through any of its variants. A system
      unit is one distinct (event, kind, set of party IRIs).
    * Matching is one-to-one and order-independent: a maximum bipartite
      matching; for visits, among the maximum matchings, one with the most
      right directions is chosen, so that direction accuracy is not a
      matter of luck. A unit whose system direction(s) are all among the
      gold unit's directions counts as right.
    * Persons are scored per document: the gold units of a document are its
      records' ``persons``, merged when their normalised ``name`` or their
      ``en`` are equal; the system units are the ``person`` entities with a
      source in the document. A person told by two documents therefore
      counts once in each (micro-average over documents), on both sides.

Totals
    * Per document: gold units of the document's records (a merged unit
      belongs to each document of its records) against the system units
      attributed to it, matched within the document.
    * Overall, visits and agreements: every unit counted once, one global
      matching (so the overall figures are not the sum of the document rows
      when a unit spans documents). Persons overall: the sum of the
      documents' counts.
    * Precision is ``None`` when there is no system unit, recall ``None``
      when there is no gold unit, F1 (``2 tp / (system + gold)``) ``None``
      when there are neither.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast, get_args

from kgraph.errors import Errors, KgraphError
from kgraph.model import AgreementKind, Direction, HappeningType

__all__ = [
    "Accuracy",
    "DocumentScores",
    "EvalReport",
    "GoldAgreement",
    "GoldOrg",
    "GoldPerson",
    "GoldPlace",
    "GoldRecord",
    "GoldVisit",
    "Score",
    "Unmatched",
    "date_span",
    "dates_match",
    "evaluate",
    "load_gold",
    "names_match",
    "normalise_name",
    "spans_overlap",
]

Span = tuple[date, date]
ErrorKind = Literal["visits", "agreements", "persons", "direction"]
Side = Literal["gold", "system", "pair"]

OVERALL = "overall"
_HAPPENING_TYPES: tuple[str, ...] = get_args(HappeningType)
_DIRECTIONS: tuple[str, ...] = get_args(Direction)
_KINDS: tuple[str, ...] = get_args(AgreementKind)

# ---------------------------------------------------------------------------
# Names and dates
# ---------------------------------------------------------------------------

_DROP = re.compile(r"[\s·‧•・.]+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def normalise_name(name: str) -> str:
    """The form in which names are compared.

    >>> normalise_name("臺 北‧市")
    '台北市'
    >>> normalise_name("Ｊｏｈｎ・Ｓｍｉｔｈ")
    'JohnSmith'
    >>> normalise_name("A. B·C")
    'ABC'
    """
    return _DROP.sub("", unicodedata.normalize("NFKC", name).replace("臺", "台"))


def _norm_set(names: Iterable[str | None]) -> frozenset[str]:
    out = {normalise_name(n) for n in names if isinstance(n, str)}
    out.discard("")
    return frozenset(out)


def names_match(system_names: Iterable[str | None], gold_names: Iterable[str]) -> bool:
    """Whether any system name equals any gold name after normalisation.

    >>> names_match(["高雄市政府", "高雄市"], ["高雄市"])
    True
    >>> names_match(["臺北 市"], ["台北市"])
    True
    >>> names_match(["台南市"], ["台北市"])
    False
    """
    return bool(_norm_set(system_names) & _norm_set(gold_names))


def date_span(value: str | None) -> Span | None:
    """The days covered by ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``None`` for no date).

    >>> date_span("2025-02")
    (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))
    >>> date_span("2024")
    (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    >>> date_span(None) is None
    True
    >>> date_span("2025-13")
    Traceback (most recent call last):
    ...
    kgraph.errors.KgraphError: [E041] invalid date '2025-13': expected YYYY, YYYY-MM or YYYY-MM-DD
    """
    if value is None:
        return None
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise KgraphError(Errors.E041, value=value)
    year, month, day = match.groups()
    try:
        y = int(year)
        if month is None:
            return date(y, 1, 1), date(y, 12, 31)
        m = int(month)
        if day is None:
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        one = date(y, m, int(day))
    except ValueError:
        raise KgraphError(Errors.E041, value=value) from None
    return one, one


def spans_overlap(a: Span, b: Span) -> bool:
    """Whether two day spans share at least one day.

    >>> spans_overlap(date_span("2025-03"), date_span("2025-03-31"))
    True
    >>> spans_overlap(date_span("2025-03"), date_span("2025-04-01"))
    False
    """
    return a[0] <= b[1] and b[0] <= a[1]


def _gold_span(start: str | None, end: str | None) -> Span | None:
    first = date_span(start)
    if first is None:
        return None
    last = date_span(end) if end is not None else first
    assert last is not None
    return first[0], last[1]


def dates_match(system: str | None, gold_start: str | None, gold_end: str | None = None) -> bool:
    """Whether a system date matches a gold record's ``start``..``end``.

    >>> dates_match("2025-03-22", "2025-03-19", "2025-03-22")
    True
    >>> dates_match("2025-03", "2025-03-19", "2025-03-22")
    True
    >>> dates_match("2025-03-23", "2025-03-19", "2025-03-22")
    False
    >>> dates_match("2025", "2025-03-19")  # end null: a one-day record
    True
    >>> dates_match(None, None), dates_match("2020", None), dates_match(None, "2025")
    (True, True, False)
    """
    return _date_ok([date_span(system)], _gold_span(gold_start, gold_end))


def _date_ok(system: Iterable[Span | None], gold: Span | None) -> bool:
    if gold is None:
        return True
    return any(s is not None and spans_overlap(s, gold) for s in system)


# ---------------------------------------------------------------------------
# Gold records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldVisit:
    """One visiting relation of a gold record; ``visitor``/``host`` are acceptable names."""

    visitor: tuple[str, ...]
    host: tuple[str, ...]
    direction: Direction
    visitor_persons: tuple[str, ...] = ()
    host_persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldAgreement:
    """One signed document of a gold record; each party is a tuple of acceptable names."""

    kind: AgreementKind
    parties: tuple[tuple[str, ...], ...]
    signatories: tuple[str, ...] = ()
    witnesses: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldPerson:
    """A named person of a gold record."""

    name: str
    en: str | None = None
    title: str | None = None
    of: str | None = None


@dataclass(frozen=True)
class GoldPlace:
    """A named place of a gold record."""

    name: str
    country: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class GoldOrg:
    """A named organisation of a gold record."""

    name: str
    country: str | None = None


@dataclass(frozen=True)
class GoldRecord:
    """One line of a gold file: one reported happening (see ``GUIDELINES.md``).

    ``file`` and ``line`` say where it was read, for messages only.
    """

    id: str
    doc: str
    anchor: str
    type: HappeningType
    start: str | None
    end: str | None
    same_as: str | None
    visits: tuple[GoldVisit, ...] = ()
    agreements: tuple[GoldAgreement, ...] = ()
    participants: tuple[tuple[str, ...], ...] = ()
    persons: tuple[GoldPerson, ...] = ()
    places: tuple[GoldPlace, ...] = ()
    orgs: tuple[GoldOrg, ...] = ()
    topics: tuple[str, ...] = ()
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @property
    def span(self) -> Span | None:
        """The days from ``start`` to ``end`` (``None`` when the text gives no date)."""
        return _gold_span(self.start, self.end)


class _Reader:
    """Checks the fields of one JSON object, raising E031 with file:line."""

    def __init__(self, path: Path, line: int) -> None:
        self.path = path
        self.line = line

    def fail(self, reason: str) -> KgraphError:
        return KgraphError(Errors.E031, path=self.path, line=self.line, reason=reason)

    def obj(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a JSON object")
        return value

    def get(self, obj: Mapping[str, Any], key: str, where: str, required: bool = True) -> Any:
        if key not in obj:
            if required:
                raise self.fail(f"missing field '{key}'{where}")
            return None
        return obj[key]

    def text(self, obj: Mapping[str, Any], key: str, where: str = "") -> str:
        value = self.get(obj, key, where)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}'{where} must be a non-empty string")
        return value

    def opt_text(
        self, obj: Mapping[str, Any], key: str, where: str = "", required: bool = False
    ) -> str | None:
        value = self.get(obj, key, where, required)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"'{key}'{where} must be a string or null")
        return value

    def items(
        self, obj: Mapping[str, Any], key: str, where: str = "", required: bool = True
    ) -> list[Any]:
        value = self.get(obj, key, where, required)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(f"'{key}'{where} must be a list")
        return value

    def names(self, value: object, where: str, empty_ok: bool = True) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where} must be a list of strings")
        if not empty_ok and not value:
            raise self.fail(f"{where} must not be empty")
        return tuple(value)

    def choice(
        self, obj: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str = ""
    ) -> str:
        value = self.get(obj, key, where)
        if value not in allowed:
            raise self.fail(f"'{key}'{where} is {value!r}, expected one of {', '.join(allowed)}")
        return cast(str, value)

    def date(self, obj: Mapping[str, Any], key: str) -> str | None:
        value = self.opt_text(obj, key, required=True)
        try:
            date_span(value)
        except KgraphError:
            raise self.fail(f"'{key}' is {value!r}, expected YYYY, YYYY-MM or YYYY-MM-DD") from None
        return value


def _read_record(data: object, path: Path, line: int) -> GoldRecord:
    r = _Reader(path, line)
    obj = r.obj(data, "a gold record")
    visits = []
    for i, raw in enumerate(r.items(obj, "visits"), 1):
        where = f" of visit {i}"
        v = r.obj(raw, f"visit {i}")
        visits.append(
            GoldVisit(
                visitor=r.names(r.get(v, "visitor", where), f"'visitor'{where}", empty_ok=False),
                host=r.names(r.get(v, "host", where), f"'host'{where}", empty_ok=False),
                direction=cast(Direction, r.choice(v, "direction", _DIRECTIONS, where)),
                visitor_persons=r.names(
                    r.items(v, "visitor_persons", where, False), f"'visitor_persons'{where}"
                ),
                host_persons=r.names(
                    r.items(v, "host_persons", where, False), f"'host_persons'{where}"
                ),
            )
        )
    agreements = []
    for i, raw in enumerate(r.items(obj, "agreements"), 1):
        where = f" of agreement {i}"
        a = r.obj(raw, f"agreement {i}")
        parties = r.items(a, "parties", where)
        agreements.append(
            GoldAgreement(
                kind=cast(AgreementKind, r.choice(a, "kind", _KINDS, where)),
                parties=tuple(
                    r.names(p, f"party {j}{where}", empty_ok=False)
                    for j, p in enumerate(parties, 1)
                ),
                signatories=r.names(
                    r.items(a, "signatories", where, False), f"'signatories'{where}"
                ),
                witnesses=r.names(r.items(a, "witnesses", where, False), f"'witnesses'{where}"),
            )
        )
    persons = []
    for i, raw in enumerate(r.items(obj, "persons"), 1):
        where = f" of person {i}"
        p = r.obj(raw, f"person {i}")
        persons.append(
            GoldPerson(
                name=r.text(p, "name", where),
                en=r.opt_text(p, "en", where),
                title=r.opt_text(p, "title", where),
                of=r.opt_text(p, "of", where),
            )
        )
    places = []
    for i, raw in enumerate(r.items(obj, "places"), 1):
        p = r.obj(raw, f"place {i}")
        where = f" of place {i}"
        places.append(
            GoldPlace(
                name=r.text(p, "name", where),
                country=r.opt_text(p, "country", where),
                kind=r.opt_text(p, "kind", where),
            )
        )
    orgs = []
    for i, raw in enumerate(r.items(obj, "orgs"), 1):
        o = r.obj(raw, f"org {i}")
        where = f" of org {i}"
        orgs.append(GoldOrg(name=r.text(o, "name", where), country=r.opt_text(o, "country", where)))
    start, end = r.date(obj, "start"), r.date(obj, "end")
    start_span, end_span = date_span(start), date_span(end)
    if start_span and end_span and end_span[1] < start_span[0]:
        raise r.fail(f"'end' {end} is before 'start' {start}")
    return GoldRecord(
        id=r.text(obj, "id"),
        doc=r.text(obj, "doc"),
        anchor=cast(str, r.opt_text(obj, "anchor", required=True) or ""),
        type=cast(HappeningType, r.choice(obj, "type", _HAPPENING_TYPES)),
        start=start,
        end=end,
        same_as=r.opt_text(obj, "same_as", required=True),
        visits=tuple(visits),
        agreements=tuple(agreements),
        participants=tuple(
            r.names(p, f"participant {i}") for i, p in enumerate(r.items(obj, "participants"), 1)
        ),
        persons=tuple(persons),
        places=tuple(places),
        orgs=tuple(orgs),
        topics=r.names(r.items(obj, "topics"), "'topics'"),
        file=str(path),
        line=line,
    )


def load_gold(directory: str | Path) -> list[GoldRecord]:
    """Read every gold record of the ``*.jsonl`` files in ``directory`` (or of one file).

    Files are read in name order, records in line order; blank lines are
    skipped. Raises :class:`KgraphError` ``E030`` when there is no gold file,
    ``E031`` (with file and line) for a line that is not JSON, lacks a field
    of ``GUIDELINES.md``, has a value of the wrong type or form, repeats an
    ``id``, or has a ``same_as`` naming no record.
    """
    path = Path(directory)
    if path.is_file() and path.suffix == ".jsonl":
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
    else:
        files = []
    if not files:
        raise KgraphError(Errors.E030, path=path)
    records: list[GoldRecord] = []
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise KgraphError(Errors.E006, path=file, reason=exc.strerror or exc) from None
        for number, blob in enumerate(raw.splitlines(), 1):
            try:
                line = blob.decode("utf-8")
            except UnicodeDecodeError:
                raise KgraphError(
                    Errors.E031, path=file, line=number, reason="not UTF-8 text"
                ) from None
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KgraphError(
                    Errors.E031, path=file, line=number, reason=f"not JSON ({exc.msg})"
                ) from None
            records.append(_read_record(data, file, number))
    seen: dict[str, GoldRecord] = {}
    for rec in records:
        if rec.id in seen:
            first = seen[rec.id]
            raise KgraphError(
                Errors.E031,
                path=rec.file,
                line=rec.line,
                reason=f"id '{rec.id}' already used at {first.file}:{first.line}",
            )
        seen[rec.id] = rec
    for rec in records:
        if rec.same_as is not None and (rec.same_as not in seen or rec.same_as == rec.id):
            raise KgraphError(
                Errors.E031,
                path=rec.file,
                line=rec.line,
                reason=f"same_as '{rec.same_as}' names no other record",
            )
    return records


# ---------------------------------------------------------------------------
# Scores and report
# ---------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Score:
    """Counts of one measure: matched units, system units, gold units.

    >>> s = Score(tp=3, system=4, gold=6)
    >>> s.precision, s.recall, round(s.f1 or 0, 3)
    (0.75, 0.5, 0.6)
    >>> Score(0, 0, 0).f1 is None
    True
    """

    tp: int
    system: int
    gold: int

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.system)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.gold)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, self.system + self.gold)

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.system + other.system, self.gold + other.gold)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "system": self.system,
            "gold": self.gold,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Accuracy:
    """Direction accuracy: matched visit units with the right direction / matched units."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy}


@dataclass(frozen=True)
class DocumentScores:
    """The scores of one document (or ``overall``)."""

    doc: str
    visits: Score
    agreements: Score
    persons: Score
    direction: Accuracy

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "visits": self.visits.to_dict(),
            "agreements": self.agreements.to_dict(),
            "persons": self.persons.to_dict(),
            "direction": self.direction.to_dict(),
        }


@dataclass(frozen=True)
class Unmatched:
    """A unit left unmatched (or, for ``direction``, a matched pair with the wrong direction).

    ``ref`` is the gold record id(s) or the system IRI; ``text`` a readable summary.
    """

    kind: ErrorKind
    side: Side
    docs: tuple[str, ...]
    ref: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind} {self.side}: {self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "side": self.side,
            "docs": list(self.docs),
            "ref": self.ref,
            "text": self.text,
        }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@dataclass(frozen=True)
class EvalReport:
    """Per-document and overall scores, plus the units left unmatched."""

    documents: tuple[DocumentScores, ...]
    overall: DocumentScores
    unmatched: tuple[Unmatched, ...] = ()

    def document(self, doc: str) -> DocumentScores:
        """The scores of one scored document (by file name), or ``overall``."""
        if doc == OVERALL:
            return self.overall
        for scores in self.documents:
            if scores.doc == doc:
                return scores
        raise KeyError(doc)

    def errors(
        self, kind: ErrorKind, side: Side | None = None, doc: str | None = None
    ) -> list[Unmatched]:
        """Unmatched units of ``kind`` (visits, agreements, persons, direction).

        Visits and agreements come from the overall matching; persons from
        each document's matching. ``side`` and ``doc`` filter further.
        """
        if kind not in get_args(ErrorKind):
            raise ValueError(f"unknown error kind {kind!r}")
        return [
            u
            for u in self.unmatched
            if u.kind == kind
            and (side is None or u.side == side)
            and (doc is None or doc in u.docs)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": [d.to_dict() for d in self.documents],
            "overall": self.overall.to_dict(),
            "errors": [u.to_dict() for u in self.unmatched],
        }

    def to_table(self) -> str:
        """An aligned plain-text table, one block per document, ``overall`` last."""
        header = ("document", "score", "tp", "system", "gold", "precision", "recall", "f1")
        rows: list[tuple[str, ...]] = []
        for scores in (*self.documents, self.overall):
            for i, (name, s) in enumerate(
                (
                    ("visits", scores.visits),
                    ("agreements", scores.agreements),
                    ("persons", scores.persons),
                )
            ):
                rows.append(
                    (
                        scores.doc if i == 0 else "",
                        name,
                        str(s.tp),
                        str(s.system),
                        str(s.gold),
                        _fmt(s.precision),
                        _fmt(s.recall),
                        _fmt(s.f1),
                    )
                )
            d = scores.direction
            rows.append(
                ("", "direction", str(d.correct), str(d.total), "-", _fmt(d.accuracy), "-", "-")
            )
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

        def line(row: tuple[str, ...]) -> str:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            cells += [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
            return "  ".join(cells).rstrip()

        out = [line(header), "-" * len(line(header))]
        for i, row in enumerate(rows):
            if i and row[0]:
                out.append("")
            out.append(line(row))
        out.append("")
        out.append(
            "direction: tp = matched visits with the right direction, system = matched visits,"
        )
        out.append("precision = accuracy.")
        return "\n".join(out)


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


def _assign(edges: Mapping[tuple[int, int], int]) -> dict[int, int]:
    """A maximum matching of least total cost (costs >= 0), as ``{left: right}``.

    Successive shortest augmenting paths (Bellman-Ford on the residual graph),
    so the number of pairs and their total cost do not depend on input order.

    >>> _assign({(0, 0): 0, (0, 1): 0, (1, 0): 0})
    {0: 1, 1: 0}
    >>> sorted(_assign({(0, 0): 1, (0, 1): 0, (1, 1): 1, (1, 0): 1}).items())
    [(0, 1), (1, 0)]
    """
    adj: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (i, j), cost in sorted(edges.items()):
        adj[i].append((j, cost))
    match_l: dict[int, int] = {}
    match_r: dict[int, int] = {}
    while True:
        dist_l = {i: 0 for i in adj if i not in match_l}
        dist_r: dict[int, int] = {}
        prev_r: dict[int, int] = {}
        changed = True
        while changed:
            changed = False
            for i, d in list(dist_l.items()):
                for j, cost in adj[i]:
                    if match_l.get(i) == j:
                        continue
                    if d + cost < dist_r.get(j, 1 << 60):
                        dist_r[j] = d + cost
                        prev_r[j] = i
                        changed = True
            for j, d in list(dist_r.items()):
                back = match_r.get(j)
                if back is not None and d - edges[(back, j)] < dist_l.get(back, 1 << 60):
                    dist_l[back] = d - edges[(back, j)]
                    changed = True
        free = [(d, j) for j, d in dist_r.items() if j not in match_r]
        if not free:
            return match_l
        j = min(free)[1]
        while True:
            i = prev_r[j]
            old = match_l.get(i)
            match_l[i] = j
            match_r[j] = i
            if old is None:
                break
            j = old


def _covers(
    gold_parties: Sequence[frozenset[str]], system_parties: Sequence[frozenset[str]]
) -> bool:
    """Whether every gold party is matched by a different system party."""
    if len(gold_parties) > len(system_parties):
        return False
    edges = {
        (i, j): 0 for i, g in enumerate(gold_parties) for j, s in enumerate(system_parties) if g & s
    }
    return len(_assign(edges)) == len(gold_parties)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key becomes the root: deterministic representatives.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def _groups(keys: Sequence[Any], same: Any) -> list[list[int]]:
    """Indices of ``keys`` grouped transitively by the predicate ``same(a, b)``."""
    uf = _UnionFind()
    for i in range(len(keys)):
        uf.find(i)
        for j in range(i):
            if same(keys[i], keys[j]):
                uf.union(i, j)
    out: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        out[uf.find(i)].append(i)
    return [out[k] for k in sorted(out)]


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _GoldVisitVariant:
    record: str
    doc: str
    visitor: frozenset[str]
    host: frozenset[str]
    span: Span | None
    direction: str
    text: str


@dataclass(frozen=True)
class _GoldAgreementVariant:
    record: str
    doc: str
    kind: str
    parties: tuple[frozenset[str], ...]
    span: Span | None
    text: str


@dataclass
class _GoldUnit:
    happening: str
    variants: list[Any]

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(sorted({v.doc for v in self.variants}))

    @property
    def ref(self) -> str:
        return ",".join(sorted({v.record for v in self.variants}))


@dataclass
class _SystemUnit:
    ref: str
    docs: set[str]
    names: list[frozenset[str]]
    spans: set[Span | None]
    directions: set[str]
    kind: str
    text: str
    en: frozenset[str] = frozenset()


def _doc_name(value: object) -> str:
    return str(value).replace("\\", "/").rsplit("/", 1)[-1] if value is not None else ""


class _Scope:
    """Which scored documents a system answer's sources lie in."""

    def __init__(self, documents: Iterable[str]) -> None:
        self.documents = sorted({_doc_name(d) for d in documents if d})
        self._by_name = {d: d for d in self.documents}
        for d in self.documents:
            stem = d.rsplit(".", 1)[0]
            self._by_name.setdefault(stem, d)

    def docs(self, answer: Mapping[str, Any]) -> set[str]:
        out = set()
        for src in answer.get("sources") or ():
            if isinstance(src, Mapping):
                doc = self._by_name.get(_doc_name(src.get("doc")))
                if doc is not None:
                    out.add(doc)
        return out


def _party_names(party: object) -> frozenset[str]:
    if not isinstance(party, Mapping):
        return frozenset()
    return _norm_set([party.get("label"), *(party.get("aliases") or ())])


def _party_key(party: object) -> str:
    if not isinstance(party, Mapping):
        return ""
    return str(party.get("iri") or normalise_name(str(party.get("label") or "")))


def _party_label(party: object) -> str:
    if not isinstance(party, Mapping):
        return "?"
    return str(party.get("label") or party.get("iri") or "?")


def _span_text(start: str | None, end: str | None = None) -> str:
    if start is None:
        return "no date"
    return start if end in (None, start) else f"{start}..{end}"


def _happenings(gold: Sequence[GoldRecord]) -> dict[str, str]:
    uf = _UnionFind()
    ids = {r.id for r in gold}
    for rec in gold:
        uf.find(rec.id)
        if rec.same_as in ids:
            uf.union(rec.id, rec.same_as)
    return {rec.id: uf.find(rec.id) for rec in gold}


def _gold_visits(gold: Sequence[GoldRecord], happening: Mapping[str, str]) -> list[_GoldUnit]:
    by_happening: dict[str, list[_GoldVisitVariant]] = defaultdict(list)
    for rec in gold:
        if rec.type == "video_meeting":
            continue
        for v in rec.visits:
            by_happening[happening[rec.id]].append(
                _GoldVisitVariant(
                    record=rec.id,
                    doc=_doc_name(rec.doc),
                    visitor=_norm_set(v.visitor),
                    host=_norm_set(v.host),
                    span=rec.span,
                    direction=v.direction,
                    text=f"[{rec.id}] {v.visitor[0]} -> {v.host[0]} "
                    f"{_span_text(rec.start, rec.end)} ({v.direction})",
                )
            )

    def same(a: _GoldVisitVariant, b: _GoldVisitVariant) -> bool:
        dated = a.span is None or b.span is None or spans_overlap(a.span, b.span)
        return bool(a.visitor & b.visitor) and bool(a.host & b.host) and dated

    units = []
    for h in sorted(by_happening):
        variants = by_happening[h]
        for group in _groups(variants, same):
            units.append(_GoldUnit(h, [variants[i] for i in group]))
    return units


def _gold_agreements(gold: Sequence[GoldRecord], happening: Mapping[str, str]) -> list[_GoldUnit]:
    by_happening: dict[str, list[_GoldAgreementVariant]] = defaultdict(list)
    for rec in gold:
        for a in rec.agreements:
            names = " + ".join(p[0] for p in a.parties)
            by_happening[happening[rec.id]].append(
                _GoldAgreementVariant(
                    record=rec.id,
                    doc=_doc_name(rec.doc),
                    kind=a.kind,
                    parties=tuple(_norm_set(p) for p in a.parties),
                    span=rec.span,
                    text=f"[{rec.id}] {a.kind} {_span_text(rec.start, rec.end)}: {names}",
                )
            )

    def same(a: _GoldAgreementVariant, b: _GoldAgreementVariant) -> bool:
        if a.kind != b.kind:
            return False
        if not (a.span is None or b.span is None or spans_overlap(a.span, b.span)):
            return False
        short, long = sorted((a.parties, b.parties), key=len)
        return _covers(short, long)

    units = []
    for h in sorted(by_happening):
        variants = by_happening[h]
        for group in _groups(variants, same):
            units.append(_GoldUnit(h, [variants[i] for i in group]))
    return units


def _system_visits(visits: Iterable[Mapping[str, Any]], scope: _Scope) -> list[_SystemUnit]:
    units: dict[tuple[str, str, str], _SystemUnit] = {}
    for item in visits:
        if item.get("type") == "video_meeting":
            continue
        visitor, host = item.get("visitor"), item.get("host")
        key = (str(item.get("event") or ""), _party_key(visitor), _party_key(host))
        unit = units.get(key)
        if unit is None:
            unit = units[key] = _SystemUnit(
                ref=key[0],
                docs=set(),
                names=[frozenset(), frozenset()],
                spans=set(),
                directions=set(),
                kind="visit",
                text=f"<{key[0]}> {_party_label(visitor)} -> {_party_label(host)} "
                f"{_span_text(item.get('start'), item.get('end'))} ({item.get('direction')})",
            )
        unit.docs |= scope.docs(item)
        unit.names = [unit.names[0] | _party_names(visitor), unit.names[1] | _party_names(host)]
        unit.spans.add(date_span(item.get("start")))
        if item.get("direction"):
            unit.directions.add(str(item["direction"]))
    return [units[k] for k in sorted(units) if units[k].docs]


def _system_agreements(agreements: Iterable[Mapping[str, Any]], scope: _Scope) -> list[_SystemUnit]:
    units: dict[tuple[str, str, frozenset[str]], _SystemUnit] = {}
    for item in agreements:
        parties = [p for p in item.get("parties") or () if isinstance(p, Mapping)]
        kind = str(item.get("kind") or "")
        key = (str(item.get("event") or ""), kind, frozenset(_party_key(p) for p in parties))
        unit = units.get(key)
        if unit is None:
            names = " + ".join(_party_label(p) for p in parties)
            unit = units[key] = _SystemUnit(
                ref=key[0],
                docs=set(),
                names=[_party_names(p) for p in sorted(parties, key=_party_key)],
                spans=set(),
                directions=set(),
                kind=kind,
                text=f"<{key[0]}> {kind} {_span_text(item.get('date'))}: {names}",
            )
        unit.docs |= scope.docs(item)
        unit.spans.add(date_span(item.get("date")))
    return [
        units[k] for k in sorted(units, key=lambda k: (k[0], k[1], sorted(k[2]))) if units[k].docs
    ]


def _system_persons(entities: Iterable[Mapping[str, Any]], scope: _Scope) -> list[_SystemUnit]:
    units: dict[str, _SystemUnit] = {}
    for item in entities:
        if item.get("type") != "person":
            continue
        iri = str(item.get("iri") or item.get("label") or "")
        unit = units.get(iri)
        label = item.get("label")
        en = item.get("label_en")
        if unit is None:
            unit = units[iri] = _SystemUnit(
                ref=iri,
                docs=set(),
                names=[frozenset()],
                spans=set(),
                directions=set(),
                kind="person",
                text=f"<{iri}> {label}" + (f" ({en})" if en else ""),
            )
        unit.docs |= scope.docs(item)
        unit.names = [unit.names[0] | _norm_set([label, *(item.get("aliases") or ())])]
        unit.en = unit.en | _norm_set([en])
    return [units[k] for k in sorted(units) if units[k].docs]


@dataclass
class _GoldPersonUnit:
    doc: str
    names: frozenset[str]
    en: frozenset[str]
    records: tuple[str, ...]
    text: str


def _gold_persons(gold: Sequence[GoldRecord], doc: str) -> list[_GoldPersonUnit]:
    found: list[tuple[str, GoldPerson]] = [
        (rec.id, p) for rec in gold if _doc_name(rec.doc) == doc for p in rec.persons
    ]
    keys = [(_norm_set([p.name]), _norm_set([p.en])) for _, p in found]

    def same(
        a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]
    ) -> bool:
        return bool(a[0] & b[0]) or bool(a[1] & b[1])

    units = []
    for group in _groups(keys, same):
        members = [found[i] for i in group]
        first = members[0][1]
        units.append(
            _GoldPersonUnit(
                doc=doc,
                names=frozenset().union(*(keys[i][0] for i in group)),
                en=frozenset().union(*(keys[i][1] for i in group)),
                records=tuple(sorted({r for r, _ in members})),
                text=f"[{','.join(sorted({r for r, _ in members}))}] {first.name}"
                + (f" ({first.en})" if first.en else ""),
            )
        )
    return units


def _visit_edge(s: _SystemUnit, g: _GoldUnit) -> int | None:
    """None if no match, else the cost: 0 with the right direction, 1 otherwise."""
    for v in g.variants:
        if s.names[0] & v.visitor and s.names[1] & v.host and _date_ok(s.spans, v.span):
            right = bool(s.directions) and s.directions <= {x.direction for x in g.variants}
            return 0 if right else 1
    return None


def _agreement_edge(s: _SystemUnit, g: _GoldUnit) -> int | None:
    for v in g.variants:
        if s.kind == v.kind and _date_ok(s.spans, v.span) and _covers(v.parties, s.names):
            return 0
    return None


def _person_edge(s: _SystemUnit, g: _GoldPersonUnit) -> int | None:
    return 0 if (s.names[0] & g.names or s.en & g.en) else None


def _match(
    system: Sequence[_SystemUnit], gold: Sequence[Any], edge: Any
) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    edges = {}
    for i, s in enumerate(system):
        for j, g in enumerate(gold):
            cost = edge(s, g)
            if cost is not None:
                edges[(i, j)] = cost
    return _assign(edges), edges


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def evaluate(
    gold: Iterable[GoldRecord],
    visits: Iterable[Mapping[str, Any]],
    agreements: Iterable[Mapping[str, Any]],
    entities: Iterable[Mapping[str, Any]],
    *,
    documents: Iterable[str] = (),
) -> EvalReport:
    """Score system answers (JSON contract dicts) against gold records.

    ``documents`` adds scored documents that have a gold file but no record.
    See the module docstring for every scoring decision.
    """
    gold = list(gold)
    scope = _Scope([r.doc for r in gold] + list(documents))
    happening = _happenings(gold)
    gold_visits = _gold_visits(gold, happening)
    gold_agreements = _gold_agreements(gold, happening)
    sys_visits = _system_visits(visits, scope)
    sys_agreements = _system_agreements(agreements, scope)
    sys_persons = _system_persons(entities, scope)
    unmatched: list[Unmatched] = []

    def score(
        kind: ErrorKind,
        system: Sequence[_SystemUnit],
        gold_units: Sequence[Any],
        edge: Any,
        record: bool,
        doc: str | None = None,
    ) -> tuple[Score, Accuracy]:
        pairs, edges = _match(system, gold_units, edge)
        if record:
            hit = set(pairs.values())
            for j, g in enumerate(gold_units):
                if j not in hit:
                    docs = g.docs if isinstance(g, _GoldUnit) else (g.doc,)
                    ref = g.ref if isinstance(g, _GoldUnit) else ",".join(g.records)
                    text = g.variants[0].text if isinstance(g, _GoldUnit) else g.text
                    unmatched.append(Unmatched(kind, "gold", docs, ref, text))
            for i, s in enumerate(system):
                if i not in pairs:
                    docs = (doc,) if doc is not None else tuple(sorted(s.docs))
                    unmatched.append(Unmatched(kind, "system", docs, s.ref, s.text))
            if kind == "visits":
                for i, j in sorted(pairs.items()):
                    if edges[(i, j)]:
                        g = gold_units[j]
                        unmatched.append(
                            Unmatched(
                                "direction",
                                "pair",
                                g.docs,
                                f"{system[i].ref} ~ {g.ref}",
                                f"{system[i].text} ~ gold {g.variants[0].text}",
                            )
                        )
        right = sum(1 for i, j in pairs.items() if edges[(i, j)] == 0)
        return Score(len(pairs), len(system), len(gold_units)), Accuracy(right, len(pairs))

    rows = []
    person_total = Score(0, 0, 0)
    for doc in scope.documents:
        v, direction = score(
            "visits",
            [s for s in sys_visits if doc in s.docs],
            [g for g in gold_visits if doc in g.docs],
            _visit_edge,
            record=False,
        )
        a, _ = score(
            "agreements",
            [s for s in sys_agreements if doc in s.docs],
            [g for g in gold_agreements if doc in g.docs],
            _agreement_edge,
            record=False,
        )
        p, _ = score(
            "persons",
            [s for s in sys_persons if doc in s.docs],
            _gold_persons(gold, doc),
            _person_edge,
            record=True,
            doc=doc,
        )
        person_total += p
        rows.append(DocumentScores(doc, v, a, p, direction))

    v, direction = score("visits", sys_visits, gold_visits, _visit_edge, record=True)
    a, _ = score("agreements", sys_agreements, gold_agreements, _agreement_edge, record=True)
    overall = DocumentScores(OVERALL, v, a, person_total, direction)
    order = {"visits": 0, "direction": 1, "agreements": 2, "persons": 3}
    unmatched.sort(key=lambda u: (order[u.kind], u.side, u.docs, u.ref, u.text))
    return EvalReport(tuple(rows), overall, tuple(unmatched))
