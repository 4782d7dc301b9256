"""Listening to residents and guiding the work.

Outreach campaigns (征求意见) with the suggestions they bring in, polls counted from paper
ballots, symposiums (座谈会), district officials' guidance visits (指导工作) with the
problems they raise tracked to close-out (销号), and the staff-edited rules that suggest a
community's corridor themes from its residents and its polls.

Everything here belongs to one community and is written by its secretary, except guidance
visits, which district officials write; the community's secretary closes out problems.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Resident, ResidentTag
from communities import scoping
from communities.models import Community
from communities.scoping import ScopedManager, ScopePaths

SECRETARY_ONLY = frozenset({scoping.SECRETARY})


def community_paths(prefix: str = "community", **kwargs) -> ScopePaths:
    """Community-level rows: everyone in the community reads them, the secretary writes."""
    kwargs.setdefault("write_roles", SECRETARY_ONLY)
    return ScopePaths(district=f"{prefix}__district", community=prefix, **kwargs)


def campaign_in_community(obj) -> None:
    """A record filed under a campaign must belong to the campaign's community."""
    campaign, community = obj.campaign_id, obj.community_id
    if campaign and community and obj.campaign.community_id != community:
        raise ValidationError({"campaign": _("The campaign must belong to this community.")})


class Channel(models.TextChoices):
    LETTER = "letter", _("letter")
    BOX = "box", _("suggestion box")
    PHONE = "phone", _("phone line")
    SYMPOSIUM = "symposium", _("symposium")
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")


class Campaign(models.Model):
    """An outreach campaign, e.g. 《致辖区居民的一封信》 with 1,800 letters."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    letters_sent = models.PositiveIntegerField(
        _("letters sent"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope = community_paths()

    class Meta:
        verbose_name = _("outreach campaign")
        verbose_name_plural = _("outreach campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:campaign_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        unknown = set(self.channels or []) - set(Channel.values)
        if not isinstance(self.channels, list) or unknown:
            errors["channels"] = _("Choose channels from the list.")
        if errors:
            raise ValidationError(errors)

    def get_channels_display(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels[c]) for c in self.channels if c in labels]


class Symposium(models.Model):
    """A 座谈会: residents round a table, and the suggestions they made."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="symposiums", verbose_name=_("community")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="symposiums",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100)
    attendees = models.PositiveIntegerField(_("attendees"), validators=[MaxValueValidator(100_000)])
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = community_paths()

    class Meta:
        verbose_name = _("symposium")
        verbose_name_plural = _("symposiums")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("engagement:symposium_detail", args=[self.pk])

    def clean(self):
        campaign_in_community(self)


class Suggestion(models.Model):
    """One suggestion from a resident, followed from arrival to an answer."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONSIDERED = "considered", _("under consideration")
        ADOPTED = "adopted", _("adopted")
        DECLINED = "declined", _("declined")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("community"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("campaign"),
    )
    symposium = models.ForeignKey(
        Symposium,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("symposium"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("content"), max_length=2000)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("resident"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("building"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope = community_paths()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["community", "status"], name="suggestion_community_status"),
        ]

    def __str__(self):
        text = self.content.strip().replace("\n", " ")
        return text if len(text) <= 30 else f"{text[:30]}…"

    def get_absolute_url(self):
        return reverse("engagement:suggestion_detail", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.status in {self.Status.ADOPTED, self.Status.DECLINED}

    def clean(self):
        errors = {}
        community = self.community_id
        try:
            campaign_in_community(self)
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.symposium_id and community and self.symposium.community_id != community:
            errors["symposium"] = _("The symposium must belong to this community.")
        if self.building_id and community and self.building.community_id != community:
            errors["building"] = _("The building must belong to this community.")
        if (
            self.resident_id
            and community
            and self.resident.household.unit.building.community_id != community
        ):
            errors["resident"] = _("The resident must live in this community.")
        if self.is_answered and not self.reply.strip():
            errors["reply"] = _("Write the reply that goes back to the resident.")
        if errors:
            raise ValidationError(errors)


class Poll(models.Model):
    """A question put to residents on paper ballots, counted in per option and building."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="polls", verbose_name=_("community")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("campaign"),
    )
    question = models.CharField(_("question"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope = community_paths()

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_on", "-pk"]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("engagement:poll_detail", args=[self.pk])

    def clean(self):
        campaign_in_community(self)


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll")
    )
    label = models.CharField(_("option"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ScopedManager()
    scope = community_paths("poll__community")

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["poll_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="polloption_unique_label"),
        ]

    def __str__(self):
        return self.label


class PollTally(models.Model):
    """Ballots for one option counted in one building (or not attributed to a building)."""

    option = models.ForeignKey(
        PollOption, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("option")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="poll_tallies",
        verbose_name=_("building"),
    )
    votes = models.PositiveIntegerField(_("votes"), validators=[MaxValueValidator(1_000_000)])
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counted by"),
    )
    counted_at = models.DateTimeField(_("counted at"), auto_now=True)

    objects = ScopedManager()
    scope = community_paths("option__poll__community")

    class Meta:
        verbose_name = _("poll tally")
        verbose_name_plural = _("poll tallies")
        ordering = ["option_id", "building_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["option", "building"],
                condition=Q(building__isnull=False),
                name="polltally_unique_building",
            ),
            models.UniqueConstraint(
                fields=["option"],
                condition=Q(building__isnull=True),
                name="polltally_unique_unattributed",
            ),
            models.CheckConstraint(condition=Q(votes__gte=0), name="polltally_votes_not_negative"),
        ]

    def __str__(self):
        return f"{self.option}: {self.votes}"


class GuidanceVisit(models.Model):
    """District or city officials visiting a community to guide the work (指导工作)."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="guidance_visits",
        verbose_name=_("community"),
    )
    visited_on = models.DateField(_("visited on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope = community_paths(write_roles=frozenset({scoping.OFFICIAL}))

    class Meta:
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.community} · {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("engagement:visit_detail", args=[self.pk])


class GuidanceVisitor(models.Model):
    """One person on a visit, by name and title as the report gives them."""

    visit = models.ForeignKey(
        GuidanceVisit, on_delete=models.CASCADE, related_name="visitors", verbose_name=_("visit")
    )
    name = models.CharField(_("name"), max_length=30)
    title = models.CharField(_("title"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ScopedManager()
    scope = community_paths("visit__community", write_roles=frozenset({scoping.OFFICIAL}))

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["visit_id", "position", "pk"]

    def __str__(self):
        return f"{self.title}{self.name}" if self.title else self.name


class GuidanceProblem(models.Model):
    """A problem a visit raised, open until someone fixes it and it is closed out (销号)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed out")

    visit = models.ForeignKey(
        GuidanceVisit,
        on_delete=models.CASCADE,
        related_name="problems",
        verbose_name=_("visit"),
    )
    description = models.TextField(_("problem"), max_length=2000)
    due_on = models.DateField(_("to fix by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    fixed_by = models.CharField(_("fixed by"), max_length=60, blank=True)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    resolution = models.TextField(_("how it was fixed"), max_length=2000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed out by"),
    )
    closed_at = models.DateTimeField(_("closed out at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    # Officials of the district raise problems; the community's secretary closes them out.
    scope = community_paths(
        "visit__community", write_roles=frozenset({scoping.OFFICIAL, scoping.SECRETARY})
    )

    class Meta:
        verbose_name = _("problem raised")
        verbose_name_plural = _("problems raised")
        ordering = ["visit_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(fixed_on__isnull=False) & ~Q(fixed_by="") & ~Q(resolution="")),
                name="guidanceproblem_closed_has_closeout",
            ),
        ]

    def __str__(self):
        text = self.description.strip().replace("\n", " ")
        return text if len(text) <= 30 else f"{text[:30]}…"

    def get_absolute_url(self):
        return f"{self.visit.get_absolute_url()}#problem-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self):
        errors = {}
        if self.status == self.Status.CLOSED:
            if not self.fixed_by.strip():
                errors["fixed_by"] = _("Say who fixed the problem.")
            if not self.fixed_on:
                errors["fixed_on"] = _("Say when the problem was fixed.")
            if not self.resolution.strip():
                errors["resolution"] = _("Say how the problem was fixed.")
        if self.fixed_on and self.visit_id and self.fixed_on < self.visit.visited_on:
            errors["fixed_on"] = _("A problem cannot be fixed before the visit that raised it.")
        if errors:
            raise ValidationError(errors)


class ThemeRule(models.Model):
    """Staff-edited advice: residents like these suggest corridors like those.

    A rule fires for a community when its residents with ``tag`` reach ``min_share``
    per cent, or when the winning option of the community's latest poll contains
    ``poll_keyword`` (either condition set; at least one is required).
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    tag = models.ForeignKey(
        ResidentTag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="theme_rules",
        verbose_name=_("resident tag"),
    )
    min_share = models.PositiveSmallIntegerField(
        _("minimum share of residents (%)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    poll_keyword = models.CharField(
        _("poll winner contains"),
        max_length=30,
        blank=True,
        help_text=_("Fires when the winning option of the latest poll contains this text."),
    )
    themes = models.CharField(
        _("suggested themes"),
        max_length=200,
        help_text=_("e.g. plaques and calligraphy, residents' own flowers"),
    )
    explanation = models.TextField(_("why"), max_length=1000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme rule")
        verbose_name_plural = _("theme rules")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=False) | ~Q(poll_keyword=""),
                name="themerule_has_condition",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.tag_id and not self.poll_keyword.strip():
            raise ValidationError(
                _("Give the rule a condition: a resident tag, a poll keyword or both.")
            )
