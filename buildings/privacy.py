"""Residents' personal data: who read it (the access log) and erasing a resident who moved away.

The rules of who sees what live in ``communities.scoping`` (``can_see_personal_data``,
``can_see_party_membership``); what is stored, why, for whom and how long is in
docs/privacy.md.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.models import AccessLog, Fund, Resident
from buildings.models.places import ERASED_NAME
from communities import scoping

# How long the access log is kept unless settings say otherwise (ACCESS_LOG_DAYS).
ACCESS_LOG_DAYS = 365


def access_log_days() -> int:
    return int(getattr(settings, "ACCESS_LOG_DAYS", ACCESS_LOG_DAYS))


def log_access(*, user, action: str, community_id: int, resident=None, rows: int = 1) -> None:
    """Record that ``user`` was shown residents' personal data: one INSERT per request,
    whatever the number of residents the page or file held (``rows``)."""
    AccessLog.objects.create(
        user=user if user.is_authenticated else None,
        action=action,
        community_id=community_id,
        resident=resident,
        rows=rows,
    )


def purge_access_log(*, days: int | None = None, now=None) -> int:
    """Delete access-log entries older than ``days``; returns how many went."""
    days = access_log_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted


def erased_name(resident_pk: int) -> str:
    return f"{ERASED_NAME}-{resident_pk}"


# What erasing blanks: the resident row and each of its historical versions.
ERASED_VALUES = {"phone": "", "birth_year": None, "is_party_member": False}


@transaction.atomic
def resident_erase(*, resident: Resident, by) -> Resident:
    """Erase a resident who moved away, keeping the ledger whole.

    Invariants: the resident must be one ``by`` may edit (else PermissionDenied, nothing
    changed). The row stays -- donations made or raised by the resident keep pointing at
    it, so every fund's totals are unchanged and the ledger (which refuses UPDATE) is not
    touched -- but its name becomes "原住户-<id>", its phone, year of birth, Party
    membership and tags are cleared, and it is marked erased (when, by whom). Every
    historical version of the row is scrubbed the same way. A fund the resident led
    keeps no leader. From then on the default manager leaves the row out of every list,
    search, roster, choice and count.
    """
    row = (
        Resident.objects.editable_by(by)
        .select_for_update()
        .select_related("household__unit__building")
        .filter(pk=resident.pk)
        .first()
    )
    if row is None:
        raise PermissionDenied
    name = erased_name(row.pk)
    row.name = name
    for field, value in ERASED_VALUES.items():
        setattr(row, field, value)
    row.erased_at = timezone.now()
    row.erased_by = by
    row._history_user = by
    row.save()
    row.tags.clear()
    for fund in Fund.objects.filter(leader=row):
        fund.leader = None
        fund._history_user = by
        fund.save(update_fields=["leader"])
    Resident.history.filter(id=row.pk).update(name=name, **ERASED_VALUES)
    log_access(
        user=by,
        action=AccessLog.Action.ERASE_RESIDENT,
        community_id=row.household.unit.building.community_id,
        resident=row,
    )
    return row


def may_manage_personal_data(user, resident: Resident) -> bool:
    """Export and erase: those who may edit the resident (the community's secretary,
    the cadre of its section, superusers). ``resident.household.unit.building`` loaded."""
    return scoping.can_edit_loaded(user, resident)


# What a page shows of a resident's phone and Party membership


def phone_shown(user, resident) -> str:
    """The phone number in full for the community's secretary and cadres, masked otherwise.

    Reads ``resident.community_id``: no query.
    """
    if scoping.can_see_personal_data(user, resident.community_id):
        return resident.phone
    return resident.masked_phone


def party_shown(user, resident) -> str:
    """ "yes" or "no" for those who may know a resident's Party membership, "—" otherwise.

    Reads the ``district_id`` annotated by the resident list, or expects
    ``resident.community`` or ``resident.household.unit.building.community`` to be loaded.
    """
    if hasattr(resident, "district_id"):  # annotated by the resident list
        community_id, district_id = resident.community_id, resident.district_id
    elif Resident.community.is_cached(resident):
        community_id, district_id = resident.community_id, resident.community.district_id
    else:
        community = resident.household.unit.building.community
        community_id, district_id = community.pk, community.district_id
    if scoping.can_see_party_membership(user, community_id, district_id):
        return _("yes") if resident.is_party_member else _("no")
    return "—"
