"""The filter every dashboard figure obeys: a date range and, for officials, a community."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from corridor_portal.dashboard import Period

MAX_PERIOD_DAYS = 366 * 10
# Dates far from today overflow the date arithmetic of a period (the day after its end, the
# twelve months of trends): the filter takes years in this range.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class DashboardFilterForm(forms.Form):
    """Bound to ``request.GET``; an empty or invalid form falls back to the last 12 months."""

    start = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    community = forms.ModelChoiceField(
        label=_("community"), queryset=Community.objects.none(), required=False
    )

    def __init__(self, *args, user, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["community"]
        field.queryset = (
            communities
            if communities is not None
            else Community.objects.visible_to(user).order_by("name")
        )
        field.empty_label = _("all communities")
        for name, widget_field in self.fields.items():
            css = "form-select" if name == "community" else "form-control"
            widget_field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
                raise forms.ValidationError(
                    _("Choose dates between the years %(first)d and %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                )
        default = Period.default()
        start = cleaned.get("start") or default.start
        end = cleaned.get("end") or default.end
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> Period:
        """The chosen period; the default when the form is empty or invalid."""
        if self.is_valid():
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.default()

    def chosen_community(self):
        if self.is_valid():
            return self.cleaned_data.get("community")
        return None
