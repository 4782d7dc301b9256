"""Forms for a community's own records, edited by its secretary."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership, Section


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that knows its user and renders with crispy-forms."""

    submit_label = _("Save")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class CommunityForm(ScopedModelForm):
    class Meta:
        model = Community
        fields = ["address", "theme", "target_corridors"]
        widgets = {"theme": forms.Textarea(attrs={"rows": 4})}


class SectionForm(ScopedModelForm):
    class Meta:
        model = Section
        fields = ["name"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        duplicate = Section.objects.filter(community=self.instance.community, name=name)
        if duplicate.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This community already has a section of this name."))
        return name


class LeadingGroupRowForm(forms.Form):
    """One member of the community: their place in the leading group and job title.

    ``membership`` is a hidden id among the community's active memberships, given as
    ``memberships`` ({id: Membership}); any other id (another community's, in a forged
    POST) is refused.
    """

    membership = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    group_position = forms.ChoiceField(
        label=_("Leading group position"),
        choices=Membership.GroupPosition.choices,
        required=False,
    )
    title = forms.CharField(
        label=_("Job title"),
        max_length=Membership._meta.get_field("title").max_length,
        required=False,
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        field = self.fields["membership"]
        field.choices = [(pk, pk) for pk in memberships]
        field.error_messages["invalid_choice"] = _(
            "Only this community's members can join its leading group."
        )
        self.fields["group_position"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["title"].widget.attrs["class"] = "form-control form-control-sm"

    @property
    def member(self) -> Membership | None:
        """The membership this row is about (from the data sent, else the initial)."""
        try:
            return self.memberships.get(int(self["membership"].value()))
        except (TypeError, ValueError):
            return None


class BaseLeadingGroupFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        leaders = 0
        for form in self.forms:
            membership = form.cleaned_data.get("membership")
            if membership in seen:
                raise ValidationError(_("Each member may appear only once."))
            seen.add(membership)
            if form.cleaned_data.get("group_position") == Membership.GroupPosition.LEADER:
                leaders += 1
        if leaders > 1:
            raise ValidationError(_("The leading group has one leader."))

    def positions(self) -> dict[int, tuple[str, str]]:
        """``{membership id: (position, title)}``, as ``leading_group_save`` takes them."""
        return {
            form.cleaned_data["membership"]: (
                form.cleaned_data["group_position"],
                form.cleaned_data["title"],
            )
            for form in self.forms
        }


LeadingGroupFormSet = forms.formset_factory(
    LeadingGroupRowForm, formset=BaseLeadingGroupFormSet, extra=0
)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: on the field it names when the form
    has that field, otherwise at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
