"""List filters for campaigns, suggestions and symposiums.

Choices of related rows come from the same scoped querysets as the lists, so a district
official picks among the district's communities and a secretary among their own.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildings.filters import BootstrapFilterSet
from communities.models import Community
from engagement.models import Campaign, Channel, Suggestion, Symposium

MAX_ID = 2**62  # larger ids cannot exist and would overflow the database's integers


def _communities(request):
    return Community.objects.visible_to(request.user)


def _campaigns(request):
    return (
        Campaign.objects.visible_to(request.user)
        .select_related("community")
        .order_by("community__name", "-starts_on", "-pk")
    )


class CampaignChoiceField(forms.ModelChoiceField):
    """Campaigns of several communities often share a title: name the community too."""

    def label_from_instance(self, obj):
        return f"{obj.community.name} · {obj.title} ({obj.starts_on:%Y-%m-%d})"


class CampaignChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CampaignChoiceField


def _date_filter(label, field_name, lookup_expr):
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CampaignFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Title"), field_name="title", lookup_expr="icontains", max_length=100
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )

    class Meta:
        model = Campaign
        fields = ["q", "community"]


class SuggestionFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Text"), field_name="content", lookup_expr="icontains", max_length=100
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )
    campaign = CampaignChoiceFilter(label=_("Campaign"), queryset=_campaigns, empty_label=_("any"))
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Suggestion.Status.choices, empty_label=_("any")
    )
    received_from = _date_filter(_("Received from"), "received_on", "gte")
    received_to = _date_filter(_("Received until"), "received_on", "lte")
    symposium = django_filters.NumberFilter(
        field_name="symposium",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
    )

    class Meta:
        model = Suggestion
        fields = [
            "q",
            "community",
            "campaign",
            "channel",
            "status",
            "received_from",
            "received_to",
            "symposium",
        ]


class SymposiumFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )
    campaign = CampaignChoiceFilter(label=_("Campaign"), queryset=_campaigns, empty_label=_("any"))
    held_from = _date_filter(_("Held from"), "held_on", "gte")
    held_to = _date_filter(_("Held until"), "held_on", "lte")

    class Meta:
        model = Symposium
        fields = ["q", "community", "campaign", "held_from", "held_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value))
