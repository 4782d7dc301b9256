"""The upward report (上报信息): a printable A4 page and the same report as a .docx file.

Superusers, district officials (their district) and community secretaries (their
community) may generate it; everyone else signed in gets 403. Both take the dashboard's
filter (``DashboardFilterForm``): invalid input shows the form's errors and falls back to
the default period.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from communities import scoping
from corridor_portal import dashboard, report
from corridor_portal.forms import DashboardFilterForm

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _generate(request):
    """The filter form and the report it asks for."""
    if not dashboard.may_use_dashboard(request.user):
        raise PermissionDenied
    communities = dashboard.dashboard_communities(request.user)
    form = DashboardFilterForm(request.GET or None, user=request.user, communities=communities)
    period = form.period()
    chosen = form.chosen_community()
    if chosen is not None:
        communities = communities.filter(pk=chosen.pk)
    content = report.build_report(request.user, communities=communities, period=period)
    if chosen is None:
        # The report covers every community the user may choose from: offer them without
        # asking the database again.
        field = form.fields["community"]
        listed = sorted(content.communities, key=lambda c: (c.name, c.pk))
        field.choices = [("", field.empty_label), *((c.pk, c.name) for c in listed)]
    return form, chosen, content


class ReportView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, chosen, content = _generate(self.request)
        query = {
            "start": content.period.start.isoformat(),
            "end": content.period.end.isoformat(),
        }
        if chosen is not None:
            query["community"] = chosen.pk
        roles = scoping.roles_of(self.request.user)
        context |= {
            "form": form,
            "content": content,
            "docx_query": urlencode(query),
            # A secretary reports on their own community only: no community to choose.
            "choose_community": scoping.OFFICIAL in roles,
        }
        return context


@login_required
@require_GET
def report_docx(request):
    _form, _chosen, content = _generate(request)
    response = HttpResponse(report.report_docx(content), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content.content_disposition("docx")
    return response
