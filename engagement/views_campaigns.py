"""Pages for outreach campaigns (征求意见), the suggestions they bring in and symposiums (座谈会).

Everyone with a role in the community and the district's officials read them; only the
community's secretary (and superusers) write them. Rows come from ``visible_to``, so another
community's id is a 404; a visible record the user may not change is a 403 on its write
pages. Counts are annotations and grouped queries, so every page keeps a constant number
of queries.
"""

from urllib.parse import urlencode

from crispy_forms.layout import Submit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from buildings.models import Resident
from communities import scoping
from communities.forms import add_service_errors
from communities.mixins import (
    EditableParentMixin,
    ScopedFormMixin,
    ScopedListMixin,
    ScopedQuerysetMixin,
    ScopedUpdateMixin,
)
from communities.models import Community
from communities.services import scoped_save
from engagement import services
from engagement.filters_campaigns import CampaignFilter, SuggestionFilter, SymposiumFilter
from engagement.forms_campaigns import (
    CampaignForm,
    SuggestionAnswerForm,
    SuggestionForm,
    SymposiumForm,
)
from engagement.models import Campaign, Channel, Poll, Suggestion, Symposium

SS = Suggestion.Status

FINAL_MESSAGE = gettext_lazy("This suggestion has been answered: it can no longer change.")

# Rows listed inside a detail page, per page (lists use settings.PAGE_SIZE).
DETAIL_PAGE_SIZE = 20
# Symposiums and polls on a campaign page; more are reached through the lists.
RELATED_SHOWN = 10
# Other suggestions of the same campaign on a suggestion's page.
OTHERS_SHOWN = 5


# Shared pieces


class SecretaryCommunityMixin(EditableParentMixin):
    """Pages that create a record in a community: it must be visible (else 404) and the
    user its secretary or a superuser (else 403)."""

    parent_model = Community
    parent_kwarg = "community_pk"
    parent_attr = "community"

    def may_edit_parent(self, user, parent) -> bool:
        return scoping.is_secretary_of(user, parent.pk)


class SavingFormMixin(ScopedFormMixin):
    """Saves through ``scoped_save``; a ValidationError raised there goes back on the form."""

    def form_valid(self, form):
        try:
            self.object = scoped_save(form=form, by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return HttpResponseRedirect(self.get_success_url())


class RecordCommunityMixin:
    """Update pages: the record's community, for the breadcrumb."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["community"] = self.object.community
        return context


def _write_community_id(user, model, filterset) -> int | None:
    """The community whose "new" button a list shows: the filtered community when the user
    may write there, else the only community they write in. No query."""
    form = filterset.form
    chosen = form.cleaned_data.get("community") if filterset.is_bound and form.is_valid() else None
    if chosen is not None:
        return chosen.pk if scoping.is_secretary_of(user, chosen.pk) else None
    writable = scoping.writable_community_ids(user, model)
    return writable[0] if writable and len(writable) == 1 else None


def _chosen(filterset, name):
    """A related row chosen in a bound, valid filter form (already loaded by validation)."""
    form = filterset.form
    if filterset.is_bound and form.is_valid():
        return form.cleaned_data.get(name)
    return None


class CampaignFilteredListMixin:
    """Lists filtered by community and campaign: which community the "new" button writes
    in (the filtered campaign's, when the user is its secretary) and what was chosen."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = _chosen(self.filterset, "campaign")
        community_id = _write_community_id(user, self.model, self.filterset)
        if campaign is not None:
            community_id = (
                campaign.community_id
                if scoping.is_secretary_of(user, campaign.community_id)
                else None
            )
        context["create_community_id"] = community_id
        context["chosen_campaign"] = campaign
        context["chosen_community"] = _chosen(self.filterset, "community")
        return context


def _detail_page(request, queryset, count, param="page"):
    """One page of rows inside a detail page; ``count`` is known, so no COUNT query."""
    paginator = Paginator(queryset, DETAIL_PAGE_SIZE)
    paginator.count = count  # a cached_property: set, it is not queried again
    page = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return {"page_obj": page, "query_string": query.urlencode(), "param": param}


def suggestion_figures(suggestions) -> dict:
    """Counts of ``suggestions`` (already scoped) by channel and by status, every channel
    and status listed (zeros too), from one grouped query."""
    cells = suggestions.order_by().values_list("channel", "status").annotate(n=Count("pk"))
    by_channel: dict = {}
    by_status: dict = {}
    total = 0
    for channel, status, n in cells:
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        total += n
    return {
        "total": total,
        "by_channel": [
            {"value": value, "label": label, "n": by_channel.get(value, 0)}
            for value, label in Channel.choices
        ],
        "by_status": [
            {"value": value, "label": label, "n": by_status.get(value, 0)}
            for value, label in SS.choices
        ],
        "adopted": by_status.get(SS.ADOPTED, 0),
    }


# Campaigns


class CampaignListView(ScopedListMixin, ListView):
    model = Campaign
    filterset_class = CampaignFilter
    template_name = "engagement/campaign_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community")
            .annotate(
                suggestion_count=Count("suggestions"),
                adopted_count=Count("suggestions", filter=Q(suggestions__status=SS.ADOPTED)),
            )
            .order_by("-starts_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["create_community_id"] = _write_community_id(
            self.request.user, Campaign, self.filterset
        )
        context["chosen_community"] = _chosen(self.filterset, "community")
        return context


class CampaignCreateView(SecretaryCommunityMixin, SavingFormMixin, CreateView):
    model = Campaign
    form_class = CampaignForm
    template_name = "engagement/campaign_form.html"
    success_message = gettext_lazy("Campaign “%(object)s” saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Campaign(community=self.community, created_by=self.request.user)
        return kwargs


class CampaignUpdateView(RecordCommunityMixin, SavingFormMixin, ScopedUpdateMixin, UpdateView):
    model = Campaign
    form_class = CampaignForm
    template_name = "engagement/campaign_form.html"
    success_message = gettext_lazy("Campaign “%(object)s” saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("community")


class CampaignDetailView(ScopedQuerysetMixin, DetailView):
    """The campaign's figures, its suggestions counted by channel and status, what was
    adopted (with the replies), its symposiums and polls."""

    model = Campaign
    template_name = "engagement/campaign_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("community", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        user = self.request.user
        suggestions = Suggestion.objects.visible_to(user).filter(campaign=campaign)
        figures = suggestion_figures(suggestions)
        adopted = (
            suggestions.filter(status=SS.ADOPTED)
            .select_related("building", "decided_by")
            .order_by("-decided_at", "-pk")
        )
        symposiums = list(
            Symposium.objects.visible_to(user)
            .filter(campaign=campaign)
            .annotate(suggestion_count=Count("suggestions"))
            .order_by("-held_on", "-pk")[: RELATED_SHOWN + 1]
        )
        polls = list(
            Poll.objects.visible_to(user)
            .filter(campaign=campaign)
            .order_by("-opens_on", "-pk")[: RELATED_SHOWN + 1]
        )
        context.update(
            {
                "figures": figures,
                "adopted": _detail_page(self.request, adopted, figures["adopted"]),
                "symposiums": symposiums[:RELATED_SHOWN],
                "more_symposiums": len(symposiums) > RELATED_SHOWN,
                "polls": polls[:RELATED_SHOWN],
                "more_polls": len(polls) > RELATED_SHOWN,
                "can_write": scoping.is_secretary_of(user, campaign.community_id),
                "adoption_rate": (
                    round(figures["adopted"] * 100 / figures["total"]) if figures["total"] else None
                ),
            }
        )
        return context


# Suggestions


class SuggestionListView(CampaignFilteredListMixin, ScopedListMixin, ListView):
    model = Suggestion
    filterset_class = SuggestionFilter
    template_name = "engagement/suggestion_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "campaign", "building")
            .order_by("-received_on", "-pk")
        )


def _suggestion_create_query(suggestion) -> str:
    """The query string that preselects the campaign, symposium and channel of the last
    suggestion on a new form ("save and log another")."""
    params = {"channel": suggestion.channel}
    if suggestion.campaign_id:
        params["campaign"] = suggestion.campaign_id
    if suggestion.symposium_id:
        params["symposium"] = suggestion.symposium_id
    return urlencode(params)


class SuggestionFormMixin:
    """What the create and update pages of a suggestion share."""

    model = Suggestion
    form_class = SuggestionForm
    template_name = "engagement/suggestion_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["community"] = self.get_community()
        kwargs["preselect"] = self.request.GET
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["community"] = self.get_community()
        context["picker_query"] = [
            (name, value)
            for name, value in self.request.GET.items()
            if name in {"campaign", "symposium", "channel"}
        ]
        context["resident_picker"] = form.residents_capped or form.picked_building is not None
        return context


class SuggestionCreateView(
    SecretaryCommunityMixin, SuggestionFormMixin, SavingFormMixin, CreateView
):
    success_message = gettext_lazy("Suggestion logged.")

    def get_community(self):
        return self.community

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Suggestion(community=self.community, created_by=self.request.user)
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.helper.inputs[0].value = _("Log the suggestion")
        another = Submit("another", _("Log and add another"))
        another.field_classes = "btn btn-outline-primary"
        form.helper.add_input(another)
        return form

    def get_success_url(self):
        if "another" in self.request.POST:
            url = reverse("engagement:suggestion_create", args=[self.community.pk])
            return f"{url}?{_suggestion_create_query(self.object)}"
        return self.object.get_absolute_url()


class AnsweredIsFinalMixin:
    """An answered suggestion (adopted or declined) is final: its write pages say so and
    show no form; a POST to them changes nothing."""

    def final_response(self, suggestion):
        return render(
            self.request,
            "engagement/suggestion_final.html",
            {"suggestion": suggestion},
        )


class SuggestionUpdateView(
    AnsweredIsFinalMixin, SuggestionFormMixin, SavingFormMixin, ScopedUpdateMixin, UpdateView
):
    success_message = gettext_lazy("Suggestion saved.")

    def get_queryset(self):
        # The resident's household, unit and building name the resident in the form even
        # when the select does not list the residents of the building.
        return (
            super()
            .get_queryset()
            .select_related("community", "building", "resident__household__unit__building")
        )

    def get_community(self):
        return self.object.community

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_answered:
            return self.final_response(self.object)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_answered:
            messages.error(request, FINAL_MESSAGE)
            return self.final_response(self.object)
        form = self.get_form()
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)


class SuggestionDetailView(ScopedQuerysetMixin, DetailView):
    model = Suggestion
    template_name = "engagement/suggestion_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "community",
                "campaign",
                "symposium",
                "building",
                "resident__household__unit__building",
                "created_by",
                "decided_by",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        suggestion = self.object
        user = self.request.user
        is_secretary = scoping.is_secretary_of(user, suggestion.community_id)
        others = []
        if suggestion.campaign_id:
            others = list(
                Suggestion.objects.visible_to(user)
                .filter(campaign=suggestion.campaign_id)
                .exclude(pk=suggestion.pk)
                .order_by("-received_on", "-pk")[:OTHERS_SHOWN]
            )
        context.update(
            {
                "can_edit": is_secretary and not suggestion.is_answered,
                "can_answer": services.can_answer(user, suggestion),
                # A resident's name is shown to those who may see the resident's record.
                "show_resident": bool(suggestion.resident_id)
                and Resident.objects.visible_to(user).filter(pk=suggestion.resident_id).exists(),
                "others": others,
            }
        )
        return context


class SuggestionAnswerView(AnsweredIsFinalMixin, ScopedQuerysetMixin, FormView):
    """Move a suggestion to its next status with a reply: new → considered → adopted or
    declined. The form offers only the statuses it may go to next."""

    model = Suggestion
    form_class = SuggestionAnswerForm
    template_name = "engagement/suggestion_answer.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        rows = self.get_queryset().select_related("community", "campaign")
        self.suggestion = rows.filter(pk=kwargs["pk"]).first()
        if self.suggestion is None:
            raise Http404
        if not scoping.is_secretary_of(request.user, self.suggestion.community_id):
            raise PermissionDenied
        if self.suggestion.is_answered:
            if request.method != "GET":
                messages.error(request, FINAL_MESSAGE)
            return self.final_response(self.suggestion)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["suggestion"] = self.suggestion
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["suggestion"] = self.suggestion
        return context

    def form_valid(self, form):
        try:
            suggestion = services.suggestion_answer(
                suggestion=self.suggestion,
                status=form.cleaned_data["status"],
                reply=form.cleaned_data["reply"],
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The suggestion is now “%(status)s”.") % {"status": suggestion.get_status_display()},
        )
        return redirect(suggestion)


# Symposiums


class SymposiumListView(CampaignFilteredListMixin, ScopedListMixin, ListView):
    model = Symposium
    filterset_class = SymposiumFilter
    template_name = "engagement/symposium_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "campaign")
            .annotate(suggestion_count=Count("suggestions"))
            .order_by("-held_on", "-pk")
        )


class SymposiumCreateView(SecretaryCommunityMixin, SavingFormMixin, CreateView):
    model = Symposium
    form_class = SymposiumForm
    template_name = "engagement/symposium_form.html"
    success_message = gettext_lazy("Symposium “%(object)s” recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Symposium(community=self.community, created_by=self.request.user)
        kwargs["community"] = self.community
        kwargs["preselect"] = self.request.GET
        return kwargs


class SymposiumUpdateView(RecordCommunityMixin, SavingFormMixin, ScopedUpdateMixin, UpdateView):
    model = Symposium
    form_class = SymposiumForm
    template_name = "engagement/symposium_form.html"
    success_message = gettext_lazy("Symposium “%(object)s” saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("community", "campaign")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["community"] = self.object.community
        return kwargs


class SymposiumDetailView(ScopedQuerysetMixin, DetailView):
    """A symposium and the suggestions it produced."""

    model = Symposium
    template_name = "engagement/symposium_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("community", "campaign", "created_by")
            .annotate(suggestion_count=Count("suggestions"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        symposium = self.object
        user = self.request.user
        suggestions = (
            Suggestion.objects.visible_to(user)
            .filter(symposium=symposium)
            .select_related("building")
            .order_by("-received_on", "-pk")
        )
        context["suggestions"] = _detail_page(self.request, suggestions, symposium.suggestion_count)
        context["can_write"] = scoping.is_secretary_of(user, symposium.community_id)
        return context
