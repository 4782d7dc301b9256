"""Keyset pages: every row once and in order, both ways; bad cursors; constant queries."""

import html
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildings import services as fund_services
from buildings.models import Building, Household, Resident
from buildings.views import BuildingListView, HouseholdListView, ResidentListView
from communities.pagination import KeysetPaginator
from exhibits import services as exhibit_services
from exhibits.models import Corridor, Exhibit
from exhibits.views import CheckQueueView, CorridorListView, ExhibitListView
from tests import factories
from tests.budgets import BUDGETS
from tests.utils import count_queries


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _link(response, rel) -> str | None:
    """The query string of the page's "next" or "prev" link, if it has one."""
    match = re.search(rf'href="\?([^"]*)" rel="{rel}"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def _walk(client, url, query, rel) -> tuple[list[list[int]], str]:
    """Follow ``rel`` links from ``url?query``: the pks of each page, and the query of
    the last page reached."""
    pages = []
    while True:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        pages.append([row.pk for row in response.context["object_list"]])
        following = _link(response, rel)
        if following is None:
            return pages, query
        query = following
        assert len(pages) < 100, "the links go round in circles"


def _flat(pages) -> list[int]:
    return [pk for page in pages for pk in page]


# Rows for each keyset list, visible to side A's secretary (some of them ties on the
# leading keys, so that the pk decides), and side B's rows that must not show.


def _residents(world):
    for i in range(20):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i % 6}")
    factories.ResidentFactory(household=world.b.household, name="邻居0")


def _households(world):
    second = factories.UnitFactory(building=world.a.building, number=7)
    for i in range(10):
        factories.HouseholdFactory(unit=world.a.unit, room=f"5{i:02d}")
        factories.HouseholdFactory(unit=second, room=f"{i + 1}01")
    factories.HouseholdFactory(unit=world.b.unit, room="999")


def _buildings(world):
    for i in range(20):
        factories.BuildingFactory(
            community=world.a.community, compound=f"小区{i % 3}", number=str(30 + i)
        )
    factories.BuildingFactory(community=world.b.community, compound="小区0", number="99")


def _corridors(world):
    compounds = [
        factories.BuildingFactory(community=world.a.community, compound=f"园{i}", number="1")
        for i in range(3)
    ]
    for i in range(20):
        unit = factories.UnitFactory(building=compounds[i % 3], number=i + 1)
        exhibit_services.corridor_create(unit=unit, theme=f"楼道{i}", by=world.a.secretary)
    exhibit_services.corridor_create(unit=world.b.unit, theme="楼道B", by=world.b.secretary)


def _exhibits(status):
    def grow(world):
        exhibit_services.corridor_create(unit=world.a.unit, theme="老年之友", by=world.a.secretary)
        corridor = Corridor.objects.get(unit=world.a.unit)
        base = timezone.now() - timedelta(days=1)
        for i in range(20):
            Exhibit.objects.create(
                corridor=corridor,
                kind="painting",
                title=f"作品{i}",
                creator_name="学员",
                status=status,
                # ties, and times a microsecond apart: the cursor keeps full precision
                status_changed_at=base + timedelta(microseconds=i // 3),
                created_by=world.a.secretary,
            )

    return grow


KEYSET_LISTS = {
    "buildings:resident_list": (ResidentListView, _residents, {}),
    "buildings:household_list": (HouseholdListView, _households, {}),
    "buildings:building_list": (BuildingListView, _buildings, {}),
    "exhibits:corridor_list": (CorridorListView, _corridors, {}),
    "exhibits:exhibit_list": (ExhibitListView, _exhibits("draft"), {}),
    "exhibits:check_queue": (CheckQueueView, _exhibits("submitted"), {"status": "submitted"}),
}


@pytest.mark.parametrize("name", sorted(KEYSET_LISTS))
def test_keyset_list_forward_and_back_visit_every_row_once_in_order(client, world, settings, name):
    settings.PAGE_SIZE = 7
    view, grow, only = KEYSET_LISTS[name]
    grow(world)
    user = world.a.secretary
    expected = list(
        view.model.objects.visible_to(user)
        .filter(**only)
        .order_by(*view.keyset_ordering)
        .values_list("pk", flat=True)
    )
    client.force_login(user)
    url = reverse(name)

    forward, last = _walk(client, url, "", "next")
    backward, _ = _walk(client, url, last, "prev")

    assert len(expected) > 2 * 7
    assert _flat(forward) == expected
    assert all(len(page) == 7 for page in forward[:-1])
    assert _flat(reversed(backward)) == expected
    assert backward[-1] == forward[0]


def test_resident_list_130_rows_pages_keep_the_filter(client, world):
    for i in range(130):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:03d}")
    for i in range(30):
        factories.ResidentFactory(household=world.a.household, name=f"路人{i:03d}")
    expected = list(
        Resident.objects.filter(name__startswith="邻居").order_by("name", "pk").values_list("pk")
    )
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_list")

    forward, last = _walk(client, url, "q=邻居", "next")
    backward, first = _walk(client, url, last, "prev")

    assert [len(page) for page in forward] == [50, 50, 30]
    assert _flat(forward) == [pk for (pk,) in expected]
    assert _flat(reversed(backward)) == _flat(forward)
    assert parse_qs(last)["q"] == ["邻居"]
    assert parse_qs(first)["q"] == ["邻居"]


def test_resident_list_says_how_many_rows_match(en_client, world):
    for i in range(60):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:02d}")
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("buildings:resident_list"), {"q": "邻居"})

    assert "60 rows match." in response.content.decode()


def test_resident_list_count_stops_at_the_cap(en_client, world, monkeypatch):
    monkeypatch.setattr(ResidentListView, "count_cap", 55)
    for i in range(60):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:02d}")
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("buildings:resident_list"))

    assert "More than 55 rows match" in response.content.decode()


def test_resident_list_deep_page_runs_as_many_queries_as_the_first(client, world):
    for i in range(130):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:03d}")
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_list")
    _, last = _walk(client, url, "", "next")

    first, first_page = count_queries(client, url)
    deep, deep_page = count_queries(client, f"{url}?{last}")

    assert "邻居129" in deep_page.content.decode()
    assert "邻居129" not in first_page.content.decode()
    assert deep == first
    assert deep <= BUDGETS["buildings:resident_list"]


def _another_lists_cursor():
    paginator = KeysetPaginator(Exhibit.objects.all(), ("-status_changed_at", "-pk"), 5)
    return signing.dumps({"d": "n", "v": ["2026-05-01T00:00:00+00:00", 1]}, salt=paginator.salt)


def _signed(values, direction="n"):
    paginator = KeysetPaginator(Resident.objects.all(), ResidentListView.keyset_ordering, 5)
    return signing.dumps({"d": direction, "v": values}, salt=paginator.salt)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(lambda: "abc", id="garbled"),
        pytest.param(lambda: "x" * 5000, id="huge"),
        pytest.param(lambda: "邻:居", id="non-ascii"),
        pytest.param(lambda: signing.dumps({"d": "n", "v": ["邻居", 1]}), id="unsalted"),
        pytest.param(lambda: _signed(["邻居", 1])[:-3] + "abc", id="forged-signature"),
        pytest.param(_another_lists_cursor, id="another-list"),
        pytest.param(lambda: _signed(["邻居"]), id="too-few-values"),
        pytest.param(lambda: _signed(["邻居", "one"]), id="wrong-type"),
        pytest.param(lambda: _signed(["邻居", None]), id="null"),
        pytest.param(lambda: _signed(["邻居", [1]]), id="nested"),
        pytest.param(lambda: _signed(["邻居", 1], direction="x"), id="direction"),
        pytest.param(lambda: signing.dumps([1, 2], salt=_signed_salt()), id="not-a-dict"),
    ],
)
def test_resident_list_bad_cursor_shows_the_first_page(client, world, cursor):
    for i in range(60):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i:02d}")
    client.force_login(world.a.secretary)
    url = reverse("buildings:resident_list")
    first = client.get(url)

    response = client.get(url, {"cursor": cursor()})

    assert response.status_code == 200
    assert [r.pk for r in response.context["object_list"]] == [
        r.pk for r in first.context["object_list"]
    ]
    assert not response.context["page_obj"].has_previous()


def _signed_salt():
    return KeysetPaginator(Resident.objects.all(), ResidentListView.keyset_ordering, 5).salt


def test_resident_list_old_page_number_is_ignored(client, world):
    client.force_login(world.a.secretary)

    response = client.get(reverse("buildings:resident_list"), {"page": "abc"})

    assert response.status_code == 200
    assert world.a.resident.name in response.content.decode()


def test_list_links_keep_the_filters_and_drop_the_old_cursor(client, world, settings):
    settings.PAGE_SIZE = 2
    for i in range(5):
        factories.HouseholdFactory(unit=world.a.unit, room=f"7{i:02d}", occupancy="rented")
    client.force_login(world.a.secretary)
    url = reverse("buildings:household_list")
    first = client.get(url, {"occupancy": "rented", "building": world.a.building.pk})

    second = client.get(f"{url}?{_link(first, 'next')}")
    query = parse_qs(_link(second, "next"))

    assert query["occupancy"] == ["rented"]
    assert query["building"] == [str(world.a.building.pk)]
    assert len(query["cursor"]) == 1
    assert all(h.occupancy == "rented" for h in second.context["object_list"])


# The paginator itself


def _page(paginator, query=""):
    return paginator.page(QueryDict(query))


def _walk_paginator(paginator) -> tuple[list[list[int]], list[list[int]]]:
    forward, page = [], _page(paginator)
    forward.append([r.pk for r in page])
    while page.has_next():
        page = _page(paginator, page.next_query)
        forward.append([r.pk for r in page])
    backward = [[r.pk for r in page]]
    while page.has_previous():
        page = _page(paginator, page.previous_query)
        backward.append([r.pk for r in page])
    return forward, backward


def test_paginator_mixed_directions_visit_every_row_once(world):
    for i in range(17):
        factories.ResidentFactory(
            household=world.a.household, name=f"邻居{i % 4}", is_party_member=i % 3 == 0
        )
    ordering = ("-is_party_member", "name", "pk")
    rows = Resident.objects.all()
    paginator = KeysetPaginator(rows, ordering, 4)

    forward, backward = _walk_paginator(paginator)

    expected = list(rows.order_by(*ordering).values_list("pk", flat=True))
    assert _flat(forward) == expected
    assert _flat(reversed(backward)) == expected


def test_paginator_orders_across_relations(world):
    for i in range(9):
        factories.HouseholdFactory(unit__building__community=world.a.community, room=f"{i}01")
    ordering = ("unit__building__compound", "unit__number", "-room", "pk")
    rows = Household.objects.all()
    paginator = KeysetPaginator(rows, ordering, 4)

    forward, backward = _walk_paginator(paginator)

    expected = list(rows.order_by(*ordering).values_list("pk", flat=True))
    assert _flat(forward) == expected
    assert _flat(reversed(backward)) == expected


def test_paginator_single_page_runs_no_count_query(world):
    paginator = KeysetPaginator(Building.objects.all(), ("compound", "pk"), 50)

    with CaptureQueriesContext(connection) as captured:
        page = _page(paginator)
        count = page.count

    assert len(captured) == 1
    assert count == Building.objects.count()
    assert not page.has_other_pages()


def test_paginator_counts_with_a_limit(world):
    for i in range(8):
        factories.BuildingFactory(community=world.a.community, number=str(50 + i))
    paginator = KeysetPaginator(Building.objects.all(), ("compound", "pk"), 3, count_cap=5)

    with CaptureQueriesContext(connection) as captured:
        page = _page(paginator)
        count, capped = page.count, page.count_capped

    assert (count, capped) == (5, True)
    assert len(captured) == 2
    assert "LIMIT 6" in captured[1]["sql"]


def test_paginator_back_past_deleted_rows_shows_a_full_first_page(world):
    for i in range(10):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i}")
    rows = Resident.objects.filter(name__startswith="邻居")
    paginator = KeysetPaginator(rows, ("name", "pk"), 4)
    second = _page(paginator, _page(paginator).next_query)
    Resident.objects.filter(name__in=["邻居0", "邻居1"]).delete()

    back = _page(paginator, second.previous_query)

    assert [r.name for r in back] == ["邻居2", "邻居3", "邻居4", "邻居5"]
    assert not back.has_previous()
    assert back.has_next()


def test_paginator_rows_deleted_past_the_cursor_leave_an_empty_page_with_a_way_back(world):
    for i in range(6):
        factories.ResidentFactory(household=world.a.household, name=f"邻居{i}")
    rows = Resident.objects.filter(name__startswith="邻居")
    paginator = KeysetPaginator(rows, ("name", "pk"), 3)
    cursor = _page(paginator).next_query
    Resident.objects.filter(name__in=["邻居3", "邻居4", "邻居5"]).delete()

    page = _page(paginator, cursor)

    assert list(page) == []
    assert page.has_previous() and not page.has_next()
    assert page.previous_query == ""


@pytest.mark.parametrize(
    "ordering",
    [
        ("name",),  # not ending with the pk
        ("birth_year", "pk"),  # may be NULL
        ("household", "pk"),  # a relation: would order by the household's own ordering
        ("household__unit__building__section__name", "pk"),  # through a nullable relation
        ("tags__name", "pk"),  # many rows per resident
        ("nickname", "pk"),  # no such field
    ],
)
def test_paginator_refuses_orderings_it_cannot_page(ordering):
    with pytest.raises(ImproperlyConfigured):
        KeysetPaginator(Resident.objects.all(), ordering, 5)


# The fund page's ledgers


def test_fund_ledger_pages_donations_newest_first_each_ledger_on_its_own(
    client, world, monkeypatch
):
    monkeypatch.setattr("buildings.views.LEDGER_PAGE_SIZE", 5)
    by = world.a.secretary
    fund = fund_services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": date(2026, 5, 1)},
        by=by,
    )
    for i in range(12):
        fund_services.donation_record(
            fund=fund,
            data={
                "kind": "money",
                "amount": Decimal("10.00"),
                "date": date(2026, 5, 1 + i % 4),
                "donor_name": f"外单位{i}",
            },
            token=uuid.uuid4(),
            by=by,
        )
    for _ in range(7):
        fund_services.expense_record(
            fund=fund,
            data={"item": "灯泡", "amount": Decimal("1.00"), "date": date(2026, 5, 3)},
            token=uuid.uuid4(),
            by=by,
        )
    client.force_login(by)
    url = fund.get_absolute_url()
    expected = list(fund.donations.order_by("-date", "-pk").values_list("pk", flat=True))
    expenses_next = client.get(url).context["expenses"]["next_url"]
    query = QueryDict(expenses_next[1:].removesuffix("#expenses"))  # the expenses' 2nd page

    seen = []
    while True:
        response = client.get(url, query)
        ledger = response.context["donations"]
        seen.append([d.pk for d in ledger["page"]])
        if not ledger["next_url"]:
            break
        assert ledger["next_url"].endswith("#donations")
        query = QueryDict(ledger["next_url"][1:].removesuffix("#donations"))

    assert [len(page) for page in seen] == [5, 5, 2]
    assert _flat(seen) == expected
    assert len(response.context["expenses"]["page"]) == 2
    assert f"({len(expected)})" in response.content.decode()
