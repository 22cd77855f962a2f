"""The notebooks run: each code cell is executed in order against a fresh build.

Cells run in one namespace in this process (no Jupyter kernel needed), so a notebook
that breaks with the code it documents fails the suite.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, built_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGRAPH_STORE", str(built_corpus))
    monkeypatch.chdir(path.parent)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for i, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}[{i}]", "exec"), namespace)  # noqa: S102
    assert os.environ["KGRAPH_STORE"] == str(built_corpus)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS
