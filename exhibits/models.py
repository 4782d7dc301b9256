"""Corridors (the stairwell of one unit as an exhibition space) and their exhibits.

An exhibit moves through a workflow with two named sign-offs:

    draft -> submitted -> checked (community secretary) -> approved (district official)
    submitted/checked -> returned (with the reviewer's note) -> submitted again
    approved -> retired

Every change of status is an :class:`ExhibitTransition`; every place a work has hung is an
:class:`ExhibitPlacement`. Both are written only by ``exhibits.services``.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from buildings.models import Resident, Unit
from communities import scoping
from communities.scoping import ScopedManager, ScopePaths

EDITOR_ROLES = frozenset({scoping.SECRETARY, scoping.CADRE, scoping.HEAD})


def new_public_slug() -> str:
    return secrets.token_urlsafe(16)


class Corridor(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        BUILDING = "building", _("being built")
        COMPLETE = "complete", _("complete")
        CERTIFIED = "certified", _("civilized corridor")

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="corridor", verbose_name=_("unit")
    )
    theme = models.CharField(
        _("theme"), max_length=50, help_text=_("The corridor's name, e.g. 老年之友, 书画天地.")
    )
    style_notes = models.TextField(_("style notes"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNING, db_index=True
    )
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certified by"),
    )
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    public_slug = models.CharField(
        _("public address"), max_length=32, unique=True, default=new_public_slug, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ScopedManager()
    scope = ScopePaths.via_building("unit__building", write_roles=EDITOR_ROLES)

    class Meta:
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")
        ordering = ["unit_id"]

    def __str__(self):
        return f"{self.unit}·{self.theme}"

    def get_absolute_url(self):
        return reverse("exhibits:corridor_detail", args=[self.pk])

    def get_public_url(self):
        return reverse("exhibits:public_gallery", args=[self.public_slug])


class BeforeAfterPair(models.Model):
    """Two photos of the same stairwell: before the work and after it."""

    corridor = models.ForeignKey(
        Corridor, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("corridor")
    )
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    # The thumbnails shown on the corridor page are JPEG; *_content_type is theirs.
    before_image = models.CharField(max_length=200, editable=False)
    before_thumb = models.CharField(max_length=200, editable=False)
    before_content_type = models.CharField(max_length=30, editable=False)
    after_image = models.CharField(max_length=200, editable=False)
    after_thumb = models.CharField(max_length=200, editable=False)
    after_content_type = models.CharField(max_length=30, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopePaths.via_building("corridor__unit__building", write_roles=EDITOR_ROLES)

    class Meta:
        verbose_name = _("before-and-after pair")
        verbose_name_plural = _("before-and-after pairs")
        ordering = ["corridor_id", "created_at", "pk"]

    def __str__(self):
        return self.caption or str(self.corridor)


class Exhibit(models.Model):
    class Kind(models.TextChoices):
        CALLIGRAPHY = "calligraphy", _("calligraphy")
        PAINTING = "painting", _("painting")
        PLAQUE = "plaque", _("plaque")
        MIRROR_PLAQUE = "mirror_plaque", _("mirror plaque")
        PHOTO = "photo", _("photograph")
        POSTER = "poster", _("poster")
        LITERARY = "literary", _("literary work")
        PLANTS = "plants", _("plants and decoration")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        CHECKED = "checked", _("checked by the community")
        APPROVED = "approved", _("approved by the district")
        RETURNED = "returned", _("returned")
        RETIRED = "retired", _("retired")

    corridor = models.ForeignKey(
        Corridor, on_delete=models.PROTECT, related_name="exhibits", verbose_name=_("corridor")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=100)
    creator_resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exhibits",
        verbose_name=_("creator (resident)"),
    )
    creator_name = models.CharField(
        _("creator (name)"),
        max_length=50,
        blank=True,
        help_text=_("When the creator is not a registered resident, e.g. 老年大学学员."),
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    floor = models.PositiveSmallIntegerField(
        _("floor"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    on_landing = models.BooleanField(
        _("on the landing"), default=False, help_text=_("Hangs on the landing between floors.")
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ScopedManager()
    scope = ScopePaths.via_building("corridor__unit__building", write_roles=EDITOR_ROLES)

    class Meta:
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="exhibit_queue_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("exhibits:exhibit_detail", args=[self.pk])

    @property
    def creator_display(self) -> str:
        if self.creator_resident_id:
            return self.creator_resident.name
        return self.creator_name

    @property
    def position_display(self) -> str:
        if self.floor is None:
            return ""
        if self.on_landing:
            return _("landing above floor %(floor)d") % {"floor": self.floor}
        return _("floor %(floor)d") % {"floor": self.floor}

    @property
    def is_editable_status(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class ExhibitTransition(models.Model):
    """One change of an exhibit's status: who, when, and the reviewer's note."""

    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("exhibit")
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Exhibit.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Exhibit.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    # The review decision with its note: recorded in the audit log, like the exhibit.
    history = HistoricalRecords(excluded_fields=["at"])
    objects = ScopedManager()
    scope = ScopePaths.via_building("exhibit__corridor__unit__building", write_roles=frozenset())

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["exhibit_id", "at", "pk"]

    def __str__(self):
        return f"{self.exhibit}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class ExhibitPlacement(models.Model):
    """Where an exhibit hung, and when: moves and take-downs keep the earlier rows."""

    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.CASCADE, related_name="placements", verbose_name=_("exhibit")
    )
    corridor = models.ForeignKey(
        Corridor, on_delete=models.PROTECT, related_name="+", verbose_name=_("corridor")
    )
    floor = models.PositiveSmallIntegerField(_("floor"), null=True, blank=True)
    on_landing = models.BooleanField(_("on the landing"), default=False)
    since = models.DateTimeField(_("since"), auto_now_add=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()
    scope = ScopePaths.via_building("exhibit__corridor__unit__building", write_roles=frozenset())

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["exhibit_id", "since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibit"],
                condition=models.Q(until__isnull=True),
                name="placement_one_current",
            )
        ]

    def __str__(self):
        return f"{self.exhibit} @ {self.corridor}"


class ExhibitPhoto(models.Model):
    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("exhibit")
    )
    image = models.CharField(max_length=200, editable=False)
    thumb_small = models.CharField(max_length=200, editable=False)
    thumb_large = models.CharField(max_length=200, editable=False)
    content_type = models.CharField(max_length=30, editable=False)
    thumb_content_type = models.CharField(max_length=30, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopePaths.via_building("exhibit__corridor__unit__building", write_roles=EDITOR_ROLES)

    class Meta:
        verbose_name = _("exhibit photo")
        verbose_name_plural = _("exhibit photos")
        ordering = ["exhibit_id", "position", "pk"]

    def __str__(self):
        return self.caption or f"{self.exhibit} #{self.position + 1}"
