"""Every page runs the same number of queries for a few rows and for 40 more, within its
budget (tests/budgets.py); every named URL has a budget or a reason not to (EXEMPT)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import budget_pages, factories
from tests.budgets import BUDGETS, EXEMPT
from tests.dashboard import matrix_dashboard
from tests.engagement import matrix_campaigns, matrix_guidance, matrix_polls
from tests.privacy import matrix_privacy
from tests.test_matrix import _named_urls, matrix_funds, matrix_rosters
from tests.utils import assert_constant_queries

MANY = 40


def _grow_communities(world):
    def grow():
        for i in range(MANY):
            community = factories.CommunityFactory(district=world.district, name=f"新社区{i}")
            factories.ResidentFactory(
                household__unit__building__community=community, name=f"新居民{i}"
            )

    return grow


def _grow_buildings(community, section=None):
    def grow():
        for i in range(MANY):
            building = factories.BuildingFactory(
                community=community, section=section, compound="新区", number=str(100 + i)
            )
            factories.ResidentFactory(household__unit__building=building)

    return grow


def _grow_units(building):
    def grow():
        for i in range(MANY):
            unit = factories.UnitFactory(building=building, number=10 + i)
            factories.HouseholdFactory.create_batch(2, unit=unit)

    return grow


def _grow_households(unit):
    def grow():
        for i in range(MANY):
            household = factories.HouseholdFactory(unit=unit, room=f"9{i:02d}")
            factories.ResidentFactory(household=household)

    return grow


def _grow_residents(household):
    def grow():
        tag = factories.ResidentTagFactory()
        for i in range(MANY):
            resident = factories.ResidentFactory(household=household, name=f"新居民{i}")
            resident.tags.add(tag)

    return grow


def _grow_tags(resident):
    def grow():
        for i in range(MANY):
            resident.tags.add(factories.ResidentTagFactory(code=f"tag-{i}", name=f"标签{i}"))

    return grow


def _grow_exhibits(world, status, count=MANY):
    """Exhibits in side A's corridor, each with a photo (sharing the stored files)."""
    from django.utils import timezone

    from exhibits.models import Exhibit, ExhibitPhoto

    def grow():
        template = world.ea.photo
        start = Exhibit.objects.count()
        for i in range(start, start + count):
            exhibit = Exhibit.objects.create(
                corridor=world.ea.corridor,
                kind="painting",
                title=f"新作品{i}",
                creator_name="老年大学学员",
                status=status,
                status_changed_at=timezone.now(),
                created_by=world.a.secretary,
            )
            template.pk = None
            template.exhibit = exhibit
            template.save()
            ExhibitPhoto.objects.filter(pk=template.pk).update(position=0)

    return grow


def _grow_corridors(world):
    def grow():
        from exhibits import services

        for i in range(MANY):
            unit = factories.UnitFactory(building=world.a.building, number=20 + i)
            services.corridor_create(unit=unit, theme=f"新楼道{i}", by=world.a.secretary)

    return grow


def _grow_history(world):
    def grow():
        from exhibits import services

        exhibit = world.ea.exhibit
        for i in range(MANY // 4):
            services.exhibit_submit(exhibit=exhibit, by=world.a.secretary)
            services.exhibit_return(exhibit=exhibit, by=world.a.secretary, note=f"意见{i}")
            unit = factories.UnitFactory(building=world.a.building, number=60 + i)
            corridor = services.corridor_create(unit=unit, theme=f"楼道{i}", by=world.a.secretary)
            services.exhibit_move(exhibit=exhibit, corridor=corridor, by=world.a.secretary)

    return grow


def _fund_kwargs(world):
    """The matrix fund (one donation, one expense) exists before the first request."""
    return {"pk": matrix_funds(world).fund.pk}


def _no_kwargs_with_fund(world):
    matrix_funds(world)
    return {}


def _grow_funds(world):
    """Funds on side A's building, each with a donation and an expense, via the services."""

    def grow():
        from buildings import services

        by = world.a.secretary
        for i in range(MANY):
            fund = services.fund_create(
                building=world.a.building,
                data={
                    "purpose": f"新集资{i}",
                    "target": Decimal("500.00"),
                    "opened_on": date(2026, 5, 1),
                },
                by=by,
            )
            services.donation_record(
                fund=fund,
                data={
                    "kind": "money",
                    "amount": Decimal("100.00"),
                    "date": date(2026, 5, 2),
                    "donor_name": "外单位",
                },
                token=uuid.uuid4(),
                by=by,
            )
            services.expense_record(
                fund=fund,
                data={"item": "灯泡", "amount": Decimal("20.00"), "date": date(2026, 5, 3)},
                token=uuid.uuid4(),
                by=by,
            )

    return grow


def _roster_kwargs(world):
    """The matrix roster (3 households, turns from two weeks ago) exists before the first
    request."""
    return {"pk": matrix_rosters(world).roster.pk}


def _no_kwargs_with_roster(world):
    matrix_rosters(world)
    return {}


def _grow_rosters(world):
    """Rosters on new units of side A's building, each with past and coming turns, some
    marked, all through the services."""

    def grow():
        from datetime import timedelta

        from django.utils import timezone

        from buildings import roster_services

        by = world.a.secretary
        today = timezone.localdate()
        for i in range(MANY):
            unit = factories.UnitFactory(building=world.a.building, number=50 + i)
            factories.HouseholdFactory.create_batch(2, unit=unit)
            roster = roster_services.roster_create(
                unit=unit,
                duties=["扫楼梯"],
                rotation_kind="weekly",
                starts_on=today - timedelta(days=21),
                by=by,
            )
            roster_services.generate(
                roster=roster, first=roster.starts_on, last=today + timedelta(days=7)
            )
            first = roster.shifts.order_by("starts_on").first()
            roster_services.shift_mark(shift=first, status="done", by=by)

    return grow


def _grow_roster_detail(world):
    """Many households (some exempt), the roster's earlier weeks planned (overdue turns
    from earlier months), and turns marked done and missed, all through the services."""

    def grow():
        from django.utils import timezone

        from buildings import roster_services

        by = world.a.secretary
        roster = matrix_rosters(world).roster
        households = [
            factories.HouseholdFactory(unit=world.a.unit, room=f"6{i:02d}") for i in range(MANY)
        ]
        roster_services.roster_set_order(
            roster=roster,
            households=roster_services.default_order(world.a.unit),
            effective_from=timezone.localdate(),
            by=by,
        )
        for i, household in enumerate(households[:5]):
            roster_services.roster_exempt(
                roster=roster,
                household=household,
                reason=f"行动不便{i}",
                since=timezone.localdate(),
                by=by,
            )
        roster_services.generate(roster=roster, first=roster.starts_on, last=timezone.localdate())
        ended = roster.shifts.filter(ends_on__lt=timezone.localdate()).order_by("-starts_on")
        for shift, status in zip(ended[:2], ["done", "missed"], strict=False):
            roster_services.shift_mark(shift=shift, status=status, note="出差", by=by)

    return grow


def _grow_roster_sheet(world):
    """27 more households in a new order and a year of weekly turns."""

    def grow():
        from datetime import timedelta

        from django.utils import timezone

        from buildings import roster_services

        by = world.a.secretary
        roster = matrix_rosters(world).roster
        for i in range(27):
            factories.HouseholdFactory(unit=world.a.unit, room=f"6{i:02d}")
        roster_services.roster_set_order(
            roster=roster,
            households=roster_services.default_order(world.a.unit),
            effective_from=timezone.localdate(),
            by=by,
        )
        roster_services.generate(
            roster=roster,
            first=roster.starts_on,
            last=timezone.localdate() + timedelta(weeks=52),
        )

    return grow


PAGES = {
    "portal:community_list": (
        "official",
        lambda w: {},
        _grow_communities,
        lambda w: "新社区39",
    ),
    "portal:community_detail": (
        "sec_a",
        lambda w: {"pk": w.a.community.pk},
        matrix_guidance.grow_community_page,
        lambda w: "积压问题0",
    ),
    "buildings:building_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_buildings(w.a.community),
        lambda w: "新区",
    ),
    "buildings:building_detail": (
        "sec_a",
        lambda w: {"pk": w.a.building.pk},
        lambda w: _grow_units(w.a.building),
        lambda w: "/units/",
    ),
    "buildings:unit_detail": (
        "sec_a",
        lambda w: {"pk": w.a.unit.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: "939",
    ),
    "buildings:household_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_households(w.a.unit),
        lambda w: "939室",
    ),
    "buildings:household_detail": (
        "sec_a",
        lambda w: {"pk": w.a.household.pk},
        lambda w: _grow_residents(w.a.household),
        lambda w: "新居民39",
    ),
    "buildings:resident_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_residents(w.a.household),
        lambda w: "新居民39",
    ),
    "exhibits:corridor_list": (
        "sec_a",
        lambda w: {},
        _grow_corridors,
        lambda w: "新楼道39",
    ),
    "exhibits:corridor_detail": (
        "sec_a",
        lambda w: {"pk": w.ea.corridor.pk},
        lambda w: _grow_exhibits(w, "approved"),
        lambda w: "新作品",
    ),
    "exhibits:exhibit_list": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_exhibits(w, "draft"),
        lambda w: "新作品",
    ),
    "exhibits:exhibit_detail": (
        "sec_a",
        lambda w: {"pk": w.ea.exhibit.pk},
        _grow_history,
        lambda w: "意见9",
    ),
    "exhibits:check_queue": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_exhibits(w, "submitted"),
        lambda w: "新作品",
    ),
    "exhibits:review_queue": (
        "official",
        lambda w: {},
        lambda w: _grow_exhibits(w, "checked"),
        lambda w: "新作品",
    ),
    "exhibits:public_gallery": (
        "anon",
        lambda w: {"slug": w.ea.corridor.public_slug},
        lambda w: _grow_exhibits(w, "approved"),
        lambda w: "新作品",
    ),
    "buildings:resident_detail": (
        "sec_a",
        lambda w: {"pk": w.a.resident.pk},
        lambda w: _grow_tags(w.a.resident),
        lambda w: "标签39",
    ),
    "buildings:fund_list": ("sec_a", _no_kwargs_with_fund, _grow_funds, lambda w: "新集资39"),
    "buildings:fund_detail": (
        "sec_a",
        _fund_kwargs,
        budget_pages.grow_ledger,
        lambda w: "外单位38",
    ),
    "buildings:fund_notice": (
        "sec_a",
        _fund_kwargs,
        budget_pages.grow_ledger,
        lambda w: "外单位38",
    ),
    "buildings:roster_list": (
        "sec_a",
        _no_kwargs_with_roster,
        _grow_rosters,
        lambda w: "89单元",
    ),
    "buildings:roster_detail": (
        "sec_a",
        _roster_kwargs,
        _grow_roster_detail,
        lambda w: "行动不便4",
    ),
    "buildings:roster_sheet": ("sec_a", _roster_kwargs, _grow_roster_sheet, lambda w: "600"),
}

PAGES |= matrix_campaigns.PAGES | matrix_polls.PAGES | matrix_guidance.PAGES
PAGES |= matrix_dashboard.PAGES
PAGES |= matrix_privacy.PAGES
PAGES |= budget_pages.PAGES

SEEDED = {
    "exhibits:corridor_detail": lambda w: _grow_exhibits(w, "approved", 2),
    "exhibits:check_queue": lambda w: _grow_exhibits(w, "submitted", 2),
    "exhibits:review_queue": lambda w: _grow_exhibits(w, "checked", 2),
    "exhibits:public_gallery": lambda w: _grow_exhibits(w, "approved", 2),
}

SEEDED |= matrix_campaigns.SEEDED | matrix_polls.SEEDED | matrix_guidance.SEEDED
SEEDED |= matrix_dashboard.SEEDED
SEEDED |= matrix_privacy.SEEDED
SEEDED |= budget_pages.SEEDED


def _user(world, role):
    return {
        "official": world.official,
        "outsider": world.outsider,
        "sec_a": world.a.secretary,
        "cadre_a": world.a.cadre,
        "head_a": world.a.head,
        "anon": None,
    }[role]


def test_every_named_url_has_a_budget_or_a_reason():
    names = _named_urls()
    assert not set(BUDGETS) & set(EXEMPT), sorted(set(BUDGETS) & set(EXEMPT))
    missing = names - set(BUDGETS) - set(EXEMPT)
    assert not missing, f"named URLs with neither a budget nor a reason: {sorted(missing)}"
    unknown = (set(BUDGETS) | set(EXEMPT)) - names
    assert not unknown, f"budgets or reasons for URLs that do not exist: {sorted(unknown)}"
    assert all(reason.strip() for reason in EXEMPT.values())


def test_every_budget_has_a_page():
    assert set(PAGES) == set(BUDGETS), sorted(set(PAGES) ^ set(BUDGETS))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_queries_constant(client, exhibit_world, name):
    world = exhibit_world
    role, kwargs, grow, expect = PAGES[name]
    if _user(world, role) is not None:
        client.force_login(_user(world, role))
    if name in SEEDED:
        SEEDED[name](world)()  # the "few rows" side: 2 rows, so that every query runs
    url = reverse(name, kwargs=kwargs(world))

    assert_constant_queries(
        client, url, grow=grow(world), budget=BUDGETS[name], expect_text=lambda: expect(world)
    )
