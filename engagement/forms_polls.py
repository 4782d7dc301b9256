"""Forms for polls: running a poll and counting its paper ballots in.

A poll's options are typed one a line and checked by ``services.clean_option_labels``.
The count form has one whole-number field per option of the poll and a building of the
poll's community (or "not attributed to a building"); a forged building, option or count
fails here with a message, and ``services.poll_count_in`` checks again.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.forms import ScopedModelForm
from engagement import services
from engagement.models import Campaign, Poll, PollOption, PollTally

# "Not attributed to a building": ballots from a box at the community office.
UNATTRIBUTED = "none"
OPTION_PREFIX = "option_"
OPTION_KEY = re.compile(rf"^{OPTION_PREFIX}(\d+)$")
OPTION_MAX_LENGTH = PollOption._meta.get_field("label").max_length
MAX_VOTES = PollTally._meta.get_field("votes").validators[0].limit_value
# Twenty options of fifty characters, one a line, and some room for stray blanks.
OPTIONS_MAX_LENGTH = 2000

COUNT_ERRORS = {
    "required": _("Enter the number of ballots; 0 if there were none."),
    "invalid": _("Enter a whole number of ballots, such as 0 or 25."),
    "min_value": _("A count cannot be negative."),
    "max_value": _("That is more ballots than a poll can hold."),
}


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def campaign_label(campaign) -> str:
    return f"{campaign.title} ({campaign.starts_on:%Y-%m-%d})"


class PollForm(ScopedModelForm):
    """Run a poll in the community of ``instance``: question, opening date, campaign and
    the options, one a line."""

    submit_label = _("Run the poll")

    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=OPTIONS_MAX_LENGTH,
    )

    class Meta:
        model = Poll
        fields = ["question", "opens_on", "campaign", "options"]
        widgets = {"opens_on": _date_widget()}
        help_texts = {"question": _("e.g. Which corridor activity do residents like best?")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.editable_by(self.user).filter(
            community_id=self.instance.community_id
        )
        field = self.fields["campaign"]
        field.queryset = campaigns.order_by("-starts_on", "-pk")
        field.label_from_instance = campaign_label
        field.error_messages["invalid_choice"] = _("Choose a campaign of this community.")
        self.fields["options"].help_text = gettext(
            "One option a line: at least two, at most %(n)d, each at most %(length)d characters."
        ) % {"n": services.MAX_POLL_OPTIONS, "length": OPTION_MAX_LENGTH}
        if not self.is_bound and not self.initial.get("opens_on"):
            self.initial["opens_on"] = timezone.localdate()

    def clean_options(self):
        try:
            return services.clean_option_labels(self.cleaned_data["options"].splitlines())
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class BuildingChoiceField(forms.ChoiceField):
    """A building of the poll's community, or ``UNATTRIBUTED``; cleans to a Building or None."""

    def __init__(self, *, buildings, **kwargs):
        self.buildings = {str(b.pk): b for b in buildings}
        choices = [(key, str(b)) for key, b in self.buildings.items()]
        choices.append((UNATTRIBUTED, _("Not attributed to a building")))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose a building of this community.")}
        )
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value == UNATTRIBUTED else self.buildings[value]


def building_key(building) -> str:
    return UNATTRIBUTED if building is None else str(building.pk)


class PollCountForm(forms.Form):
    """The ballots counted for each option of ``options`` in one building.

    ``counts`` maps option ids to the building's current tallies (the initial values).
    """

    def __init__(self, *args, options, buildings, building=None, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        counts = counts or {}
        self.options = list(options)
        self.fields["building"] = BuildingChoiceField(
            buildings=buildings,
            label=_("Building"),
            widget=forms.HiddenInput,
            initial=building_key(building),
        )
        for option in self.options:
            self.fields[f"{OPTION_PREFIX}{option.pk}"] = forms.IntegerField(
                label=option.label,
                min_value=0,
                max_value=MAX_VOTES,
                initial=counts.get(option.pk, 0),
                error_messages=COUNT_ERRORS,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "form-control poll-count-input"}
                ),
            )

    def option_fields(self):
        return [self[f"{OPTION_PREFIX}{option.pk}"] for option in self.options]

    def clean(self):
        cleaned = super().clean()
        # An option field the form does not have: a forged or stale POST (another poll's
        # option). Refuse it rather than save the others without it.
        foreign = [key for key in self.data if OPTION_KEY.match(key) and key not in self.fields]
        if foreign:
            raise forms.ValidationError(_("That option does not belong to this poll."))
        return cleaned

    def votes(self) -> dict[int, int]:
        return {
            option.pk: self.cleaned_data[f"{OPTION_PREFIX}{option.pk}"] for option in self.options
        }
