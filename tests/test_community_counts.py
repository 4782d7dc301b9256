"""The counts of the community list: cached under each community's data version for those
who see a whole community, always equal to a count of the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buildings.models import Household, Resident
from communities.models import Community, DataVersion
from corridor_portal.views import COUNTS, attach_counts, with_counts
from tests import factories


def _listed(client, user):
    client.force_login(user)
    response = client.get(reverse("portal:community_list"))
    assert response.status_code == 200
    return {
        c.pk: {name: getattr(c, name) for name in COUNTS} for c in response.context["object_list"]
    }


def _recount(user):
    rows = with_counts(Community.objects.visible_to(user), user).values("pk", *COUNTS)
    return {row.pop("pk"): row for row in rows}


@pytest.mark.django_db
def test_counts_follow_every_write_and_equal_a_recount(client, world):
    official, a = world.official, world.a
    assert _listed(client, official) == _recount(official)

    factories.ResidentFactory(household=a.household, is_party_member=True)
    Resident.objects.bulk_create([Resident(household=a.household, name="批量")])
    assert _listed(client, official) == _recount(official)
    assert _listed(client, official)[a.community.pk]["party_member_count"] >= 1

    unit = factories.UnitFactory(building=factories.BuildingFactory(community=a.community))
    factories.HouseholdFactory(unit=unit)
    Household.objects.filter(unit=unit).delete()
    assert _listed(client, official) == _recount(official)


@pytest.mark.django_db
def test_a_second_visit_takes_the_counts_from_the_cache(world):
    official = world.official
    communities = list(
        Community.objects.visible_to(official).annotate(data_version=DataVersion.of("pk"))
    )
    attach_counts(communities, official)
    with CaptureQueriesContext(connection) as captured:
        attach_counts(communities, official)
    assert len(captured) == 0


@pytest.mark.django_db
def test_a_building_head_gets_counts_of_their_own_rows(world):
    """Not the cached whole-community counts: a head sees their building only."""
    head, a = world.a.head, world.a
    factories.ResidentFactory(household=a.household)
    other = factories.HouseholdFactory(
        unit=factories.UnitFactory(building=factories.BuildingFactory(community=a.community))
    )
    factories.ResidentFactory(household=other)
    communities = list(
        Community.objects.filter(pk=a.community.pk).annotate(data_version=DataVersion.of("pk"))
    )
    attach_counts(communities, world.official)  # fills the cache with everyone's counts
    mine = list(
        Community.objects.filter(pk=a.community.pk).annotate(data_version=DataVersion.of("pk"))
    )
    attach_counts(mine, head)
    assert mine[0].resident_count == _recount(head)[a.community.pk]["resident_count"]
    assert mine[0].resident_count < communities[0].resident_count
