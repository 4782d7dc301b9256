"""Forms for outreach campaigns, suggestions and symposiums, written by a community's secretary.

Every choice of a related row (campaign, symposium, building, resident) is narrowed to the
record's own community and then with the scoping rule, so an id from another community
fails as "not a valid choice"; the model's ``clean`` and ``scoped_save`` check again.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Resident
from communities.forms import ScopedModelForm
from engagement.models import Campaign, Channel, Suggestion, Symposium
from engagement.services import SUGGESTION_NEXT

# A select longer than this is no use on a phone: larger communities list the residents
# of one building at a time (the page offers a small form to choose the building).
RESIDENT_CHOICES_MAX = 200

MAX_LETTERS = 1_000_000
MAX_ATTENDEES = 100_000


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


def campaign_label(campaign) -> str:
    return gettext("%(title)s (from %(date)s)") % {
        "title": campaign.title,
        "date": campaign.starts_on.strftime("%Y-%m-%d"),
    }


def symposium_label(symposium) -> str:
    return gettext("%(title)s (%(date)s)") % {
        "title": symposium.title,
        "date": symposium.held_on.strftime("%Y-%m-%d"),
    }


def resident_label(resident) -> str:
    """A name and the household; never a phone number."""
    return f"{resident.name} · {resident.household}"


def _count_field(label, maximum, negative_message):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        error_messages={
            "min_value": negative_message,
            "max_value": _("That number is too large."),
            "invalid": _("Enter a whole number."),
        },
    )


# Campaigns


class CampaignForm(ScopedModelForm):
    """Title, letters sent, dates, channels and a description of an outreach campaign."""

    letters_sent = _count_field(
        _label(Campaign, "letters_sent"),
        MAX_LETTERS,
        _("The number of letters cannot be negative."),
    )
    channels = forms.MultipleChoiceField(
        label=_label(Campaign, "channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("How residents can answer this campaign."),
    )

    class Meta:
        model = Campaign
        fields = ["title", "letters_sent", "starts_on", "ends_on", "channels", "description"]
        widgets = {
            "starts_on": _date_widget(),
            "ends_on": _date_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"title": _("e.g. 《致辖区居民的一封信》")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.initial["starts_on"] = timezone.localdate()

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_description(self):
        return self.cleaned_data["description"].strip()

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", gettext("The end date cannot be before the start date."))
        return cleaned


# Symposiums


class SymposiumForm(ScopedModelForm):
    """A symposium held: when, where, how many came, notes, and its campaign if any."""

    attendees = _count_field(
        _label(Symposium, "attendees"),
        MAX_ATTENDEES,
        _("The number of attendees cannot be negative."),
    )

    class Meta:
        model = Symposium
        fields = ["title", "held_on", "place", "attendees", "campaign", "notes"]
        widgets = {"held_on": _date_widget(), "notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, community, preselect=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        campaigns = Campaign.objects.editable_by(self.user).filter(community=community)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].label_from_instance = campaign_label
        self.fields["campaign"].empty_label = gettext("— no campaign —")
        if not self.is_bound and not self.instance.pk:
            self.initial["held_on"] = timezone.localdate()
            campaign = _preselected(campaigns, (preselect or {}).get("campaign"))
            if campaign is not None:
                self.initial["campaign"] = campaign.pk

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_place(self):
        return self.cleaned_data["place"].strip()

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()

    def clean_held_on(self):
        return not_in_future(self.cleaned_data["held_on"])


# Suggestions


def _preselected(queryset, value):
    """The row of ``queryset`` named by a query-string value, or None (never an error)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return queryset.filter(pk=pk).first()


def _listed(rows, value):
    """The row of ``rows`` (already read) named by a query-string value or an id, or None."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return next((row for row in rows if row.pk == pk), None)


def _show(field, rows, label) -> None:
    """Render ``field`` from ``rows`` already read, so that the page does not read them
    again; its queryset still decides what a submitted form may choose."""
    field.widget.choices = [("", field.empty_label)] + [(row.pk, label(row)) for row in rows]


def community_residents(community, user):
    """Residents of ``community`` whom ``user`` may see, with their households for labels."""
    return (
        Resident.objects.visible_to(user)
        .filter(household__unit__building__community=community)
        .select_related("household__unit__building")
    )


class SuggestionForm(ScopedModelForm):
    """Log a suggestion as it arrives, or correct one not yet answered.

    The resident select is short by design: a small community lists all its residents;
    a larger one lists the residents of one building (``building_hint``, from the page's
    building picker or the suggestion's own building). Any resident of the community the
    user may see is still a valid choice, so a correct value is never refused.
    """

    submit_label = _("Save")

    class Meta:
        model = Suggestion
        fields = [
            "channel",
            "received_on",
            "content",
            "campaign",
            "symposium",
            "building",
            "resident",
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "received_on": _date_widget(),
            "content": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, community, preselect=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        preselect = preselect or {}
        user = self.user
        campaigns = Campaign.objects.editable_by(user).filter(community=community)
        symposiums = Symposium.objects.editable_by(user).filter(community=community)
        buildings = (
            Building.objects.visible_to(user)
            .filter(community=community)
            .order_by("compound", "number", "pk")
        )
        fields = self.fields
        fields["campaign"].queryset = campaigns
        fields["campaign"].label_from_instance = campaign_label
        fields["campaign"].empty_label = gettext("— no campaign —")
        fields["symposium"].queryset = symposiums
        fields["symposium"].label_from_instance = symposium_label
        fields["symposium"].empty_label = gettext("— not from a symposium —")
        fields["building"].queryset = buildings
        fields["building"].empty_label = gettext("— not recorded —")
        fields["channel"].choices = Channel.choices
        fields["content"].help_text = _("In the resident's own words, as far as possible.")
        # Each choice list is read once: the selects, the preselection from the query
        # string and the building picker above the form share it.
        campaign_rows, symposium_rows = list(campaigns), list(symposiums)
        self.buildings = list(buildings)
        _show(fields["campaign"], campaign_rows, campaign_label)
        _show(fields["symposium"], symposium_rows, symposium_label)
        _show(fields["building"], self.buildings, str)

        if not self.is_bound and not self.instance.pk:
            self.initial["received_on"] = timezone.localdate()
            symposium = _listed(symposium_rows, preselect.get("symposium"))
            campaign = _listed(campaign_rows, preselect.get("campaign"))
            if symposium is not None:
                self.initial["symposium"] = symposium.pk
                self.initial["channel"] = Channel.SYMPOSIUM
                if campaign is None and symposium.campaign_id:
                    campaign = _listed(campaign_rows, symposium.campaign_id)
            if campaign is not None:
                self.initial["campaign"] = campaign.pk
            if preselect.get("channel") in Channel.values:
                self.initial["channel"] = preselect["channel"]
        building = _listed(self.buildings, preselect.get("building"))
        if building is not None and not self.is_bound:
            self.initial["building"] = building.pk
        if building is None and self.instance.building_id:
            building = self.instance.building
        self.picked_building = building
        self._narrow_residents(community_residents(community, user), building)

    def _narrow_residents(self, residents, building):
        field = self.fields["resident"]
        field.queryset = residents
        field.label_from_instance = resident_label
        field.empty_label = gettext("— not recorded —")
        shown = residents
        if building is not None:
            shown = shown.filter(household__unit__building=building)
        rows = list(
            shown.order_by(
                "household__unit__building__compound",
                "household__unit__building__number",
                "household__unit__number",
                "household__room",
                "name",
                "pk",
            )[: RESIDENT_CHOICES_MAX + 1]
        )
        self.residents_capped = len(rows) > RESIDENT_CHOICES_MAX
        if self.residents_capped:
            rows = []
            field.help_text = _(
                "This community has too many residents to list: choose a building above "
                "the form to list its residents."
            )
        elif building is not None:
            # Help texts are shown unescaped (Django's rule): escape the stored name.
            field.help_text = gettext("Residents of %(building)s.") % {"building": escape(building)}
        if self.instance.resident_id and all(r.pk != self.instance.resident_id for r in rows):
            rows.insert(0, self.instance.resident)
        field.widget.choices = [("", field.empty_label)] + [(r.pk, resident_label(r)) for r in rows]

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise forms.ValidationError(_("Write down the suggestion."))
        return content

    def clean_received_on(self):
        return not_in_future(self.cleaned_data["received_on"])

    def clean(self):
        cleaned = super().clean()
        symposium, campaign = cleaned.get("symposium"), cleaned.get("campaign")
        if symposium is not None and symposium.campaign_id:
            if campaign is None and "campaign" not in self.errors:
                # A suggestion made at a symposium belongs to the symposium's campaign.
                cleaned["campaign"] = (
                    self.fields["campaign"].queryset.filter(pk=symposium.campaign_id).first()
                )
            elif campaign is not None and campaign.pk != symposium.campaign_id:
                self.add_error("symposium", gettext("This symposium belongs to another campaign."))
        building, resident = cleaned.get("building"), cleaned.get("resident")
        if resident is not None and building is None:
            cleaned["building"] = resident.household.unit.building
        elif (
            resident is not None
            and building is not None
            and resident.household.unit.building_id != building.pk
        ):
            self.add_error("resident", gettext("This resident does not live in that building."))
        return cleaned


class SuggestionAnswerForm(forms.Form):
    """Move a suggestion to one of the statuses it may go to next, with a reply."""

    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a status."),
            "invalid_choice": _("This suggestion cannot move to that status."),
        },
    )
    reply = forms.CharField(
        label=_("Reply"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What goes back to the resident. Needed to adopt or decline; an answer is final."
        ),
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        labels = dict(Suggestion.Status.choices)
        self.fields["status"].choices = [
            (status.value, labels[status]) for status in SUGGESTION_NEXT[suggestion.status]
        ]
        if not self.is_bound:
            self.initial["reply"] = suggestion.reply
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext("Save the answer")))

    def clean_reply(self):
        return self.cleaned_data["reply"].strip()

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        answers = {Suggestion.Status.ADOPTED, Suggestion.Status.DECLINED}
        if status in answers and not cleaned.get("reply") and "reply" not in self.errors:
            self.add_error("reply", gettext("Write the reply that goes back to the resident."))
        return cleaned
