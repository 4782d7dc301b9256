"""Browser fixtures: Playwright's sync API driving Debian's Chromium against ``live_server``.

Not pytest-playwright: its fixtures look for Playwright's own browser download, which
this machine cannot fetch. ``live_server`` implies ``transactional_db``, so rows made in a
test (the ``world`` fixture) are committed and visible to the server thread.
"""

import os
import re

import pytest

from tests import factories
from tests.e2e import plugin

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(plugin.PLUGIN_NAME):
        config.pluginmanager.register(plugin, plugin.PLUGIN_NAME)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other test (a stable sort keeps the rest in order).

    While Playwright's sync API is alive an event loop counts as running in the main
    thread, and the browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE; neither may leak
    into tests that run afterwards.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def playwright():
    reason = plugin.missing_reason()
    if reason is not None:
        if plugin.in_ci():
            pytest.fail(f"{reason}: CI=true, so the browser tests fail instead of skipping")
        pytest.skip(f"browser tests skipped: {reason}")

    from playwright.sync_api import expect, sync_playwright

    # The sync API keeps an event loop running in this thread, so Django's ORM would
    # raise SynchronousOnlyOperation in the test (and in the transactional_db flush).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=plugin.chromium_path(), args=LAUNCH_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (zh-CN, like the portal's default) closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"locale": "zh-CN", "base_url": live_server.url, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


def login(page, live_server, username: str, password: str = factories.DEFAULT_PASSWORD) -> None:
    """Log in through the login form, as a person would; fail if the form comes back."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator('form[action$="/accounts/login/"]')
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()
    expect(page, f"login as {username!r} was refused").not_to_have_url(
        re.compile(r"/accounts/login/")
    )


@pytest.fixture(autouse=True)
def _ledger_rows_wiped(request):
    """Let the live server's database be emptied after a test that recorded donations.

    The ledger's triggers refuse DELETE, and on SQLite Django empties the tables of a
    transactional test with DELETE (PostgreSQL uses TRUNCATE, which row triggers ignore).
    Set up after ``transactional_db`` so that this runs before its flush.
    """
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from buildings import ledger

    if connection.vendor != "sqlite":
        return
    with ledger.guard_lifted(connection), connection.cursor() as cursor:
        for table in ledger.LEDGER_TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
