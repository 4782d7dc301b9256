"""Django admin, scoped by the project's one scoping rule.

Every admin of a community-owned model (a model with a ``scope`` attribute) subclasses
:class:`ScopedAdmin`, or :class:`ScopedAdminMixin` for inlines; a meta-test enforces it.
For anyone but a superuser the base class makes sure that:

* changelists, change views, history, delete and autocomplete read only
  ``Model.objects.visible_to(user)``, so another community's id looks exactly like a
  missing one;
* add / change / delete need a Django model permission *and* a membership whose role
  is in ``Model.scope.write_roles``; object-level checks ask ``editable_by(user)``;
* foreign-key and many-to-many choices, autocomplete results and list-filter choices
  never name rows outside the user's scope (Django leaves all three unscoped);
* whatever a form lets through is checked again after saving, inside the admin's
  transaction: a saved row outside ``editable_by(user)`` rolls the save back with 403.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from communities import scoping
from communities.audit import HistoryAdminMixin
from communities.models import Community, District, Membership, Section, User
from communities.scoping import ScopePaths, memberships_of

admin.site.site_header = _("Corridor Portal administration")
admin.site.site_title = _("Corridor Portal")
admin.site.index_title = _("Records")


def is_scoped(model) -> bool:
    """Whether ``model`` belongs to a community (declares a :class:`ScopePaths`)."""
    return isinstance(getattr(model, "scope", None), ScopePaths)


def _is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@functools.cache
def _scope_spans_many(model) -> bool:
    """Whether a scope path of ``model`` crosses a to-many relation.

    Filtering across one (``District.scope.community == "communities"``) can return a row
    once per matching related row; such querysets are de-duplicated with a ``pk__in``
    subquery, so that ``get()`` in change views and form fields cannot see duplicates.
    Metadata only -- no rows are cached.
    """
    paths: ScopePaths = model.scope
    for path in (paths.district, paths.community, paths.section, paths.head):
        opts = model._meta
        for part in (path or "").split("__"):
            if not part or part == "pk":
                break
            field = opts.get_field(part)
            if field.one_to_many or field.many_to_many:
                return True
            if not field.is_relation:
                break
            opts = field.related_model._meta
    return False


def _filtered(queryset: QuerySet, rows: QuerySet) -> QuerySet:
    """``rows`` (a filtered ``queryset``) without duplicates, keeping ``queryset``'s ordering."""
    if rows is queryset or not _scope_spans_many(queryset.model):
        return rows
    return queryset.filter(pk__in=rows.values("pk"))


def scoped_rows(queryset: QuerySet, user, *, write: bool = False) -> QuerySet:
    """``queryset`` narrowed to ``visible_to(user)`` (or ``editable_by(user)`` when writing)."""
    rows = queryset.editable_by(user) if write else queryset.visible_to(user)
    return _filtered(queryset, rows)


def attachable_rows(queryset: QuerySet, user, roles: frozenset[str]) -> QuerySet:
    """Rows of ``queryset`` that ``user`` may link a record to, when writing as ``roles``.

    The scoping rule's read paths, applied only through the user's memberships whose role
    may write the record being edited. For a secretary this equals ``editable_by``. A
    section cadre editing a building gets their own community as the choice for
    ``Building.community`` although they may not edit the community itself (plain
    ``editable_by(Community)`` would leave the field empty and no building could be
    saved); a building head who is also a cadre gets only the cadre's buildings as
    ``Unit.building`` choices, not the building they merely head.
    """
    q = scoping.attachable_q(queryset.model, user, roles)
    if q is None:
        return queryset
    return _filtered(queryset, queryset.filter(q))


class CappedCountPaginator(Paginator):
    """Counts at most ``count_cap`` rows.

    The changelist counts its rows on every page; at district scale (250,000 residents)
    an exact ``COUNT(*)`` across the scoping joins is the slowest query of the page. Past
    the cap the admin shows the cap as the total and pages up to it; narrow the list with
    search or filters to reach the rest.
    """

    count_cap = 10_000

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by()[: self.count_cap].count()
        return min(len(self.object_list), self.count_cap)


class ScopedRelatedOnlyFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """Lists the related rows the user may see (all of them for a model without scope,
    such as resident tags) -- never another community's.

    Django's "related only" filter lists the values present in the changelist's rows, with
    a ``SELECT DISTINCT`` over the whole table: at district scale three such filters cost
    half a second on the resident changelist. The related tables (districts, communities,
    sections, tags, campaigns, polls) are small, so listing what the user may see costs a
    few milliseconds. Also follows the related model's foreign keys in the same query, so
    that labels such as a section's "community · section" cost no query per choice.
    """

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        manager = related._default_manager
        choices = manager.visible_to(request.user) if hasattr(manager, "visible_to") else manager
        choices = choices.all().select_related()
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            choices = choices.order_by(*ordering)
        attname = field.target_field.attname
        return [(getattr(obj, attname), str(obj)) for obj in choices]


def related_only(field_path: str) -> tuple[str, type[admin.RelatedOnlyFieldListFilter]]:
    """A ``list_filter`` entry for a relation: only values present in the scoped rows."""
    return (field_path, ScopedRelatedOnlyFieldListFilter)


class ScopedAdminMixin:
    """Scoping for a ``ModelAdmin`` or an ``InlineModelAdmin`` of a community-owned model.

    For inlines, the ``obj`` Django passes to the permission methods is the parent
    object; the object-level check then asks whether the parent is editable, which is
    what decides whether its inline rows may change.
    """

    #: For a foreign key to the user model: the membership roles that make a user a
    #: choice (an active membership in a community where the requester may write this
    #: model). Fields not listed offer every user with any membership there.
    user_choice_roles: dict[str, frozenset[str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_scoped(self.model):
            raise ImproperlyConfigured(
                f"{type(self).__name__} is scoped but {self.model.__name__} has no `scope`."
            )

    # Rows -------------------------------------------------------------------------

    def get_queryset(self, request):
        return scoped_rows(super().get_queryset(request), request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = self._autocomplete_source_model(request)
        if source is not None:
            # Autocomplete fills a form field: offer what the form will accept.
            queryset = attachable_rows(queryset, request.user, source.scope.write_roles)
            if isinstance(self.list_select_related, list | tuple):
                queryset = queryset.select_related(*self.list_select_related)
        return queryset, may_have_duplicates

    def _autocomplete_source_model(self, request):
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "autocomplete":
            return None
        try:
            source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        except (KeyError, LookupError):
            return None
        return source if is_scoped(source) else None

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, scoped_rows(queryset, request.user, write=True))

    # Permissions ------------------------------------------------------------------

    def _has_write_role(self, user) -> bool:
        roles = self.model.scope.write_roles
        return any(m.role in roles for m in memberships_of(user))

    def _object_allowed(self, request, obj, *, write: bool) -> bool:
        """Whether ``obj`` is in ``visible_to`` / ``editable_by``, asked once per request."""
        if obj.pk is None:
            return True
        model = type(obj)
        if not is_scoped(model):
            return False
        cache = request.__dict__.setdefault("_scoped_admin_objects", {})
        key = (model._meta.label, obj.pk, write)
        if key not in cache:
            rows = scoped_rows(model._default_manager.all(), request.user, write=write)
            cache[key] = rows.filter(pk=obj.pk).exists()
        return cache[key]

    def has_view_permission(self, request, obj=None):
        if _is_superuser(request.user):
            return super().has_view_permission(request, obj)
        if not memberships_of(request.user) or not super().has_view_permission(request, obj):
            return False
        return obj is None or self._object_allowed(request, obj, write=False)

    def has_add_permission(self, request, obj=None):
        if isinstance(self, InlineModelAdmin):
            allowed = super().has_add_permission(request, obj)
        else:
            allowed = super().has_add_permission(request)
        if _is_superuser(request.user) or not allowed:
            return allowed
        if not self._has_write_role(request.user):
            return False
        return obj is None or self._object_allowed(request, obj, write=True)

    def has_change_permission(self, request, obj=None):
        if _is_superuser(request.user):
            return super().has_change_permission(request, obj)
        if not super().has_change_permission(request, obj):
            return False
        if not self._has_write_role(request.user):
            return False
        return obj is None or self._object_allowed(request, obj, write=True)

    def has_delete_permission(self, request, obj=None):
        if _is_superuser(request.user):
            return super().has_delete_permission(request, obj)
        if not super().has_delete_permission(request, obj):
            return False
        if not self._has_write_role(request.user):
            return False
        return obj is None or self._object_allowed(request, obj, write=True)

    # Choices ----------------------------------------------------------------------

    def _choice_queryset(self, db_field, request, kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(kwargs.get("using"))
            queryset = queryset.all()
        return queryset

    def _user_choices(self, db_field, request, queryset):
        user = request.user
        if _is_superuser(user):
            return queryset
        write_roles = self.model.scope.write_roles
        community_ids = {
            m.community_id for m in memberships_of(user) if m.role in write_roles and m.community_id
        }
        memberships = Membership.objects.filter(community_id__in=community_ids)
        roles = self.user_choice_roles.get(db_field.name)
        if roles is not None:
            memberships = memberships.filter(role__in=roles, is_active=True)
        return queryset.filter(pk__in=memberships.values("user_id"))

    def _narrow_choices(self, db_field, request, kwargs):
        related = db_field.remote_field.model
        if is_scoped(related):
            queryset = self._choice_queryset(db_field, request, kwargs)
            queryset = attachable_rows(queryset, request.user, self.model.scope.write_roles)
            # Labels such as "community · section" follow foreign keys: one query, not N.
            kwargs["queryset"] = queryset.select_related()
        elif related is get_user_model():
            queryset = self._choice_queryset(db_field, request, kwargs)
            kwargs["queryset"] = self._user_choices(db_field, request, queryset)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._narrow_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._narrow_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Saving -----------------------------------------------------------------------

    def _check_saved(self, request, model, pks) -> None:
        """Fail closed if a save put a row outside the user's write scope."""
        pks = {pk for pk in pks if pk is not None}
        if not pks or _is_superuser(request.user):
            return
        rows = scoped_rows(model._default_manager.filter(pk__in=pks), request.user, write=True)
        if set(rows.values_list("pk", flat=True)) != pks:
            # Raised inside the admin's transaction: the save is rolled back.
            raise PermissionDenied


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The base of every admin of a community-owned model."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    # The portal's lists show 50 rows a page too; each row costs its rendering.
    list_per_page = 50

    def has_module_permission(self, request):
        if _is_superuser(request.user):
            return super().has_module_permission(request)
        return bool(memberships_of(request.user)) and super().has_module_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._check_saved(request, type(obj), [obj.pk])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        model = formset.model
        if is_scoped(model):
            saved = list(formset.new_objects) + [obj for obj, _ in formset.changed_objects]
            self._check_saved(request, model, [obj.pk for obj in saved])


class SuperuserWriteMixin:
    """Read through the scoping rule, write only as a superuser.

    For rows above a community (districts) and for creating or removing communities:
    the scoping rule would let a secretary rename their district, which is district work.
    """

    def has_add_permission(self, request, obj=None):
        return _is_superuser(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)


@admin.register(District)
class DistrictAdmin(SuperuserWriteMixin, ScopedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ("name", "code", "district", "org_kind", "is_pilot", "target_corridors")
    list_filter = (related_only("district"), "org_kind", "is_pilot")
    list_select_related = ("district",)
    search_fields = ("name", "code", "address")

    def has_add_permission(self, request, obj=None):
        # A new community is district work; a secretary runs the one they have.
        return _is_superuser(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request.user) and super().has_delete_permission(request, obj)


@admin.register(Section)
class SectionAdmin(ScopedAdmin):
    list_display = ("name", "community")
    list_filter = (related_only("community"),)
    list_select_related = ("community",)
    search_fields = ("name", "community__name")


@admin.register(Membership)
class MembershipAdmin(HistoryAdminMixin, ScopedAdmin):
    list_display = (
        "user",
        "role",
        "community",
        "section",
        "district",
        "group_position",
        "title",
        "is_active",
    )
    list_filter = (
        "role",
        "is_active",
        "group_position",
        related_only("community"),
        related_only("section"),
    )
    list_select_related = ("user", "community", "section__community", "district")
    search_fields = ("user__username", "user__full_name", "title")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not _is_superuser(request.user):
            # Only a superuser appoints district officials: a secretary must not be able
            # to grant district-wide reading to anyone, themselves included.
            kwargs["choices"] = [
                (value, label)
                for value, label in db_field.get_choices(include_blank=True)
                if value != Membership.Role.OFFICIAL
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: superusers only. Roles are memberships, edited in the membership admin."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("username", "full_name", "email", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "full_name", "email")
    show_full_result_count = False

    def has_module_permission(self, request):
        return _is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_superuser(request.user)

    def has_add_permission(self, request):
        return _is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request.user)
