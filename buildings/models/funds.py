"""Funds (集资) and their ledger: donations and expenses that are never changed.

A recorded donation or expense is final. A mistake is corrected by a reversing entry that
points at the original, carries a reason and the opposite amount; totals count both. The
models refuse ``save()`` on an existing row and ``delete()``; the database refuses UPDATE
and DELETE on the ledger tables with triggers (migration ``0004_ledger_guard``).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from buildings.models.places import Building, Household, Resident, Unit
from communities import scoping
from communities.scoping import ScopedManager, ScopePaths

MAX_AMOUNT = Decimal("1000000.00")
FUND_EDITORS = frozenset({scoping.SECRETARY, scoping.CADRE, scoping.HEAD})


def _ledger_recorder(instance, request=None, **kwargs):
    """The history of a ledger entry names who recorded it, in a request or not."""
    if instance.recorded_by_id:
        return instance.recorded_by
    return getattr(request, "user", None)


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class Fund(models.Model):
    """Money (and labour and goods) collected for one unit's or one building's corridor."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="funds", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
        verbose_name=_("unit"),
        help_text=_("Leave empty for a fund of the whole building."),
    )
    purpose = models.CharField(_("purpose"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    target = money_field(
        _("target (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    quota = money_field(
        _("per-household quota (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    leader = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_funds",
        verbose_name=_("leader"),
        help_text=_("A Party member of the community who leads the collection."),
    )
    is_open = models.BooleanField(_("open"), default=True, db_index=True)
    opened_on = models.DateField(_("opened on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedManager()
    scope = ScopePaths.via_building("building", write_roles=FUND_EDITORS)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-opened_on", "-pk"]

    def __str__(self):
        return f"{self.unit or self.building}·{self.purpose}"

    def get_absolute_url(self):
        return reverse("buildings:fund_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.unit_id and self.building_id and self.unit.building_id != self.building_id:
            errors["unit"] = _("The unit must belong to the fund's building.")
        if self.leader_id:
            if not self.leader.is_party_member:
                errors["leader"] = _("The leader must be a Party member.")
            elif (
                self.building_id
                and self.leader.household.unit.building.community_id != self.building.community_id
            ):
                errors["leader"] = _("The leader must live in this community.")
        if errors:
            raise ValidationError(errors)


class LedgerEntry(models.Model):
    """What donations and expenses share: recorded once, reversed but never changed."""

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("fund")
    )
    amount = money_field(_("amount (yuan)"), null=True, blank=True)
    date = models.DateField(_("date"))
    receipt_no = models.CharField(_("receipt number"), max_length=30, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    token = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="one per submitted form"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A recorded entry cannot be changed; reverse it instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A recorded entry cannot be deleted; reverse it instead."))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


def _ledger_constraints(prefix: str) -> list:
    return [
        models.UniqueConstraint(
            fields=["fund", "receipt_no"],
            condition=~Q(receipt_no=""),
            name=f"{prefix}_unique_receipt",
        ),
        # An original entry is positive; its reversal carries the opposite amount.
        models.CheckConstraint(
            condition=(
                Q(reverses__isnull=True, amount__gt=0)
                | Q(reverses__isnull=True, amount__isnull=True)
                | Q(reverses__isnull=False, amount__lte=0)
            ),
            name=f"{prefix}_amount_sign",
        ),
        models.CheckConstraint(
            condition=Q(amount__isnull=True) | Q(amount__lte=MAX_AMOUNT, amount__gte=-MAX_AMOUNT),
            name=f"{prefix}_amount_range",
        ),
    ]


class Donation(LedgerEntry):
    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        LABOUR = "labour", _("labour")
        GOODS = "goods", _("goods")

    donor_household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("donor household"),
    )
    donor_resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("donor resident"),
    )
    donor_name = models.CharField(
        _("outside donor"),
        max_length=100,
        blank=True,
        help_text=_("An organisation or person from outside, e.g. 电业局技校."),
    )
    raised_by = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="raised_donations",
        verbose_name=_("raised by"),
        help_text=_("The Party member who brought in outside money."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.MONEY, db_index=True
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("For labour and goods: what was given."),
    )

    # A separate table: the ledger guard's triggers on buildings_donation are untouched.
    history = HistoricalRecords(excluded_fields=["token", "recorded_at"], get_user=_ledger_recorder)
    objects = ScopedManager()
    scope = ScopePaths.via_building("fund__building", write_roles=FUND_EDITORS)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["fund_id", "date", "pk"]
        constraints = _ledger_constraints("donation")
        indexes = [
            models.Index(fields=["fund", "kind"], name="donation_fund_kind_idx"),
            # The fund page's ledger, newest first (keyset order date, pk), in one range.
            models.Index(fields=["fund", "date", "id"], name="donation_fund_date_idx"),
        ]

    def __str__(self):
        return f"{self.donor_display} {self.amount or ''}"

    @property
    def donor_display(self) -> str:
        if self.donor_household_id:
            return str(self.donor_household.room)
        if self.donor_resident_id:
            return self.donor_resident.name
        return self.donor_name


class Expense(LedgerEntry):
    item = models.CharField(_("item"), max_length=100)
    receipt_image = models.CharField(max_length=200, blank=True, editable=False)
    receipt_thumb = models.CharField(max_length=200, blank=True, editable=False)
    receipt_content_type = models.CharField(max_length=30, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["token", "recorded_at", "receipt_thumb", "receipt_content_type"],
        get_user=_ledger_recorder,
    )
    objects = ScopedManager()
    scope = ScopePaths.via_building("fund__building", write_roles=FUND_EDITORS)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["fund_id", "date", "pk"]
        constraints = [
            *_ledger_constraints("expense"),
            models.CheckConstraint(
                condition=Q(amount__isnull=False), name="expense_amount_required"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.amount}"
