"""Everything the portal holds about one resident, as one JSON file (docs/privacy.md).

A cross-app read: the resident and their household (buildings), the ledger entries they
gave, raised or led, their household's duty turns, the exhibits they made (exhibits), the
suggestions they sent (engagement), every historical version of their row and the access
log about them. A constant number of queries, whatever the resident's history.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from buildings.models import AccessLog, Donation, DutyShift, Fund, Resident
from engagement.models import Suggestion
from exhibits.models import Exhibit

FORMAT_VERSION = 1


def _user(user) -> str | None:
    if user is None:
        return None
    return f"{user} ({user.get_username()})"


def _donation(entry: Donation) -> dict:
    return {
        "id": entry.pk,
        "fund": str(entry.fund),
        "date": entry.date,
        "kind": entry.kind,
        "amount": entry.amount,
        "description": entry.description,
        "receipt_no": entry.receipt_no,
        "reverses": entry.reverses_id,
        "reason": entry.reason,
        "recorded_at": entry.recorded_at,
    }


def _ledger(rows) -> list[dict]:
    return [
        _donation(entry)
        for entry in rows.select_related("fund__building", "fund__unit__building").order_by(
            "date", "pk"
        )
    ]


def resident_data(resident: Resident) -> dict:
    """The export's content; ``resident.household.unit.building.community`` loaded."""
    household = resident.household
    building = household.unit.building
    history = (
        Resident.history.filter(id=resident.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    shifts = (
        DutyShift.objects.filter(household=household)
        .select_related("roster__unit__building")
        .order_by("starts_on", "pk")
    )
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "resident": {
            "id": resident.pk,
            "name": resident.name,
            "phone": resident.phone,
            "is_party_member": resident.is_party_member,
            "birth_year": resident.birth_year,
            "tags": sorted(tag.name for tag in resident.tags.all()),
            "created_at": resident.created_at,
            "updated_at": resident.updated_at,
        },
        "household": {
            "id": household.pk,
            "address": str(household),
            "community": building.community.name,
            "compound": building.compound,
            "building": building.number,
            "unit": household.unit.number,
            "room": household.room,
            "occupancy": household.occupancy,
        },
        "donations_given": _ledger(Donation.objects.filter(donor_resident=resident)),
        "donations_raised": _ledger(Donation.objects.filter(raised_by=resident)),
        "household_donations": _ledger(Donation.objects.filter(donor_household=household)),
        "funds_led": [
            {"id": fund.pk, "fund": str(fund), "opened_on": fund.opened_on, "open": fund.is_open}
            for fund in Fund.objects.filter(leader=resident)
            .select_related("building", "unit__building")
            .order_by("opened_on", "pk")
        ],
        "household_duty_shifts": [
            {
                "roster": str(shift.roster),
                "starts_on": shift.starts_on,
                "ends_on": shift.ends_on,
                "status": shift.status,
                "note": shift.note,
            }
            for shift in shifts
        ],
        "exhibits_created": [
            {
                "id": exhibit.pk,
                "title": exhibit.title,
                "kind": exhibit.kind,
                "status": exhibit.status,
            }
            for exhibit in Exhibit.objects.filter(creator_resident=resident).order_by("pk")
        ],
        "suggestions": [
            {
                "id": suggestion.pk,
                "received_on": suggestion.received_on,
                "channel": suggestion.channel,
                "content": suggestion.content,
                "status": suggestion.status,
                "reply": suggestion.reply,
            }
            for suggestion in Suggestion.objects.filter(resident=resident).order_by(
                "received_on", "pk"
            )
        ],
        "history": [
            {
                "at": version.history_date,
                "type": version.history_type,
                "by": _user(version.history_user),
                "name": version.name,
                "phone": version.phone,
                "is_party_member": version.is_party_member,
                "birth_year": version.birth_year,
                "household": version.household_id,
            }
            for version in history
        ],
        "access_log": [
            {"at": entry.at, "by": _user(entry.user), "action": entry.action}
            for entry in AccessLog.objects.filter(resident=resident)
            .select_related("user")
            .order_by("at", "pk")
        ],
    }


def resident_json(resident: Resident) -> bytes:
    return json.dumps(
        resident_data(resident), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode()


def export_filename(resident: Resident) -> str:
    return f"resident-{resident.pk}-{timezone.localdate():%Y%m%d}.json"
