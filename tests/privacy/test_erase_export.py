"""Erasing a resident who moved away, and exporting everything held about one resident."""

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from buildings import services
from buildings.models import AccessLog, Donation, Fund, Resident
from tests import factories

PHONE = "13912345678"


@pytest.fixture
def ledger(world):
    """A fund of side A led by the resident, a donation given and one raised by them."""
    resident = world.a.resident
    resident.birth_year = 1950
    resident.save()
    resident.tags.add(factories.ResidentTagFactory())
    fund = services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": date(2026, 5, 1), "leader": resident},
        by=world.a.secretary,
    )
    given, _ = services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("300.00"),
            "date": date(2026, 5, 2),
            "donor_resident": resident,
        },
        token=uuid.uuid4(),
        by=world.a.secretary,
    )
    raised, _ = services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("500.00"),
            "date": date(2026, 5, 3),
            "donor_name": "电业局技校",
            "raised_by": resident,
        },
        token=uuid.uuid4(),
        by=world.a.secretary,
    )
    factories.SuggestionFactory(community=world.a.community, resident=resident, content="装扶手")
    return fund, given, raised


def _erase(client, resident, **data):
    return client.post(
        reverse("privacy:resident_erase", args=[resident.pk]), {"confirm": "yes", **data}
    )


def test_erase_keeps_the_ledger_and_its_totals(client, world, ledger):
    fund, given, raised = ledger
    before = services.fund_totals(fund)
    client.force_login(world.a.secretary)

    response = _erase(client, world.a.resident)

    assert response.status_code == 302
    assert services.fund_totals(Fund.objects.get(pk=fund.pk)) == before
    assert Donation.objects.filter(fund=fund).count() == 2
    name = f"原住户-{world.a.resident.pk}"
    assert Donation.objects.get(pk=given.pk).donor_display == name
    assert Donation.objects.get(pk=raised.pk).raised_by.name == name
    assert Fund.objects.get(pk=fund.pk).leader is None


def test_erase_clears_personal_data_and_history(client, world, ledger):
    client.force_login(world.a.secretary)

    _erase(client, world.a.resident)

    row = Resident.all_objects.get(pk=world.a.resident.pk)
    assert row.name == f"原住户-{row.pk}"
    assert (row.phone, row.birth_year, row.is_party_member) == ("", None, False)
    assert row.erased_by == world.a.secretary and row.erased_at is not None
    assert not row.tags.exists()
    versions = Resident.history.filter(id=row.pk)
    assert versions.count() >= 3
    assert not versions.filter(name=world.a.resident.name).exists()
    assert not versions.exclude(phone="").exists()
    assert not versions.filter(birth_year__isnull=False).exists()
    assert not versions.filter(is_party_member=True).exists()
    assert versions.latest().history_user == world.a.secretary


def test_erased_resident_is_gone_from_lists_and_choices(client, world, ledger):
    client.force_login(world.a.secretary)
    form_url = reverse("buildings:donation_create", args=[ledger[0].pk])
    assert world.a.resident.name.encode() in client.get(form_url).content
    erased = _erase(client, world.a.resident)
    client.get(erased.url)  # the page that shows the confirmation message
    name = world.a.resident.name

    resident_list = client.get(reverse("buildings:resident_list"), {"q": "居民"}).content
    household = client.get(reverse("buildings:household_detail", args=[world.a.household.pk]))
    detail = client.get(reverse("buildings:resident_detail", args=[world.a.resident.pk]))
    donation_form = client.get(form_url)

    assert name.encode() not in resident_list
    assert "原住户".encode() not in resident_list
    assert name.encode() not in household.content
    assert detail.status_code == 404
    assert donation_form.status_code == 200
    assert "原住户".encode() not in donation_form.content  # not a donor or raiser to choose
    assert not Resident.objects.filter(pk=world.a.resident.pk).exists()


def test_erase_other_community_is_404_and_changes_nothing(client, world, ledger):
    client.force_login(world.b.secretary)

    response = _erase(client, world.a.resident)

    assert response.status_code == 404
    assert Resident.objects.get(pk=world.a.resident.pk).phone == PHONE


@pytest.mark.parametrize("role", ["head", "official"])
def test_erase_by_reader_is_refused(client, world, ledger, role):
    client.force_login(world.a.head if role == "head" else world.official)

    response = _erase(client, world.a.resident)

    assert response.status_code == 403
    assert Resident.objects.get(pk=world.a.resident.pk).phone == PHONE


def test_erase_without_csrf_token_is_refused(world, ledger):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.secretary)

    response = _erase(client, world.a.resident)

    assert response.status_code == 403
    assert Resident.objects.get(pk=world.a.resident.pk).phone == PHONE


def test_erase_without_confirmation_asks_again(en_client, world, ledger):
    en_client.force_login(world.a.secretary)

    response = en_client.post(reverse("privacy:resident_erase", args=[world.a.resident.pk]))

    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    assert Resident.objects.get(pk=world.a.resident.pk).phone == PHONE


def test_erase_page_says_what_stays(en_client, world, ledger):
    en_client.force_login(world.a.secretary)

    html = en_client.get(reverse("privacy:resident_erase", args=[world.a.resident.pk]))

    assert "1 donation stays in the ledger" in html.content.decode()


def test_ledger_guard_still_refuses_updates_with_history(world, ledger):
    _fund, given, _raised = ledger
    assert Donation.history.filter(id=given.pk, history_type="+").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE buildings_donation SET amount = 1 WHERE id = %s", [given.pk])
    assert Donation.objects.get(pk=given.pk).amount == Decimal("300.00")


# Export


def test_export_holds_everything_about_the_resident(client, world, ledger):
    fund, given, raised = ledger
    client.force_login(world.a.secretary)

    response = client.get(reverse("privacy:resident_export", args=[world.a.resident.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["resident"]["phone"] == PHONE
    assert data["resident"]["is_party_member"] is True
    assert data["resident"]["birth_year"] == 1950
    assert len(data["resident"]["tags"]) == 1
    assert data["household"]["room"] == "301"
    assert [d["id"] for d in data["donations_given"]] == [given.pk]
    assert [d["id"] for d in data["donations_raised"]] == [raised.pk]
    assert [f["id"] for f in data["funds_led"]] == [fund.pk]
    assert [s["content"] for s in data["suggestions"]] == ["装扶手"]
    assert len(data["history"]) >= 2
    assert AccessLog.objects.filter(
        user=world.a.secretary,
        action=AccessLog.Action.EXPORT_RESIDENT,
        resident=world.a.resident,
    ).exists()


def test_export_by_official_is_refused_and_not_logged(client, world):
    client.force_login(world.official)

    response = client.get(reverse("privacy:resident_export", args=[world.a.resident.pk]))

    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT_RESIDENT).exists()
