"""``manage.py generate_scale`` at the small scale: the counts of every level, every row inside
its community, the same data for the same seed, and the refusal of a database that holds
records the generator did not write."""

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Q

from buildings.models import (
    Building,
    Donation,
    DutyRoster,
    DutyShift,
    Expense,
    Fund,
    Household,
    Resident,
    RosterExemption,
    RosterOrder,
    RosterSlot,
    Unit,
)
from communities.models import Community, District, Membership, Section, User
from corridor_portal import scale as scales
from engagement.models import (
    Campaign,
    GuidanceProblem,
    GuidanceVisit,
    GuidanceVisitor,
    Poll,
    PollOption,
    PollTally,
    Suggestion,
    Symposium,
)
from exhibits.models import (
    BeforeAfterPair,
    Corridor,
    Exhibit,
    ExhibitPhoto,
    ExhibitPlacement,
    ExhibitTransition,
)

SMALL = scales.SCALES["small"]
TODAY = "2026-05-01"

pytestmark = pytest.mark.django_db


def generate(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "generate_scale", "--scale", "small", "--today", TODAY, *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "communities": Community.objects.count(),
        "buildings": Building.objects.count(),
        "units": Unit.objects.count(),
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "corridors": Corridor.objects.count(),
        "exhibits": Exhibit.objects.count(),
        "funds": Fund.objects.count(),
        "donations": Donation.objects.count(),
        "duty rosters": DutyRoster.objects.count(),
        "duty shifts": DutyShift.objects.count(),
    }


def digest() -> str:
    """A digest of the natural fields (no ids, no password hashes) of the main tables."""
    unit = ("unit__building__community__code", "unit__building__compound")
    unit += ("unit__building__number", "unit__number")
    tables = [
        User.objects.values_list("username", "full_name", "is_active"),
        Community.objects.values_list("code", "name", "org_kind", "theme", "target_corridors"),
        Household.objects.values_list(*unit, "room", "occupancy"),
        Resident.objects.values_list(
            *(f"household__{path}" for path in unit),
            "household__room",
            "name",
            "phone",
            "is_party_member",
            "birth_year",
            "tags__code",
        ),
        Corridor.objects.values_list(*unit, "theme", "status", "public_slug", "updated_at"),
        Exhibit.objects.values_list(
            *(f"corridor__{path}" for path in unit),
            "kind",
            "title",
            "status",
            "status_changed_at",
            "creator_resident__name",
            "floor",
        ),
        Donation.objects.values_list(
            "fund__building__compound",
            "fund__building__number",
            "fund__unit__number",
            "fund__purpose",
            "kind",
            "amount",
            "date",
            "receipt_no",
            "token",
            "donor_household__room",
            "donor_resident__name",
            "donor_name",
            "reverses__receipt_no",
        ),
        Expense.objects.values_list("fund__purpose", "item", "amount", "date", "token"),
        DutyShift.objects.values_list(
            *(f"roster__{path}" for path in unit), "starts_on", "household__room", "status"
        ),
        Suggestion.objects.values_list("community__code", "channel", "received_on", "status"),
        GuidanceProblem.objects.values_list("visit__visited_on", "description", "status"),
    ]
    text = repr([sorted(map(repr, rows)) for rows in tables])
    return hashlib.sha256(text.encode()).hexdigest()


def test_generate_scale_small_writes_every_level_as_the_scale_says():
    out, err = generate()

    assert counts() == SMALL.counts()
    assert counts()["households"] == 96 and counts()["residents"] == 240
    assert Donation.objects.filter(reverses__isnull=False).count() == SMALL.reversals > 0
    # Every kind of record is there, in a mix of statuses.
    for model in (
        Section,
        ExhibitTransition,
        ExhibitPlacement,
        ExhibitPhoto,
        BeforeAfterPair,
        Expense,
        RosterOrder,
        RosterSlot,
        RosterExemption,
        Campaign,
        Symposium,
        Suggestion,
        Poll,
        PollOption,
        PollTally,
        GuidanceVisit,
        GuidanceVisitor,
        GuidanceProblem,
    ):
        assert model.objects.exists(), model.__name__
    assert set(Membership.objects.values_list("role", flat=True)) == {
        "official",
        "secretary",
        "cadre",
        "head",
    }
    assert set(Household.objects.values_list("occupancy", flat=True)) >= {"owner", "vacant"}
    assert len(set(Exhibit.objects.values_list("status", flat=True))) >= 3
    assert set(Corridor.objects.values_list("status", flat=True)) >= {"certified"}
    assert set(Donation.objects.values_list("kind", flat=True)) == {"money", "labour", "goods"}
    assert set(Fund.objects.exclude(quota=None).values_list("quota", flat=True)) == {300, 570}
    assert Resident.objects.filter(is_party_member=True).exists()
    assert Resident.objects.filter(tags__isnull=False).exists()
    assert Resident.objects.exclude(phone="").exists()
    assert all(
        "\u4e00" <= name[0] <= "\u9fff" for name in Resident.objects.values_list("name", flat=True)
    )
    assert DutyShift.objects.filter(status="done").exists()
    assert DutyShift.objects.filter(status="upcoming").exists()
    # The output shows each step's progress, and the logins with their password.
    assert "Step 6/6 done: listening and guidance" in err
    assert "residents: 240 / 240 (100%)" in err
    assert "duty shifts: 960 / 960 (100%)" in err
    assert "scale-official" in out and "scale-secretary-01" in out and "corridor-scale" in out
    official = User.objects.get(username="scale-official")
    assert official.check_password("corridor-scale")


def test_generate_scale_small_shares_a_few_stored_photos():
    generate()

    names = set(ExhibitPhoto.objects.values_list("image", flat=True))
    assert 1 < len(names) <= len(scales.PHOTO_KINDS) < ExhibitPhoto.objects.count()
    for photo in ExhibitPhoto.objects.distinct().values("image", "thumb_small", "thumb_large"):
        for name in photo.values():
            assert default_storage.exists(name), name
    pair = BeforeAfterPair.objects.first()
    assert default_storage.exists(pair.before_image) and default_storage.exists(pair.after_thumb)


def test_generate_scale_small_keeps_every_row_inside_its_community():
    generate()
    community = "household__unit__building__community"
    outside = {
        "section of a building": Building.objects.exclude(section__community=F("community")),
        "head of a building": Building.objects.filter(head__isnull=False).exclude(
            head__memberships__community=F("community"), head__memberships__role="head"
        ),
        "section of a cadre": Membership.objects.filter(role="cadre").exclude(
            section__community=F("community")
        ),
        "district of a membership": Membership.objects.exclude(community=None).exclude(
            community__district=F("district")
        ),
        "unit of a fund": Fund.objects.exclude(unit=None).exclude(unit__building=F("building")),
        "leader of a fund": Fund.objects.exclude(leader=None).exclude(
            leader__is_party_member=True,
            **{f"leader__{community}": F("building__community")},
        ),
        "donor household": Donation.objects.exclude(donor_household=None).exclude(
            donor_household__unit__building=F("fund__building")
        ),
        "donor household of a unit's fund": Donation.objects.exclude(fund__unit=None)
        .exclude(donor_household=None)
        .exclude(donor_household__unit=F("fund__unit")),
        "donor resident": Donation.objects.exclude(donor_resident=None).exclude(
            donor_resident__household__unit__building=F("fund__building")
        ),
        "raised by": Donation.objects.exclude(raised_by=None).exclude(
            raised_by__is_party_member=True,
            raised_by__household__unit__building=F("fund__building"),
        ),
        "reversal": Donation.objects.exclude(reverses=None).exclude(
            reverses__fund=F("fund"), amount=-F("reverses__amount")
        ),
        "recorder of a donation": Donation.objects.exclude(
            recorded_by__memberships__community=F("fund__building__community")
        ),
        "creator of an exhibit": Exhibit.objects.exclude(creator_resident=None).exclude(
            creator_resident__household__unit=F("corridor__unit")
        ),
        "placement of an exhibit": ExhibitPlacement.objects.exclude(
            corridor=F("exhibit__corridor")
        ),
        "reviewer of an exhibit": ExhibitTransition.objects.exclude(
            Q(by__memberships__community=F("exhibit__corridor__unit__building__community"))
            | Q(
                by__memberships__role="official",
                by__memberships__district=F(
                    "exhibit__corridor__unit__building__community__district"
                ),
            )
        ),
        "certifier of a corridor": Corridor.objects.exclude(certified_by=None).exclude(
            certified_by__memberships__role="official",
            certified_by__memberships__district=F("unit__building__community__district"),
        ),
        "household of a shift": DutyShift.objects.exclude(household__unit=F("roster__unit")),
        "vacant household on duty": DutyShift.objects.filter(household__occupancy="vacant"),
        "exempt household on duty": DutyShift.objects.filter(
            roster__exemptions__household=F("household")
        ),
        "place in an order": RosterSlot.objects.exclude(household__unit=F("order__roster__unit")),
        "exemption": RosterExemption.objects.exclude(household__unit=F("roster__unit")),
        "resident of a suggestion": Suggestion.objects.exclude(resident=None).exclude(
            **{f"resident__{community}": F("community")}
        ),
        "building of a suggestion": Suggestion.objects.exclude(building=None).exclude(
            building__community=F("community")
        ),
        "campaign of a symposium": Symposium.objects.exclude(campaign__community=F("community")),
        "building of a tally": PollTally.objects.exclude(building=None).exclude(
            building__community=F("option__poll__community")
        ),
        "closer of a problem": GuidanceProblem.objects.exclude(closed_by=None).exclude(
            closed_by__memberships__community=F("visit__community")
        ),
    }

    assert {name: rows.count() for name, rows in outside.items()} == dict.fromkeys(outside, 0)
    # The checks are not empty: each relation they follow is there.
    assert Resident.objects.values(community).distinct().count() == SMALL.total_communities
    assert Donation.objects.exclude(donor_household=None).exists()
    assert Exhibit.objects.exclude(creator_resident=None).exists()
    assert Fund.objects.exclude(leader=None).count() == SMALL.total_units + SMALL.total_buildings
    # Each community has the buildings, units and households the scale gives it.
    per_community = SMALL.buildings * SMALL.units * SMALL.households
    for code in Community.objects.values_list("code", flat=True):
        assert Household.objects.filter(unit__building__community__code=code).count() == (
            per_community
        )


def test_generate_scale_same_seed_gives_the_same_data():
    generate()
    first = digest()

    out, _err = generate()  # the same scale and seed: nothing to do
    assert "Already generated" in out
    assert digest() == first

    generate("--force")  # generated again from scratch
    assert digest() == first
    assert counts() == SMALL.counts()

    generate("--seed", "2")  # generated data is replaced without --force
    assert digest() != first
    assert counts() == SMALL.counts()
    assert "seed=2" in scales.marker_note(connection)


def test_generate_scale_refuses_a_database_with_foreign_records(world):
    residents = Resident.objects.count()

    with pytest.raises(CommandError, match="--force"):
        generate()

    assert Resident.objects.count() == residents
    assert Community.objects.filter(code=world.a.community.code).exists()
    assert scales.marker_note(connection) is None

    generate("--force")

    assert counts() == SMALL.counts()
    # --force deleted the records that were there (ids start again from 1).
    assert not Community.objects.filter(code=world.a.community.code).exists()
    assert not User.objects.filter(username=world.official.username).exists()


def test_generate_scale_regenerating_deletes_the_earlier_photo_files():
    generate()
    earlier = set(ExhibitPhoto.objects.values_list("image", flat=True))

    generate("--force")

    assert not any(default_storage.exists(name) for name in earlier)
    assert set(ExhibitPhoto.objects.values_list("image", flat=True)).isdisjoint(earlier)
