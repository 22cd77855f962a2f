"""The generated HTML views in a real browser: headless Debian chromium opens the network
view and the map of the corpus from file://, with no network, waits for them to draw,
checks what is shown and how a filter changes it, and saves screenshots to ``test-output/``
(``$KGRAPH_TEST_OUTPUT``) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kgraph

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def views(built_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from kgraph.mapview import write_map
    from kgraph.viz import write_view

    out = tmp_path_factory.mktemp("views")
    with kgraph.open(built_corpus) as kg:
        return {"view": write_view(kg, out / "view.html"), "map": write_map(kg, out / "map.html")}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    # Anything but the file itself would be a network request: there must be none.
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda r: r.url.startswith("file:") or page.requests.append(r.url))
    try:
        yield page
    finally:
        context.close()


def _open(page: Any, path: Path, ready: str) -> None:
    page.goto(path.as_uri())
    page.wait_for_function(f"() => window.{ready} && window.{ready}.ready === true", timeout=60_000)


def test_network_view_draws_and_filters(
    page: Any, views: dict[str, Path], output_dir: Path
) -> None:
    _open(page, views["view"], "kgraphView")
    page.screenshot(path=str(output_dir / "view.png"))
    total = page.evaluate("() => window.kgraphView.visibleNodeIds().length")
    assert total > 100
    assert page.evaluate(
        "() => window.kgraphView.nodes.get('https://w3id.org/kgraph/id/place/高雄市') !== null"
    )

    # Keep only partnerships: far fewer nodes remain, and the canvas shows it.
    page.evaluate(
        """() => document.querySelectorAll('input[name=relation]').forEach(box => {
               if (box.value !== 'partnership' && box.checked) box.click();
           })"""
    )
    page.wait_for_timeout(500)
    kept = page.evaluate("() => window.kgraphView.visibleNodeIds().length")
    assert 0 < kept < total
    page.screenshot(path=str(output_dir / "view-partnerships.png"))
    assert not page.errors
    assert not page.requests


def test_search_and_panel(page: Any, views: dict[str, Path], output_dir: Path) -> None:
    _open(page, views["view"], "kgraphView")
    page.fill("#search", "熊本縣")
    page.press("#search", "Enter")
    page.wait_for_timeout(300)
    panel = page.inner_text("#panel")
    assert "熊本縣" in panel
    page.screenshot(path=str(output_dir / "view-panel.png"))
    assert not page.errors


def test_map_draws(page: Any, views: dict[str, Path], output_dir: Path) -> None:
    _open(page, views["map"], "kgraphMap")
    assert page.evaluate("() => window.kgraphMap.markers.length") > 10
    page.screenshot(path=str(output_dir / "map.png"))
    assert not page.errors
    assert not page.requests


def test_script_in_a_report_stays_text(page: Any, script_build: Path, output_dir: Path) -> None:
    """The build's own view of a report whose passages hold ``<script>alert(1)</script>``:
    no dialog opens, and the panel shows the passage as text."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, script_build / "view.html", "kgraphView")
    page.fill("#search", "熊本市")
    page.press("#search", "Enter")
    page.wait_for_timeout(300)
    page.evaluate("() => document.querySelectorAll('#panel details').forEach(d => d.open = true)")
    panel = page.inner_text("#panel")
    assert "<script>alert(1)</script>" in panel
    assert re.search(r"\.txt · \d+–\d+", panel)  # where the passage is: document, offsets
    assert page.evaluate("() => document.querySelectorAll('#panel script, #panel img').length") == 0
    page.screenshot(path=str(output_dir / "view-script-as-text.png"))
    _open(page, script_build / "map.html", "kgraphMap")
    assert not dialogs
    assert not page.errors


def _years(page: Any, first: int, last: int) -> int:
    page.fill("#year-from", str(first))
    page.fill("#year-to", str(last))
    page.dispatch_event("#year-to", "change")
    return int(page.evaluate("() => window.kgraphView.visibleNodeIds().length"))


def test_year_range_and_accents(page: Any, views: dict[str, Path]) -> None:
    _open(page, views["view"], "kgraphView")
    total = page.evaluate("() => window.kgraphView.visibleNodeIds().length")
    ahead = _years(page, 2023, 2025)
    assert 0 < ahead < total
    assert _years(page, 2025, 2023) == ahead  # a reversed range reads the right way round
    assert page.evaluate("() => window.kgraphView.find('Hachiōji')") == page.evaluate(
        "() => window.kgraphView.find('hachioji')"
    )
    assert page.evaluate("() => window.kgraphView.find('hachioji')") is not None
    assert not page.errors
