"""Say loudly when the browser tests did not run.

Without Chromium (``/usr/bin/chromium``, or the path in ``CHROMIUM_PATH``) the tests marked
``browser`` are skipped and the terminal summary says so in one line, so that a green local
run cannot hide that the journeys were never driven. With ``CI=true`` nothing is skipped: the
``browser`` fixture fails instead, so CI cannot pass without a browser.

Registered by ``tests/e2e/conftest.py`` (a non-root conftest may not set ``pytest_plugins``).
"""

import importlib.util
import os
from pathlib import Path

import pytest

PLUGIN_NAME = "corridor-browser-report"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return f"Chromium not found at {path}"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    return None


def _is_browser_test(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_reason()
    if reason is None or in_ci():
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if _is_browser_test(item):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    reason = missing_reason()
    if reason is None:
        return
    # Reports carry their markers' names in ``keywords``; count the setup/call outcomes.
    outcomes = ("skipped", "failed", "error")
    counts = {
        outcome: sum(
            1 for report in terminalreporter.stats.get(outcome, []) if "browser" in report.keywords
        )
        for outcome in outcomes
    }
    if not any(counts.values()):
        return  # no browser test was selected: nothing to report
    where = "install Debian's chromium or set CHROMIUM_PATH"
    if in_ci():
        broken = counts["failed"] + counts["error"]
        terminalreporter.write_line(
            f"browser tests failed: {reason} and CI=true ({broken} tests; {where})", red=True
        )
    else:
        terminalreporter.write_line(
            f"browser tests skipped: {reason} ({counts['skipped']} tests; {where})", yellow=True
        )
