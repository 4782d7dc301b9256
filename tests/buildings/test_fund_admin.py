"""The admin reads the ledger and never changes it; funds are scoped like the pages."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buildings import services
from buildings.models import Donation, Fund


@pytest.fixture
def ledger(staff_world):
    from tests.conftest import grant_admin_access

    w = staff_world
    grant_admin_access(w.a.secretary, w.b.secretary)
    fund = services.fund_create(
        building=w.a.building,
        data={"purpose": "楼馨园", "opened_on": date(2026, 5, 1)},
        by=w.a.secretary,
    )
    donation, _ = services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("300.00"),
            "date": date(2026, 5, 2),
            "donor_name": "电业局技校",
            "receipt_no": "R-1",
        },
        token=uuid.uuid4(),
        by=w.a.secretary,
    )
    return w, fund, donation


def test_donation_admin_change_post_changes_nothing(client, ledger):
    w, fund, donation = ledger
    client.force_login(w.superuser)
    url = reverse("admin:buildings_donation_change", args=[donation.pk])

    response = client.post(url, {"amount": "1.00", "donor_name": "改"})

    assert response.status_code == 403
    assert Donation.objects.get(pk=donation.pk).amount == Decimal("300.00")


def test_donation_admin_delete_refused(client, ledger):
    w, fund, donation = ledger
    client.force_login(w.superuser)

    response = client.post(
        reverse("admin:buildings_donation_delete", args=[donation.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Donation.objects.filter(pk=donation.pk).exists()


def test_fund_admin_other_community_sees_nothing(client, ledger):
    w, fund, donation = ledger
    client.force_login(w.b.secretary)

    funds = client.get(reverse("admin:buildings_fund_changelist")).content.decode()
    donations = client.get(reverse("admin:buildings_donation_changelist")).content.decode()

    assert "楼馨园" not in funds
    assert "电业局技校" not in donations


def test_fund_admin_own_secretary_sees_fund_and_donation(client, ledger):
    w, fund, donation = ledger
    client.force_login(w.a.secretary)

    funds = client.get(reverse("admin:buildings_fund_changelist")).content.decode()
    donations = client.get(reverse("admin:buildings_donation_changelist")).content.decode()

    assert "楼馨园" in funds
    assert "电业局技校" in donations


def test_fund_admin_change_records_history_user(client, ledger):
    w, fund, donation = ledger
    client.force_login(w.a.secretary)
    url = reverse("admin:buildings_fund_change", args=[fund.pk])
    data = {
        "building": w.a.building.pk,
        "unit": "",
        "purpose": "楼馨园",
        "description": "",
        "target": "1800.00",
        "quota": "",
        "leader": "",
        "is_open": "on",
        "opened_on": "2026-05-01",
        "donations-TOTAL_FORMS": "1",
        "donations-INITIAL_FORMS": "1",
        "donations-MIN_NUM_FORMS": "0",
        "donations-MAX_NUM_FORMS": "1000",
        "donations-0-id": donation.pk,
        "donations-0-fund": fund.pk,
        "expenses-TOTAL_FORMS": "0",
        "expenses-INITIAL_FORMS": "0",
        "expenses-MIN_NUM_FORMS": "0",
        "expenses-MAX_NUM_FORMS": "1000",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Fund.objects.get(pk=fund.pk).target == Decimal("1800.00")
    assert fund.history.latest().history_user == w.a.secretary
