"""Duty rosters: households take turns keeping their corridor.

A roster belongs to one unit. Its order of households is versioned (``RosterOrder``): a new
order applies from its ``effective_from`` date and never rewrites earlier shifts. Exempt and
vacant households are skipped when shifts are generated. One shift per roster and period
(unique ``(roster, starts_on)``) makes generation idempotent.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from buildings.models.places import Household, Unit
from communities import scoping
from communities.scoping import ScopedManager, ScopePaths

ROSTER_EDITORS = frozenset({scoping.SECRETARY, scoping.CADRE, scoping.HEAD})


class DutyRoster(models.Model):
    class Rotation(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rosters", verbose_name=_("unit")
    )
    duties = models.JSONField(
        _("duties"), default=list, help_text=_("e.g. sweep the stairs, wipe the railings.")
    )
    rotation = models.CharField(
        _("rotation"), max_length=10, choices=Rotation.choices, default=Rotation.WEEKLY
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopePaths.via_building("unit__building", write_roles=ROSTER_EDITORS)

    class Meta:
        verbose_name = _("duty roster")
        verbose_name_plural = _("duty rosters")
        ordering = ["unit_id", "-starts_on", "pk"]

    def __str__(self):
        return f"{self.unit}·{self.get_rotation_display()}"

    def get_absolute_url(self):
        return reverse("buildings:roster_detail", args=[self.pk])

    @property
    def period_days(self) -> int:
        return 1 if self.rotation == self.Rotation.DAILY else 7


class RosterOrder(models.Model):
    """The order of households from ``effective_from`` on (until the next order)."""

    roster = models.ForeignKey(
        DutyRoster, on_delete=models.CASCADE, related_name="orders", verbose_name=_("roster")
    )
    effective_from = models.DateField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopePaths.via_building("roster__unit__building", write_roles=ROSTER_EDITORS)

    class Meta:
        verbose_name = _("order of households")
        verbose_name_plural = _("orders of households")
        ordering = ["roster_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "effective_from"], name="roster_order_unique_date"
            )
        ]

    def __str__(self):
        return f"{self.roster} @ {self.effective_from}"


class RosterSlot(models.Model):
    """One household's place in an order."""

    order = models.ForeignKey(RosterOrder, on_delete=models.CASCADE, related_name="slots")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("place in the order")
        verbose_name_plural = _("places in the order")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "household"], name="slot_unique_household"),
            models.UniqueConstraint(fields=["order", "position"], name="slot_unique_position"),
        ]

    def __str__(self):
        return f"{self.position + 1}. {self.household_id}"


class RosterExemption(models.Model):
    """A household skipped from ``since`` on (an elderly or ill household), with the reason."""

    roster = models.ForeignKey(
        DutyRoster, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("roster")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    reason = models.CharField(_("reason"), max_length=200)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()
    scope = ScopePaths.via_building("roster__unit__building", write_roles=ROSTER_EDITORS)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["roster_id", "since", "pk"]

    def __str__(self):
        return f"{self.household}: {self.reason}"


class DutyShift(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("to do")
        DONE = "done", _("done")
        MISSED = "missed", _("missed")

    roster = models.ForeignKey(
        DutyRoster, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("roster")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("household")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPCOMING
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    swapped_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("swapped with"),
    )
    swapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("swapped by"),
    )
    swapped_at = models.DateTimeField(_("swapped at"), null=True, blank=True)

    # Marks and swaps by a person are saved one row at a time and recorded; shifts that
    # generate() plans are bulk inserts of the system, not recorded (docs/privacy.md).
    history = HistoricalRecords()
    objects = ScopedManager()
    scope = ScopePaths.via_building("roster__unit__building", write_roles=ROSTER_EDITORS)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["roster_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "starts_on"], name="shift_one_per_period")
        ]
        indexes = [
            models.Index(fields=["roster", "status", "starts_on"], name="shift_status_idx"),
        ]

    def __str__(self):
        return f"{self.household.room} {self.starts_on}–{self.ends_on}"
