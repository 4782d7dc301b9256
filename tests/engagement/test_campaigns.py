"""Outreach campaign pages: running a campaign, its list and its page with the counts."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from engagement.models import Campaign
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


def _suggestion(side, campaign, channel, status, reply=""):
    answered = status in {"adopted", "declined"}
    return factories.SuggestionFactory(
        community=side.community,
        campaign=campaign,
        channel=channel,
        status=status,
        reply=reply or ("已答复" if answered else ""),
        decided_by=side.secretary if answered else None,
        decided_at=timezone.now() if answered else None,
        created_by=side.secretary,
    )


def _post(**data):
    return {
        "title": "致辖区居民的一封信",
        "letters_sent": "1800",
        "starts_on": "2026-03-01",
        "ends_on": "2026-04-30",
        "channels": ["letter", "box", "phone"],
        "description": "征求居民对楼道文化的意见",
    } | data


def _create_url(side):
    return reverse("engagement:campaign_create", args=[side.community.pk])


# Creating and editing


def test_campaign_create_secretary_saves_campaign_with_channels(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == campaign.get_absolute_url()
    assert campaign.community == world.a.community
    assert campaign.created_by == world.a.secretary
    assert campaign.letters_sent == 1800
    assert campaign.channels == ["letter", "box", "phone"]
    assert _messages(response) == ["Campaign “致辖区居民的一封信” saved."]


def test_campaign_create_end_before_start_refused(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _create_url(world.a), _post(starts_on="2026-04-01", ends_on="2026-03-01")
    )

    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_create_negative_letters_refused(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(letters_sent="-5"))

    assert "The number of letters cannot be negative." in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "信" * 101, "Ensure this value has at most 100 characters"),
        ("letters_sent", "9" * 30, "That number is too large."),
        ("letters_sent", "many", "Enter a whole number."),
        ("starts_on", "2026-13-45", "Enter a valid date."),
        ("description", "长" * 2001, "Ensure this value has at most 2000 characters"),
        ("channels", ["letter", "fax"], "Select a valid choice."),
    ],
)
def test_campaign_create_bad_input_refused(en_client, world, field, value, message):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world.a), _post(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("other_secretary", 404)],
)
def test_campaign_create_other_roles_refused(client, world, role, status):
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "other_secretary": world.b.secretary,
    }[role]
    client.force_login(user)

    response = client.post(_create_url(world.a), _post())

    assert response.status_code == status
    assert not Campaign.objects.exists()


def test_campaign_update_secretary_changes_figures(en_client, world):
    campaign = _campaign(world.a)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:campaign_update", args=[campaign.pk]),
        _post(title="第二封信", letters_sent="2000", channels=["online"]),
    )

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert (campaign.title, campaign.letters_sent, campaign.channels) == (
        "第二封信",
        2000,
        ["online"],
    )
    assert campaign.community == world.a.community


def test_campaign_update_cadre_forbidden(client, world):
    campaign = _campaign(world.a)
    client.force_login(world.a.cadre)

    response = client.post(
        reverse("engagement:campaign_update", args=[campaign.pk]), _post(title="改")
    )

    campaign.refresh_from_db()
    assert response.status_code == 403
    assert campaign.title == "致辖区居民的一封信"


def test_campaign_update_form_shows_saved_channels_checked(client, world):
    campaign = _campaign(world.a, channels=["box"])
    client.force_login(world.a.secretary)

    response = client.get(reverse("engagement:campaign_update", args=[campaign.pk]))

    inputs = re.findall(
        r'<input type="checkbox"[^>]*name="channels"[^>]*>', response.content.decode()
    )
    checked = [tag for tag in inputs if " checked" in tag]
    assert len(inputs) == 6
    assert len(checked) == 1 and 'value="box"' in checked[0]


# The list


def test_campaign_list_counts_suggestions_and_adopted(client, world):
    busy = _campaign(world.a, title="第一封信")
    quiet = _campaign(world.a, title="第二封信", starts_on=date(2026, 2, 1))
    _suggestion(world.a, busy, "letter", "new")
    _suggestion(world.a, busy, "box", "adopted")
    _suggestion(world.a, busy, "phone", "declined")
    _suggestion(world.a, None, "phone", "adopted")  # not in a campaign
    client.force_login(world.a.secretary)

    response = client.get(reverse("engagement:campaign_list"))

    rows = {c.title: (c.suggestion_count, c.adopted_count) for c in response.context["object_list"]}
    assert rows == {busy.title: (3, 1), quiet.title: (0, 0)}


def test_campaign_list_secretary_sees_only_own_community(client, world):
    _campaign(world.a, title="清福的信")
    _campaign(world.b, title="花园的信")
    client.force_login(world.a.secretary)

    content = client.get(reverse("engagement:campaign_list")).content.decode()

    assert "清福的信" in content
    assert "花园的信" not in content


def test_campaign_list_official_filters_by_community_and_title(client, world):
    _campaign(world.a, title="清福的信")
    _campaign(world.b, title="花园的信")
    _campaign(world.b, title="花园座谈")
    client.force_login(world.official)
    url = reverse("engagement:campaign_list")

    by_community = client.get(url, {"community": world.b.community.pk})
    by_title = client.get(url, {"community": world.b.community.pk, "q": "信"})

    assert {c.title for c in by_community.context["object_list"]} == {"花园的信", "花园座谈"}
    assert [c.title for c in by_title.context["object_list"]] == ["花园的信"]


def test_campaign_list_new_button_only_for_secretary(client, world):
    create_url = _create_url(world.a)

    client.force_login(world.a.secretary)
    secretary_page = client.get(reverse("engagement:campaign_list")).content.decode()
    client.force_login(world.a.cadre)
    cadre_page = client.get(reverse("engagement:campaign_list")).content.decode()

    assert create_url in secretary_page
    assert create_url not in cadre_page


# The campaign page


def test_campaign_detail_counts_by_channel_and_status(client, world):
    campaign = _campaign(world.a)
    other = _campaign(world.a, title="另一封信")
    _suggestion(world.a, campaign, "letter", "new")
    _suggestion(world.a, campaign, "letter", "adopted", reply="办书画展")
    _suggestion(world.a, campaign, "box", "considered")
    _suggestion(world.a, campaign, "box", "adopted", reply="装楼道灯")
    _suggestion(world.a, campaign, "box", "declined", reply="经费不足")
    _suggestion(world.a, campaign, "phone", "new")
    _suggestion(world.a, other, "box", "adopted", reply="别的活动")
    _suggestion(world.a, None, "letter", "adopted", reply="不属于活动")
    client.force_login(world.a.cadre)

    response = client.get(campaign.get_absolute_url())

    figures = response.context["figures"]
    by_channel = {row["value"]: row["n"] for row in figures["by_channel"]}
    by_status = {row["value"]: row["n"] for row in figures["by_status"]}
    assert figures["total"] == 6
    assert by_channel == {
        "letter": 2,
        "box": 3,
        "phone": 1,
        "symposium": 0,
        "in_person": 0,
        "online": 0,
    }
    assert by_status == {"new": 2, "considered": 1, "adopted": 2, "declined": 1}
    assert response.context["adoption_rate"] == 33
    content = response.content.decode()
    assert 'id="campaign-adopted">2<' in content
    assert 'id="campaign-suggestions">6<' in content
    assert "办书画展" in content and "装楼道灯" in content
    assert "经费不足" not in content  # declined: not among what was adopted
    assert "别的活动" not in content and "不属于活动" not in content


def test_campaign_detail_secretary_sees_write_buttons(client, world):
    campaign = _campaign(world.a)
    client.force_login(world.a.secretary)

    content = client.get(campaign.get_absolute_url()).content.decode()

    poll_url = reverse("engagement:poll_create", args=[world.a.community.pk])
    suggestion_url = reverse("engagement:suggestion_create", args=[world.a.community.pk])
    assert f"{poll_url}?campaign={campaign.pk}" in content
    assert f"{suggestion_url}?campaign={campaign.pk}" in content
    assert reverse("engagement:campaign_update", args=[campaign.pk]) in content


@pytest.mark.parametrize("role", ["cadre", "head", "official"])
def test_campaign_detail_readers_see_no_write_buttons(client, world, role):
    campaign = _campaign(world.a)
    client.force_login(
        {"cadre": world.a.cadre, "head": world.a.head, "official": world.official}[role]
    )

    response = client.get(campaign.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("engagement:poll_create", args=[world.a.community.pk]) not in content
    assert reverse("engagement:campaign_update", args=[campaign.pk]) not in content


def test_campaign_detail_lists_symposiums_and_polls(client, world):
    campaign = _campaign(world.a)
    symposium = factories.SymposiumFactory(
        community=world.a.community, campaign=campaign, title="书画座谈会"
    )
    poll = factories.PollFactory(community=world.a.community, campaign=campaign)
    factories.SymposiumFactory(community=world.a.community, title="无关座谈会")
    client.force_login(world.a.head)

    content = client.get(campaign.get_absolute_url()).content.decode()

    assert symposium.get_absolute_url() in content
    assert reverse("engagement:poll_detail", args=[poll.pk]) in content
    assert "无关座谈会" not in content


def test_campaign_detail_other_community_is_not_found(client, world):
    campaign = _campaign(world.b)
    client.force_login(world.a.secretary)

    response = client.get(campaign.get_absolute_url())

    assert response.status_code == 404


def test_campaign_create_form_starts_today(client, world):
    client.force_login(world.a.secretary)

    response = client.get(_create_url(world.a))

    assert response.context["form"].initial["starts_on"] == timezone.localdate()
