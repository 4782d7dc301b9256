"""The ledger's rules: exact yuan, unique receipts, never changed, reversed not deleted."""

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from buildings import services
from buildings.models import Donation, Expense, Fund, Household
from tests import factories


@pytest.fixture
def fund(world):
    return services.fund_create(
        building=world.a.building,
        data={
            "unit": world.a.unit,
            "purpose": "楼馨园",
            "quota": Decimal("300.00"),
            "target": Decimal("1800.00"),
            "opened_on": date(2026, 5, 1),
        },
        by=world.a.secretary,
    )


def _donate(fund, by, token=None, **data):
    fields = {"kind": "money", "amount": Decimal("300.00"), "date": date(2026, 5, 2)} | data
    return services.donation_record(fund=fund, data=fields, token=token or uuid.uuid4(), by=by)


def test_donation_record_household_counts(world, fund):
    donation, created = _donate(
        fund, world.a.head, donor_household=world.a.household, receipt_no="001"
    )

    assert created and donation.pk
    assert services.fund_totals(fund)["raised"] == Decimal("300.00")


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-5"), Decimal("1.234"), Decimal("1000000.01")]
)
def test_donation_bad_amount_refused(world, fund, amount):
    with pytest.raises(ValidationError) as error:
        _donate(fund, world.a.secretary, donor_name="电业局技校", amount=amount)

    assert "amount" in error.value.message_dict
    assert not Donation.objects.exists()


def test_donation_money_without_amount_refused(world, fund):
    with pytest.raises(ValidationError):
        _donate(fund, world.a.secretary, donor_name="电业局技校", amount=None)
    assert not Donation.objects.exists()


def test_donation_labour_needs_description(world, fund):
    with pytest.raises(ValidationError) as error:
        _donate(
            fund, world.a.secretary, donor_household=world.a.household, kind="labour", amount=None
        )

    assert "description" in error.value.message_dict


def test_donation_labour_with_estimate_counts_in_kind(world, fund):
    _donate(
        fund,
        world.a.secretary,
        donor_household=world.a.household,
        kind="labour",
        amount=Decimal("200.00"),
        description="安装护栏",
    )

    totals = services.fund_totals(fund)
    assert (totals["raised"], totals["in_kind"]) == (Decimal("0.00"), Decimal("200.00"))


def test_donation_duplicate_receipt_refused(world, fund):
    _donate(fund, world.a.secretary, donor_name="甲", receipt_no="QF-001")

    with pytest.raises(ValidationError) as error:
        _donate(fund, world.a.secretary, donor_name="乙", receipt_no="QF-001")

    assert "receipt_no" in error.value.message_dict
    assert Donation.objects.count() == 1


def test_donation_duplicate_receipt_refused_by_database(world, fund):
    first, _ = _donate(fund, world.a.secretary, donor_name="甲", receipt_no="QF-001")
    copy = Donation(
        fund=fund,
        kind="money",
        amount=Decimal("1.00"),
        date=first.date,
        receipt_no="QF-001",
        donor_name="乙",
        recorded_by=world.a.secretary,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_donation_same_token_twice_records_once(world, fund):
    token = uuid.uuid4()

    first, created = _donate(fund, world.a.secretary, token=token, donor_name="甲")
    again, created_again = _donate(fund, world.a.secretary, token=token, donor_name="甲")

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Donation.objects.count() == 1


def test_donation_household_of_other_unit_refused(world, fund):
    other = factories.HouseholdFactory(unit__building=world.a.building, room="909")

    with pytest.raises(ValidationError) as error:
        _donate(fund, world.a.secretary, donor_household=other)

    assert "donor_household" in error.value.message_dict


def test_donation_raised_by_other_community_refused(world, fund):
    with pytest.raises(ValidationError) as error:
        _donate(fund, world.a.secretary, donor_name="电业局技校", raised_by=world.b.resident)

    assert "raised_by" in error.value.message_dict


def test_donation_raised_by_party_member_credited(world, fund):
    donation, _ = _donate(
        fund,
        world.a.secretary,
        donor_name="电业局技校",
        raised_by=world.a.resident,
        amount=Decimal("500.00"),
    )

    assert Donation.objects.get(pk=donation.pk).raised_by == world.a.resident


def test_donation_by_official_refused(world, fund):
    with pytest.raises(PermissionDenied):
        _donate(fund, world.official, donor_name="甲")
    assert not Donation.objects.exists()


def test_donation_on_closed_fund_refused(world, fund):
    services.fund_update(fund=fund, data={"is_open": False}, by=world.a.secretary)

    with pytest.raises(ValidationError):
        _donate(fund, world.a.secretary, donor_name="甲")


def test_ledger_model_refuses_change_and_delete(world, fund):
    donation, _ = _donate(fund, world.a.secretary, donor_name="甲")

    donation.amount = Decimal("1.00")
    with pytest.raises(ValidationError):
        donation.save()
    with pytest.raises(ValidationError):
        donation.delete()
    assert Donation.objects.get(pk=donation.pk).amount == Decimal("300.00")


@pytest.mark.parametrize("model", [Donation, Expense])
def test_ledger_database_refuses_update_and_delete(world, fund, model):
    if model is Donation:
        entry, _ = _donate(fund, world.a.secretary, donor_name="甲")
    else:
        entry, _ = services.expense_record(
            fund=fund,
            data={"item": "绿竹", "amount": Decimal("80.00"), "date": date(2026, 5, 3)},
            token=uuid.uuid4(),
            by=world.a.secretary,
        )
    table = model._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert model.objects.get(pk=entry.pk).amount == entry.amount


def test_reversal_nets_totals_and_keeps_both(world, fund):
    donation, _ = _donate(fund, world.a.secretary, donor_household=world.a.household)

    reversal = services.donation_reverse(
        donation=donation, reason="收据号录入错误", by=world.a.secretary
    )

    assert reversal.reverses == donation and reversal.amount == Decimal("-300.00")
    assert Donation.objects.count() == 2
    assert services.fund_totals(fund)["raised"] == Decimal("0.00")


def test_reversal_needs_reason_and_happens_once(world, fund):
    donation, _ = _donate(fund, world.a.secretary, donor_name="甲")

    with pytest.raises(ValidationError):
        services.donation_reverse(donation=donation, reason=" ", by=world.a.secretary)
    reversal = services.donation_reverse(donation=donation, reason="错", by=world.a.secretary)
    with pytest.raises(ValidationError):
        services.donation_reverse(donation=donation, reason="再错", by=world.a.secretary)
    with pytest.raises(ValidationError):
        services.donation_reverse(donation=reversal, reason="错上加错", by=world.a.secretary)
    assert Donation.objects.count() == 2


def test_expense_reversal_and_balance(world, fund):
    _donate(fund, world.a.secretary, donor_name="甲", amount=Decimal("570.00"))
    expense, _ = services.expense_record(
        fund=fund,
        data={"item": "彩灯", "amount": Decimal("120.50"), "date": date(2026, 5, 3)},
        token=uuid.uuid4(),
        by=world.a.secretary,
    )
    assert services.fund_totals(fund)["balance"] == Decimal("449.50")

    services.expense_reverse(expense=expense, reason="重复录入", by=world.a.secretary)

    assert services.fund_totals(fund)["balance"] == Decimal("570.00")


def test_quota_status_full_partial_none_vacant_excluded(world, fund):
    full = world.a.household
    partial = factories.HouseholdFactory(unit=world.a.unit, room="302")
    factories.HouseholdFactory(unit=world.a.unit, room="401")  # pays nothing
    factories.HouseholdFactory(unit=world.a.unit, room="402", occupancy=Household.Occupancy.VACANT)
    _donate(fund, world.a.secretary, donor_household=full)
    _donate(fund, world.a.secretary, donor_household=partial, amount=Decimal("150.00"))

    status = {row["household"].room: row["status"] for row in services.quota_status(fund)}

    assert status == {"301": "full", "302": "partial", "401": "none"}


def test_fund_leader_must_be_party_member_of_community(world):
    with pytest.raises(ValidationError):
        services.fund_create(
            building=world.a.building,
            data={"purpose": "x", "leader": world.b.resident, "opened_on": date(2026, 1, 1)},
            by=world.a.secretary,
        )
    assert not Fund.objects.exists()


def test_fund_history_records_who_changed_what(world, fund):
    services.fund_update(fund=fund, data={"target": Decimal("2000.00")}, by=world.a.head)

    latest = fund.history.latest()
    changes = latest.diff_against(latest.prev_record).changes
    assert latest.history_user == world.a.head
    assert [(c.field, c.new) for c in changes] == [("target", Decimal("2000.00"))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_donations_both_count(world):
    fund = services.fund_create(
        building=world.a.building,
        data={"purpose": "并发", "opened_on": date(2026, 5, 1)},
        by=world.a.secretary,
    )
    barrier = threading.Barrier(2)
    errors = []

    def record(name):
        try:
            barrier.wait(timeout=10)
            _donate(fund, world.a.secretary, donor_name=name, amount=Decimal("100.00"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert services.fund_totals(fund)["raised"] == Decimal("200.00")
    assert Donation.objects.filter(fund=fund).count() == 2
