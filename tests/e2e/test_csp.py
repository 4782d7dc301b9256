"""The Content-Security-Policy in a real Chromium: pages with charts, bars, an inline SVG QR
code, photos, forms and the report's script load without a single violation.

Violations are caught twice: Chromium's console message ("... violates the following
Content Security Policy directive ...") and the ``securitypolicyviolation`` event, recorded
by a script Playwright adds through DevTools (the page's policy does not apply to it).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from exhibits import services as exhibit_services
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""


class Violations:
    """Every CSP violation seen on the pages a browser context opened."""

    def __init__(self, context):
        context.add_init_script(RECORDER)
        self.console: list[str] = []
        self.events: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def collect(self, page, label: str) -> None:
        page.wait_for_load_state("load")
        events = page.evaluate("window.__cspViolations || []")
        self.events.extend(f"{label}: {event}" for event in events)

    @property
    def all(self) -> list[str]:
        return self.console + self.events


@pytest.fixture
def csp_world(exhibit_world):
    world = exhibit_world
    a = world.a
    exhibit = world.ea.exhibit
    exhibit_services.exhibit_submit(exhibit=exhibit, by=a.head)
    exhibit_services.exhibit_check(exhibit=exhibit, by=a.secretary)
    exhibit_services.exhibit_approve(exhibit=exhibit, by=world.official)
    poll = factories.PollFactory(community=a.community, created_by=a.secretary)
    from engagement import services as engagement_services

    votes = {option.pk: count for option, count in zip(poll.options.all(), (7, 3), strict=True)}
    engagement_services.poll_count_in(poll=poll, building=None, votes=votes, by=a.secretary)
    world.poll = poll
    return world


def _visit(page, violations, url: str, label: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{label}: {url}"
    # Playwright gives header names in lower case.
    assert "content-security-policy" in response.headers, label
    violations.collect(page, label)


def test_csp_pages_load_without_violations(new_context, live_server, csp_world):
    world = csp_world
    context = new_context(**DESKTOP)
    violations = Violations(context)
    page = context.new_page()
    violations.watch(page)
    base = live_server.url

    login(page, live_server, world.a.secretary.username)
    violations.collect(page, "login")
    for label, url in [
        ("home", reverse("home")),
        ("community", reverse("portal:community_detail", args=[world.a.community.pk])),
        ("poll result", reverse("engagement:poll_detail", args=[world.poll.pk])),
        ("poster", reverse("exhibits:corridor_poster", args=[world.ea.corridor.pk])),
        ("corridor", world.ea.corridor.get_absolute_url()),
        ("exhibit form", reverse("exhibits:exhibit_create", args=[world.ea.corridor.pk])),
    ]:
        _visit(page, violations, f"{base}{url}", label)
    expect(page.locator("form select").first).to_be_visible()

    login(page, live_server, world.official.username)
    for label, url in [
        ("dashboard", reverse("dashboard:district")),
        ("community dashboard", reverse("dashboard:community", args=[world.a.community.pk])),
        ("report", reverse("dashboard:report")),
    ]:
        _visit(page, violations, f"{base}{url}", label)
    # report.js ran: it shows the Print button it keeps hidden for browsers without scripts.
    expect(page.locator("[data-report-print]")).to_be_visible()

    anonymous = new_context(**DESKTOP)
    public_violations = Violations(anonymous)
    public = anonymous.new_page()
    public_violations.watch(public)
    _visit(public, public_violations, f"{base}{world.ea.corridor.get_public_url()}", "gallery")
    photo = public.locator('img[src*="/exhibits/photos/"]').first
    photo.scroll_into_view_if_needed()
    public.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=photo.element_handle())

    assert violations.all == []
    assert public_violations.all == []


def test_csp_violation_is_detected(new_context, live_server, db):
    """The detector is not blind: markup with a style attribute is reported."""
    context = new_context(**DESKTOP)
    violations = Violations(context)
    page = context.new_page()
    violations.watch(page)
    page.goto(f"{live_server.url}{reverse('login')}")

    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    violations.collect(page, "login")

    assert any("style-src" in event for event in violations.events)
