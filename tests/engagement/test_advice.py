"""Theme advice: the residents' profile and the rules that suggest corridor themes."""

from datetime import date

import pytest

from communities.models import Community
from engagement import advice
from engagement.advice import Profile, suggest_themes
from tests import factories


def _rule(**kwargs):
    return factories.ThemeRuleFactory.build(**kwargs)


def test_suggest_themes_tag_rule_fires_at_its_share():
    tag = factories.ResidentTagFactory.build(pk=7, name="离退休干部")
    rule = _rule(tag=tag, min_share=20, themes="牌匾、书法")

    fired = suggest_themes(Profile(residents=10, tag_counts={7: 2}), [rule])
    quiet = suggest_themes(Profile(residents=10, tag_counts={7: 1}), [rule])

    assert [a.rule for a in fired] == [rule]
    assert "20%" in str(fired[0].reasons[0])
    assert quiet == []


def test_suggest_themes_poll_rule_reads_the_winner():
    rule = _rule(tag=None, poll_keyword="书画", themes="书画天地")

    fired = suggest_themes(Profile(residents=0, poll_winner="书画展"), [rule])
    quiet = suggest_themes(Profile(residents=0, poll_winner="摄影展"), [rule])

    assert [a.rule for a in fired] == [rule]
    assert "书画展" in str(fired[0].reasons[0])
    assert quiet == []


def test_suggest_themes_skips_inactive_rules_and_empty_communities():
    tag = factories.ResidentTagFactory.build(pk=3)
    inactive = _rule(tag=tag, min_share=1, is_active=False)
    active = _rule(tag=tag, min_share=1)

    assert suggest_themes(Profile(residents=5, tag_counts={3: 5}), [inactive]) == []
    assert suggest_themes(Profile(residents=0, tag_counts={}), [active]) == []


def test_suggest_themes_rule_with_both_conditions_gives_both_reasons():
    tag = factories.ResidentTagFactory.build(pk=4, name="老年大学学员")
    rule = _rule(tag=tag, min_share=10, poll_keyword="书画")

    fired = suggest_themes(Profile(residents=10, tag_counts={4: 5}, poll_winner="书画展"), [rule])

    assert len(fired) == 1
    assert len(fired[0].reasons) == 2


@pytest.mark.django_db
def test_tag_profile_counts_only_the_communitys_visible_residents(world):
    retired = factories.ResidentTagFactory(code="retired-cadre", name="离退休干部")
    laid_off = factories.ResidentTagFactory(code="laid-off", name="下岗职工")
    for i in range(3):
        factories.ResidentFactory(household=world.a.household, name=f"老干部{i}").tags.add(retired)
    factories.ResidentFactory(household=world.b.household).tags.add(retired, laid_off)

    profile = {
        t.name: t.resident_count for t in advice.tag_profile(world.a.secretary, world.a.community)
    }
    outsider = {
        t.name: t.resident_count for t in advice.tag_profile(world.outsider, world.a.community)
    }

    assert profile == {"离退休干部": 3, "下岗职工": 0}
    assert outsider == {"离退休干部": 0, "下岗职工": 0}


@pytest.mark.django_db
def test_age_band_annotations_count_by_year_of_birth(world):
    year = 2026
    for birth_year in (2000, 1992, 1980, 1967, 1960, 1950, None):
        factories.ResidentFactory(household=world.a.household, birth_year=birth_year)
    factories.ResidentFactory(household=world.b.household, birth_year=1950)
    residents = factories.ResidentFactory._meta.model.objects.visible_to(world.a.secretary)

    community = (
        Community.objects.filter(pk=world.a.community.pk)
        .annotate(**advice.age_band_annotations(residents, advice.RESIDENT_COMMUNITY, year=year))
        .get()
    )

    # 2000 → 26, 1992 → 34: under 35; 1980 → 46, 1967 → 59: 35–59; 1960 → 66: 60–69; 1950 → 76
    assert (community.age_under_35, community.age_35_59) == (2, 2)
    assert (community.age_60_69, community.age_70_plus) == (1, 1)


@pytest.mark.django_db
def test_open_problem_annotation_counts_open_problems_only(world):
    visit = factories.GuidanceVisitFactory(community=world.a.community, created_by=world.official)
    factories.GuidanceProblemFactory.create_batch(2, visit=visit)
    factories.GuidanceProblemFactory(
        visit=visit,
        status="closed",
        fixed_by="李书记",
        fixed_on=date(2026, 4, 9),
        resolution="已清理",
    )
    problems = factories.GuidanceProblemFactory._meta.model.objects.visible_to(world.official)

    counted = Community.objects.annotate(open_problems=advice.open_problem_annotation(problems))

    assert {c.pk: c.open_problems for c in counted} == {
        world.a.community.pk: 2,
        world.b.community.pk: 0,
    }
