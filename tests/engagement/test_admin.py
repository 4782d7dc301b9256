"""The engagement admin: scoped like the pages; tallies, answers and close-outs via services."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from engagement import services
from engagement.models import (
    Campaign,
    GuidanceProblem,
    GuidanceVisit,
    Poll,
    PollTally,
    Suggestion,
    Symposium,
    ThemeRule,
)
from tests import factories
from tests.utils import assert_constant_queries

ADMIN_LIST_BUDGET = 12


@dataclass
class Side:
    campaign: Campaign
    symposium: Symposium
    suggestion: Suggestion
    poll: Poll
    tally: PollTally
    visit: GuidanceVisit
    problem: GuidanceProblem


def _side(world, side) -> Side:
    community, secretary = side.community, side.secretary
    label = community.name
    campaign = factories.CampaignFactory(
        community=community, title=f"{label}征求意见", created_by=secretary
    )
    symposium = factories.SymposiumFactory(
        community=community, campaign=campaign, title=f"{label}座谈会", created_by=secretary
    )
    suggestion = factories.SuggestionFactory(
        community=community,
        campaign=campaign,
        symposium=symposium,
        channel="symposium",
        content=f"{label}建议办书画展",
        created_by=secretary,
    )
    poll = factories.PollFactory(
        community=community, question=f"{label}最喜欢哪种活动？", created_by=secretary
    )
    option = poll.options.get(label="书画展")
    services.poll_count_in(poll=poll, building=side.building, votes={option.pk: 12}, by=secretary)
    visit = factories.GuidanceVisitFactory(
        community=community,
        purpose=f"{label}指导工作",
        created_by=world.official,
        visitors=[("李刚", "区精神文明办主任")],
    )
    problem = factories.GuidanceProblemFactory(visit=visit, description=f"{label}楼道杂物未清理")
    tally = PollTally.objects.get(option__poll=poll)
    return Side(campaign, symposium, suggestion, poll, tally, visit, problem)


@dataclass
class EngagementWorld:
    world: object
    a: Side
    b: Side


@pytest.fixture
def ew(staff_world) -> EngagementWorld:
    """Every role may enter the admin; each community has one record of every kind."""
    return EngagementWorld(
        staff_world, _side(staff_world, staff_world.a), _side(staff_world, staff_world.b)
    )


@pytest.fixture
def en_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(model, view="changelist", *args) -> str:
    return reverse(f"admin:engagement_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _filter_labels(response) -> set[str]:
    return {
        str(label)
        for spec in response.context["cl"].filter_specs
        for _, label in getattr(spec, "lookup_choices", [])
    }


def _run_action(client, model, action, *objects):
    return client.post(
        _url(model),
        {"action": action, "index": "0", "_selected_action": [str(obj.pk) for obj in objects]},
        follow=True,
    )


ROWS = ["campaign", "symposium", "suggestion", "poll", "tally", "visit", "problem"]


# Changelists and change pages: one community's rows


@pytest.mark.parametrize("row", ROWS)
def test_changelist_secretary_sees_only_own_community(client, ew, row):
    own, other = getattr(ew.a, row), getattr(ew.b, row)
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(type(own)))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert other not in response.context["cl"].result_list


@pytest.mark.parametrize("row", ROWS)
def test_changelist_official_reads_every_community_of_the_district(client, ew, row):
    client.force_login(ew.world.official)

    response = client.get(_url(type(getattr(ew.a, row))))

    assert set(response.context["cl"].result_list) == {getattr(ew.a, row), getattr(ew.b, row)}


@pytest.mark.parametrize("row", ROWS)
def test_change_other_community_row_looks_missing(client, ew, row):
    other = getattr(ew.b, row)
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(type(other), "change", other.pk), follow=True)

    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert "花园" not in response.content.decode()


def test_change_other_community_campaign_post_saves_nothing(client, ew):
    campaign = ew.b.campaign
    client.force_login(ew.world.a.secretary)

    response = client.post(
        _url(Campaign, "change", campaign.pk),
        {"title": "改名", "letters_sent": "1", "starts_on": "2026-03-01"},
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    campaign.refresh_from_db()
    assert campaign.title == "花园社区征求意见"


def test_changelist_cadre_reads_but_cannot_add(client, ew):
    client.force_login(ew.world.a.cadre)

    listing = client.get(_url(Campaign))
    adding = client.get(_url(Campaign, "add"))

    assert list(listing.context["cl"].result_list) == [ew.a.campaign]
    assert adding.status_code == 403


def test_suggestion_changelist_filters_name_only_own_community(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(Suggestion))

    labels = _filter_labels(response)
    assert "清福社区征求意见" in labels
    assert not any("花园" in label for label in labels)


def test_suggestion_changelist_search_finds_content(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(Suggestion), {"q": "书画展"})

    assert list(response.context["cl"].result_list) == [ew.a.suggestion]


# Dropdowns


def test_suggestion_add_form_choices_stay_in_community(client, ew):
    a = ew.world.a
    client.force_login(a.secretary)

    response = client.get(_url(Suggestion, "add"))

    fields = response.context["adminform"].form.fields
    assert set(fields["community"].queryset) == {a.community}
    assert set(fields["campaign"].queryset) == {ew.a.campaign}
    assert set(fields["symposium"].queryset) == {ew.a.symposium}
    assert set(fields["building"].queryset) == {a.building, a.section_building}
    assert set(fields["resident"].queryset) == {a.resident}
    assert "花园" not in response.content.decode()


def test_symposium_and_poll_add_campaign_choices_stay_in_community(client, ew):
    client.force_login(ew.world.a.secretary)

    symposium = client.get(_url(Symposium, "add")).context["adminform"].form.fields
    poll = client.get(_url(Poll, "add")).context["adminform"].form.fields

    assert set(symposium["campaign"].queryset) == {ew.a.campaign}
    assert set(poll["campaign"].queryset) == {ew.a.campaign}


def test_building_autocomplete_for_suggestion_lists_only_own(client, ew):
    a = ew.world.a
    client.force_login(a.secretary)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "engagement",
            "model_name": "suggestion",
            "field_name": "building",
            "term": "小区",
        },
    )

    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {a.building.pk, a.section_building.pk}


def _suggestion_post(world, **changes) -> dict:
    data = {
        "community": world.a.community.pk,
        "campaign": "",
        "symposium": "",
        "channel": "box",
        "received_on": "2026-03-12",
        "content": "楼道里挂上居民的书法作品",
        "resident": "",
        "building": world.a.building.pk,
    }
    data.update(changes)
    return data


def test_suggestion_add_secretary_saves_new_with_creator(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.post(_url(Suggestion, "add"), _suggestion_post(ew.world))

    assert response.status_code == 302
    suggestion = Suggestion.objects.get(content="楼道里挂上居民的书法作品")
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.created_by == ew.world.a.secretary


@pytest.mark.parametrize(
    "forged",
    [
        {"campaign": "b_campaign"},
        {"building": "b_building"},
        {"community": "b_community"},
        {"received_on": "not-a-date"},
        {"content": "长" * 5000},
    ],
)
def test_suggestion_add_forged_values_save_nothing(client, ew, forged):
    values = {
        "b_campaign": ew.b.campaign.pk,
        "b_building": ew.world.b.building.pk,
        "b_community": ew.world.b.community.pk,
    }
    field, value = next(iter(forged.items()))
    client.force_login(ew.world.a.secretary)
    before = Suggestion.objects.count()

    response = client.post(
        _url(Suggestion, "add"), _suggestion_post(ew.world, **{field: values.get(value, value)})
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Suggestion.objects.count() == before


# Suggestions are answered through the service


def _suggestion_change(suggestion, **changes) -> dict:
    data = {
        "campaign": suggestion.campaign_id or "",
        "symposium": suggestion.symposium_id or "",
        "channel": suggestion.channel,
        "received_on": suggestion.received_on.isoformat(),
        "content": suggestion.content,
        "resident": "",
        "building": "",
        "status": suggestion.status,
        "reply": suggestion.reply,
        "suggestions-TOTAL_FORMS": "0",
        "suggestions-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_suggestion_change_adopted_with_reply_records_who_answered(client, ew):
    suggestion = ew.a.suggestion
    client.force_login(ew.world.a.secretary)

    response = client.post(
        _url(Suggestion, "change", suggestion.pk),
        _suggestion_change(suggestion, status="adopted", reply="已采纳，四月举办书画展"),
    )

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ADOPTED
    assert suggestion.reply == "已采纳，四月举办书画展"
    assert suggestion.decided_by == ew.world.a.secretary
    assert suggestion.decided_at is not None


def test_suggestion_change_answer_without_reply_refused(client, ew):
    suggestion = ew.a.suggestion
    client.force_login(ew.world.a.secretary)

    response = client.post(
        _url(Suggestion, "change", suggestion.pk),
        _suggestion_change(suggestion, status="declined", reply="  "),
    )

    assert response.status_code == 200
    assert "reply" in response.context["adminform"].form.errors
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.NEW


def test_suggestion_answered_is_final_in_admin(client, ew):
    suggestion = services.suggestion_answer(
        suggestion=ew.a.suggestion, status="adopted", reply="已采纳", by=ew.world.a.secretary
    )
    client.force_login(ew.world.a.secretary)

    response = client.post(
        _url(Suggestion, "change", suggestion.pk),
        _suggestion_change(suggestion, status="new", reply="改回"),
    )

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == (Suggestion.Status.ADOPTED, "已采纳")


def test_suggestion_change_status_offers_only_next_steps(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(Suggestion, "change", ew.a.suggestion.pk))

    choices = {value for value, _ in response.context["adminform"].form.fields["status"].choices}
    assert choices == {"new", "considered", "adopted", "declined"}
    services.suggestion_answer(
        suggestion=ew.a.suggestion, status="considered", reply="", by=ew.world.a.secretary
    )
    response = client.get(_url(Suggestion, "change", ew.a.suggestion.pk))
    choices = {value for value, _ in response.context["adminform"].form.fields["status"].choices}
    assert choices == {"considered", "adopted", "declined"}


# Polls: tallies read-only, closed by the action


def test_poll_close_action_closes_own_poll(en_client, ew):
    en_client.force_login(ew.world.a.secretary)

    response = _run_action(en_client, Poll, "close_selected", ew.a.poll)

    ew.a.poll.refresh_from_db()
    assert ew.a.poll.is_closed
    assert ew.a.poll.closed_by == ew.world.a.secretary
    assert "Polls closed: 1." in _messages(response)


def test_poll_close_action_other_community_poll_untouched(en_client, ew):
    en_client.force_login(ew.world.a.secretary)

    _run_action(en_client, Poll, "close_selected", ew.b.poll)

    ew.b.poll.refresh_from_db()
    assert not ew.b.poll.is_closed


def test_poll_close_action_already_closed_is_reported(en_client, ew):
    services.poll_close(poll=ew.a.poll, by=ew.world.a.secretary)
    en_client.force_login(ew.world.a.secretary)

    response = _run_action(en_client, Poll, "close_selected", ew.a.poll)

    assert any(message.startswith("Not closed") for message in _messages(response))


def test_poll_close_action_not_offered_to_official(en_client, ew):
    en_client.force_login(ew.world.official)

    listing = en_client.get(_url(Poll))
    _run_action(en_client, Poll, "close_selected", ew.a.poll)

    assert "close_selected" not in listing.content.decode()
    ew.a.poll.refresh_from_db()
    assert not ew.a.poll.is_closed


def test_poll_change_page_shows_results(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(Poll, "change", ew.a.poll.pk))

    content = response.content.decode()
    assert "书画展: 12 (100%)" in content


def test_poll_tally_admin_is_read_only(client, ew):
    tally = ew.a.tally
    client.force_login(ew.world.a.secretary)

    page = client.get(_url(PollTally, "change", tally.pk))
    change = client.post(_url(PollTally, "change", tally.pk), {"votes": "999"})
    adding = client.get(_url(PollTally, "add"))
    delete = client.post(_url(PollTally, "delete", tally.pk), {"post": "yes"})

    assert page.status_code == 200
    assert change.status_code == 403
    assert adding.status_code == 403
    assert delete.status_code == 403
    tally.refresh_from_db()
    assert tally.votes == 12


def test_poll_options_closed_poll_cannot_change(client, ew):
    services.poll_close(poll=ew.a.poll, by=ew.world.a.secretary)
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(Poll, "change", ew.a.poll.pk))

    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


def test_poll_add_secretary_saves_poll_with_options(client, ew):
    client.force_login(ew.world.a.secretary)
    data = {
        "community": ew.world.a.community.pk,
        "campaign": ew.a.campaign.pk,
        "question": "楼道里挂什么？",
        "opens_on": "2026-03-20",
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-0-label": "书法",
        "options-0-position": "0",
        "options-1-label": "绘画",
        "options-1-position": "1",
    }

    response = client.post(_url(Poll, "add"), data)

    assert response.status_code == 302
    poll = Poll.objects.get(question="楼道里挂什么？")
    assert list(poll.options.values_list("label", flat=True)) == ["书法", "绘画"]
    assert poll.created_by == ew.world.a.secretary


def test_poll_add_one_option_saves_nothing(client, ew):
    client.force_login(ew.world.a.secretary)
    data = {
        "community": ew.world.a.community.pk,
        "question": "只有一个选项？",
        "opens_on": "2026-03-20",
        "options-TOTAL_FORMS": "1",
        "options-INITIAL_FORMS": "0",
        "options-0-label": "书法",
        "options-0-position": "0",
    }

    response = client.post(_url(Poll, "add"), data)

    assert response.status_code == 200
    assert not Poll.objects.filter(question="只有一个选项？").exists()


# Guidance visits and problems


def test_visit_add_refused_to_secretary(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(GuidanceVisit, "add"))

    assert response.status_code == 403


def test_visit_add_official_records_visit_with_visitors_and_problem(client, ew):
    client.force_login(ew.world.official)
    data = {
        "community": ew.world.b.community.pk,
        "visited_on": "2026-04-10",
        "purpose": "指导楼道设计",
        "notes": "",
        "visitors-TOTAL_FORMS": "2",
        "visitors-INITIAL_FORMS": "0",
        "visitors-0-name": "卢晓萍",
        "visitors-0-title": "区计生局局长",
        "visitors-0-position": "0",
        "visitors-1-name": "孙晓梅",
        "visitors-1-title": "区文体局副局长",
        "visitors-1-position": "1",
        "problems-TOTAL_FORMS": "1",
        "problems-INITIAL_FORMS": "0",
        "problems-0-description": "楼道照明不足",
        "problems-0-due_on": "",
    }

    response = client.post(_url(GuidanceVisit, "add"), data)

    assert response.status_code == 302
    visit = GuidanceVisit.objects.get(purpose="指导楼道设计")
    assert visit.created_by == ew.world.official
    assert [str(v) for v in visit.visitors.all()] == ["区计生局局长卢晓萍", "区文体局副局长孙晓梅"]
    assert visit.problems.get().status == GuidanceProblem.Status.OPEN


def test_visit_change_page_secretary_reads_but_cannot_change(client, ew):
    visit = ew.a.visit
    client.force_login(ew.world.a.secretary)

    page = client.get(_url(GuidanceVisit, "change", visit.pk))
    change = client.post(
        _url(GuidanceVisit, "change", visit.pk),
        {"visited_on": "2026-04-09", "purpose": "改写"},
    )

    assert page.status_code == 200
    assert "区精神文明办主任" in page.content.decode()
    assert change.status_code == 403
    visit.refresh_from_db()
    assert visit.purpose == "清福社区指导工作"


def test_problem_add_refused_to_secretary(client, ew):
    client.force_login(ew.world.a.secretary)

    response = client.get(_url(GuidanceProblem, "add"))

    assert response.status_code == 403


def test_problem_changelist_filters_by_status_and_community(client, ew):
    services.problem_close(
        problem=ew.b.problem,
        fixed_by="花园楼长",
        fixed_on=ew.b.visit.visited_on,
        resolution="已清理",
        by=ew.world.b.secretary,
    )
    client.force_login(ew.world.official)

    open_rows = client.get(_url(GuidanceProblem), {"status__exact": "open"})
    huayuan = client.get(
        _url(GuidanceProblem), {"visit__community__id__exact": ew.world.b.community.pk}
    )

    assert list(open_rows.context["cl"].result_list) == [ew.a.problem]
    assert list(huayuan.context["cl"].result_list) == [ew.b.problem]


def _close_out(problem, **changes) -> dict:
    data = {
        "status": "closed",
        "fixed_by": "清福楼长刘铁华",
        "fixed_on": problem.visit.visited_on.isoformat(),
        "resolution": "组织居民清理杂物",
    }
    data.update(changes)
    return data


def test_problem_close_out_records_who_when_how(client, ew):
    problem = ew.a.problem
    client.force_login(ew.world.a.secretary)

    response = client.post(_url(GuidanceProblem, "change", problem.pk), _close_out(problem))

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == GuidanceProblem.Status.CLOSED
    assert (problem.fixed_by, problem.resolution) == ("清福楼长刘铁华", "组织居民清理杂物")
    assert problem.fixed_on == problem.visit.visited_on
    assert problem.closed_by == ew.world.a.secretary
    assert problem.closed_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fixed_by": ""}, "fixed_by"),
        ({"fixed_on": ""}, "fixed_on"),
        ({"resolution": " "}, "resolution"),
        ({"fixed_on": "2026-04-01"}, "fixed_on"),  # before the visit
        ({"fixed_on": "not-a-date"}, "fixed_on"),
    ],
)
def test_problem_close_out_incomplete_saves_nothing(client, ew, changes, field):
    problem = ew.a.problem
    client.force_login(ew.world.a.secretary)

    response = client.post(
        _url(GuidanceProblem, "change", problem.pk), _close_out(problem, **changes)
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    problem.refresh_from_db()
    assert problem.status == GuidanceProblem.Status.OPEN


def test_problem_close_out_in_the_future_refused(en_client, ew):
    problem = ew.a.problem
    tomorrow = timezone.localdate() + timedelta(days=1)
    en_client.force_login(ew.world.a.secretary)

    response = en_client.post(
        _url(GuidanceProblem, "change", problem.pk),
        _close_out(problem, fixed_on=tomorrow.isoformat()),
    )

    assert "cannot be in the future" in response.content.decode()
    problem.refresh_from_db()
    assert problem.is_open


def test_problem_closed_out_no_longer_changes(client, ew):
    problem = services.problem_close(
        problem=ew.a.problem,
        fixed_by="刘铁华",
        fixed_on=ew.a.visit.visited_on,
        resolution="已清理",
        by=ew.world.a.secretary,
    )
    client.force_login(ew.world.official)

    client.post(
        _url(GuidanceProblem, "change", problem.pk),
        {"status": "open", "fixed_by": "别人", "description": "改写"},
    )

    problem.refresh_from_db()
    assert (problem.status, problem.fixed_by) == (GuidanceProblem.Status.CLOSED, "刘铁华")
    assert problem.description == "清福社区楼道杂物未清理"


def test_problem_close_out_other_community_refused(client, ew):
    problem = ew.b.problem
    client.force_login(ew.world.a.secretary)

    response = client.post(_url(GuidanceProblem, "change", problem.pk), _close_out(problem))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    problem.refresh_from_db()
    assert problem.is_open


# Theme rules: not owned by a community


def _rule_post(**changes) -> dict:
    data = {
        "name": "离退休干部",
        "tag": "",
        "min_share": "5",
        "poll_keyword": "",
        "themes": "牌匾、书法、居民自养花卉",
        "explanation": "",
        "is_active": "on",
        "position": "0",
    }
    data.update(changes)
    return data


def test_theme_rule_admin_saves_rule(client, ew):
    tag = factories.ResidentTagFactory(code="retired-cadre", name="离退休干部")
    client.force_login(ew.world.a.secretary)

    response = client.post(_url(ThemeRule, "add"), _rule_post(tag=tag.pk))

    assert response.status_code == 302
    rule = ThemeRule.objects.get(name="离退休干部")
    assert (rule.tag, rule.themes) == (tag, "牌匾、书法、居民自养花卉")


def test_theme_rule_admin_without_condition_refused(en_client, ew):
    en_client.force_login(ew.world.a.secretary)

    response = en_client.post(_url(ThemeRule, "add"), _rule_post(poll_keyword="  "))

    assert response.status_code == 200
    assert "Give the rule a condition: a resident tag, a poll keyword or both." in (
        response.content.decode()
    )
    assert not ThemeRule.objects.exists()


def test_theme_rule_admin_list_edits_in_place(client, ew):
    rule = factories.ThemeRuleFactory(name="书画", tag=None, poll_keyword="书画", themes="书画天地")
    client.force_login(ew.world.a.secretary)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": rule.pk,
        "form-0-min_share": "10",
        "form-0-poll_keyword": "书画",
        "form-0-is_active": "",
        "form-0-position": "3",
        "_save": "Save",
    }

    response = client.post(_url(ThemeRule), data)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.min_share, rule.is_active, rule.position) == (10, False, 3)


def test_theme_rule_admin_hidden_from_staff_without_role(client, ew):
    from tests.conftest import grant_admin_access

    grant_admin_access(ew.world.outsider)
    client.force_login(ew.world.outsider)

    response = client.get(_url(ThemeRule))

    assert response.status_code == 403


# Query budgets


@pytest.mark.parametrize("model", [Campaign, Suggestion, Poll, GuidanceVisit, GuidanceProblem])
def test_changelist_query_count_constant(client, ew, model):
    world = ew.world
    a = world.a
    user = world.official if model in (GuidanceVisit, GuidanceProblem) else a.secretary
    client.force_login(user)

    def grow():
        for n in range(30):
            campaign = factories.CampaignFactory(
                community=a.community, title=f"征求意见{n}", created_by=a.secretary
            )
            factories.SuggestionFactory(
                community=a.community,
                campaign=campaign,
                building=a.building,
                content=f"建议{n}",
                created_by=a.secretary,
            )
            factories.PollFactory(
                community=a.community, question=f"问题{n}", created_by=a.secretary
            )
            visit = factories.GuidanceVisitFactory(
                community=a.community,
                visited_on=date(2026, 4, 1) + timedelta(days=n),
                purpose=f"指导{n}",
                created_by=world.official,
                visitors=[("赵军", "区民政局局长"), ("李刚", "区精神文明办主任")],
            )
            factories.GuidanceProblemFactory(visit=visit, description=f"问题描述{n}")

    expected = {
        Campaign: "征求意见29",
        Suggestion: "建议29",
        Poll: "问题29",
        GuidanceVisit: "指导29",
        GuidanceProblem: "问题描述29",
    }
    assert_constant_queries(
        client,
        _url(model),
        grow=grow,
        budget=ADMIN_LIST_BUDGET,
        expect_text=lambda: expected[model],
    )


# Records of what happened are not deleted


def test_closed_poll_delete_refused_to_secretary(client, ew):
    services.poll_close(poll=ew.a.poll, by=ew.world.a.secretary)
    client.force_login(ew.world.a.secretary)

    response = client.post(_url(Poll, "delete", ew.a.poll.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Poll.objects.filter(pk=ew.a.poll.pk).exists()


def test_poll_with_ballots_delete_refused_and_without_allowed(client, ew):
    a = ew.world.a
    empty = factories.PollFactory(
        community=a.community, question="还没投票？", created_by=a.secretary
    )
    client.force_login(a.secretary)

    counted = client.post(_url(Poll, "delete", ew.a.poll.pk), {"post": "yes"})
    response = client.post(_url(Poll, "delete", empty.pk), {"post": "yes"})

    assert counted.status_code == 403
    assert PollTally.objects.filter(option__poll=ew.a.poll).exists()
    assert response.status_code == 302
    assert not Poll.objects.filter(pk=empty.pk).exists()


def test_visit_with_closed_out_problem_delete_refused_to_official(client, ew):
    services.problem_close(
        problem=ew.a.problem,
        fixed_by="刘铁华",
        fixed_on=ew.a.visit.visited_on,
        resolution="已清理",
        by=ew.world.a.secretary,
    )
    client.force_login(ew.world.official)

    response = client.post(_url(GuidanceVisit, "delete", ew.a.visit.pk), {"post": "yes"})
    bulk = _run_action(client, GuidanceVisit, "delete_selected", ew.a.visit)

    assert response.status_code == 403
    assert bulk.status_code == 200
    assert GuidanceVisit.objects.filter(pk=ew.a.visit.pk).exists()
