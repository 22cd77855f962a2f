"""Where kgraph's data files live, and small readers for them.

Knowledge lives in files: ``kgraph/data`` (recognition word lists, shipped with
the package), ``ontology/`` (the ontology, SHACL shapes and gazetteers, at the
top of the repository) and ``kgraph/queries`` (SPARQL). Lines starting with
``#`` are comments in every list.
"""

from __future__ import annotations

import csv
import os
import sys
from functools import lru_cache
from pathlib import Path

from kgraph.errors import Errors, KgraphError

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
QUERY_DIR = PACKAGE_DIR / "queries"


@lru_cache(maxsize=1)
def ontology_dir() -> Path:
    """The ``ontology/`` folder: ``$KGRAPH_ONTOLOGY``, the repository's own (a checkout or
    an editable install), or the copy that installing kgraph puts under the environment's
    prefix (``share/kgraph/ontology``, see ``setup.cfg``).

    >>> (ontology_dir() / "gazetteer").name
    'gazetteer'
    """
    candidates = ontology_candidates(os.environ.get("KGRAPH_ONTOLOGY", ""), sys.prefix)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise KgraphError(Errors.E040, path=" or ".join(map(str, candidates)))


def ontology_candidates(chosen: str, prefix: str) -> list[Path]:
    """Where to look for ``ontology/``, first to last: a folder the user chose, the
    repository beside the package, the installed copy.

    >>> [p.as_posix() for p in ontology_candidates("", "/venv")][-1]
    '/venv/share/kgraph/ontology'
    >>> ontology_candidates("/mine", "/venv")[0].as_posix()
    '/mine'
    """
    installed = Path(prefix) / "share" / "kgraph" / "ontology"
    return [Path(chosen)] * bool(chosen) + [PACKAGE_DIR.parent / "ontology", installed]


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
