"""Duty roster pages: creating a roster, its page, marking, swapping, reordering, exempting,
the printable sheet, the unit and community blocks. Every write goes through a page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from buildings import roster_services
from buildings.models import DutyRoster, DutyShift, RosterSlot
from tests import factories
from tests.conftest import grant_admin_access
from tests.utils import count_queries


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _today():
    return timezone.localdate()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def rooms(world):
    """Side A's unit has rooms 301 (the world's), 302 and 401."""
    return [
        world.a.household,
        factories.HouseholdFactory(unit=world.a.unit, room="302"),
        factories.HouseholdFactory(unit=world.a.unit, room="401"),
    ]


@pytest.fixture
def roster(world, rooms):
    """A weekly roster from three weeks ago, its past and coming four weeks planned."""
    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties=["扫楼梯", "擦扶手"],
        rotation_kind="weekly",
        starts_on=_today() - timedelta(days=21),
        by=world.a.secretary,
    )
    roster_services.generate(
        roster=roster, first=roster.starts_on, last=_today() + timedelta(weeks=4)
    )
    return roster


def _ended(roster):
    return list(roster.shifts.filter(ends_on__lt=_today()).order_by("starts_on"))


def _upcoming(roster):
    return list(roster.shifts.filter(starts_on__gt=_today()).order_by("starts_on"))


def _create_post(rooms, **data):
    post = {
        "duties": "扫楼梯\n擦扶手\n\n检查楼道灯",
        "rotation": "weekly",
        "starts_on": _today().isoformat(),
        "ends_on": "",
    }
    for place, household in enumerate(rooms, start=1):
        post[f"position_{household.pk}"] = str(place)
    post.update(data)
    return post


# Creating


def test_roster_create_page_lists_households_by_room(en_client, world, rooms):
    en_client.force_login(world.a.head)

    response = en_client.get(reverse("buildings:roster_create", args=[world.a.unit.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">301<") < html.index(">302<") < html.index(">401<")
    assert f'name="position_{rooms[2].pk}"' in html


def test_roster_create_by_head_with_reordered_households(en_client, world, rooms):
    en_client.force_login(world.a.head)
    post = _create_post(rooms)
    post[f"position_{rooms[0].pk}"] = "3"
    post[f"position_{rooms[2].pk}"] = "1"

    response = en_client.post(reverse("buildings:roster_create", args=[world.a.unit.pk]), post)

    roster = DutyRoster.objects.get()
    assert response.status_code == 302
    assert response.url == roster.get_absolute_url()
    assert roster.duties == ["扫楼梯", "擦扶手", "检查楼道灯"]
    assert roster.created_by == world.a.head
    slots = RosterSlot.objects.filter(order__roster=roster).order_by("position")
    assert [slot.household.room for slot in slots] == ["401", "302", "301"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duties": " \n  "}, "List at least one duty."),
        ({"starts_on": "2000-01-01"}, "The start may be at most a year in the past."),
        ({"ends_on": "START-1"}, "The end must not be before the start."),
        ({"POSITION": ("0", "")}, "Give every household a place in the order."),
        ({"POSITION": ("0", "2")}, "both have place 2"),
        ({"FOREIGN": True}, "Every household must belong to this unit."),
    ],
    ids=["no-duties", "start-too-old", "end-before-start", "blank-place", "same-place", "foreign"],
)
def test_roster_create_bad_input_shows_error_and_saves_nothing(
    en_client, world, rooms, change, message
):
    en_client.force_login(world.a.secretary)
    post = _create_post(rooms)
    if "POSITION" in change:
        index, value = change["POSITION"]
        post[f"position_{rooms[int(index)].pk}"] = value
    elif "FOREIGN" in change:
        post[f"position_{world.b.household.pk}"] = "4"
    elif change.get("ends_on") == "START-1":
        post["ends_on"] = (_today() - timedelta(days=1)).isoformat()
    else:
        post.update(change)

    response = en_client.post(reverse("buildings:roster_create", args=[world.a.unit.pk]), post)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DutyRoster.objects.exists()


def test_roster_create_refused_to_official_and_hidden_from_other_community(client, world):
    url = reverse("buildings:roster_create", args=[world.a.unit.pk])
    client.force_login(world.official)
    assert client.post(url, {"duties": "扫楼梯"}).status_code == 403
    client.force_login(world.b.secretary)
    assert client.post(url, {"duties": "扫楼梯"}).status_code == 404
    assert not DutyRoster.objects.exists()


# The roster's page


def test_roster_detail_shows_duties_turns_and_overdue(en_client, world, roster):
    roster_services.shift_mark(shift=_ended(roster)[0], status="done", by=world.a.head)
    en_client.force_login(world.a.head)

    response = en_client.get(roster.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "扫楼梯" in html and "擦扶手" in html
    assert "shift-overdue" in html and ">overdue<" in html  # colour and words
    assert ">to do<" in html
    assert 'id="roster-completion"' in html
    assert reverse("buildings:shift_mark", args=[_ended(roster)[1].pk]) in html
    assert reverse("buildings:roster_order", args=[roster.pk]) in html


def test_roster_detail_read_only_for_official(en_client, world, roster):
    en_client.force_login(world.official)

    response = en_client.get(roster.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "/mark/" not in html and "/swap/" not in html
    assert 'name="action"' not in html


def test_roster_detail_hidden_from_other_community(client, world, roster):
    client.force_login(world.b.secretary)

    assert client.get(roster.get_absolute_url()).status_code == 404


def test_roster_detail_completion_rate_changes_when_marked(en_client, world, roster):
    en_client.force_login(world.a.head)
    ended = _ended(roster)
    before = en_client.get(roster.get_absolute_url()).context["completion"]

    en_client.post(reverse("buildings:shift_mark", args=[ended[0].pk]), {"status": "done"})

    after = en_client.get(roster.get_absolute_url()).context["completion"]
    assert (before["rate"], after["rate"]) == (0, round(100 / len(ended)))


# Marking


def test_shift_mark_done_by_building_head(en_client, world, roster):
    shift = _ended(roster)[0]
    en_client.force_login(world.a.head)

    response = en_client.post(reverse("buildings:shift_mark", args=[shift.pk]), {"status": "done"})

    shift.refresh_from_db()
    assert response.status_code == 302
    assert response.url == f"{roster.get_absolute_url()}#shift-{shift.pk}"
    assert (shift.status, shift.marked_by) == ("done", world.a.head)


def test_shift_mark_missed_without_note_is_refused(en_client, world, roster):
    shift = _ended(roster)[0]
    en_client.force_login(world.a.head)

    response = en_client.post(
        reverse("buildings:shift_mark", args=[shift.pk]), {"status": "missed", "note": " "}
    )

    shift.refresh_from_db()
    assert shift.status == "upcoming"
    assert "Say why the turn was missed." in _messages(response)


def test_shift_mark_missed_with_note(en_client, world, roster):
    shift = _ended(roster)[0]
    en_client.force_login(world.a.head)

    en_client.post(
        reverse("buildings:shift_mark", args=[shift.pk]), {"status": "missed", "note": "出差"}
    )

    shift.refresh_from_db()
    assert (shift.status, shift.note) == ("missed", "出差")


def test_shift_mark_unknown_status_is_refused(en_client, world, roster):
    shift = _ended(roster)[0]
    en_client.force_login(world.a.head)

    response = en_client.post(
        reverse("buildings:shift_mark", args=[shift.pk]), {"status": "upcoming"}
    )

    shift.refresh_from_db()
    assert shift.status == "upcoming"
    assert "Mark the turn done or missed." in _messages(response)


def test_shift_mark_of_a_turn_not_begun_is_refused(en_client, world, roster):
    shift = _upcoming(roster)[0]
    en_client.force_login(world.a.head)

    response = en_client.post(reverse("buildings:shift_mark", args=[shift.pk]), {"status": "done"})

    shift.refresh_from_db()
    assert shift.status == "upcoming"
    assert "A turn that has not begun cannot be marked yet." in _messages(response)


@pytest.mark.parametrize(
    ("who", "status"),
    [("b_secretary", 404), ("b_head", 404), ("a_cadre", 404), ("official", 403)],
)
def test_shift_mark_outside_the_building_is_refused(client, world, roster, who, status):
    user = {
        "b_secretary": world.b.secretary,
        "b_head": world.b.head,
        "a_cadre": world.a.cadre,  # another section of the same community
        "official": world.official,
    }[who]
    shift = _ended(roster)[0]
    client.force_login(user)

    response = client.post(reverse("buildings:shift_mark", args=[shift.pk]), {"status": "done"})

    shift.refresh_from_db()
    assert response.status_code == status
    assert shift.status == "upcoming"


def test_shift_mark_of_another_building_by_head_is_404(client, world):
    """Side A's head marks a turn of a building in their own community they do not head."""
    unit = factories.UnitFactory(building=world.a.section_building, number=2)
    factories.HouseholdFactory(unit=unit, room="101")
    other = roster_services.roster_create(
        unit=unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=_today() - timedelta(days=14),
        by=world.a.secretary,
    )
    roster_services.generate(roster=other, first=other.starts_on, last=_today())
    shift = other.shifts.first()
    client.force_login(world.a.head)

    response = client.post(reverse("buildings:shift_mark", args=[shift.pk]), {"status": "done"})

    shift.refresh_from_db()
    assert response.status_code == 404
    assert shift.status == "upcoming"


def test_shift_mark_get_is_refused(client, world, roster):
    client.force_login(world.a.head)

    response = client.get(reverse("buildings:shift_mark", args=[_ended(roster)[0].pk]))

    assert response.status_code == 405


# Swapping


def test_shift_swap_offers_other_coming_turns_of_the_roster(en_client, world, roster):
    first = _upcoming(roster)[0]
    roster_services.shift_mark(shift=_ended(roster)[0], status="done", by=world.a.head)
    # the turn under way and those to come, not ended or marked ones, nor the turn itself
    others = list(roster.shifts.filter(ends_on__gte=_today()).exclude(pk=first.pk))
    en_client.force_login(world.a.head)

    response = en_client.get(reverse("buildings:shift_swap", args=[first.pk]))

    choices = list(response.context["form"].fields["other"].queryset)
    assert response.status_code == 200
    assert choices == others


def test_shift_swap_by_head(en_client, world, roster):
    first, second = _upcoming(roster)[:2]
    rooms = (first.household.room, second.household.room)
    en_client.force_login(world.a.head)

    response = en_client.post(
        reverse("buildings:shift_swap", args=[first.pk]), {"other": second.pk}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 302
    assert (second.household.room, first.household.room) == rooms
    assert first.swapped_by == world.a.head


def test_shift_swap_with_itself_is_not_a_choice(en_client, world, roster):
    first = _upcoming(roster)[0]
    en_client.force_login(world.a.head)

    response = en_client.post(reverse("buildings:shift_swap", args=[first.pk]), {"other": first.pk})

    assert response.status_code == 200
    assert "Choose one of the listed turns of this roster." in response.content.decode()
    assert not DutyShift.objects.exclude(swapped_with=None).exists()


def test_shift_swap_with_another_roster_is_not_a_choice(en_client, world, roster):
    unit = factories.UnitFactory(building=world.a.building, number=7)
    factories.HouseholdFactory(unit=unit, room="101")
    other = roster_services.roster_create(
        unit=unit, duties=["扫楼梯"], rotation_kind="weekly", starts_on=_today(), by=world.a.head
    )
    roster_services.shifts_generate(roster=other, weeks=3, by=world.a.head)
    theirs = other.shifts.order_by("starts_on").last()
    en_client.force_login(world.a.head)

    response = en_client.post(
        reverse("buildings:shift_swap", args=[_upcoming(roster)[0].pk]), {"other": theirs.pk}
    )

    assert response.status_code == 200
    assert "Choose one of the listed turns of this roster." in response.content.decode()
    assert not DutyShift.objects.exclude(swapped_with=None).exists()


def test_shift_swap_of_a_marked_turn_redirects_with_message(en_client, world, roster):
    shift = _ended(roster)[0]
    roster_services.shift_mark(shift=shift, status="done", by=world.a.head)
    en_client.force_login(world.a.head)

    response = en_client.get(reverse("buildings:shift_swap", args=[shift.pk]))

    assert response.status_code == 302
    assert "Only turns still to do can be swapped." in _messages(response)


def test_shift_swap_refused_to_official(client, world, roster):
    first, second = _upcoming(roster)[:2]
    client.force_login(world.official)

    response = client.post(reverse("buildings:shift_swap", args=[first.pk]), {"other": second.pk})

    assert response.status_code == 403
    assert not DutyShift.objects.exclude(swapped_with=None).exists()


# Planning and exempting (forms on the roster's page)


def test_generate_twice_creates_no_duplicates(en_client, world, roster):
    en_client.force_login(world.a.head)
    url = roster.get_absolute_url()

    en_client.post(url, {"action": "generate", "weeks": "8"})
    count = roster.shifts.count()
    response = en_client.post(url, {"action": "generate", "weeks": "8"})

    assert roster.shifts.count() == count
    assert "Nothing to add: these turns are planned." in _messages(response)
    starts = list(roster.shifts.values_list("starts_on", flat=True))
    assert len(starts) == len(set(starts))


@pytest.mark.parametrize("weeks", ["0", "105", "", "many"])
def test_generate_bad_weeks_shows_error(en_client, world, roster, weeks):
    count = roster.shifts.count()
    en_client.force_login(world.a.head)

    response = en_client.post(roster.get_absolute_url(), {"action": "generate", "weeks": weeks})

    assert response.status_code == 200
    assert response.context["generate_form"].errors
    assert roster.shifts.count() == count


def test_generate_refused_to_official(client, world, roster):
    count = roster.shifts.count()
    client.force_login(world.official)

    response = client.post(roster.get_absolute_url(), {"action": "generate", "weeks": "8"})

    assert response.status_code == 403
    assert roster.shifts.count() == count


def test_exempt_household_skips_its_coming_turns(en_client, world, roster, rooms):
    en_client.force_login(world.a.head)

    response = en_client.post(
        roster.get_absolute_url(),
        {
            "action": "exempt",
            "exempt-household": rooms[1].pk,
            "exempt-reason": "年老体弱",
            "exempt-since": _today().isoformat(),
        },
    )

    assert response.status_code == 302
    assert roster.exemptions.get().reason == "年老体弱"
    assert not roster.shifts.filter(starts_on__gt=_today(), household=rooms[1]).exists()
    assert "年老体弱" in en_client.get(roster.get_absolute_url()).content.decode()


def test_exempt_household_of_another_unit_is_not_a_choice(en_client, world, roster):
    en_client.force_login(world.a.head)

    response = en_client.post(
        roster.get_absolute_url(),
        {
            "action": "exempt",
            "exempt-household": world.b.household.pk,
            "exempt-reason": "病",
            "exempt-since": _today().isoformat(),
        },
    )

    assert response.status_code == 200
    assert "not one of the available choices" in response.content.decode()
    assert not roster.exemptions.exists()


def test_exempt_without_reason_is_refused(en_client, world, roster, rooms):
    en_client.force_login(world.a.head)

    response = en_client.post(
        roster.get_absolute_url(),
        {
            "action": "exempt",
            "exempt-household": rooms[1].pk,
            "exempt-reason": "  ",
            "exempt-since": _today().isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["exemption_form"].errors["reason"]
    assert not roster.exemptions.exists()


# Reordering


def test_roster_order_from_today_keeps_the_past(en_client, world, roster, rooms):
    past = list(
        roster.shifts.filter(starts_on__lt=_today())
        .order_by("starts_on")
        .values_list("household_id", flat=True)
    )
    en_client.force_login(world.a.head)
    post = {"effective_from": _today().isoformat()}
    for place, household in enumerate(reversed(rooms), start=1):
        post[f"position_{household.pk}"] = str(place)

    response = en_client.post(reverse("buildings:roster_order", args=[roster.pk]), post)

    assert response.status_code == 302
    assert roster.orders.count() == 2
    assert (
        list(
            roster.shifts.filter(starts_on__lt=_today())
            .order_by("starts_on")
            .values_list("household_id", flat=True)
        )
        == past
    )


def test_roster_order_from_a_past_date_is_refused(en_client, world, roster, rooms):
    en_client.force_login(world.a.head)
    post = {"effective_from": (_today() - timedelta(days=1)).isoformat()}
    for place, household in enumerate(rooms, start=1):
        post[f"position_{household.pk}"] = str(place)

    response = en_client.post(reverse("buildings:roster_order", args=[roster.pk]), post)

    assert response.status_code == 200
    assert "A new order applies from today on." in response.content.decode()
    assert roster.orders.count() == 1


def test_roster_order_with_household_of_another_unit_is_refused(en_client, world, roster, rooms):
    en_client.force_login(world.a.head)
    post = {"effective_from": _today().isoformat(), f"position_{world.b.household.pk}": "4"}
    for place, household in enumerate(rooms, start=1):
        post[f"position_{household.pk}"] = str(place)

    response = en_client.post(reverse("buildings:roster_order", args=[roster.pk]), post)

    assert response.status_code == 200
    assert "Every household must belong to this unit." in response.content.decode()
    assert roster.orders.count() == 1


# The list


def test_roster_list_scoped_with_completion(en_client, world, roster):
    roster_services.shift_mark(shift=_ended(roster)[0], status="done", by=world.a.head)
    unit_b = world.b.unit
    roster_services.roster_create(
        unit=unit_b, duties=["扫楼梯"], rotation_kind="weekly", starts_on=_today(), by=world.b.head
    )
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("buildings:roster_list"))

    rosters = list(response.context["object_list"])
    assert rosters == [roster]
    assert rosters[0].rate == round(100 / len(_ended(roster)))
    html = response.content.decode()
    assert str(world.a.unit) in html and str(unit_b) not in html


def test_roster_list_filters_by_active(en_client, world, roster):
    DutyRoster.objects.filter(pk=roster.pk).update(is_active=False)
    en_client.force_login(world.a.secretary)

    active = en_client.get(reverse("buildings:roster_list"), {"is_active": "true"})
    inactive = en_client.get(reverse("buildings:roster_list"), {"is_active": "false"})

    assert list(active.context["object_list"]) == []
    assert list(inactive.context["object_list"]) == [roster]


# The sheet


def test_roster_sheet_lists_periods_with_rooms_and_sign_column(en_client, world, roster):
    en_client.force_login(world.a.head)

    response = en_client.get(
        reverse("buildings:roster_sheet", args=[roster.pk]),
        {"start": roster.starts_on.isoformat(), "periods": "4"},
    )

    html = response.content.decode()
    rows = response.context["rows"]
    assert response.status_code == 200
    assert [row["starts_on"] for row in rows] == [
        roster.starts_on + timedelta(weeks=i) for i in range(4)
    ]
    assert [row["shift"].household.room for row in rows] == ["301", "302", "401", "301"]
    assert "Signature" in html and "扫楼梯" in html
    assert "navbar" in html  # hidden by @media print, not a separate layout


def test_roster_sheet_bad_range_falls_back_to_default(en_client, world, roster):
    en_client.force_login(world.a.head)

    response = en_client.get(
        reverse("buildings:roster_sheet", args=[roster.pk]), {"periods": "500"}
    )

    assert response.status_code == 200
    assert len(response.context["rows"]) == 12
    assert response.context["form"].errors["periods"]


def test_roster_sheet_queries_constant_for_30_households_and_52_weeks(client, world):
    """3 households and 4 weeks, then 30 households and 52 weeks: the same queries."""
    factories.HouseholdFactory(unit=world.a.unit, room="302")
    factories.HouseholdFactory(unit=world.a.unit, room="401")
    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=_today(),
        by=world.a.secretary,
    )
    roster_services.shifts_generate(roster=roster, weeks=3, by=world.a.secretary)
    client.force_login(world.a.secretary)
    url = reverse("buildings:roster_sheet", args=[roster.pk])
    small, response = count_queries(client, f"{url}?periods=4")
    assert len(response.context["rows"]) == 4

    for i in range(27):
        factories.HouseholdFactory(unit=world.a.unit, room=f"7{i:02d}")
    roster_services.roster_set_order(
        roster=roster,
        households=roster_services.default_order(world.a.unit),
        effective_from=_today(),
        by=world.a.secretary,
    )
    roster_services.shifts_generate(roster=roster, weeks=52, by=world.a.secretary)
    large, response = count_queries(client, f"{url}?periods=52")

    assert len(response.context["rows"]) == 52
    assert all(row["shift"] is not None for row in response.context["rows"])
    assert "726" in response.content.decode()
    assert small == large <= 10


# The unit and community pages


def test_unit_page_shows_roster_month_and_completion(en_client, world, roster):
    roster_services.shift_mark(shift=_ended(roster)[-1], status="done", by=world.a.head)
    en_client.force_login(world.a.head)

    response = en_client.get(world.a.unit.get_absolute_url())

    html = response.content.decode()
    (shown,) = response.context["rosters"]
    assert shown == roster
    assert shown.rate is not None and shown.rate > 0
    assert roster.get_absolute_url() in html
    assert reverse("buildings:roster_create", args=[world.a.unit.pk]) in html
    month_start = _today().replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    assert shown.month_shifts
    assert all(month_start <= s.ends_on and s.starts_on < next_month for s in shown.month_shifts)


def test_unit_page_roster_block_read_only_for_official(en_client, world, roster):
    en_client.force_login(world.official)

    response = en_client.get(world.a.unit.get_absolute_url())

    assert response.context["rosters"] == [roster]
    assert reverse("buildings:roster_create", args=[world.a.unit.pk]) not in (
        response.content.decode()
    )


def test_community_page_completion_per_building(en_client, world, roster):
    ended = _ended(roster)
    roster_services.shift_mark(shift=ended[-1], status="done", by=world.a.head)
    roster_services.shift_mark(shift=ended[-2], status="missed", note="出差", by=world.a.head)
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("portal:community_detail", args=[world.a.community.pk]))

    (row,) = response.context["duty_completion"]
    in_window = [s for s in ended if s.ends_on >= _today() - timedelta(days=30)]
    assert row["building"].pk == world.a.building.pk
    assert (row["done"], row["missed"], row["due"]) == (1, 1, len(in_window))
    assert str(world.a.building) in response.content.decode()


def test_community_page_completion_hides_other_buildings_from_head(en_client, world, roster):
    unit = factories.UnitFactory(building=world.a.section_building, number=2)
    factories.HouseholdFactory(unit=unit, room="101")
    other = roster_services.roster_create(
        unit=unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=_today() - timedelta(days=14),
        by=world.a.secretary,
    )
    roster_services.generate(roster=other, first=other.starts_on, last=_today())
    en_client.force_login(world.a.head)

    response = en_client.get(reverse("portal:community_detail", args=[world.a.community.pk]))

    assert [row["building"].pk for row in response.context["duty_completion"]] == [
        world.a.building.pk
    ]


# The admin


def test_admin_shift_changelist_scoped(client, world, roster):
    grant_admin_access(world.a.head, world.b.secretary)
    client.force_login(world.b.secretary)

    response = client.get(reverse("admin:buildings_dutyshift_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    client.force_login(world.a.head)
    response = client.get(reverse("admin:buildings_dutyshift_changelist"))
    assert len(response.context["cl"].result_list) == roster.shifts.count()


def test_admin_mark_done_action_uses_the_service(client, world, roster):
    grant_admin_access(world.a.head)
    ended, future = _ended(roster)[0], _upcoming(roster)[0]
    client.force_login(world.a.head)

    client.post(
        reverse("admin:buildings_dutyshift_changelist"),
        {"action": "mark_done", "_selected_action": [ended.pk, future.pk]},
    )

    ended.refresh_from_db()
    future.refresh_from_db()
    assert (ended.status, ended.marked_by) == ("done", world.a.head)
    assert future.status == "upcoming"  # not begun: refused by the service


def test_admin_shift_fields_are_read_only(client, world, roster):
    grant_admin_access(world.a.secretary)
    shift = _ended(roster)[0]
    client.force_login(world.a.secretary)
    url = reverse("admin:buildings_dutyshift_change", args=[shift.pk])

    client.post(url, {"status": "done", "note": "改"})

    shift.refresh_from_db()
    assert (shift.status, shift.note) == ("upcoming", "")


def test_admin_roster_hidden_from_other_community(client, world, roster):
    grant_admin_access(world.b.secretary)
    client.force_login(world.b.secretary)

    response = client.get(reverse("admin:buildings_dutyroster_change", args=[roster.pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert not DutyRoster.objects.visible_to(world.b.secretary).exists()


def test_admin_roster_page_shows_order_and_exemptions(client, world, roster, rooms):
    roster_services.roster_exempt(
        roster=roster, household=rooms[2], reason="年老体弱", since=_today(), by=world.a.head
    )
    grant_admin_access(world.a.secretary)
    client.force_login(world.a.secretary)

    response = client.get(reverse("admin:buildings_dutyroster_change", args=[roster.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "301 → 302 → 401" in html
    assert "年老体弱" in html
