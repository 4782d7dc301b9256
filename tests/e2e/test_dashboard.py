"""An official opens the dashboard, drills down to a community and a building, and
downloads the upward report."""

from io import BytesIO

import docx
import pytest
from playwright.sync_api import expect

from exhibits.models import Corridor
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def test_official_drills_down_and_downloads_the_report(new_context, live_server, world):
    Corridor.objects.create(
        unit=world.a.unit,
        theme="老年之友",
        status=Corridor.Status.CERTIFIED,
        created_by=world.a.secretary,
    )
    page = new_context(**DESKTOP).new_page()
    login(page, live_server, world.official.username)

    page.goto(f"{live_server.url}/dashboard/")
    table = page.locator("table").first
    expect(table).to_contain_text(world.a.community.name)
    expect(table).to_contain_text(world.b.community.name)

    table.get_by_role("link", name=world.a.community.name).click()
    expect(page.locator("h1")).to_contain_text(world.a.community.name)
    page.locator("table").first.get_by_role("link", name=str(world.a.building)).click()
    expect(page.locator("h1")).to_contain_text(str(world.a.building))

    page.goto(f"{live_server.url}/dashboard/")
    page.locator('a[href^="/dashboard/report/"]').first.click()
    expect(page.locator("body")).to_contain_text(world.a.community.name)
    with page.expect_download() as download_info:
        page.locator('a[href*="report.docx"]').click()
    download = download_info.value

    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as stream:
        document = docx.Document(BytesIO(stream.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert world.district.name in text
    assert world.a.community.name in cells and world.b.community.name in cells
