"""Polls: run a poll, count its paper ballots in per building, see and close the result.

Everyone with a role in the community (and the district's officials) reads its polls;
only its secretary runs, counts and closes them. Every write is a service in
``engagement.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from buildings.models import Building
from communities import scoping
from communities.forms import add_service_errors
from communities.mixins import (
    EditableParentMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    SubmitOnceMixin,
)
from communities.models import Community
from engagement import advice, services
from engagement.filters_polls import PollFilter
from engagement.forms_polls import MAX_VOTES, PollCountForm, PollForm, building_key
from engagement.models import Poll, PollTally

# The list


def polls_with_results(queryset):
    """Polls annotated with their result in the one query that fetches them (ballots,
    winner, the winner's and the runner-up's votes: ``advice.poll_result_annotations``)."""
    return queryset.annotate(**advice.poll_result_annotations(OuterRef("pk")))


class PollListView(ScopedListMixin, ListView):
    model = Poll
    filterset_class = PollFilter
    template_name = "engagement/poll_list.html"

    def get_queryset(self):
        return polls_with_results(
            super().get_queryset().select_related("community").order_by("-opens_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_community"] = self.create_community()
        return context

    def create_community(self):
        """The community a "Run a poll" button opens a poll in: the one filtered on, else
        the one the user is secretary of (no query: memberships are loaded)."""
        user = self.request.user
        form = self.filterset.form
        if self.filterset.is_bound and form.is_valid() and form.cleaned_data.get("community"):
            community = form.cleaned_data["community"]
            return community if scoping.is_secretary_of(user, community.pk) else None
        ids = scoping.writable_community_ids(user, Poll)
        if ids is not None and len(ids) == 1:
            return Community(pk=ids[0])
        return None


# Running a poll


class PollCreateView(EditableParentMixin, SubmitOnceMixin, FormView):
    """Run a poll in a community: its secretary only (others 403, or 404 if they do not
    see the community)."""

    form_class = PollForm
    template_name = "engagement/poll_form.html"
    parent_model = Community
    parent_kwarg = "community_pk"
    parent_attr = "community"
    parent_related = ("district",)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = Poll(community=self.community, created_by=self.request.user)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        campaign = self.request.GET.get("campaign", "")
        if campaign.isdigit() and len(campaign) < 10:
            initial["campaign"] = int(campaign)
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            poll = services.poll_create(
                community=self.community,
                question=data["question"],
                opens_on=data["opens_on"],
                options=data["options"],
                campaign=data.get("campaign"),
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Poll “%(question)s” is open. Count the ballots in as they come back.")
            % {"question": poll.question},
        )
        return redirect(poll)


# The result


class PollDetailView(ScopedQuerysetMixin, DetailView):
    """The question, its status, the result (bars and numbers, the winner) and the
    ballots per building, in a constant number of queries."""

    model = Poll
    template_name = "engagement/poll_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "campaign", "closed_by", "created_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        poll = self.object
        results = services.poll_results(poll)
        options = results["options"]
        rows = results["by_building"]
        # Ballots not attributed to a building come last, whatever the database's NULL order.
        rows.sort(key=lambda row: row["building"] is None)
        for row in rows:
            row["pairs"] = list(zip(options, row["cells"], strict=True))
        can_edit = scoping.can_edit_loaded(self.request.user, poll)
        context.update(
            results=results,
            options=options,
            by_building=rows,
            winners=results["winners"],
            winner_labels=get_text_list([option.label for option in results["winners"]], _("and")),
            can_edit=can_edit,
            can_count=can_edit and not poll.is_closed,
        )
        return context


# Counting ballots in


class PollEditMixin(EditableParentMixin):
    """A poll the user may see (else 404) and change (else 403)."""

    parent_model = Poll
    parent_attr = "poll"
    parent_related = ("community",)


class PollCountView(PollEditMixin, FormView):
    """Count the paper ballots in, one building (one ballot box) at a time.

    ``?building=<pk>`` (or ``none``: ballots not attributed to a building) chooses the
    building whose current counts the form shows; saving sets that building's count of
    every option and moves on to the next building. A closed poll shows why and no form;
    a count posted to it is refused.
    """

    form_class = PollCountForm
    template_name = "engagement/poll_count.html"

    def load(self):
        """The poll's options and the community's buildings (two queries)."""
        poll = self.poll
        self.options = list(poll.options.order_by("position", "pk"))
        self.buildings = list(
            Building.objects.visible_to(self.request.user)
            .filter(community_id=poll.community_id)
            .order_by("compound", "number", "pk")
        )
        self.entries = [*self.buildings, None]  # None: not attributed to a building

    def chosen_building(self):
        """The building of ``?building=``: the first one when none (or a wrong one) is given."""
        key = self.request.GET.get("building", "")
        for building in self.entries:
            if building_key(building) == key:
                return building
        if key:
            messages.warning(
                self.request, _("That building is not in this community; choose one from the list.")
            )
        return self.entries[0]

    def get(self, request, *args, **kwargs):
        self.load()
        if self.poll.is_closed:
            return self.render_to_response(self.get_context_data(form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.poll.is_closed:
            messages.error(request, _("This poll is closed: its tallies can no longer change."))
            return redirect(self.poll)
        self.load()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["options"] = self.options
        kwargs["buildings"] = self.buildings
        if self.request.method == "GET":
            building = self.chosen_building()
            kwargs["building"] = building
            kwargs["counts"] = dict(
                PollTally.objects.filter(option__poll=self.poll, building=building).values_list(
                    "option_id", "votes"
                )
            )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        key = form["building"].value() if form is not None else ""
        counted = dict(
            PollTally.objects.filter(option__poll=self.poll)
            .order_by()
            .values_list("building")
            .annotate(n=Sum("votes"))
            .values_list("building", "n")
        )
        context["choices"] = [
            {
                "key": building_key(building),
                "building": building,
                "counted": counted.get(None if building is None else building.pk),
                "selected": building_key(building) == str(key),
            }
            for building in self.entries
        ]
        context["current"] = next((c for c in context["choices"] if c["selected"]), None)
        context["max_votes"] = MAX_VOTES
        return context

    def form_valid(self, form):
        building = form.cleaned_data["building"]
        try:
            services.poll_count_in(
                poll=self.poll, building=building, votes=form.votes(), by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        place = str(building) if building else _("ballots not attributed to a building")
        ballots = sum(form.votes().values())
        message = ngettext(
            "Counts for %(place)s saved: %(ballots)d ballot.",
            "Counts for %(place)s saved: %(ballots)d ballots.",
            ballots,
        )
        messages.success(self.request, message % {"place": place, "ballots": ballots})
        return redirect(self.next_url(building))

    def next_url(self, building):
        """The count page of the building after ``building``; after the last, the result."""
        index = self.entries.index(building)
        if index + 1 < len(self.entries):
            following = building_key(self.entries[index + 1])
            return f"{reverse('engagement:poll_count', args=[self.poll.pk])}?building={following}"
        return self.poll.get_absolute_url()


# Closing


@require_POST
@login_required
def poll_close(request, pk):
    """Close a poll after a confirmation tick: its tallies can no longer change."""
    poll = get_object_or_404(Poll.objects.visible_to(request.user), pk=pk)
    if not scoping.can_edit_loaded(request.user, poll):
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that every ballot box is counted."))
        return redirect(poll)
    try:
        services.poll_close(poll=poll, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(poll)
    messages.success(request, _("The poll is closed; its result is final."))
    return redirect(poll)
