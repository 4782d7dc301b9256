"""Personal data pages: one resident's export and erasure, the audit log, the access log.

Export and erase are for those who may edit the resident (another community's id is a
404, a visible resident one may not edit a 403); the logs are for district officials and
community secretaries (``communities.scoping.may_read_audit``), each for their own
communities.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import ListView

from buildings import privacy
from buildings.models import AccessLog, Resident
from communities import scoping
from communities.pagination import KeysetListMixin
from corridor_portal import audit_log
from corridor_portal import privacy as resident_export

RESIDENT_PATH = ("household__unit__building__community",)


def _editable_resident(request, pk) -> Resident:
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user)
        .select_related(*RESIDENT_PATH)
        .prefetch_related("tags"),
        pk=pk,
    )
    if not privacy.may_manage_personal_data(request.user, resident):
        raise PermissionDenied
    return resident


@login_required
@require_GET
def resident_export_view(request, pk):
    """Everything the portal holds about one resident, as a JSON file."""
    resident = _editable_resident(request, pk)
    privacy.log_access(
        user=request.user,
        action=AccessLog.Action.EXPORT_RESIDENT,
        community_id=resident.household.unit.building.community_id,
        resident=resident,
    )
    response = HttpResponse(
        resident_export.resident_json(resident), content_type="application/json; charset=utf-8"
    )
    name = resident_export.export_filename(resident)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def resident_erase_view(request, pk):
    """Ask, then erase a resident who moved away (POST with the box ticked)."""
    resident = _editable_resident(request, pk)
    household = resident.household
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that the resident moved away."))
        else:
            privacy.resident_erase(resident=resident, by=request.user)
            messages.success(
                request,
                _("The resident was erased; their donations stay in the ledger as %(name)s.")
                % {"name": privacy.erased_name(resident.pk)},
            )
            return redirect(household.get_absolute_url())
    return render(
        request,
        "privacy/resident_erase.html",
        {"resident": resident, "donation_count": resident.donations.count()},
    )


def _require_auditor(user):
    if not scoping.may_read_audit(user):
        raise PermissionDenied


@login_required
@require_GET
def audit_log_view(request):
    """Recent changes in the user's communities, filterable by record and date."""
    _require_auditor(request.user)
    form = audit_log.AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "kind": form.cleaned_data["kind"],
            "start": form.cleaned_data["start"],
            "end": form.cleaned_data["end"],
        }
    cursor = audit_log.read_cursor(request.GET.get(audit_log.CURSOR_PARAM))
    page = audit_log.audit_page(request.user, cursor=cursor, **filters)
    query = request.GET.copy()
    query.pop(audit_log.CURSOR_PARAM, None)
    next_query = ""
    if page.next_cursor:
        query[audit_log.CURSOR_PARAM] = page.next_cursor
        next_query = query.urlencode()
        query.pop(audit_log.CURSOR_PARAM)
    return render(
        request,
        "privacy/audit_log.html",
        {
            "form": form,
            "page": page,
            "next_query": next_query,
            "first_query": query.urlencode() if cursor else "",
        },
    )


class AccessLogView(LoginRequiredMixin, KeysetListMixin, ListView):
    """Who was shown residents' personal data, newest first."""

    template_name = "privacy/access_log.html"
    keyset_ordering = ("-at", "-pk")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_auditor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        rows = AccessLog.objects.visible_to(self.request.user).select_related(
            "user", "community", "resident"
        )
        community_ids = scoping.audit_community_ids(self.request.user)
        if community_ids is not None:
            rows = rows.filter(community_id__in=community_ids)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keep_days"] = privacy.access_log_days()
        return context
