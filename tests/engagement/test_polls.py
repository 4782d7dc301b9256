"""Poll pages: running a poll, counting ballots in per building, the result, closing, the
list, and the latest-poll figures of the community page. Every write goes through the page,
as a person would."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from communities.models import Community
from engagement import advice, services
from engagement.models import Poll, PollOption, PollTally
from tests import factories


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _poll(world, side="a", options=("书画展", "摄影展", "诗词会"), **kwargs):
    people = getattr(world, side)
    fields = {
        "community": people.community,
        "question": "居民最喜欢哪种楼道文化活动？",
        "opens_on": date(2026, 3, 20),
        "options": options,
        "by": people.secretary,
    } | kwargs
    return services.poll_create(**fields)


def _ids(poll) -> list[int]:
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def _count(world, poll, building, *counts, side="a"):
    votes = dict(zip(_ids(poll), counts, strict=False))
    services.poll_count_in(
        poll=poll, building=building, votes=votes, by=getattr(world, side).secretary
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _create_url(world, side="a"):
    return reverse("engagement:poll_create", args=[getattr(world, side).community.pk])


def _count_url(poll, building=None):
    url = reverse("engagement:poll_count", args=[poll.pk])
    return url if building is None else f"{url}?building={building}"


def _count_post(poll, building, *counts, **extra):
    data = {"building": building}
    data |= {f"option_{pk}": count for pk, count in zip(_ids(poll), counts, strict=False)}
    return data | extra


def _votes(poll) -> dict[tuple[int | None, str], int]:
    return {
        (t.building_id, t.option.label): t.votes
        for t in PollTally.objects.filter(option__poll=poll).select_related("option")
    }


def _table(response, table_id) -> list[list[str]]:
    """The text of every row of one table on the page, cell by cell."""
    html = response.content.decode()
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(0), re.S)
    return [
        [
            re.sub(r"<[^>]+>", " ", cell).split()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def _cells(response, table_id) -> list[list[str]]:
    return [[" ".join(words) for words in row] for row in _table(response, table_id)]


# Running a poll


def _create_post(**data):
    return {
        "question": "居民最喜欢哪种楼道文化活动？",
        "opens_on": "2026-03-20",
        "campaign": "",
        "options": "书画展\n摄影展\n\n诗词会\n",
    } | data


def test_poll_create_secretary_runs_a_poll(en_client, world):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world), _create_post())

    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response.url == poll.get_absolute_url()
    assert poll.community == world.a.community
    assert poll.created_by == world.a.secretary
    assert list(poll.options.order_by("position").values_list("label", flat=True)) == [
        "书画展",
        "摄影展",
        "诗词会",
    ]
    assert any("is open" in message for message in _messages(response))


def test_poll_create_form_defaults_to_today_and_preselects_campaign(en_client, world):
    campaign = factories.CampaignFactory(community=world.a.community, created_by=world.a.secretary)
    other = factories.CampaignFactory(
        community=world.b.community, title="花园社区征求意见", created_by=world.b.secretary
    )
    en_client.force_login(world.a.secretary)

    response = en_client.get(f"{_create_url(world)}?campaign={campaign.pk}")

    form = response.context["form"]
    assert form["campaign"].value() == campaign.pk
    assert list(form.fields["campaign"].queryset) == [campaign]
    assert other.title not in response.content.decode()
    assert form["opens_on"].value() is not None


def test_poll_create_with_campaign_files_it(en_client, world):
    campaign = factories.CampaignFactory(community=world.a.community, created_by=world.a.secretary)
    en_client.force_login(world.a.secretary)

    en_client.post(_create_url(world), _create_post(campaign=campaign.pk))

    assert Poll.objects.get().campaign == campaign


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"options": "书画展\n\n  \n"}, "A poll needs at least two options."),
        ({"options": ""}, "This field is required."),
        ({"options": "书画展\n书画展"}, "The option “书画展” is listed twice."),
        ({"options": "书画展\n" + "长" * 51}, "An option may have at most 50 characters."),
        (
            {"options": "\n".join(f"选项{i}" for i in range(21))},
            "A poll may have at most 20 options.",
        ),
        ({"options": "甲\n" * 1500}, "at most 2000 characters"),
        ({"question": "问" * 201}, "at most 200 characters"),
        ({"question": ""}, "This field is required."),
        ({"opens_on": "2026-02-30"}, "Enter a valid date."),
        ({"campaign": "abc"}, "Choose a campaign of this community."),
    ],
)
def test_poll_create_bad_input_saves_nothing(en_client, world, data, message):
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world), _create_post(**data))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()


def test_poll_create_campaign_of_other_community_refused(en_client, world):
    other = factories.CampaignFactory(community=world.b.community, created_by=world.b.secretary)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_create_url(world), _create_post(campaign=other.pk))

    assert response.status_code == 200
    assert "Choose a campaign of this community." in response.content.decode()
    assert not Poll.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("sec_b", 404), ("outsider", 404)],
)
def test_poll_create_only_the_secretary_writes(client, world, role, status):
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "sec_b": world.b.secretary,
        "outsider": world.outsider,
    }[role]
    client.force_login(user)

    response = client.post(_create_url(world), _create_post())

    assert response.status_code == status
    assert not Poll.objects.exists()


# Counting ballots in


def test_poll_count_shows_the_building_current_counts(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)
    en_client.force_login(world.a.secretary)

    response = en_client.get(_count_url(poll, world.a.building.pk))

    form = response.context["form"]
    assert [field.value() for field in form.option_fields()] == [12, 5, 0]
    assert form["building"].value() == str(world.a.building.pk)
    assert "Ballots counted in 清福小区15号楼" in response.content.decode()


def test_poll_count_without_building_starts_at_the_first(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.get(_count_url(poll))

    choices = response.context["choices"]
    assert [c["key"] for c in choices] == [
        str(world.a.building.pk),
        str(world.a.section_building.pk),
        "none",
    ]
    assert response.context["form"]["building"].value() == str(world.a.building.pk)
    assert [field.value() for field in response.context["form"].option_fields()] == [0, 0, 0]


def test_poll_count_building_of_other_community_in_query_shows_warning(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.get(_count_url(poll, world.b.building.pk))

    assert response.status_code == 200
    assert "That building is not in this community" in response.content.decode()
    assert "花园小区" not in response.content.decode()
    assert response.context["form"]["building"].value() == str(world.a.building.pk)


def test_poll_count_saves_and_moves_to_the_next_building(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, world.a.building.pk, 12, 5, 0))

    assert response.status_code == 302
    assert response.url == _count_url(poll, world.a.section_building.pk)
    assert _votes(poll) == {
        (world.a.building.pk, "书画展"): 12,
        (world.a.building.pk, "摄影展"): 5,
        (world.a.building.pk, "诗词会"): 0,
    }
    assert "Counts for 清福小区15号楼 saved: 17 ballots." in _messages(response)


def test_poll_count_unattributed_last_goes_to_the_result(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, "none", 2, 0, 4))

    assert response.url == poll.get_absolute_url()
    assert _votes(poll) == {(None, "书画展"): 2, (None, "摄影展"): 0, (None, "诗词会"): 4}


def test_poll_count_overwrites_the_building_count(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)
    _count(world, poll, None, 1, 1, 1)
    en_client.force_login(world.a.secretary)

    en_client.post(_count_url(poll), _count_post(poll, world.a.building.pk, 10, 6, 1))

    assert _votes(poll) == {
        (world.a.building.pk, "书画展"): 10,
        (world.a.building.pk, "摄影展"): 6,
        (world.a.building.pk, "诗词会"): 1,
        (None, "书画展"): 1,
        (None, "摄影展"): 1,
        (None, "诗词会"): 1,
    }


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (("12", "-1", "0"), "A count cannot be negative."),
        (("12", "abc", "0"), "Enter a whole number of ballots, such as 0 or 25."),
        (("12", "2.5", "0"), "Enter a whole number of ballots, such as 0 or 25."),
        (("12", "1e400", "0"), "Enter a whole number of ballots, such as 0 or 25."),
        (("12", "9" * 40, "0"), "That is more ballots than a poll can hold."),
        (("12", "1000001", "0"), "That is more ballots than a poll can hold."),
        (("12", "", "0"), "Enter the number of ballots; 0 if there were none."),
    ],
)
def test_poll_count_bad_number_saves_nothing(en_client, world, counts, message):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, world.a.building.pk, *counts))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PollTally.objects.exists()


def test_poll_count_building_of_other_community_saves_nothing(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, world.b.building.pk, 1, 2, 3))

    assert response.status_code == 200
    assert "Choose a building of this community." in response.content.decode()
    assert not PollTally.objects.exists()


@pytest.mark.parametrize(
    ("building", "message"),
    [
        ("", "This field is required."),
        ("abc", "Choose a building of this community."),
        ("99999999999999999999999", "Choose a building of this community."),
    ],
)
def test_poll_count_missing_or_garbled_building_saves_nothing(en_client, world, building, message):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, building, 1, 2, 3))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PollTally.objects.exists()


def test_poll_count_unattributed_counts_shown(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)
    _count(world, poll, None, 2, 0, 4)
    en_client.force_login(world.a.secretary)

    response = en_client.get(_count_url(poll, "none"))

    assert [field.value() for field in response.context["form"].option_fields()] == [2, 0, 4]
    assert "Ballots not attributed to a building" in response.content.decode()


def test_poll_count_option_of_other_poll_saves_nothing(en_client, world):
    poll = _poll(world)
    other = _poll(world, question="另一个问题")
    foreign = _ids(other)[0]
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        _count_url(poll),
        _count_post(poll, world.a.building.pk, 1, 2, 3, **{f"option_{foreign}": "50"}),
    )

    assert response.status_code == 200
    assert "That option does not belong to this poll." in response.content.decode()
    assert not PollTally.objects.exists()


def test_poll_count_closed_poll_shows_no_form(en_client, world):
    poll = _poll(world)
    services.poll_close(poll=poll, by=world.a.secretary)
    en_client.force_login(world.a.secretary)

    response = en_client.get(_count_url(poll))

    assert response.status_code == 200
    assert "This poll is closed: its tallies can no longer change." in response.content.decode()
    assert response.context["form"] is None
    assert 'name="option_' not in response.content.decode()


def test_poll_count_closed_poll_refuses_post(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)
    services.poll_close(poll=poll, by=world.a.secretary)
    en_client.force_login(world.a.secretary)

    response = en_client.post(_count_url(poll), _count_post(poll, world.a.building.pk, 1, 1, 1))

    assert response.status_code == 302
    assert response.url == poll.get_absolute_url()
    assert "This poll is closed: its tallies can no longer change." in _messages(response)
    assert _votes(poll)[(world.a.building.pk, "书画展")] == 12


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("sec_b", 404), ("outsider", 404)],
)
def test_poll_count_only_the_secretary_writes(client, world, role, status):
    poll = _poll(world)
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "sec_b": world.b.secretary,
        "outsider": world.outsider,
    }[role]
    client.force_login(user)

    response = client.post(_count_url(poll), _count_post(poll, world.a.building.pk, 1, 2, 3))

    assert response.status_code == status
    assert not PollTally.objects.exists()


# Closing


def _close(client, poll, **data):
    return client.post(reverse("engagement:poll_close", args=[poll.pk]), {"confirm": "yes"} | data)


def test_poll_close_secretary_closes(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = _close(en_client, poll)

    poll.refresh_from_db()
    assert response.url == poll.get_absolute_url()
    assert poll.is_closed
    assert poll.closed_by == world.a.secretary
    assert "The poll is closed; its result is final." in _messages(response)
    page = en_client.get(poll.get_absolute_url()).content.decode()
    assert "Closed by" in page
    assert str(world.a.secretary) in page
    assert reverse("engagement:poll_count", args=[poll.pk]) not in page


def test_poll_close_without_confirmation_keeps_it_open(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = _close(en_client, poll, confirm="")

    poll.refresh_from_db()
    assert not poll.is_closed
    assert "Tick the box to confirm that every ballot box is counted." in _messages(response)


def test_poll_close_twice_says_so(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)
    _close(en_client, poll)

    response = _close(en_client, poll)

    assert "This poll is closed: its tallies can no longer change." in _messages(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [("cadre", 403), ("head", 403), ("official", 403), ("sec_b", 404), ("outsider", 404)],
)
def test_poll_close_only_the_secretary(client, world, role, status):
    poll = _poll(world)
    user = {
        "cadre": world.a.cadre,
        "head": world.a.head,
        "official": world.official,
        "sec_b": world.b.secretary,
        "outsider": world.outsider,
    }[role]
    client.force_login(user)

    response = _close(client, poll)

    assert response.status_code == status
    poll.refresh_from_db()
    assert not poll.is_closed


def test_poll_close_anonymous_post_goes_to_login(client, world):
    poll = _poll(world)

    response = _close(client, poll)

    assert "/login/" in response.url
    poll.refresh_from_db()
    assert not poll.is_closed


# The result


def test_poll_detail_result_table_numbers(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 3)
    _count(world, poll, None, 3, 1, 0)
    en_client.force_login(world.a.cadre)

    response = en_client.get(poll.get_absolute_url())

    assert _cells(response, "poll-results") == [
        ["Option", "Votes", "Share"],
        ["书画展 winner", "15", "62%"],
        ["摄影展", "6", "25%"],
        ["诗词会", "3", "12%"],
        ["All ballots", "24", "100%"],
    ]
    assert "Winner: <strong>书画展</strong>, with 15 votes (62%)." in response.content.decode()


def test_poll_detail_per_building_table(en_client, world):
    poll = _poll(world)
    _count(world, poll, None, 3, 1, 0)
    _count(world, poll, world.a.building, 12, 5, 3)
    _count(world, poll, world.a.section_building, 0, 4, 1)
    en_client.force_login(world.official)

    response = en_client.get(poll.get_absolute_url())

    assert _cells(response, "poll-buildings") == [
        ["Building", "书画展", "摄影展", "诗词会", "Total"],
        ["清福小区15号楼", "12", "5", "3", "20"],
        ["清福小区4号楼", "0", "4", "1", "5"],
        ["Not attributed to a building", "3", "1", "0", "4"],
        ["All buildings", "15", "10", "4", "29"],
    ]


def test_poll_detail_tie_names_all_tied_options(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 7, 7, 2)
    en_client.force_login(world.a.secretary)

    response = en_client.get(poll.get_absolute_url())

    html = response.content.decode()
    assert "Tie: <strong>书画展 and 摄影展</strong>, with 7 votes each." in html
    assert _cells(response, "poll-results")[1][0] == "书画展 tied winner"
    assert _cells(response, "poll-results")[2][0] == "摄影展 tied winner"
    assert _cells(response, "poll-results")[3][0] == "诗词会"


def test_poll_detail_no_ballots_says_so(en_client, world):
    poll = _poll(world)
    en_client.force_login(world.a.secretary)

    response = en_client.get(poll.get_absolute_url())

    html = response.content.decode()
    assert "No ballots have been counted yet." in html
    assert "winner" not in " ".join(" ".join(row) for row in _cells(response, "poll-results"))
    assert "No ballots have been counted in any building yet." in html


def test_poll_detail_bars_are_server_rendered(en_client, world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 3)
    en_client.force_login(world.a.secretary)

    html = en_client.get(poll.get_absolute_url()).content.decode()

    assert '<progress class="poll-bar" max="100" value="60"' in html
    assert '<progress class="poll-bar" max="100" value="25"' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_poll_detail_secretary_sees_actions_and_campaign(en_client, world):
    campaign = factories.CampaignFactory(community=world.a.community, created_by=world.a.secretary)
    poll = _poll(world, campaign=campaign)
    en_client.force_login(world.a.secretary)

    html = en_client.get(poll.get_absolute_url()).content.decode()

    assert reverse("engagement:poll_count", args=[poll.pk]) in html
    assert reverse("engagement:poll_close", args=[poll.pk]) in html
    assert campaign.get_absolute_url() in html


@pytest.mark.parametrize("role", ["cadre", "head"])
def test_poll_detail_readers_see_no_actions(en_client, world, role):
    poll = _poll(world)
    en_client.force_login(getattr(world.a, role))

    response = en_client.get(poll.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert poll.question in html
    assert reverse("engagement:poll_count", args=[poll.pk]) not in html
    assert reverse("engagement:poll_close", args=[poll.pk]) not in html


def test_poll_detail_other_community_is_404(client, world):
    poll = _poll(world, side="b")
    client.force_login(world.a.secretary)

    response = client.get(poll.get_absolute_url())

    assert response.status_code == 404


# The list


def _list(client, query=""):
    return client.get(f"{reverse('engagement:poll_list')}{query}")


def _list_rows(response) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in _cells(response, "poll-list")[1:]}


def test_poll_list_shows_ballots_and_winner(en_client, world):
    won = _poll(world, question="谁赢了")
    _count(world, won, world.a.building, 12, 5, 3)
    tied = _poll(world, question="平局")
    _count(world, tied, world.a.building, 4, 4, 1)
    empty = _poll(world, question="还没计票")
    _count(world, empty, world.a.building, 0, 0, 0)
    en_client.force_login(world.a.secretary)

    rows = _list_rows(_list(en_client))

    assert rows["谁赢了"][2:4] == ["20", "书画展 12 votes"]
    assert rows["平局"][2:4] == ["9", "书画展 4 votes tie"]
    assert rows["还没计票"][2:4] == ["0", "no ballots yet"]


def test_poll_list_filters_by_community_and_status(en_client, world):
    open_a = _poll(world, question="清福开放")
    closed_a = _poll(world, question="清福已结束")
    services.poll_close(poll=closed_a, by=world.a.secretary)
    _poll(world, side="b", question="花园开放")
    en_client.force_login(world.official)

    everything = _list_rows(_list(en_client))
    only_a = _list_rows(_list(en_client, f"?community={world.a.community.pk}"))
    only_closed = _list_rows(_list(en_client, "?is_closed=true"))
    only_open_a = _list_rows(_list(en_client, f"?community={world.a.community.pk}&is_closed=false"))

    assert set(everything) == {"清福开放", "清福已结束", "花园开放"}
    assert set(only_a) == {"清福开放", "清福已结束"}
    assert set(only_closed) == {"清福已结束"}
    assert set(only_open_a) == {open_a.question}


def test_poll_list_secretary_sees_only_own_community(en_client, world):
    _poll(world, question="清福的问题")
    _poll(world, side="b", question="花园的问题")
    en_client.force_login(world.a.secretary)

    response = _list(en_client)

    html = response.content.decode()
    assert "清福的问题" in html
    assert "花园的问题" not in html
    assert reverse("engagement:poll_create", args=[world.a.community.pk]) in html


def test_poll_list_readers_get_no_create_button(en_client, world):
    _poll(world)
    en_client.force_login(world.a.cadre)

    html = _list(en_client).content.decode()

    assert "居民最喜欢哪种楼道文化活动？" in html
    assert "/polls/new/" not in html


@pytest.mark.parametrize("query", ["?campaign=abc", "?campaign=99999999999999999999"])
def test_poll_list_garbled_campaign_is_ignored(en_client, world, query):
    _poll(world, question="清福的问题")
    en_client.force_login(world.a.secretary)

    response = _list(en_client, query)

    assert response.status_code == 200
    assert set(_list_rows(response)) == {"清福的问题"}


def test_poll_list_campaign_filter(en_client, world):
    campaign = factories.CampaignFactory(community=world.a.community, created_by=world.a.secretary)
    _poll(world, question="活动中的投票", campaign=campaign)
    _poll(world, question="另外的投票")
    en_client.force_login(world.a.secretary)

    rows = _list_rows(_list(en_client, f"?campaign={campaign.pk}"))

    assert set(rows) == {"活动中的投票"}


# The latest poll on the community page (engagement.advice)


def _community_figures(user, community):
    polls = Poll.objects.visible_to(user)
    return (
        Community.objects.filter(pk=community.pk)
        .annotate(**advice.latest_poll_annotations(polls))
        .values(
            "latest_poll",
            "latest_poll_question",
            "poll_winner",
            "poll_winner_votes",
            "poll_ballots",
        )
        .get()
    )


def test_latest_poll_annotations_reads_the_latest_poll(world):
    older = _poll(world, question="旧问题", opens_on=date(2026, 1, 5))
    _count(world, older, world.a.building, 30, 1, 0)
    latest = _poll(world, question="新问题", opens_on=date(2026, 3, 20))
    _count(world, latest, world.a.building, 2, 9, 1)
    _count(world, latest, None, 1, 3, 0)
    _poll(world, side="b", question="花园的问题", opens_on=date(2026, 6, 1))

    figures = _community_figures(world.a.secretary, world.a.community)

    assert figures == {
        "latest_poll": latest.pk,
        "latest_poll_question": "新问题",
        "poll_winner": "摄影展",
        "poll_winner_votes": 12,
        "poll_ballots": 16,
    }


def test_latest_poll_annotations_poll_without_ballots_has_no_winner(world):
    _poll(world, question="旧问题", opens_on=date(2026, 1, 5))
    older = Poll.objects.get()
    _count(world, older, world.a.building, 30, 1, 0)
    latest = _poll(world, question="还没计票", opens_on=date(2026, 3, 20))
    _count(world, latest, world.a.building, 0, 0, 0)

    figures = _community_figures(world.official, world.a.community)

    assert figures == {
        "latest_poll": latest.pk,
        "latest_poll_question": "还没计票",
        "poll_winner": None,
        "poll_winner_votes": 0,
        "poll_ballots": 0,
    }


def test_latest_poll_annotations_community_without_polls(world):
    _poll(world, side="b")

    figures = _community_figures(world.superuser, world.a.community)

    assert figures == {
        "latest_poll": None,
        "latest_poll_question": None,
        "poll_winner": None,
        "poll_winner_votes": 0,
        "poll_ballots": 0,
    }


def test_latest_poll_annotations_same_day_takes_the_later_poll(world):
    first = _poll(world, question="上午的问题")
    _count(world, first, world.a.building, 5, 0, 0)
    second = _poll(world, question="下午的问题")
    _count(world, second, world.a.building, 1, 1, 4)

    figures = _community_figures(world.a.secretary, world.a.community)

    assert figures["latest_poll"] == second.pk
    assert figures["poll_winner"] == "诗词会"
    assert figures["poll_winner_votes"] == 4
    assert figures["poll_ballots"] == 6


def test_latest_poll_annotations_tie_goes_to_the_option_listed_first(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 3, 5, 5)

    figures = _community_figures(world.a.secretary, world.a.community)

    assert figures["poll_winner"] == "摄影展"
    assert figures["poll_winner_votes"] == 5


def test_latest_poll_annotations_hidden_polls_are_skipped(world):
    _poll(world, side="b", question="花园的问题")

    figures = _community_figures(world.a.secretary, world.b.community)

    assert figures["latest_poll"] is None
    assert figures["poll_ballots"] == 0
