"""View mixins that apply the scoping rule (communities/scoping.py) to class-based views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from communities import concurrency, scoping
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


class SubmitOnceMixin:
    """A create form writes once however often it is sent (communities/concurrency.py).

    The form gets a hidden one-time token. A POST whose token was used before is sent,
    with a message, to where the first submit went. Otherwise the whole POST runs in one
    transaction that first claims the token: a redirect (the record was written) keeps
    the claim and remembers where it led; any other answer (the form back with errors)
    rolls the claim back. A POST without a token (not sent from the page) is handled as
    before, unprotected.
    """

    submit_once = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.submit_once:
            concurrency.add_token_field(form)
        return form

    def dispatch(self, request, *args, **kwargs):
        token = None
        if self.submit_once and request.method == "POST" and request.user.is_authenticated:
            token = concurrency.token_from(request.POST)
        if token is None:
            return super().dispatch(request, *args, **kwargs)
        url = concurrency.used_token_url(token, request.user)
        if url is not None:
            return self.already_submitted(url)
        with transaction.atomic():
            if not concurrency.claim_token(token, request.user):
                url = concurrency.used_token_url(token, request.user)
                claimed = False
            else:
                claimed = True
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code in (301, 302, 303) and response.get("Location"):
                    concurrency.record_token_url(token, response["Location"])
                else:
                    transaction.set_rollback(True)
        if not claimed:
            return self.already_submitted(url or "")
        return response

    def already_submitted(self, url: str):
        """The answer to a form sent again: where the first submit went, or a new form."""
        if url:
            messages.info(self.request, _("This form was already saved."))
            return HttpResponseRedirect(url)
        messages.warning(
            self.request,
            _(
                "This form was already sent. Check whether the record exists before "
                "adding it again."
            ),
        )
        return HttpResponseRedirect(self.request.get_full_path())


class OptimisticLockMixin:
    """An update form that never silently overwrites someone else's change.

    The form gets a signed fingerprint of the record's values as shown; on POST the
    record is read again under ``select_for_update`` in the transaction of the save, and
    a change made meanwhile sends the form back with the differences
    (communities/concurrency.py). ``lock_attr`` names the view attribute holding the
    record; ``locked_record()`` reads it again under the lock.
    """

    lock_attr = "object"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def locked_record(self, record):
        """``record`` with its values read again under the row lock: loaded before the
        lock, it may hold values changed since, which a save would write back."""
        fresh = type(record)._base_manager.select_for_update().get(pk=record.pk)
        for field in record._meta.concrete_fields:
            # a foreign key's cached row is dropped when its id changes
            setattr(record, field.attname, getattr(fresh, field.attname))
        return record

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        record = getattr(self, self.lock_attr, None)
        if record is not None and record.pk is not None:
            if self.request.method == "POST":
                record = self.locked_record(record)
            concurrency.add_fingerprint(form, record)
        return form


class ScopedFormMixin(SubmitOnceMixin, LoginRequiredMixin):
    """Create and update views: the form gets the user; saves go through ``scoped_save``.

    Create forms are sent once (``SubmitOnceMixin``). Update views find the object among
    visible rows (404 otherwise) and answer 403 when the user may read but not change it.
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


class ScopedUpdateMixin(OptimisticLockMixin, ScopedFormMixin, ScopedQuerysetMixin):
    """Update views with optimistic locking; on POST the object is read under
    ``select_for_update`` already, so the check needs no second query."""

    submit_once = False

    def get_queryset(self):
        rows = super().get_queryset()
        if self.request.method == "POST":
            rows = rows.select_for_update(of=("self",))
        return rows

    def locked_record(self, record):
        return record

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
