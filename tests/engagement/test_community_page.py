"""The community page: leading group, open problems of guidance visits and theme advice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communities import services as community_services
from communities.models import Membership
from engagement import services
from tests import factories


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(client, world, user=None):
    client.force_login(user or world.a.secretary)
    return client.get(reverse("portal:community_detail", args=[world.a.community.pk]))


def _visit(world, side="a", days_ago=30, problems=("楼道杂物未清理",)):
    return services.visit_record(
        community=getattr(world, side).community,
        visited_on=timezone.localdate() - timedelta(days=days_ago),
        purpose="指导楼道文化建设",
        visitors=[("王毅", "区委常委")],
        problems=list(problems),
        by=world.official,
    )


def _close(problem, world):
    services.problem_close(
        problem=problem,
        fixed_by="社区",
        fixed_on=timezone.localdate(),
        resolution="已整改",
        by=world.official,
    )


def _membership(user):
    return Membership.objects.get(user=user)


# Leading group


def test_community_page_shows_the_leading_group_with_titles(en_client, world):
    secretary, cadre = _membership(world.a.secretary), _membership(world.a.cadre)
    community_services.leading_group_save(
        community=world.a.community,
        positions={
            cadre.pk: (Membership.GroupPosition.DEPUTY, "居委会副主任"),
            secretary.pk: (Membership.GroupPosition.LEADER, "党委书记"),
        },
        by=world.a.secretary,
    )

    response = _page(en_client, world)

    assert [m.pk for m in response.context["leading_group"]] == [secretary.pk, cadre.pk]
    content = response.content.decode()
    assert "党委书记" in content
    assert "居委会副主任" in content
    assert "group leader" in content
    assert reverse("communities:leading_group", args=[world.a.community.pk]) in content


def test_community_page_hides_the_leading_group_link_from_cadres(en_client, world):
    content = _page(en_client, world, world.a.cadre).content.decode()

    assert reverse("communities:leading_group", args=[world.a.community.pk]) not in content


# Open problems


def test_community_page_shows_open_problems_not_closed_ones(en_client, world):
    visit = _visit(world, problems=["还没解决的问题", "已经解决的问题"])
    _close(visit.problems.get(description="已经解决的问题"), world)
    _visit(world, "b", problems=["花园社区的问题"])

    response = _page(en_client, world)

    content = response.content.decode()
    assert "还没解决的问题" in content
    assert "已经解决的问题" not in content
    assert "花园社区的问题" not in content
    assert response.context["community"].open_problem_count == 1
    open_problem = visit.problems.get(description="还没解决的问题")
    assert reverse("engagement:problem_close", args=[open_problem.pk]) in content


def test_community_page_lists_five_oldest_and_links_to_all(en_client, world):
    for i in range(7):
        _visit(world, days_ago=10 + i, problems=[f"问题{i}"])

    response = _page(en_client, world)

    shown = [p.description for p in response.context["open_problems"]]
    assert shown == ["问题6", "问题5", "问题4", "问题3", "问题2"]
    content = response.content.decode()
    assert "All 7 open problems" in content
    assert f"{reverse('engagement:problem_list')}?community={world.a.community.pk}" in content


def test_community_page_close_out_link_not_for_building_heads(en_client, world):
    problem = _visit(world).problems.get()

    content = _page(en_client, world, world.a.head).content.decode()

    assert problem.description in content
    assert reverse("engagement:problem_close", args=[problem.pk]) not in content


# Theme advice


@pytest.fixture
def profiled(world):
    """Side A with 10 residents (the world's one and nine more), 3 of them retired cadres,
    4 with a year of birth; rules for retired cadres (20%) and laid-off workers."""
    retired = factories.ResidentTagFactory(code="retired-cadre", name="离退休干部")
    laid_off = factories.ResidentTagFactory(code="laid-off", name="下岗职工")
    years = [1950, 1952, 1990, 1970] + [None] * 5
    for i, year in enumerate(years):
        resident = factories.ResidentFactory(
            household=world.a.household, name=f"新居民{i}", birth_year=year
        )
        if i < 3:
            resident.tags.add(retired)
    fired = factories.ThemeRuleFactory(
        name="老干部", tag=retired, min_share=20, themes="牌匾、书法", explanation="老干部多"
    )
    quiet = factories.ThemeRuleFactory(
        name="下岗职工", tag=laid_off, min_share=5, themes="自强不息、市场信息"
    )
    return fired, quiet


def test_community_page_shows_the_resident_profile(en_client, world, profiled):
    response = _page(en_client, world)

    community = response.context["community"]
    assert (community.resident_count, community.party_member_count) == (10, 1)
    (row,) = response.context["tag_profile"]
    assert (row["tag"].name, row["count"], row["share"]) == ("离退休干部", 3, 30)
    age = response.context["age_profile"]
    assert age["known"] == 4
    assert [band["count"] for band in age["bands"]] == [0, 2, 0, 2]
    content = response.content.decode()
    assert "10 residents, 1 of them Party members." in content
    assert "70 and over" in content


def test_community_page_suggests_themes_from_the_rules_that_fire(en_client, world, profiled):
    fired, _quiet = profiled

    response = _page(en_client, world)

    (item,) = response.context["theme_advice"]
    assert item.rule == fired
    content = response.content.decode()
    assert "牌匾、书法" in content
    assert "30% of residents are 离退休干部" in content
    assert "自强不息、市场信息" not in content


def test_community_page_shows_the_latest_poll_winner(en_client, world):
    factories.PollFactory(
        community=world.a.community,
        question="旧问题",
        opens_on=timezone.localdate() - timedelta(days=90),
        created_by=world.a.secretary,
    )
    poll = factories.PollFactory(
        community=world.a.community,
        question="楼道里办什么？",
        options=["书画展", "摄影展"],
        opens_on=timezone.localdate() - timedelta(days=10),
        created_by=world.a.secretary,
    )
    painting, photos = poll.options.order_by("position")
    services.poll_count_in(
        poll=poll,
        building=world.a.building,
        votes={painting.pk: 30, photos.pk: 10},
        by=world.a.secretary,
    )
    factories.ThemeRuleFactory(tag=None, poll_keyword="书画", themes="书画天地")

    response = _page(en_client, world)

    content = response.content.decode()
    assert "楼道里办什么？" in content
    assert "Won by “书画展”: 30 of 40 ballots (75%)." in content
    assert reverse("engagement:poll_detail", args=[poll.pk]) in content
    assert "书画天地" in content
    assert "旧问题" not in content


def test_community_page_poll_without_ballots_names_no_winner(en_client, world):
    factories.PollFactory(community=world.a.community, created_by=world.a.secretary)

    response = _page(en_client, world)

    assert response.context["latest_poll"]["winner"] == ""
    assert "No ballots counted yet." in response.content.decode()


# Links instead of long tables


def test_community_page_links_to_buildings_corridors_and_engagement_lists(en_client, world):
    content = _page(en_client, world).content.decode()

    pk = world.a.community.pk
    assert "Buildings (2)" in content
    assert "Corridors (0, 0 certified)" in content
    for name in [
        "buildings:building_list",
        "exhibits:corridor_list",
        "engagement:campaign_list",
        "engagement:suggestion_list",
        "engagement:poll_list",
        "engagement:symposium_list",
        "engagement:visit_list",
    ]:
        assert f"{reverse(name)}?community={pk}" in content


def test_community_page_record_visit_link_for_officials_only(en_client, world):
    link = f"{reverse('engagement:visit_create')}?community={world.a.community.pk}"

    official = _page(en_client, world, world.official).content.decode()
    secretary = _page(en_client, world, world.a.secretary).content.decode()

    assert link in official
    assert link not in secretary


def test_community_page_tied_poll_names_no_winner(en_client, world):
    poll = factories.PollFactory(community=world.a.community, created_by=world.a.secretary)
    painting, photos = poll.options.order_by("position")
    services.poll_count_in(
        poll=poll, building=None, votes={painting.pk: 8, photos.pk: 8}, by=world.a.secretary
    )
    factories.ThemeRuleFactory(tag=None, poll_keyword="书画", themes="书画天地")

    response = _page(en_client, world)

    content = response.content.decode()
    assert response.context["latest_poll"]["winner"] == ""
    assert "No winner: options tied at 8 of 16 ballots." in content
    assert "书画天地" not in content
