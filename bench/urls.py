"""The portal's URLs plus the reference pages the load benchmark compares it with, under
/bench/: a hello-world view, Django admin's default changelists of residents and donations
(a plain ``ModelAdmin``, as a project gets it without tuning), and the dashboards computed
from the raw records on every request (no cache). Served only with bench.settings."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from buildings.models import Building, Donation, Resident
from communities.models import Community
from corridor_portal import dashboard
from corridor_portal import urls as portal


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


class PlainAdminSite(admin.AdminSite):
    site_url = None


plain_admin = PlainAdminSite(name="plain_admin")
plain_admin.register(Resident)
plain_admin.register(Donation)


@login_required
def raw_dashboard(request, level):
    """What a dashboard page computes without its cache: every figure and the trends from
    the records (:func:`dashboard.recount`), for the user's district or one community."""
    user = request.user
    if level == "district":
        within = dashboard.dashboard_communities(user)
        rows = dashboard.recount(
            user, level="community", within=within, period=dashboard.Period.default()
        )
        trends = dashboard.recount_trends(
            user,
            level="community",
            within=within,
            first=dashboard._first_month(dashboard.timezone.localdate(), 12),
            today=dashboard.timezone.localdate(),
        )
    else:
        community = dashboard.dashboard_communities(user).order_by("pk").first()
        within = Building.objects.visible_to(user).filter(community=community)
        rows = dashboard.recount(
            user, level="building", within=within, period=dashboard.Period.default()
        )
        trends = dashboard.recount_trends(
            user,
            level="community",
            within=Community.objects.filter(pk=community.pk),
            first=dashboard._first_month(dashboard.timezone.localdate(), 12),
            today=dashboard.timezone.localdate(),
        )
    body = f"{len(rows['rows'])} rows, total raised {rows['total'].raised}, {len(trends)} series"
    return HttpResponse(body, content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/admin/", plain_admin.urls),
    path("bench/raw/<str:level>/", raw_dashboard),
    *portal.urlpatterns,
]

for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(portal, _name):
        globals()[_name] = getattr(portal, _name)
