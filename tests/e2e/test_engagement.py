"""The suggestion journey in a real Chromium, on a phone: a secretary logs a suggestion from
the suggestion box for a campaign, finds it in the list, considers it, adopts it with a
reply and sees it among what the campaign adopted.

Elements are found by what does not depend on the language (input names, href suffixes,
ids and classes), so the journey holds whether or not the labels are translated yet.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from engagement.models import Suggestion
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", settings.BASE_DIR / "var" / "screenshots"))
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

CONTENT = "建议在楼道里办书画展，请老年大学学员来写字作画"
REPLY = "已采纳：五月起在清福二区15号楼举办书画展"


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _submit(page, form_field: str) -> None:
    """Press the main submit button of the form holding ``form_field``."""
    page.locator(f'form:has([name="{form_field}"]) input[type="submit"][name="submit"]').click()


def test_secretary_logs_suggestion_and_adopts_it(new_context, live_server, world):
    a = world.a
    campaign = factories.CampaignFactory(
        community=a.community, created_by=a.secretary, title="致辖区居民的一封信"
    )
    factories.SuggestionFactory(
        community=a.community, campaign=campaign, channel="letter", created_by=a.secretary
    )
    page = new_context(**PHONE).new_page()
    login(page, live_server, a.secretary.username)
    widths = {}

    # From the campaign page: log a suggestion that came through the suggestion box.
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    create = reverse("engagement:suggestion_create", args=[a.community.pk])
    page.locator(f'a[href="{create}?campaign={campaign.pk}"]').click()
    expect(page.locator('select[name="campaign"]')).to_have_value(str(campaign.pk))
    page.locator('input[name="channel"][value="box"]').check()
    page.locator('textarea[name="content"]').fill(CONTENT)
    page.locator('select[name="building"]').select_option(str(a.building.pk))
    widths["form"] = _scroll_width(page)
    _submit(page, "content")

    suggestion = Suggestion.objects.get(content=CONTENT)
    expect(page).to_have_url(f"{live_server.url}{suggestion.get_absolute_url()}")
    assert (suggestion.channel, suggestion.campaign, suggestion.status) == (
        "box",
        campaign,
        "new",
    )

    # It is in the list, marked new.
    page.goto(f"{live_server.url}{reverse('engagement:suggestion_list')}")
    row = page.locator("table.suggestion-table tbody tr", has_text=CONTENT[:30])
    expect(row).to_have_count(1)
    expect(row.locator(".badge.suggestion-new")).to_be_visible()
    widths["list"] = _scroll_width(page)

    # Considered first, then adopted with a reply.
    row.locator(f'a[href="{suggestion.get_absolute_url()}"]').click()
    page.locator(f'a[href$="/suggestions/{suggestion.pk}/answer/"]').click()
    page.locator('input[name="status"][value="considered"]').check()
    _submit(page, "status")
    expect(page.locator("h1 .badge.suggestion-considered")).to_be_visible()

    page.locator(f'a[href$="/suggestions/{suggestion.pk}/answer/"]').click()
    expect(page.locator('input[name="status"][value="considered"]')).to_have_count(0)
    page.locator('input[name="status"][value="adopted"]').check()
    page.locator('textarea[name="reply"]').fill(REPLY)
    widths["answer"] = _scroll_width(page)
    _submit(page, "status")
    expect(page.locator("h1 .badge.suggestion-adopted")).to_be_visible()
    expect(page.locator(f'a[href$="/suggestions/{suggestion.pk}/answer/"]')).to_have_count(0)

    # The campaign page counts it and shows it among what was adopted, with the reply.
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(page.locator("#campaign-suggestions")).to_have_text("2")
    expect(page.locator("#campaign-adopted")).to_have_text("1")
    adopted = page.locator("#adopted .adopted-suggestion")
    expect(adopted).to_have_count(1)
    expect(adopted).to_contain_text(CONTENT[:20])
    expect(adopted).to_contain_text(REPLY)
    expect(page.locator('#campaign-by-channel tr[data-channel="box"] td').last).to_have_text("1")
    widths["campaign"] = _scroll_width(page)
    _shoot(page, "engagement-campaign-375")

    desktop = new_context(**DESKTOP).new_page()
    login(desktop, live_server, a.secretary.username)
    desktop.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(desktop.locator("#adopted .adopted-suggestion")).to_contain_text(REPLY)
    _shoot(desktop, "engagement-campaign-1280")

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply, suggestion.decided_by) == (
        "adopted",
        REPLY,
        a.secretary,
    )
    assert all(width <= 376 for width in widths.values()), f"scrollWidth at 375px: {widths}"
