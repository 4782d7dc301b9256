"""List filters. Choices of related rows come from the same scoped querysets as the lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Household, Resident, ResidentTag
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
    q = django_filters.CharFilter(label=_("Room"), field_name="room", lookup_expr="iexact")
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="unit__building__community",
        queryset=_communities,
        empty_label=_("any"),
    )
    building = django_filters.NumberFilter(field_name="unit__building", widget=forms.HiddenInput)
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
        field_name="household__unit__building__community",
        queryset=_communities,
        empty_label=_("any"),
    )
    is_party_member = django_filters.BooleanFilter(label=_("Party member"), widget=YES_NO_ANY)
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=ResidentTag.objects.all(), empty_label=_("any")
    )
    building = django_filters.NumberFilter(
        field_name="household__unit__building", widget=forms.HiddenInput
    )

    class Meta:
        model = Resident
        fields = ["q", "community", "is_party_member", "tag", "building"]
