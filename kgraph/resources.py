"""Where kgraph's data files live, and small readers for them.

Knowledge lives in files: ``kgraph/data`` (recognition word lists, shipped with
the package), ``ontology/`` (the ontology, SHACL shapes and gazetteers, at the
top of the repository) and ``kgraph/queries`` (SPARQL). Lines starting with
``#`` are comments in every list.
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

from kgraph.errors import Errors, KgraphError

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
QUERY_DIR = PACKAGE_DIR / "queries"


@lru_cache(maxsize=1)
def ontology_dir() -> Path:
    """The ``ontology/`` folder: ``$KGRAPH_ONTOLOGY`` or the repository's own.

    >>> (ontology_dir() / "gazetteer").name
    'gazetteer'
    """
    candidates = [os.environ.get("KGRAPH_ONTOLOGY", ""), str(PACKAGE_DIR.parent / "ontology")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise KgraphError(Errors.E040, path=candidates[-1])


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a list in ``kgraph/data``.

    >>> "市長" in [line.split("\\t")[0] for line in data_lines("titles.tsv")]
    True
    """
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def data_rows(name: str, delimiter: str = "\t", header: bool = False) -> list[list[str]]:
    """Rows of a delimited file in ``kgraph/data``, without comments (and header)."""
    rows = list(csv.reader(data_lines(name), delimiter=delimiter))
    return rows[1:] if header else rows


@lru_cache(maxsize=1)
def home_row() -> tuple[str, ...]:
    """The home city's row of ``kgraph/data/home_party.csv`` (key, aliases, English name,
    country, kind, Wikidata): what the extraction resolves every self-reference to, and
    what the analyses and views centre on, read without loading spaCy.

    >>> home_row()[0]
    '高雄市'
    """
    return tuple(data_rows("home_party.csv", delimiter=",", header=True)[0])
