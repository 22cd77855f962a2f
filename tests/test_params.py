"""Query parameters: VALUES blocks in every WHERE group that names them, ``#if`` blocks,
search-key companions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgraph.errors import StoreError
from kgraph.params import bind_query, keep_conditional

V = 'VALUES (?s) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'


def test_values_open_the_where_group() -> None:
    query = 'SELECT ?s WHERE { ?s ?p "WHERE { }" . FILTER(?s != <urn:x>) } LIMIT 1'
    bound = bind_query(query, {"s": "urn:a"})
    assert bound == (
        'SELECT ?s WHERE { VALUES (?s) { (<urn:a>) } ?s ?p "WHERE { }" . '
        "FILTER(?s != <urn:x>) } LIMIT 1"
    )
    with pytest.raises(StoreError, match="no variable [?]typo"):
        bind_query(query, {"typo": 1})


def test_sub_selects_naming_the_variable_are_bound_too() -> None:
    # A sub-select sees nothing of its outer group: without its own block, ?s would be
    # free there and the sub-select would answer for every ?s.
    sub = bind_query("SELECT ?s WHERE { SELECT ?s WHERE { ?s ?p ?o } } LIMIT 1", {"s": 1})
    assert sub == f"SELECT ?s WHERE {{ {V} {{ SELECT ?s WHERE {{ {V} ?s ?p ?o }} }} }} LIMIT 1"
    other = bind_query("SELECT * WHERE { ?s ?p ?o { SELECT ?x WHERE { ?x ?y ?z } } }", {"s": 1})
    assert other == f"SELECT * WHERE {{ {V} ?s ?p ?o {{ SELECT ?x WHERE {{ ?x ?y ?z }} }} }}"


def test_without_where_keyword_the_first_group_is_bound() -> None:
    assert bind_query("SELECT ?s { ?s ?p ?o } VALUES ?o { 1 }", {"s": 1}) == (
        f"SELECT ?s {{ {V} ?s ?p ?o }} VALUES ?o {{ 1 }}"
    )


def test_conditional_blocks_follow_the_bindings() -> None:
    query = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  #if ?name\n  ?s ?q ?name .\n  #end\n}"
    assert "?q" not in bind_query(query, {})
    assert "?s ?q ?name" in bind_query(query, {"name": "x"})
    assert "#if" not in bind_query(query, {"name": "x"})
    # An #if names a parameter even when no variable of the query has its name.
    switch = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  #if ?typed\n  ?s a ?class .\n  #end\n}"
    assert "?s a ?class" in bind_query(switch, {"typed": 1})
    assert "VALUES" not in bind_query(switch, {"typed": 1})
    # Blocks are kept or dropped one by one.
    assert keep_conditional("#if ?a\nX\n#end\n#if ?b\nY\n#end\n", {"b"}) == "Y\n"


def test_key_companion_gets_the_search_key() -> None:
    query = "SELECT ?e WHERE {\n  #if ?city\n  ?e ?p ?cityKey .\n  #end\n}"
    bound = bind_query(query, {"city": "臺北 ‧ 市"})
    assert 'VALUES (?cityKey) { ("台北市") }' in bound
    assert "?city " not in bound.replace("?cityKey", "")
    # Given explicitly, the key is not recomputed.
    assert '("x y")' in bind_query(query, {"city": "a", "cityKey": "x y"})
    # Several names: a row for each one's key.
    several = bind_query(query, {"city": ("臺北 ‧ 市", "高雄市")})
    assert 'VALUES (?cityKey) { ("台北市") ("高雄市") }' in several
    # Only a ?NAMEKey makes NAME a parameter: ?e does not make "" or "e"[:-3] one.
    with pytest.raises(StoreError, match="no variable"):
        bind_query("SELECT ?name WHERE { ?name ?p ?o }", {"n": "x"})


def test_bound_queries_parse_and_answer() -> None:
    store = ox.Store()
    a, b = ox.NamedNode("urn:a"), ox.NamedNode("urn:b")
    label = ox.NamedNode("urn:label")
    store.add(ox.Quad(a, label, ox.Literal("台北市")))
    store.add(ox.Quad(b, label, ox.Literal("高雄市")))
    query = (
        "SELECT ?e WHERE {\n  { SELECT DISTINCT ?e WHERE {\n    ?e <urn:label> ?k .\n"
        "    #if ?city\n    ?e <urn:label> ?cityKey .\n    #end\n  } }\n}"
    )
    rows = store.query(bind_query(query, {"city": "臺北 市"}))
    assert [r["e"] for r in rows] == [a]
    assert len(list(store.query(bind_query(query, {})))) == 2


def test_variables_of_the_outer_clauses_are_bound_in_the_query_group() -> None:
    query = "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?limit HAVING (?n > ?limit)"
    bound = bind_query(query, {"limit": 1})
    assert bound.startswith("SELECT ?s (COUNT(*) AS ?n) WHERE { VALUES (?limit) {")
