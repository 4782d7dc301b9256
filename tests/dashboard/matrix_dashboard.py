"""Matrix rows and query-budget pages of the dashboards and the upward report.

``ROWS`` joins tests/test_matrix.py's MATRIX; ``PAGES`` joins tests/test_query_budgets.py's
PAGES, ``SEEDED`` its SEEDED (budgets themselves stay in tests/budgets.py).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests import factories
from tests.matrix_roles import LOGIN

# ---------------------------------------------------------------------------------------
# The dashboards (district, community, building) and their export
# ---------------------------------------------------------------------------------------

# Officials, secretaries (their own community) and superusers; other roles are refused.
DASHBOARD = {
    "anon": LOGIN,
    "outsider": 403,
    "official": 200,
    "sec_a": 200,
    "cadre_a": 403,
    "head_a": 403,
    "sec_b": 200,
    "superuser": 200,
}
# A community's or building's dashboard on side A: side B's secretary does not find it.
DASHBOARD_A = DASHBOARD | {"sec_b": 404}


def fill_unit(unit, by, index: int) -> None:
    """Records of every kind the dashboard counts, in ``unit``, dated in the last month:
    a household, a certified corridor with an approved exhibit, a fund of the unit with a
    donation and an expense, a roster with a turn done."""
    from buildings import services
    from buildings.models import DutyRoster, DutyShift
    from exhibits.models import Corridor, Exhibit, ExhibitTransition

    today = timezone.localdate()
    household = factories.HouseholdFactory(unit=unit, room=f"{index + 1}01")
    corridor = Corridor.objects.create(
        unit=unit, theme=f"新楼道{index}", status=Corridor.Status.CERTIFIED, created_by=by
    )
    exhibit = Exhibit.objects.create(
        corridor=corridor,
        kind=Exhibit.Kind.PAINTING,
        title=f"新作品{index}",
        creator_name="老年大学学员",
        status=Exhibit.Status.APPROVED,
        status_changed_at=timezone.now(),
        created_by=by,
    )
    ExhibitTransition.objects.create(
        exhibit=exhibit,
        from_status=Exhibit.Status.CHECKED,
        to_status=Exhibit.Status.APPROVED,
        by=by,
    )
    fund = services.fund_create(
        building=unit.building,
        data={"unit": unit, "purpose": f"新集资{index}", "opened_on": today - timedelta(30)},
        by=by,
    )
    services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("50.00"),
            "date": today - timedelta(5),
            "donor_household": household,
        },
        token=uuid.uuid4(),
        by=by,
    )
    services.expense_record(
        fund=fund,
        data={"item": "灯泡", "amount": Decimal("10.00"), "date": today - timedelta(3)},
        token=uuid.uuid4(),
        by=by,
    )
    roster = DutyRoster.objects.create(
        unit=unit, duties=["扫楼梯"], starts_on=today - timedelta(30), created_by=by
    )
    DutyShift.objects.create(
        roster=roster,
        household=household,
        starts_on=today - timedelta(13),
        ends_on=today - timedelta(7),
        status=DutyShift.Status.DONE,
    )


def fill_building(building, by, index: int) -> None:
    """A unit with records (``fill_unit``) and a suggestion naming ``building``."""
    unit = factories.UnitFactory(building=building, number=50 + index % 40)
    fill_unit(unit, by, index)
    factories.SuggestionFactory(
        community=building.community,
        building=building,
        received_on=timezone.localdate() - timedelta(3),
        created_by=by,
    )


def fill_community(community, by, index: int) -> None:
    """A building with records (``fill_building``) and a guidance visit with an open
    problem."""
    building = factories.BuildingFactory(community=community, compound="新区", number=str(index))
    fill_building(building, by, index)
    visit = factories.GuidanceVisitFactory(
        community=community, visited_on=timezone.localdate() - timedelta(10), created_by=by
    )
    factories.GuidanceProblemFactory(visit=visit)


def grow_communities(world, count: int):
    """``count`` new communities of the district, each with records of every kind."""

    def grow():
        for index in range(count):
            community = factories.CommunityFactory(
                district=world.district, name=f"新社区{index}", code=f"new-{index}"
            )
            fill_community(community, world.superuser, index)

    return grow


def grow_buildings(world, count: int):
    """``count`` new buildings of side A's community, each with records of every kind."""

    def grow():
        for index in range(count):
            building = factories.BuildingFactory(
                community=world.a.community, compound="新区", number=str(100 + index)
            )
            fill_building(building, world.superuser, index)

    return grow


def grow_units(world, count: int):
    """``count`` new units of side A's building, each with records of every kind."""

    def grow():
        for index in range(count):
            unit = factories.UnitFactory(building=world.a.building, number=10 + index)
            fill_unit(unit, world.superuser, index)

    return grow


def _unit_url(building, number: int) -> str:
    from buildings.models import Unit

    return Unit.objects.get(building=building, number=number).get_absolute_url()


ROWS: list = [
    ("dashboard:district", "", lambda w: {}, DASHBOARD),
    ("dashboard:community", "", lambda w: {"pk": w.a.community.pk}, DASHBOARD_A),
    ("dashboard:building", "", lambda w: {"pk": w.a.building.pk}, DASHBOARD_A),
    ("dashboard:export", "", lambda w: {}, DASHBOARD),
]

PAGES: dict = {
    "dashboard:district": (
        "official",
        lambda w: {},
        lambda w: grow_communities(w, 40),
        lambda w: "新社区39",
    ),
    "dashboard:community": (
        "official",
        lambda w: {"pk": w.a.community.pk},
        lambda w: grow_buildings(w, 40),
        lambda w: "新区139号楼",
    ),
    "dashboard:building": (
        "official",
        lambda w: {"pk": w.a.building.pk},
        lambda w: grow_units(w, 40),
        lambda w: _unit_url(w.a.building, 49),
    ),
}

SEEDED: dict = {}

# ---------------------------------------------------------------------------------------
# The upward report (dashboard:report, dashboard:report_docx): rows, pages and seeds below
# ---------------------------------------------------------------------------------------

ROWS += [
    ("dashboard:report", "", lambda w: {}, DASHBOARD),
    ("dashboard:report_docx", "", lambda w: {}, DASHBOARD),
]

PAGES["dashboard:report"] = (
    "official",
    lambda w: {},
    lambda w: grow_communities(w, 40),
    lambda w: "新社区39",
)

# The few-rows side of the report holds one community with records of every kind, so that
# every named-example query runs.
SEEDED["dashboard:report"] = lambda w: lambda: fill_community(w.a.community, w.superuser, 99)

# ---------------------------------------------------------------------------------------
# The files: the dashboard's workbook and the report as a .docx
# ---------------------------------------------------------------------------------------

PAGES["dashboard:export"] = (
    "official",
    lambda w: {},
    lambda w: grow_communities(w, 40),
    lambda w: "新社区39",
)
PAGES["dashboard:report_docx"] = (
    "official",
    lambda w: {},
    lambda w: grow_communities(w, 40),
    lambda w: "新社区39",
)
SEEDED["dashboard:export"] = SEEDED["dashboard:report"]
SEEDED["dashboard:report_docx"] = SEEDED["dashboard:report"]
