"""The poll list's filter: question, community, open or closed, campaign."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from buildings.filters import BootstrapFilterSet
from communities.models import Community
from engagement.models import Poll


def _communities(request):
    return Community.objects.visible_to(request.user)


class IdFilter(django_filters.Filter):
    """A row id from the query string: a whole number in range, else the filter is invalid."""

    field_class = forms.IntegerField


class PollFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Question"), field_name="question", lookup_expr="icontains", max_length=50
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )
    is_closed = django_filters.BooleanFilter(
        label=_("Open or closed"),
        widget=forms.Select(choices=[("", _("any")), ("false", _("open")), ("true", _("closed"))]),
    )
    # The campaign page links here with ?campaign=<pk>; the rows stay scoped.
    campaign = IdFilter(
        field_name="campaign", widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )

    class Meta:
        model = Poll
        fields = ["q", "community", "is_closed", "campaign"]
