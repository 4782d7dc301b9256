"""Pages for buildings, units, households and residents; every queryset is scoped."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from buildings.filters import BuildingFilter, HouseholdFilter, ResidentFilter
from buildings.forms import BuildingForm, HouseholdForm, ResidentForm, UnitForm
from buildings.models import Building, Household, Resident, Unit
from communities import scoping
from communities.mixins import (
    CanEditMixin,
    ScopedFormMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    ScopedUpdateMixin,
)


class ChildCreateMixin(ScopedFormMixin):
    """Create a row under a parent the user may see (else 404) and edit (else 403)."""

    parent_model = None
    parent_field = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parent = get_object_or_404(
            self.parent_model.objects.visible_to(request.user), pk=kwargs["parent_pk"]
        )
        if not scoping.can_edit(request.user, self.parent):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent_field: self.parent})
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.parent
        return context


# Buildings


class BuildingListView(ScopedListMixin, ListView):
    model = Building
    filterset_class = BuildingFilter

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "section", "head")
            .annotate(unit_count=Count("units"))
            .order_by("community_id", "compound", "number", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = scoping.writable_community_ids(self.request.user, Building) != []
        return context


class BuildingDetailView(CanEditMixin, ScopedQuerysetMixin, DetailView):
    model = Building

    def get_queryset(self):
        return super().get_queryset().select_related("community", "section", "head")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["units"] = self.object.units.annotate(
            household_count=Count("households", distinct=True),
            vacant_count=Count(
                "households",
                filter=Q(households__occupancy=Household.Occupancy.VACANT),
                distinct=True,
            ),
            resident_count=Count("households__residents", distinct=True),
        ).order_by("number")
        return context


class BuildingCreateView(ScopedFormMixin, CreateView):
    model = Building
    form_class = BuildingForm
    success_message = _("Building %(object)s saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (
            scoping.writable_community_ids(request.user, Building) == []
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BuildingUpdateView(ScopedUpdateMixin, UpdateView):
    model = Building
    form_class = BuildingForm
    success_message = _("Building %(object)s saved.")


# Units


class UnitDetailView(CanEditMixin, ScopedQuerysetMixin, DetailView):
    model = Unit

    def get_queryset(self):
        return super().get_queryset().select_related("building__community")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["households"] = self.object.households.annotate(
            resident_count=Count("residents")
        ).order_by("room")
        return context


class UnitCreateView(ChildCreateMixin, CreateView):
    model = Unit
    form_class = UnitForm
    parent_model = Building
    parent_field = "building"
    success_message = _("Unit %(object)s saved.")


class UnitUpdateView(ScopedUpdateMixin, UpdateView):
    model = Unit
    form_class = UnitForm
    success_message = _("Unit %(object)s saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("building")


# Households


class HouseholdListView(ScopedListMixin, ListView):
    model = Household
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit__building")
            .annotate(resident_count=Count("residents"))
            .order_by(
                "unit__building__compound", "unit__building__number", "unit__number", "room", "pk"
            )
        )


class HouseholdDetailView(CanEditMixin, ScopedQuerysetMixin, DetailView):
    model = Household

    def get_queryset(self):
        return super().get_queryset().select_related("unit__building__community")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["residents"] = self.object.residents.prefetch_related("tags").order_by("name", "pk")
        context["show_phone"] = scoping.can_see_personal_data(
            self.request.user, self.object.unit.building.community_id
        )
        return context


class HouseholdCreateView(ChildCreateMixin, CreateView):
    model = Household
    form_class = HouseholdForm
    parent_model = Unit
    parent_field = "unit"
    success_message = _("Household %(object)s saved.")


class HouseholdUpdateView(ScopedUpdateMixin, UpdateView):
    model = Household
    form_class = HouseholdForm
    success_message = _("Household %(object)s saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("unit__building")


# Residents


class ResidentListView(ScopedListMixin, ListView):
    model = Resident
    filterset_class = ResidentFilter

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("household__unit__building__community")
            .prefetch_related("tags")
            .order_by(
                "household__unit__building__compound",
                "household__unit__building__number",
                "household__unit__number",
                "household__room",
                "name",
                "pk",
            )
        )


class ResidentDetailView(CanEditMixin, ScopedQuerysetMixin, DetailView):
    model = Resident

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("household__unit__building__community")
            .prefetch_related("tags")
        )


class ResidentCreateView(ChildCreateMixin, CreateView):
    model = Resident
    form_class = ResidentForm
    parent_model = Household
    parent_field = "household"
    success_message = _("Resident %(object)s saved.")

    def get_success_url(self):
        return self.parent.get_absolute_url()


class ResidentUpdateView(ScopedUpdateMixin, UpdateView):
    model = Resident
    form_class = ResidentForm
    success_message = _("Resident %(object)s saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("household__unit__building")
