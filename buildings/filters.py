"""List filters. Choices of related rows come from the same scoped querysets as the lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Household, Resident, ResidentTag
from communities import scoping
from communities.models import Community, Section


class BootstrapFilterSet(django_filters.FilterSet):
    """Gives every visible filter field Bootstrap's form classes."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
        return form


# Larger ids cannot exist, and would overflow the database's integers (a 500, not an
# empty list): an id filter takes whole numbers from 1 to MAX_ID, and ignores the rest.
MAX_ID = 2**62


def id_filter(field_name):
    """A hidden ``?building=12`` filter on the id of a related row."""
    return django_filters.NumberFilter(
        field_name=field_name,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
    )


YES_NO_ANY = forms.Select(choices=[("", _("any")), ("true", _("yes")), ("false", _("no"))])


def _communities(request):
    return Community.objects.visible_to(request.user)


def _sections(request):
    return Section.objects.visible_to(request.user).select_related("community")


class BuildingFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=50)
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), queryset=_communities, empty_label=_("any")
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"), queryset=_sections, empty_label=_("any")
    )

    class Meta:
        model = Building
        fields = ["q", "community", "section"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(compound__icontains=value) | Q(number__iexact=value) | Q(name__icontains=value)
        )


class HouseholdFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Room"), field_name="room", lookup_expr="iexact", max_length=10
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="unit__building__community",
        queryset=_communities,
        empty_label=_("any"),
    )
    building = id_filter("unit__building")
    occupancy = django_filters.ChoiceFilter(
        label=_("Occupancy"), choices=Household.Occupancy.choices, empty_label=_("any")
    )

    class Meta:
        model = Household
        fields = ["q", "community", "occupancy", "building"]


class ResidentFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Name"), field_name="name", lookup_expr="icontains", max_length=30
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="community",
        queryset=_communities,
        empty_label=_("any"),
    )
    is_party_member = django_filters.BooleanFilter(
        label=_("Party member"), widget=YES_NO_ANY, method="filter_party"
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=ResidentTag.objects.all(), empty_label=_("any")
    )
    building = id_filter("household__unit__building")

    class Meta:
        model = Resident
        fields = ["q", "community", "is_party_member", "tag", "building"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and scoping.party_visible_q(Resident, user) == scoping.NOTHING:
            # Building heads: no Party membership to filter by (docs/privacy.md).
            del self.filters["is_party_member"]

    def filter_party(self, queryset, name, value):
        """Only residents whose membership the user may see: the filter reveals no more
        than the column."""
        if value is None:
            return queryset
        visible = scoping.party_visible_q(Resident, self.request.user)
        if visible is not None:
            queryset = queryset.filter(visible)
        return queryset.filter(is_party_member=value)
