"""Pages for buildings, units, households and residents; every queryset is scoped."""

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from buildings import importing, services
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
from communities.models import Community


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        community = (
            self.filterset.form.cleaned_data.get("community")
            if self.filterset.is_bound and self.filterset.form.is_valid()
            else None
        )
        context["roster_community"] = community
        context["can_import"] = bool(community) and importing.may_import(
            self.request.user, community
        )
        return context


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


# The roster spreadsheet: import and export

ROSTER_SESSION_KEY = "roster_imports"
ROSTER_SESSION_MAX = 5  # uploads awaiting confirmation per session
ROSTER_ERRORS_SHOWN = 10  # rows listed in messages when a confirmed file turns out invalid


class RosterCommunityMixin(LoginRequiredMixin):
    """A community the user may see (else 404); to import, one they may edit (else 403).

    The checks come before the HTTP method is looked at, so a GET of the POST-only
    confirm URL answers 404 or 403 like the other pages and 405 only past them.
    """

    for_import = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.community = get_object_or_404(
            Community.objects.visible_to(request.user), pk=kwargs["community_pk"]
        )
        if self.for_import and not importing.may_import(request.user, self.community):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def upload_url(self):
        return reverse("buildings:roster_import", args=[self.community.pk])

    def pending_uploads(self) -> dict[str, int]:
        return dict(self.request.session.get(ROSTER_SESSION_KEY, {}))

    def remember_upload(self, token):
        pending = self.pending_uploads()
        pending[token] = self.community.pk
        while len(pending) > ROSTER_SESSION_MAX:  # the oldest upload is abandoned
            oldest = next(iter(pending))
            importing.delete_upload(oldest)
            del pending[oldest]
        self.request.session[ROSTER_SESSION_KEY] = pending

    def forget_upload(self, token):
        importing.delete_upload(token)
        pending = self.pending_uploads()
        if pending.pop(token, None) is not None:
            self.request.session[ROSTER_SESSION_KEY] = pending


class RosterImportView(RosterCommunityMixin, View):
    """Upload a roster; a valid one is kept and previewed, an invalid one listed by row."""

    def get(self, request, community_pk):
        return self.render_form(importing.RosterUploadForm())

    def post(self, request, community_pk):
        form = importing.RosterUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        upload = form.cleaned_data["file"]
        try:
            rows = importing.read_roster(upload)
        except importing.RosterFileError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.render_form(form)
        plan = importing.plan_roster(community=self.community, rows=rows, user=request.user)
        if plan.errors:
            return self.render_form(form, plan=plan)
        token = ""
        if plan.has_changes:
            token = importing.store_upload(upload)
            self.remember_upload(token)
        context = {
            "community": self.community,
            "plan": plan,
            "summary": plan.summary,
            "changes": plan.changes[: importing.DISPLAY_LIMIT],
            "hidden_changes": max(0, len(plan.changes) - importing.DISPLAY_LIMIT),
            "display_limit": importing.DISPLAY_LIMIT,
            "token": token,
            "file_name": upload.name,
        }
        return render(request, "buildings/roster_import_preview.html", context)

    def render_form(self, form, plan=None):
        errors = plan.errors if plan else []
        context = {
            "community": self.community,
            "form": form,
            "columns": importing.COLUMNS,
            "row_errors": errors[: importing.DISPLAY_LIMIT],
            "error_count": len(errors),
            "hidden_errors": max(0, len(errors) - importing.DISPLAY_LIMIT),
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        return render(
            request=self.request, template_name="buildings/roster_import.html", context=context
        )


class RosterImportConfirmView(RosterCommunityMixin, View):
    """Apply an upload kept by the preview: checked again, all rows or none."""

    def post(self, request, community_pk):
        token = request.POST.get("token", "")
        expired = _("This import has expired or does not exist. Upload the file again.")
        if self.pending_uploads().get(token) != self.community.pk:
            messages.error(request, expired)
            return redirect(self.upload_url())
        try:
            try:
                data = importing.open_upload(token)
            except (ValueError, FileNotFoundError):
                messages.error(request, expired)
                return redirect(self.upload_url())
            rows = importing.read_roster(BytesIO(data))
            plan = services.roster_import_apply(
                community=self.community, plan_or_rows=rows, by=request.user
            )
        except importing.RosterFileError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.upload_url())
        except importing.RosterInvalid as exc:
            errors = exc.plan.errors
            messages.error(request, _("The records changed since the preview; nothing was saved."))
            for error in errors[:ROSTER_ERRORS_SHOWN]:
                messages.error(request, str(error))
            if len(errors) > ROSTER_ERRORS_SHOWN:
                messages.error(
                    request,
                    _("… and %(count)d more rows with errors.")
                    % {"count": len(errors) - ROSTER_ERRORS_SHOWN},
                )
            return redirect(self.upload_url())
        except IntegrityError:
            messages.error(
                request,
                _("The records changed while importing; nothing was saved. Upload the file again."),
            )
            return redirect(self.upload_url())
        finally:
            # confirmed, refused or failed: an upload is applied at most once
            self.forget_upload(token)
        messages.success(
            request,
            _(
                "Roster imported: %(households_created)d households created, "
                "%(households_changed)d changed; %(residents_created)d residents created, "
                "%(residents_changed)d changed; %(unchanged)d rows unchanged."
            )
            % plan.summary,
        )
        url = reverse("buildings:resident_list")
        return redirect(f"{url}?community={self.community.pk}")


class RosterExportView(RosterCommunityMixin, View):
    """The community's roster as the user may see it, in the import layout."""

    for_import = False

    def get(self, request, community_pk):
        # a community's roster is well under a megabyte: memory, not a temporary file
        out = BytesIO()
        importing.write_roster(community=self.community, user=request.user, out=out)
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=importing.export_filename(self.community),
            content_type=importing.XLSX_CONTENT_TYPE,
        )
