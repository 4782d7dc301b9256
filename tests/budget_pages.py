"""Query-budget pages of the portal, communities, buildings and exhibits pages that are not
lists or detail pages: forms, posters, photos, spreadsheets and the account pages.

``PAGES`` joins tests/test_query_budgets.py's PAGES, ``SEEDED`` its SEEDED (budgets
themselves stay in tests/budgets.py). Each grow function adds about forty rows of what
the page reads (the choices a form lists, the rows a file exports), so that a query per
row shows as a different count.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from communities.models import Membership
from tests import factories
from tests.test_matrix import matrix_funds, matrix_rosters

MANY = 40

# A photo's bytes name its format: the thumbnails and receipts here are JPEG (JFIF) files.
PHOTO_MARKER = "JFIF"


# The account pages and the home page


def _grow_user_memberships(user):
    """Roles of ``user`` in new communities: the navigation reads them on every page."""

    def grow():
        for i in range(MANY):
            community = factories.CommunityFactory(name=f"新社区{i}", code=f"nav-{i}")
            factories.MembershipFactory(user=user, role=Membership.Role.HEAD, community=community)

    return grow


def _grow_other_memberships(world):
    """New communities of the district, each with a secretary: none of them the user's."""

    def grow():
        for i in range(MANY):
            community = factories.CommunityFactory(
                district=world.district, name=f"新社区{i}", code=f"other-{i}"
            )
            factories.MembershipFactory(
                user=factories.UserFactory(username=f"new-secretary-{i}"),
                role=Membership.Role.SECRETARY,
                community=community,
            )

    return grow


def _grow_users():
    def grow():
        for i in range(MANY):
            factories.UserFactory(username=f"new-user-{i}")

    return grow


# Communities


def _grow_community_records(community):
    """Sections and buildings of ``community``."""

    def grow():
        for i in range(MANY):
            section = factories.SectionFactory(community=community, name=f"新片区{i}")
            factories.BuildingFactory(
                community=community, section=section, compound="新区", number=str(100 + i)
            )

    return grow


def _grow_members(community):
    """Cadres of ``community``, each guiding a new section: the leading-group form lists
    every active membership."""

    def grow():
        for i in range(MANY):
            section = factories.SectionFactory(community=community, name=f"新片区{i}")
            factories.MembershipFactory(
                user=factories.UserFactory(username=f"new-cadre-{i}", full_name=f"新委员{i}"),
                role=Membership.Role.CADRE,
                community=community,
                section=section,
            )

    return grow


# Buildings, units, households, residents


def _grow_sections_and_heads(community):
    """Sections and building heads of ``community``: the building form's choices."""

    def grow():
        for i in range(MANY):
            factories.SectionFactory(community=community, name=f"新片区{i}")
            factories.MembershipFactory(
                user=factories.UserFactory(username=f"new-head-{i}", full_name=f"新楼长{i}"),
                role=Membership.Role.HEAD,
                community=community,
            )

    return grow


def _grow_units(building):
    def grow():
        for i in range(MANY):
            unit = factories.UnitFactory(building=building, number=10 + i)
            factories.HouseholdFactory(unit=unit)

    return grow


def _grow_households(unit, *, party_members=False):
    """Households of ``unit`` (rooms 900 to 939), each with a resident (新居民0 ...)."""

    def grow():
        for i in range(MANY):
            household = factories.HouseholdFactory(unit=unit, room=f"9{i:02d}")
            factories.ResidentFactory(
                household=household,
                name=f"新居民{i}",
                is_party_member=party_members and i % 2 == 1,
            )

    return grow


def _grow_residents(household):
    def grow():
        for i in range(MANY):
            factories.ResidentFactory(household=household, name=f"新居民{i}")

    return grow


def _grow_tags(resident=None):
    """Resident tags (the form's check boxes), given to ``resident`` when there is one."""

    def grow():
        for i in range(MANY):
            tag = factories.ResidentTagFactory(code=f"tag-{i}", name=f"标签{i}")
            if resident is not None:
                resident.tags.add(tag)

    return grow


def _grow_party_members(world):
    """Units of side A's building, each with a household of a Party member (党员0 ...):
    the fund form lists the units and the members who may lead a fund."""

    def grow():
        for i in range(MANY):
            unit = factories.UnitFactory(building=world.a.building, number=10 + i)
            factories.ResidentFactory(
                household=factories.HouseholdFactory(unit=unit),
                name=f"党员{i}",
                is_party_member=True,
            )

    return grow


# Funds


def _fund(world):
    return {"pk": matrix_funds(world).fund.pk}


def _expense(world):
    return {"pk": matrix_funds(world).expense.pk}


def grow_ledger(world):
    """Donations of every donor kind (with raisers and reversals) and expenses on the
    matrix fund, all through the services."""

    def grow():
        from buildings import services

        by = world.a.secretary
        fund = matrix_funds(world).fund
        member = factories.ResidentFactory(
            household__unit=world.a.unit, name="李淑芹", is_party_member=True
        )
        for i in range(MANY):
            household = factories.HouseholdFactory(unit=world.a.unit, room=f"8{i:02d}")
            donors = [
                {"donor_household": household},
                {"donor_resident": member},
                {"donor_name": f"外单位{i}", "raised_by": member},
            ]
            donation, _ = services.donation_record(
                fund=fund,
                data={
                    "kind": "money",
                    "amount": Decimal("50.00"),
                    "date": date(2026, 5, 4),
                    "receipt_no": f"D{i}",
                }
                | donors[i % 3],
                token=uuid.uuid4(),
                by=by,
            )
            expense, _ = services.expense_record(
                fund=fund,
                data={"item": f"花{i}", "amount": Decimal("10.00"), "date": date(2026, 5, 5)},
                token=uuid.uuid4(),
                by=by,
            )
            if i % 10 == 0:
                services.donation_reverse(donation=donation, reason="记错", by=by)
                services.expense_reverse(expense=expense, reason="退货", by=by)
        services.fund_update(fund=fund, data={"purpose": "楼馨园健身角"}, by=by)

    return grow


def _grow_funds(world):
    """Funds of side A's building, every other one of its unit with a quota and a leader,
    each with a donation and an expense."""

    def grow():
        from buildings import services

        by = world.a.secretary
        for i in range(MANY):
            of_unit = {"unit": world.a.unit, "quota": Decimal("100.00")} if i % 2 else {}
            fund = services.fund_create(
                building=world.a.building,
                data={
                    "purpose": f"新集资{i}",
                    "target": Decimal("500.00"),
                    "leader": world.a.resident,
                    "opened_on": date(2026, 5, 1),
                }
                | of_unit,
                by=by,
            )
            services.donation_record(
                fund=fund,
                data={
                    "kind": "money",
                    "amount": Decimal("100.00"),
                    "date": date(2026, 5, 2),
                    "donor_name": f"外单位{i}",
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


# Duty rosters


def _roster(world):
    return {"pk": matrix_rosters(world).roster.pk}


def _later_turn(world):
    return {"pk": matrix_rosters(world).later.pk}


def _grow_roster_households(world, *, new_order=False):
    """Households of the matrix roster's unit (rooms 600 to 639); with ``new_order``, an
    order from today that takes them all in (its slots are read by the order page)."""

    def grow():
        from django.utils import timezone

        from buildings import roster_services

        for i in range(MANY):
            factories.HouseholdFactory(unit=world.a.unit, room=f"6{i:02d}")
        if new_order:
            roster_services.roster_set_order(
                roster=matrix_rosters(world).roster,
                households=roster_services.default_order(world.a.unit),
                effective_from=timezone.localdate(),
                by=world.a.secretary,
            )

    return grow


def _grow_turns(world):
    """Forty more weeks of turns on the matrix roster: the swap form lists them."""

    def grow():
        from django.utils import timezone

        from buildings import roster_services

        roster = matrix_rosters(world).roster
        roster_services.generate(
            roster=roster,
            first=timezone.localdate(),
            last=timezone.localdate() + timedelta(weeks=4 + MANY),
        )

    return grow


def _last_turn_start(world) -> str:
    from buildings.models import DutyShift

    roster = matrix_rosters(world).roster
    return DutyShift.objects.filter(roster=roster).latest("starts_on").starts_on.isoformat()


# Corridors and exhibits


def _bare_unit(world):
    """A unit of side A's building without a corridor yet; made once per world."""
    unit = getattr(world, "budget_bare_unit", None)
    if unit is None:
        unit = world.budget_bare_unit = factories.UnitFactory(building=world.a.building, number=7)
    return unit


def _grow_corridors(world):
    """Corridors of new units in side A's two buildings (新楼道0 ...)."""

    def grow():
        from exhibits import services

        buildings = [world.a.building, world.a.section_building]
        for i in range(MANY):
            unit = factories.UnitFactory(building=buildings[i % 2], number=20 + i)
            services.corridor_create(unit=unit, theme=f"新楼道{i}", by=world.a.secretary)

    return grow


def _grow_exhibits(world):
    """Exhibits in side A's corridor, each with a photo (sharing the stored files)."""

    def grow():
        from django.utils import timezone

        from exhibits.models import Exhibit, ExhibitPhoto

        template = ExhibitPhoto.objects.get(pk=world.ea.photo.pk)
        for i in range(MANY):
            exhibit = Exhibit.objects.create(
                corridor=world.ea.corridor,
                kind="painting",
                title=f"新作品{i}",
                creator_name="老年大学学员",
                status=Exhibit.Status.APPROVED if i % 2 else Exhibit.Status.DRAFT,
                status_changed_at=timezone.now(),
                created_by=world.a.secretary,
            )
            template.pk = None
            template.exhibit = exhibit
            template.save()

    return grow


def _grow_photos(world):
    """More photos of side A's exhibit (sharing the stored files)."""

    def grow():
        from exhibits.models import ExhibitPhoto

        template = ExhibitPhoto.objects.get(pk=world.ea.photo.pk)
        for i in range(MANY):
            template.pk = None
            template.position = i + 1
            template.save()

    return grow


def _grow_pairs(world):
    """More before-and-after pairs in side A's corridor (sharing the stored files)."""

    def grow():
        from exhibits.models import BeforeAfterPair

        template = BeforeAfterPair.objects.get(pk=world.ea.pair.pk)
        for i in range(MANY):
            template.pk = None
            template.caption = f"新对比{i}"
            template.save()

    return grow


def _grow_creators(world, *, photos=False):
    """Residents of side A's building (the exhibit form's creator choices), and with
    ``photos`` more photos of side A's exhibit."""
    residents = _grow_households(world.a.unit)
    more_photos = _grow_photos(world)

    def grow():
        residents()
        if photos:
            more_photos()

    return grow


PAGES: dict = {
    # The home page: a signed-in user without any role sees a page saying so.
    "home": (
        "outsider",
        lambda w: {},
        _grow_other_memberships,
        lambda w: str(w.outsider),
    ),
    "healthz": ("anon", lambda w: {}, lambda w: _grow_users(), lambda w: '"ok"'),
    "login": ("anon", lambda w: {}, lambda w: _grow_users(), lambda w: 'name="username"'),
    "password_change": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_user_memberships(w.a.secretary),
        lambda w: 'name="new_password1"',
    ),
    "password_change_done": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_user_memberships(w.a.secretary),
        lambda w: str(w.a.secretary),
    ),
    # Communities
    "communities:community_update": (
        "sec_a",
        lambda w: {"pk": w.a.community.pk},
        lambda w: _grow_community_records(w.a.community),
        lambda w: 'name="theme"',
    ),
    "communities:section_create": (
        "sec_a",
        lambda w: {"community_pk": w.a.community.pk},
        lambda w: _grow_community_records(w.a.community),
        lambda w: 'name="name"',
    ),
    "communities:section_update": (
        "sec_a",
        lambda w: {"pk": w.a.section.pk},
        lambda w: _grow_community_records(w.a.community),
        lambda w: w.a.section.name,
    ),
    "communities:leading_group": (
        "sec_a",
        lambda w: {"pk": w.a.community.pk},
        lambda w: _grow_members(w.a.community),
        lambda w: "新委员39",
    ),
    # Buildings, units, households, residents
    "buildings:building_create": (
        "sec_a",
        lambda w: {},
        lambda w: _grow_sections_and_heads(w.a.community),
        lambda w: "新楼长39",
    ),
    "buildings:building_update": (
        "sec_a",
        lambda w: {"pk": w.a.building.pk},
        lambda w: _grow_sections_and_heads(w.a.community),
        lambda w: "新片区39",
    ),
    "buildings:unit_create": (
        "sec_a",
        lambda w: {"parent_pk": w.a.building.pk},
        lambda w: _grow_units(w.a.building),
        lambda w: str(w.a.building),
    ),
    "buildings:unit_update": (
        "sec_a",
        lambda w: {"pk": w.a.unit.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: 'name="floors"',
    ),
    "buildings:household_create": (
        "sec_a",
        lambda w: {"parent_pk": w.a.unit.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: 'name="room"',
    ),
    "buildings:household_update": (
        "sec_a",
        lambda w: {"pk": w.a.household.pk},
        lambda w: _grow_residents(w.a.household),
        lambda w: w.a.household.room,
    ),
    "buildings:resident_create": (
        "sec_a",
        lambda w: {"parent_pk": w.a.household.pk},
        lambda w: _grow_tags(),
        lambda w: "标签39",
    ),
    "buildings:resident_update": (
        "sec_a",
        lambda w: {"pk": w.a.resident.pk},
        lambda w: _grow_tags(w.a.resident),
        lambda w: "标签39",
    ),
    # The roster spreadsheet
    "buildings:roster_import": (
        "sec_a",
        lambda w: {"community_pk": w.a.community.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: 'type="file"',
    ),
    "buildings:roster_export": (
        "sec_a",
        lambda w: {"community_pk": w.a.community.pk},
        lambda w: _grow_households(w.a.unit, party_members=True),
        lambda w: "新居民39",
    ),
    # Funds
    "buildings:fund_create": (
        "sec_a",
        lambda w: {"building_pk": w.a.building.pk},
        _grow_party_members,
        lambda w: "党员39",
    ),
    "buildings:fund_update": ("sec_a", _fund, _grow_party_members, lambda w: "党员39"),
    "buildings:fund_export": ("sec_a", _fund, grow_ledger, lambda w: "外单位38"),
    "buildings:community_funds_export": (
        "sec_a",
        lambda w: {"community_pk": w.a.community.pk},
        _grow_funds,
        lambda w: "新集资39",
    ),
    "buildings:donation_import": ("sec_a", _fund, grow_ledger, lambda w: "楼馨园"),
    "buildings:donation_create": (
        "sec_a",
        _fund,
        lambda w: _grow_households(w.a.unit, party_members=True),
        lambda w: "新居民39",
    ),
    "buildings:expense_create": ("sec_a", _fund, grow_ledger, lambda w: "楼馨园"),
    "buildings:expense_receipt": ("sec_a", _expense, grow_ledger, lambda w: PHOTO_MARKER),
    # Duty rosters
    "buildings:roster_create": (
        "sec_a",
        lambda w: {"unit_pk": w.a.unit.pk},
        lambda w: _grow_households(w.a.unit),
        lambda w: "939",
    ),
    "buildings:roster_order": (
        "sec_a",
        _roster,
        lambda w: _grow_roster_households(w, new_order=True),
        lambda w: "639",
    ),
    "buildings:shift_swap": ("sec_a", _later_turn, _grow_turns, _last_turn_start),
    # Corridors and exhibits
    "exhibits:corridor_create": (
        "sec_a",
        lambda w: {"unit_pk": _bare_unit(w).pk},
        _grow_corridors,
        lambda w: str(_bare_unit(w)),
    ),
    "exhibits:corridor_update": (
        "sec_a",
        lambda w: {"pk": w.ea.corridor.pk},
        _grow_exhibits,
        lambda w: w.ea.corridor.theme,
    ),
    "exhibits:corridor_poster": (
        "sec_a",
        lambda w: {"pk": w.ea.corridor.pk},
        _grow_exhibits,
        lambda w: w.ea.corridor.public_slug,
    ),
    "exhibits:pair_create": (
        "sec_a",
        lambda w: {"pk": w.ea.corridor.pk},
        _grow_pairs,
        lambda w: 'name="before"',
    ),
    "exhibits:pair_photo": (
        "sec_a",
        lambda w: {"pk": w.ea.pair.pk, "side": "before"},
        _grow_pairs,
        lambda w: PHOTO_MARKER,
    ),
    "exhibits:exhibit_create": (
        "sec_a",
        lambda w: {"corridor_pk": w.ea.corridor.pk},
        _grow_creators,
        lambda w: "新居民39",
    ),
    "exhibits:exhibit_update": (
        "sec_a",
        lambda w: {"pk": w.ea.exhibit.pk},
        lambda w: _grow_creators(w, photos=True),
        lambda w: "新居民39",
    ),
    "exhibits:exhibit_move": (
        "sec_a",
        lambda w: {"pk": w.ea.exhibit.pk},
        _grow_corridors,
        lambda w: "新楼道39",
    ),
    "exhibits:photo": (
        "sec_a",
        lambda w: {"pk": w.ea.photo.pk, "size": "small"},
        _grow_photos,
        lambda w: PHOTO_MARKER,
    ),
}

SEEDED: dict = {}
