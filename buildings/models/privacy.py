"""Who read residents' personal data: the access log (docs/privacy.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models.places import Resident
from communities.models import Community
from communities.scoping import ScopedManager, ScopePaths


class AccessLog(models.Model):
    """One page or file that showed residents' personal data to one person.

    Written once per request (never per resident shown), by ``buildings.privacy.log_access``;
    never changed. Kept for ``ACCESS_LOG_DAYS`` days (``manage.py purge_access_log``).
    """

    class Action(models.TextChoices):
        VIEW_RESIDENT = "view_resident", _("viewed a resident")
        EXPORT_RESIDENT = "export_resident", _("exported a resident's data")
        EXPORT_ROSTER = "export_roster", _("exported the residents' roster")
        ERASE_RESIDENT = "erase_resident", _("erased a resident")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    rows = models.PositiveIntegerField(
        _("residents"), default=1, help_text=_("How many residents the page or file held.")
    )

    objects = ScopedManager()
    scope = ScopePaths(
        district="community__district", community="community", write_roles=frozenset()
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["community", "at"], name="accesslog_community_at_idx")]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
