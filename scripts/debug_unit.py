"""Show what recognition and extraction make of the units of a report that contain a phrase.

python scripts/debug_unit.py corpus/kaohsiung-2022-annual-report.txt 斯洛伐克
"""

from __future__ import annotations

import sys

from kgraph.build import extract_document
from kgraph.ingest import read_document
from kgraph.normalise import normalise
from kgraph.recognise import mentions, pipeline
from kgraph.segment import segment


def main(path: str, phrase: str) -> None:
    doc = read_document(path)
    norm = normalise(doc.text)
    nlp = pipeline()
    for unit in segment(doc.doc_id, norm):
        if phrase not in unit.text:
            continue
        print("=" * 80)
        print(unit.marker, unit.section, "\n", unit.text[:400])
        for m in mentions(nlp(unit.text)):
            print(f"  {m.label:8} {m.text} -> {m.key} ({m.country}, {m.kind})")
    for h in extract_document(doc):
        if phrase in h.source.quote:
            print("-" * 80)
            print(h.type, h.date, [p.key for p in h.parties])
            for v in h.visits:
                print("  visit", v.visitor.key, "->", v.host.key, v.direction)
            for a in h.agreements:
                print("  agreement", a.kind, [p.key for p in a.parties])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
