"""Writes on buildings, units, households, residents and funds that are more than one save()."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import importing
from buildings.models import Building, Donation, Expense, Fund, Household, Resident, Unit
from buildings.models.funds import MAX_AMOUNT
from communities import images

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
    # Bulk writes send no signals: their history rows are written here, with who imported.
    Household.history.bulk_history_create(
        plan.new_households, batch_size=BATCH_SIZE, default_user=by
    )
    for household in plan.changed_households:
        household.clean_fields(exclude=["unit"])
        household.updated_at = now
    Household.objects.bulk_update(
        plan.changed_households, ["occupancy", "updated_at"], batch_size=BATCH_SIZE
    )
    Household.history.bulk_history_create(
        plan.changed_households, batch_size=BATCH_SIZE, update=True, default_user=by
    )

    new_residents = [item.resident for item in plan.new_residents]
    for resident in new_residents:
        resident.clean_fields(exclude=["household"])
    Resident.objects.bulk_create(new_residents, batch_size=BATCH_SIZE)
    for resident in [*new_residents, *(item.resident for item in plan.changed_residents)]:
        # Set in the database by its trigger; the history rows need it for their scope.
        resident.community_id = community.pk
    Resident.history.bulk_history_create(new_residents, batch_size=BATCH_SIZE, default_user=by)
    changed_residents = [item.resident for item in plan.changed_residents]
    for resident in changed_residents:
        resident.clean_fields(exclude=["household"])
        resident.updated_at = now
    Resident.objects.bulk_update(
        changed_residents,
        ["phone", "is_party_member", "birth_year", "updated_at"],
        batch_size=BATCH_SIZE,
    )
    Resident.history.bulk_history_create(
        changed_residents, batch_size=BATCH_SIZE, update=True, default_user=by
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


# Funds and their ledger


def _check_fund_editor(fund: Fund, by) -> None:
    if not Fund.objects.editable_by(by).filter(pk=fund.pk).exists():
        raise PermissionDenied


def _households_of(fund: Fund):
    households = Household.objects.filter(unit__building=fund.building_id)
    if fund.unit_id:
        households = households.filter(unit=fund.unit_id)
    return households


@transaction.atomic
def fund_create(*, building: Building, data: dict, by) -> Fund:
    """Open a fund for ``building`` or one of its units; ``by`` must edit its funds."""
    fund = Fund(building=building, created_by=by, **data)
    fund.full_clean()
    fund._history_user = by
    fund.save()
    _check_fund_editor(fund, by)
    return fund


@transaction.atomic
def fund_update(*, fund: Fund, data: dict, by) -> Fund:
    """Change a fund's purpose, target, quota, leader or open flag; history keeps the old."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    _check_fund_editor(fund, by)
    for field, value in data.items():
        setattr(fund, field, value)
    fund.full_clean()
    fund._history_user = by
    fund.save()
    return fund


def _amount_error(amount, *, required: bool):
    """A translated reason why ``amount`` is not a valid yuan sum, or None."""
    if amount is None:
        return _("Enter the amount.") if required else None
    if amount <= 0:
        return _("Enter an amount greater than zero.")
    if amount > MAX_AMOUNT:
        return _("Enter an amount of at most 1,000,000.00 yuan.")
    if amount.as_tuple().exponent < -2:
        return _("Enter the amount in yuan with at most two decimals.")
    return None


def _receipt_used(model, fund: Fund, receipt_no: str) -> bool:
    return model.objects.filter(fund=fund, receipt_no=receipt_no).exists()


def _validate_donation(donation: Donation, fund: Fund) -> None:
    errors = {}
    community = fund.building.community_id
    donors = [
        bool(donation.donor_household_id),
        bool(donation.donor_resident_id),
        bool(donation.donor_name.strip()),
    ]
    if sum(donors) != 1:
        errors["donor_name"] = _(
            "Give exactly one donor: a household, a resident or an outside donor's name."
        )
    if (
        donation.donor_household_id
        and not _households_of(fund).filter(pk=donation.donor_household_id).exists()
    ):
        errors["donor_household"] = _("The household must live where the fund collects.")
    if (
        donation.donor_resident_id
        and donation.donor_resident.household.unit.building.community_id != community
    ):
        errors["donor_resident"] = _("The resident must live in this community.")
    if donation.raised_by_id:
        raiser = donation.raised_by
        if not raiser.is_party_member:
            errors["raised_by"] = _("Only a Party member is credited with raising money.")
        elif raiser.household.unit.building.community_id != community:
            errors["raised_by"] = _("The Party member must live in this community.")
    if donation.kind == Donation.Kind.MONEY and donation.amount is None:
        errors["amount"] = _("Enter the amount of money.")
    amount_error = _amount_error(donation.amount, required=False)
    if amount_error:
        errors["amount"] = amount_error
    if donation.receipt_no and _receipt_used(Donation, fund, donation.receipt_no):
        errors["receipt_no"] = _("This receipt number is already recorded in this fund.")
    if donation.kind != Donation.Kind.MONEY and not donation.description.strip():
        errors["description"] = _("Say what labour or goods were given.")
    if errors:
        raise ValidationError(errors)


def _record_once(model, entry, token):
    """Save ``entry`` unless an entry with the same form token exists: a form sent twice
    (a double tap on a slow phone) records once. Returns (entry, created)."""
    existing = model.objects.filter(token=token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        existing = model.objects.filter(token=token).first()
        if existing is not None:
            return existing, False
        if entry.receipt_no and _receipt_used(model, entry.fund, entry.receipt_no):
            raise ValidationError(
                {"receipt_no": _("This receipt number is already recorded in this fund.")}
            ) from error
        raise
    return entry, True


@transaction.atomic
def donation_record(*, fund: Fund, data: dict, token, by) -> tuple[Donation, bool]:
    """Record a donation; returns it and whether this call created it.

    Invariant: one donation per form token; the donor, the raiser and the fund lie in the
    recording user's scope; the amount is a positive yuan sum for money.
    """
    fund = Fund.objects.select_related("building").get(pk=fund.pk)
    _check_fund_editor(fund, by)
    if not fund.is_open:
        raise ValidationError(_("This fund is closed."))
    existing = Donation.objects.filter(token=token).first()
    if existing is not None:
        return existing, False
    donation = Donation(fund=fund, recorded_by=by, token=token, **data)
    _validate_donation(donation, fund)
    # Constraints are checked above with clear messages and, for races, by the database.
    donation.full_clean(exclude=["token"], validate_constraints=False)
    return _record_once(Donation, donation, token)


@transaction.atomic
def expense_record(*, fund: Fund, data: dict, photo=None, token, by) -> tuple[Expense, bool]:
    """Record an expense with its receipt photo (already processed); one per form token."""
    _check_fund_editor(fund, by)
    existing = Expense.objects.filter(token=token).first()
    if existing is not None:
        return existing, False
    expense = Expense(fund=fund, recorded_by=by, token=token, **data)
    errors = {}
    amount_error = _amount_error(expense.amount, required=True)
    if amount_error:
        errors["amount"] = amount_error
    if expense.receipt_no and _receipt_used(Expense, fund, expense.receipt_no):
        errors["receipt_no"] = _("This receipt number is already recorded in this fund.")
    if errors:
        raise ValidationError(errors)
    expense.full_clean(exclude=["token"], validate_constraints=False)
    with images.stored_photos_guard() as guard:
        if photo is not None:
            stored = guard.store(photo, folder=f"photos/receipts/{timezone.localdate():%Y/%m}")
            expense.receipt_image = stored.name
            expense.receipt_thumb = stored.thumbnail_names[1600]
            expense.receipt_content_type = stored.thumbnail_content_type
        return _record_once(Expense, expense, token)


def _reverse(model, entry, *, reason: str, by):
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    entry = model.objects.select_for_update().select_related("fund__building").get(pk=entry.pk)
    _check_fund_editor(entry.fund, by)
    if entry.is_reversal:
        raise ValidationError(_("A reversal cannot itself be reversed; record a new entry."))
    if model.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    fields = {
        f.name: getattr(entry, f.name)
        for f in model._meta.concrete_fields
        if f.name
        not in {
            "id",
            "amount",
            "receipt_no",
            "reverses",
            "reason",
            "token",
            "recorded_by",
            "recorded_at",
            "date",
            "receipt_image",
            "receipt_thumb",
            "receipt_content_type",
        }
    }
    reversal = model(
        **fields,
        amount=-entry.amount if entry.amount is not None else None,
        date=timezone.localdate(),
        reverses=entry,
        reason=reason,
        recorded_by=by,
    )
    reversal.full_clean(exclude=["token"], validate_constraints=False)
    reversal.save()
    return reversal


@transaction.atomic
def donation_reverse(*, donation: Donation, reason: str, by) -> Donation:
    """Correct a mistaken donation with an entry of the opposite amount; both stay."""
    return _reverse(Donation, donation, reason=reason, by=by)


@transaction.atomic
def expense_reverse(*, expense: Expense, reason: str, by) -> Expense:
    return _reverse(Expense, expense, reason=reason, by=by)


# Reads


ZERO = Decimal("0.00")


def fund_totals(fund: Fund) -> dict:
    """Raised, spent and balance from the database (two aggregate queries)."""
    donations = Donation.objects.filter(fund=fund).aggregate(
        raised=Coalesce(Sum("amount", filter=Q(kind=Donation.Kind.MONEY)), ZERO),
        in_kind=Coalesce(Sum("amount", filter=~Q(kind=Donation.Kind.MONEY)), ZERO),
    )
    spent = Expense.objects.filter(fund=fund).aggregate(spent=Coalesce(Sum("amount"), ZERO))[
        "spent"
    ]
    raised = donations["raised"]
    progress = None
    if fund.target:
        progress = min(100, int(raised * 100 / fund.target))
    return {
        "raised": raised,
        "in_kind": donations["in_kind"],
        "spent": spent,
        "balance": raised - spent,
        "progress": progress,
    }


def quota_status(fund: Fund) -> list[dict]:
    """For a quota fund: each non-vacant household with what it paid and whether in full.

    One query: households annotated with the sum of their money donations (reversals
    included) to this fund.
    """
    if not fund.quota:
        return []
    households = (
        _households_of(fund)
        .exclude(occupancy=Household.Occupancy.VACANT)
        .select_related("unit")
        .annotate(
            paid=Coalesce(
                Sum(
                    "donations__amount",
                    filter=Q(donations__fund=fund, donations__kind=Donation.Kind.MONEY),
                ),
                ZERO,
            )
        )
        .order_by("unit__number", "room")
    )
    rows = []
    for household in households:
        if household.paid >= fund.quota:
            status = "full"
        elif household.paid > 0:
            status = "partial"
        else:
            status = "none"
        rows.append({"household": household, "paid": household.paid, "status": status})
    return rows
