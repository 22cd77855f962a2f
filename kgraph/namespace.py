"""The terms of kgraph's ontology (``ontology/diplomacy.ttl``), as rdflib does for its own.

The ontology file is the source of truth for labels, definitions and axioms;
this module only lists the names so that code cannot misspell them (a
``DefinedNamespace`` raises on an unknown term).

>>> str(KG.Visit)
'https://w3id.org/kgraph/ontology#Visit'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/kgraph/ontology"
DEFAULT_BASE = "https://w3id.org/kgraph/id/"

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")  # W3C WGS84: geo:lat, geo:long


class KG(DefinedNamespace):
    """kgraph ontology terms."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Agents and places
    Person: URIRef
    Party: URIRef  # anything that can visit, host or sign: a place's government or an org
    Place: URIRef
    City: URIRef
    Region: URIRef
    Country: URIRef
    Organisation: URIRef

    # Happenings
    Happening: URIRef
    Visit: URIRef
    Delegation: URIRef
    VideoMeeting: URIRef
    Signing: URIRef
    PublicEvent: URIRef
    VisitingRelation: URIRef

    # Agreements and partnerships
    Agreement: URIRef
    SisterCityAgreement: URIRef
    FriendshipCityAgreement: URIRef
    PartnerCityAgreement: URIRef
    MemorandumOfUnderstanding: URIRef
    LetterOfIntent: URIRef
    Declaration: URIRef
    SisterSchoolAgreement: URIRef
    Partnership: URIRef

    # Provenance
    Document: URIRef
    Passage: URIRef
    Build: URIRef

    # Object properties
    visitingRelation: URIRef  # Happening -> VisitingRelation
    visitor: URIRef  # VisitingRelation -> Party
    host: URIRef  # VisitingRelation -> Party
    visitorPerson: URIRef  # VisitingRelation -> Person
    hostPerson: URIRef  # VisitingRelation -> Person
    participant: URIRef  # Happening -> Party
    participantPerson: URIRef  # Happening -> Person
    agreement: URIRef  # Signing (or any Happening) -> Agreement
    party: URIRef  # Agreement -> Party
    signatory: URIRef  # Agreement -> Person
    witness: URIRef  # Agreement -> Person
    partner: URIRef  # Partnership -> Party
    establishedBy: URIRef  # Partnership -> Agreement
    country: URIRef  # Place/Organisation -> Country
    locatedIn: URIRef  # Place -> Place (a city in its region)
    inDocument: URIRef  # Passage -> Document
    mentionedIn: URIRef  # any resource -> Passage where the text names it

    # Data properties
    code: URIRef  # machine code of a class: "visit", "sister_city", "city", ...
    cameoCode: URIRef
    direction: URIRef  # "inbound" | "outbound" | "local"
    startDate: URIRef
    endDate: URIRef
    date: URIRef
    ordinal: URIRef
    title: URIRef  # the title of an agreement or a happening's heading
    roleTitle: URIRef  # a membership's title as written (市長, 知事, ...)
    asOf: URIRef  # the date a membership's title was reported
    docId: URIRef
    fileName: URIRef
    startOffset: URIRef
    endOffset: URIRef
    quote: URIRef
    section: URIRef
    softwareVersion: URIRef
    contentHash: URIRef
