"""The role x URL matrix: every named URL, every role, the expected status.

A URL added to the project without a row here fails ``test_matrix_covers_every_url``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.dashboard import matrix_dashboard
from tests.engagement import matrix_campaigns, matrix_guidance, matrix_polls
from tests.matrix_roles import (
    LOGIN,
    POST_ONLY,
    READ_COMMUNITY,
    READ_HEAD_BUILDING,
    ROLES,
    WRITE_COMMUNITY,
    WRITE_CORRIDOR,
    WRITE_HEAD_BUILDING,
    WRITE_SECTION_BUILDING,
    _all,
)
from tests.privacy import matrix_privacy

# (url name, label, kwargs from the world, expected status per role)
MATRIX = [
    ("home", "", lambda w: {}, _all(302) | {"outsider": 200}),
    ("healthz", "", lambda w: {}, _all(200, anon=200)),
    ("login", "", lambda w: {}, _all(200, anon=200)),
    ("logout", "GET is refused", lambda w: {}, _all(405, anon=405)),
    ("password_change", "", lambda w: {}, _all(200)),
    ("password_change_done", "", lambda w: {}, _all(200)),
    ("set_language", "GET redirects", lambda w: {}, _all(302, anon=302)),
    ("admin:index", "", lambda w: {}, _all(302) | {"superuser": 200}),
    ("portal:community_list", "", lambda w: {}, _all(200)),
    ("portal:community_detail", "", lambda w: {"pk": w.a.community.pk}, READ_COMMUNITY),
    ("communities:community_update", "", lambda w: {"pk": w.a.community.pk}, WRITE_COMMUNITY),
    (
        "communities:section_create",
        "",
        lambda w: {"community_pk": w.a.community.pk},
        WRITE_COMMUNITY,
    ),
    ("communities:section_update", "", lambda w: {"pk": w.a.section.pk}, WRITE_COMMUNITY),
    ("buildings:building_list", "", lambda w: {}, _all(200)),
    (
        "buildings:building_create",
        "",
        lambda w: {},
        _all(200) | {"outsider": 403, "official": 403, "head_a": 403},
    ),
    ("buildings:building_detail", "", lambda w: {"pk": w.a.building.pk}, READ_HEAD_BUILDING),
    ("buildings:building_update", "", lambda w: {"pk": w.a.building.pk}, WRITE_HEAD_BUILDING),
    (
        "buildings:building_update",
        "cadre's section",
        lambda w: {"pk": w.a.section_building.pk},
        WRITE_SECTION_BUILDING,
    ),
    ("buildings:unit_create", "", lambda w: {"parent_pk": w.a.building.pk}, WRITE_HEAD_BUILDING),
    ("buildings:unit_detail", "", lambda w: {"pk": w.a.unit.pk}, READ_HEAD_BUILDING),
    ("buildings:unit_update", "", lambda w: {"pk": w.a.unit.pk}, WRITE_HEAD_BUILDING),
    ("buildings:household_list", "", lambda w: {}, _all(200)),
    (
        "buildings:household_create",
        "",
        lambda w: {"parent_pk": w.a.unit.pk},
        WRITE_HEAD_BUILDING,
    ),
    ("buildings:household_detail", "", lambda w: {"pk": w.a.household.pk}, READ_HEAD_BUILDING),
    ("buildings:household_update", "", lambda w: {"pk": w.a.household.pk}, WRITE_HEAD_BUILDING),
    (
        "buildings:resident_create",
        "",
        lambda w: {"parent_pk": w.a.household.pk},
        WRITE_HEAD_BUILDING,
    ),
    ("buildings:resident_list", "", lambda w: {}, _all(200)),
    ("buildings:resident_detail", "", lambda w: {"pk": w.a.resident.pk}, READ_HEAD_BUILDING),
    ("buildings:resident_update", "", lambda w: {"pk": w.a.resident.pk}, WRITE_HEAD_BUILDING),
    ("exhibits:corridor_list", "", lambda w: {}, _all(200)),
    (
        "exhibits:unit_corridor",
        "",
        lambda w: {"unit_pk": w.a.unit.pk},
        READ_HEAD_BUILDING | {"official": 302, "sec_a": 302, "head_a": 302, "superuser": 302},
    ),
    (
        "exhibits:corridor_create",
        "corridor exists",
        lambda w: {"unit_pk": w.a.unit.pk},
        WRITE_CORRIDOR | {"sec_a": 302, "head_a": 302, "superuser": 302},
    ),
    ("exhibits:corridor_detail", "", lambda w: {"pk": w.ea.corridor.pk}, READ_HEAD_BUILDING),
    ("exhibits:corridor_update", "", lambda w: {"pk": w.ea.corridor.pk}, WRITE_CORRIDOR),
    ("exhibits:corridor_certify", "", lambda w: {"pk": w.ea.corridor.pk}, POST_ONLY),
    ("exhibits:corridor_withdraw", "", lambda w: {"pk": w.ea.corridor.pk}, POST_ONLY),
    ("exhibits:corridor_poster", "", lambda w: {"pk": w.ea.corridor.pk}, READ_HEAD_BUILDING),
    ("exhibits:pair_create", "", lambda w: {"pk": w.ea.corridor.pk}, WRITE_CORRIDOR),
    (
        "exhibits:pair_photo",
        "",
        lambda w: {"pk": w.ea.pair.pk, "side": "before"},
        READ_HEAD_BUILDING,
    ),
    ("exhibits:exhibit_create", "", lambda w: {"corridor_pk": w.ea.corridor.pk}, WRITE_CORRIDOR),
    ("exhibits:exhibit_list", "", lambda w: {}, _all(200)),
    ("exhibits:check_queue", "", lambda w: {}, _all(200)),
    ("exhibits:review_queue", "", lambda w: {}, _all(200)),
    ("exhibits:exhibit_detail", "", lambda w: {"pk": w.ea.exhibit.pk}, READ_HEAD_BUILDING),
    ("exhibits:exhibit_update", "draft", lambda w: {"pk": w.ea.exhibit.pk}, WRITE_CORRIDOR),
    ("exhibits:exhibit_move", "", lambda w: {"pk": w.ea.exhibit.pk}, WRITE_CORRIDOR),
    (
        "exhibits:exhibit_transition",
        "",
        lambda w: {"pk": w.ea.exhibit.pk, "action": "approve"},
        POST_ONLY,
    ),
    (
        "exhibits:photo",
        "draft exhibit",
        lambda w: {"pk": w.ea.photo.pk, "size": "small"},
        READ_HEAD_BUILDING | {"anon": 404},
    ),
    (
        "exhibits:public_gallery",
        "",
        lambda w: {"slug": w.ea.corridor.public_slug},
        _all(200, anon=200),
    ),
    # Importing a roster: the community's secretary, its cadres (rows of their section
    # only, checked per row) and superusers.
    (
        "buildings:roster_import",
        "",
        lambda w: {"community_pk": w.a.community.pk},
        WRITE_COMMUNITY | {"cadre_a": 200},
    ),
    # POST only: a GET is 405 once past the scope checks, 404/403 before them.
    (
        "buildings:roster_import_confirm",
        "GET is refused",
        lambda w: {"community_pk": w.a.community.pk},
        WRITE_COMMUNITY | {"sec_a": 405, "cadre_a": 405, "superuser": 405},
    ),
    ("buildings:roster_export", "", lambda w: {"community_pk": w.a.community.pk}, READ_COMMUNITY),
    # Funds: fund editors are the secretary, the section's cadre and the building's head.
    ("buildings:fund_list", "", lambda w: {}, _all(200)),
    (
        "buildings:fund_create",
        "",
        lambda w: {"building_pk": w.a.building.pk},
        WRITE_CORRIDOR,
    ),
    ("buildings:fund_detail", "", lambda w: {"pk": matrix_funds(w).fund.pk}, READ_HEAD_BUILDING),
    ("buildings:fund_update", "", lambda w: {"pk": matrix_funds(w).fund.pk}, WRITE_CORRIDOR),
    ("buildings:fund_notice", "", lambda w: {"pk": matrix_funds(w).fund.pk}, READ_HEAD_BUILDING),
    ("buildings:fund_export", "", lambda w: {"pk": matrix_funds(w).fund.pk}, READ_HEAD_BUILDING),
    (
        "buildings:community_funds_export",
        "",
        lambda w: {"community_pk": w.a.community.pk},
        READ_COMMUNITY,
    ),
    ("buildings:donation_import", "", lambda w: {"pk": matrix_funds(w).fund.pk}, WRITE_CORRIDOR),
    (
        "buildings:donation_import_confirm",
        "GET is refused",
        lambda w: {"pk": matrix_funds(w).fund.pk},
        WRITE_CORRIDOR | {"sec_a": 405, "head_a": 405, "superuser": 405},
    ),
    (
        "buildings:donation_create",
        "",
        lambda w: {"pk": matrix_funds(w).fund.pk},
        WRITE_CORRIDOR,
    ),
    (
        "buildings:expense_create",
        "",
        lambda w: {"pk": matrix_funds(w).fund.pk},
        WRITE_CORRIDOR,
    ),
    (
        "buildings:donation_reverse",
        "",
        lambda w: {"pk": matrix_funds(w).donation.pk},
        POST_ONLY,
    ),
    (
        "buildings:expense_reverse",
        "",
        lambda w: {"pk": matrix_funds(w).expense.pk},
        POST_ONLY,
    ),
    (
        "buildings:expense_receipt",
        "",
        lambda w: {"pk": matrix_funds(w).expense.pk},
        READ_HEAD_BUILDING,
    ),
    # Duty rosters: roster editors are the secretary, the section's cadre and the
    # building's head; district officials read them.
    ("buildings:roster_list", "", lambda w: {}, _all(200)),
    ("buildings:roster_create", "", lambda w: {"unit_pk": w.a.unit.pk}, WRITE_CORRIDOR),
    (
        "buildings:roster_detail",
        "",
        lambda w: {"pk": matrix_rosters(w).roster.pk},
        READ_HEAD_BUILDING,
    ),
    ("buildings:roster_order", "", lambda w: {"pk": matrix_rosters(w).roster.pk}, WRITE_CORRIDOR),
    (
        "buildings:roster_sheet",
        "",
        lambda w: {"pk": matrix_rosters(w).roster.pk},
        READ_HEAD_BUILDING,
    ),
    ("buildings:shift_mark", "", lambda w: {"pk": matrix_rosters(w).current.pk}, POST_ONLY),
    ("buildings:shift_swap", "", lambda w: {"pk": matrix_rosters(w).current.pk}, WRITE_CORRIDOR),
]


MATRIX += matrix_campaigns.ROWS + matrix_polls.ROWS + matrix_guidance.ROWS
MATRIX += matrix_dashboard.ROWS
MATRIX += matrix_privacy.ROWS


def matrix_rosters(world):
    """A weekly roster of side A's unit (rooms 301, 302 and 401) that began ten weeks ago,
    with turns planned from two weeks ago to four weeks ahead (the weeks before have none),
    made through the services by side A's secretary; made once per world and kept on it.
    ``current`` is the turn under way, ``later`` the one after it."""
    cached = getattr(world, "matrix_rosters", None)
    if cached is not None:
        return cached
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from buildings import roster_services
    from tests import factories

    today = timezone.localdate()
    factories.HouseholdFactory(unit=world.a.unit, room="302")
    factories.HouseholdFactory(unit=world.a.unit, room="401")
    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties=["扫楼梯", "擦扶手", "检查楼道灯"],
        rotation_kind="weekly",
        starts_on=today - timedelta(days=70),
        by=world.a.secretary,
    )
    roster_services.generate(
        roster=roster, first=today - timedelta(days=14), last=today + timedelta(weeks=4)
    )
    shifts = list(roster.shifts.order_by("starts_on"))
    current = next(s for s in shifts if s.starts_on <= today <= s.ends_on)
    later = next(s for s in shifts if s.starts_on > today)
    world.matrix_rosters = SimpleNamespace(roster=roster, current=current, later=later)
    return world.matrix_rosters


def matrix_funds(world):
    """A fund on side A's building (a 300-yuan quota on its unit) with one donation and one
    expense with a receipt photo, made through the services by side A's secretary; made
    once per world and kept on it."""
    cached = getattr(world, "matrix_funds", None)
    if cached is not None:
        return cached
    import uuid
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from buildings import services
    from tests import factories

    by = world.a.secretary
    fund = services.fund_create(
        building=world.a.building,
        data={
            "unit": world.a.unit,
            "purpose": "楼馨园",
            "quota": Decimal("300.00"),
            "target": Decimal("1800.00"),
            "leader": world.a.resident,
            "opened_on": date(2026, 5, 1),
        },
        by=by,
    )
    donation, _created = services.donation_record(
        fund=fund,
        data={
            "kind": "money",
            "amount": Decimal("300.00"),
            "date": date(2026, 5, 2),
            "donor_household": world.a.household,
            "receipt_no": "QF-001",
        },
        token=uuid.uuid4(),
        by=by,
    )
    expense, _created = services.expense_record(
        fund=fund,
        data={"item": "竹子", "amount": Decimal("120.00"), "date": date(2026, 5, 3)},
        photo=factories.processed_photo(),
        token=uuid.uuid4(),
        by=by,
    )
    world.matrix_funds = SimpleNamespace(fund=fund, donation=donation, expense=expense)
    return world.matrix_funds


def _user_for(world, role):
    return {
        "anon": None,
        "outsider": world.outsider,
        "official": world.official,
        "sec_a": world.a.secretary,
        "cadre_a": world.a.cadre,
        "head_a": world.a.head,
        "sec_b": world.b.secretary,
        "superuser": world.superuser,
    }[role]


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # the admin is covered by its own scoping tests
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_matrix_covers_every_url():
    covered = {name for name, *_ in MATRIX}
    missing = _named_urls() - covered
    assert not missing, f"named URLs without a matrix row: {sorted(missing)}"


def test_matrix_rows_name_every_role():
    for name, label, _kwargs, expected in MATRIX:
        assert set(expected) == set(ROLES), (name, label)


CASES = [
    pytest.param(
        name, kwargs, role, expected[role], id=f"{name}{'[' + label + ']' if label else ''}-{role}"
    )
    for name, label, kwargs, expected in MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("name", "kwargs", "role", "status"), CASES)
def test_matrix_status(client, exhibit_world, name, kwargs, role, status):
    world = exhibit_world
    user = _user_for(world, role)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=kwargs(world))

    response = client.get(url)
    if response.streaming:
        # Reading to the end closes the file (and the test client keeps the connection).
        b"".join(response.streaming_content)

    assert response.status_code == status, f"{role} GET {url}"
    if role == "anon" and status == LOGIN and name != "set_language":
        assert "/login/" in response.url
