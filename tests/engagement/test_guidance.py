"""Guidance visits and their problems: recording, editing, the lists, and closing out.

Every write goes through the pages, as a person would; pages are read in English.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from engagement import services
from engagement.models import GuidanceProblem, GuidanceVisit, GuidanceVisitor
from tests import factories

# Helpers


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _today():
    return timezone.localdate()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _visit(world, side="a", days_ago=30, problems=("三号楼楼道杂物未清理",), **kwargs):
    fields = {
        "community": getattr(world, side).community,
        "visited_on": _today() - timedelta(days=days_ago),
        "purpose": "指导楼道文化建设",
        "visitors": [("王毅", "区委常委、组织部长"), ("刘明", "区委副书记")],
        "problems": list(problems),
        "by": world.official,
    } | kwargs
    return services.visit_record(**fields)


def _visit_post(world, **data):
    return {
        "community": world.a.community.pk,
        "visited_on": (_today() - timedelta(days=2)).isoformat(),
        "visitors": "王毅 区委常委、组织部长\n刘明，区委副书记\n\n张华",
        "purpose": "检查楼道文化阵地建设",
        "notes": "重点看了三号楼",
        "problems": "三号楼楼道杂物未清理\n\n五号楼宣传栏破损",
    } | data


def _close_post(**data):
    return {
        "fixed_by": "清福社区居委会",
        "fixed_on": _today().isoformat(),
        "resolution": "组织志愿者清理，并排定值日表",
    } | data


def _other_district_official():
    district = factories.DistrictFactory(name="西城区", code="xicheng")
    official = factories.UserFactory(username="official-xicheng")
    factories.MembershipFactory(
        user=official, role=Membership.Role.OFFICIAL, community=None, district=district
    )
    return official


# Recording a visit


def test_visit_create_records_visit_visitors_and_problems(en_client, world):
    en_client.force_login(world.official)

    response = en_client.post(reverse("engagement:visit_create"), _visit_post(world))

    visit = GuidanceVisit.objects.get()
    assert response.status_code == 302
    assert response.url == visit.get_absolute_url()
    assert (visit.community, visit.created_by) == (world.a.community, world.official)
    assert [(v.name, v.title) for v in visit.visitors.order_by("position")] == [
        ("王毅", "区委常委、组织部长"),
        ("刘明", "区委副书记"),
        ("张华", ""),
    ]
    assert sorted(visit.problems.values_list("description", "status")) == [
        ("三号楼楼道杂物未清理", "open"),
        ("五号楼宣传栏破损", "open"),
    ]
    assert "Visit to 清福社区 recorded, with 2 problems to follow up." in _messages(response)


def test_visit_create_offers_only_the_officials_district(en_client, world):
    elsewhere = factories.CommunityFactory(name="西城社区", code="xicheng-1")
    en_client.force_login(world.official)

    response = en_client.get(reverse("engagement:visit_create"))

    choices = set(response.context["form"].fields["community"].queryset)
    assert choices == {world.a.community, world.b.community}
    assert elsewhere.name not in response.content.decode()


def test_visit_create_preselects_the_community_from_the_link(en_client, world):
    en_client.force_login(world.official)

    response = en_client.get(
        reverse("engagement:visit_create"), {"community": world.b.community.pk}
    )

    assert response.context["form"].initial["community"] == world.b.community.pk


def test_visit_create_official_of_another_district_cannot_record_for_us(en_client, world):
    en_client.force_login(_other_district_official())

    response = en_client.post(reverse("engagement:visit_create"), _visit_post(world))

    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not GuidanceVisit.objects.exists()
    assert not GuidanceProblem.objects.exists()


@pytest.mark.parametrize("role", ["secretary", "cadre", "head"])
def test_visit_create_refused_to_community_roles(en_client, world, role):
    en_client.force_login(getattr(world.a, role))

    page = en_client.get(reverse("engagement:visit_create"))
    response = en_client.post(reverse("engagement:visit_create"), _visit_post(world))

    assert (page.status_code, response.status_code) == (403, 403)
    assert not GuidanceVisit.objects.exists()


def test_visit_create_date_in_the_future_refused(en_client, world):
    en_client.force_login(world.official)
    tomorrow = (_today() + timedelta(days=1)).isoformat()

    response = en_client.post(
        reverse("engagement:visit_create"), _visit_post(world, visited_on=tomorrow)
    )

    assert response.context["form"].errors["visited_on"] == ["The date cannot be in the future."]
    assert not GuidanceVisit.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("visitors", ""),
        ("visitors", "王" * 31 + " 区委书记"),
        ("visitors", "\n".join(f"访客{i} 干部" for i in range(31))),
        ("visitors", "王" * 10_000),
        ("problems", "\n".join(f"问题{i}" for i in range(31))),
        ("problems", "问" * 2001),
        ("problems", "问" * 100_000),
        ("visited_on", "yesterday"),
        ("community", "abc"),
        ("community", "-1"),
        ("purpose", "目" * 201),
    ],
)
def test_visit_create_bad_input_saves_nothing(en_client, world, field, value):
    en_client.force_login(world.official)

    response = en_client.post(
        reverse("engagement:visit_create"), _visit_post(world, **{field: value})
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not GuidanceVisit.objects.exists()
    assert not GuidanceVisitor.objects.exists()


def test_visit_record_is_all_or_nothing(world):
    with pytest.raises(ValidationError):
        _visit(world, problems=["楼道杂物未清理", ""])

    assert not GuidanceVisit.objects.exists()
    assert not GuidanceVisitor.objects.exists()
    assert not GuidanceProblem.objects.exists()


# The list of visits


def test_visit_list_official_sees_the_districts_visits(en_client, world):
    _visit(world, "a", purpose="清福检查")
    _visit(world, "b", purpose="花园检查")
    en_client.force_login(world.official)

    content = en_client.get(reverse("engagement:visit_list")).content.decode()

    assert "清福检查" in content
    assert "花园检查" in content
    assert "Record a visit" in content


@pytest.mark.parametrize("role", ["secretary", "cadre", "head"])
def test_visit_list_community_roles_see_only_their_community(en_client, world, role):
    _visit(world, "a", purpose="清福检查")
    _visit(world, "b", purpose="花园检查")
    en_client.force_login(getattr(world.b, role))

    content = en_client.get(reverse("engagement:visit_list")).content.decode()

    assert "花园检查" in content
    assert "清福检查" not in content
    assert "Record a visit" not in content


def test_visit_list_shows_visitors_and_open_of_total_problems(en_client, world):
    visit = _visit(world, problems=["问题甲", "问题乙"])
    services.problem_close(
        problem=visit.problems.get(description="问题甲"),
        fixed_by="社区",
        fixed_on=_today(),
        resolution="已整改",
        by=world.a.secretary,
    )
    en_client.force_login(world.a.secretary)

    response = en_client.get(reverse("engagement:visit_list"))

    (row,) = response.context["object_list"]
    assert (row.open_count, row.problem_count) == (1, 2)
    content = response.content.decode()
    assert "1 of 2 open" in content
    assert "区委常委、组织部长" in content


def test_visit_list_filters_by_community_dates_and_open_problems(en_client, world):
    old = _visit(world, "a", days_ago=100, purpose="早先检查")
    recent = _visit(world, "a", days_ago=5, purpose="最近检查", problems=[])
    other = _visit(world, "b", days_ago=5, purpose="花园检查")
    en_client.force_login(world.official)
    url = reverse("engagement:visit_list")

    def listed(**params):
        return {v.pk for v in en_client.get(url, params).context["object_list"]}

    assert listed(community=world.a.community.pk) == {old.pk, recent.pk}
    assert listed(visited_from=(_today() - timedelta(days=10)).isoformat()) == {
        recent.pk,
        other.pk,
    }
    assert listed(visited_until=(_today() - timedelta(days=50)).isoformat()) == {old.pk}
    assert listed(open_problems="true") == {old.pk, other.pk}
    assert listed(open_problems="false") == {recent.pk}
    assert listed(visited_from="garbage", community="x") == {old.pk, recent.pk, other.pk}


# One visit


def test_visit_detail_shows_visitors_problems_and_close_out_for_the_secretary(en_client, world):
    visit = _visit(world, notes="看了三号楼")
    problem = visit.problems.get()
    en_client.force_login(world.a.secretary)

    content = en_client.get(visit.get_absolute_url()).content.decode()

    assert "王毅" in content
    assert "区委常委、组织部长" in content
    assert "看了三号楼" in content
    assert problem.description in content
    assert reverse("engagement:problem_close", args=[problem.pk]) in content
    assert reverse("engagement:visit_update", args=[visit.pk]) not in content


def test_visit_detail_cadre_reads_without_close_out(en_client, world):
    visit = _visit(world)
    en_client.force_login(world.a.cadre)

    content = en_client.get(visit.get_absolute_url()).content.decode()

    assert visit.problems.get().description in content
    assert "/close/" not in content


def test_visit_detail_hidden_from_another_community(en_client, world):
    visit = _visit(world)
    en_client.force_login(world.b.secretary)

    response = en_client.get(visit.get_absolute_url())

    assert response.status_code == 404


# Editing a visit and adding problems


def test_visit_update_replaces_visitors_and_keeps_problems(en_client, world):
    visit = _visit(world)
    en_client.force_login(world.official)
    page = en_client.get(reverse("engagement:visit_update", args=[visit.pk]))

    response = en_client.post(
        reverse("engagement:visit_update", args=[visit.pk]),
        {
            "visited_on": visit.visited_on.isoformat(),
            "visitors": "李强 市委组织部副部长",
            "purpose": "复查",
            "notes": "",
        },
    )

    visit.refresh_from_db()
    assert page.context["form"].initial["visitors"] == "王毅 区委常委、组织部长\n刘明 区委副书记"
    assert response.status_code == 302
    assert visit.purpose == "复查"
    assert list(visit.visitors.values_list("name", "title")) == [("李强", "市委组织部副部长")]
    assert visit.problems.count() == 1
    assert "Visit saved." in _messages(response)


def test_visit_update_refused_to_the_secretary(en_client, world):
    visit = _visit(world)
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:visit_update", args=[visit.pk]),
        {"visited_on": visit.visited_on.isoformat(), "visitors": "李强", "purpose": "改"},
    )

    visit.refresh_from_db()
    assert response.status_code == 403
    assert visit.purpose == "指导楼道文化建设"


def test_visit_update_official_of_another_district_gets_404(en_client, world):
    visit = _visit(world)
    en_client.force_login(_other_district_official())

    response = en_client.get(reverse("engagement:visit_update", args=[visit.pk]))

    assert response.status_code == 404


def test_problem_create_adds_an_open_problem(en_client, world):
    visit = _visit(world, problems=[])
    en_client.force_login(world.official)
    due = (_today() + timedelta(days=30)).isoformat()

    response = en_client.post(
        reverse("engagement:problem_create", args=[visit.pk]),
        {"description": "宣传栏内容陈旧", "due_on": due},
    )

    problem = visit.problems.get()
    assert response.url == f"{visit.get_absolute_url()}#problem-{problem.pk}"
    assert (problem.description, problem.status, problem.due_on.isoformat()) == (
        "宣传栏内容陈旧",
        "open",
        due,
    )


def test_problem_create_due_before_the_visit_refused(en_client, world):
    visit = _visit(world, problems=[])
    en_client.force_login(world.official)

    response = en_client.post(
        reverse("engagement:problem_create", args=[visit.pk]),
        {"description": "宣传栏内容陈旧", "due_on": (visit.visited_on - timedelta(days=1))},
    )

    assert "due_on" in response.context["form"].errors
    assert not visit.problems.exists()


def test_problem_create_refused_to_the_secretary(en_client, world):
    visit = _visit(world, problems=[])
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:problem_create", args=[visit.pk]), {"description": "宣传栏"}
    )

    assert response.status_code == 403
    assert not visit.problems.exists()


# Closing out


@pytest.mark.parametrize("closer", ["secretary", "official"])
def test_problem_close_records_who_when_and_how(en_client, world, closer):
    problem = _visit(world).problems.get()
    user = world.official if closer == "official" else world.a.secretary
    en_client.force_login(user)

    response = en_client.post(reverse("engagement:problem_close", args=[problem.pk]), _close_post())

    problem.refresh_from_db()
    assert response.url == problem.get_absolute_url()
    assert problem.status == GuidanceProblem.Status.CLOSED
    assert (problem.fixed_by, problem.fixed_on) == ("清福社区居委会", _today())
    assert problem.resolution == "组织志愿者清理，并排定值日表"
    assert problem.closed_by == user
    assert "Problem closed out." in _messages(response)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fixed_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "fixed_on"),
        ({"fixed_on": "2000-01-01"}, "fixed_on"),
        ({"fixed_on": "not a date"}, "fixed_on"),
        ({"fixed_by": "   "}, "fixed_by"),
        ({"resolution": ""}, "resolution"),
        ({"resolution": "改" * 2001}, "resolution"),
    ],
)
def test_problem_close_bad_input_keeps_it_open(en_client, world, data, field):
    problem = _visit(world).problems.get()
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:problem_close", args=[problem.pk]), _close_post(**data)
    )

    problem.refresh_from_db()
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert problem.status == GuidanceProblem.Status.OPEN
    assert problem.fixed_by == ""


def test_problem_close_fixed_before_the_visit_says_so(en_client, world):
    problem = _visit(world, days_ago=10).problems.get()
    en_client.force_login(world.a.secretary)
    before = (_today() - timedelta(days=11)).isoformat()

    response = en_client.post(
        reverse("engagement:problem_close", args=[problem.pk]), _close_post(fixed_on=before)
    )

    assert response.context["form"].errors["fixed_on"] == [
        "A problem cannot be fixed before the visit that raised it."
    ]


def test_problem_close_already_closed_says_so_and_saves_nothing(en_client, world):
    problem = _visit(world).problems.get()
    services.problem_close(
        problem=problem,
        fixed_by="第一次",
        fixed_on=_today(),
        resolution="已整改",
        by=world.official,
    )
    en_client.force_login(world.a.secretary)

    response = en_client.post(
        reverse("engagement:problem_close", args=[problem.pk]), _close_post(fixed_by="第二次")
    )

    problem.refresh_from_db()
    assert response.status_code == 302
    assert "This problem has already been closed out." in _messages(response)
    assert (problem.fixed_by, problem.closed_by) == ("第一次", world.official)


@pytest.mark.parametrize(("role", "status"), [("cadre", 403), ("head", 403)])
def test_problem_close_refused_to_cadres_and_heads(en_client, world, role, status):
    problem = _visit(world).problems.get()
    en_client.force_login(getattr(world.a, role))

    response = en_client.post(reverse("engagement:problem_close", args=[problem.pk]), _close_post())

    problem.refresh_from_db()
    assert response.status_code == status
    assert problem.is_open


def test_problem_close_other_community_secretary_gets_404(en_client, world):
    problem = _visit(world).problems.get()
    en_client.force_login(world.b.secretary)

    response = en_client.post(reverse("engagement:problem_close", args=[problem.pk]), _close_post())

    problem.refresh_from_db()
    assert response.status_code == 404
    assert problem.is_open


# The list of problems


def test_problem_list_shows_open_problems_oldest_first_with_days_open(en_client, world):
    recent = _visit(world, days_ago=3, problems=["最近的问题"]).problems.get()
    old = _visit(world, days_ago=40, problems=["早先的问题"]).problems.get()
    closed = _visit(world, days_ago=60, problems=["已解决的问题"]).problems.get()
    services.problem_close(
        problem=closed, fixed_by="社区", fixed_on=_today(), resolution="已整改", by=world.official
    )
    en_client.force_login(world.official)

    response = en_client.get(reverse("engagement:problem_list"))

    assert [p.pk for p in response.context["object_list"]] == [old.pk, recent.pk]
    content = response.content.decode()
    assert "open 40 days" in content
    assert "已解决的问题" not in content


def test_problem_list_filters_status_and_community(en_client, world):
    open_a = _visit(world, "a").problems.get()
    open_b = _visit(world, "b").problems.get()
    closed_a = _visit(world, "a", problems=["已解决"]).problems.get()
    services.problem_close(
        problem=closed_a, fixed_by="社区", fixed_on=_today(), resolution="已整改", by=world.official
    )
    en_client.force_login(world.official)
    url = reverse("engagement:problem_list")

    def listed(**params):
        return {p.pk for p in en_client.get(url, params).context["object_list"]}

    assert listed() == {open_a.pk, open_b.pk}
    assert listed(status="closed") == {closed_a.pk}
    assert listed(status="all", community=world.a.community.pk) == {open_a.pk, closed_a.pk}
    assert listed(status="bogus") == {open_a.pk, open_b.pk}


def test_problem_list_secretary_sees_only_their_community(en_client, world):
    _visit(world, "a", problems=["清福的问题"])
    _visit(world, "b", problems=["花园的问题"])
    en_client.force_login(world.b.secretary)

    content = en_client.get(reverse("engagement:problem_list")).content.decode()

    assert "花园的问题" in content
    assert "清福的问题" not in content
