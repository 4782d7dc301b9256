"""Fund pages: opening funds, the donation and expense forms, reversals, receipts, the
quota table and the public notice. Every write goes through the page, as a person would."""

import re
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from buildings import services
from buildings.models import Donation, Expense, Fund, Household
from tests import factories

# Helpers


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _fund(world, **data):
    fields = {
        "unit": world.a.unit,
        "purpose": "楼馨园",
        "quota": Decimal("300.00"),
        "target": Decimal("1800.00"),
        "leader": world.a.resident,
        "opened_on": date(2026, 5, 1),
    } | data
    return services.fund_create(building=world.a.building, data=fields, by=world.a.secretary)


def _donate(fund, by, **data):
    fields = {"kind": "money", "amount": Decimal("300.00"), "date": date(2026, 5, 2)} | data
    donation, _created = services.donation_record(fund=fund, data=fields, token=uuid.uuid4(), by=by)
    return donation


def _spend(fund, by, **data):
    fields = {"item": "竹子", "amount": Decimal("120.00"), "date": date(2026, 5, 3)} | data
    expense, _created = services.expense_record(fund=fund, data=fields, token=uuid.uuid4(), by=by)
    return expense


def _donation_post(world, **data):
    return {
        "kind": "money",
        "donor_household": world.a.household.pk,
        "donor_resident": "",
        "donor_name": "",
        "raised_by": "",
        "amount": "300.00",
        "description": "",
        "date": "2026-05-02",
        "receipt_no": "QF-001",
        "token": str(uuid.uuid4()),
    } | data


def _figure(response, name) -> str:
    """The text of one headline figure (raised, spent, balance) on the fund page."""
    match = re.search(rf'id="fund-{name}">([^<]*)<', response.content.decode())
    assert match, name
    return match.group(1).strip()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _media_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


# Opening and editing funds


def test_fund_create_secretary_saves(en_client, world):
    en_client.force_login(world.a.secretary)
    data = {
        "unit": world.a.unit.pk,
        "purpose": "楼馨园健身角",
        "description": "健身器材和护栏",
        "target": "1800",
        "quota": "300",
        "leader": world.a.resident.pk,
        "opened_on": "2026-05-01",
    }

    response = en_client.post(
        reverse("buildings:fund_create", args=[world.a.building.pk]), data, follow=True
    )

    fund = Fund.objects.get(purpose="楼馨园健身角")
    assert (fund.building, fund.unit, fund.leader) == (
        world.a.building,
        world.a.unit,
        world.a.resident,
    )
    assert fund.quota == Decimal("300.00") and fund.created_by == world.a.secretary
    assert response.redirect_chain[-1][0] == fund.get_absolute_url()
    assert "楼馨园健身角" in response.content.decode()


def test_fund_create_building_head_may_open(client, world):
    client.force_login(world.a.head)

    response = client.post(
        reverse("buildings:fund_create", args=[world.a.building.pk]),
        {"purpose": "粉刷楼道", "opened_on": "2026-05-01"},
    )

    fund = Fund.objects.get(purpose="粉刷楼道")
    assert response.status_code == 302
    assert fund.unit is None and fund.created_by == world.a.head


def test_fund_create_forged_leader_refused(en_client, world):
    en_client.force_login(world.a.secretary)
    data = {"purpose": "伪造", "opened_on": "2026-05-01", "leader": world.b.resident.pk}

    response = en_client.post(reverse("buildings:fund_create", args=[world.a.building.pk]), data)

    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["leader"])
    assert not Fund.objects.filter(purpose="伪造").exists()


def test_fund_create_leader_choices_are_party_members_of_the_community(client, world):
    outsider_member = world.b.resident
    not_member = factories.ResidentFactory(household=world.a.household, name="非党员")
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:fund_create", args=[world.a.building.pk]))

    leaders = list(response.context["form"].fields["leader"].queryset)
    assert world.a.resident in leaders
    assert outsider_member not in leaders and not_member not in leaders


def test_fund_create_official_forbidden(client, world):
    client.force_login(world.official)

    response = client.post(
        reverse("buildings:fund_create", args=[world.a.building.pk]),
        {"purpose": "伪造", "opened_on": "2026-05-01"},
    )

    assert response.status_code == 403
    assert not Fund.objects.exists()


def test_fund_update_saves_and_history_shows_the_change(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)
    data = {
        "purpose": "楼馨园",
        "description": "",
        "target": "2000",
        "quota": "300",
        "leader": world.a.resident.pk,
        "is_open": "",
    }

    response = en_client.post(reverse("buildings:fund_update", args=[fund.pk]), data, follow=True)

    fund.refresh_from_db()
    assert fund.target == Decimal("2000.00") and not fund.is_open
    page = response.content.decode()
    assert "changed" in page
    assert "1800.00 → 2000.00" in page
    assert "open → closed" in page
    assert str(world.a.secretary) in page


# Recording donations


def test_donation_record_through_page_changes_balance(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)
    before = en_client.get(fund.get_absolute_url())
    form = en_client.get(reverse("buildings:donation_create", args=[fund.pk]))
    token = form.context["form"].initial["token"]

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]),
        _donation_post(world, token=str(token)),
        follow=True,
    )

    donation = Donation.objects.get()
    assert (donation.fund, donation.donor_household, donation.amount) == (
        fund,
        world.a.household,
        Decimal("300.00"),
    )
    assert donation.token == token and donation.recorded_by == world.a.secretary
    assert _figure(before, "balance") == "0.00"
    assert response.redirect_chain[-1][0] == fund.get_absolute_url()
    assert _figure(response, "raised") == "300.00"
    assert _figure(response, "balance") == "300.00"
    assert "Donation recorded." in response.content.decode()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "min_value"),
        ("-5", "min_value"),
        ("1.234", "max_decimal_places"),
        ("1000000.01", "max_value"),
        ("abc", "invalid"),
    ],
)
def test_donation_bad_amount_refused(en_client, world, amount, code):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world, amount=amount)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["amount"]
    assert [error.code for error in errors] == [code]
    assert "yuan" in response.context["form"].errors["amount"][0]
    assert not Donation.objects.exists()


def test_donation_money_without_amount_refused(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world, amount="")
    )

    assert "amount" in response.context["form"].errors
    assert not Donation.objects.exists()


def test_donation_labour_needs_description_and_amount_is_optional(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)
    url = reverse("buildings:donation_create", args=[fund.pk])

    refused = en_client.post(url, _donation_post(world, kind="labour", amount=""))
    saved = en_client.post(
        url, _donation_post(world, kind="labour", amount="", description="粉刷楼道一天")
    )

    assert "description" in refused.context["form"].errors
    assert saved.status_code == 302
    donation = Donation.objects.get()
    assert (donation.kind, donation.amount, donation.description) == (
        "labour",
        None,
        "粉刷楼道一天",
    )


def test_donation_duplicate_receipt_refused(en_client, world):
    fund = _fund(world)
    _donate(fund, world.a.secretary, donor_name="电业局技校", receipt_no="QF-001")
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["receipt_no"] == [
        "This receipt number is already recorded in this fund."
    ]
    assert Donation.objects.count() == 1


def test_donation_same_receipt_in_another_fund_is_fine(client, world):
    other = _fund(world, purpose="粉刷", unit=None)
    _donate(other, world.a.secretary, donor_name="电业局技校", receipt_no="QF-001")
    fund = _fund(world)
    client.force_login(world.a.secretary)

    response = client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world)
    )

    assert response.status_code == 302
    assert Donation.objects.filter(fund=fund, receipt_no="QF-001").count() == 1


def test_donation_same_token_twice_records_once(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)
    url = reverse("buildings:donation_create", args=[fund.pk])
    data = _donation_post(world)

    first = en_client.post(url, data)
    second = en_client.post(url, data, follow=True)

    assert first.status_code == 302
    assert Donation.objects.count() == 1
    assert second.redirect_chain[-1][0] == fund.get_absolute_url()
    assert "This donation was already recorded." in _messages(second)
    assert _figure(second, "raised") == "300.00"


def test_donation_forged_household_from_other_community_refused(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]),
        _donation_post(world, donor_household=world.b.household.pk),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["donor_household"])
    assert not Donation.objects.exists()


def test_donation_forged_resident_and_raiser_from_other_community_refused(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]),
        _donation_post(
            world,
            donor_household="",
            donor_resident=world.b.resident.pk,
            raised_by=world.b.resident.pk,
        ),
    )

    errors = response.context["form"].errors
    assert "Select a valid choice" in str(errors["donor_resident"])
    assert "Select a valid choice" in str(errors["raised_by"])
    assert not Donation.objects.exists()


def test_donation_outside_donor_credited_to_party_member(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]),
        _donation_post(
            world,
            donor_household="",
            donor_name="电业局技校",
            raised_by=world.a.resident.pk,
            amount="500",
        ),
        follow=True,
    )

    donation = Donation.objects.get()
    assert (donation.donor_name, donation.raised_by) == ("电业局技校", world.a.resident)
    page = response.content.decode()
    assert "电业局技校" in page
    assert f"raised by {world.a.resident.name}" in page


def test_donation_two_donors_refused(en_client, world):
    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_create", args=[fund.pk]),
        _donation_post(world, donor_name="电业局技校"),
    )

    assert "donor_name" in response.context["form"].errors
    assert not Donation.objects.exists()


def test_donation_official_forbidden(client, world):
    fund = _fund(world)
    client.force_login(world.official)

    response = client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world)
    )

    assert response.status_code == 403
    assert not Donation.objects.exists()


def test_donation_other_community_not_found(client, world):
    fund = _fund(world)
    client.force_login(world.b.secretary)

    response = client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world)
    )

    assert response.status_code == 404
    assert not Donation.objects.exists()


def test_donation_building_head_records(client, world):
    fund = _fund(world)
    client.force_login(world.a.head)

    response = client.post(
        reverse("buildings:donation_create", args=[fund.pk]), _donation_post(world)
    )

    assert response.status_code == 302
    assert Donation.objects.get().recorded_by == world.a.head


def test_donation_closed_fund_refused(en_client, world):
    fund = _fund(world)
    services.fund_update(fund=fund, data={"is_open": False}, by=world.a.secretary)
    en_client.force_login(world.a.secretary)
    url = reverse("buildings:donation_create", args=[fund.pk])

    form_page = en_client.get(url)
    posted = en_client.post(url, _donation_post(world))

    assert form_page.status_code == 302
    assert posted.status_code == 200
    assert "This fund is closed." in str(posted.context["form"].non_field_errors())
    assert not Donation.objects.exists()


# Reversals


def test_donation_reverse_through_page_nets_to_zero(en_client, world):
    fund = _fund(world)
    donation = _donate(fund, world.a.secretary, donor_household=world.a.household)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_reverse", args=[donation.pk]),
        {"reason": "记错了户"},
        follow=True,
    )

    reversal = Donation.objects.get(reverses=donation)
    assert Donation.objects.count() == 2
    assert (reversal.amount, reversal.reason) == (Decimal("-300.00"), "记错了户")
    assert _figure(response, "raised") == "0.00"
    assert _figure(response, "balance") == "0.00"
    page = response.content.decode()
    assert "记错了户" in page
    assert f'href="#donation-{donation.pk}"' in page
    assert "<del>300.00</del>" in page


def test_expense_reverse_through_page_nets_to_zero(en_client, world):
    fund = _fund(world)
    _donate(fund, world.a.secretary, donor_household=world.a.household)
    expense = _spend(fund, world.a.secretary)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:expense_reverse", args=[expense.pk]), {"reason": "退货"}, follow=True
    )

    assert Expense.objects.count() == 2
    assert Expense.objects.get(reverses=expense).amount == Decimal("-120.00")
    assert _figure(response, "spent") == "0.00"
    assert _figure(response, "balance") == "300.00"


def test_donation_reverse_without_reason_refused(en_client, world):
    fund = _fund(world)
    donation = _donate(fund, world.a.secretary, donor_household=world.a.household)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:donation_reverse", args=[donation.pk]), {"reason": "  "}, follow=True
    )

    assert Donation.objects.count() == 1
    assert response.redirect_chain[-1][0] == fund.get_absolute_url()
    assert "Say why the entry is reversed." in _messages(response)


def test_donation_reverse_twice_refused(en_client, world):
    fund = _fund(world)
    donation = _donate(fund, world.a.secretary, donor_household=world.a.household)
    en_client.force_login(world.a.secretary)
    url = reverse("buildings:donation_reverse", args=[donation.pk])

    en_client.post(url, {"reason": "记错"})
    response = en_client.post(url, {"reason": "再来一次"}, follow=True)

    assert Donation.objects.count() == 2
    assert "This entry has already been reversed." in _messages(response)


def test_donation_reverse_official_forbidden_other_community_not_found(client, world):
    fund = _fund(world)
    donation = _donate(fund, world.a.secretary, donor_household=world.a.household)
    url = reverse("buildings:donation_reverse", args=[donation.pk])

    client.force_login(world.official)
    official = client.post(url, {"reason": "试试"})
    client.force_login(world.b.secretary)
    other = client.post(url, {"reason": "试试"})

    assert (official.status_code, other.status_code) == (403, 404)
    assert Donation.objects.count() == 1


# Expenses and their receipts


def test_expense_with_receipt_photo_served_only_within_scope(client, world):
    fund = _fund(world)
    client.force_login(world.a.secretary)

    response = client.post(
        reverse("buildings:expense_create", args=[fund.pk]),
        {
            "item": "竹子",
            "amount": "120.50",
            "date": "2026-05-03",
            "receipt_no": "FP-9",
            "token": str(uuid.uuid4()),
            "receipt": factories.image_upload(name="receipt.jpg"),
        },
    )

    expense = Expense.objects.get()
    assert response.status_code == 302
    assert (expense.item, expense.amount, expense.receipt_no) == (
        "竹子",
        Decimal("120.50"),
        "FP-9",
    )
    assert expense.receipt_thumb
    url = reverse("buildings:expense_receipt", args=[expense.pk])
    served = client.get(url)
    body = b"".join(served.streaming_content)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert body.startswith(b"\xff\xd8")
    detail = client.get(fund.get_absolute_url()).content.decode()
    assert f'src="{url}"' in detail

    client.force_login(world.b.secretary)
    assert client.get(url).status_code == 404


def test_expense_text_file_as_receipt_refused(en_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fund = _fund(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("buildings:expense_create", args=[fund.pk]),
        {
            "item": "竹子",
            "amount": "120",
            "date": "2026-05-03",
            "token": str(uuid.uuid4()),
            "receipt": SimpleUploadedFile("receipt.txt", b"not a photo", "image/jpeg"),
        },
    )

    assert response.status_code == 200
    assert "receipt.txt" in str(response.context["form"].errors["receipt"])
    assert not Expense.objects.exists()
    assert _media_files() == []


def test_expense_without_photo_has_no_receipt_url(client, world):
    fund = _fund(world)
    expense = _spend(fund, world.a.secretary)
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:expense_receipt", args=[expense.pk]))

    assert response.status_code == 404


def test_expense_duplicate_receipt_and_bad_amount_refused(en_client, world):
    fund = _fund(world)
    _spend(fund, world.a.secretary, receipt_no="FP-1")
    en_client.force_login(world.a.secretary)
    url = reverse("buildings:expense_create", args=[fund.pk])
    data = {"item": "灯", "amount": "30", "date": "2026-05-03", "receipt_no": "FP-1"}

    duplicate = en_client.post(url, data | {"token": str(uuid.uuid4())})
    bad_amount = en_client.post(
        url, data | {"receipt_no": "FP-2", "amount": "1.234", "token": str(uuid.uuid4())}
    )

    assert "receipt_no" in duplicate.context["form"].errors
    assert "amount" in bad_amount.context["form"].errors
    assert Expense.objects.count() == 1


def test_expense_same_token_twice_records_once(client, world):
    fund = _fund(world)
    client.force_login(world.a.secretary)
    url = reverse("buildings:expense_create", args=[fund.pk])
    data = {"item": "灯", "amount": "30", "date": "2026-05-03", "token": str(uuid.uuid4())}

    client.post(url, data)
    second = client.post(url, data)

    assert second.status_code == 302
    assert Expense.objects.count() == 1


# What the pages show


def test_fund_detail_quota_table_full_partial_none(en_client, world):
    unit = world.a.unit
    partial = factories.HouseholdFactory(unit=unit, room="302")
    unpaid = factories.HouseholdFactory(unit=unit, room="401")
    factories.HouseholdFactory(unit=unit, room="402", occupancy=Household.Occupancy.VACANT)
    fund = _fund(world)
    by = world.a.secretary
    _donate(fund, by, donor_household=world.a.household, amount=Decimal("200.00"))
    _donate(fund, by, donor_household=world.a.household, amount=Decimal("100.00"))
    _donate(fund, by, donor_household=partial, amount=Decimal("100.00"))
    en_client.force_login(by)

    response = en_client.get(fund.get_absolute_url())

    rows = {row["household"].room: row for row in response.context["quota_rows"]}
    assert {room: row["status"] for room, row in rows.items()} == {
        "301": "full",
        "302": "partial",
        "401": "none",
    }
    quota = response.content.decode().split('id="quota-heading"')[1].split("</table>")[0]
    cells = dict(
        re.findall(r"room (\d+)</td>.*?<span class=\"badge [^\"]+\">([^<]+)<", quota, re.S)
    )
    assert cells == {"301": "paid in full", "302": "paid in part", "401": "not paid"}
    assert "402" not in quota
    assert unpaid.room in quota


def test_fund_detail_figures_match_the_service(en_client, world):
    fund = _fund(world)
    by = world.a.secretary
    member = world.a.resident
    _donate(fund, by, donor_household=world.a.household, amount=Decimal("300.00"))
    _donate(fund, by, donor_name="电业局技校", raised_by=member, amount=Decimal("500.00"))
    wrong = _donate(fund, by, donor_resident=member, amount=Decimal("200.00"))
    services.donation_reverse(donation=wrong, reason="重复", by=by)
    _donate(
        fund, by, donor_resident=member, kind="labour", amount=Decimal("80.00"), description="刷墙"
    )
    _spend(fund, by, amount=Decimal("120.00"))
    en_client.force_login(by)

    response = en_client.get(fund.get_absolute_url())

    totals = services.fund_totals(fund)
    shown = response.context["fund"]
    assert (shown.raised, shown.in_kind, shown.spent, shown.balance, shown.progress) == (
        totals["raised"],
        totals["in_kind"],
        totals["spent"],
        totals["balance"],
        totals["progress"],
    )
    assert _figure(response, "raised") == "800.00"
    assert _figure(response, "balance") == "680.00"
    assert "44% of the target of 1,800.00 yuan" in response.content.decode()


def test_fund_list_rows_show_their_own_totals(en_client, world):
    first = _fund(world, purpose="楼馨园")
    second = _fund(world, purpose="竹子花卉", unit=None, target=None, quota=None)
    by = world.a.secretary
    _donate(first, by, donor_household=world.a.household, amount=Decimal("300.00"))
    _spend(first, by, amount=Decimal("100.00"))
    _donate(second, by, donor_name="电业局技校", amount=Decimal("570.00"))
    _donate(second, by, donor_name="居民", kind="goods", amount=Decimal("50.00"), description="花")
    en_client.force_login(by)

    response = en_client.get(reverse("buildings:fund_list"))

    rows = {fund.purpose: fund for fund in response.context["object_list"]}
    assert (rows["楼馨园"].raised, rows["楼馨园"].spent, rows["楼馨园"].balance) == (
        Decimal("300.00"),
        Decimal("100.00"),
        Decimal("200.00"),
    )
    assert (rows["竹子花卉"].raised, rows["竹子花卉"].balance) == (
        Decimal("570.00"),
        Decimal("570.00"),
    )
    page = response.content.decode()
    assert "16% of the target of 1,800.00 yuan" in page
    assert "no target" in page


def test_fund_list_scoped_and_filtered(en_client, world):
    _fund(world, purpose="清福楼馨园")
    services.fund_create(
        building=world.b.building,
        data={"purpose": "花园集资", "opened_on": date(2026, 5, 1)},
        by=world.b.secretary,
    )
    en_client.force_login(world.a.secretary)

    mine = en_client.get(reverse("buildings:fund_list")).content.decode()
    building = en_client.get(
        reverse("buildings:fund_list"), {"building": world.a.building.pk}
    ).content.decode()
    closed = en_client.get(reverse("buildings:fund_list"), {"is_open": "false"}).content.decode()

    assert "清福楼馨园" in mine and "花园集资" not in mine
    assert reverse("buildings:fund_create", args=[world.a.building.pk]) in building
    assert "清福楼馨园" not in closed


def test_fund_notice_lists_donors_and_totals_without_phones(en_client, world):
    fund = _fund(world)
    by = world.a.secretary
    member = world.a.resident
    _donate(fund, by, donor_household=world.a.household, receipt_no="001")
    _donate(fund, by, donor_name="电业局技校", raised_by=member, amount=Decimal("500.00"))
    _donate(fund, by, donor_resident=member, amount=Decimal("200.00"))
    _spend(fund, by, item="竹子", amount=Decimal("120.00"))
    wrong = _donate(fund, by, donor_name="错记单位", amount=Decimal("99.00"))
    services.donation_reverse(donation=wrong, reason="记错", by=by)
    en_client.force_login(by)

    response = en_client.get(reverse("buildings:fund_notice", args=[fund.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Public notice of the collection for 楼馨园" in page
    assert "Unit 6, room 301" in page
    assert "电业局技校" in page and member.name in page
    assert "竹子" in page
    assert "1,000.00" in page  # raised
    assert "880.00" in page  # balance
    assert member.phone not in page
    assert "5678" not in page
    assert not re.search(r"1[3-9]\d{9}", page)
    assert "<del>99.00</del>" in page and "-99.00" in page
    assert "no-print" in page  # the print hint is hidden on paper


def test_fund_pages_of_other_community_not_found(client, world):
    fund = _fund(world)
    client.force_login(world.b.secretary)

    for name in ("fund_detail", "fund_notice", "fund_update", "expense_create"):
        assert client.get(reverse(f"buildings:{name}", args=[fund.pk])).status_code == 404


def test_fund_update_by_head_keeps_a_leader_outside_their_building(client, world):
    member = factories.ResidentFactory(
        household__unit__building=world.a.section_building, name="米丽芳", is_party_member=True
    )
    fund = _fund(world, leader=member)
    client.force_login(world.a.head)
    data = {"purpose": "楼馨园二期", "target": "1800", "quota": "300", "leader": member.pk}

    response = client.post(reverse("buildings:fund_update", args=[fund.pk]), data)

    fund.refresh_from_db()
    assert response.status_code == 302
    assert (fund.purpose, fund.leader) == ("楼馨园二期", member)
    leaders = (
        client.get(reverse("buildings:fund_create", args=[world.a.building.pk]))
        .context["form"]
        .fields["leader"]
        .queryset
    )
    assert member not in leaders
