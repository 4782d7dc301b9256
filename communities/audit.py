"""Change history in the admin: who changed a record, when, and what.

Records that matter keep django-simple-history's ``HistoricalRecords`` (docs/privacy.md
lists them). Their admins mix in :class:`HistoryAdminMixin`, which

* shows the history only of rows the user may read (another community's id is a 404,
  like the change page);
* never reverts: a historical version is not a form to save again (it would bypass
  the services, the ledger's rules and an erasure), so the per-version page is refused
  and the list does not link to it;
* hides what the user may not see in the listed changes: phone numbers are masked and
  Party membership withheld by the portal's rule (``history_private_fields``).
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

HIDDEN = "—"


class MaskingContextHelper(HistoricalRecordContextHelper):
    """Formats a record's changes with some fields' values replaced."""

    def __init__(self, model, record, *, replace: dict):
        super().__init__(model, record)
        self.replace = replace

    def context_for_delta_changes(self, delta):
        rows = super().context_for_delta_changes(delta)
        for row, change in zip(rows, delta.changes, strict=True):
            mask = self.replace.get(change.field)
            if mask is not None:
                row["old"], row["new"] = mask(change.old), mask(change.new)
        return rows


class HistoryAdminMixin(SimpleHistoryAdmin):
    """Read-only, scoped history for a ``ScopedAdmin`` (list it before ``ScopedAdmin``)."""

    def history_view(self, request, object_id, extra_context=None):
        visible = self.get_queryset(request).filter(pk=unquote(object_id))
        if not request.user.is_superuser and not visible.exists():
            raise Http404
        request._history_object_id = unquote(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied

    def revert_disabled(self, request, obj=None):
        return True

    def history_private_fields(self, request) -> dict:
        """``{field name: function}`` replacing values the user may not see."""
        return {}

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskingContextHelper(
            self.model, historical_record, replace=self.history_private_fields(request)
        )
