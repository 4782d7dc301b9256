"""Pages for guidance visits (指导工作) and the problems they raise, tracked to close-out.

District officials record visits in the communities of their district, edit them and add
problems; everyone with a role in the community reads them. A problem is closed out (销号)
by the community's secretary or a district official. Writes go through
``engagement.services``, which check the same rules again.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, FormView, ListView

from communities import scoping
from communities.forms import add_service_errors
from communities.mixins import (
    EditableParentMixin,
    OptimisticLockMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    SubmitOnceMixin,
)
from engagement import services
from engagement.filters_guidance import ProblemFilter, VisitFilter
from engagement.forms_guidance import ProblemCloseForm, ProblemForm, VisitForm, VisitUpdateForm
from engagement.models import GuidanceProblem, GuidanceVisit

OPEN = GuidanceProblem.Status.OPEN


def may_record_visits(user) -> bool:
    """Superusers and district officials: whether to offer "Record a visit" at all."""
    return user.is_authenticated and scoping.OFFICIAL in scoping.roles_of(user)


def may_close(user, community) -> bool:
    """Who closes out the problems of ``community``: ``services.can_close_problem`` without
    the problem's status, answered from the memberships already loaded."""
    return scoping.is_secretary_of(user, community.pk) or scoping.is_official_of(
        user, community.district_id
    )


def with_days(problem: GuidanceProblem, today) -> GuidanceProblem:
    """``problem.days``: days since the visit, until today while open, until the fix once
    closed out."""
    end = today if problem.is_open or not problem.fixed_on else problem.fixed_on
    problem.days = max(0, (end - problem.visit.visited_on).days)
    return problem


# Visits


class VisitListView(ScopedListMixin, ListView):
    """Visits to the communities the user may see, newest first, with their problems
    counted (open and in all)."""

    model = GuidanceVisit
    filterset_class = VisitFilter
    template_name = "engagement/visit_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community")
            .prefetch_related("visitors")
            .annotate(
                problem_count=Count("problems"),
                open_count=Count("problems", filter=Q(problems__status=OPEN)),
            )
            .order_by("-visited_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_record"] = may_record_visits(self.request.user)
        return context


class VisitCreateView(SubmitOnceMixin, LoginRequiredMixin, FormView):
    """Record a visit with its visitors and problems: district officials, in their district."""

    form_class = VisitForm
    template_name = "engagement/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_record_visits(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        community = self.request.GET.get("community", "")
        if community.isdigit():
            initial["community"] = int(community)
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            visit = services.visit_record(
                community=data["community"],
                visited_on=data["visited_on"],
                purpose=data["purpose"],
                notes=data["notes"],
                visitors=data["visitors"],
                problems=data["problems"],
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        count = len(data["problems"])
        messages.success(
            self.request,
            ngettext(
                "Visit to %(community)s recorded, with %(n)d problem to follow up.",
                "Visit to %(community)s recorded, with %(n)d problems to follow up.",
                count,
            )
            % {"community": visit.community.name, "n": count},
        )
        return redirect(visit)


class VisitDetailView(ScopedQuerysetMixin, DetailView):
    """One visit: who came, why, and each problem it raised with its close-out."""

    model = GuidanceVisit
    template_name = "engagement/visit_detail.html"
    context_object_name = "visit"

    def get_queryset(self):
        return super().get_queryset().select_related("community__district", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit, user = self.object, self.request.user
        today = timezone.localdate()
        problems = list(
            GuidanceProblem.objects.visible_to(user)
            .filter(visit=visit)
            .select_related("closed_by")
            .order_by("pk")
        )
        for problem in problems:
            problem.visit = visit  # already loaded: no query per problem
            with_days(problem, today)
        context["problems"] = problems
        context["open_count"] = sum(1 for p in problems if p.is_open)
        context["visitors"] = list(visit.visitors.all())
        context["can_edit"] = services.can_record_visit(user, visit.community)
        context["can_close"] = may_close(user, visit.community)
        return context


class VisitEditMixin(EditableParentMixin):
    """A visit the user may see (else 404) and record for (else 403): its district's
    officials."""

    parent_model = GuidanceVisit
    parent_attr = "visit"
    parent_related = ("community",)

    def may_edit_parent(self, user, parent) -> bool:
        return services.can_record_visit(user, parent.community)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class VisitUpdateView(VisitEditMixin, OptimisticLockMixin, FormView):
    lock_attr = "visit"
    form_class = VisitUpdateForm
    template_name = "engagement/visit_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.visit
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            visit = services.visit_update(
                visit=self.visit,
                visited_on=data["visited_on"],
                purpose=data["purpose"],
                notes=data["notes"],
                visitors=data["visitors"],
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit saved."))
        return redirect(visit)


# Problems


class ProblemCreateView(VisitEditMixin, SubmitOnceMixin, FormView):
    """A problem raised after the visit was recorded."""

    form_class = ProblemForm
    template_name = "engagement/problem_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = GuidanceProblem(visit=self.visit)
        return kwargs

    def form_valid(self, form):
        try:
            problem = services.problem_add(
                visit=self.visit,
                description=form.cleaned_data["description"],
                due_on=form.cleaned_data["due_on"],
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Problem added; it stays open until it is closed out."))
        return redirect(f"{self.visit.get_absolute_url()}#problem-{problem.pk}")


class ProblemListView(ScopedListMixin, ListView):
    """The problems still to fix, oldest visit first (closed ones on request)."""

    model = GuidanceProblem
    filterset_class = ProblemFilter
    template_name = "engagement/problem_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("visit__community")
            .order_by("visit__visited_on", "visit_id", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        for problem in context["object_list"]:
            with_days(problem, today)
            problem.may_close = problem.is_open and may_close(user, problem.visit.community)
        return context


class ProblemCloseView(LoginRequiredMixin, FormView):
    """Close out (销号) one open problem: who fixed it, when and how."""

    form_class = ProblemCloseForm
    template_name = "engagement/problem_close.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.problem = get_object_or_404(
            GuidanceProblem.objects.visible_to(request.user).select_related("visit__community"),
            pk=kwargs["pk"],
        )
        if not may_close(request.user, self.problem.visit.community):
            raise PermissionDenied
        if not self.problem.is_open:
            return self._already_closed()
        return super().dispatch(request, *args, **kwargs)

    def _already_closed(self):
        messages.info(self.request, _("This problem has already been closed out."))
        return redirect(self.problem.get_absolute_url())

    def get_initial(self):
        return {"fixed_on": timezone.localdate()}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = self.problem
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problem"] = self.problem
        context["visit"] = self.problem.visit
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            problem = services.problem_close(
                problem=self.problem,
                fixed_by=data["fixed_by"],
                fixed_on=data["fixed_on"],
                resolution=data["resolution"],
                by=self.request.user,
            )
        except ValidationError as error:
            # Someone else may have closed it out a moment ago.
            if not GuidanceProblem.objects.filter(pk=self.problem.pk, status=OPEN).exists():
                return self._already_closed()
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Problem closed out."))
        return redirect(problem.get_absolute_url())
