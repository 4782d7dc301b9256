"""The dashboard pages: the hand-computed figures of ``known``, the filter, sorting, the
red / amber / green marks, the drill-down and who may see what."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from corridor_portal import charts
from corridor_portal.dashboard import RAG_AMBER, RAG_GREEN, Period
from tests import factories

TODAY = timezone.localdate()
START = TODAY - timedelta(days=89)  # the 90 days of test_figures.PERIOD
FILTER = {"start": START.isoformat(), "end": TODAY.isoformat()}


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _get(client, user, name="dashboard:district", data=None, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None), data or {})


def _row(response, obj):
    return next(row for row in response.context["page_obj"].paginator.object_list if row.obj == obj)


def _names(response):
    return [row.obj.name for row in response.context["page_obj"].paginator.object_list]


def _text(response) -> str:
    """The page's text without tags and with collapsed spaces."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.split())


# The district dashboard


@pytest.mark.django_db
def test_district_dashboard_official_sees_hand_computed_figures(en_client, known):
    response = _get(en_client, known.official, data=FILTER)

    assert response.status_code == 200
    row = _row(response, known.a.community).figures
    assert (row.certified, row.target, row.target_share) == (1, 2, 50)
    assert (row.participating, row.households, row.raised) == (1, 2, Decimal("300.00"))
    assert (row.duty_done, row.duty_due, row.suggestions, row.visits) == (1, 3, 2, 1)
    headline = response.context["headline"]
    assert headline.certified == 2 and headline.raised == Decimal("300.00")
    assert headline.approved == {"calligraphy": 1}
    text = _text(response)
    assert "50% 1 of 2" in text  # certified of the target, with its bar
    assert "1 of 2" in text and "300.00" in text and "120.00" in text
    assert "33% 1 of 3" in text  # duty turns done of due
    assert "Calligraphy: 1" in text
    assert f"Period: {START:%Y-%m-%d} to {TODAY:%Y-%m-%d}" in text


@pytest.mark.django_db
def test_district_dashboard_period_filter_changes_figures(en_client, known):
    long_ago = {"start": (TODAY - timedelta(days=400)).isoformat(), "end": START.isoformat()}

    recent = _get(en_client, known.official, data=FILTER).context["headline"]
    older = _get(en_client, known.official, data=long_ago).context["headline"]

    assert recent.raised == Decimal("300.00") and recent.approved_total == 1
    assert older.raised == Decimal("0.00") and older.approved_total == 0
    assert (recent.visits, older.visits) == (1, 1)


@pytest.mark.django_db
def test_district_dashboard_community_filter_narrows_table_and_headline(en_client, known):
    response = _get(en_client, known.official, data=FILTER | {"community": known.b.community.pk})

    assert _names(response) == [known.b.community.name]
    assert response.context["headline"].raised == Decimal("0.00")
    assert response.context["headline"].certified == 1
    assert response.context["community_count"] == 1


@pytest.mark.django_db
def test_district_dashboard_secretary_sees_only_own_community(en_client, known):
    response = _get(en_client, known.a.secretary, data=FILTER)

    assert response.status_code == 200
    assert _names(response) == [known.a.community.name]
    content = response.content.decode()
    assert known.a.community.name in content
    assert known.b.community.name not in content
    assert response.context["headline"].raised == Decimal("300.00")


@pytest.mark.django_db
def test_district_dashboard_secretary_cannot_pick_another_community(en_client, known):
    response = _get(en_client, known.b.secretary, data={"community": known.a.community.pk})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _names(response) == [known.b.community.name]
    assert known.a.community.name not in response.content.decode()


@pytest.mark.django_db
def test_district_dashboard_secretary_who_is_also_a_cadre_sees_only_own_community(en_client, known):
    factories.MembershipFactory(
        user=known.a.secretary,
        role=Membership.Role.CADRE,
        community=known.b.community,
        section=known.b.section,
    )

    response = _get(en_client, known.a.secretary)

    assert _names(response) == [known.a.community.name]


@pytest.mark.django_db
def test_district_dashboard_official_sees_only_own_district(en_client, known):
    other = factories.CommunityFactory(name="别区社区", code="elsewhere")

    response = _get(en_client, known.official)

    assert other.name not in _names(response)
    assert set(_names(response)) == {known.a.community.name, known.b.community.name}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"start": "not-a-date", "end": "2020-13-45"},
        {"start": "2024-05-01", "end": "2024-01-01"},
        {"start": "1900-01-01", "end": "2024-01-01"},
        {"start": "9999-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-12-31"},
        {"end": "0001-01-01"},
        {"community": "abc"},
        {"community": "999999"},
        {"start": "9" * 5000},
        {"sort": "figures.__class__", "page": "-1"},
        {"page": "x" * 300},
    ],
)
def test_district_dashboard_bad_filter_falls_back_to_default(en_client, known, query):
    response = _get(en_client, known.official, data=query)

    assert response.status_code == 200
    assert response.context["period"] == Period.default()
    assert len(_names(response)) == 2


@pytest.mark.django_db
def test_district_dashboard_start_after_end_shows_the_error(en_client, known):
    response = _get(en_client, known.official, data={"start": "2024-05-01", "end": "2024-01-01"})

    text = _text(response)
    assert "The start date must not be after the end date." in text
    assert "figures below are for the default period" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "first"),
    [("-raised", "a"), ("raised", "b"), ("name", "a"), ("-name", "b"), ("bogus", "a")],
)
def test_district_dashboard_sorts_by_column(en_client, known, sort, first):
    response = _get(en_client, known.official, data=FILTER | {"sort": sort})

    names = _names(response)
    expected = getattr(known, first).community.name
    assert names[0] == expected and len(names) == 2


@pytest.mark.django_db
def test_district_dashboard_sort_ties_keep_name_order(en_client, known):
    response = _get(en_client, known.official, data={"sort": "-visits", "start": "2000-01-01"})
    by_name = _names(_get(en_client, known.official, data={"start": "2000-01-01"}))

    # side A had two visits, side B none: A first; equal values keep the name order
    assert _names(response)[0] == known.a.community.name
    assert sorted(by_name) == sorted(_names(response))


@pytest.mark.django_db
def test_district_dashboard_sort_links_keep_the_filter(en_client, known):
    response = _get(en_client, known.official, data=FILTER | {"sort": "-raised"})

    columns = {column["key"]: column for column in response.context["columns"]}
    assert columns["raised"]["url"] == (f"?start={FILTER['start']}&end={FILTER['end']}&sort=raised")
    assert columns["raised"]["aria_sort"] == "descending"
    assert columns["spent"]["url"].endswith("&sort=-spent")
    assert columns["name"]["url"].endswith("&sort=name")
    content = response.content.decode()
    assert 'aria-sort="descending"' in content
    assert f"?start={FILTER['start']}&amp;end={FILTER['end']}&amp;sort=raised" in content
    # drill-down links carry the period, not the sort
    row = _row(response, known.a.community)
    assert row.url == reverse("dashboard:community", args=[known.a.community.pk]) + (
        f"?start={FILTER['start']}&end={FILTER['end']}"
    )


@pytest.mark.django_db
def test_district_dashboard_rag_mark_says_why(en_client, known):
    response = _get(en_client, known.official, data=FILTER)

    row_a = _row(response, known.a.community)
    row_b = _row(response, known.b.community)
    assert row_a.rag == RAG_AMBER and len(row_a.reasons) == 4
    assert row_b.rag == RAG_GREEN
    text = _text(response)
    assert "needs attention" in text and "on track" in text
    assert "50% of the corridor target certified" in text
    assert "1 stalled corridors" in text


@pytest.mark.django_db
def test_district_dashboard_marks_the_pilot(en_client, known):
    Community.objects.filter(pk=known.b.community.pk).update(is_pilot=True)

    response = _get(en_client, known.official)

    assert response.context["pilots"] == [known.b.community]
    content = response.content.decode()
    assert re.search(r"花园社区</a> <span class=\"badge dash-pilot\">pilot</span>", content)


@pytest.mark.django_db
def test_district_dashboard_trends_end_with_the_period(en_client, known):
    end = TODAY - timedelta(days=40)
    response = _get(en_client, known.official, data={"end": end.isoformat()})

    series = response.context["series"]
    assert len(series) == 12
    assert series[-1]["month"] == end.replace(day=1)
    assert len(response.context["charts"]) == 3
    content = response.content.decode()
    assert content.count('role="img"') == 3
    assert content.count("</title></rect>") == 36  # one hover text per bar
    assert "the trends follow the period" in content


@pytest.mark.django_db
def test_district_dashboard_trend_table_shows_the_numbers(en_client, known):
    response = _get(en_client, known.official, data=FILTER)

    series = response.context["series"]
    assert sum(month["raised"] for month in series) == Decimal("300.00")
    assert sum(month["approved"] for month in series) == 1
    text = _text(response)
    assert "Money raised (yuan)" in text and "Duty turns done" in text


@pytest.mark.django_db
def test_district_dashboard_has_no_inline_style_or_script(en_client, known):
    content = _get(en_client, known.official, data=FILTER).content.decode()

    assert "style=" not in content
    assert re.findall(r"<script(?![^>]*\bsrc=)", content) == []


@pytest.mark.django_db
def test_district_dashboard_export_link_keeps_the_filter(en_client, known):
    response = _get(en_client, known.official, data=FILTER | {"sort": "-raised"})

    assert response.context["export_url"] == reverse("dashboard:export") + (
        f"?start={FILTER['start']}&end={FILTER['end']}&sort=-raised"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["cadre", "head"])
def test_district_dashboard_community_roles_forbidden(en_client, known, role):
    response = _get(en_client, getattr(known.a, role))

    assert response.status_code == 403


@pytest.mark.django_db
def test_district_dashboard_user_without_role_forbidden(en_client, known):
    assert _get(en_client, known.outsider).status_code == 403


@pytest.mark.django_db
def test_district_dashboard_anonymous_sent_to_login(client, known):
    response = client.get(reverse("dashboard:district"))

    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.django_db
def test_navbar_links_dashboard_for_officials_and_secretaries(en_client, known):
    url = reverse("dashboard:district")
    pages = {}
    for label, user in [
        ("official", known.official),
        ("secretary", known.a.secretary),
        ("superuser", known.superuser),
        ("cadre", known.a.cadre),
        ("head", known.a.head),
    ]:
        en_client.force_login(user)
        pages[label] = en_client.get(reverse("buildings:building_list")).content.decode()

    assert all(f'href="{url}"' in pages[label] for label in ("official", "secretary", "superuser"))
    assert all(f'href="{url}"' not in pages[label] for label in ("cadre", "head"))


# A community's dashboard


@pytest.mark.django_db
def test_community_dashboard_shows_buildings_and_the_community_headline(en_client, known):
    response = _get(
        en_client, known.official, "dashboard:community", FILTER, pk=known.a.community.pk
    )

    assert response.status_code == 200
    building = _row(response, known.a.building).figures
    assert (building.corridor_total, building.certified, building.stalled) == (2, 1, 1)
    assert building.raised == Decimal("300.00") and building.duty_done == 1
    assert _row(response, known.a.section_building).figures.corridor_total == 0
    headline = response.context["headline"]
    # the whole community: its target, suggestions not naming a building, visits, problems
    assert (headline.target, headline.certified, headline.target_share) == (2, 1, 50)
    assert (headline.suggestions, headline.adopted, headline.unanswered) == (2, 1, 2)
    assert (headline.visits, headline.open_problems) == (1, 1)
    assert response.context["rag"] == RAG_AMBER
    text = _text(response)
    assert "清福小区15号楼" in text and "清福小区4号楼" in text
    assert "花园" not in text


@pytest.mark.django_db
def test_community_dashboard_buildings_in_natural_order(en_client, known):
    response = _get(en_client, known.official, "dashboard:community", pk=known.a.community.pk)

    objects = [row.obj for row in response.context["page_obj"].paginator.object_list]
    assert objects == [known.a.section_building, known.a.building]  # 4号楼, then 15号楼


@pytest.mark.django_db
def test_community_dashboard_breadcrumb_and_drill_down_keep_the_period(en_client, known):
    response = _get(
        en_client, known.official, "dashboard:community", FILTER, pk=known.a.community.pk
    )

    query = f"?start={FILTER['start']}&amp;end={FILTER['end']}"
    content = response.content.decode()
    assert f'href="{reverse("dashboard:district")}{query}"' in content
    assert f'href="{reverse("dashboard:building", args=[known.a.building.pk])}{query}"' in content
    assert 'name="community"' not in content  # the community is the page's own


@pytest.mark.django_db
def test_community_dashboard_secretary_of_the_community(en_client, known):
    response = _get(en_client, known.a.secretary, "dashboard:community", pk=known.a.community.pk)

    assert response.status_code == 200


@pytest.mark.django_db
def test_community_dashboard_other_community_not_found(en_client, known):
    response = _get(en_client, known.b.secretary, "dashboard:community", pk=known.a.community.pk)

    assert response.status_code == 404


@pytest.mark.django_db
def test_community_dashboard_other_district_not_found(en_client, known):
    other = factories.CommunityFactory(name="别区社区", code="elsewhere")

    response = _get(en_client, known.official, "dashboard:community", pk=other.pk)

    assert response.status_code == 404


@pytest.mark.django_db
def test_community_dashboard_unknown_pk_not_found(en_client, known):
    response = _get(en_client, known.superuser, "dashboard:community", pk=999999)

    assert response.status_code == 404


@pytest.mark.django_db
def test_community_dashboard_sorts_buildings(en_client, known):
    response = _get(
        en_client,
        known.official,
        "dashboard:community",
        {"sort": "-corridors"},
        pk=known.a.community.pk,
    )

    objects = [row.obj for row in response.context["page_obj"].paginator.object_list]
    assert objects == [known.a.building, known.a.section_building]


# A building's dashboard


@pytest.mark.django_db
def test_building_dashboard_shows_units(en_client, known):
    response = _get(en_client, known.official, "dashboard:building", FILTER, pk=known.a.building.pk)

    assert response.status_code == 200
    unit = _row(response, known.a.unit)
    assert unit.figures.households == 2 and unit.figures.duty_done == 1
    # the fund is the whole building's: it counts for the building, in no unit's row
    assert unit.figures.raised == Decimal("0.00")
    assert unit.corridor_status == "civilized corridor"
    units = [row.obj.number for row in response.context["page_obj"].paginator.object_list]
    assert units == [6, 7]
    stalled = response.context["page_obj"].paginator.object_list[1]
    assert stalled.corridor_status == "being built" and stalled.figures.stalled == 1
    text = _text(response)
    assert "Unit 6" in text and "Unit 7" in text
    assert "清福社区" in text  # the breadcrumb back up
    headline = response.context["headline"]
    assert headline.raised == Decimal("300.00") and headline.spent == Decimal("120.00")
    assert headline.corridor_total == 2 and headline.participating == 1


@pytest.mark.django_db
def test_building_dashboard_counts_suggestions_naming_the_building(en_client, known):
    factories.SuggestionFactory(
        community=known.a.community,
        building=known.a.building,
        received_on=TODAY,
        created_by=known.a.secretary,
    )

    response = _get(en_client, known.official, "dashboard:building", pk=known.a.building.pk)

    assert response.context["headline"].suggestions == 1


@pytest.mark.django_db
def test_building_dashboard_other_community_not_found(en_client, known):
    response = _get(en_client, known.b.secretary, "dashboard:building", pk=known.a.building.pk)

    assert response.status_code == 404


@pytest.mark.django_db
def test_building_dashboard_building_head_forbidden(en_client, known):
    response = _get(en_client, known.a.head, "dashboard:building", pk=known.a.building.pk)

    assert response.status_code == 403


@pytest.mark.django_db
def test_building_dashboard_bad_filter_still_shows_the_page(en_client, known):
    response = _get(
        en_client,
        known.a.secretary,
        "dashboard:building",
        {"start": "2024-99-01", "community": known.b.community.pk},
        pk=known.a.building.pk,
    )

    assert response.status_code == 200
    assert response.context["period"] == Period.default()


@pytest.mark.django_db
def test_building_dashboard_fund_of_a_unit_counts_in_its_row(en_client, known):
    from buildings import services

    fund = services.fund_create(
        building=known.a.building,
        data={"unit": known.a.unit, "purpose": "楼道灯", "opened_on": TODAY},
        by=known.a.secretary,
    )
    services.expense_record(
        fund=fund,
        data={"item": "灯泡", "amount": Decimal("35.50"), "date": TODAY},
        token=uuid.uuid4(),
        by=known.a.secretary,
    )

    response = _get(en_client, known.official, "dashboard:building", pk=known.a.building.pk)

    assert _row(response, known.a.unit).figures.spent == Decimal("35.50")
    assert response.context["headline"].spent == Decimal("155.50")  # and the building's 120


# The charts


def _series(values):
    month = date(2025, 12, 1)
    series = []
    for value in values:
        series.append({"month": month, "raised": value})
        month = (month + timedelta(days=32)).replace(day=1)
    return series


def test_bar_chart_scales_bars_to_round_ticks():
    chart = charts.bar_chart(
        _series([Decimal("0"), Decimal("150.00"), Decimal("300.00")]),
        "raised",
        title="募集",
        decimals=2,
    )

    assert [tick.label for tick in chart.ticks] == ["0", "100", "200", "300", "400"]
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0 and heights[2] == pytest.approx(2 * heights[1], abs=0.2)
    assert chart.bars[2].title.endswith(": 300.00")
    assert "300.00" in chart.summary


def test_bar_chart_negative_month_draws_no_bar():
    chart = charts.bar_chart(
        _series([Decimal("-300.00"), Decimal("100.00")]), "raised", title="募集", decimals=2
    )

    assert chart.bars[0].height == 0 and chart.bars[0].value.startswith("-300")
    assert chart.bars[1].height > 0


def test_bar_chart_year_under_first_bar_or_january_only():
    december_start = charts.bar_chart(_series([1] * 12), "raised", title="x")
    years = [bar.year for bar in december_start.bars]

    assert years[0] == "" and years[1] == "2026"  # no room for both under 12 and 1
    assert [year for year in years if year] == ["2026"]


def test_bar_chart_all_zero_has_a_scale():
    chart = charts.bar_chart(_series([0] * 12), "raised", title="x")

    assert {bar.height for bar in chart.bars} == {0}
    assert chart.ticks[-1].label == "4"


@pytest.mark.django_db
def test_community_dashboard_paginates_sorted_rows(en_client, known):
    for number in range(100, 150):
        factories.BuildingFactory(community=known.a.community, compound="新区", number=str(number))
    url = reverse("dashboard:community", args=[known.a.community.pk])
    en_client.force_login(known.official)

    first = en_client.get(url, {"sort": "-corridors"})
    second = en_client.get(url, {"sort": "-corridors", "page": 2})

    assert first.context["row_count"] == 52
    assert first.context["rows"][0].obj == known.a.building  # the one with corridors
    assert len(second.context["rows"]) == 2
    assert "?sort=-corridors&amp;page=2" in first.content.decode()
