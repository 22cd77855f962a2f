"""Shared pytest fixtures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Property tests (normaliser offsets, dates, IRIs) draw 1,000 examples each locally, new
# ones on every run; in CI (CI=true) 3,000, the same on every run, so a result reproduces.
settings.register_profile("dev", max_examples=1000)
settings.register_profile("ci", max_examples=3000, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# --------------------------------------------------------------------------- store tests


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:  # any HTTP answer means the server is up
        return exc.code < 500
    except OSError:
        return False


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free local port, with an on-disk store; yields its base
    URL (``http://127.0.0.1:PORT``) and stops the server at the end of the session."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.is_file():
        pytest.skip(f"no oxigraph server binary at {binary} (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    base_url = ""
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        for _attempt in range(3):  # the free port may be taken between probe and bind
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            process = subprocess.Popen(
                [
                    str(binary),
                    "serve",
                    "--location",
                    str(folder / "db"),
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 20
            while process.poll() is None and time.monotonic() < deadline:
                if _answers(f"{base_url}/query?query=ASK%7B%7D"):
                    break
                time.sleep(0.1)
            if process.poll() is None and _answers(f"{base_url}/query?query=ASK%7B%7D"):
                break
            process.kill()
            process.wait()
        else:
            pytest.fail(f"oxigraph serve did not start:\n{log_path.read_text(errors='replace')}")
        try:
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --------------------------------------------------------------------------- built corpus

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole corpus/ built once per session (by ``kgraph build``); yields the folder.

    Tests must treat it as read-only: copy it before doing anything that may write.
    """
    from click.testing import CliRunner

    from kgraph.cli import main

    out = tmp_path_factory.mktemp("corpus-build") / "kg-out"
    result = CliRunner().invoke(main, ["build", str(CORPUS), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "store").is_dir()
    return out


XSS = "<script>alert(1)</script>"
SCRIPT_REPORT = f"""高雄市政府國際事務報告

一、國際交流
1.112年3月5日，日本{XSS}市代表團訪高，拜會陳其邁市長。
2.112年5月7日，日本熊本市{XSS}協會代表團訪高。
"""


@pytest.fixture(scope="session")
def script_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build (with its views) of one report whose passages hold ``<script>`` (the
    recogniser takes names of CJK characters and Latin letters only, so names cannot)."""
    from click.testing import CliRunner

    from kgraph.cli import main

    folder = tmp_path_factory.mktemp("script-corpus")
    (folder / "report.txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    out = folder.parent / f"{folder.name}-out"
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave what a person may want to look at (screenshots): ``test-output/``
    in the repository, or ``$KGRAPH_TEST_OUTPUT``."""
    folder = Path(os.environ.get("KGRAPH_TEST_OUTPUT", REPO / "test-output"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless ``chromium`` driven by playwright (:mod:`kgraph.browser`).
    ``scripts/setup.sh --test`` installs it; without it the browser tests skip locally and
    fail in CI (``CI`` set), where they must run."""
    from kgraph.browser import chromium_path, headless_chromium

    pytest.importorskip("playwright.sync_api")
    if chromium_path() is None:
        message = "no chromium on PATH: run scripts/setup.sh --test (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with headless_chromium() as chromium:
        yield chromium
