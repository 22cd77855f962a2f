"""The extraction cache: what makes a rebuild redo only changed or new documents.

A build keeps, in its output folder, one file per document
(``cache/<doc_id>.pickle``) holding that document's happenings together with the
document's content hash and file name, and the *fingerprint* of the extraction (a hash
of kgraph's code and word lists). The next build into the same folder reads a
document's happenings back instead of extracting it again when all still match; any
change to the text, the file's name, the code or the data makes it extract afresh.
Resolution and the views are always redone over all documents, because one new report
can merge into events and entities that other reports tell; the graph stage then writes
only the graphs whose inputs changed (:mod:`kgraph.load`), and the views take the rows of
the others from the last build (:mod:`kgraph.graphrows`).

The cache is kgraph's own output, read back only from a folder that holds a
kgraph build (see :func:`kgraph.store.atomic_output`); a file that fails to load is
treated as missing, never as an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from kgraph import __version__
from kgraph.model import DocumentInfo, Happening
from kgraph.resources import PACKAGE_DIR, ontology_dir

CACHE_DIR = "cache"
_SUFFIX = ".pickle"


@dataclass(frozen=True)
class Extracted:
    """One document's extraction: the document (without its text) and its happenings."""

    info: DocumentInfo
    happenings: tuple[Happening, ...]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of everything extraction depends on: kgraph's version, its modules, its word
    lists and the gazetteer. A cached extraction made by other code or data is not reused.

    >>> len(fingerprint())
    16
    """
    h = hashlib.sha256(__version__.encode())
    folders = [PACKAGE_DIR, ontology_dir() / "gazetteer"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".txt", ".tsv", ".csv"):
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_path(folder: Path, doc_id: str) -> Path:
    """Where a document's extraction is kept in a build's output folder.

    >>> cache_path(Path("kg-out"), "report-2023").as_posix()
    'kg-out/cache/report-2023.pickle'
    """
    return folder / CACHE_DIR / f"{doc_id}{_SUFFIX}"


def load(folder: Path, info: DocumentInfo) -> Extracted | None:
    """The document's cached extraction in a previous build's ``folder``, if it is still
    valid for this text and this code; None otherwise."""
    try:
        stamp, key, happenings = read_pickled(cache_path(folder, info.doc_id))
    except (TypeError, ValueError):  # missing, damaged, or not of this shape
        return None
    if stamp != fingerprint() or key != _key(info):
        return None
    return Extracted(info, tuple(happenings))


def read_pickled(path: Path) -> Any:
    """What kgraph pickled to ``path`` (a file of the cache folder), or None when the file
    is missing or damaged: a cache file that fails to load is treated as missing.

    >>> read_pickled(Path("no such file")) is None
    True
    """
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - our own output
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
        return None


@contextmanager
def written_whole(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through: written beside it, renamed onto it at the end of
    the block, so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with tmp.open("wb") as f:
        yield f
    tmp.replace(path)


def _key(info: DocumentInfo) -> tuple[str, str]:
    """What a cached extraction must have been made from: the text and the file's name
    (each passage names its file, and a renamed file may keep its document id: r.txt and
    R.txt are both ``r``)."""
    return (info.content_hash, info.name)


def keep(previous: Path, folder: Path, doc_id: str) -> None:
    """Carry a document's still-valid cache file over from the previous build's folder."""
    target = cache_path(folder, doc_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cache_path(previous, doc_id), target)


def save(folder: Path, extracted: Extracted) -> bytes:
    """Keep a document's extraction in the new build's ``folder`` (written whole, then
    renamed, so that a reader never sees half a file). Returns the bytes written: a
    worker process of ``--jobs N`` hands them to the build as they are (see
    :func:`unpack`), pickling the happenings once instead of a second time to send them."""
    data = pickle.dumps(
        (fingerprint(), _key(extracted.info), extracted.happenings),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    with written_whole(cache_path(folder, extracted.info.doc_id)) as f:
        f.write(data)
    return data


def unpack(info: DocumentInfo, data: bytes) -> Extracted:
    """The extraction of ``info`` from the bytes :func:`save` wrote for it.

    >>> from kgraph.model import DocumentInfo
    >>> info = DocumentInfo("a", "a.txt", "a.txt", "text/plain", "0" * 64)
    >>> unpack(info, pickle.dumps((fingerprint(), _key(info), ()))).happenings
    ()
    """
    _stamp, _made_from, happenings = pickle.loads(data)  # noqa: S301 - our own output
    return Extracted(info, tuple(happenings))
