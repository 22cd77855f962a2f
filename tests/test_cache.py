"""kgraph.cache: a document's extraction kept for the next build, and when it is not reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgraph import cache
from kgraph.cache import Extracted
from kgraph.model import DocumentInfo, Happening, Source

INFO = DocumentInfo("r", "r.txt", "in/r.txt", "text/plain", "a" * 64)
HAPPENING = Happening(doc_id="r", type="event", date=None, source=Source("r.txt", 0, 2, "來訪"))


def test_what_is_saved_loads_back(tmp_path: Path) -> None:
    cache.save(tmp_path, Extracted(INFO, (HAPPENING,)))
    assert cache.load(tmp_path, INFO) == Extracted(INFO, (HAPPENING,))


def test_changed_text_is_not_reused(tmp_path: Path) -> None:
    cache.save(tmp_path, Extracted(INFO, (HAPPENING,)))
    changed = DocumentInfo("r", "r.txt", "in/r.txt", "text/plain", "b" * 64)
    assert cache.load(tmp_path, changed) is None


def test_other_code_is_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save(tmp_path, Extracted(INFO, (HAPPENING,)))
    monkeypatch.setattr(cache, "fingerprint", lambda: "0" * 16)
    assert cache.load(tmp_path, INFO) is None


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_broken_or_foreign_file_is_a_miss(tmp_path: Path, content: bytes) -> None:
    path = cache.cache_path(tmp_path, INFO.doc_id)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert cache.load(tmp_path, INFO) is None


def test_keep_carries_a_file_over(tmp_path: Path) -> None:
    cache.save(tmp_path / "old", Extracted(INFO, (HAPPENING,)))
    cache.keep(tmp_path / "old", tmp_path / "new", INFO.doc_id)
    assert cache.load(tmp_path / "new", INFO) == Extracted(INFO, (HAPPENING,))


def test_the_fingerprint_follows_the_code() -> None:
    assert cache.fingerprint() == cache.fingerprint()
    assert len(cache.fingerprint()) == 16
