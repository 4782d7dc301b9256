"""A create form sent twice writes one record; the second answer goes where the first did.

Every create page is listed in CASES: the form is loaded as a person would (GET), filled
in, and sent twice with the same hidden token.
"""

import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from buildings import services as building_services
from buildings.models import (
    Building,
    Donation,
    DutyRoster,
    Expense,
    Fund,
    Household,
    Resident,
    Unit,
)
from communities import concurrency
from communities.models import Section
from corridor_portal.models import FormSubmission
from engagement.models import Campaign, GuidanceProblem, GuidanceVisit, Poll, Suggestion, Symposium
from exhibits import services as exhibit_services
from exhibits.models import BeforeAfterPair, Corridor, Exhibit, ExhibitPlacement
from tests import factories
from tests.forms.conftest import form_data, messages_of

ALREADY_SAVED = "This form was already saved."
TODAY = timezone.localdate


def _fund(world):
    return building_services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": TODAY()},
        by=world.a.secretary,
    )


def _corridor(world):
    return exhibit_services.corridor_create(
        unit=world.a.unit, theme="老年之友", by=world.a.secretary
    )


def _exhibit(world):
    return exhibit_services.exhibit_create(
        corridor=_corridor(world),
        data={"kind": "calligraphy", "title": "厚德载物", "creator_name": "学员"},
        photos=[],
        by=world.a.secretary,
    )


def _second_corridor(world):
    unit = factories.UnitFactory(building=world.a.building, number=7)
    return exhibit_services.corridor_create(unit=unit, theme="书画天地", by=world.a.secretary)


def _visit(world):
    return factories.GuidanceVisitFactory(community=world.a.community, created_by=world.official)


@dataclass
class Case:
    url_name: str
    model: Any
    kwargs: Any  # world -> (URL kwargs, the parent row or None)
    data: Any  # (world, parent) -> what the person types in
    user: str = "secretary"
    token_field: str = concurrency.TOKEN_FIELD
    message: str = ALREADY_SAVED
    files: Any = field(default=None)  # () -> uploads, new for every submit


def _community(w):
    return {"community_pk": w.a.community.pk}, None


CASES = [
    Case("communities:section_create", Section, _community, lambda w, p: {"name": "三片"}),
    Case(
        "buildings:building_create",
        Building,
        lambda w: ({}, None),
        lambda w, p: {"community": w.a.community.pk, "compound": "新区", "number": "88"},
    ),
    Case(
        "buildings:unit_create",
        Unit,
        lambda w: ({"parent_pk": w.a.building.pk}, None),
        lambda w, p: {"number": "9", "floors": "6"},
    ),
    Case(
        "buildings:household_create",
        Household,
        lambda w: ({"parent_pk": w.a.unit.pk}, None),
        lambda w, p: {"room": "902", "occupancy": Household.Occupancy.RENTED},
    ),
    Case(
        "buildings:resident_create",
        Resident,
        lambda w: ({"parent_pk": w.a.household.pk}, None),
        lambda w, p: {"name": "米丽芳"},
    ),
    Case(
        "buildings:fund_create",
        Fund,
        lambda w: ({"building_pk": w.a.building.pk}, None),
        lambda w, p: {"purpose": "楼道粉刷", "opened_on": TODAY().isoformat()},
    ),
    Case(
        "buildings:donation_create",
        Donation,
        lambda w: ({"pk": (fund := _fund(w)).pk}, fund),
        lambda w, p: {
            "kind": "money",
            "donor_household": w.a.household.pk,
            "amount": "300.00",
            "date": TODAY().isoformat(),
        },
        token_field="token",
        message="This donation was already recorded.",
    ),
    Case(
        "buildings:expense_create",
        Expense,
        lambda w: ({"pk": (fund := _fund(w)).pk}, fund),
        lambda w, p: {"item": "竹子", "amount": "120.50", "date": TODAY().isoformat()},
        token_field="token",
        message="This expense was already recorded.",
    ),
    Case(
        "buildings:roster_create",
        DutyRoster,
        lambda w: ({"unit_pk": w.a.unit.pk}, None),
        lambda w, p: {
            "duties": "扫楼梯\n擦扶手",
            "rotation": "weekly",
            "starts_on": TODAY().isoformat(),
            f"position_{w.a.household.pk}": "1",
        },
        user="head",
    ),
    Case(
        "exhibits:corridor_create",
        Corridor,
        lambda w: ({"unit_pk": w.a.unit.pk}, None),
        lambda w, p: {"theme": "书画天地"},
        message="",  # one corridor per unit: the page sends to the unit's corridor
    ),
    Case(
        "exhibits:exhibit_create",
        Exhibit,
        lambda w: ({"corridor_pk": (corridor := _corridor(w)).pk}, corridor),
        lambda w, p: {"kind": "calligraphy", "title": "厚德载物", "creator_name": "老年大学学员"},
    ),
    Case(
        "exhibits:pair_create",
        BeforeAfterPair,
        lambda w: ({"pk": (corridor := _corridor(w)).pk}, corridor),
        lambda w, p: {"caption": "粉刷前后"},
        files=lambda: {
            "before": factories.image_upload("before.jpg"),
            "after": factories.image_upload("after.jpg", color=(30, 200, 30)),
        },
    ),
    Case(
        "exhibits:exhibit_move",
        ExhibitPlacement,
        lambda w: ({"pk": (exhibit := _exhibit(w)).pk}, exhibit),
        lambda w, p: {"corridor": _second_corridor(w).pk, "floor": "2"},
    ),
    Case(
        "engagement:campaign_create",
        Campaign,
        _community,
        lambda w, p: {
            "title": "致辖区居民的一封信",
            "letters_sent": "1800",
            "starts_on": "2026-03-01",
            "channels": ["letter", "box"],
        },
    ),
    Case(
        "engagement:suggestion_create",
        Suggestion,
        _community,
        lambda w, p: {"channel": "box", "received_on": "2026-03-10", "content": "办书画展"},
    ),
    Case(
        "engagement:symposium_create",
        Symposium,
        _community,
        lambda w, p: {
            "title": "楼道文化座谈会",
            "held_on": "2026-03-15",
            "place": "社区活动室",
            "attendees": "25",
        },
    ),
    Case(
        "engagement:poll_create",
        Poll,
        _community,
        lambda w, p: {
            "question": "最喜欢哪种活动？",
            "opens_on": "2026-03-20",
            "options": "书画\n摄影",
        },
    ),
    Case(
        "engagement:visit_create",
        GuidanceVisit,
        lambda w: ({}, None),
        lambda w, p: {
            "community": w.a.community.pk,
            "visited_on": (TODAY() - timedelta(days=2)).isoformat(),
            "visitors": "王毅 区委常委",
            "purpose": "检查楼道文化阵地建设",
            "problems": "三号楼楼道杂物未清理",
        },
        user="official",
    ),
    Case(
        "engagement:problem_create",
        GuidanceProblem,
        lambda w: ({"pk": (visit := _visit(w)).pk}, visit),
        lambda w, p: {"description": "五号楼宣传栏破损"},
        user="official",
    ),
]


def _user(world, case):
    return world.official if case.user == "official" else getattr(world.a, case.user)


def _load_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_create_form_sent_twice_writes_once(en_client, world, case):
    kwargs, parent = case.kwargs(world)
    url = reverse(case.url_name, kwargs=kwargs)
    en_client.force_login(_user(world, case))
    form = _load_form(en_client, url)
    data = form_data(form, **case.data(world, parent))
    assert data.get(case.token_field), "the page carries no one-time token"
    before = case.model.objects.count()

    first = en_client.post(url, {**data, **(case.files() if case.files else {})})
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    second = en_client.post(url, {**data, **(case.files() if case.files else {})})

    assert case.model.objects.count() == before + 1
    assert second.status_code == 302
    assert second.url == first.url
    if case.message:
        assert case.message in messages_of(second)


REFUSABLE = [c for c in CASES if c.token_field == concurrency.TOKEN_FIELD and c.message]


@pytest.mark.parametrize("case", REFUSABLE, ids=[case.url_name for case in REFUSABLE])
def test_create_form_refused_then_corrected_saves_with_same_token(en_client, world, case):
    """A form sent back with errors has not used its token: corrected, it saves. (The
    first value typed in is left out, or the uploads when the form takes some.)"""
    kwargs, parent = case.kwargs(world)
    url = reverse(case.url_name, kwargs=kwargs)
    en_client.force_login(_user(world, case))
    typed = case.data(world, parent)
    data = form_data(_load_form(en_client, url), **typed)
    before = case.model.objects.count()
    required = next(iter(typed))
    broken = {**data, required: ""}

    refused = en_client.post(url, data if case.files else broken)
    assert refused.status_code == 200
    assert case.model.objects.count() == before
    assert not FormSubmission.objects.filter(token=data[case.token_field]).exists()

    saved = en_client.post(url, {**data, **(case.files() if case.files else {})})
    assert saved.status_code == 302
    assert case.model.objects.count() == before + 1


def test_create_form_token_of_another_person_creates_nothing(en_client, world):
    url = reverse("communities:section_create", args=[world.a.community.pk])
    en_client.force_login(world.a.secretary)
    data = form_data(_load_form(en_client, url), name="三片")
    FormSubmission.objects.create(
        token=data[concurrency.TOKEN_FIELD], user=world.b.secretary, url="/elsewhere/"
    )

    response = en_client.post(url, data)

    assert not Section.objects.filter(name="三片").exists()
    assert response.status_code == 302
    assert response.url == url  # a fresh form, not the other person's record
    assert "This form was already sent." in messages_of(response)[0]


def test_create_form_page_gives_a_new_token_each_time(en_client, world):
    url = reverse("buildings:unit_create", args=[world.a.building.pk])
    en_client.force_login(world.a.secretary)

    first = form_data(_load_form(en_client, url))[concurrency.TOKEN_FIELD]
    second = form_data(_load_form(en_client, url))[concurrency.TOKEN_FIELD]

    assert first != second


def test_purge_form_submissions_deletes_only_old_tokens(world):
    old = FormSubmission.objects.create(token=uuid.uuid4(), user=world.a.secretary)
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=concurrency.SUBMISSION_DAYS + 1)
    )
    recent = FormSubmission.objects.create(token=uuid.uuid4(), user=world.a.secretary)

    call_command("purge_form_submissions", verbosity=0)

    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [recent.pk]


# Two submits at the same moment: only PostgreSQL runs them side by side.


@pytest.mark.django_db(transaction=True)
def test_create_form_sent_twice_at_once_writes_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time; needs PostgreSQL")
    from django.test import Client

    # Residents have no unique field: only the token can stop the second one.
    url = reverse("buildings:resident_create", args=[world.a.household.pk])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(world.a.secretary)
    data = form_data(_load_form(clients[0], url), name="米丽芳")
    barrier = threading.Barrier(2)
    answers = []

    def send(client):
        try:
            barrier.wait()
            answers.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Resident.objects.filter(name="米丽芳").count() == 1
    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0].url == answers[1].url


def test_roster_exemption_sent_twice_exempts_once(en_client, world):
    from buildings import roster_services
    from buildings.models import RosterExemption

    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties="扫楼梯",
        rotation_kind="weekly",
        starts_on=TODAY(),
        by=world.a.secretary,
    )
    url = reverse("buildings:roster_detail", args=[roster.pk])
    en_client.force_login(world.a.secretary)
    page = en_client.get(url)
    data = form_data(
        page.context["exemption_form"],
        action="exempt",
        **{
            "exempt-household": world.a.household.pk,
            "exempt-reason": "长期外出",
            "exempt-since": TODAY().isoformat(),
        },
    )
    assert data.get(f"exempt-{concurrency.TOKEN_FIELD}")

    first = en_client.post(url, data)
    second = en_client.post(url, data)

    assert RosterExemption.objects.filter(roster=roster).count() == 1
    assert (first.status_code, second.status_code) == (302, 302)
    assert second.url == first.url
    assert ALREADY_SAVED in messages_of(second)
