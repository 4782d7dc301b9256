"""Symposium pages: recording one, its page with the suggestions it produced, the list."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from engagement.models import Symposium
from tests import factories


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _campaign(side, **fields):
    return factories.CampaignFactory(community=side.community, created_by=side.secretary, **fields)


def _symposium(side, **fields):
    return factories.SymposiumFactory(community=side.community, created_by=side.secretary, **fields)


def _create_url(side):
    return reverse("engagement:symposium_create", args=[side.community.pk])


def _post(**data):
    return {
        "title": "楼道文化座谈会",
        "held_on": "2026-03-15",
        "place": "社区活动室",
        "attendees": "25",
        "campaign": "",
        "notes": "居民最喜欢书画展",
    } | data


def test_symposium_create_secretary_records_symposium(en_client, world):
    campaign = _campaign(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(campaign=campaign.pk))

    symposium = Symposium.objects.get()
    assert response.status_code == 302
    assert response.url == symposium.get_absolute_url()
    assert (symposium.community, symposium.campaign, symposium.attendees) == (
        world.a.community,
        campaign,
        25,
    )
    assert symposium.created_by == world.a.secretary
    assert _messages(response) == ["Symposium “楼道文化座谈会” recorded."]


def test_symposium_create_preselects_campaign(client, world):
    campaign = _campaign(world.a)
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a), {"campaign": campaign.pk})

    assert response.context["form"].initial["campaign"] == campaign.pk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendees", "-3", "The number of attendees cannot be negative."),
        ("attendees", "9" * 25, "That number is too large."),
        ("title", "会" * 101, "Ensure this value has at most 100 characters"),
        ("place", "", "This field is required."),
        ("notes", "记" * 5001, "Ensure this value has at most 5000 characters"),
        ("held_on", "2026-02-30", "Enter a valid date."),
    ],
)
def test_symposium_create_bad_input_refused(en_client, world, field, value, message):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Symposium.objects.exists()


def test_symposium_create_future_date_refused(en_client, world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(held_on=tomorrow.isoformat()))

    assert "The date cannot be in the future." in response.content.decode()
    assert not Symposium.objects.exists()


def test_symposium_create_other_community_campaign_refused(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(campaign=_campaign(world.b).pk))

    assert "Select a valid choice" in response.content.decode()
    assert not Symposium.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("other_secretary", 404)],
)
def test_symposium_create_other_roles_refused(client, world, role, status):
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "other_secretary": world.b.secretary,
    }[role]
    client.force_login(user)

    response = client.post(_create_url(world.a), _post())

    assert response.status_code == status
    assert not Symposium.objects.exists()


def test_symposium_update_secretary_corrects_attendees(client, world):
    symposium = _symposium(world.a)
    client.force_login(world.a.secretary)

    response = client.post(
        reverse("engagement:symposium_update", args=[symposium.pk]), _post(attendees="30")
    )

    symposium.refresh_from_db()
    assert response.status_code == 302
    assert symposium.attendees == 30


def test_symposium_update_head_forbidden(client, world):
    symposium = _symposium(world.a)
    client.force_login(world.a.head)

    response = client.post(
        reverse("engagement:symposium_update", args=[symposium.pk]), _post(attendees="30")
    )

    symposium.refresh_from_db()
    assert response.status_code == 403
    assert symposium.attendees == 25


def test_symposium_detail_lists_its_suggestions_only(client, world):
    symposium = _symposium(world.a)
    factories.SuggestionFactory(
        community=world.a.community, symposium=symposium, content="座谈会上的建议"
    )
    factories.SuggestionFactory(community=world.a.community, content="信里的建议")
    client.force_login(world.a.cadre)

    response = client.get(symposium.get_absolute_url())

    content = response.content.decode()
    assert "座谈会上的建议" in content
    assert "信里的建议" not in content
    assert response.context["symposium"].suggestion_count == 1


def test_symposium_detail_secretary_logs_suggestion_from_it(client, world):
    symposium = _symposium(world.a)
    url = reverse("engagement:suggestion_create", args=[world.a.community.pk])
    link = f"{url}?symposium={symposium.pk}&amp;channel=symposium"

    client.force_login(world.a.secretary)
    secretary_page = client.get(symposium.get_absolute_url()).content.decode()
    client.force_login(world.official)
    official_page = client.get(symposium.get_absolute_url()).content.decode()

    assert link in secretary_page
    assert url not in official_page


def test_symposium_list_filters_by_campaign_and_date(client, world):
    campaign = _campaign(world.a)
    _symposium(world.a, title="活动座谈会", campaign=campaign, held_on=date(2026, 3, 1))
    _symposium(world.a, title="年初座谈会", held_on=date(2026, 1, 10))
    client.force_login(world.a.head)
    url = reverse("engagement:symposium_list")

    by_campaign = client.get(url, {"campaign": campaign.pk})
    by_date = client.get(url, {"held_to": "2026-02-01"})

    assert [s.title for s in by_campaign.context["object_list"]] == ["活动座谈会"]
    assert [s.title for s in by_date.context["object_list"]] == ["年初座谈会"]


def test_symposium_list_secretary_sees_only_own_community(client, world):
    _symposium(world.a, title="清福座谈会")
    _symposium(world.b, title="花园座谈会")
    client.force_login(world.a.secretary)

    content = client.get(reverse("engagement:symposium_list")).content.decode()

    assert "清福座谈会" in content
    assert "花园座谈会" not in content


def test_symposium_detail_other_community_is_not_found(client, world):
    symposium = _symposium(world.b)
    client.force_login(world.a.secretary)

    assert client.get(symposium.get_absolute_url()).status_code == 404


def test_symposium_create_form_held_today(client, world):
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a))

    assert response.context["form"].initial["held_on"] == timezone.localdate()
