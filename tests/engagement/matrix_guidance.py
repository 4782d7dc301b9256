"""Matrix rows and query-budget pages of the engagement guidance pages.

``ROWS`` joins tests/test_matrix.py's MATRIX; ``PAGES`` joins tests/test_query_budgets.py's
PAGES, ``SEEDED`` its SEEDED (budgets themselves stay in tests/budgets.py).
"""

from datetime import date, timedelta

from tests import factories
from tests.matrix_roles import LOGIN, READ_COMMUNITY, WRITE_COMMUNITY, _all

MANY = 40

# District officials of the community's district record, edit and add problems; people
# of the community read the visit (403), other communities do not see it (404).
WRITE_VISIT = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 200,
    "sec_a": 403,
    "cadre_a": 403,
    "head_a": 403,
    "sec_b": 404,
    "superuser": 200,
}
# Recording a new visit: only district officials (and superusers); no record to hide.
RECORD_VISIT = _all(403) | {"official": 200, "superuser": 200}
# Closing out a problem: the community's secretary or a district official.
CLOSE_PROBLEM = WRITE_VISIT | {"sec_a": 200}


def matrix_guidance(world):
    """A visit to side A by two officials with one open problem, recorded through the
    services by the district official; made once per world and kept on it."""
    cached = getattr(world, "matrix_guidance", None)
    if cached is not None:
        return cached
    from types import SimpleNamespace

    from engagement import services

    visit = services.visit_record(
        community=world.a.community,
        visited_on=date(2026, 4, 8),
        purpose="指导楼道文化建设",
        visitors=[("王毅", "区委常委、组织部长"), ("刘明", "区委副书记")],
        problems=["三号楼楼道杂物未清理"],
        by=world.official,
    )
    world.matrix_guidance = SimpleNamespace(visit=visit, problem=visit.problems.get())
    return world.matrix_guidance


def _visit(world):
    return {"pk": matrix_guidance(world).visit.pk}


def _problem(world):
    return {"pk": matrix_guidance(world).problem.pk}


ROWS: list = [
    ("engagement:visit_list", "", lambda w: {}, _all(200)),
    ("engagement:visit_create", "", lambda w: {}, RECORD_VISIT),
    ("engagement:visit_detail", "", _visit, READ_COMMUNITY),
    ("engagement:visit_update", "", _visit, WRITE_VISIT),
    ("engagement:problem_create", "", _visit, WRITE_VISIT),
    ("engagement:problem_list", "", lambda w: {}, _all(200)),
    ("engagement:problem_close", "open problem", _problem, CLOSE_PROBLEM),
    ("communities:leading_group", "", lambda w: {"pk": w.a.community.pk}, WRITE_COMMUNITY),
]


def _no_kwargs_with_visit(world):
    matrix_guidance(world)
    return {}


def _grow_visits(world):
    """Visits to side A through the services, each with three visitors and two problems,
    one of them closed out."""

    def grow():
        from engagement import services

        for i in range(MANY):
            visit = services.visit_record(
                community=world.a.community,
                visited_on=date(2026, 3, 1) + timedelta(days=i),
                purpose=f"新视察{i}",
                visitors=[(f"领导{i}", "区委常委"), ("刘明", "区委副书记"), ("张华", "")],
                problems=[f"新问题{i}", f"旧问题{i}"],
                by=world.official,
            )
            services.problem_close(
                problem=visit.problems.get(description=f"旧问题{i}"),
                fixed_by="清福社区",
                fixed_on=date(2026, 4, 30),
                resolution="已整改",
                by=world.a.secretary,
            )

    return grow


def _grow_problems(world):
    """Problems added to the matrix visit through the services, some closed out."""

    def grow():
        from engagement import services

        visit = matrix_guidance(world).visit
        for i in range(MANY):
            problem = services.problem_add(visit=visit, description=f"新问题{i}", by=world.official)
            if i % 4 == 0:
                services.problem_close(
                    problem=problem,
                    fixed_by="清福社区",
                    fixed_on=date(2026, 4, 30),
                    resolution="已整改",
                    by=world.a.secretary,
                )

    return grow


def grow_community_page(world):
    """What the community page shows grows: buildings with tagged residents of known age,
    open problems of an older visit, theme rules, and a poll with counted ballots."""

    def grow():
        from engagement import services

        for i in range(MANY):
            building = factories.BuildingFactory(
                community=world.a.community, compound="新区", number=str(100 + i)
            )
            factories.ResidentFactory(household__unit__building=building)
        tags = [
            factories.ResidentTagFactory(code=f"page-tag-{i}", name=f"页面标签{i}")
            for i in range(4)
        ]
        for i in range(MANY):
            resident = factories.ResidentFactory(household=world.a.household, birth_year=1940 + i)
            resident.tags.add(tags[i % 4])
            factories.ThemeRuleFactory(tag=tags[i % 4], min_share=1, themes=f"主题{i}")
        visit = services.visit_record(
            community=world.a.community,
            visited_on=date(2020, 1, 1),
            purpose="督导",
            visitors=[("王毅", "区委常委")],
            problems=[f"积压问题{i}" for i in range(MANY // 2)],
            by=world.official,
        )
        for i in range(MANY // 2):
            services.problem_add(visit=visit, description=f"补充问题{i}", by=world.official)
        poll = factories.PollFactory(community=world.a.community, created_by=world.a.secretary)
        option = poll.options.first()
        services.poll_count_in(
            poll=poll, building=world.a.building, votes={option.pk: 12}, by=world.a.secretary
        )

    return grow


def _grow_district(world):
    """Communities of the official's district: the visit form offers them."""

    def grow():
        for i in range(MANY):
            factories.CommunityFactory(
                district=world.district, name=f"新社区{i}", code=f"visit-{i}"
            )

    return grow


def _grow_visitors(world):
    """Forty more visitors on the matrix visit: the edit form lists them one a line."""

    def grow():
        from engagement.models import GuidanceVisitor

        visit = matrix_guidance(world).visit
        for i in range(MANY):
            GuidanceVisitor.objects.create(
                visit=visit, name=f"访客{i}", title="区委常委", position=10 + i
            )

    return grow


PAGES: dict = {
    "engagement:visit_list": (
        "official",
        _no_kwargs_with_visit,
        _grow_visits,
        lambda w: "领导39",
    ),
    "engagement:visit_detail": ("sec_a", _visit, _grow_problems, lambda w: "新问题39"),
    "engagement:problem_list": (
        "official",
        _no_kwargs_with_visit,
        _grow_visits,
        lambda w: "新问题0",
    ),
    "engagement:visit_create": (
        "official",
        _no_kwargs_with_visit,
        _grow_district,
        lambda w: "新社区39",
    ),
    "engagement:visit_update": ("official", _visit, _grow_visitors, lambda w: "访客39"),
    "engagement:problem_create": (
        "official",
        _visit,
        _grow_problems,
        lambda w: w.a.community.name,
    ),
    "engagement:problem_close": (
        "sec_a",
        _problem,
        _grow_problems,
        lambda w: matrix_guidance(w).problem.description,
    ),
}

SEEDED: dict = {}
