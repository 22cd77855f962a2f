"""kgraph's data files, from a checkout and from an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kgraph import __version__
from kgraph.errors import KgraphError
from kgraph.resources import PACKAGE_DIR, ontology_candidates, ontology_dir

REPO = PACKAGE_DIR.parent


def test_the_ontology_folder_of_a_checkout_is_the_repository_s() -> None:
    assert ontology_dir() == REPO / "ontology"


def test_a_missing_ontology_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import kgraph.resources as resources

    monkeypatch.setattr(resources, "ontology_candidates", lambda *_: [Path("/nowhere")])
    ontology_dir.cache_clear()
    try:
        with pytest.raises(KgraphError, match="ontology file not found: /nowhere"):
            ontology_dir()
    finally:
        ontology_dir.cache_clear()


def test_an_installed_kgraph_looks_under_its_prefix() -> None:
    assert ontology_candidates("", "/env")[-1] == Path("/env/share/kgraph/ontology")


def test_the_wheel_carries_every_ontology_file(tmp_path: Path) -> None:
    """A plain (not editable) install must find the ontology, shapes and gazetteers."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = f"kgraph-{__version__}.data/data/share/kgraph/"
    shipped = {
        prefix + p.relative_to(REPO).as_posix()
        for p in (REPO / "ontology").rglob("*")
        if p.is_file()
    }
    assert shipped and shipped <= names
