"""Matrix rows and query-budget pages of the personal-data pages: the audit log, the access
log, a resident's export and erasure.

``ROWS`` joins tests/test_matrix.py's MATRIX; ``PAGES`` joins tests/test_query_budgets.py's
PAGES, ``SEEDED`` its SEEDED (budgets themselves stay in tests/budgets.py).
"""

import uuid
from datetime import date
from decimal import Decimal

from tests import factories
from tests.matrix_roles import LOGIN, WRITE_HEAD_BUILDING

MANY = 40

# District officials and community secretaries (each for their own communities) and
# superusers; cadres, building heads and people without a role are refused.
AUDITORS = {
    "anon": LOGIN,
    "outsider": 403,
    "official": 200,
    "sec_a": 200,
    "cadre_a": 403,
    "head_a": 403,
    "sec_b": 200,
    "superuser": 200,
}

ROWS = [
    ("privacy:audit_log", "", lambda w: {}, AUDITORS),
    ("privacy:access_log", "", lambda w: {}, AUDITORS),
    # Side A's resident lives in the building head_a heads, outside cadre_a's section:
    # only those who may edit the resident export or erase it.
    ("privacy:resident_export", "", lambda w: {"pk": w.a.resident.pk}, WRITE_HEAD_BUILDING),
    ("privacy:resident_erase", "", lambda w: {"pk": w.a.resident.pk}, WRITE_HEAD_BUILDING),
]


def _fund(world):
    from buildings import services

    return services.fund_create(
        building=world.a.building,
        data={"purpose": "楼道粉刷", "opened_on": date(2026, 5, 1)},
        by=world.a.secretary,
    )


def grow_changes(world, count=MANY, prefix="9"):
    """Changes of every tracked kind in side A: residents, households, memberships,
    donations (each a history row)."""

    def grow():
        from buildings import services

        fund = _fund(world)
        for i in range(count):
            household = factories.HouseholdFactory(unit=world.a.unit, room=f"{prefix}{i:02d}")
            resident = factories.ResidentFactory(household=household, name=f"变更居民{prefix}{i}")
            resident.phone = f"1381234{i:04d}"
            resident.save()
            services.donation_record(
                fund=fund,
                data={
                    "kind": "money",
                    "amount": Decimal("10.00"),
                    "date": date(2026, 5, 2),
                    "donor_resident": resident,
                },
                token=uuid.uuid4(),
                by=world.a.secretary,
            )

    return grow


def seed_changes(world):
    return grow_changes(world, count=2, prefix="8")


def grow_access_log(world):
    def grow():
        from buildings.models import AccessLog

        for i in range(MANY):
            resident = factories.ResidentFactory(household=world.a.household, name=f"查看{i}")
            AccessLog.objects.create(
                user=world.a.cadre,
                action=AccessLog.Action.VIEW_RESIDENT,
                community=world.a.community,
                resident=resident,
            )

    return grow


def grow_resident_records(world):
    """Donations given and raised, household duty turns, suggestions and history rows."""

    def grow():
        from buildings import services
        from buildings.models import DutyRoster, DutyShift

        resident = world.a.resident
        fund = _fund(world)
        for i in range(MANY):
            services.donation_record(
                fund=fund,
                data={
                    "kind": "money",
                    "amount": Decimal("5.00"),
                    "date": date(2026, 5, 2),
                    "donor_resident": resident,
                    "receipt_no": f"R{i}",
                },
                token=uuid.uuid4(),
                by=world.a.secretary,
            )
            factories.SuggestionFactory(
                community=world.a.community, resident=resident, content=f"建议{i}"
            )
            resident.birth_year = 1940 + i
            resident.save()
        roster = DutyRoster.objects.create(
            unit=world.a.unit, starts_on=date(2026, 1, 5), created_by=world.a.secretary
        )
        DutyShift.objects.bulk_create(
            DutyShift(
                roster=roster,
                household=world.a.household,
                starts_on=date(2026, 1, 5 + i % 20) if i < 20 else date(2026, 2, i - 19),
                ends_on=date(2026, 3, 1),
            )
            for i in range(MANY)
        )

    return grow


PAGES = {
    "privacy:audit_log": ("official", lambda w: {}, grow_changes, lambda w: "变更居民939"),
    "privacy:access_log": ("sec_a", lambda w: {}, grow_access_log, lambda w: "查看39"),
    "privacy:resident_export": (
        "sec_a",
        lambda w: {"pk": w.a.resident.pk},
        grow_resident_records,
        lambda w: "建议39",
    ),
    "privacy:resident_erase": (
        "sec_a",
        lambda w: {"pk": w.a.resident.pk},
        grow_resident_records,
        lambda w: "40",
    ),
}

SEEDED = {
    "privacy:audit_log": seed_changes,
    "privacy:access_log": lambda w: grow_access_log_few(w),
}


def grow_access_log_few(world):
    def grow():
        from buildings.models import AccessLog

        for _i in range(2):
            AccessLog.objects.create(
                user=world.a.cadre,
                action=AccessLog.Action.VIEW_RESIDENT,
                community=world.a.community,
                resident=world.a.resident,
            )

    return grow
