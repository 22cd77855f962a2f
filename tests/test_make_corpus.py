"""scripts/make_corpus.py: the synthetic benchmark corpus is deterministic, prefix-stable,
within its length bounds, and tells happenings that the pipeline finds."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers import SCRIPTS, load_script


@pytest.fixture(scope="module")
def mc() -> ModuleType:
    """The script as a module: it lives in scripts/, not in a package."""
    return load_script("make_corpus")


def _texts(paths: list[Path]) -> list[bytes]:
    return [p.read_bytes() for p in paths]


def test_same_seed_same_text(mc: ModuleType, tmp_path: Path) -> None:
    assert mc.make_report(1, 7) == mc.make_report(1, 7)
    first = mc.make_corpus(tmp_path / "a", 3, seed=7)
    second = mc.make_corpus(tmp_path / "b", 3, seed=7)
    assert _texts(first) == _texts(second)


def test_different_seed_or_index_different_text(mc: ModuleType) -> None:
    assert mc.make_report(1, 7) != mc.make_report(1, 8)
    assert mc.make_report(1, 7) != mc.make_report(2, 7)


def test_smaller_corpus_is_a_prefix(mc: ModuleType, tmp_path: Path) -> None:
    small = mc.make_corpus(tmp_path / "small", 3, seed=5)
    large = mc.make_corpus(tmp_path / "large", 10, seed=5)
    assert [p.name for p in small] == [p.name for p in large[:3]]
    assert _texts(small) == _texts(large[:3])
    assert [p.name for p in large][-1] == "report-00010.txt"


def test_file_names_are_zero_padded(mc: ModuleType, tmp_path: Path) -> None:
    assert mc.report_path(tmp_path, 7, 10).name == "report-00007.txt"
    assert mc.report_path(tmp_path, 7, 123_456).name == "report-000007.txt"


@pytest.mark.parametrize(("low", "high"), [(5000, 20000), (1000, 1500), (3000, 3000)])
def test_lengths_within_bounds(mc: ModuleType, low: int, high: int) -> None:
    for index in range(1, 16):
        text = mc.make_report(index, 3, low, high)
        assert low <= len(text) <= high, (index, len(text))


def test_reports_look_like_the_real_ones(mc: ModuleType) -> None:
    text = mc.make_report(1, 0)
    title = text.splitlines()[0]
    assert "年度" in title and "高雄市" in title
    assert "、國際事務" in text or "、城市外交與國際交流" in text
    assert "年" in text and "月" in text and "日" in text


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers need fork"
)
def test_workers_write_the_same_files(mc: ModuleType, tmp_path: Path) -> None:
    serial = mc.make_corpus(tmp_path / "serial", 5, seed=2, jobs=1)
    parallel = mc.make_corpus(tmp_path / "parallel", 5, seed=2, jobs=2)
    assert _texts(serial) == _texts(parallel)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "make_corpus.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_writes_count_files(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = _run(str(out), "--count", "4", "--seed", "3", "--max-chars", "8000")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"report-0000{i}.txt" for i in range(1, 5)]
    assert len(result.stdout.strip().splitlines()) == 1
    assert "4 reports" in result.stdout


BAD_ARGUMENTS = {
    "zero-count": ["--count", "0"],
    "min-above-max": ["--count", "2", "--min-chars", "9000", "--max-chars", "8000"],
    "min-too-small": ["--count", "2", "--min-chars", "10"],
    "zero-jobs": ["--count", "2", "--jobs", "0"],
    "not-a-number": ["--count", "two"],
    "no-count": [],
}


@pytest.mark.parametrize("case", ["min-above-max", "not-a-number"])
def test_cli_bad_arguments_one_line_exit_2(tmp_path: Path, case: str) -> None:
    out = tmp_path / "corpus"
    result = _run(str(out), *BAD_ARGUMENTS[case])
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "error" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_main_bad_arguments(
    mc: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """The same checks in-process, for every kind of bad argument (a subprocess each
    would make this file slow)."""
    out = tmp_path / "corpus"
    try:
        code = mc.main([str(out), *BAD_ARGUMENTS[case]])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert captured.out == ""
    assert not out.exists()


def test_pipeline_finds_visits_and_agreements(mc: ModuleType, tmp_path: Path) -> None:
    from kgraph.build import extract_document
    from kgraph.ingest import read_document

    path = tmp_path / "report-00001.txt"
    path.write_text(mc.make_report(1, 0, 5000, 6000), encoding="utf-8")
    happenings = extract_document(read_document(path))
    types = {h.type for h in happenings}
    assert {"visit", "agreement"} <= types, types
    visits = [v for h in happenings for v in h.visits]
    assert len(visits) >= 5
    assert any("高雄市" in (v.visitor.key, v.host.key) for v in visits)
    assert any(a.kind for h in happenings for a in h.agreements)
