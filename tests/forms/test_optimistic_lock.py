"""Two people edit the same record: the second save is refused with what changed, and
saving again after seeing it overwrites knowingly.

Every update page is listed in CASES. The person loads the form; someone else changes
one field meanwhile (straight in the database); the person sends a different value.
"""

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from buildings import services as building_services
from communities import concurrency
from communities.models import Section
from exhibits import services as exhibit_services
from tests import factories
from tests.forms.conftest import form_data, messages_of

CONFLICT = "Someone else changed this record after you opened this form; nothing was saved."


@dataclass
class Case:
    url_name: str
    record: Any  # world -> the row edited
    field: str
    theirs: Any  # the value the other person saved meanwhile
    mine: str  # the value this person enters
    user: str = "secretary"
    label: str = ""


def _fund(world):
    return building_services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": timezone.localdate()},
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


CASES = [
    Case("communities:community_update", lambda w: w.a.community, "address", "一路1号", "二路2号"),
    Case("communities:section_update", lambda w: w.a.section, "name", "东片", "西片"),
    Case("buildings:building_update", lambda w: w.a.building, "name", "先锋楼", "和谐楼"),
    Case("buildings:unit_update", lambda w: w.a.unit, "floors", 7, "8"),
    Case("buildings:household_update", lambda w: w.a.household, "room", "302", "303"),
    Case("buildings:resident_update", lambda w: w.a.resident, "name", "刘铁华", "王治普"),
    Case("buildings:fund_update", _fund, "purpose", "楼道粉刷", "竹子和花"),
    Case("exhibits:corridor_update", _corridor, "theme", "书画天地", "学习园地"),
    Case("exhibits:exhibit_update", _exhibit, "title", "宁静致远", "自强不息"),
    Case(
        "engagement:campaign_update",
        lambda w: factories.CampaignFactory(community=w.a.community),
        "title",
        "征求意见一",
        "征求意见二",
    ),
    Case(
        "engagement:suggestion_update",
        lambda w: factories.SuggestionFactory(community=w.a.community),
        "content",
        "建议一",
        "建议二",
    ),
    Case(
        "engagement:symposium_update",
        lambda w: factories.SymposiumFactory(community=w.a.community),
        "title",
        "座谈会一",
        "座谈会二",
    ),
    Case(
        "engagement:visit_update",
        lambda w: factories.GuidanceVisitFactory(community=w.a.community, created_by=w.official),
        "purpose",
        "检查一",
        "检查二",
        user="official",
    ),
]


def _login(client, world, case):
    client.force_login(world.official if case.user == "official" else getattr(world.a, case.user))


def _edit_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]


@pytest.mark.parametrize("case", CASES, ids=[case.url_name for case in CASES])
def test_second_of_two_edits_gets_conflict_then_saves_knowingly(en_client, world, case):
    record = case.record(world)
    model = type(record)
    url = reverse(case.url_name, args=[record.pk])
    _login(en_client, world, case)
    data = form_data(_edit_page(en_client, url), **{case.field: case.mine})
    assert data.get(concurrency.LOCK_FIELD), "the page carries no fingerprint"
    model.objects.filter(pk=record.pk).update(**{case.field: case.theirs})

    refused = en_client.post(url, data)

    assert refused.status_code == 200
    content = refused.content.decode()
    assert CONFLICT in content
    assert f"now: “{case.theirs}”; you entered: “{case.mine}”" in content
    assert str(getattr(model.objects.get(pk=record.pk), case.field)) == str(case.theirs)
    conflicts = refused.context["form"].conflicts
    assert [conflict["name"] for conflict in conflicts] == [case.field]

    again = en_client.post(url, form_data(refused.context["form"]))

    assert again.status_code == 302
    assert str(getattr(model.objects.get(pk=record.pk), case.field)) == str(case.mine)
    assert CONFLICT not in " ".join(messages_of(again))


@pytest.mark.parametrize("case", CASES[:6], ids=[case.url_name for case in CASES[:6]])
def test_edit_without_concurrent_change_saves(en_client, world, case):
    record = case.record(world)
    url = reverse(case.url_name, args=[record.pk])
    _login(en_client, world, case)
    data = form_data(_edit_page(en_client, url), **{case.field: case.mine})

    response = en_client.post(url, data)

    assert response.status_code == 302
    assert str(getattr(type(record).objects.get(pk=record.pk), case.field)) == case.mine


def test_edit_sent_twice_is_no_conflict(en_client, world):
    url = reverse("buildings:resident_update", args=[world.a.resident.pk])
    en_client.force_login(world.a.secretary)
    data = form_data(_edit_page(en_client, url), name="王治普")

    first = en_client.post(url, data)
    second = en_client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    world.a.resident.refresh_from_db()
    assert world.a.resident.name == "王治普"


def test_change_to_a_field_left_alone_is_shown_and_kept(en_client, world):
    """The other person changed the phone; this person changed the name only: saving
    would put the old phone back, so it is a conflict too."""
    resident = world.a.resident
    url = reverse("buildings:resident_update", args=[resident.pk])
    en_client.force_login(world.a.secretary)
    data = form_data(_edit_page(en_client, url), name="王治普")
    type(resident).objects.filter(pk=resident.pk).update(phone="13800001111")

    refused = en_client.post(url, data)

    assert refused.status_code == 200
    assert "now: “13800001111”; you entered: “13912345678”" in refused.content.decode()
    resident.refresh_from_db()
    assert (resident.name, resident.phone) == ("清福居民", "13800001111")


def test_many_to_many_change_is_a_conflict(en_client, world):
    resident = world.a.resident
    tag = factories.ResidentTagFactory()
    url = reverse("buildings:resident_update", args=[resident.pk])
    en_client.force_login(world.a.secretary)
    data = form_data(_edit_page(en_client, url), name="王治普")
    resident.tags.add(tag)

    refused = en_client.post(url, data)

    assert refused.status_code == 200
    assert f"now: “{tag}”; you entered: “—”" in refused.content.decode()
    resident.refresh_from_db()
    assert resident.name == "清福居民"


def test_forged_fingerprint_saves_nothing(en_client, world):
    url = reverse("communities:section_update", args=[world.a.section.pk])
    en_client.force_login(world.a.secretary)
    data = form_data(_edit_page(en_client, url), name="西片")
    data[concurrency.LOCK_FIELD] = data[concurrency.LOCK_FIELD][:-3] + "xyz"

    response = en_client.post(url, data)

    assert response.status_code == 200
    assert "This form could not be compared with the saved record." in response.content.decode()
    world.a.section.refresh_from_db()
    assert world.a.section.name == "清福一片"


def test_fingerprint_of_another_record_saves_nothing(en_client, world):
    en_client.force_login(world.a.secretary)
    other = _edit_page(en_client, reverse("communities:section_update", args=[world.a.section.pk]))
    url = reverse("communities:section_update", args=[world.a.other_section.pk])
    data = form_data(_edit_page(en_client, url), name="西片")
    data[concurrency.LOCK_FIELD] = form_data(other)[concurrency.LOCK_FIELD]

    response = en_client.post(url, data)

    assert response.status_code == 200
    world.a.other_section.refresh_from_db()
    assert world.a.other_section.name == "清福二片"


# A save in progress while the form is sent: only PostgreSQL runs them side by side.


@pytest.mark.django_db(transaction=True)
def test_edit_sent_during_another_save_waits_and_reports_it(world):
    """The other person's transaction holds the row and has not committed when this form
    arrives: reading the row under the lock waits for it, then sees the change. Without
    the lock the form would compare with the old values and overwrite the new ones."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time; needs PostgreSQL")
    from django.test import Client

    section = world.a.section
    url = reverse("communities:section_update", args=[section.pk])
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.a.secretary)
    data = form_data(_edit_page(client, url), name="西片")
    holding = threading.Event()

    def other_save():
        try:
            with transaction.atomic():
                Section.objects.select_for_update().get(pk=section.pk)
                holding.set()
                time.sleep(0.5)  # this form is sent meanwhile and must wait
                Section.objects.filter(pk=section.pk).update(name="东片")
        finally:
            connection.close()

    thread = threading.Thread(target=other_save)
    thread.start()
    assert holding.wait(5)
    response = client.post(url, data)
    thread.join()

    assert response.status_code == 200
    assert "now: “东片”; you entered: “西片”" in response.content.decode()
    section.refresh_from_db()
    assert section.name == "东片"
