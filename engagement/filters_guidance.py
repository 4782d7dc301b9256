"""Filters of the guidance visit and problem lists; choices come from scoped querysets."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildings.filters import YES_NO_ANY, BootstrapFilterSet
from communities.models import Community
from engagement.models import GuidanceProblem, GuidanceVisit

OPEN = GuidanceProblem.Status.OPEN


def _communities(request):
    return Community.objects.visible_to(request.user)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitFilter(BootstrapFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )
    visited_from = django_filters.DateFilter(
        label=_("Visited from"), field_name="visited_on", lookup_expr="gte", widget=_date_input()
    )
    visited_until = django_filters.DateFilter(
        label=_("Visited until"), field_name="visited_on", lookup_expr="lte", widget=_date_input()
    )
    open_problems = django_filters.BooleanFilter(
        label=_("Has open problems"), method="with_open_problems", widget=YES_NO_ANY
    )

    class Meta:
        model = GuidanceVisit
        fields = ["community", "visited_from", "visited_until", "open_problems"]

    def with_open_problems(self, queryset, name, value):
        has_open = Exists(GuidanceProblem.objects.filter(visit=OuterRef("pk"), status=OPEN))
        return queryset.filter(has_open if value else ~has_open)


class ProblemFilter(BootstrapFilterSet):
    """Open problems unless another status is asked for: the list of what is still to fix."""

    STATUSES = [
        (OPEN, pgettext_lazy("problem", "open")),
        (GuidanceProblem.Status.CLOSED, _("closed out")),
        ("all", _("all")),
    ]

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUSES, empty_label=None, method="by_status"
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="visit__community",
        queryset=_communities,
        empty_label=_("any"),
    )

    class Meta:
        model = GuidanceProblem
        fields = ["status", "community"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if data.get("status") not in {value for value, _label in self.STATUSES}:
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)

    def by_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)
