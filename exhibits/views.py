"""Pages for corridors and exhibits: logging, the two sign-offs, galleries, the public page."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView, ListView, UpdateView

from buildings.models import Unit
from communities import images, scoping
from communities.mixins import (
    EditableParentMixin,
    OptimisticLockMixin,
    ScopedFormMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    ScopedUpdateMixin,
    SubmitOnceMixin,
)
from communities.models import DataVersion
from communities.pagination import KeysetListMixin, related_count
from exhibits import services
from exhibits.filters import CorridorFilter, ExhibitFilter
from exhibits.forms import CorridorForm, ExhibitForm, MoveForm, NoteForm, PairForm, ReturnForm
from exhibits.models import BeforeAfterPair, Corridor, Exhibit, ExhibitPhoto

S = Exhibit.Status
# Exhibits a corridor's "exhibits" figure counts: all but the retired.
_SHOWN = [status for status in S.values if status != S.RETIRED]
CORRIDOR_RELATED = "unit__building__community__district"
EXHIBIT_RELATED = "corridor__unit__building__community__district"


def _first_photo():
    return Prefetch(
        "photos", queryset=ExhibitPhoto.objects.order_by("position", "pk"), to_attr="photo_list"
    )


def _form_errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


# Corridors


class CorridorListView(KeysetListMixin, ScopedListMixin, ListView):
    """Corridors by community and address. The keys span four tables, so no index gives
    this order; a district has a few thousand corridors (one per stairwell at most), and
    sorting them costs the same on every page, with no OFFSET to skip."""

    model = Corridor
    filterset_class = CorridorFilter
    keyset_ordering = (
        "unit__building__community__name",
        "unit__building__compound",
        "unit__building__number",
        "unit__number",
        "pk",
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit__building__community")
            .annotate(
                exhibit_count=related_count(Exhibit, "corridor", status__in=_SHOWN),
                approved_count=related_count(Exhibit, "corridor", status=S.APPROVED),
            )
        )


class CorridorDetailView(ScopedQuerysetMixin, DetailView):
    """The gallery of approved exhibits, the work in progress, and before-and-after."""

    model = Corridor

    def get_queryset(self):
        return super().get_queryset().select_related(CORRIDOR_RELATED, "certified_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        corridor = self.object
        user = self.request.user
        exhibits = (
            Exhibit.objects.visible_to(user)
            .filter(corridor=corridor)
            .select_related("creator_resident")
            .prefetch_related(_first_photo())
            .order_by("floor", "pk")
        )
        approved = exhibits.filter(status=S.APPROVED)
        context["gallery"] = Paginator(approved, 24).get_page(self.request.GET.get("page"))
        context["in_progress"] = list(
            exhibits.exclude(status__in=[S.APPROVED, S.RETIRED]).order_by("-status_changed_at")[:50]
        )
        context["pairs"] = list(BeforeAfterPair.objects.visible_to(user).filter(corridor=corridor))
        context["can_edit"] = scoping.can_edit_loaded(user, corridor)
        context["can_certify"] = services.can_certify(user, corridor)
        context["can_withdraw"] = services.can_withdraw_certification(user, corridor)
        context["public_url"] = self.request.build_absolute_uri(corridor.get_public_url())
        return context


class UnitCorridorMixin(ScopedFormMixin):
    """Start the corridor of a unit the user may edit (404 unseen, 403 read-only)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_object_or_404(
            Unit.objects.visible_to(request.user).select_related("building__community"),
            pk=kwargs["unit_pk"],
        )
        # Building heads may start corridors, though they may not edit the unit itself.
        q = scoping.attachable_q(Unit, request.user, Corridor.scope.write_roles)
        if q is not None and not Unit.objects.filter(q, pk=self.unit.pk).exists():
            raise PermissionDenied
        existing = Corridor.objects.filter(unit=self.unit).first()
        if existing is not None:
            return redirect(existing)
        return super().dispatch(request, *args, **kwargs)


@require_GET
@login_required
def unit_corridor(request, unit_pk):
    """The corridor of a unit, or the form to start it when there is none yet."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_pk)
    corridor = Corridor.objects.visible_to(request.user).filter(unit=unit).first()
    if corridor is not None:
        return redirect(corridor)
    return redirect("exhibits:corridor_create", unit_pk=unit.pk)


class CorridorCreateView(UnitCorridorMixin, FormView):
    form_class = CorridorForm
    template_name = "exhibits/corridor_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Corridor(unit=self.unit)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.unit
        return context

    def form_valid(self, form):
        try:
            corridor = services.corridor_create(
                unit=self.unit,
                theme=form.cleaned_data["theme"],
                style_notes=form.cleaned_data["style_notes"],
                by=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Corridor %(name)s started.") % {"name": corridor.theme})
        return redirect(corridor)


class CorridorUpdateView(ScopedUpdateMixin, UpdateView):
    model = Corridor
    form_class = CorridorForm
    success_message = _("Corridor %(object)s saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("unit__building")


@require_POST
@login_required
def corridor_certify(request, pk):
    corridor = get_object_or_404(Corridor.objects.visible_to(request.user), pk=pk)
    services.corridor_certify(corridor=corridor, by=request.user)
    messages.success(
        request, _("%(name)s is certified as a civilized corridor.") % {"name": corridor}
    )
    return redirect(corridor)


@require_POST
@login_required
def corridor_withdraw(request, pk):
    corridor = get_object_or_404(Corridor.objects.visible_to(request.user), pk=pk)
    services.corridor_withdraw_certification(corridor=corridor, by=request.user)
    messages.success(request, _("The certification of %(name)s is withdrawn.") % {"name": corridor})
    return redirect(corridor)


class CorridorPosterView(ScopedQuerysetMixin, DetailView):
    """An A4 poster for the stairwell: the theme and a QR code to the public gallery."""

    model = Corridor
    template_name = "exhibits/corridor_poster.html"

    def get_queryset(self):
        return super().get_queryset().select_related(CORRIDOR_RELATED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(self.object.get_public_url())
        context["public_url"] = url
        context["qr_svg"] = segno.make(url, error="m").svg_inline(
            scale=8, dark="#000", omitsize=True, title=self.object.theme
        )
        return context


class PairCreateView(EditableParentMixin, SubmitOnceMixin, FormView):
    form_class = PairForm
    template_name = "exhibits/pair_form.html"
    parent_model = Corridor
    parent_attr = "corridor"
    parent_related = ("unit__building",)

    def form_valid(self, form):
        services.pair_create(
            corridor=self.corridor,
            before=form.cleaned_data["before"][0],
            after=form.cleaned_data["after"][0],
            caption=form.cleaned_data["caption"],
            by=self.request.user,
        )
        messages.success(self.request, _("Before-and-after photos saved."))
        return redirect(self.corridor)


# Exhibits


class ExhibitListView(KeysetListMixin, ScopedListMixin, ListView):
    """The latest changes first, the order of exhibit_changed_idx."""

    model = Exhibit
    filterset_class = ExhibitFilter
    keyset_ordering = ("-status_changed_at", "-pk")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("corridor__unit__building__community", "creator_resident")
            .prefetch_related(_first_photo())
        )


class QueueView(KeysetListMixin, ScopedListMixin, ListView):
    """Exhibits waiting for one sign-off, oldest first."""

    model = Exhibit
    filterset_class = ExhibitFilter
    template_name = "exhibits/queue.html"
    status = ""
    title = ""
    keyset_ordering = ("status_changed_at", "pk")  # exhibit_queue_idx: (status, changed)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(status=self.status)
            .select_related("corridor__unit__building__community__district", "creator_resident")
            .prefetch_related(_first_photo())
        )

    def get_filterset(self):
        filterset = super().get_filterset()
        filterset.form.fields.pop("status", None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue_title"] = self.title
        context["queue_status"] = self.status
        context["return_form"] = ReturnForm()
        return context


class CheckQueueView(QueueView):
    status = S.SUBMITTED
    title = _("Waiting for the community's check")


class ReviewQueueView(QueueView):
    status = S.CHECKED
    title = _("Waiting for the district's approval")


class ExhibitDetailView(ScopedQuerysetMixin, DetailView):
    model = Exhibit

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(EXHIBIT_RELATED, "creator_resident", "created_by")
            .prefetch_related(_first_photo())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        exhibit = self.object
        user = self.request.user
        context["transitions"] = exhibit.transitions.select_related("by").order_by("at", "pk")
        context["placements"] = exhibit.placements.select_related(
            "corridor__unit__building"
        ).order_by("since", "pk")
        can_edit = services.can_edit_exhibit(user, exhibit)
        context["can_edit"] = can_edit and exhibit.is_editable_status
        context["can_move"] = can_edit and exhibit.status != S.RETIRED
        context["can_submit"] = can_edit and exhibit.is_editable_status
        context["can_check"] = services.can_check(user, exhibit)
        context["can_approve"] = services.can_approve(user, exhibit)
        context["can_retire"] = services.can_retire(user, exhibit)
        context["last_return"] = next(
            (t for t in reversed(list(context["transitions"])) if t.to_status == S.RETURNED),
            None,
        )
        context["note_form"] = NoteForm()
        context["return_form"] = ReturnForm()
        return context


class CorridorChildMixin(EditableParentMixin, ScopedFormMixin):
    parent_model = Corridor
    parent_kwarg = "corridor_pk"
    parent_attr = "corridor"
    parent_related = ("unit__building__community",)


class ExhibitCreateView(CorridorChildMixin, FormView):
    form_class = ExhibitForm
    template_name = "exhibits/exhibit_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["corridor"] = self.corridor
        kwargs["instance"] = Exhibit(corridor=self.corridor)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.corridor
        return context

    def form_valid(self, form):
        try:
            exhibit = services.exhibit_create(
                corridor=self.corridor,
                data=form.exhibit_data(),
                photos=form.cleaned_data["photos"],
                by=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Exhibit %(title)s saved as a draft.") % {"title": exhibit}
        )
        return redirect(exhibit)


class ExhibitUpdateView(OptimisticLockMixin, ScopedQuerysetMixin, UpdateView):
    model = Exhibit
    form_class = ExhibitForm
    template_name = "exhibits/exhibit_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("corridor__unit__building__community")

    def get_object(self, queryset=None):
        exhibit = super().get_object(queryset)
        if not services.can_edit_exhibit(self.request.user, exhibit):
            raise PermissionDenied
        if not exhibit.is_editable_status:
            raise PermissionDenied(_("Only a draft or a returned exhibit can be changed."))
        return exhibit

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["corridor"] = self.object.corridor
        return kwargs

    def form_valid(self, form):
        try:
            exhibit = services.exhibit_update(
                exhibit=self.object,
                data=form.exhibit_data(),
                photos=form.cleaned_data["photos"],
                by=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Exhibit %(title)s saved.") % {"title": exhibit})
        return redirect(exhibit)


TRANSITIONS = {
    "submit": (services.exhibit_submit, NoteForm, _("Submitted for the community's check.")),
    "check": (services.exhibit_check, NoteForm, _("Checked and sent to the district.")),
    "approve": (services.exhibit_approve, NoteForm, _("Approved.")),
    "return": (services.exhibit_return, ReturnForm, _("Returned to its author with your note.")),
    "retire": (services.exhibit_retire, NoteForm, _("Retired.")),
}


@require_POST
@login_required
def exhibit_transition(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404
    service, form_class, done = TRANSITIONS[action]
    exhibit = get_object_or_404(Exhibit.objects.visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    next_url = request.POST.get("next", "")
    target = next_url if next_url.startswith("/") and not next_url.startswith("//") else None
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target or exhibit.get_absolute_url())
    try:
        service(exhibit=exhibit, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        _form_errors(request, error)
        return redirect(exhibit)
    messages.success(request, f"{exhibit.title}: {done}")
    return redirect(target or exhibit.get_absolute_url())


class ExhibitMoveView(SubmitOnceMixin, ScopedQuerysetMixin, FormView):
    form_class = MoveForm
    template_name = "exhibits/exhibit_move.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.exhibit = get_object_or_404(
            Exhibit.objects.visible_to(request.user).select_related(
                "corridor__unit__building__community"
            ),
            pk=kwargs["pk"],
        )
        if not services.can_edit_exhibit(request.user, self.exhibit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["exhibit"] = self.exhibit
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["exhibit"] = self.exhibit
        return context

    def form_valid(self, form):
        try:
            services.exhibit_move(
                exhibit=self.exhibit,
                corridor=form.cleaned_data["corridor"],
                floor=form.cleaned_data["floor"],
                on_landing=form.cleaned_data["on_landing"],
                note=form.cleaned_data["note"],
                by=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The new place is recorded."))
        return redirect(self.exhibit)


# Photos: a random file name is not a permission


SIZES = {"small": "thumb_small", "large": "thumb_large", "full": "image"}


def _photo_response(photo: ExhibitPhoto, size: str):
    if size not in SIZES:
        raise Http404
    name = getattr(photo, SIZES[size])
    content_type = photo.content_type if size == "full" else photo.thumb_content_type
    return images.serve_photo(name, content_type)


@require_GET
@cache_control(private=True, max_age=3600)
def photo(request, pk, size):
    """A photo for someone who may see its exhibit; approved exhibits' photos are public."""
    visible = ExhibitPhoto.objects.visible_to(request.user)
    photo = (
        ExhibitPhoto.objects.filter(pk=pk)
        .filter(Q(pk__in=visible.values("pk")) | Q(exhibit__status=S.APPROVED))
        .first()
    )
    if photo is None:
        raise Http404
    return _photo_response(photo, size)


@require_GET
@login_required
def pair_photo(request, pk, side):
    if side not in {"before", "after"}:
        raise Http404
    pair = get_object_or_404(BeforeAfterPair.objects.visible_to(request.user), pk=pk)
    return images.serve_photo(getattr(pair, f"{side}_thumb"), getattr(pair, f"{side}_content_type"))


# The public gallery: no login, approved exhibits only, no personal data


# Public pages of a corridor are cached per page and language, under the data version of
# the corridor's community (corridor_portal/versions.py), which every change to its
# corridors, exhibits and photos raises: a QR code on a stairwell wall is scanned by many
# phones at once. Page numbers beyond this are not cached (no corridor has that many works).
PUBLIC_PAGES_CACHED = 50


@require_GET
def public_gallery(request, slug):
    corridor = get_object_or_404(
        Corridor.objects.select_related("unit__building__community").annotate(
            data_version=DataVersion.of("unit__building__community_id")
        ),
        public_slug=slug,
    )
    raw_page = request.GET.get("page") or "1"
    cacheable = (
        corridor.data_version is not None
        and raw_page.isdigit()
        and 0 < int(raw_page) <= PUBLIC_PAGES_CACHED
    )
    key = f"public-gallery:{corridor.pk}:{corridor.data_version}:{raw_page}:{get_language()}"
    body = cache.get(key) if cacheable else None
    if body is None:
        exhibits = (
            corridor.exhibits.filter(status=S.APPROVED)
            .prefetch_related(_first_photo())
            .order_by("floor", "pk")
        )
        page = Paginator(exhibits, 24).get_page(raw_page)
        body = render_to_string(
            "exhibits/_public_gallery_body.html", {"page_obj": page, "public": True}, request
        )
        if cacheable:
            cache.set(key, body, settings.DASHBOARD_CACHE_SECONDS)
    return render(
        request,
        "exhibits/public_gallery.html",
        {"corridor": corridor, "body": mark_safe(body), "public": True},  # noqa: S308 -- rendered by our template
    )
