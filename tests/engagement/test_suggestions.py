"""Suggestion pages: logging them as they arrive, correcting them, moving them from new to
considered to adopted or declined with a reply, the list's filters and the detail page."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from engagement import forms_campaigns
from engagement.models import Suggestion
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


def _suggestion(side, **fields):
    return factories.SuggestionFactory(
        community=side.community, created_by=side.secretary, **fields
    )


def _answered(side, status="adopted", **fields):
    return _suggestion(
        side,
        status=status,
        reply="下月起办书画展",
        decided_by=side.secretary,
        decided_at=timezone.now(),
        **fields,
    )


def _create_url(side):
    return reverse("engagement:suggestion_create", args=[side.community.pk])


def _answer_url(suggestion):
    return reverse("engagement:suggestion_answer", args=[suggestion.pk])


def _post(**data):
    return {
        "channel": "box",
        "received_on": "2026-03-10",
        "content": "建议在楼道里办书画展",
        "campaign": "",
        "symposium": "",
        "building": "",
        "resident": "",
    } | data


# Logging a suggestion


def test_suggestion_create_secretary_logs_suggestion(en_client, world):
    campaign = _campaign(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _create_url(world.a),
        _post(campaign=campaign.pk, building=world.a.building.pk, resident=world.a.resident.pk),
    )

    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response.url == suggestion.get_absolute_url()
    assert suggestion.community == world.a.community
    assert suggestion.campaign == campaign
    assert suggestion.resident == world.a.resident
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.created_by == world.a.secretary
    assert _messages(response) == ["Suggestion logged."]


def test_suggestion_create_and_another_keeps_campaign_and_channel(client, world):
    campaign = _campaign(world.a)
    client.force_login(world.a.secretary)

    response = client.post(
        _create_url(world.a), _post(campaign=campaign.pk, channel="phone", another="1")
    )

    assert response.status_code == 302
    assert response.url == f"{_create_url(world.a)}?channel=phone&campaign={campaign.pk}"
    follow = client.get(response.url)
    assert follow.context["form"].initial["campaign"] == campaign.pk
    assert follow.context["form"].initial["channel"] == "phone"


def test_suggestion_create_preselects_campaign_and_channel(client, world):
    campaign = _campaign(world.a)
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a), {"campaign": campaign.pk, "channel": "box"})

    initial = response.context["form"].initial
    assert (initial["campaign"], initial["channel"]) == (campaign.pk, "box")
    assert initial["received_on"] == timezone.localdate()


def test_suggestion_create_preselect_from_symposium_sets_channel_and_campaign(client, world):
    campaign = _campaign(world.a)
    symposium = factories.SymposiumFactory(community=world.a.community, campaign=campaign)
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a), {"symposium": symposium.pk})

    initial = response.context["form"].initial
    assert (initial["symposium"], initial["channel"], initial["campaign"]) == (
        symposium.pk,
        "symposium",
        campaign.pk,
    )


def test_suggestion_create_preselect_of_other_community_ignored(client, world):
    campaign_b = _campaign(world.b)
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a), {"campaign": campaign_b.pk, "channel": "fax"})

    initial = response.context["form"].initial
    assert initial.get("campaign") is None
    assert initial.get("channel") == ""


def test_suggestion_create_symposium_fills_its_campaign(client, world):
    campaign = _campaign(world.a)
    symposium = factories.SymposiumFactory(community=world.a.community, campaign=campaign)
    client.force_login(world.a.secretary)

    client.post(_create_url(world.a), _post(channel="symposium", symposium=symposium.pk))

    assert Suggestion.objects.get().campaign == campaign


def test_suggestion_create_symposium_of_another_campaign_refused(en_client, world):
    symposium = factories.SymposiumFactory(
        community=world.a.community, campaign=_campaign(world.a, title="甲")
    )
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _create_url(world.a),
        _post(symposium=symposium.pk, campaign=_campaign(world.a, title="乙").pk),
    )

    assert "This symposium belongs to another campaign." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_suggestion_create_resident_fills_building(client, world):
    client.force_login(world.a.secretary)

    client.post(_create_url(world.a), _post(resident=world.a.resident.pk))

    assert Suggestion.objects.get().building == world.a.building


def test_suggestion_create_resident_of_another_building_refused(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _create_url(world.a),
        _post(building=world.a.section_building.pk, resident=world.a.resident.pk),
    )

    assert "This resident does not live in that building." in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("field", ["campaign", "symposium", "building", "resident"])
def test_suggestion_create_other_community_ids_refused(en_client, world, field):
    other = {
        "campaign": lambda: _campaign(world.b).pk,
        "symposium": lambda: factories.SymposiumFactory(community=world.b.community).pk,
        "building": lambda: world.b.building.pk,
        "resident": lambda: world.b.resident.pk,
    }[field]()
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(**{field: other}))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "建" * 2001, "Ensure this value has at most 2000 characters"),
        ("content", "   ", "This field is required."),
        ("channel", "fax", "Select a valid choice."),
        ("received_on", "yesterday", "Enter a valid date."),
        ("building", "9" * 40, "Select a valid choice."),
        ("resident", "abc", "Select a valid choice."),
    ],
)
def test_suggestion_create_bad_input_refused(en_client, world, field, value, message):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Suggestion.objects.exists()


def test_suggestion_create_future_date_refused(en_client, world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(received_on=tomorrow.isoformat()))

    assert "The date cannot be in the future." in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("other_secretary", 404)],
)
def test_suggestion_create_other_roles_refused(client, world, role, status):
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "other_secretary": world.b.secretary,
    }[role]
    client.force_login(user)

    response = client.post(_create_url(world.a), _post())

    assert response.status_code == status
    assert not Suggestion.objects.exists()


# The resident select


def _resident_options(response) -> list[str]:
    select = re.search(
        r'<select name="resident".*?</select>', response.content.decode(), flags=re.S
    )
    assert select, "no resident select"
    return re.findall(r'<option value="(\d+)"', select.group(0))


def test_suggestion_form_small_community_lists_its_residents(client, world):
    neighbour = factories.ResidentFactory(
        household__unit__building=world.a.section_building, name="米丽芳"
    )
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a))

    assert set(_resident_options(response)) == {str(world.a.resident.pk), str(neighbour.pk)}
    assert "suggestion-resident-picker" not in response.content.decode()


def test_suggestion_form_large_community_lists_one_building(client, world, monkeypatch):
    monkeypatch.setattr(forms_campaigns, "RESIDENT_CHOICES_MAX", 1)
    neighbour = factories.ResidentFactory(
        household__unit__building=world.a.section_building, name="米丽芳"
    )
    client.force_login(world.a.secretary)

    capped = client.get(_create_url(world.a))
    one_building = client.get(_create_url(world.a), {"building": world.a.section_building.pk})

    assert _resident_options(capped) == []
    assert "suggestion-resident-picker" in capped.content.decode()
    assert _resident_options(one_building) == [str(neighbour.pk)]
    assert one_building.context["form"].initial["building"] == world.a.section_building.pk


def test_suggestion_form_capped_list_still_accepts_a_resident(client, world, monkeypatch):
    monkeypatch.setattr(forms_campaigns, "RESIDENT_CHOICES_MAX", 0)
    client.force_login(world.a.secretary)

    client.post(_create_url(world.a), _post(resident=world.a.resident.pk))

    assert Suggestion.objects.get().resident == world.a.resident


# Correcting a suggestion


def test_suggestion_update_secretary_corrects_new_suggestion(en_client, world):
    suggestion = _suggestion(world.a, content="原文")
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:suggestion_update", args=[suggestion.pk]),
        _post(content="改正后的内容", channel="phone"),
    )

    suggestion.refresh_from_db()
    assert response.status_code == 302
    assert (suggestion.content, suggestion.channel) == ("改正后的内容", "phone")
    assert suggestion.status == Suggestion.Status.NEW
    assert _messages(response) == ["Suggestion saved."]


def test_suggestion_update_answered_is_final(en_client, world):
    suggestion = _answered(world.a, content="原文")
    url = reverse("engagement:suggestion_update", args=[suggestion.pk])
    en_client.force_login(world.a.secretary)

    page = en_client.get(url)
    response = en_client.post(url, _post(content="改了"))

    suggestion.refresh_from_db()
    assert page.status_code == 200
    assert 'name="content"' not in page.content.decode()
    assert "An answer is final" in page.content.decode()
    assert suggestion.content == "原文"
    assert _messages(response) == ["This suggestion has been answered: it can no longer change."]


def test_suggestion_update_cadre_forbidden(client, world):
    suggestion = _suggestion(world.a, content="原文")
    client.force_login(world.a.cadre)

    response = client.post(
        reverse("engagement:suggestion_update", args=[suggestion.pk]), _post(content="改了")
    )

    suggestion.refresh_from_db()
    assert response.status_code == 403
    assert suggestion.content == "原文"


# Answering


def test_suggestion_answer_moves_new_to_considered_then_adopted(en_client, world):
    suggestion = _suggestion(world.a)
    en_client.force_login(world.a.secretary)

    considered = en_client.post(_answer_url(suggestion), {"status": "considered", "reply": ""})
    suggestion.refresh_from_db()
    status_after_first = suggestion.status
    adopted = en_client.post(
        _answer_url(suggestion), {"status": "adopted", "reply": "下月起办书画展"}
    )

    suggestion.refresh_from_db()
    assert considered.status_code == 302 and adopted.status_code == 302
    assert status_after_first == Suggestion.Status.CONSIDERED
    assert suggestion.status == Suggestion.Status.ADOPTED
    assert suggestion.reply == "下月起办书画展"
    assert suggestion.decided_by == world.a.secretary
    assert suggestion.decided_at is not None
    assert _messages(adopted)[-1] == "The suggestion is now “adopted”."


def test_suggestion_answer_offers_only_next_statuses(client, world):
    suggestion = _suggestion(world.a, status="considered")
    client.force_login(world.a.secretary)

    response = client.get(_answer_url(suggestion))

    choices = [value for value, _label in response.context["form"].fields["status"].choices]
    assert choices == ["adopted", "declined"]


def test_suggestion_answer_reply_without_status_refused(en_client, world):
    suggestion = _suggestion(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_answer_url(suggestion), {"reply": "谢谢"})

    suggestion.refresh_from_db()
    assert response.status_code == 200
    assert "Choose a status." in response.content.decode()
    assert (suggestion.status, suggestion.reply) == ("new", "")


@pytest.mark.parametrize("status", ["adopted", "declined"])
def test_suggestion_answer_without_reply_refused(en_client, world, status):
    suggestion = _suggestion(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_answer_url(suggestion), {"status": status, "reply": "  "})

    suggestion.refresh_from_db()
    assert "Write the reply that goes back to the resident." in response.content.decode()
    assert suggestion.status == "new"


@pytest.mark.parametrize("forged", ["new", "considered", "archived"])
def test_suggestion_answer_forged_status_refused(en_client, world, forged):
    suggestion = _suggestion(world.a, status="considered")
    en_client.force_login(world.a.secretary)

    response = en_client.post(_answer_url(suggestion), {"status": forged, "reply": "好"})

    suggestion.refresh_from_db()
    assert response.status_code == 200
    assert "This suggestion cannot move to that status." in response.content.decode()
    assert (suggestion.status, suggestion.reply) == ("considered", "")


def test_suggestion_answer_huge_reply_refused(en_client, world):
    suggestion = _suggestion(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_answer_url(suggestion), {"status": "adopted", "reply": "好" * 2001})

    suggestion.refresh_from_db()
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert suggestion.status == "new"


def test_suggestion_answer_answered_is_final(en_client, world):
    suggestion = _answered(world.a, status="declined")
    en_client.force_login(world.a.secretary)

    page = en_client.get(_answer_url(suggestion))
    response = en_client.post(_answer_url(suggestion), {"status": "adopted", "reply": "改主意"})

    suggestion.refresh_from_db()
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert (suggestion.status, suggestion.reply) == ("declined", "下月起办书画展")
    assert _messages(response) == ["This suggestion has been answered: it can no longer change."]


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("other_secretary", 404)],
)
def test_suggestion_answer_other_roles_refused(client, world, role, status):
    suggestion = _suggestion(world.a)
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "other_secretary": world.b.secretary,
    }[role]
    client.force_login(user)

    response = client.post(_answer_url(suggestion), {"status": "adopted", "reply": "好"})

    suggestion.refresh_from_db()
    assert response.status_code == status
    assert suggestion.status == "new"


# The list


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("engagement:suggestion_list"), params)
    assert response.status_code == 200
    return {s.content for s in response.context["object_list"]}


def test_suggestion_list_filters(client, world):
    campaign = _campaign(world.a)
    _suggestion(world.a, content="信里的建议", channel="letter", campaign=campaign)
    _suggestion(world.a, content="电话建议", channel="phone", received_on=date(2026, 1, 5))
    _answered(world.a, content="采纳的建议", channel="box", received_on=date(2026, 2, 1))
    client.force_login(world.a.secretary)

    assert _listed(client, channel="phone") == {"电话建议"}
    assert _listed(client, status="adopted") == {"采纳的建议"}
    assert _listed(client, campaign=campaign.pk) == {"信里的建议"}
    assert _listed(client, q="电话") == {"电话建议"}
    assert _listed(client, received_from="2026-01-01", received_to="2026-02-15") == {
        "电话建议",
        "采纳的建议",
    }


def test_suggestion_list_newest_first_with_status_badges(en_client, world):
    _suggestion(world.a, content="旧建议", received_on=date(2026, 1, 1))
    _answered(world.a, content="新建议", received_on=date(2026, 3, 1))
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("engagement:suggestion_list"))

    content = response.content.decode()
    assert [s.content for s in response.context["object_list"]] == ["新建议", "旧建议"]
    assert '<span class="badge suggestion-adopted">adopted</span>' in content
    assert '<span class="badge suggestion-new">new</span>' in content


def test_suggestion_list_secretary_sees_only_own_community(client, world):
    _suggestion(world.a, content="清福的建议")
    _suggestion(world.b, content="花园的建议")
    client.force_login(world.a.secretary)

    content = client.get(reverse("engagement:suggestion_list")).content.decode()

    assert "清福的建议" in content
    assert "花园的建议" not in content


def test_suggestion_list_official_filters_by_community(client, world):
    _suggestion(world.a, content="清福的建议")
    _suggestion(world.b, content="花园的建议")
    client.force_login(world.official)

    assert _listed(client, community=world.b.community.pk) == {"花园的建议"}


@pytest.mark.parametrize(
    "params",
    [
        {"received_from": "not a date"},
        {"campaign": "9" * 40},
        {"symposium": "9" * 40},
        {"symposium": "-1"},
        {"q": "长" * 500},
    ],
)
def test_suggestion_list_bad_filters_answer_normally(client, world, params):
    _suggestion(world.a)
    client.force_login(world.a.secretary)

    response = client.get(reverse("engagement:suggestion_list"), params)

    assert response.status_code == 200


def test_suggestion_list_other_community_campaign_filter_shows_nothing(client, world):
    campaign_b = _campaign(world.b)
    _suggestion(world.b, campaign=campaign_b, content="花园的建议")
    client.force_login(world.a.secretary)

    assert _listed(client, campaign=campaign_b.pk) == set()


# The detail page


def test_suggestion_detail_shows_who_logged_and_answered(en_client, world):
    campaign = _campaign(world.a)
    suggestion = _answered(world.a, campaign=campaign, building=world.a.building)
    en_client.force_login(world.official)

    response = en_client.get(suggestion.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert suggestion.content in content
    assert "下月起办书画展" in content
    assert content.count(str(world.a.secretary)) >= 2  # logged by, answered by
    assert str(world.a.building) in content
    assert campaign.get_absolute_url() in content
    assert reverse("engagement:suggestion_answer", args=[suggestion.pk]) not in content


def test_suggestion_detail_resident_name_only_for_those_who_see_resident(client, world):
    suggestion = _suggestion(world.a, resident=world.a.resident, building=world.a.building)

    client.force_login(world.a.head)  # heads the resident's building
    head_page = client.get(suggestion.get_absolute_url()).content.decode()
    client.force_login(world.a.cadre)  # guides another section
    cadre_page = client.get(suggestion.get_absolute_url()).content.decode()

    assert world.a.resident.name in head_page
    assert world.a.resident.name not in cadre_page


def test_suggestion_detail_secretary_sees_answer_and_edit(client, world):
    suggestion = _suggestion(world.a)
    client.force_login(world.a.secretary)

    content = client.get(suggestion.get_absolute_url()).content.decode()

    assert _answer_url(suggestion) in content
    assert reverse("engagement:suggestion_update", args=[suggestion.pk]) in content


def test_suggestion_detail_other_community_is_not_found(client, world):
    suggestion = _suggestion(world.b)
    client.force_login(world.a.secretary)

    assert client.get(suggestion.get_absolute_url()).status_code == 404
