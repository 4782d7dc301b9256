"""A building head records a donation on a phone and sees the fund's balance change."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from buildings import services
from buildings.models import Donation
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def test_head_records_donation_and_balance_changes(new_context, live_server, world):
    fund = services.fund_create(
        building=world.a.building,
        data={
            "unit": world.a.unit,
            "purpose": "楼馨园",
            "quota": Decimal("300.00"),
            "opened_on": date(2026, 5, 1),
        },
        by=world.a.secretary,
    )
    page = new_context(**PHONE).new_page()
    login(page, live_server, world.a.head.username)
    page.goto(f"{live_server.url}{fund.get_absolute_url()}")
    balance = page.locator("#fund-balance")
    expect(balance).to_have_text("0.00")

    page.locator(f'a[href$="/funds/{fund.pk}/donations/new/"]').click()
    page.locator('input[name="kind"][value="money"]').check()
    page.locator('select[name="donor_household"]').select_option(str(world.a.household.pk))
    page.locator('input[name="amount"]').fill("300")
    page.locator('input[name="receipt_no"]').fill("QF15-6-001")
    page.locator('form:has(input[name="amount"]) [type="submit"]').click()

    expect(balance).to_have_text("300.00")
    expect(page.get_by_text("301").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    donation = Donation.objects.get(fund=fund)
    assert (donation.amount, donation.recorded_by) == (Decimal("300.00"), world.a.head)
