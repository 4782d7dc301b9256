"""Admin for buildings, units, households and residents, scoped like every other page.

Residents' phone numbers follow the portal's rule in the admin too: shown in full only
to the secretary and cadres of the resident's community (and superusers), masked for
everyone else who may read the row (district officials, building heads). Party membership
is shown to the community's secretary and cadres and the district's officials only; its
column, filter and field are withheld from everyone else. The history pages (change log)
follow both rules (communities/audit.py).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from buildings import roster_services
from buildings.forms import bound_birth_year
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
    ResidentTag,
    RosterExemption,
    RosterOrder,
    Unit,
    mask_phone,
)
from communities import scoping
from communities.admin import ScopedAdmin, ScopedAdminMixin, related_only
from communities.audit import HIDDEN, HistoryAdminMixin
from communities.models import Community
from communities.scoping import can_see_party_membership, can_see_personal_data


def _community_of(obj):
    """The resident's (or household's) community, through relations already loaded."""
    household = obj if isinstance(obj, Household) else obj.household
    return household.unit.building.community


def _phone_fields(fields, user, community):
    """``fields`` with the phone replaced by its masked form for users who may not see it,
    and without Party membership for users who may not know it."""
    if community is None:
        return list(fields)
    fields = list(fields)
    if not can_see_personal_data(user, community.pk):
        fields = ["masked_phone" if name == "phone" else name for name in fields]
    if not can_see_party_membership(user, community.pk, community.district_id):
        fields = [name for name in fields if name != "is_party_member"]
    return fields


class PartyMemberFilter(admin.SimpleListFilter):
    """Party membership, among only the residents whose membership the user may see."""

    title = _("Party member")
    parameter_name = "is_party_member"

    def lookups(self, request, model_admin):
        if scoping.party_visible_q(Resident, request.user) == scoping.NOTHING:
            return ()
        return (("1", _("yes")), ("0", _("no")))

    def queryset(self, request, queryset):
        if self.value() not in {"0", "1"}:
            return queryset
        visible = scoping.party_visible_q(Resident, request.user)
        if visible is not None:
            queryset = queryset.filter(visible)
        return queryset.filter(is_party_member=self.value() == "1")


def _resident_history_fields(admin_obj, request):
    """Masks for a resident's history page, by the rule for the resident's community."""
    user = request.user
    community = (
        Community.objects.filter(
            buildings__units__households__residents__pk=getattr(request, "_history_object_id", None)
        )
        .only("pk", "district_id")
        .first()
    )
    if community is None:  # an erased resident: no personal data left to show
        return {}
    replace = {}
    if not can_see_personal_data(user, community.pk):
        replace["phone"] = mask_phone
    if not can_see_party_membership(user, community.pk, community.district_id):
        replace["is_party_member"] = lambda value: HIDDEN
    return replace


class UnitInline(ScopedAdminMixin, admin.TabularInline):
    model = Unit
    fields = ("number", "floors")
    extra = 0
    show_change_link = True


class ResidentInline(ScopedAdminMixin, admin.TabularInline):
    model = Resident
    fields = ("name", "phone", "is_party_member")
    readonly_fields = ("masked_phone",)
    extra = 0
    show_change_link = True

    def get_fields(self, request, obj=None):
        # ``obj`` is the parent household.
        community = _community_of(obj) if obj is not None else None
        return _phone_fields(super().get_fields(request, obj), request.user, community)


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("__str__", "compound", "number", "name", "community", "section", "head")
    list_display_links = ("__str__",)
    list_filter = (related_only("community"), related_only("section"))
    list_select_related = ("community", "section__community", "head")
    search_fields = ("compound", "number", "name")
    fields = ("community", "section", "compound", "number", "name", "head")
    inlines = (UnitInline,)
    user_choice_roles = {"head": frozenset({scoping.HEAD})}


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("__str__", "building", "number", "floors", "community")
    list_filter = (related_only("building__community"), related_only("building__section"))
    list_select_related = ("building__community",)
    search_fields = ("building__compound", "building__number", "building__name")
    autocomplete_fields = ("building",)
    fields = ("building", "number", "floors")

    @admin.display(description=_("community"), ordering="building__community__name")
    def community(self, obj):
        return obj.building.community.name


@admin.register(Household)
class HouseholdAdmin(HistoryAdminMixin, ScopedAdmin):
    list_display = ("__str__", "unit", "room", "occupancy", "community")
    list_filter = (
        "occupancy",
        related_only("unit__building__community"),
        related_only("unit__building__section"),
    )
    list_select_related = ("unit__building__community",)
    search_fields = ("room", "unit__building__compound", "unit__building__number")
    autocomplete_fields = ("unit",)
    fields = ("unit", "room", "occupancy")
    inlines = (ResidentInline,)

    @admin.display(description=_("community"), ordering="unit__building__community__name")
    def community(self, obj):
        return obj.unit.building.community.name


@admin.register(Resident)
class ResidentAdmin(HistoryAdminMixin, ScopedAdmin):
    list_filter = (
        PartyMemberFilter,
        related_only("tags"),
        related_only("household__unit__building__community"),
        related_only("household__unit__building__section"),
    )
    # "community" is the model's own column (kept by the database), shown in the list.
    list_select_related = ("household__unit__building__community", "community")
    # No phone: searching by number would reveal masked numbers to those who may not see them.
    search_fields = ("name", "household__room", "household__unit__building__compound")
    autocomplete_fields = ("household",)
    filter_horizontal = ("tags",)
    fields = ("household", "name", "phone", "is_party_member", "birth_year", "tags")
    readonly_fields = ("masked_phone",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "birth_year" and field is not None:
            bound_birth_year(field)
        return field

    def get_list_display(self, request):
        user = request.user

        @admin.display(description=_("phone"))
        def phone(obj):
            community_id = obj.household.unit.building.community_id
            if can_see_personal_data(user, community_id):
                return obj.phone
            return obj.masked_phone

        @admin.display(description=_("Party member"))
        def party(obj):
            community = _community_of(obj)
            if can_see_party_membership(user, community.pk, community.district_id):
                return _("yes") if obj.is_party_member else _("no")
            return HIDDEN

        return ("name", "household", phone, party, "birth_year", "community")

    def get_fields(self, request, obj=None):
        community = _community_of(obj) if obj is not None else None
        return _phone_fields(super().get_fields(request, obj), request.user, community)

    def history_private_fields(self, request):
        return _resident_history_fields(self, request)

    @admin.display(
        description=_("community"), ordering="household__unit__building__community__name"
    )
    def community(self, obj):
        return obj.household.unit.building.community.name


@admin.register(ResidentTag)
class ResidentTagAdmin(admin.ModelAdmin):
    """A vocabulary shared by every community: any staff member reads it, superusers edit it."""

    list_display = ("name", "code")
    search_fields = ("name", "code")
    show_full_result_count = False

    def _is_staff(self, request):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._is_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._is_staff(request)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# Funds: the ledger is append-only, so its admin only reads


class LedgerReadOnlyMixin:
    """Donations and expenses are never changed or deleted, here as everywhere."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DonationInline(LedgerReadOnlyMixin, ScopedAdminMixin, admin.TabularInline):
    model = Donation
    fk_name = "fund"
    extra = 0
    fields = (
        "date",
        "kind",
        "donor_household",
        "donor_resident",
        "donor_name",
        "raised_by",
        "amount",
        "receipt_no",
        "reverses",
        "reason",
        "recorded_by",
    )
    readonly_fields = fields
    show_change_link = True


class ExpenseInline(LedgerReadOnlyMixin, ScopedAdminMixin, admin.TabularInline):
    model = Expense
    fk_name = "fund"
    extra = 0
    fields = ("date", "item", "amount", "receipt_no", "reverses", "reason", "recorded_by")
    readonly_fields = fields
    show_change_link = True


@admin.register(Fund)
class FundAdmin(HistoryAdminMixin, ScopedAdmin):
    list_display = ("__str__", "building", "unit", "quota", "target", "is_open", "opened_on")
    list_filter = ("is_open", related_only("building__community"))
    list_select_related = ("building__community", "unit__building")
    search_fields = ("purpose", "building__compound", "building__number")
    autocomplete_fields = ("building", "unit", "leader")
    fields = (
        "building",
        "unit",
        "purpose",
        "description",
        "target",
        "quota",
        "leader",
        "is_open",
        "opened_on",
    )
    inlines = (DonationInline, ExpenseInline)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A fund with entries cannot go: the ledger protects it.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Donation)
class DonationAdmin(LedgerReadOnlyMixin, HistoryAdminMixin, ScopedAdmin):
    list_display = ("date", "fund", "kind", "donor", "amount", "receipt_no", "is_reversal")
    list_filter = ("kind", related_only("fund__building__community"))
    list_select_related = (
        "fund__building",
        "fund__unit__building",
        "donor_household",
        "donor_resident",
    )
    search_fields = ("donor_name", "receipt_no", "fund__purpose")

    @admin.display(description=_("donor"))
    def donor(self, obj):
        return obj.donor_display


@admin.register(Expense)
class ExpenseAdmin(LedgerReadOnlyMixin, HistoryAdminMixin, ScopedAdmin):
    list_display = ("date", "fund", "item", "amount", "receipt_no", "is_reversal")
    list_filter = (related_only("fund__building__community"),)
    list_select_related = ("fund__building", "fund__unit__building")
    search_fields = ("item", "receipt_no", "fund__purpose")


# Duty rosters: rows are written by buildings.roster_services (orders, exemptions and
# planning re-plan the coming turns), so the admin reads them and marks turns done
# through the service.


class ReadOnlyInlineMixin:
    """Rows written only through the roster services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RosterOrderInline(ReadOnlyInlineMixin, ScopedAdminMixin, admin.TabularInline):
    model = RosterOrder
    extra = 0
    fields = ("effective_from", "rooms", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .prefetch_related("slots__household")
        )

    @admin.display(description=_("order of households"))
    def rooms(self, obj):
        return " → ".join(slot.household.room for slot in obj.slots.all())


class RosterExemptionInline(ReadOnlyInlineMixin, ScopedAdminMixin, admin.TabularInline):
    model = RosterExemption
    extra = 0
    fields = ("household", "reason", "since", "until", "created_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household__unit__building")


@admin.register(DutyRoster)
class DutyRosterAdmin(ScopedAdmin):
    list_display = ("__str__", "unit", "rotation", "starts_on", "ends_on", "is_active")
    list_filter = ("rotation", "is_active", related_only("unit__building__community"))
    list_select_related = ("unit__building",)
    search_fields = ("unit__building__compound", "unit__building__number")
    fields = (
        "unit",
        "duties",
        "rotation",
        "starts_on",
        "ends_on",
        "is_active",
        "created_by",
        "created_at",
    )
    # Only "active" changes here; a roster is created on its unit's page (with its first order).
    readonly_fields = (
        "unit",
        "duties",
        "rotation",
        "starts_on",
        "ends_on",
        "created_by",
        "created_at",
    )
    inlines = (RosterOrderInline, RosterExemptionInline)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a roster deletes its record of turns: superusers only.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(DutyShift)
class DutyShiftAdmin(HistoryAdminMixin, ScopedAdmin):
    list_display = (
        "__str__",
        "roster",
        "household",
        "starts_on",
        "ends_on",
        "status",
        "marked_by",
        "marked_at",
    )
    list_filter = ("status", related_only("roster__unit__building__community"))
    list_select_related = ("roster__unit__building", "household__unit__building", "marked_by")
    search_fields = ("household__room", "roster__unit__building__compound")
    fields = (
        "roster",
        "household",
        "starts_on",
        "ends_on",
        "status",
        "marked_by",
        "marked_at",
        "note",
        "swapped_with",
        "swapped_by",
        "swapped_at",
    )
    readonly_fields = fields
    actions = ("mark_done",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected turns done"), permissions=["change"])
    def mark_done(self, request, queryset):
        done, refused = 0, []
        for shift in queryset.select_related("household"):
            try:
                roster_services.shift_mark(
                    shift=shift, status=DutyShift.Status.DONE, by=request.user
                )
            except (PermissionDenied, ValidationError):
                refused.append(str(shift))
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d turn marked done.", "%(count)d turns marked done.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not marked (not begun yet, or not yours to mark): %(turns)s")
                % {"turns": "、".join(refused)},
                messages.WARNING,
            )


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    """Who read residents' personal data: read-only, for officials and secretaries."""

    list_display = ("at", "user", "action", "community", "resident", "rows")
    list_filter = ("action", related_only("community"))
    list_select_related = ("user", "community", "resident")
    fields = list_display
    readonly_fields = list_display

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        community_ids = scoping.audit_community_ids(request.user)
        return rows if community_ids is None else rows.filter(community_id__in=community_ids)

    def has_module_permission(self, request):
        return scoping.may_read_audit(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return scoping.may_read_audit(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
