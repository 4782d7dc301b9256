"""Forms sent twice and edits that cross, in a real browser (docs/forms.md)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from buildings.models import Resident
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

ENGLISH = {"locale": "en-US"}  # the pages in English: Accept-Language en-US


def test_resident_form_sent_twice_by_the_network_saves_one_resident(
    new_context, live_server, world
):
    """The request leaves twice (a flaky mobile network resending it): one resident,
    and the page the person lands on says the form was already saved."""
    page = new_context(**ENGLISH).new_page()
    login(page, live_server, world.a.secretary.username)
    url = reverse("buildings:resident_create", args=[world.a.household.pk])

    def send_twice(route):
        route.fetch(max_redirects=0)
        route.fulfill(response=route.fetch(max_redirects=0))

    page.route(
        f"**{url}",
        lambda route: send_twice(route) if route.request.method == "POST" else route.continue_(),
    )
    page.goto(f"{live_server.url}{url}")
    page.get_by_label("Name").fill("米丽芳")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("This form was already saved.")).to_be_visible()
    assert Resident.objects.filter(name="米丽芳").count() == 1


def test_two_people_edit_a_section_second_sees_conflict_then_saves(new_context, live_server, world):
    url = f"{live_server.url}{reverse('communities:section_update', args=[world.a.section.pk])}"
    first = new_context(**ENGLISH).new_page()
    second = new_context(**ENGLISH).new_page()
    for page in (first, second):
        login(page, live_server, world.a.secretary.username)
        page.goto(url)

    first.get_by_label("Name").fill("东片")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first).not_to_have_url(url)
    second.get_by_label("Name").fill("西片")
    second.get_by_role("button", name="Save", exact=True).click()

    expect(second.get_by_text("Someone else changed this record")).to_be_visible()
    expect(second.get_by_text("now: “东片”; you entered: “西片”")).to_be_visible()
    world.a.section.refresh_from_db()
    assert world.a.section.name == "东片"

    second.get_by_role("button", name="Save", exact=True).click()

    expect(second).not_to_have_url(url)
    world.a.section.refresh_from_db()
    assert world.a.section.name == "西片"
