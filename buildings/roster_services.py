"""Writes and reads of duty rosters: creating, ordering, exempting, generating, marking, swapping.

Every write is keyword-only and atomic, validates before it writes, and re-checks that the
acting user may edit the roster's unit (secretary, the section's cadre, the building's head).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import rotation
from buildings.models import (
    DutyRoster,
    DutyShift,
    Household,
    RosterExemption,
    RosterOrder,
    RosterSlot,
    Unit,
)

MAX_PAST_DAYS = 365
BATCH_SIZE = 2000


def _check_editor(roster: DutyRoster, by) -> None:
    if not DutyRoster.objects.editable_by(by).filter(pk=roster.pk).exists():
        raise PermissionDenied


def clean_duties(duties) -> list[str]:
    cleaned = [str(duty).strip() for duty in duties or [] if str(duty).strip()]
    if not cleaned:
        raise ValidationError({"duties": _("List at least one duty.")})
    if any(len(duty) > 50 for duty in cleaned) or len(cleaned) > 20:
        raise ValidationError({"duties": _("At most 20 duties of at most 50 characters each.")})
    return cleaned


def _check_dates(starts_on: date, ends_on: date | None) -> None:
    errors = {}
    if starts_on < timezone.localdate() - timedelta(days=MAX_PAST_DAYS):
        errors["starts_on"] = _("The start may be at most a year in the past.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end must not be before the start.")
    if errors:
        raise ValidationError(errors)


def _check_households(unit: Unit, households) -> list[int]:
    ids = [h.pk if isinstance(h, Household) else int(h) for h in households]
    if len(set(ids)) != len(ids):
        raise ValidationError({"order": _("A household appears twice in the order.")})
    found = set(Household.objects.filter(unit=unit, pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError({"order": _("Every household must belong to this unit.")})
    return ids


def default_order(unit: Unit) -> list[int]:
    """Households of the unit by room number."""
    return list(Household.objects.filter(unit=unit).order_by("room").values_list("pk", flat=True))


def _save_order(roster: DutyRoster, ids: list[int], effective_from: date, by) -> RosterOrder:
    order, _created = RosterOrder.objects.update_or_create(
        roster=roster, effective_from=effective_from, defaults={"created_by": by}
    )
    order.slots.all().delete()
    RosterSlot.objects.bulk_create(
        RosterSlot(order=order, household_id=pk, position=i) for i, pk in enumerate(ids)
    )
    return order


@transaction.atomic
def roster_create(
    *, unit: Unit, duties, rotation_kind: str, starts_on: date, ends_on=None, order=None, by
) -> DutyRoster:
    """A roster for ``unit`` with its first order (default: by room number)."""
    roster = DutyRoster(
        unit=unit,
        duties=clean_duties(duties),
        rotation=rotation_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    _check_dates(starts_on, ends_on)
    roster.full_clean()
    roster.save()
    _check_editor(roster, by)
    ids = _check_households(unit, order) if order is not None else default_order(unit)
    _save_order(roster, ids, starts_on, by)
    return roster


@transaction.atomic
def roster_set_order(*, roster: DutyRoster, households, effective_from: date, by) -> RosterOrder:
    """A new order from ``effective_from`` on: shifts before it stay as they are; upcoming
    shifts from it on are planned again."""
    roster = DutyRoster.objects.select_for_update().get(pk=roster.pk)
    _check_editor(roster, by)
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": _("A new order applies from today on.")})
    ids = _check_households(roster.unit, households)
    order = _save_order(roster, ids, effective_from, by)
    _replan_from(roster, effective_from, by)
    return order


@transaction.atomic
def roster_exempt(
    *, roster: DutyRoster, household, reason: str, since: date, by
) -> RosterExemption:
    """Skip ``household`` from ``since`` on; upcoming shifts from then are planned again."""
    roster = DutyRoster.objects.select_for_update().get(pk=roster.pk)
    _check_editor(roster, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the exemption.")})
    _check_households(roster.unit, [household])
    exemption = RosterExemption.objects.create(
        roster=roster, household=household, reason=reason.strip(), since=since, created_by=by
    )
    _replan_from(roster, max(since, timezone.localdate()), by)
    return exemption


def _replan_from(roster: DutyRoster, day: date, by) -> None:
    future = DutyShift.objects.filter(
        roster=roster, starts_on__gte=day, status=DutyShift.Status.UPCOMING, swapped_with=None
    )
    horizon = future.order_by("-starts_on").values_list("starts_on", flat=True).first()
    future.delete()
    if horizon is not None:
        generate(roster=roster, first=day, last=horizon)


@transaction.atomic(savepoint=False)  # its callers are atomic; alone, it is too
def generate(*, roster: DutyRoster, first: date, last: date) -> int:
    """Add the missing shifts of periods starting in [first, last]; returns how many.

    A constant number of queries whatever the period: the orders, exemptions, vacant
    households, existing shifts and the shift before ``first`` are read once, the new
    shifts written with bulk inserts. Running it again adds nothing.
    """
    if roster.ends_on is not None:
        last = min(last, roster.ends_on)
    first = max(first, roster.starts_on)
    if last < first:
        return 0
    orders: dict = {}
    for effective_from, household in (
        RosterSlot.objects.filter(order__roster=roster)
        .order_by("order__effective_from", "position")
        .values_list("order__effective_from", "household_id")
    ):
        orders.setdefault(effective_from, []).append(household)
    vacant = set(
        Household.objects.filter(
            unit=roster.unit_id, occupancy=Household.Occupancy.VACANT
        ).values_list("pk", flat=True)
    )
    exemptions = list(roster.exemptions.values_list("household_id", "since", "until"))
    existing = dict(
        DutyShift.objects.filter(
            roster=roster, starts_on__gte=first, starts_on__lte=last
        ).values_list("starts_on", "household_id")
    )
    previous = (
        DutyShift.objects.filter(roster=roster, starts_on__lt=first)
        .order_by("-starts_on")
        .values_list("household_id", flat=True)
        .first()
    )

    def skipped(household: int, day: date) -> bool:
        if household in vacant:
            return True
        return any(
            h == household and since <= day and (until is None or day <= until)
            for h, since, until in exemptions
        )

    planned = rotation.plan_shifts(
        starts_on=roster.starts_on,
        period_days=roster.period_days,
        first=first,
        last=last,
        orders=list(orders.items()),
        existing=existing,
        previous=previous,
        skipped=skipped,
    )
    DutyShift.objects.bulk_create(
        (
            DutyShift(
                roster=roster, household_id=p.household, starts_on=p.starts_on, ends_on=p.ends_on
            )
            for p in planned
        ),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return len(planned)


@transaction.atomic
def shifts_generate(*, roster: DutyRoster, weeks: int, by) -> int:
    """Plan the coming ``weeks`` (1 to 104) of a roster the user may edit."""
    _check_editor(roster, by)
    if not 1 <= weeks <= 104:
        raise ValidationError({"weeks": _("Plan between 1 and 104 weeks ahead.")})
    today = timezone.localdate()
    # From the period under way (it may have begun before today): no gap before the next.
    first = today - timedelta(days=roster.period_days - 1)
    return generate(roster=roster, first=first, last=today + timedelta(weeks=weeks))


@transaction.atomic
def shift_mark(*, shift: DutyShift, status: str, note: str = "", by) -> DutyShift:
    """Done, or missed with a note, by an editor of the roster (the building head)."""
    shift = DutyShift.objects.select_for_update().select_related("roster").get(pk=shift.pk)
    if not DutyShift.objects.editable_by(by).filter(pk=shift.pk).exists():
        raise PermissionDenied
    if status not in {DutyShift.Status.DONE, DutyShift.Status.MISSED}:
        raise ValidationError({"status": _("Mark the turn done or missed.")})
    if status == DutyShift.Status.MISSED and not note.strip():
        raise ValidationError({"note": _("Say why the turn was missed.")})
    if shift.starts_on > timezone.localdate():
        raise ValidationError(_("A turn that has not begun cannot be marked yet."))
    shift.status = status
    shift.note = note.strip()
    shift.marked_by = by
    shift.marked_at = timezone.now()
    shift._history_user = by
    shift.save(update_fields=["status", "note", "marked_by", "marked_at"])
    return shift


@transaction.atomic
def shift_swap(*, shift: DutyShift, other: DutyShift, by) -> tuple[DutyShift, DutyShift]:
    """Two households trade turns; both shifts record the swap and who made it."""
    if shift.pk == other.pk:
        raise ValidationError(_("A turn cannot be swapped with itself."))
    first, second = (
        DutyShift.objects.select_for_update().filter(pk__in=[shift.pk, other.pk]).order_by("pk")
    )
    if first.roster_id != second.roster_id:
        raise ValidationError(_("Only turns of the same roster can be swapped."))
    if not DutyShift.objects.editable_by(by).filter(pk=first.pk).exists():
        raise PermissionDenied
    if (
        DutyShift.Status.UPCOMING not in {first.status}
        or second.status != DutyShift.Status.UPCOMING
    ):
        raise ValidationError(_("Only turns still to do can be swapped."))
    now = timezone.now()
    first.household_id, second.household_id = second.household_id, first.household_id
    for mine, theirs in ((first, second), (second, first)):
        mine.swapped_with = theirs
        mine.swapped_by = by
        mine.swapped_at = now
        mine._history_user = by
        mine.save(update_fields=["household", "swapped_with", "swapped_by", "swapped_at"])
    return first, second


# Reads


def completion(shifts) -> dict:
    """Done, missed and overdue among the turns that have ended; the rate in percent."""
    today = timezone.localdate()
    counts = shifts.filter(ends_on__lt=today).aggregate(
        done=Count("pk", filter=Q(status=DutyShift.Status.DONE)),
        missed=Count("pk", filter=Q(status=DutyShift.Status.MISSED)),
        overdue=Count("pk", filter=Q(status=DutyShift.Status.UPCOMING)),
    )
    due = counts["done"] + counts["missed"] + counts["overdue"]
    counts["due"] = due
    counts["rate"] = round(counts["done"] * 100 / due) if due else None
    return counts
