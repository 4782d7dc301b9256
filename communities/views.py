"""Pages where a secretary keeps their community's own records."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, FormView, UpdateView

from communities import scoping
from communities.forms import CommunityForm, LeadingGroupFormSet, SectionForm
from communities.mixins import ScopedFormMixin, ScopedUpdateMixin
from communities.models import Community, Membership, Section
from communities.services import leading_group_save


class CommunityUpdateView(ScopedUpdateMixin, UpdateView):
    model = Community
    form_class = CommunityForm
    success_message = _("Community %(object)s saved.")


class SectionCreateView(ScopedFormMixin, CreateView):
    model = Section
    form_class = SectionForm
    success_message = _("Section %(object)s saved.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.community = get_object_or_404(
            Community.objects.visible_to(request.user), pk=kwargs["community_pk"]
        )
        if not scoping.can_edit(request.user, self.community):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Section(community=self.community)
        return kwargs

    def get_success_url(self):
        return self.community.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.community
        return context


class SectionUpdateView(ScopedUpdateMixin, UpdateView):
    model = Section
    form_class = SectionForm
    success_message = _("Section %(object)s saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("community")


class LeadingGroupView(LoginRequiredMixin, FormView):
    """The secretary sets who is in the community's leading group (组长, 副组长, 成员) and
    each member's job title, for every active membership of the community at once."""

    form_class = LeadingGroupFormSet
    template_name = "communities/leading_group_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.community = get_object_or_404(
            Community.objects.visible_to(request.user), pk=kwargs["pk"]
        )
        if not scoping.is_secretary_of(request.user, self.community.pk):
            raise PermissionDenied
        self.memberships = list(
            Membership.objects.visible_to(request.user)
            .filter(community=self.community, is_active=True)
            .select_related("user", "section")
            .order_by("role", "pk")
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return [
            {"membership": m.pk, "group_position": m.group_position, "title": m.title}
            for m in self.memberships
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["form_kwargs"] = {"memberships": {m.pk: m for m in self.memberships}}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["community"] = self.community
        context["formset"] = context["form"]
        return context

    def form_valid(self, form):
        try:
            leading_group_save(
                community=self.community, positions=form.positions(), by=self.request.user
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(form=form, service_errors=error.messages)
            )
        messages.success(
            self.request,
            gettext("Leading group of %(community)s saved.") % {"community": self.community},
        )
        return redirect(self.community)
