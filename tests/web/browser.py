"""The console's browser tests' Chromium: where it is, how to launch it, skip (fail under CI).

Playwright drives the distribution's Chromium (Debian's package ``chromium``), not a
browser it downloads: ``$CHATSESSION_CHROMIUM`` names the executable, else
``/usr/bin/chromium``, else ``chromium`` or ``chromium-browser`` on ``PATH``. Without
one (or without Playwright) the tests skip with one line saying why; under CI
(``CI=true``) they fail instead, since ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

VARIABLE = "CHATSESSION_CHROMIUM"
"""The environment variable that names the Chromium executable to use."""

DEBIAN_CHROMIUM = "/usr/bin/chromium"

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
"""Chromium's switches: no sandbox (containers, root), nothing fetched from the Internet."""


def under_ci() -> bool:
    """True when the run is CI's (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_chromium() -> tuple[str | None, str]:
    """The Chromium executable, or None and why none was found."""
    configured = os.environ.get(VARIABLE, "").strip()
    if configured:
        if _executable(configured):
            return configured, ""
        return None, f"{VARIABLE}={configured} is not an executable file"
    if _executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM, ""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found, ""
    return None, (
        f"no Chromium: set {VARIABLE}, or install it (Debian: apt-get install chromium)"
    )


def gone(reason: str) -> None:
    """Skip the whole module, saying why; under CI fail instead."""
    if under_ci():
        pytest.fail(
            f"{reason}. CI=true: the console's browser tests must run, not skip "
            "(.ci/run installs Chromium)",
            pytrace=False,
        )
    pytest.skip(reason, allow_module_level=True)


def chromium() -> str:
    """The Chromium executable; call it at the top of a module whose tests all need it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        gone("Playwright is not installed: pip install -e '.[dev]'")
    path, reason = find_chromium()
    if path is None:
        gone(reason)
    assert path is not None
    return path
