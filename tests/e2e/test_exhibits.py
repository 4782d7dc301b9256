"""The exhibits journey in a real Chromium: a building head logs an exhibit with photos,
the community checks it, the district approves it, and anyone sees it on the public page.

Labels of the exhibits app may not be translated yet, so elements are found by what does
not depend on the language (form actions, href suffixes, input names); where text is
matched it accepts the Simplified Chinese or the English msgid.
"""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from exhibits import services
from exhibits.models import Corridor, Exhibit
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

THEME = "老年之友"
TITLE = "厚德载物"
PHOTO_IMG = 'img[src*="/exhibits/photos/"]'
CORRIDOR_CULTURE = re.compile(r"^(楼道文化|Corridor culture)$")
LOG_EXHIBIT = re.compile(r"^(登记展品|Log an exhibit)$")
SUBMIT = re.compile(r"^(提交审核|Submit for checking)$")
CHECKED = re.compile(r"^(已审核|Checked)$")
APPROVE = re.compile(r"^(批准|Approve)$")
APPROVED = re.compile(r"已批准|Approved")


def _jpeg(color: tuple[int, int, int], size: tuple[int, int] = (600, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _expect_photo_loaded(img) -> None:
    """The thumbnail was fetched and decoded by the browser (lazy images: scroll first)."""
    img.scroll_into_view_if_needed()
    img.page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("el => el.naturalWidth") > 0, img.get_attribute("src")


def _expect_all_photos_loaded(page) -> None:
    photos = page.locator(PHOTO_IMG)
    for index in range(photos.count()):
        _expect_photo_loaded(photos.nth(index))
    page.evaluate("window.scrollTo(0, 0)")


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _exhibit_form(page):
    return page.locator('form[enctype="multipart/form-data"]:has(input[name="title"])')


def test_exhibit_from_head_to_public_page(page, new_context, live_server, world):
    a = world.a

    # 1. The building head starts the corridor of the unit and logs an exhibit with photos.
    login(page, live_server, a.head.username)
    page.goto(live_server.url + reverse("buildings:unit_detail", args=[a.unit.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(a.unit))
    corridor_link = page.locator(f'a[href$="/exhibits/units/{a.unit.pk}/corridor/"]')
    expect(corridor_link).to_have_text(CORRIDOR_CULTURE)
    corridor_link.click()

    corridor_form = page.locator('form:has(input[name="theme"])')
    corridor_form.locator('input[name="theme"]').fill(THEME)
    corridor_form.locator('[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/exhibits/corridors/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(THEME)
    log_link = page.locator('a[href$="/exhibits/new/"]')
    expect(log_link).to_have_text(LOG_EXHIBIT)
    log_link.click()

    form = _exhibit_form(page)
    form.locator('select[name="kind"]').select_option("calligraphy")
    expect(form.locator('select[name="kind"] option:checked')).to_have_text(
        re.compile(r"书法|calligraphy")
    )
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('input[name="creator_name"]').fill("老年大学学员")
    form.locator('input[name="floor"]').fill("3")
    form.locator('input[name="photos"]').set_input_files(
        [
            {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((180, 40, 40))},
            {"name": "b.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((40, 90, 180))},
        ]
    )
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/exhibits/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    photos = page.locator(f"main {PHOTO_IMG}")
    expect(photos).to_have_count(2)
    for index in range(2):
        _expect_photo_loaded(photos.nth(index))

    submit = page.locator('form[action$="/submit/"] button[type="submit"]')
    expect(submit).to_have_text(SUBMIT)
    submit.click()
    expect(page.get_by_role("alert").filter(has_text=TITLE)).to_be_visible()
    expect(page.locator('form[action$="/submit/"]')).to_have_count(0)
    exhibit = Exhibit.objects.get(title=TITLE)
    assert exhibit.status == Exhibit.Status.SUBMITTED
    assert exhibit.photos.count() == 2
    assert exhibit.created_by == a.head

    # 2. The community's secretary checks it from the queue.
    secretary = new_context().new_page()
    login(secretary, live_server, a.secretary.username)
    secretary.goto(live_server.url + "/exhibits/check/")
    item = secretary.locator("main li").filter(has_text=TITLE)
    expect(item).to_be_visible()
    check = item.locator('form[action$="/check/"] button[type="submit"]')
    expect(check).to_have_text(CHECKED)
    check.click()
    expect(secretary.get_by_role("alert").filter(has_text=TITLE)).to_be_visible()
    expect(secretary.locator("main li").filter(has_text=TITLE)).to_have_count(0)
    exhibit.refresh_from_db()
    assert exhibit.status == Exhibit.Status.CHECKED

    # 3. The district official approves it from the review queue.
    official = new_context().new_page()
    login(official, live_server, world.official.username)
    official.goto(live_server.url + "/exhibits/review/")
    item = official.locator("main li").filter(has_text=TITLE)
    expect(item).to_be_visible()
    approve = item.locator('form[action$="/approve/"] button[type="submit"]')
    expect(approve).to_have_text(APPROVE)
    approve.click()
    message = official.get_by_role("alert").filter(has_text=TITLE)
    expect(message).to_be_visible()
    expect(message).to_contain_text(APPROVED)
    exhibit.refresh_from_db()
    assert exhibit.status == Exhibit.Status.APPROVED

    # 4. Anyone, without logging in, sees it on the corridor's public page.
    public_url = Corridor.objects.get(theme=THEME).get_public_url()
    visitor = new_context().new_page()
    response = visitor.goto(live_server.url + public_url)
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(THEME)
    expect(visitor.locator("main")).to_contain_text(TITLE)
    card_photo = visitor.locator(f"main {PHOTO_IMG}")
    expect(card_photo).to_have_count(1)
    _expect_photo_loaded(card_photo)
    body = visitor.locator("body")
    for name in (a.resident.name, world.b.resident.name, a.head.full_name, a.secretary.full_name):
        expect(body).not_to_contain_text(name)
    expect(visitor.locator('a[href*="/buildings/"]')).to_have_count(0)
    expect(visitor.locator("#main-nav")).to_have_count(0)


def test_hostile_upload_is_refused_with_its_name(page, live_server, world, settings):
    a = world.a
    corridor = services.corridor_create(unit=a.unit, theme=THEME, by=a.head)
    login(page, live_server, a.head.username)
    page.goto(live_server.url + reverse("exhibits:exhibit_create", args=[corridor.pk]))

    form = _exhibit_form(page)
    form.locator('select[name="kind"]').select_option("calligraphy")
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('input[name="creator_name"]').fill("老年大学学员")
    form.locator('input[name="photos"]').set_input_files(
        {"name": "evil.jpg", "mimeType": "image/jpeg", "buffer": b"<?php system($_GET['c']); ?>\n"}
    )
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/exhibits/new/$"))
    error = page.locator(".invalid-feedback, .alert-danger, .errorlist").filter(has_text="evil.jpg")
    expect(error.first).to_be_visible()
    _shoot(page, "exhibit-form-evil-1280")
    expect(_exhibit_form(page).locator('input[name="title"]')).to_have_value(TITLE)
    assert not Exhibit.objects.exists()
    stored = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    assert stored == []


def _gallery_world(world):
    """A's corridor with five approved exhibits (one photo each) and one waiting for the
    community's check, made through the services."""
    a = world.a
    corridor = services.corridor_create(
        unit=a.unit, theme=THEME, style_notes="书画、剪纸和老照片，记录楼里的故事。", by=a.secretary
    )
    titles = ["厚德载物", "家和万事兴", "宁静致远：楼道里的山水长卷", "百年好合", "上善若水"]
    colours = [(180, 40, 40), (40, 120, 60), (40, 90, 180), (200, 160, 40), (120, 60, 160)]
    for floor, (title, colour) in enumerate(zip(titles, colours, strict=True), start=1):
        exhibit = services.exhibit_create(
            corridor=corridor,
            data={
                "kind": "calligraphy",
                "title": title,
                "creator_name": "老年大学学员",
                "floor": floor,
            },
            photos=[factories.processed_photo(size=(600, 400), color=colour)],
            by=a.secretary,
        )
        services.exhibit_submit(exhibit=exhibit, by=a.secretary)
        services.exhibit_check(exhibit=exhibit, by=a.secretary)
        services.exhibit_approve(exhibit=exhibit, by=world.official)
    waiting = services.exhibit_create(
        corridor=corridor,
        data={"kind": "painting", "title": "楼道新貌（水彩）", "creator_name": "三楼小朋友"},
        photos=[factories.processed_photo(size=(400, 600), color=(60, 160, 160))],
        by=a.head,
    )
    services.exhibit_submit(exhibit=waiting, by=a.head)
    return corridor


def test_phone_width_exhibit_pages_fit(new_context, live_server, world):
    a = world.a
    corridor = _gallery_world(world)
    pages = {
        "exhibit-form": reverse("exhibits:exhibit_create", args=[corridor.pk]),
        "corridor": corridor.get_absolute_url(),
        "check-queue": reverse("exhibits:check_queue"),
        "public-gallery": corridor.get_public_url(),
    }
    users = {
        "exhibit-form": a.head,
        "corridor": a.head,
        "check-queue": a.secretary,
        "public-gallery": None,
    }
    widths = {}
    for width, options in ((375, PHONE), (1280, DESKTOP)):
        logged_in = {}
        for name, url in pages.items():
            user = users[name]
            if user is not None and user.pk not in logged_in:
                logged_in[user.pk] = new_context(**options).new_page()
                login(logged_in[user.pk], live_server, user.username)
            page = logged_in[user.pk] if user is not None else new_context(**options).new_page()
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            _expect_all_photos_loaded(page)
            if width == 375:
                assert page.evaluate("window.innerWidth") == 375
                widths[name] = _scroll_width(page)
            _shoot(page, f"{name}-{width}")
            if name == "exhibit-form":
                expect(_exhibit_form(page).locator('input[name="photos"]')).to_be_visible()
            if name == "corridor":
                expect(page.locator(f"main {PHOTO_IMG}")).to_have_count(6)
            if name == "public-gallery":
                expect(page.locator(f"main {PHOTO_IMG}")).to_have_count(5)

    # Measured for every page first, so that one overflow still leaves every screenshot.
    assert all(width <= 376 for width in widths.values()), f"scrollWidth at 375px: {widths}"
