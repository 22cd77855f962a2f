"""The ontology (ontology/diplomacy.ttl) and its SHACL shapes (ontology/shapes.ttl)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kgraph import model
from kgraph.namespace import KG, ONTOLOGY_IRI

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "diplomacy.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
KGSH = Namespace("https://w3id.org/kgraph/shapes#")
ID = Namespace("https://w3id.org/kgraph/id/")

DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
}
HAPPENING_KINDS = [KG.Visit, KG.Delegation, KG.VideoMeeting, KG.Signing, KG.PublicEvent]
AGREEMENT_KINDS = [
    KG.SisterCityAgreement,
    KG.FriendshipCityAgreement,
    KG.PartnerCityAgreement,
    KG.MemorandumOfUnderstanding,
    KG.LetterOfIntent,
    KG.Declaration,
    KG.SisterSchoolAgreement,
]

PREFIXES = """\
@prefix kg:     <https://w3id.org/kgraph/ontology#> .
@prefix id:     <https://w3id.org/kgraph/id/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix wd:     <http://www.wikidata.org/entity/> .
@prefix time:   <http://www.w3.org/2006/time#> .
"""

# Provenance and the parties shared by the example graphs.  Kumamoto is typed
# only kg:Region and Kaohsiung only kg:City: they must conform as kg:Party
# (through rdfs:subClassOf) under RDFS inference.
COMMON = """
id:doc-r112 a kg:Document ;
    kg:docId "r112" ;
    kg:fileName "112年度國際事務報告.txt" .

id:passage-r112-120-181 a kg:Passage ;
    kg:inDocument id:doc-r112 ;
    kg:startOffset 120 ;
    kg:endOffset 181 ;
    kg:section "貳、城市外交" ;
    kg:quote "5月10日熊本縣知事蒲島郁夫率團訪問本市，由陳其邁市長接見。" .

id:place-kaohsiung a kg:City ;
    rdfs:label "高雄市"@zh-Hant ;
    skos:prefLabel "高雄市"@zh-Hant , "Kaohsiung"@en ;
    skos:altLabel "高市"@zh-Hant ;
    kg:country id:place-taiwan ;
    owl:sameAs wd:Q181557 .

id:place-taiwan a kg:Country ;
    rdfs:label "臺灣"@zh-Hant ;
    owl:sameAs wd:Q865 .

id:place-japan a kg:Country ;
    rdfs:label "日本"@zh-Hant ;
    owl:sameAs wd:Q17 .

id:place-kumamoto a kg:Region ;
    rdfs:label "熊本縣"@zh-Hant ;
    skos:prefLabel "熊本縣"@zh-Hant , "Kumamoto Prefecture"@en ;
    kg:country id:place-japan ;
    owl:sameAs wd:Q130308 .

id:person-kabashima a kg:Person ;
    rdfs:label "蒲島郁夫"@zh-Hant ;
    kg:mentionedIn id:passage-r112-120-181 .

id:person-chen a kg:Person ;
    rdfs:label "陳其邁"@zh-Hant ;
    kg:mentionedIn id:passage-r112-120-181 .

id:membership-kabashima-kumamoto a org:Membership ;
    org:member id:person-kabashima ;
    org:organization id:place-kumamoto ;
    kg:roleTitle "知事"@zh-Hant ;
    kg:asOf "2023-05-10"^^xsd:date ;
    kg:mentionedIn id:passage-r112-120-181 .

id:membership-chen-kaohsiung a org:Membership ;
    org:member id:person-chen ;
    org:organization id:place-kaohsiung ;
    kg:roleTitle "市長" ;
    kg:asOf "2023-05"^^xsd:gYearMonth .
"""

VISIT = """
id:happening-r112-3 a kg:Delegation ;
    kg:title "熊本縣知事率團來訪"@zh-Hant ;
    kg:startDate "2023-05-10"^^xsd:date ;
    kg:endDate "2023-05-10"^^xsd:date ;
    time:hasTime id:interval-2023-05-10 ;
    kg:mentionedIn id:passage-r112-120-181 ;
    kg:visitingRelation id:happening-r112-3-rel-1 .

id:interval-2023-05-10 a time:Interval ;
    time:hasBeginning id:instant-2023-05-10 ;
    time:hasEnd id:instant-2023-05-10 .

id:instant-2023-05-10 a time:Instant ;
    time:inXSDDate "2023-05-10"^^xsd:date .

id:happening-r112-3-rel-1 a kg:VisitingRelation ;
    kg:visitor id:place-kumamoto ;
    kg:host id:place-kaohsiung ;
    kg:direction "inbound" ;
    kg:visitorPerson id:person-kabashima ;
    kg:hostPerson id:person-chen .
"""

# The same visit, broken three ways: two hosts, an unknown direction, and a
# passage that says which document it is from nowhere.
BROKEN = """
id:happening-r112-3 a kg:Visit ;
    kg:startDate "2023-05-10"^^xsd:date ;
    kg:mentionedIn id:passage-r112-120-181 , id:passage-orphan ;
    kg:visitingRelation id:happening-r112-3-rel-1 .

id:happening-r112-3-rel-1 a kg:VisitingRelation ;
    kg:visitor id:place-kumamoto ;
    kg:host id:place-kaohsiung , id:place-taiwan ;
    kg:direction "sideways" ;
    kg:visitorPerson id:person-kabashima .

id:passage-orphan a kg:Passage ;
    kg:startOffset 0 ;
    kg:endOffset 12 ;
    kg:quote "熊本縣訪問團來訪。" .
"""

SIGNING = """
id:happening-r112-9 a kg:Signing ;
    kg:startDate "2023-05"^^xsd:gYearMonth ;
    kg:mentionedIn id:passage-r112-120-181 ;
    kg:participant id:place-kaohsiung , id:place-kumamoto ;
    kg:participantPerson id:person-chen ;
    kg:agreement id:agreement-kaohsiung-kumamoto .

id:agreement-kaohsiung-kumamoto a kg:FriendshipCityAgreement ;
    kg:title "高雄市與熊本縣友好交流協定"@zh-Hant ;
    kg:party id:place-kaohsiung , id:place-kumamoto ;
    kg:signatory id:person-chen , id:person-kabashima ;
    kg:date "2023"^^xsd:gYear ;
    kg:mentionedIn id:passage-r112-120-181 .

id:partnership-kaohsiung-kumamoto a kg:Partnership ;
    kg:partner id:place-kaohsiung , id:place-kumamoto ;
    kg:establishedBy id:agreement-kaohsiung-kumamoto ;
    kg:startDate "2023"^^xsd:gYear ;
    kg:ordinal 43 ;
    kg:mentionedIn id:passage-r112-120-181 .

id:build-1 a kg:Build ;
    kg:softwareVersion "0.1.0" ;
    kg:contentHash "0f1e2d3c" .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def turtle(*parts: str) -> Graph:
    return Graph().parse(data=PREFIXES + "".join(parts), format="turtle")


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs",
        abort_on_first=False,
        allow_warnings=False,
    )
    return bool(conforms), results, text


def violations(results: Graph) -> set[tuple[str, str, str]]:
    """(focus node, path, constraint component) of each result, as local names."""
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        component = results.value(result, SH.sourceConstraintComponent)
        found.add((local(focus), local(path), local(component)))
    return found


def local(node: object) -> str:
    """The local name of an IRI; "" for a blank node (a complex path) or nothing."""
    return re.split(r"[#/]", str(node))[-1] if isinstance(node, URIRef) else ""


def texts(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            by_lang.setdefault((value.language or "").lower(), []).append(str(value))
    return by_lang


# ---------------------------------------------------------------- the files parse


def test_ontology_parses(ontology: Graph) -> None:
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ontology
    assert len(ontology) > 100


def test_shapes_parse(shapes: Graph) -> None:
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert KGSH.VisitingRelationShape in node_shapes
    assert len(node_shapes) >= 10


# -------------------------------------------------------- the terms of the module


def kg_terms() -> list[str]:
    return sorted(KG.__annotations__)


@pytest.mark.parametrize("name", kg_terms())
def test_term_declared_with_labels_and_definitions(ontology: Graph, name: str) -> None:
    term = KG[name]
    kinds = set(ontology.objects(term, RDF.type)) & DECLARATION_TYPES
    assert kinds, f"kg:{name} is not declared as an OWL class or property"
    labels = texts(ontology, term, RDFS.label)
    assert labels.get("zh-hant") and labels.get("en"), f"kg:{name} lacks zh-Hant/en labels"
    definitions = texts(ontology, term, SKOS.definition)
    assert definitions.get("zh-hant") and definitions.get("en"), f"kg:{name} lacks definitions"


def test_ontology_declares_only_module_terms(ontology: Graph) -> None:
    namespace = str(KG._NS)
    used = {
        str(node)[len(namespace) :]
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(namespace)
    }
    assert used == set(KG.__annotations__)


def test_classes_and_properties_are_separate(ontology: Graph) -> None:
    for name in kg_terms():
        kinds = set(ontology.objects(KG[name], RDF.type)) & DECLARATION_TYPES
        is_class = OWL.Class in kinds
        assert is_class == name[0].isupper(), f"kg:{name}: {kinds}"


def test_reused_vocabularies(ontology: Graph) -> None:
    sem = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    schema = Namespace("https://schema.org/")
    prov = Namespace("http://www.w3.org/ns/prov#")
    org = Namespace("http://www.w3.org/ns/org#")
    expected = [
        (KG.Happening, RDFS.subClassOf, sem.Event),
        (KG.Happening, RDFS.subClassOf, schema.Event),
        (KG.Person, RDFS.subClassOf, schema.Person),
        (KG.Place, RDFS.subClassOf, schema.Place),
        (KG.Place, RDFS.subClassOf, sem.Place),
        (KG.Place, RDFS.subClassOf, KG.Party),
        (KG.Organisation, RDFS.subClassOf, org.Organization),
        (KG.Organisation, RDFS.subClassOf, KG.Party),
        (KG.Delegation, RDFS.subClassOf, KG.Visit),
        (KG.Passage, RDFS.subClassOf, prov.Entity),
        (KG.Document, RDFS.subClassOf, prov.Entity),
        (KG.Build, RDFS.subClassOf, prov.Activity),
        (KG.mentionedIn, RDFS.subPropertyOf, prov.wasDerivedFrom),
        (KG.roleTitle, RDFS.domain, org.Membership),
    ]
    for prop in (KG.visitor, KG.host, KG.participant, KG.visitorPerson, KG.hostPerson):
        expected.append((prop, RDFS.subPropertyOf, sem.hasActor))
    missing = [triple for triple in expected if triple not in ontology]
    assert not missing


# ---------------------------------------------------------- codes match the model


def codes(ontology: Graph, classes: list[URIRef]) -> set[str]:
    return {str(code) for cls in classes for code in ontology.objects(cls, KG.code)}


def test_codes_match_model(ontology: Graph) -> None:
    assert codes(ontology, HAPPENING_KINDS) == set(get_args(model.HappeningType))
    assert codes(ontology, AGREEMENT_KINDS) == set(get_args(model.AgreementKind))
    assert codes(ontology, [KG.City, KG.Region, KG.Country]) == set(get_args(model.PlaceKind))
    assert codes(ontology, [KG.Person, KG.Place, KG.Organisation]) == set(
        get_args(model.EntityType)
    )
    for cls in HAPPENING_KINDS + AGREEMENT_KINDS + [KG.City, KG.Region, KG.Country]:
        assert len(list(ontology.objects(cls, KG.code))) == 1, cls


def test_happening_classes_have_cameo_codes(ontology: Graph) -> None:
    expected = {
        KG.Visit: {"042", "043"},
        KG.Delegation: {"042", "043"},
        KG.VideoMeeting: {"040"},
        KG.Signing: {"057"},
        KG.PublicEvent: {"050"},
    }
    for cls, cameo in expected.items():
        assert {str(c) for c in ontology.objects(cls, KG.cameoCode)} == cameo, cls


def test_direction_values_match_model(shapes: Graph) -> None:
    (prop,) = shapes.subjects(SH.path, KG.direction)
    values = Collection(shapes, shapes.value(prop, SH["in"]))
    assert {str(v) for v in values} == set(get_args(model.Direction))


# ------------------------------------------------------------ instance validation


def test_visit_conforms(ontology: Graph, shapes: Graph) -> None:
    conforms, results, text = validate(turtle(COMMON, VISIT), shapes, ontology)
    assert conforms, text


def test_signing_agreement_partnership_conform(ontology: Graph, shapes: Graph) -> None:
    conforms, results, text = validate(turtle(COMMON, VISIT, SIGNING), shapes, ontology)
    assert conforms, text


def test_broken_visit_fails_with_expected_violations(ontology: Graph, shapes: Graph) -> None:
    conforms, results, text = validate(turtle(COMMON, BROKEN), shapes, ontology)
    assert not conforms
    assert violations(results) == {
        ("happening-r112-3-rel-1", "host", "MaxCountConstraintComponent"),
        ("happening-r112-3-rel-1", "direction", "InConstraintComponent"),
        ("passage-orphan", "inDocument", "MinCountConstraintComponent"),
    }, text


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            # a date that is neither xsd:date, xsd:gYearMonth nor xsd:gYear
            'id:happening-r112-3 kg:endDate "May 2023" .',
            ("happening-r112-3", "endDate", "NodeConstraintComponent"),
        ),
        (
            # owl:sameAs to something that is not a Wikidata item
            "id:place-japan owl:sameAs <https://en.wikipedia.org/wiki/Japan> .",
            ("place-japan", "sameAs", "PatternConstraintComponent"),
        ),
        (
            # a place that is both a city and a region
            "id:place-kumamoto a kg:City .",
            ("place-kumamoto", "", "QualifiedMaxCountConstraintComponent"),
        ),
        (
            # a happening of two kinds
            "id:happening-r112-3 a kg:Signing .",
            ("happening-r112-3", "", "QualifiedMaxCountConstraintComponent"),
        ),
        (
            # an agreement of no kind
            "id:agreement-x a kg:Agreement ; kg:party id:place-kaohsiung .",
            ("agreement-x", "", "QualifiedMinCountConstraintComponent"),
        ),
        (
            # an organisation that is also a place
            'id:org-x a kg:Organisation , kg:City ; rdfs:label "某機構" .',
            ("org-x", "", "QualifiedMaxCountConstraintComponent"),
        ),
        (
            # a party that visits itself
            "id:happening-r112-3-rel-1 kg:host id:place-kumamoto .",
            ("happening-r112-3-rel-1", "visitor", "DisjointConstraintComponent"),
        ),
        (
            # a partnership with one partner
            "id:partnership-x a kg:Partnership ; kg:partner id:place-kaohsiung .",
            ("partnership-x", "partner", "MinCountConstraintComponent"),
        ),
        (
            # a person typed as a place too
            "id:person-chen a kg:City .",
            ("person-chen", "", "NotConstraintComponent"),
        ),
        (
            # a person that nothing in the reports mentions
            'id:person-nobody a kg:Person ; rdfs:label "無名氏" .',
            ("person-nobody", "", "QualifiedMinCountConstraintComponent"),
        ),
        (
            # a membership with no title
            "id:membership-x a org:Membership ; org:member id:person-chen ;"
            " org:organization id:place-kaohsiung .",
            ("membership-x", "roleTitle", "MinCountConstraintComponent"),
        ),
        (
            # an OWL-Time instant with two dates
            'id:instant-2023-05-10 time:inXSDgYear "2023"^^xsd:gYear .',
            ("instant-2023-05-10", "", "XoneConstraintComponent"),
        ),
        (
            # a happening with two intervals
            "id:happening-r112-3 time:hasTime id:interval-x . id:interval-x a time:Interval .",
            ("happening-r112-3", "hasTime", "MaxCountConstraintComponent"),
        ),
        (
            # a passage whose end comes before its start
            "id:passage-r112-120-181 kg:endOffset 100 .",
            ("passage-r112-120-181", "startOffset", "LessThanOrEqualsConstraintComponent"),
        ),
    ],
)
def test_single_violation(
    ontology: Graph, shapes: Graph, extra: str, expected: tuple[str, str, str]
) -> None:
    conforms, results, text = validate(turtle(COMMON, VISIT, extra), shapes, ontology)
    assert not conforms
    assert expected in violations(results), text
