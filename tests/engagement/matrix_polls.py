"""Matrix rows and query-budget pages of the engagement polls pages.

``ROWS`` joins tests/test_matrix.py's MATRIX; ``PAGES`` joins tests/test_query_budgets.py's
PAGES, ``SEEDED`` its SEEDED (budgets themselves stay in tests/budgets.py).
"""

from datetime import date

from tests.matrix_roles import POST_ONLY, READ_COMMUNITY, WRITE_COMMUNITY, _all

MANY = 40


def matrix_poll(world):
    """An open poll of side A (书画展 / 摄影展) with ballots counted in side A's building and
    unattributed ones, made through the services by side A's secretary; made once per
    world and kept on it."""
    cached = getattr(world, "matrix_poll", None)
    if cached is not None:
        return cached
    from engagement import services

    by = world.a.secretary
    poll = services.poll_create(
        community=world.a.community,
        question="居民最喜欢哪种楼道文化活动？",
        opens_on=date(2026, 3, 20),
        options=["书画展", "摄影展"],
        by=by,
    )
    first, second = poll.options.order_by("position")
    services.poll_count_in(
        poll=poll, building=world.a.building, votes={first.pk: 12, second.pk: 5}, by=by
    )
    services.poll_count_in(poll=poll, building=None, votes={first.pk: 3, second.pk: 1}, by=by)
    world.matrix_poll = poll
    return poll


def _poll_kwargs(world):
    return {"pk": matrix_poll(world).pk}


def _no_kwargs_with_poll(world):
    matrix_poll(world)
    return {}


def _grow_polls(world):
    """Polls of side A, each with three options and ballots in side A's building."""

    def grow():
        from engagement import services

        by = world.a.secretary
        for i in range(MANY):
            poll = services.poll_create(
                community=world.a.community,
                question=f"新投票{i}",
                opens_on=date(2026, 4, 1),
                options=["书画展", "摄影展", "诗词会"],
                by=by,
            )
            ids = list(poll.options.order_by("position").values_list("pk", flat=True))
            services.poll_count_in(
                poll=poll,
                building=world.a.building,
                votes={ids[0]: i, ids[1]: 2, ids[2]: 1},
                by=by,
            )

    return grow


def _grow_building_tallies(world):
    """Forty new buildings of side A, each with ballots counted for the matrix poll."""

    def grow():
        from engagement import services
        from tests import factories

        by = world.a.secretary
        poll = matrix_poll(world)
        ids = list(poll.options.order_by("position").values_list("pk", flat=True))
        for i in range(MANY):
            building = factories.BuildingFactory(
                community=world.a.community, compound="新区", number=str(100 + i)
            )
            services.poll_count_in(
                poll=poll, building=building, votes={ids[0]: i, ids[1]: 1}, by=by
            )

    return grow


ROWS: list = [
    ("engagement:poll_list", "", _no_kwargs_with_poll, _all(200)),
    (
        "engagement:poll_create",
        "",
        lambda w: {"community_pk": w.a.community.pk},
        WRITE_COMMUNITY,
    ),
    ("engagement:poll_detail", "", _poll_kwargs, READ_COMMUNITY),
    ("engagement:poll_count", "", _poll_kwargs, WRITE_COMMUNITY),
    ("engagement:poll_close", "GET is refused", _poll_kwargs, POST_ONLY),
]


def _grow_campaigns(world):
    """Campaigns of side A: the poll form offers them."""

    def grow():
        from tests import factories

        for i in range(MANY):
            factories.CampaignFactory(
                community=world.a.community, created_by=world.a.secretary, title=f"新征求{i}"
            )

    return grow


PAGES: dict = {
    "engagement:poll_list": ("sec_a", _no_kwargs_with_poll, _grow_polls, lambda w: "新投票39"),
    "engagement:poll_detail": (
        "sec_a",
        _poll_kwargs,
        _grow_building_tallies,
        lambda w: "新区139号楼",
    ),
    "engagement:poll_create": (
        "sec_a",
        lambda w: {"community_pk": matrix_poll(w).community_id},
        _grow_campaigns,
        lambda w: "新征求39",
    ),
    # The count form lists the community's buildings with the ballots counted in each.
    "engagement:poll_count": (
        "sec_a",
        _poll_kwargs,
        _grow_building_tallies,
        lambda w: "新区139号楼",
    ),
}

SEEDED: dict = {}
