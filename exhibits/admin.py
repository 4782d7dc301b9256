"""Admin for corridors, before-and-after pairs and exhibits, scoped like every other page.

The admin keeps records; it does not run the workflow by hand. In particular:

* an exhibit's status is never a form field. It changes only through
  ``exhibits.services`` (the "check" and "approve" actions here call them row by row);
* its history (status changes, placements) is shown read-only and never edited;
* exhibits, pairs and photos are created by the pages, whose photo pipeline validates
  and stores the files, so the admin cannot add them;
* an exhibit's text changes only while it is a draft or returned -- the rule of
  ``services.exhibit_update``, which the admin calls -- and a change of corridor is a
  move through ``services.exhibit_move``, so the placement history stays whole;
* a corridor is certified only through the certify action (the district's act).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.admin import ScopedAdmin, ScopedAdminMixin, related_only
from communities.audit import HistoryAdminMixin
from exhibits import services
from exhibits.models import (
    BeforeAfterPair,
    Corridor,
    Exhibit,
    ExhibitPhoto,
    ExhibitPlacement,
    ExhibitTransition,
)


def _is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _thumbnail(url: str):
    return format_html('<img src="{}" alt="" width="120">', url)


class PerRowActionMixin:
    """Admin actions that call one service per selected row and report the outcome."""

    def _run_per_row(self, request, queryset, call, message) -> None:
        """Call ``call(obj)`` for every row; a refused row does not stop the others.

        Each service is its own transaction and re-checks who may act, so a refusal
        (``PermissionDenied`` or ``ValidationError``) leaves that row as it was.
        """
        done = refused = 0
        for obj in queryset.order_by("pk"):
            try:
                call(obj)
            except (PermissionDenied, ValidationError):
                refused += 1
            else:
                done += 1
        level = messages.WARNING if refused else messages.SUCCESS
        self.message_user(request, message % {"done": done, "refused": refused}, level=level)


class ReadOnlyHistoryInline(ScopedAdminMixin, admin.TabularInline):
    """History rows of an exhibit: shown, never added, changed or deleted in the admin."""

    extra = 0
    can_delete = False
    history_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.history_select_related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExhibitTransitionInline(ReadOnlyHistoryInline):
    model = ExhibitTransition
    fields = ("from_status", "to_status", "by", "at", "note")
    readonly_fields = fields
    history_select_related = ("by",)


class ExhibitPlacementInline(ReadOnlyHistoryInline):
    model = ExhibitPlacement
    fields = ("corridor", "floor", "on_landing", "since", "until", "by", "note")
    readonly_fields = fields
    history_select_related = ("corridor__unit__building", "by")


class ExhibitPhotoInline(ScopedAdminMixin, admin.TabularInline):
    """Captions and order only: photos come in through the pages' photo pipeline."""

    model = ExhibitPhoto
    fields = ("thumbnail", "caption", "position")
    readonly_fields = ("thumbnail",)
    extra = 0
    # Deleting a row here would leave its files behind in the media storage.
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # ``obj`` is the exhibit: captions change with its text, while it is editable.
        if obj is not None and not obj.is_editable_status:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Photos"))
    def thumbnail(self, photo):
        return _thumbnail(reverse("exhibits:photo", args=[photo.pk, "small"]))


@admin.register(Corridor)
class CorridorAdmin(PerRowActionMixin, HistoryAdminMixin, ScopedAdmin):
    list_display = ("unit", "theme", "status", "certified_at")
    list_filter = ("status", related_only("unit__building__community"))
    list_select_related = ("unit__building",)
    search_fields = ("theme", "unit__building__compound")
    autocomplete_fields = ("unit",)
    fields = (
        "unit",
        "theme",
        "style_notes",
        "status",
        "certified_by",
        "certified_at",
        "public_slug",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "certified_by",
        "certified_at",
        "public_slug",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ("certify_selected", "withdraw_certification_selected")

    def get_queryset(self, request):
        # Change pages name the unit too. (A queryset that already selects related rows
        # makes the changelist skip list_select_related, so these must include it.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A corridor is the stairwell of one unit; the pages never move it either.
            readonly.append("unit")
            if obj.status == Corridor.Status.CERTIFIED:
                # Only withdrawing the certification (an action) ends that status.
                readonly.append("status")
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Certification is the district's act, with who and when: the certify action.
            kwargs["choices"] = [
                (value, label)
                for value, label in db_field.get_choices(include_blank=False)
                if value != Corridor.Status.CERTIFIED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Certify selected corridors"))
    def certify_selected(self, request, queryset):
        self._run_per_row(
            request,
            queryset,
            lambda corridor: services.corridor_certify(corridor=corridor, by=request.user),
            _("Corridors certified: %(done)d. Refused: %(refused)d."),
        )

    @admin.action(description=_("Withdraw certification of selected corridors"))
    def withdraw_certification_selected(self, request, queryset):
        self._run_per_row(
            request,
            queryset,
            lambda corridor: services.corridor_withdraw_certification(
                corridor=corridor, by=request.user
            ),
            _("Certifications withdrawn: %(done)d. Refused: %(refused)d."),
        )


@admin.register(BeforeAfterPair)
class BeforeAfterPairAdmin(ScopedAdmin):
    list_display = ("__str__", "corridor", "created_at")
    list_filter = (related_only("corridor__unit__building__community"),)
    list_select_related = ("corridor__unit__building",)
    search_fields = ("caption", "corridor__theme")
    fields = ("corridor", "caption", "before", "after", "recorded_by", "created_at")
    readonly_fields = ("corridor", "before", "after", "recorded_by", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request, obj=None):
        # Pairs come in through the pages' photo pipeline.
        return False

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.pair_delete(pair=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for pair in queryset:
            services.pair_delete(pair=pair, by=request.user)

    @admin.display(description=_("Before"))
    def before(self, pair):
        return _thumbnail(reverse("exhibits:pair_photo", args=[pair.pk, "before"]))

    @admin.display(description=_("After"))
    def after(self, pair):
        return _thumbnail(reverse("exhibits:pair_photo", args=[pair.pk, "after"]))

    @admin.display(description=_("created by"))
    def recorded_by(self, pair):
        return pair.created_by


class ExhibitAdminForm(forms.ModelForm):
    """The pages' rules for an exhibit's text, so that the services below never refuse it."""

    def clean(self):
        cleaned = super().clean()
        current = self.instance.corridor
        corridor = cleaned.get("corridor") or current
        if "corridor" in self.fields and corridor.pk != current.pk:
            community = current.unit.building.community_id
            if corridor.unit.building.community_id != community:
                self.add_error("corridor", _("An exhibit moves only within its community."))
        if "creator_resident" in self.fields and "creator_resident" not in self.errors:
            resident = cleaned.get("creator_resident")
            name = (cleaned.get("creator_name") or "").strip()
            if resident is None and not name:
                self.add_error("creator_name", _("Pick a resident or type the creator's name."))
            community = corridor.unit.building.community_id
            if resident is not None and resident.household.unit.building.community_id != community:
                self.add_error("creator_resident", _("The creator must live in this community."))
        floor = cleaned.get("floor")
        if floor and floor > corridor.unit.floors:
            self.add_error(
                "floor", _("This unit has %(floors)d floors.") % {"floors": corridor.unit.floors}
            )
        return cleaned


#: The fields of an exhibit the pages let its editors change (``services.exhibit_update``).
EXHIBIT_TEXT_FIELDS = (
    "kind",
    "title",
    "creator_resident",
    "creator_name",
    "description",
    "floor",
    "on_landing",
    "installed_on",
)


@admin.register(Exhibit)
class ExhibitAdmin(PerRowActionMixin, HistoryAdminMixin, ScopedAdmin):
    form = ExhibitAdminForm
    list_display = ("title", "kind", "status", "corridor", "creator", "status_changed_at")
    list_filter = ("status", "kind", related_only("corridor__unit__building__community"))
    list_select_related = ("corridor__unit__building", "creator_resident")
    search_fields = ("title", "creator_name")
    autocomplete_fields = ("corridor", "creator_resident")
    fields = (
        "corridor",
        *EXHIBIT_TEXT_FIELDS,
        "status",
        "status_changed_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    # Status changes only through exhibits.services (see the actions).
    readonly_fields = ("status", "status_changed_at", "created_by", "created_at", "updated_at")
    inlines = (ExhibitPhotoInline, ExhibitTransitionInline, ExhibitPlacementInline)
    actions = ("check_selected", "approve_selected")

    def get_queryset(self, request):
        # The change form and its clean() follow the corridor to its community. (A queryset
        # that already selects related rows makes the changelist skip list_select_related,
        # so this must include it.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable_status:
            # Submitted, checked, approved and retired exhibits are what was reviewed.
            return self.fields
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        # Exhibits are logged on the pages, with their photos and first placement.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would erase the exhibit's history; the workflow retires it instead.
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.exhibit_delete(exhibit=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for exhibit in queryset:
            services.exhibit_delete(exhibit=exhibit, by=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            raise PermissionDenied
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in EXHIBIT_TEXT_FIELDS
        }
        if data:
            services.exhibit_update(exhibit=obj, data=data, by=request.user)
        if "corridor" in form.changed_data:
            services.exhibit_move(
                exhibit=obj,
                corridor=form.cleaned_data["corridor"],
                floor=obj.floor,
                on_landing=obj.on_landing,
                note=str(_("Moved in the admin.")),
                by=request.user,
            )
        self._check_saved(request, Exhibit, [obj.pk])

    @admin.display(description=_("creator"), ordering="creator_name")
    def creator(self, exhibit):
        return exhibit.creator_display

    @admin.action(description=_("Check selected exhibits"))
    def check_selected(self, request, queryset):
        self._run_per_row(
            request,
            queryset,
            lambda exhibit: services.exhibit_check(exhibit=exhibit, by=request.user),
            _("Exhibits checked: %(done)d. Refused: %(refused)d."),
        )

    @admin.action(description=_("Approve selected exhibits"))
    def approve_selected(self, request, queryset):
        self._run_per_row(
            request,
            queryset,
            lambda exhibit: services.exhibit_approve(exhibit=exhibit, by=request.user),
            _("Exhibits approved: %(done)d. Refused: %(refused)d."),
        )
