"""The journeys a person takes through the portal, in a real Chromium.

Locators follow what a person sees (roles, visible text). Where a label is translated, they
accept the Simplified Chinese text or its English msgid, so that a stale .mo breaks only the
test that is about translations (the language switcher).
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from buildings.models import Resident
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

ADD_RESIDENT = re.compile(r"^(添加居民|Add resident)$")
SAVE = re.compile(r"^(保存|Save)$")
MENU = re.compile(r"^(菜单|Menu)$")
RESIDENTS = re.compile(r"^(居民|Residents)$")
# The community page links to its buildings with their number: "楼栋（2）", "Buildings (2)".
BUILDINGS_OF_COMMUNITY = re.compile(r"^(楼栋|Buildings)\s*[（(]\d+[)）]$")


def _open_household_a(page, live_server, world):
    """Secretary A: log in, land on the community, walk down to household 301."""
    a = world.a
    login(page, live_server, a.secretary.username)

    expect(page.get_by_role("heading", level=1)).to_contain_text(a.community.name)
    page.locator("main").get_by_role("link", name=BUILDINGS_OF_COMMUNITY).click()
    page.get_by_role("link", name=str(a.building), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(a.building))
    page.get_by_role("link", name=re.compile(r"^(6单元|Unit 6)$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(a.unit))
    page.get_by_role("link", name="301", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(a.household))


def test_secretary_adds_resident_through_the_tree(page, live_server, world):
    _open_household_a(page, live_server, world)

    page.get_by_role("link", name=ADD_RESIDENT).click()
    page.locator('input[name="name"]').fill("张三")
    page.locator('input[name="phone"]').fill("13900001111")
    page.get_by_role("button", name=SAVE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(str(world.a.household))
    expect(page.get_by_role("table").get_by_role("link", name="张三", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("张三")
    assert Resident.objects.filter(
        household=world.a.household, name="张三", phone="13900001111"
    ).exists()


def test_secretary_resident_form_without_name_shows_error(page, live_server, world):
    _open_household_a(page, live_server, world)
    before = Resident.objects.count()
    page.get_by_role("link", name=ADD_RESIDENT).click()
    form_url = page.url
    name = page.locator('input[name="name"]')

    # Empty: the browser itself refuses (the field is required) and says why.
    page.locator('input[name="phone"]').fill("13900001111")
    page.get_by_role("button", name=SAVE).click()
    assert page.url == form_url
    assert name.evaluate("el => el.validationMessage") != ""

    # Only spaces pass the browser's check; the server strips them and shows its error.
    name.fill("   ")
    page.get_by_role("button", name=SAVE).click()
    expect(name).to_have_class(re.compile(r"\bis-invalid\b"))
    error = page.locator(".invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"必填|姓名|required|name", re.IGNORECASE))
    expect(page.locator('input[name="phone"]')).to_have_value("13900001111")
    assert Resident.objects.count() == before


def test_other_secretary_gets_404_and_no_residents_of_a(page, live_server, world):
    a, b = world.a, world.b
    login(page, live_server, b.secretary.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text(b.community.name)

    response = page.goto(f"{live_server.url}{a.building.get_absolute_url()}")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"页面不存在|Not found"))
    expect(page.locator("body")).not_to_contain_text(str(a.building))
    expect(page.locator("body")).not_to_contain_text(a.community.name)

    page.locator("nav.navbar").get_by_role("link", name=RESIDENTS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RESIDENTS)
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=b.resident.name, exact=True)).to_be_visible()
    expect(table).not_to_contain_text(a.resident.name)


def test_language_switcher_changes_navigation(page, live_server, world):
    login(page, live_server, world.a.secretary.username)
    nav = page.locator("nav.navbar")
    footer = page.locator("footer")
    expect(nav.get_by_role("link", name="居民", exact=True)).to_be_visible()

    footer.get_by_role("button", name="English", exact=True).click()

    expect(nav.get_by_role("link", name="Residents", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.a.community.name)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    footer.get_by_role("button", name="简体中文", exact=True).click()

    expect(nav.get_by_role("link", name="居民", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _assert_no_horizontal_overflow(page, width: int = 375) -> None:
    """Tables may scroll inside .table-responsive; the page itself must not."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{page.url} is {scroll_width}px wide at {width}px"


def test_phone_width_pages_fit_and_menu_opens(new_context, live_server, world):
    a = world.a
    page = new_context(**PHONE).new_page()
    login(page, live_server, a.secretary.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text(a.community.name)
    assert page.evaluate("window.innerWidth") == 375
    _assert_no_horizontal_overflow(page)
    _shoot(page, "community-375")

    toggler = page.get_by_role("button", name=MENU)
    expect(toggler).to_be_visible()
    residents_link = page.locator("#main-nav").get_by_role("link", name=RESIDENTS)
    expect(residents_link).to_be_hidden()
    toggler.click()
    residents_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(RESIDENTS)
    expect(page.get_by_role("link", name=a.resident.name, exact=True)).to_be_visible()
    _assert_no_horizontal_overflow(page)
    _shoot(page, "resident-list-375")

    page.goto(live_server.url + reverse("buildings:resident_create", args=[a.household.pk]))
    expect(page.get_by_role("button", name=SAVE)).to_be_visible()
    _assert_no_horizontal_overflow(page)
    _shoot(page, "resident-form-375")

    desktop = new_context(**DESKTOP).new_page()
    login(desktop, live_server, a.secretary.username)
    _shoot(desktop, "community-1280")
    desktop.goto(live_server.url + reverse("buildings:resident_list"))
    _shoot(desktop, "resident-list-1280")
    desktop.goto(live_server.url + reverse("buildings:resident_create", args=[a.household.pk]))
    _shoot(desktop, "resident-form-1280")


def test_print_hides_navigation(page, live_server, world):
    login(page, live_server, world.a.secretary.username)
    navbar = page.locator("nav.navbar")
    expect(navbar).to_be_visible()

    page.emulate_media(media="print")

    expect(navbar).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.a.community.name)
