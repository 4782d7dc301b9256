"""View mixins that apply the scoping rule (communities/scoping.py) to class-based views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from communities import scoping
from communities.services import scoped_save


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Rows come from ``visible_to(request.user)``: another community's pk is a 404."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class ScopedListMixin(ScopedQuerysetMixin):
    paginate_by = settings.PAGE_SIZE
    filterset_class = None

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET or None, queryset=super().get_queryset(), request=self.request
        )

    def get_queryset(self):
        if self.filterset_class is None:
            return super().get_queryset()
        self.filterset = self.get_filterset()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class CanEditMixin:
    """Adds ``can_edit`` for the object shown (one cheap query)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = scoping.can_edit(self.request.user, self.object)
        return context


class ScopedFormMixin(LoginRequiredMixin):
    """Create and update views: the form gets the user; saves go through ``scoped_save``.

    Update views find the object among visible rows (404 otherwise) and answer
    403 when the user may read but not change it.
    """

    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        self.object = scoped_save(form=form, by=self.request.user)
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return HttpResponseRedirect(self.get_success_url())


class ScopedUpdateMixin(ScopedFormMixin, ScopedQuerysetMixin):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not scoping.can_edit(self.request.user, obj):
            raise PermissionDenied(_("You may view this record but not change it."))
        return obj


class EditableParentMixin(LoginRequiredMixin):
    """Pages that write under one object: it must be visible (else 404) and editable
    (else 403) before anything else happens.

    The object is loaded with ``parent_related`` (select_related) and stored as
    ``self.parent`` and as ``self.<parent_attr>``; the edit check reads the memberships
    already loaded, so it costs no query when ``parent_related`` covers the scope path.
    """

    parent_model = None
    parent_kwarg = "pk"
    parent_attr = "parent"
    parent_related: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        rows = self.parent_model.objects.visible_to(request.user)
        if self.parent_related:
            rows = rows.select_related(*self.parent_related)
        self.parent = get_object_or_404(rows, pk=kwargs[self.parent_kwarg])
        setattr(self, self.parent_attr, self.parent)
        if not self.may_edit_parent(request.user, self.parent):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_edit_parent(self, user, parent) -> bool:
        if self.parent_related:
            return scoping.can_edit_loaded(user, parent)
        return scoping.can_edit(user, parent)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.parent
        context.setdefault(self.parent_attr, self.parent)
        return context
