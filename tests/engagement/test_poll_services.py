"""Poll services: creating, counting ballots in per option and building, results, closing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from engagement import services
from engagement.models import Poll, PollOption, PollTally
from tests import factories


def _poll(world, options=("书画展", "摄影展", "诗词会")):
    return services.poll_create(
        community=world.a.community,
        question="居民最喜欢哪种楼道文化活动？",
        opens_on=date(2026, 3, 20),
        options=options,
        by=world.a.secretary,
    )


def _ids(poll) -> list[int]:
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def _count(world, poll, building, *counts):
    votes = dict(zip(_ids(poll), counts, strict=False))
    return services.poll_count_in(poll=poll, building=building, votes=votes, by=world.a.secretary)


def _totals(poll) -> dict[str, int]:
    return {o.label: o.total for o in services.poll_results(poll)["options"]}


def test_poll_create_keeps_options_in_order(world):
    poll = _poll(world, options=[" 摄影展 ", "", "书画展"])

    assert list(poll.options.order_by("position").values_list("label", flat=True)) == [
        "摄影展",
        "书画展",
    ]
    assert poll.created_by == world.a.secretary


def test_poll_create_one_option_saves_nothing(world):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _poll(world, options=["书画展", "  "])

    assert error.value.messages == ["A poll needs at least two options."]
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["书画展", "书画展"], "The option “书画展” is listed twice."),
        (["书画展", "长" * 51], "An option may have at most 50 characters."),
        ([f"选项{i}" for i in range(21)], "A poll may have at most 20 options."),
    ],
)
def test_poll_create_bad_options_refused(world, options, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _poll(world, options=options)

    assert error.value.messages == [message]
    assert not Poll.objects.exists()


def test_poll_create_cadre_refused(world):
    with pytest.raises(PermissionDenied):
        services.poll_create(
            community=world.a.community,
            question="问题",
            opens_on=date(2026, 3, 20),
            options=["甲", "乙"],
            by=world.a.cadre,
        )

    assert not Poll.objects.exists()


def test_poll_count_in_sums_per_option_over_buildings(world):
    poll = _poll(world)

    _count(world, poll, world.a.building, 12, 5, 0)
    _count(world, poll, world.a.section_building, 3, 9, 1)
    _count(world, poll, None, 2, 0, 4)

    assert _totals(poll) == {"书画展": 17, "摄影展": 14, "诗词会": 5}
    assert services.poll_results(poll)["ballots"] == 36


def test_poll_count_in_results_per_building(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)
    _count(world, poll, None, 2, 0, 4)

    rows = services.poll_results(poll)["by_building"]

    by_building = {row["building"].pk if row["building"] else None: row for row in rows}
    assert by_building[world.a.building.pk]["cells"] == [12, 5, 0]
    assert by_building[world.a.building.pk]["total"] == 17
    assert by_building[None]["cells"] == [2, 0, 4]
    assert by_building[None]["total"] == 6


def test_poll_count_in_overwrites_the_building_count(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)

    _count(world, poll, world.a.building, 10, 6, 1)

    assert _totals(poll) == {"书画展": 10, "摄影展": 6, "诗词会": 1}
    assert PollTally.objects.filter(building=world.a.building).count() == 3


def test_poll_count_in_options_left_out_keep_their_count(world):
    poll = _poll(world)
    first, second, third = _ids(poll)
    _count(world, poll, world.a.building, 12, 5, 7)

    services.poll_count_in(
        poll=poll, building=world.a.building, votes={second: 8}, by=world.a.secretary
    )

    assert _totals(poll) == {"书画展": 12, "摄影展": 8, "诗词会": 7}


def test_poll_results_winner_marked(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 3)

    results = services.poll_results(poll)

    assert [o.label for o in results["winners"]] == ["书画展"]
    assert [o.share for o in results["options"]] == [60, 25, 15]


def test_poll_results_tie_names_every_tied_option(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 7, 7, 2)

    winners = services.poll_results(poll)["winners"]

    assert [o.label for o in winners] == ["书画展", "摄影展"]


def test_poll_results_no_ballots_no_winner(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 0, 0, 0)

    results = services.poll_results(poll)

    assert results["winners"] == []
    assert results["ballots"] == 0
    assert [o.share for o in results["options"]] == [0, 0, 0]


def test_poll_close_then_tallies_refused(world):
    poll = _poll(world)
    _count(world, poll, world.a.building, 12, 5, 0)

    services.poll_close(poll=poll, by=world.a.secretary)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _count(world, poll, world.a.building, 1, 1, 1)
    assert error.value.messages == ["This poll is closed: its tallies can no longer change."]
    assert _totals(poll) == {"书画展": 12, "摄影展": 5, "诗词会": 0}
    poll.refresh_from_db()
    assert poll.is_closed
    assert poll.closed_by == world.a.secretary
    assert poll.closed_at is not None


def test_poll_close_twice_refused(world):
    poll = _poll(world)
    services.poll_close(poll=poll, by=world.a.secretary)

    with pytest.raises(ValidationError):
        services.poll_close(poll=poll, by=world.a.secretary)


def test_poll_close_other_secretary_refused(world):
    poll = _poll(world)

    with pytest.raises(PermissionDenied):
        services.poll_close(poll=poll, by=world.b.secretary)

    poll.refresh_from_db()
    assert not poll.is_closed


def test_poll_count_in_building_of_other_community_refused(world):
    poll = _poll(world)

    with pytest.raises(ValidationError):
        _count(world, poll, world.b.building, 1, 2, 3)

    assert not PollTally.objects.exists()


def test_poll_count_in_option_of_other_poll_refused(world):
    poll = _poll(world)
    other = factories.PollFactory(community=world.a.community, created_by=world.a.secretary)
    foreign = other.options.first()

    with pytest.raises(ValidationError):
        services.poll_count_in(
            poll=poll,
            building=world.a.building,
            votes={_ids(poll)[0]: 4, foreign.pk: 9},
            by=world.a.secretary,
        )

    assert not PollTally.objects.exists()


@pytest.mark.parametrize("count", [-1, "3", 2.5, True, 1_000_001])
def test_poll_count_in_bad_count_refused(world, count):
    poll = _poll(world)

    with pytest.raises(ValidationError):
        services.poll_count_in(
            poll=poll,
            building=world.a.building,
            votes={_ids(poll)[0]: 4, _ids(poll)[1]: count},
            by=world.a.secretary,
        )

    assert not PollTally.objects.exists()


@pytest.mark.parametrize("role", ["cadre", "head"])
def test_poll_count_in_readers_refused(world, role):
    poll = _poll(world)

    with pytest.raises(PermissionDenied):
        services.poll_count_in(
            poll=poll,
            building=world.a.building,
            votes={_ids(poll)[0]: 4},
            by=getattr(world.a, role),
        )

    assert not PollTally.objects.exists()
