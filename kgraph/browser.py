"""Headless Debian ``chromium`` for pictures of the HTML views.

The screenshots in the README (``scripts/screenshots.py``) and the browser tests open the
views the way an analyst does, in a real browser. Playwright drives the system's chromium
(``scripts/setup.sh --test`` installs Debian's package): its own browser download cannot
work on a machine without the internet, and the flags below stop chromium from reaching
for Google's services, which a closed network refuses, many times a second.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kgraph.errors import Errors, KgraphError

CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str | None:
    """The system chromium, or None when it is not installed.

    >>> chromium_path() is None or chromium_path().endswith(("chromium", "chromium-browser"))
    True
    """
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The system chromium's path, once playwright is known to be there too; otherwise
    the error that says what to install. A long run (the bench) asks first, so that it
    stops at once instead of after its builds."""
    executable = chromium_path()
    if executable is None:
        raise KgraphError(Errors.E090)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise KgraphError(Errors.E091) from None
    return executable


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """A playwright ``Browser`` on the system chromium, closed at the end of the block."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()
