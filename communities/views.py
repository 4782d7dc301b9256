"""Pages where a secretary keeps their community's own records."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, UpdateView

from communities import scoping
from communities.forms import CommunityForm, SectionForm
from communities.mixins import ScopedFormMixin, ScopedUpdateMixin
from communities.models import Community, Section


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
