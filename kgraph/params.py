"""Query parameters: values bound into SPARQL text, never pasted into it.

Each value becomes an RDF term escaped by pyoxigraph (:func:`to_term`) and is joined in
through a ``VALUES`` block (:func:`values_clause`). :func:`bind_query` places that block at
the opening of every ``WHERE`` group, the query's own and each sub-select's, that names the
variable, so a parameter means the same wherever the query uses it. It also reads two
conventions of the bundled ``.rq`` files, both there for speed:

* ``#if ?name`` … ``#end``: lines kept only when ``name`` is bound. A filter on a name
  starts from that name's index entry when set, and costs nothing when not.
* ``?nameKey``: bound to :func:`~kgraph.normalise.name_key` of ``name``'s value when the
  query names ``?nameKey`` but not ``?name``. The store
  looks the key up in its index; a ``BIND`` computing it inside the query would hide the
  value from Oxigraph's join planner (2 ms against seconds for one city at 1,000 reports).
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Mapping

import pyoxigraph as ox

from kgraph.errors import Errors, StoreError
from kgraph.normalise import name_key

__all__ = ["Binding", "BindingValue", "bind_query", "to_term", "values_clause"]

BindingValue = str | int | float | ox.NamedNode | ox.Literal
#: A value to bind, or a tuple of them: the query answers for each (see :func:`values_clause`).
Binding = BindingValue | tuple[BindingValue, ...]

_IRI_STRING = re.compile(r"^(?:https?://|urn:)\S+$")
KEY_SUFFIX = "Key"


def to_term(value: BindingValue) -> ox.NamedNode | ox.Literal:
    """The RDF term for one binding value.

    ``int``/``float``/``bool`` become typed literals; a ``str`` that is an absolute
    ``http(s):`` or ``urn:`` IRI becomes an IRI (so IRIs read from result rows can be bound
    back), any other ``str`` a plain ``xsd:string`` literal. Pass an rdflib ``URIRef`` or
    ``Literal`` (or a pyoxigraph term) to be explicit, e.g. for a language-tagged label.

    >>> str(to_term("https://w3id.org/kgraph/id/taipei"))
    '<https://w3id.org/kgraph/id/taipei>'
    >>> str(to_term('say "hi"'))
    '"say \\\\"hi\\\\""'
    >>> str(to_term(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, bool | int | float):
        return ox.Literal(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot bind a {type(value).__name__}: use str, int or float")
    if type(value) is not str:  # an rdflib term is a str subclass
        from rdflib.term import BNode, URIRef
        from rdflib.term import Literal as RdflibLiteral

        if isinstance(value, URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, RdflibLiteral):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            if value.datatype is not None:
                return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
            return ox.Literal(str(value))
        if isinstance(value, BNode):
            raise TypeError("cannot bind a blank node")
    if _IRI_STRING.match(value):
        with contextlib.suppress(ValueError):
            return ox.NamedNode(value)
    return ox.Literal(str(value))


def values_clause(bindings: Mapping[str, Binding]) -> str:
    """A SPARQL ``VALUES`` block for ``bindings``, every term escaped by pyoxigraph: one
    row, or where a value is a tuple of values, one row for each (for each combination,
    with several), so that the query answers for any of them.

    >>> print(values_clause({"name": 'x" } ; DROP ALL ; #', "n": 2}))
    VALUES (?name ?n) { ("x\\" } ; DROP ALL ; #" "2"^^<http://www.w3.org/2001/XMLSchema#integer>) }
    >>> print(values_clause({"s": ("urn:a", "urn:b")}))
    VALUES (?s) { (<urn:a>) (<urn:b>) }
    >>> values_clause({"bad name": "x"})
    Traceback (most recent call last):
    ...
    ValueError: invalid variable name 'bad name'
    """
    names = []
    for name in bindings:
        try:
            names.append(str(ox.Variable(name)))
        except ValueError:
            raise ValueError(f"invalid variable name {name!r}") from None
    columns = [
        [str(to_term(v)) for v in value] if isinstance(value, tuple) else [str(to_term(value))]
        for value in bindings.values()
    ]
    rows = " ".join(f"({' '.join(row)})" for row in itertools.product(*columns))
    return f"VALUES ({' '.join(names)}) {{ {rows} }}"


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_:][\w\-.:]*")
_VARNAME = re.compile(r"[\w\u00b7\u0300-\u036f\u203f-\u2040]+")
_IF_BLOCK = re.compile(r"^[ \t]*#if \?(\w+)[ \t]*\n(.*?)^[ \t]*#end[ \t]*(?:\n|\Z)", re.M | re.S)


def keep_conditional(query: str, bound: set[str] | frozenset[str]) -> str:
    """``query`` without its ``#if ?name`` … ``#end`` blocks whose ``name`` is not bound
    (the lines of the others are kept, the markers dropped); blocks do not nest.

    >>> q = "SELECT * WHERE {\\n  ?s ?p ?o .\\n  #if ?name\\n  ?s ?q ?name .\\n  #end\\n}"
    >>> print(keep_conditional(q, {"name"}))
    SELECT * WHERE {
      ?s ?p ?o .
      ?s ?q ?name .
    }
    >>> print(keep_conditional(q, set()))
    SELECT * WHERE {
      ?s ?p ?o .
    }
    """
    return _IF_BLOCK.sub(lambda m: m.group(2) if m.group(1) in bound else "", query)


def _conditions(query: str) -> set[str]:
    return {m.group(1) for m in _IF_BLOCK.finditer(query)}


def _scan(query: str) -> list[tuple[int, int, set[str]]]:
    """Lex just enough SPARQL to find the ``WHERE`` groups and the variables in each.

    Returns (offset of the ``{``, of its ``}``, the names of the variables inside, nested
    groups included) for the query's ``WHERE`` group first (the first top-level group when
    no ``WHERE`` is written; its names include those of the query's SELECT, GROUP BY,
    HAVING and ORDER BY clauses), then for each sub-select's. Strings, IRIs and comments are
    skipped, so braces, keywords or variables inside them do not count.
    """
    groups: list[tuple[int, int, set[str]]] = []
    open_groups: list[tuple[int, bool, set[str]]] = []  # (offset, a WHERE group, variables)
    first_top: tuple[int, int, set[str]] | None = None
    outside: set[str] = set()  # SELECT clause, GROUP BY, HAVING, ORDER BY of the query
    after_where = False
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c.isspace():
            i += 1
            continue
        where = False
        if c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and (m := _IRIREF.match(query, i)):
            i = m.end()
        elif c in "?$" and (m := _VARNAME.match(query, i + 1)):
            for _, _, names in open_groups or [(0, False, outside)]:
                names.add(m.group())
            i = m.end()
        elif c.isalpha() or c in "_:":
            m = _WORD.match(query, i)
            assert m is not None
            where = m.group().upper() == "WHERE"
            i = m.end()
        elif c == "{":
            open_groups.append((i, after_where, set()))
            i += 1
        elif c == "}":
            if open_groups:
                opened, is_where, names = open_groups.pop()
                if is_where:
                    groups.append((opened, i, names))
                elif not open_groups and first_top is None:
                    first_top = (opened, i, names)
            i += 1
        else:
            i += 1
        after_where = where
    groups.sort(key=lambda g: g[0])
    if not groups or (first_top is not None and first_top[0] < groups[0][0]):
        groups = ([first_top] if first_top else []) + groups
    if groups:
        groups[0][2].update(outside)
    return groups


def bind_query(query: str, bindings: Mapping[str, Binding] | None) -> str:
    """``query`` with ``bindings`` joined in by a ``VALUES`` block opening each ``WHERE``
    group (the query's and every sub-select's) that names a bound variable.

    The block sits inside the group, so the values also constrain its aggregates and
    ``FILTER``s. Every bound name must be a variable of the query (or the name of an
    ``#if`` block, or ``NAME`` of a ``?NAMEKey``); the ``#if`` blocks of unbound names are
    dropped, and ``?NAMEKey`` gets the search key of ``NAME``'s value.

    >>> print(bind_query("SELECT ?s WHERE { ?s ?p ?name }", {"name": "Taipei"}))
    SELECT ?s WHERE { VALUES (?name) { ("Taipei") } ?s ?p ?name }
    >>> print(bind_query("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?cityKey } } }",
    ...                  {"city": "臺北 市"}).replace('VALUES (?cityKey) { ("台北市") }', "V"))
    SELECT * WHERE { V { SELECT ?s WHERE { V ?s ?p ?cityKey } } }
    >>> bind_query("SELECT ?s WHERE { ?s ?p ?o }", {"nmae": "x"})
    Traceback (most recent call last):
    ...
    kgraph.errors.StoreError: [E020] SPARQL query failed: the query has no variable ?nmae to bind
    """
    bindings = dict(bindings or {})
    conditions = _conditions(query)
    query = keep_conditional(query, set(bindings)) if conditions else query
    if not bindings:
        return query
    groups = _scan(query)
    named = set().union(*(names for _, _, names in groups)) if groups else set()
    for name in list(bindings):
        key = name + KEY_SUFFIX
        if name not in named and key in named and key not in bindings:
            value = bindings[name]
            if isinstance(value, tuple):
                bindings[key] = tuple(name_key(str(v)) for v in value)
            else:
                bindings[key] = name_key(str(value))
    keyed = {v[: -len(KEY_SUFFIX)] for v in named if v.endswith(KEY_SUFFIX)}
    allowed = named | conditions | keyed
    for name in bindings:
        if name not in allowed:
            raise StoreError(Errors.E020, reason=f"the query has no variable ?{name} to bind")
    if not groups:
        raise StoreError(Errors.E020, reason="cannot bind values: the query has no WHERE group")
    return _insert_values(query, groups, bindings)


def _insert_values(
    query: str, groups: list[tuple[int, int, set[str]]], bindings: dict[str, Binding]
) -> str:
    """Open each group with the ``VALUES`` block of the bound variables it names."""
    inserts: list[tuple[int, str]] = []
    for index, (start, end, names) in enumerate(groups):
        wanted = {k: v for k, v in bindings.items() if k in names}
        if not wanted:
            continue
        try:
            values = values_clause(wanted)
        except (TypeError, ValueError) as exc:
            raise StoreError(Errors.E020, reason=str(exc)) from None
        if index == 0 and re.match(r"\s*select\b", query[start + 1 : end], re.IGNORECASE):
            # WHERE { SELECT ... }: a sub-select must be alone in its group, so wrap it.
            inserts += [(start + 1, f" {values} {{"), (end, "} ")]
        else:
            inserts.append((start + 1, f" {values}"))
    out, last = [], 0
    for offset, text in sorted(inserts, key=lambda x: x[0]):
        out += [query[last:offset], text]
        last = offset
    return "".join(out) + query[last:]
