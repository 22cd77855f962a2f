"""Make the README's pictures from the embedded corpus: the network view, the map and a
plot of the network-analysis notebook.

    .venv/bin/python scripts/screenshots.py [--store kg-out] [--out docs/img]

Builds corpus/ into the store folder first when it holds no build. Needs what
``scripts/setup.sh --test`` installs: Debian's chromium, playwright, nbclient, matplotlib.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
from pathlib import Path

import kgraph
from kgraph.api import RecordSet
from kgraph.browser import headless_chromium
from kgraph.build import build
from kgraph.errors import KgraphError
from kgraph.mapview import write_map
from kgraph.viz import write_view

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "network_analysis.ipynb"
FOCUS = "熊本縣"  # the node whose panel the view's picture shows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=REPO / "kg-out")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args()
    try:
        if not (args.store / "store").is_dir():
            build([REPO / "corpus"], args.store)
        args.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            with kgraph.open(args.store) as kg:
                records = RecordSet.of(kg)
            view = write_view(records, Path(tmp) / "view.html")
            map_ = write_map(records, Path(tmp) / "map.html")
            shoot(view, map_, args.out)
        notebook_plot(args.store, args.out / "notebook-plot.png")
    except KgraphError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    for name in ("view.png", "map.png", "notebook-plot.png"):
        print(f"wrote {args.out / name}")
    return 0


def shoot(view: Path, map_: Path, out: Path) -> None:
    """The view with one partner's panel open, and the map, as the browser shows them."""
    with headless_chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(view.as_uri())
        page.wait_for_function("() => window.kgraphView && window.kgraphView.ready === true")
        page.fill("#search", FOCUS)
        page.press("#search", "Enter")
        page.wait_for_timeout(1500)  # let the search select the node and draw its panel
        # The connected network, with the found node still selected and its panel open.
        page.evaluate("() => window.kgraphView.fitConnected()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / "view.png"))
        page.goto(map_.as_uri())
        page.wait_for_function("() => window.kgraphMap && window.kgraphMap.ready === true")
        page.screenshot(path=str(out / "map.png"))
        page.close()


def notebook_plot(store: Path, out: Path) -> None:
    """Run the network notebook in a kernel and keep the first figure it draws."""
    import nbclient
    import nbformat

    os.environ["KGRAPH_STORE"] = str(store.resolve())
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                out.write_bytes(base64.b64decode(png))
                return
    raise SystemExit(f"screenshots: {NOTEBOOK.name} drew no figure")


if __name__ == "__main__":
    sys.exit(main())
