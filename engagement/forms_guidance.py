"""Forms for guidance visits and the problems they raise.

Visitors and problems are typed one a line, as a visit report lists them; the services
parse and save them. A visit's community is chosen among the communities of the
official's own district: a forged id outside it fails as "not a valid choice", and
``services.visit_record`` checks again.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import scoping
from communities.forms import ScopedModelForm
from communities.models import Community
from engagement import services
from engagement.models import GuidanceProblem, GuidanceVisit

# Room for MAX_VISITORS lines of name and title; MAX_PROBLEMS lines of a sentence or two.
VISITORS_MAX_LENGTH = 3_000
PROBLEMS_MAX_LENGTH = 20_000
PROBLEM_MAX_LENGTH = GuidanceProblem._meta.get_field("description").max_length


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


def recording_communities(user):
    """Communities whose visits ``user`` may record: those of their district as an
    official (every community for superusers)."""
    rows = Community.objects.select_related("district").order_by("district__name", "name", "pk")
    q = scoping.attachable_q(Community, user, frozenset({scoping.OFFICIAL}))
    return rows if q is None else rows.filter(q)


def visitors_text(visit: GuidanceVisit) -> str:
    """The visit's visitors as the form shows them: one a line, name then title."""
    return "\n".join(f"{v.name} {v.title}".strip() for v in visit.visitors.all())


class VisitorsField(forms.CharField):
    """One visitor a line, "王毅 区委常委、组织部长": cleans to ``[(name, title), ...]``."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Visitors"))
        kwargs.setdefault("max_length", VISITORS_MAX_LENGTH)
        kwargs.setdefault(
            "help_text",
            _(
                "One visitor a line: the name, a space, then the title, "
                "e.g. “王毅 区委常委、组织部长”."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return services.parse_visitors(text)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class VisitUpdateForm(ScopedModelForm):
    """Correct a visit's date, visitors, purpose and notes; its community stays."""

    visitors = VisitorsField()

    class Meta:
        model = GuidanceVisit
        fields = ["visited_on", "purpose", "notes"]
        widgets = {"visited_on": _date_widget(), "notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"purpose": pgettext_lazy("visit", "Purpose")}

    field_order = ["visited_on", "visitors", "purpose", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("visitors", visitors_text(self.instance))

    def clean_visited_on(self):
        return _not_in_future(self.cleaned_data.get("visited_on"))


class VisitForm(VisitUpdateForm):
    """Record a visit: where, when, who came, why, and the problems it raised."""

    submit_label = _("Record the visit")

    problems = forms.CharField(
        label=_("Problems raised"),
        required=False,
        max_length=PROBLEMS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One problem a line; each stays open until it is closed out."),
    )

    class Meta(VisitUpdateForm.Meta):
        fields = ["community", "visited_on", "purpose", "notes"]

    field_order = ["community", "visited_on", "visitors", "purpose", "notes", "problems"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = recording_communities(self.user)

    def clean_problems(self):
        try:
            problems = services.parse_problems(self.cleaned_data.get("problems", ""))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        if any(len(problem) > PROBLEM_MAX_LENGTH for problem in problems):
            raise forms.ValidationError(
                _("A problem may have at most %(n)d characters.") % {"n": PROBLEM_MAX_LENGTH}
            )
        return problems


class ProblemForm(ScopedModelForm):
    """A problem raised after the visit was recorded."""

    submit_label = _("Add the problem")

    class Meta:
        model = GuidanceProblem
        fields = ["description", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_on": _date_widget()}

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        if due_on and due_on < self.instance.visit.visited_on:
            raise forms.ValidationError(_("The date to fix it by cannot be before the visit."))
        return due_on


class ProblemCloseForm(ScopedModelForm):
    """Close out (销号) a problem: who fixed it, when and how."""

    submit_label = _("Close out")

    class Meta:
        model = GuidanceProblem
        fields = ["fixed_by", "fixed_on", "resolution"]
        widgets = {"fixed_on": _date_widget(), "resolution": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def clean_fixed_on(self):
        fixed_on = _not_in_future(self.cleaned_data.get("fixed_on"))
        if fixed_on and fixed_on < self.instance.visit.visited_on:
            raise forms.ValidationError(
                _("A problem cannot be fixed before the visit that raised it.")
            )
        return fixed_on
