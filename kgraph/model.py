"""The frozen records that the pipeline's stages hand to each other.

Data flows one way::

    read (Document) -> normalise (NormalisedText) -> segment (Unit)
    -> recognise (Mention) -> extract (Happening) -> resolve (Entity, Event)
    -> graph (RDF) -> store -> query / analyse / view

Every record is immutable so that a stage can never change what an earlier
stage saw; offsets always count characters (code points). Records have slots and no
``__dict__``: at 1,000 reports a build holds 1.4 million of them at once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, TypeVar

EntityType = Literal["person", "place", "org"]
PlaceKind = Literal["city", "region", "country"]
HappeningType = Literal["visit", "video_meeting", "agreement", "event"]
Direction = Literal["inbound", "outbound", "local"]
MentionLabel = Literal["PERSON", "PLACE", "ORG", "TITLE", "DATE", "KAOHSIUNG"]
AgreementKind = Literal[
    "sister_city",
    "friendship_city",
    "partner_city",
    "mou",
    "loi",
    "declaration",
    "sister_school",
]

#: The label of the home city's own words for itself (本府, 本市, 高雄).
HOME_LABEL: MentionLabel = "KAOHSIUNG"
#: The labels of mentions that name a party (the home city's own words among them).
PARTY_LABELS = frozenset({"PLACE", "ORG", HOME_LABEL})

_Record = TypeVar("_Record", bound=type)


def pickled_by_fields(cls: _Record) -> _Record:
    """Pickle a slotted frozen dataclass as its constructor and its fields' values.

    The cache keeps every extraction as a pickle. The state functions that
    ``dataclass(slots=True, frozen=True)`` adds loop over the fields in Python, and took
    a build's 1,000 cached extractions twice as long to pickle and to unpickle as the
    ``__dict__`` they replace (3.5 s instead of 1.6 s each way); one C call
    (:func:`operator.attrgetter`) to read the values and the constructor to set them
    take 1.3 s and 1.6 s. The constructor takes the values in order, so every field must
    be a positional argument of it.

    >>> import pickle
    >>> pickle.loads(pickle.dumps(DateSpan("2023-03", "2023-04")))
    DateSpan(start='2023-03', end='2023-04')
    """
    if any(not f.init or f.kw_only for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: every field must be a positional argument")
    names = [f.name for f in fields(cls)]
    # attrgetter gives a tuple of values for several names, the value alone for one
    values: Callable[[Any], tuple[Any, ...]] = (
        attrgetter(*names) if len(names) > 1 else lambda record: (getattr(record, names[0]),)
    )

    def reduce_record(record: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(record)

    setattr(cls, "__reduce__", reduce_record)  # noqa: B010 - mypy forbids assigning a method
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """One source file as read from disk: its original text is never altered.

    ``doc_id`` is stable across builds because it comes from the file name.
    """

    doc_id: str
    name: str
    path: str
    text: str
    media_type: str = "text/plain"

    def info(self, content_hash: str) -> DocumentInfo:
        """What later stages keep of the document once it is extracted (not its text)."""
        return DocumentInfo(self.doc_id, self.name, self.path, self.media_type, content_hash)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document without its text: what the graph says about the file, and what a build
    holds per document, so that memory does not grow with the corpus's text.

    ``content_hash`` is the SHA-256 of the text (NFC): an incremental build redoes a
    document only when it changes.
    """

    doc_id: str
    name: str
    path: str
    media_type: str
    content_hash: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Cleaned text plus a map from each of its characters back to the original.

    ``offsets[i]`` is the index in the original text of normalised character
    ``i``; ``offsets[len(text)]`` is the original length, so that an end offset
    maps too.

    >>> n = NormalisedText("ab", (0, 2, 3))
    >>> n.to_original(0, 2)
    (0, 3)
    >>> n.to_original(1, 2)
    (2, 3)
    """

    text: str
    offsets: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span onto the original text."""
        if end <= start:
            pos = self.offsets[start]
            return pos, pos
        # The end maps to just after the original position of the last character,
        # so that characters dropped after it (a joined line break) stay outside.
        return self.offsets[start], self.offsets[end - 1] + 1

    def to_normalised(self, original: int) -> int:
        """Index of the first normalised character at or after an original offset."""
        return bisect_right(self.offsets, original - 1) if original > 0 else 0


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of extraction: one numbered item (or paragraph) with its section path.

    ``start``/``end`` are offsets into the document's normalised text; ``text``
    is that slice, kept for convenience.
    """

    doc_id: str
    index: int
    section: tuple[str, ...]
    marker: str
    start: int
    end: int
    text: str
    heading: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DateSpan:
    """A calendar span, each end an ISO prefix: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    >>> DateSpan("2023-01-13", "2023-01-15").start
    '2023-01-13'
    """

    start: str
    end: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Mention:
    """A recognised name in the normalised text of one document.

    ``key`` is the canonical name it resolves to in the gazetteer (or the
    surface form when the name is unknown); ``country`` and ``kind`` come from
    the gazetteer for places and organisations.
    """

    label: MentionLabel
    text: str
    start: int
    end: int
    key: str = ""
    latin: str | None = None
    country: str | None = None
    kind: str | None = None
    wikidata: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact came from: character offsets into the *original* file."""

    doc: str
    start: int
    end: int
    quote: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PartyRef:
    """A party (place or organisation) as one happening names it."""

    key: str
    type: EntityType
    names: tuple[str, ...]
    country: str | None = None
    kind: str | None = None
    wikidata: str | None = None
    latin: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as one happening names them, with the title used there."""

    name: str
    latin: str | None = None
    title: str | None = None
    of: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class VisitRel:
    """One visiting relation: the visitor party goes to (or calls on) the host party."""

    visitor: PartyRef
    host: PartyRef
    direction: Direction
    visitor_persons: tuple[PersonRef, ...] = ()
    host_persons: tuple[PersonRef, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class AgreementRel:
    """A signed document: its kind, its parties and who signed it."""

    kind: AgreementKind
    parties: tuple[PartyRef, ...]
    signatories: tuple[PersonRef, ...] = ()
    witnesses: tuple[PersonRef, ...] = ()
    title: str | None = None
    ordinal: int | None = None
    date: DateSpan | None = None  # when the text dates the signing itself

    @property
    def signature(self) -> tuple[str, frozenset[str]]:
        """What makes two tellings the same document: its kind and its parties' keys.

        >>> home = PartyRef("高雄市", "place", ("高雄市",))
        >>> AgreementRel("mou", (home,)).signature
        ('mou', frozenset({'高雄市'}))
        """
        return (self.kind, frozenset(p.key for p in self.parties))


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Happening:
    """What one unit of one report says happened: the output of extraction."""

    doc_id: str
    type: HappeningType
    date: DateSpan | None
    source: Source
    title: str = ""
    visits: tuple[VisitRel, ...] = ()
    agreements: tuple[AgreementRel, ...] = ()
    participants: tuple[PartyRef, ...] = ()
    persons: tuple[PersonRef, ...] = ()
    parties: tuple[PartyRef, ...] = ()
    delegation: bool = False  # a visit by a group sent or led (率團, 代表團): kg:Delegation
    # each mention of one of its parties or persons, with its passage (see :meth:`tells_of`)
    mentions: tuple[tuple[Mention, Source], ...] = field(default=(), compare=False)

    def party_named(self, mention: Mention) -> PartyRef | None:
        """The party among its own that ``mention`` names (one of its names, or its key).

        >>> home = PartyRef("高雄市", "place", ("高雄市", "本市"))
        >>> h = Happening("d", "event", None, Source("d", 0, 2, "本市"), parties=(home,))
        >>> h.party_named(Mention("KAOHSIUNG", "本市", 0, 2)) is home
        True
        """
        for party in self.parties:
            if mention.text in party.names or mention.key == party.key:
                return party
        return None

    def tells_of(self, mention: Mention) -> bool:
        """Whether ``mention`` names one of its persons, or is a place or organisation
        that names one of its parties: the mentions that resolution keeps, as passages
        of an entity. A happening keeps no other: half of a unit's mentions (titles, and
        places that only say where) would otherwise be held with it until resolution.

        >>> who = PersonRef("陳其邁", title="市長")
        >>> h = Happening("d", "visit", None, Source("d", 0, 5, "陳其邁市長"), persons=(who,))
        >>> person, title = Mention("PERSON", "陳其邁", 0, 3), Mention("TITLE", "市長", 3, 5)
        >>> h.tells_of(person), h.tells_of(title)
        (True, False)
        """
        if mention.label == "PERSON":
            return any(p.name == mention.text for p in self.persons)
        return mention.label in PARTY_LABELS and self.party_named(mention) is not None
