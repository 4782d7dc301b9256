"""Districts, communities, sections, users and the memberships that give them roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities import scoping
from communities.scoping import ScopedManager, ScopePaths


class User(AbstractUser):
    """A person who logs in. Roles come from :class:`Membership`, never from flags here."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username


class District(models.Model):
    name = models.CharField(_("name"), max_length=50)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    objects = ScopedManager()
    scope = ScopePaths(district="pk", community=None, write_roles=frozenset())

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    class OrgKind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")
        GENERAL_BRANCH = "general_branch", _("Party general branch")
        BRANCH = "branch", _("Party branch")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="communities", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=50)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    org_kind = models.CharField(
        _("Party organisation"), max_length=20, choices=OrgKind.choices, default=OrgKind.BRANCH
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_pilot = models.BooleanField(_("pilot"), default=False)
    theme = models.TextField(
        _("theme and characteristics"),
        max_length=2000,
        blank=True,
        help_text=_(
            "What makes this community's corridors its own, e.g. calligraphy by retired cadres."
        ),
    )
    target_corridors = models.PositiveIntegerField(_("target number of corridors"), default=0)

    objects = ScopedManager()
    scope = ScopePaths(
        district="district", community="pk", write_roles=frozenset({scoping.SECRETARY})
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["district_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="community_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:community_detail", args=[self.pk])


class Section(models.Model):
    """A 片区: the part of a community that one cadre of the two committees guides."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="sections", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=50)

    objects = ScopedManager()
    scope = ScopePaths(
        district="community__district",
        community="community",
        section="pk",
        write_roles=frozenset({scoping.SECRETARY}),
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["community_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="section_unique_name"),
        ]

    def __str__(self):
        return f"{self.community.name} · {self.name}"

    def get_absolute_url(self):
        return reverse("portal:community_detail", args=[self.community_id])


class Membership(models.Model):
    """What a user may do, and where: the only source of roles."""

    class Role(models.TextChoices):
        OFFICIAL = scoping.OFFICIAL, _("district official")
        SECRETARY = scoping.SECRETARY, _("community secretary")
        CADRE = scoping.CADRE, _("section cadre")
        HEAD = scoping.HEAD, _("building head")

    class GroupPosition(models.TextChoices):
        NONE = "", _("not in the leading group")
        LEADER = "leader", _("group leader")
        DEPUTY = "deputy", _("deputy group leader")
        MEMBER = "member", _("group member")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("district")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("community"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("section"),
    )
    group_position = models.CharField(
        _("leading group position"),
        max_length=10,
        choices=GroupPosition.choices,
        default=GroupPosition.NONE,
        blank=True,
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ScopedManager()
    scope = ScopePaths(
        district="district", community="community", write_roles=frozenset({scoping.SECRETARY})
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["district_id", "community_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=scoping.OFFICIAL) | Q(community__isnull=False),
                name="membership_community_required",
            ),
            models.CheckConstraint(
                condition=~Q(role=scoping.CADRE) | Q(section__isnull=False),
                name="membership_cadre_section_required",
            ),
        ]

    def __str__(self):
        where = self.section or self.community or self.district
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self):
        errors = {}
        if self.role != self.Role.OFFICIAL and not self.community_id:
            errors["community"] = _("This role needs a community.")
        if self.role == self.Role.CADRE and not self.section_id:
            errors["section"] = _("A section cadre needs a section.")
        if self.section_id and self.community_id and self.section.community_id != self.community_id:
            errors["section"] = _("The section must belong to the chosen community.")
        if (
            self.community_id
            and self.district_id
            and self.community.district_id != self.district_id
        ):
            errors["community"] = _("The community must belong to the chosen district.")
        if errors:
            raise ValidationError(errors)


class DataVersion(models.Model):
    """A number the database raises whenever a record that a cached figure or page is
    computed from changes in the community: the dashboards' rows and the public corridor
    pages are cached under it. Kept by triggers installed by corridor_portal (which knows
    every app's tables: corridor_portal/versions.py); no foreign key constraint, so that
    the triggers never stand in the way of a delete."""

    community = models.OneToOneField(
        Community,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    number = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.community_id}: {self.number}"

    @classmethod
    def of(cls, community_path: str) -> Subquery:
        """An annotation: the data version of the community at ``community_path`` (``"pk"``
        for a community, ``"community_id"`` for a building, ...); None if it has no row."""
        return Subquery(
            cls.objects.filter(community_id=OuterRef(community_path)).values("number")[:1]
        )
