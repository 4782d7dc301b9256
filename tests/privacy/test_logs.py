"""The access log (who was shown residents' data) and the audit log (who changed what)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buildings import roster_services
from buildings.models import AccessLog, DutyShift, Resident
from communities.models import Membership
from corridor_portal import audit_log
from tests import factories

# Access log


def test_resident_page_writes_one_access_entry(client, world):
    client.force_login(world.official)

    client.get(reverse("buildings:resident_detail", args=[world.a.resident.pk]))

    (entry,) = AccessLog.objects.all()
    assert entry.user == world.official
    assert entry.action == AccessLog.Action.VIEW_RESIDENT
    assert (entry.resident, entry.community) == (world.a.resident, world.a.community)


def test_resident_list_writes_no_access_entry(client, world):
    client.force_login(world.a.secretary)

    client.get(reverse("buildings:resident_list"))

    assert not AccessLog.objects.exists()


def test_roster_export_writes_one_entry_with_its_size(client, world):
    factories.ResidentFactory(household=world.a.household, name="第二位")
    client.force_login(world.a.head)

    response = client.get(reverse("buildings:roster_export", args=[world.a.community.pk]))
    b"".join(response.streaming_content)

    (entry,) = AccessLog.objects.all()
    assert (entry.user, entry.action, entry.rows) == (
        world.a.head,
        AccessLog.Action.EXPORT_ROSTER,
        2,
    )


def test_access_log_page_scoped_to_the_auditors_communities(client, world):
    for side, who in ((world.a, world.a.cadre), (world.b, world.b.cadre)):
        AccessLog.objects.create(
            user=who,
            action=AccessLog.Action.VIEW_RESIDENT,
            community=side.community,
            resident=side.resident,
        )
    client.force_login(world.b.secretary)

    html = client.get(reverse("privacy:access_log")).content.decode()

    assert world.b.resident.name in html
    assert world.a.resident.name not in html
    client.force_login(world.official)
    html = client.get(reverse("privacy:access_log")).content.decode()
    assert world.a.resident.name in html and world.b.resident.name in html


def test_purge_access_log_keeps_recent_entries(world):
    old = AccessLog.objects.create(
        user=world.official, action=AccessLog.Action.VIEW_RESIDENT, community=world.a.community
    )
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
    recent = AccessLog.objects.create(
        user=world.official, action=AccessLog.Action.VIEW_RESIDENT, community=world.a.community
    )

    call_command("purge_access_log", days=365)

    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_access_log_admin_is_read_only_for_official(client, world):
    from tests.conftest import grant_admin_access

    grant_admin_access(world.official, world.a.head)
    entry = AccessLog.objects.create(
        user=world.a.cadre, action=AccessLog.Action.VIEW_RESIDENT, community=world.a.community
    )
    client.force_login(world.official)

    changelist = client.get(reverse("admin:buildings_accesslog_changelist"))
    change = client.post(reverse("admin:buildings_accesslog_change", args=[entry.pk]), {})
    delete = client.post(reverse("admin:buildings_accesslog_delete", args=[entry.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 403 and delete.status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    client.force_login(world.a.head)
    assert client.get(reverse("admin:buildings_accesslog_changelist")).status_code == 403


# History rows written with the user


def test_resident_edit_records_who_and_what(client, world):
    client.force_login(world.a.secretary)

    client.post(
        reverse("buildings:resident_update", args=[world.a.resident.pk]),
        {"name": "新名字", "phone": "13800001111", "birth_year": ""},
    )

    latest = Resident.history.filter(id=world.a.resident.pk).latest()
    assert (latest.history_type, latest.history_user) == ("~", world.a.secretary)
    assert (latest.name, latest.phone) == ("新名字", "13800001111")


def test_shift_mark_records_the_marker(client, world):
    roster = roster_services.roster_create(
        unit=world.a.unit,
        duties=["扫楼梯"],
        rotation_kind="weekly",
        starts_on=timezone.localdate() - timedelta(days=14),
        by=world.a.secretary,
    )
    roster_services.generate(roster=roster, first=roster.starts_on, last=timezone.localdate())
    shift = roster.shifts.order_by("starts_on").first()
    assert not DutyShift.history.filter(id=shift.pk).exists()  # generated: a system write
    client.force_login(world.a.head)

    client.post(reverse("buildings:shift_mark", args=[shift.pk]), {"status": "done"})

    (version,) = DutyShift.history.filter(id=shift.pk)
    assert (version.history_user, version.status) == (world.a.head, "done")


def test_roster_import_records_history_with_importer(world):
    from buildings import importing, services

    rows = [
        importing.RosterRow(
            number=2,
            compound=world.a.building.compound,
            building=world.a.building.number,
            unit=str(world.a.unit.number),
            room="302",
            name="导入居民",
            phone="13700001111",
        )
    ]

    services.roster_import_apply(
        community=world.a.community, plan_or_rows=rows, by=world.a.secretary
    )

    resident = Resident.objects.get(name="导入居民")
    (version,) = Resident.history.filter(id=resident.pk)
    assert (version.history_type, version.history_user) == ("+", world.a.secretary)
    assert version.community_id == world.a.community.pk  # in the community's audit log


# The audit log page


def _audit(client, **params):
    return client.get(reverse("privacy:audit_log"), params).content.decode()


def test_audit_log_official_sees_the_district(client, world):
    client.force_login(world.official)

    html = _audit(client)

    assert world.a.resident.name in html and world.b.resident.name in html


def test_audit_log_secretary_sees_only_their_community(client, world):
    client.force_login(world.b.secretary)

    html = _audit(client)

    assert world.b.resident.name in html
    assert world.a.resident.name not in html


def test_audit_log_shows_who_and_masks_phone_for_official(en_client, world):
    resident = Resident.objects.get(pk=world.a.resident.pk)
    resident.phone = "13800001111"
    resident._history_user = world.a.secretary
    resident.save()
    en_client.force_login(world.official)

    html = _audit(en_client, kind="resident")

    assert world.a.secretary.full_name in html
    assert "138****1111" in html and "13800001111" not in html


def test_audit_log_filters_by_kind_and_date(client, world):
    factories.MembershipFactory(
        user=factories.UserFactory(username="new-cadre", full_name="新委员"),
        role=Membership.Role.CADRE,
        community=world.a.community,
        section=world.a.section,
    )
    client.force_login(world.official)

    memberships = _audit(client, kind="membership")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = _audit(client, start=tomorrow)

    assert "新委员" in memberships and world.a.resident.name not in memberships
    assert "新委员" not in future and world.a.resident.name not in future


@pytest.mark.parametrize(
    "params",
    [{"start": "not a date"}, {"kind": "nothing"}, {"cursor": "garbled"}, {"start": "0001-01-01"}],
)
def test_audit_log_bad_input_is_no_error(client, world, params):
    client.force_login(world.official)

    response = client.get(reverse("privacy:audit_log"), params)

    assert response.status_code == 200
    assert world.a.resident.name in response.content.decode()


def test_audit_log_pages_follow_the_cursor(client, world, monkeypatch):
    monkeypatch.setattr(audit_log, "PAGE_SIZE", 3)
    for i in range(5):
        factories.ResidentFactory(household=world.a.household, name=f"分页{i}")
    client.force_login(world.a.secretary)

    first = client.get(reverse("privacy:audit_log"), {"kind": "resident"})
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("privacy:audit_log"), {"kind": "resident", "cursor": cursor})

    first_ids = [e.history_id for e in first.context["page"].entries]
    second_ids = [e.history_id for e in second.context["page"].entries]
    assert len(first_ids) == 3 and len(second_ids) == 3
    assert not set(first_ids) & set(second_ids)
    assert first_ids + second_ids == sorted(first_ids + second_ids, reverse=True)
