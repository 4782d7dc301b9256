"""Writes on buildings, units, households and residents that are more than one save()."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from buildings import importing
from buildings.models import Household, Resident, Unit

BATCH_SIZE = 500


def _batches(items, size=BATCH_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def roster_import_apply(*, community, plan_or_rows, by) -> importing.RosterPlan:
    """Import roster rows into ``community`` as ``by``: every row or none.

    Invariant: the rows are checked again against the records as they are inside this
    transaction (a plan made for the preview may be stale); any error raises
    ``importing.RosterInvalid`` and nothing is written. Every household and resident
    written lies in a unit of ``community`` that ``Unit.objects.editable_by(by)``
    returns, else PermissionDenied rolls everything back. Residents missing from the
    rows are left alone; nothing is deleted except tag links the rows replace.
    Returns the plan that was applied.
    """
    if not importing.may_import(by, community):
        raise PermissionDenied
    rows = (
        plan_or_rows.rows if isinstance(plan_or_rows, importing.RosterPlan) else list(plan_or_rows)
    )
    plan = importing.plan_roster(community=community, rows=rows, user=by)
    if plan.errors:
        raise importing.RosterInvalid(plan)
    editable_units = Unit.objects.editable_by(by).filter(
        building__community=community, pk__in=plan.unit_ids
    )
    if editable_units.count() != len(plan.unit_ids):
        raise PermissionDenied

    now = timezone.now()
    for household in plan.new_households:
        household.clean_fields(exclude=["unit"])
    Household.objects.bulk_create(plan.new_households, batch_size=BATCH_SIZE)
    for household in plan.changed_households:
        household.clean_fields(exclude=["unit"])
        household.updated_at = now
    Household.objects.bulk_update(
        plan.changed_households, ["occupancy", "updated_at"], batch_size=BATCH_SIZE
    )

    new_residents = [item.resident for item in plan.new_residents]
    for resident in new_residents:
        resident.clean_fields(exclude=["household"])
    Resident.objects.bulk_create(new_residents, batch_size=BATCH_SIZE)
    changed_residents = [item.resident for item in plan.changed_residents]
    for resident in changed_residents:
        resident.clean_fields(exclude=["household"])
        resident.updated_at = now
    Resident.objects.bulk_update(
        changed_residents, ["phone", "is_party_member", "updated_at"], batch_size=BATCH_SIZE
    )

    through = Resident.tags.through
    retagged = [item for item in plan.changed_residents if item.tag_ids is not None]
    for batch in _batches(item.resident.pk for item in retagged):
        through.objects.filter(resident_id__in=batch).delete()
    links = [
        through(resident_id=item.resident.pk, residenttag_id=tag_id)
        for item in [*plan.new_residents, *retagged]
        for tag_id in sorted(item.tag_ids)
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    return plan
