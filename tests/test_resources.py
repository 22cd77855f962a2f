"""kgraph's data files, from a checkout and from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from kgraph import __version__
from kgraph.build import extract_document
from kgraph.errors import KgraphError
from kgraph.ingest import read_document
from kgraph.resources import PACKAGE_DIR, ontology_candidates, ontology_dir

REPO = PACKAGE_DIR.parent
SAMPLE = REPO / "corpus" / "kaohsiung-2025h1-international-affairs.txt"


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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("kgraph-*.whl")
    return found


def test_the_wheel_carries_every_ontology_file(wheel: Path) -> None:
    """A plain (not editable) install must find the ontology, shapes and gazetteers."""
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = f"kgraph-{__version__}.data/data/share/kgraph/"
    shipped = {
        prefix + p.relative_to(REPO).as_posix()
        for p in (REPO / "ontology").rglob("*")
        if p.is_file()
    }
    assert shipped and shipped <= names


def test_an_installed_kgraph_reads_as_a_checkout_does(wheel: Path, tmp_path: Path) -> None:
    """Installed from the wheel into an environment of its own (its dependencies borrowed
    from this one), away from the repository, kgraph finds its gazetteer and reads the
    corpus's visits; a missing data file once made it find nothing, silently."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python3*/site-packages")
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _install(wheel, env, site)
    script = (
        "import kgraph, sys\n"
        "from kgraph.build import extract_document\n"
        "from kgraph.ingest import read_document\n"
        "from kgraph.resources import ontology_dir\n"
        "print(kgraph.__file__.startswith(sys.prefix), ontology_dir() == "
        "__import__('pathlib').Path(sys.prefix, 'share', 'kgraph', 'ontology'))\n"
        f"print(len(extract_document(read_document({str(SAMPLE)!r}))))\n"
    )
    run = subprocess.run(
        [str(env / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "KGRAPH_ONTOLOGY"},
    )
    assert run.returncode == 0, run.stderr
    where, happenings = run.stdout.splitlines()
    assert where == "True True"
    with_checkout = len(extract_document(read_document(SAMPLE)))
    assert int(happenings) == with_checkout > 0


def _install(wheel: Path, prefix: Path, site: Path) -> None:
    """Install ``wheel`` as an installer does (its packages into ``site``, its data files
    under ``prefix``), without pip, which would also uninstall this environment's kgraph."""
    data = f"kgraph-{__version__}.data/data/"
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            target = prefix / name[len(data) :] if name.startswith(data) else site / name
            if not name.endswith("/"):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
