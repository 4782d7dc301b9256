"""Buildings, their units (stairwells), households and residents."""

from dataclasses import replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.links import pk_url
from communities.models import Community, Section
from communities.scoping import ScopedManager, ScopePaths

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$",
    _("Enter a mobile number of 11 digits or a landline number such as 0451-12345678."),
)


def mask_phone(phone: str) -> str:
    """138****1234: enough to recognise a number, not enough to call it."""
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    keep_start = 3 if len(phone) >= 11 else 0
    return phone[:keep_start] + "*" * (len(phone) - keep_start - 4) + phone[-4:]


# What an erased resident is called from then on (data, like every name, in Chinese):
# "原住户-<id>", so that two former residents of one household stay apart in the ledger.
ERASED_NAME = "原住户"


class Building(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("community")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name=_("section"),
    )
    compound = models.CharField(
        _("compound"), max_length=50, help_text=_("The residential compound, e.g. 清福二区.")
    )
    number = models.CharField(
        _("building number"), max_length=20, help_text=_("e.g. 15 for building No. 15.")
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_buildings",
        verbose_name=_("building head"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope = ScopePaths(
        district="community__district", community="community", section="section", head="head"
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community_id", "compound", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "compound", "number"], name="building_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["community", "compound"], name="building_compound_idx")]

    def __str__(self):
        return self.label(self.compound, self.number)

    def get_absolute_url(self):
        return reverse("buildings:building_detail", args=[self.pk])

    @staticmethod
    def label(compound: str, number: str) -> str:
        """清福三区15号楼 from its compound and number, for lists that read only those."""
        label = f"{compound}{number}"
        return f"{label}号楼" if number.isdigit() else label

    def clean(self):
        if self.section_id and self.community_id and self.section.community_id != self.community_id:
            raise ValidationError({"section": _("The section must belong to the same community.")})


class Unit(models.Model):
    """A 单元: one stairwell of a building, the space a corridor is made in."""

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="units", verbose_name=_("building")
    )
    number = models.PositiveSmallIntegerField(
        _("unit number"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    floors = models.PositiveSmallIntegerField(
        _("floors"), default=6, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    objects = ScopedManager()
    scope = ScopePaths.via_building("building")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number"),
        ]

    def __str__(self):
        return self.label(str(self.building), self.number)

    def get_absolute_url(self):
        return reverse("buildings:unit_detail", args=[self.pk])

    @staticmethod
    def label(building: str, number) -> str:
        return f"{building}{number}单元"


class Household(models.Model):
    class Occupancy(models.TextChoices):
        OWNER = "owner", _("owner-occupied")
        RENTED = "rented", _("rented")
        VACANT = "vacant", _("vacant")
        SHOP = "shop", _("shop")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="households", verbose_name=_("unit")
    )
    room = models.CharField(
        _("room number"),
        max_length=10,
        validators=[RegexValidator(r"^[0-9A-Za-z\-]+$", _("Use digits and letters, e.g. 301."))],
    )
    occupancy = models.CharField(
        _("occupancy"),
        max_length=10,
        choices=Occupancy.choices,
        default=Occupancy.OWNER,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = ScopedManager()
    scope = ScopePaths.via_building("unit__building")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit_id", "room"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room"),
        ]

    def __str__(self):
        return self.label(str(self.unit), self.room)

    def get_absolute_url(self):
        return pk_url("buildings:household_detail", self.pk)

    @staticmethod
    def label(unit: str, room: str) -> str:
        return f"{unit}{room}室"


class ResidentTag(models.Model):
    """A trait the work cares about: retired cadre, laid-off worker, senior-university student."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CurrentResidentManager(ScopedManager):
    """Residents who have not been erased: every list, search, roster, choice and count.

    The default manager, so that related managers (``household.residents``), model-form
    choices and ``visible_to`` leave erased rows out without each caller remembering to.
    Foreign keys from the ledger still reach an erased row (Django follows them through
    the base manager), where it reads as a former resident.
    """

    def get_queryset(self):
        return super().get_queryset().filter(erased_at__isnull=True)


class Resident(models.Model):
    """A person living in a household. No ID-card numbers: only what the work needs.

    A resident who moved away is erased (``buildings.privacy.resident_erase``): the row
    stays, so that the ledger keeps its donations, but holds no personal data any more.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("household")
    )
    # The household's community, kept by database triggers (buildings/resident_community.py)
    # so that lists of a community's residents are one index range.
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    name = models.CharField(_("full name"), max_length=30)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    is_party_member = models.BooleanField(_("Party member"), default=False, db_index=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Optional: only for the age profile of the community."),
    )
    tags = models.ManyToManyField(
        ResidentTag, blank=True, related_name="residents", verbose_name=_("tags")
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("erased by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = CurrentResidentManager()
    # Erased rows too: the resident's own export and the erasure itself.
    all_objects = ScopedManager()
    scope = replace(
        ScopePaths.via_building("household__unit__building"),
        district="community__district",
        community="community",
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "name", "id"]
        indexes = [
            # The resident list's keyset order (name, pk): each page is one index range.
            models.Index(fields=["name", "id"], name="resident_name_pk_idx"),
            # The same within a community (a secretary's list), for the current residents.
            models.Index(
                fields=["community", "name", "id"],
                name="resident_community_name_idx",
                condition=models.Q(erased_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The database sets the community too (on PostgreSQL before the row is written);
        # setting it here lets the instance know it without a reload.
        if self.household_id is not None:
            self.community_id = (
                Household.objects.filter(pk=self.household_id)
                .values_list("unit__building__community_id", flat=True)
                .first()
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("buildings:resident_detail", self.pk)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
