"""The project's own tables: one-time form tokens (docs/forms.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """One use of a one-time form token.

    A create form carries a random token; the view claims it (inserts this row) inside
    the transaction that writes the record, so that the unique constraint lets one of two
    identical submits through. ``url`` is where the first submit went afterwards: a replay
    is sent there. Rows older than a week are purged (``manage.py purge_form_submissions``).
    """

    token = models.UUIDField(_("form token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    url = models.CharField(_("address of the result"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return str(self.token)
