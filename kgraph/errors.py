"""Every error a user can see, with its message, in one place (as spaCy's ``errors.py``).

Commands catch :class:`KgraphError` at the edge and print ``str(error)`` as one
line with a non-zero exit; nothing else should reach the user as a traceback.
"""

from __future__ import annotations

from enum import StrEnum


class Errors(StrEnum):
    """Message templates, formatted with keyword arguments."""

    E001 = "no such file or folder: {path}"
    E002 = "{path}: the file is empty"
    E003 = "{path}: binary content, not a text document"
    E004 = "{path}: unsupported file type '{suffix}' (expected one of {supported})"
    E005 = "{path}: cannot detect the text encoding"
    E006 = "{path}: cannot read the document: {reason}"
    E007 = "no documents found in {paths}"
    E008 = "{path}: permission denied"
    E009 = "{path}: {size} MB of text, more than the {limit} MB a document may have"
    E013 = "{path}: mixed text encodings ({bad} bytes are not UTF-8, the first at byte {at})"
    E014 = "{path}: a symbolic link that loops or leads nowhere"
    E015 = "no documents to build: all {count} files were skipped (the first: {first})"
    E016 = "{first} and {second} would both be document {doc_id}: rename one of them"
    E010 = "no built graph at {path}; run 'kgraph build' first"
    E011 = "{path} is not a kgraph store"
    E012 = "cannot write the output to {path}: {reason}"
    E020 = "SPARQL query failed: {reason}"
    E021 = "no query given: pass a QUERY or --file F.rq"
    E022 = "unknown query '{name}'"
    E023 = "SPARQL endpoint {url} failed: {reason}"
    E024 = "the query ran longer than the time limit of {seconds:g} s and was stopped"
    E025 = "this endpoint is read-only: SPARQL updates and Graph Store writes are refused"
    E026 = "cannot serve on {address}: {reason}"
    E027 = "invalid query parameter '{value}': expected NAME=VALUE"
    E028 = (
        "the answer is larger than this endpoint's result-size limit of {limit}: "
        "add a LIMIT, or ask for fewer variables"
    )
    E030 = "no gold files (*.jsonl) in {path}"
    E031 = "{path}:{line}: invalid gold record: {reason}"
    E040 = "ontology file not found: {path}"
    E041 = "invalid date '{value}': expected YYYY, YYYY-MM or YYYY-MM-DD"
    E042 = "invalid base IRI '{value}': expected an absolute http(s) IRI ending in / or #"
    E043 = "the graph does not conform to the shapes: {count} violations (first: {first})"
    E050 = "unsupported export format '{format}' (expected one of {supported})"
    E060 = "no such page '{path}': queries go to /sparql, the query page is /"
    E061 = "method {method} is not allowed: this endpoint answers {allowed} only"
    E062 = "the query page answers GET only: POST queries to /sparql"
    E063 = "a POST needs a Content-Length header"
    E070 = "no party or person named '{name}'"
    E071 = "the name '{name}' is ambiguous: it names {candidates}"
    E072 = "cannot count by '{by}' (expected one of {supported})"
    E073 = "unknown measure '{measure}' (expected one of {supported})"
    E074 = "the ego network needs a name: pass --name NAME (a party or a person)"
    E075 = "a window of {years} years before {as_of} would begin before year 1"
    E080 = (
        "cannot read {path}, a browser asset of the HTML views: {reason}"
        " (reinstall kgraph and pyvis)"
    )
    E090 = "no chromium on PATH: install it with scripts/setup.sh --test (Debian's chromium)"
    E091 = "playwright is not installed: pip install -e '.[test]' (scripts/setup.sh --test)"

    def format(self, *args: object, **kwargs: object) -> str:
        return f"[{self.name}] " + str(self.value).format(*args, **kwargs)


class KgraphError(Exception):
    """An error meant for the user: its text is one clear line.

    >>> str(KgraphError(Errors.E001, path="x.txt"))
    '[E001] no such file or folder: x.txt'
    """

    def __init__(self, error: Errors, **kwargs: object) -> None:
        self.code = error.name
        super().__init__(error.format(**kwargs))

    def __reduce__(self) -> tuple[object, ...]:
        # A build's worker processes send errors back pickled; the message is already made.
        return (_restore, (type(self), self.code, str(self)))


def _restore(cls: type[KgraphError], code: str, message: str) -> KgraphError:
    """An error as a worker process raised it (see :meth:`KgraphError.__reduce__`).

    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(KgraphError(Errors.E001, path="x.txt")))
    >>> error.code, str(error)
    ('E001', '[E001] no such file or folder: x.txt')
    """
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.code = code
    return error


class InputError(KgraphError):
    """A source document that cannot be read."""


class StoreError(KgraphError):
    """A graph store that is missing, unreadable or failed a query."""
