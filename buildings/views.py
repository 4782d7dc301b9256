"""Pages for buildings, units, households and residents; every queryset is scoped."""

import uuid
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from buildings import (
    forms_funds,
    forms_rosters,
    fund_sheets,
    importing,
    privacy,
    roster_services,
    rotation,
    services,
)
from buildings.filters import BuildingFilter, HouseholdFilter, ResidentFilter
from buildings.forms import BuildingForm, HouseholdForm, ResidentForm, UnitForm
from buildings.forms_funds import FundFilter, FundForm, FundUpdateForm
from buildings.models import (
    AccessLog,
    Building,
    Donation,
    DutyRoster,
    DutyShift,
    Expense,
    Fund,
    Household,
    Resident,
    RosterExemption,
    RosterSlot,
    Unit,
)
from buildings.privacy import party_shown, phone_shown
from communities import concurrency, images, scoping
from communities.forms import add_service_errors
from communities.links import pk_url
from communities.mixins import (
    CanEditMixin,
    EditableParentMixin,
    OptimisticLockMixin,
    ScopedFormMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    ScopedUpdateMixin,
    SubmitOnceMixin,
)
from communities.models import Community
from communities.pagination import KeysetListMixin, KeysetPaginator, related_count


class ChildCreateMixin(EditableParentMixin, ScopedFormMixin):
    """Create a row under a parent the user may see (else 404) and edit (else 403)."""

    parent_kwarg = "parent_pk"
    parent_field = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent_field: self.parent})
        return kwargs


# Buildings


class BuildingListView(KeysetListMixin, ScopedListMixin, ListView):
    model = Building
    filterset_class = BuildingFilter
    # building_unique_number (community, compound, number) gives this order
    keyset_ordering = ("community_id", "compound", "number", "pk")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "section", "head")
            .annotate(unit_count=related_count(Unit, "building"))
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
        context.update(unit_rosters(self.request.user, self.object))
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


class HouseholdListView(KeysetListMixin, ScopedListMixin, ListView):
    """Households stairwell by stairwell, rooms in order: the order of the index of
    household_unique_room (unit, room). Ordering by the address across buildings would
    sort every matching row on every page."""

    model = Household
    filterset_class = HouseholdFilter
    keyset_ordering = ("unit_id", "room", "pk")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit__building")
            .annotate(resident_count=related_count(Resident, "household"))
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


class ResidentListView(KeysetListMixin, ScopedListMixin, ListView):
    """Residents by name, the order of resident_name_pk_idx: a page is an index range."""

    model = Resident
    filterset_class = ResidentFilter
    keyset_ordering = ("name", "pk")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            # A list, not a manager per row: 50 managers and querysets cost a page
            # more than its queries.
            .prefetch_related(Prefetch("tags", to_attr="tag_list"))
        )

    def row_annotations(self):
        # The household's label and the community's district as plain values: the rows
        # are the page's cost, and five model instances a row were half of it.
        return {
            "room": F("household__room"),
            "unit_number": F("household__unit__number"),
            "compound": F("household__unit__building__compound"),
            "building_number": F("household__unit__building__number"),
            "district_id": F("community__district_id"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # What each cell shows, worked out here once a row rather than by template tags.
        for resident in context["object_list"]:
            building = Building.label(resident.compound, resident.building_number)
            unit = Unit.label(building, resident.unit_number)
            resident.household_label = Household.label(unit, resident.room)
            resident.household_url = pk_url("buildings:household_detail", resident.household_id)
            resident.url = pk_url("buildings:resident_detail", resident.pk)
            resident.phone_shown = phone_shown(user, resident)
            resident.party_shown = party_shown(user, resident)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        privacy.log_access(
            user=self.request.user,
            action=AccessLog.Action.VIEW_RESIDENT,
            community_id=self.object.household.unit.building.community_id,
            resident=self.object,
        )
        return context


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
        rows = importing.write_roster(community=self.community, user=request.user, out=out)
        privacy.log_access(
            user=request.user,
            action=AccessLog.Action.EXPORT_ROSTER,
            community_id=self.community.pk,
            rows=rows,
        )
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=importing.export_filename(self.community),
            content_type=importing.XLSX_CONTENT_TYPE,
        )


# Funds and their ledger: every figure is summed by the database; every write is a service


LEDGER_PAGE_SIZE = 50
HISTORY_SHOWN = 20
HISTORY_FIELDS = ["purpose", "description", "target", "quota", "leader", "is_open", "opened_on"]
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _ledger_sum(model, **filters):
    """The sum of ``amount`` over a fund's entries (reversals included), as a subquery."""
    entries = (
        model.objects.filter(fund=OuterRef("pk"), **filters)
        .order_by()
        .values("fund")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=MONEY), Value(services.ZERO), output_field=MONEY)


def _ledger_count(model):
    entries = (
        model.objects.filter(fund=OuterRef("pk"))
        .order_by()
        .values("fund")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(entries, output_field=IntegerField()), Value(0))


def funds_with_totals(queryset):
    """Funds annotated with raised (money), in-kind value, spent and entry counts, in the
    one query that fetches them; the same sums as ``services.fund_totals``."""
    money = Donation.Kind.MONEY
    return queryset.annotate(
        raised=_ledger_sum(Donation, kind=money),
        in_kind=_ledger_sum(Donation, kind__in=[Donation.Kind.LABOUR, Donation.Kind.GOODS]),
        spent=_ledger_sum(Expense),
        donation_count=_ledger_count(Donation),
        expense_count=_ledger_count(Expense),
    )


def progress_percent(raised, target) -> int | None:
    """Whole percent of the target raised, 0 to 100 (as ``services.fund_totals``)."""
    if not target:
        return None
    return max(0, min(100, int(raised * 100 / target)))


def _with_figures(fund):
    fund.balance = fund.raised - fund.spent
    fund.progress = progress_percent(fund.raised, fund.target)
    return fund


class FundListView(ScopedListMixin, ListView):
    model = Fund
    filterset_class = FundFilter
    template_name = "buildings/fund_list.html"

    def get_queryset(self):
        return funds_with_totals(
            super()
            .get_queryset()
            .select_related("building__community", "unit__building", "leader")
            .order_by("-is_open", "-opened_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for fund in context["object_list"]:
            _with_figures(fund)
        building = None
        form = self.filterset.form
        if self.filterset.is_bound and form.is_valid() and form.cleaned_data.get("building"):
            building = Building.objects.visible_to(self.request.user).filter(
                pk=form.cleaned_data["building"]
            )
            building = building.select_related("community").first()
        context["building"] = building
        context["can_create"] = building is not None and _may_open_fund(self.request.user, building)
        return context


def _may_open_fund(user, building) -> bool:
    """Fund editors of the building (its head too, who may not edit the building itself)."""
    q = scoping.attachable_q(Building, user, Fund.scope.write_roles)
    return q is None or Building.objects.filter(q, pk=building.pk).exists()


class FundCreateView(SubmitOnceMixin, LoginRequiredMixin, CreateView):
    model = Fund
    form_class = FundForm
    template_name = "buildings/fund_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.building = get_object_or_404(
            Building.objects.visible_to(request.user).select_related("community"),
            pk=kwargs["building_pk"],
        )
        if not _may_open_fund(request.user, self.building):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["building"] = self.building
        kwargs["instance"] = Fund(building=self.building, created_by=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.building
        return context

    def form_valid(self, form):
        try:
            fund = services.fund_create(
                building=self.building, data=form.fund_data(), by=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Fund %(fund)s opened.") % {"fund": fund.purpose})
        return redirect(fund)


class FundEditMixin(EditableParentMixin):
    """A fund the user may see (else 404) and change (else 403), for writes under it."""

    parent_model = Fund
    parent_attr = "fund"
    parent_related = ("building__community", "unit__building")


class FundUpdateView(FundEditMixin, OptimisticLockMixin, UpdateView):
    model = Fund
    form_class = FundUpdateForm
    template_name = "buildings/fund_form.html"

    def get_object(self, queryset=None):
        return self.fund

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["building"] = self.fund.building
        return kwargs

    def form_valid(self, form):
        try:
            fund = services.fund_update(fund=self.fund, data=form.fund_data(), by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Fund %(fund)s saved.") % {"fund": fund.purpose})
        return redirect(fund)


def _history_value(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("open") if value else _("closed")
    if field == "description":
        return Truncator(str(value)).chars(40)
    return str(value)


def fund_changes(fund) -> list[dict]:
    """The fund's last changes, newest first: who, when, and which fields changed from
    what to what. One query; each record is compared with the one before it."""
    records = list(
        fund.history.select_related("history_user", "leader").order_by(
            "-history_date", "-history_id"
        )[: HISTORY_SHOWN + 1]
    )
    changes = []
    # A fund written in bulk (generate_scale) may have no history at all.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if len(changes) == HISTORY_SHOWN:
            break
        fields = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(
                older, included_fields=HISTORY_FIELDS, foreign_keys_are_objs=True
            )
            fields = [
                {
                    "label": capfirst(Fund._meta.get_field(change.field).verbose_name),
                    "old": _history_value(change.field, change.old),
                    "new": _history_value(change.field, change.new),
                }
                for change in delta.changes
            ]
        changes.append({"record": newer, "fields": fields})
    return changes


def _ledger_page(request, queryset, param, count):
    """A keyset page of ledger entries, newest first; the count comes from the fund's row,
    not a COUNT query. Each ledger keeps its own cursor, so the other's page stays put."""
    paginator = KeysetPaginator(
        queryset, ("-date", "-pk"), LEDGER_PAGE_SIZE, param=param, count=count
    )
    page = paginator.page(request.GET)
    anchor = param.removesuffix("_cursor")

    def url(query):
        return f"?{query}#{anchor}"

    return {
        "page": page,
        "first_url": url(page.first_query) if page.has_previous() else "",
        "prev_url": url(page.previous_query) if page.has_previous() else "",
        "next_url": url(page.next_query) if page.has_next() else "",
    }


def _donations(user, fund):
    return (
        Donation.objects.visible_to(user)
        .filter(fund=fund)
        .select_related("donor_household__unit", "donor_resident", "raised_by", "reverses")
        .select_related("reversed_by")
    )


def _expenses(user, fund):
    return (
        Expense.objects.visible_to(user).filter(fund=fund).select_related("reverses", "reversed_by")
    )


class FundDetailView(ScopedQuerysetMixin, DetailView):
    """Figures, quota, ledger and history of one fund, in a constant number of queries."""

    model = Fund
    template_name = "buildings/fund_detail.html"

    def get_queryset(self):
        return funds_with_totals(
            super().get_queryset().select_related("building__community", "unit__building", "leader")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = _with_figures(self.object)
        user = self.request.user
        can_edit = scoping.can_edit_loaded(user, fund)
        context["can_edit"] = can_edit
        context["can_record"] = can_edit and fund.is_open
        context["quota_rows"] = services.quota_status(fund)
        context["quota_summary"] = {
            status: sum(1 for row in context["quota_rows"] if row["status"] == status)
            for status in ("full", "partial", "none")
        }
        context["donations"] = _ledger_page(
            self.request, _donations(user, fund), "donations_cursor", fund.donation_count
        )
        context["expenses"] = _ledger_page(
            self.request, _expenses(user, fund), "expenses_cursor", fund.expense_count
        )
        context["changes"] = fund_changes(fund)
        return context


class FundNoticeView(ScopedQuerysetMixin, DetailView):
    """The public notice (公示) to print on A4 and post in the corridor.

    It names donors (households by room, residents and outside donors by name) and never
    shows a phone number. Figures come from ``services.fund_totals``.
    """

    model = Fund
    template_name = "buildings/fund_notice.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("building__community", "unit__building", "leader")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = self.object
        user = self.request.user
        context["totals"] = services.fund_totals(fund)
        context["donations"] = list(_donations(user, fund).order_by("date", "pk"))
        context["expenses"] = list(_expenses(user, fund).order_by("date", "pk"))
        context["today"] = timezone.localdate()
        return context


class LedgerCreateMixin(FundEditMixin):
    """Record one ledger entry from a form with a token; a token seen before (the form
    was sent twice) is not an error: the entry exists, so say so and go to the fund."""

    model = None
    already_recorded = _("This entry was already recorded.")
    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["fund"] = self.fund
        return kwargs

    def _recorded_before(self):
        try:
            token = uuid.UUID(self.request.POST.get("token", ""))
        except ValueError:
            return False
        return self.model.objects.filter(token=token, fund=self.fund).exists()

    def _done(self, created=False):
        if created:
            messages.success(self.request, self.success_message)
        else:
            messages.info(self.request, self.already_recorded)
        return redirect(self.fund)

    def post(self, request, *args, **kwargs):
        if self._recorded_before():
            return self._done()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        receipt_no = form.cleaned_data.get("receipt_no", "")
        try:
            _entry, created = self.record(form)
        except (ValidationError, IntegrityError) as error:
            # Two people (or two taps) at once: the other request may have saved first.
            if self._recorded_before():
                return self._done()
            duplicate = (
                receipt_no
                and self.model.objects.filter(fund=self.fund, receipt_no=receipt_no).exists()
            )
            if duplicate:
                form.add_error("receipt_no", forms_funds.duplicate_receipt_message())
            elif isinstance(error, ValidationError):
                add_service_errors(form, error)
            else:
                raise
            return self.form_invalid(form)
        return self._done(created)


class DonationCreateView(LedgerCreateMixin, FormView):
    model = Donation
    form_class = forms_funds.DonationForm
    template_name = "buildings/fund_entry_form.html"
    already_recorded = _("This donation was already recorded.")
    success_message = _("Donation recorded.")

    def get(self, request, *args, **kwargs):
        if not self.fund.is_open:
            messages.warning(request, _("This fund is closed; it takes no more donations."))
            return redirect(self.fund)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Record a donation")
        return context

    def record(self, form):
        return services.donation_record(
            fund=self.fund,
            data=form.entry_data(),
            token=form.cleaned_data["token"],
            by=self.request.user,
        )


class ExpenseCreateView(LedgerCreateMixin, FormView):
    model = Expense
    form_class = forms_funds.ExpenseForm
    template_name = "buildings/fund_entry_form.html"
    already_recorded = _("This expense was already recorded.")
    success_message = _("Expense recorded.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Record an expense")
        return context

    def record(self, form):
        return services.expense_record(
            fund=self.fund,
            data=form.entry_data(),
            photo=form.photo(),
            token=form.cleaned_data["token"],
            by=self.request.user,
        )


def _reverse_entry(request, model, pk, service, argument):
    entry = get_object_or_404(
        model.objects.visible_to(request.user).select_related("fund__building"), pk=pk
    )
    fund = entry.fund
    if not scoping.can_edit_loaded(request.user, fund):
        raise PermissionDenied
    form = forms_funds.ReverseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(fund)
    try:
        service(**{argument: entry}, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(fund)
    messages.success(request, _("The entry is reversed; both entries stay in the ledger."))
    return redirect(fund)


@require_POST
@login_required
def donation_reverse(request, pk):
    return _reverse_entry(request, Donation, pk, services.donation_reverse, "donation")


@require_POST
@login_required
def expense_reverse(request, pk):
    return _reverse_entry(request, Expense, pk, services.expense_reverse, "expense")


@require_GET
@login_required
def expense_receipt(request, pk):
    """A receipt photo for someone who may see the expense; a file name is no permission."""
    expense = get_object_or_404(Expense.objects.visible_to(request.user), pk=pk)
    if not expense.receipt_thumb:
        raise Http404
    return images.serve_photo(expense.receipt_thumb, expense.receipt_content_type)


# Fund spreadsheets: the ledger out, a paper list of donations in

FUND_SESSION_KEY = "donation_imports"


@require_GET
@login_required
def fund_export(request, pk):
    fund = get_object_or_404(Fund.objects.visible_to(request.user), pk=pk)
    content = fund_sheets.export_fund(fund, user=request.user)
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=fund_sheets.export_filename(fund),
        content_type=fund_sheets.XLSX_CONTENT_TYPE,
    )


@require_GET
@login_required
def community_funds_export(request, community_pk):
    community = get_object_or_404(Community.objects.visible_to(request.user), pk=community_pk)
    content = fund_sheets.export_community_funds(community, user=request.user)
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=fund_sheets.community_export_filename(community),
        content_type=fund_sheets.XLSX_CONTENT_TYPE,
    )


class DonationImportView(FundEditMixin, View):
    """Upload a list of donations; a valid one is kept and previewed, a bad one listed by row."""

    def get(self, request, pk):
        return self.render_form(fund_sheets.DonationUploadForm())

    def post(self, request, pk):
        form = fund_sheets.DonationUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        upload = form.cleaned_data["file"]
        try:
            rows = fund_sheets.read_donations(upload)
        except fund_sheets.DonationFileError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.render_form(form)
        plan = fund_sheets.plan_donations(fund=self.fund, rows=rows, user=request.user)
        if not plan.is_valid:
            return self.render_form(form, errors=plan.messages)
        token = importing.store_upload(upload)
        pending = dict(request.session.get(FUND_SESSION_KEY, {}))
        pending[token] = self.fund.pk
        while len(pending) > ROSTER_SESSION_MAX:
            oldest = next(iter(pending))
            importing.delete_upload(oldest)
            del pending[oldest]
        request.session[FUND_SESSION_KEY] = pending
        context = {
            "fund": self.fund,
            "plan": plan,
            "summary": plan.summary,
            "entries": plan.entries[: importing.DISPLAY_LIMIT],
            "hidden": max(0, len(plan.entries) - importing.DISPLAY_LIMIT),
            "token": token,
            "file_name": upload.name,
        }
        return render(request, "buildings/fund_import_preview.html", context)

    def render_form(self, form, errors=()):
        context = {
            "fund": self.fund,
            "form": form,
            "row_errors": list(errors)[: importing.DISPLAY_LIMIT],
            "error_count": len(errors),
        }
        return render(self.request, "buildings/fund_import.html", context)


class DonationImportConfirmView(FundEditMixin, View):
    """Record a previewed upload: checked again, every row or none."""

    def post(self, request, pk):
        token = request.POST.get("token", "")
        upload_url = reverse("buildings:donation_import", args=[self.fund.pk])
        expired = _("This import has expired or does not exist. Upload the file again.")
        pending = dict(request.session.get(FUND_SESSION_KEY, {}))
        if pending.get(token) != self.fund.pk:
            messages.error(request, expired)
            return redirect(upload_url)
        try:
            try:
                data = importing.open_upload(token)
            except (ValueError, FileNotFoundError):
                messages.error(request, expired)
                return redirect(upload_url)
            rows = fund_sheets.read_donations(BytesIO(data))
            plan = fund_sheets.apply_donations(
                fund=self.fund,
                plan=fund_sheets.DonationPlan(fund=self.fund, rows=rows, upload_id=token),
                user=request.user,
            )
        except fund_sheets.DonationFileError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(upload_url)
        except fund_sheets.DonationsInvalid as exc:
            messages.error(request, _("The records changed since the preview; nothing was saved."))
            for message in exc.plan.messages[:ROSTER_ERRORS_SHOWN]:
                messages.error(request, message)
            return redirect(upload_url)
        except IntegrityError:
            messages.error(
                request,
                _("The records changed while importing; nothing was saved. Upload the file again."),
            )
            return redirect(upload_url)
        finally:
            importing.delete_upload(token)
            if pending.pop(token, None) is not None:
                request.session[FUND_SESSION_KEY] = pending
        messages.success(
            request,
            _("%(count)d donations recorded; %(before)d were recorded before.")
            % {"count": plan.recorded_now, "before": plan.summary["recorded_before"]},
        )
        return redirect(self.fund)


# Duty rosters: households take turns; every write goes through buildings.roster_services

ROSTER_WINDOW_DAYS = 28  # a roster's page shows this month's turns and the next 4 weeks
COMPLETION_DAYS = 30  # completion rates cover the turns that ended in the last 30 days
OVERDUE_SHOWN = 20  # overdue turns from before this month listed on a roster's page


def completion_rate(done: int, due: int) -> int | None:
    """Whole percent of the ended turns that were done (as ``roster_services.completion``)."""
    return round(done * 100 / due) if due else None


def roster_counts(today, since=None) -> dict:
    """Each roster's ended turns (done, due, overdue), as subqueries of the query that
    fetches the rosters: one query for a page of rosters, whatever their shifts."""

    def count(**filters):
        shifts = DutyShift.objects.filter(roster=OuterRef("pk"), ends_on__lt=today, **filters)
        if since is not None:
            shifts = shifts.filter(ends_on__gte=since)
        counted = shifts.order_by().values("roster").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return {
        "done_count": count(status=DutyShift.Status.DONE),
        "due_count": count(),
        "overdue_count": count(status=DutyShift.Status.UPCOMING),
    }


def _with_rate(roster):
    roster.rate = completion_rate(roster.done_count, roster.due_count)
    return roster


def may_edit_rosters(user, unit) -> bool:
    """Roster editors of the unit (its building's head too, who may not edit the unit);
    answered from memberships already loaded, for a unit with its building loaded."""
    return scoping.can_edit_loaded(user, DutyRoster(unit=unit))


def _shift_flags(shifts, today, can_edit):
    """Mark each turn overdue (still to do, ended before today), markable, swappable."""
    for shift in shifts:
        upcoming = shift.status == DutyShift.Status.UPCOMING
        shift.overdue = upcoming and shift.ends_on < today
        shift.current = shift.starts_on <= today <= shift.ends_on
        shift.can_mark = can_edit and shift.starts_on <= today
        shift.can_swap = can_edit and upcoming and shift.ends_on >= today
    return shifts


class RosterListView(ScopedListMixin, ListView):
    model = DutyRoster
    filterset_class = forms_rosters.RosterFilter
    template_name = "buildings/roster_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit__building__community")
            .annotate(**roster_counts(timezone.localdate()))
            .order_by(
                "-is_active",
                "unit__building__compound",
                "unit__building__number",
                "unit__number",
                "-starts_on",
                "pk",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for roster in context["object_list"]:
            _with_rate(roster)
        unit = None
        form = self.filterset.form
        if self.filterset.is_bound and form.is_valid() and form.cleaned_data.get("unit"):
            unit = (
                Unit.objects.visible_to(self.request.user)
                .filter(pk=form.cleaned_data["unit"])
                .select_related("building__community")
                .first()
            )
        context["unit"] = unit
        context["can_create"] = unit is not None and may_edit_rosters(self.request.user, unit)
        return context


class RosterCreateView(SubmitOnceMixin, LoginRequiredMixin, FormView):
    """A roster for a unit the user may see (else 404) and keep rosters of (else 403)."""

    form_class = forms_rosters.RosterForm
    template_name = "buildings/roster_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_object_or_404(
            Unit.objects.visible_to(request.user).select_related("building__community"),
            pk=kwargs["unit_pk"],
        )
        if not may_edit_rosters(request.user, self.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["unit"] = self.unit
        kwargs["households"] = list(
            Household.objects.visible_to(self.request.user)
            .filter(unit=self.unit)
            .order_by("room", "pk")
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit"] = self.unit
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            roster = roster_services.roster_create(
                unit=self.unit,
                duties=data["duties"],
                rotation_kind=data["rotation"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                order=form.ordered_ids(),
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Roster created. Now plan its turns."))
        return redirect(roster)


class RosterEditMixin(EditableParentMixin):
    """A roster the user may see (else 404) and change (else 403), for writes under it."""

    parent_model = DutyRoster
    parent_attr = "roster"
    parent_related = ("unit__building__community",)


class RosterDetailView(SubmitOnceMixin, ScopedQuerysetMixin, DetailView):
    """Duties, this month's turns and the next four weeks, overdue turns, the completion
    rate, exemptions; for editors the done / missed buttons, planning and exempting
    (POSTed here, so that a refused form comes back with its errors in place). The
    exemption form is sent once (planning is: it adds nothing twice)."""

    model = DutyRoster
    template_name = "buildings/roster_detail.html"
    context_object_name = "roster"

    def get_queryset(self):
        last_turn = (
            DutyShift.objects.filter(roster=OuterRef("pk")).order_by("-ends_on").values("ends_on")
        )
        return (
            super()
            .get_queryset()
            .select_related("unit__building__community", "unit__building__head")
            .annotate(planned_until=Subquery(last_turn[:1]))
        )

    def post(self, request, *args, **kwargs):
        self.object = roster = self.get_object()
        user = request.user
        if not scoping.can_edit_loaded(user, roster):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "generate":
            form = forms_rosters.GenerateForm(request.POST)
            if form.is_valid():
                try:
                    count = roster_services.shifts_generate(
                        roster=roster, weeks=form.cleaned_data["weeks"], by=user
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    if count:
                        messages.success(request, _("%(count)d turns planned.") % {"count": count})
                    else:
                        messages.info(request, _("Nothing to add: these turns are planned."))
                    return redirect(roster)
            return self.render_to_response(self.get_context_data(generate_form=form))
        if action == "exempt":
            form = forms_rosters.ExemptionForm(request.POST, user=user, roster=roster)
            concurrency.add_token_field(form)
            if form.is_valid():
                try:
                    exemption = roster_services.roster_exempt(
                        roster=roster,
                        household=form.cleaned_data["household"],
                        reason=form.cleaned_data["reason"],
                        since=form.cleaned_data["since"],
                        by=user,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("Room %(room)s is exempt; its coming turns were planned again.")
                        % {"room": exemption.household.room},
                    )
                    return redirect(f"{roster.get_absolute_url()}#exemptions")
            return self.render_to_response(self.get_context_data(exemption_form=form))
        return HttpResponseBadRequest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = self.object
        user = self.request.user
        today = timezone.localdate()
        month_start = today.replace(day=1)
        can_edit = scoping.can_edit_loaded(user, roster)
        shifts = DutyShift.objects.visible_to(user).filter(roster=roster)
        window = (
            shifts.filter(
                ends_on__gte=month_start, starts_on__lte=today + timedelta(days=ROSTER_WINDOW_DAYS)
            )
            .select_related("household", "marked_by", "swapped_with__household")
            .order_by("starts_on")
        )
        earlier = list(
            shifts.filter(status=DutyShift.Status.UPCOMING, ends_on__lt=month_start)
            .select_related("household", "marked_by", "swapped_with__household")
            .order_by("-starts_on")[: OVERDUE_SHOWN + 1]
        )
        context["can_edit"] = can_edit
        context["today"] = today
        context["shifts"] = _shift_flags(list(window), today, can_edit)
        context["earlier_overdue"] = _shift_flags(earlier[:OVERDUE_SHOWN], today, can_edit)
        context["more_overdue"] = len(earlier) > OVERDUE_SHOWN
        context["completion"] = roster_services.completion(
            shifts.filter(ends_on__gte=today - timedelta(days=COMPLETION_DAYS))
        )
        context["completion_days"] = COMPLETION_DAYS
        context["exemptions"] = (
            RosterExemption.objects.visible_to(user)
            .filter(roster=roster)
            .select_related("household")
            .order_by("since", "pk")
        )
        if can_edit:
            context.setdefault("generate_form", forms_rosters.GenerateForm())
            context.setdefault(
                "exemption_form", forms_rosters.ExemptionForm(user=user, roster=roster)
            )
            concurrency.add_token_field(context["exemption_form"])
        return context


class RosterOrderView(RosterEditMixin, SubmitOnceMixin, FormView):
    """A new order of households from a date on (today or later)."""

    form_class = forms_rosters.RosterOrderForm
    template_name = "buildings/roster_order.html"

    def _orders(self):
        orders: dict = {}
        slots = (
            RosterSlot.objects.filter(order__roster=self.roster)
            .order_by("order__effective_from", "position")
            .values_list("order__effective_from", "household_id")
        )
        for effective_from, household in slots:
            orders.setdefault(effective_from, []).append(household)
        return list(orders.items())

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.households = list(
            Household.objects.visible_to(self.request.user)
            .filter(unit=self.roster.unit_id)
            .order_by("room", "pk")
        )
        self.orders = self._orders()
        current = rotation.order_on(self.orders, timezone.localdate())
        if not current and self.orders:
            current = self.orders[0][1]  # a roster that has not begun: its first order
        kwargs.update(
            user=self.request.user,
            roster=self.roster,
            households=self.households,
            current_order=current,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rooms = {h.pk: h.room for h in self.households}
        context["orders"] = [
            (effective_from, [rooms.get(pk, "?") for pk in households])
            for effective_from, households in self.orders
        ]
        return context

    def form_valid(self, form):
        try:
            roster_services.roster_set_order(
                roster=self.roster,
                households=form.ordered_ids(),
                effective_from=form.cleaned_data["effective_from"],
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The new order applies from %(date)s.")
            % {"date": form.cleaned_data["effective_from"].isoformat()},
        )
        return redirect(self.roster)


@require_POST
@login_required
def shift_mark(request, pk):
    """Done, or missed with a note: one POST from the roster's page."""
    shift = get_object_or_404(
        DutyShift.objects.visible_to(request.user).select_related(
            "roster__unit__building", "household"
        ),
        pk=pk,
    )
    if not scoping.can_edit_loaded(request.user, shift):
        raise PermissionDenied
    back = f"{shift.roster.get_absolute_url()}#shift-{shift.pk}"
    form = forms_rosters.MarkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        shift = roster_services.shift_mark(
            shift=shift,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    room = {"room": shift.household.room}
    if shift.status == DutyShift.Status.DONE:
        messages.success(request, _("Room %(room)s: turn marked done.") % room)
    else:
        messages.warning(request, _("Room %(room)s: turn marked missed.") % room)
    return redirect(back)


class ShiftSwapView(SubmitOnceMixin, LoginRequiredMixin, FormView):
    """Two households trade turns: this turn and another of the same roster still to come."""

    form_class = forms_rosters.SwapForm
    template_name = "buildings/roster_swap.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.shift = get_object_or_404(
            DutyShift.objects.visible_to(request.user).select_related(
                "roster__unit__building__community", "household"
            ),
            pk=kwargs["pk"],
        )
        if not scoping.can_edit_loaded(request.user, self.shift):
            raise PermissionDenied
        if self.shift.status != DutyShift.Status.UPCOMING:
            messages.warning(request, _("Only turns still to do can be swapped."))
            return redirect(self.shift.roster)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["shift"] = self.shift
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shift"] = self.shift
        context["roster"] = self.shift.roster
        return context

    def form_valid(self, form):
        other = form.cleaned_data["other"]
        try:
            first, second = roster_services.shift_swap(
                shift=self.shift, other=other, by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Rooms %(first)s and %(second)s traded turns.")
            % {"first": self.shift.household.room, "second": other.household.room},
        )
        return redirect(f"{self.shift.roster.get_absolute_url()}#shift-{self.shift.pk}")


class RosterSheetView(ScopedQuerysetMixin, DetailView):
    """The A4 sheet for the stairwell wall: the unit, the duties, one row per period with
    the household's room and a blank column to sign. Printed with CSS (@media print); a
    constant number of queries whatever the number of periods or households."""

    model = DutyRoster
    template_name = "buildings/roster_sheet.html"
    context_object_name = "roster"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit__building__community", "unit__building__head")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = self.object
        form = forms_rosters.SheetRangeForm(self.request.GET, roster=roster)
        start, periods = form.range()
        days = roster.period_days
        last = start + timedelta(days=periods * days - 1)
        if roster.ends_on is not None:
            last = min(last, roster.ends_on)
        starts = rotation.period_starts(
            starts_on=roster.starts_on, period_days=days, first=start, last=last
        )
        by_start = {}
        if starts:
            by_start = {
                shift.starts_on: shift
                for shift in DutyShift.objects.visible_to(self.request.user)
                .filter(roster=roster, starts_on__gte=starts[0], starts_on__lte=starts[-1])
                .select_related("household")
            }
        rows = [
            {
                "starts_on": day,
                "ends_on": day + timedelta(days=days - 1),
                "shift": by_start.get(day),
            }
            for day in starts
        ]
        context["form"] = form
        context["rows"] = rows
        context["unplanned"] = sum(1 for row in rows if row["shift"] is None)
        context["today"] = timezone.localdate()
        context["can_edit"] = scoping.can_edit_loaded(self.request.user, roster)
        return context


UNIT_ROSTERS_SHOWN = 5


def unit_rosters(user, unit) -> dict:
    """The unit page's roster block in two queries whatever the number of turns: the active
    rosters with their completion over the last 30 days, and this month's turns."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    rosters = list(
        DutyRoster.objects.visible_to(user)
        .filter(unit=unit, is_active=True)
        .annotate(**roster_counts(today, since=today - timedelta(days=COMPLETION_DAYS)))
        .order_by("-starts_on", "-pk")[:UNIT_ROSTERS_SHOWN]
    )
    shifts = (
        DutyShift.objects.visible_to(user)
        .filter(
            roster__unit=unit,
            roster__is_active=True,
            ends_on__gte=month_start,
            starts_on__lt=next_month,
        )
        .select_related("household")
        .order_by("starts_on", "roster_id")
    )
    by_roster: dict[int, list] = {}
    for shift in _shift_flags(list(shifts), today, can_edit=False):
        by_roster.setdefault(shift.roster_id, []).append(shift)
    for roster in rosters:
        roster.unit = unit  # the unit is loaded already: no query for its name
        _with_rate(roster)
        roster.month_shifts = by_roster.get(roster.pk, [])
    return {
        "rosters": rosters,
        "completion_days": COMPLETION_DAYS,
        "can_create_roster": may_edit_rosters(user, unit),
    }
