"""Forms for a community's own records, edited by its secretary."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Section


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
