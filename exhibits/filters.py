"""List filters for corridors and exhibits; choices come from scoped querysets."""

import django_filters
from django.utils.translation import gettext_lazy as _

from buildings.filters import BootstrapFilterSet, _communities, id_filter
from exhibits.models import Corridor, Exhibit


class CorridorFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Theme"), field_name="theme", lookup_expr="icontains", max_length=50
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="unit__building__community",
        queryset=_communities,
        empty_label=_("any"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Corridor.Status.choices, empty_label=_("any")
    )
    building = id_filter("unit__building")

    class Meta:
        model = Corridor
        fields = ["q", "community", "status", "building"]


class ExhibitFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Title"), field_name="title", lookup_expr="icontains", max_length=100
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="corridor__unit__building__community",
        queryset=_communities,
        empty_label=_("any"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Exhibit.Kind.choices, empty_label=_("any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Exhibit.Status.choices, empty_label=_("any")
    )
    building = id_filter("corridor__unit__building")
    corridor = id_filter("corridor")

    class Meta:
        model = Exhibit
        fields = ["q", "community", "kind", "status", "building", "corridor"]
