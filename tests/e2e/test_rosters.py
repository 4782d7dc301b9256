"""A building head marks an ended turn done on a phone and sees the completion rate change."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buildings import roster_services
from buildings.models import DutyShift
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def test_head_marks_turn_done_and_completion_changes(new_context, live_server, world):
    today = timezone.localdate()
    factories.HouseholdFactory(unit=world.a.unit, room="302")
    factories.HouseholdFactory(unit=world.a.unit, room="401")
    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties=["扫楼梯", "擦扶手", "检查楼道灯"],
        rotation_kind="weekly",
        starts_on=today - timedelta(weeks=3),
        by=world.a.secretary,
    )
    roster_services.generate(roster=roster, first=roster.starts_on, last=today + timedelta(weeks=4))
    ended = list(roster.shifts.filter(ends_on__lt=today).order_by("starts_on"))
    assert len(ended) == 3  # three weeks ended, none marked: all overdue
    shift = ended[-1]

    page = new_context(**PHONE).new_page()
    login(page, live_server, world.a.head.username)
    page.goto(f"{live_server.url}{roster.get_absolute_url()}")
    rate = page.locator("#roster-completion")
    expect(rate).to_have_text("0%")
    row = page.locator(f"#shift-{shift.pk}")
    expect(row.locator(".shift-overdue")).to_be_visible()

    row.locator("button.roster-done").click()

    expect(rate).to_have_text(f"{round(100 / len(ended))}%")
    expect(page.locator(f"#shift-{shift.pk} .shift-done")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    shift.refresh_from_db()
    assert (shift.status, shift.marked_by) == (DutyShift.Status.DONE, world.a.head)
