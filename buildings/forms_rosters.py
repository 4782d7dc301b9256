"""Forms for duty rosters: creating one, reordering, exempting, planning, marking, swapping.

Every choice of a household is narrowed to the roster's unit and then with the scoping rule
for roster editors; a forged id outside it fails as "not a valid choice", and the services
in ``buildings.roster_services`` check again. The order of households is one integer field
per household of the unit (no JavaScript needed): blanks and repeated numbers are refused.
"""

import re
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings import roster_services
from buildings.filters import BootstrapFilterSet, id_filter
from buildings.models import DutyRoster, DutyShift, Household, RosterExemption
from buildings.models.rosters import ROSTER_EDITORS
from communities import scoping
from communities.models import Community

POSITION_PREFIX = "position_"
POSITION_FIELD = re.compile(rf"^{POSITION_PREFIX}(\d+)$")
MAX_PERIODS = 104
DEFAULT_PERIODS = 12


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def narrow(queryset, user):
    """Rows ``user`` may link a roster record to (the roster editors' scope)."""
    q = scoping.attachable_q(queryset.model, user, ROSTER_EDITORS)
    return queryset if q is None else queryset.filter(q)


def room_label(household) -> str:
    return gettext("Room %(room)s") % {"room": household.room}


class OrderFieldsMixin:
    """One position field per household of the unit: ``position_<household pk>``.

    ``households`` is the unit's households (by room); ``initial_order`` the household ids
    in their current order. ``ordered_ids()`` gives the households by the numbers entered.
    """

    def add_position_fields(self, households, initial_order):
        self.households = list(households)
        rank = {pk: i for i, pk in enumerate(initial_order)}
        ordered = sorted(self.households, key=lambda h: (rank.get(h.pk, len(rank)), h.room, h.pk))
        for place, household in enumerate(ordered, start=1):
            name = f"{POSITION_PREFIX}{household.pk}"
            self.fields[name] = forms.IntegerField(
                label=room_label(household),
                min_value=1,
                max_value=999,
                initial=place,
                error_messages={
                    "required": _("Give every household a place in the order."),
                    "invalid": _("Enter a whole number."),
                    "min_value": _("Places start at 1."),
                    "max_value": _("Places go up to 999."),
                },
                widget=forms.NumberInput(
                    attrs={"class": "form-control roster-position", "inputmode": "numeric"}
                ),
            )
            self.fields[name].household = household
        self.ordered_households = ordered

    def position_fields(self):
        """The bound position fields in the order shown (the current order)."""
        return [self[f"{POSITION_PREFIX}{h.pk}"] for h in self.ordered_households]

    def clean_positions(self, cleaned):
        known = {h.pk for h in self.households}
        for key in self.data:
            match = POSITION_FIELD.match(key)
            if match and int(match.group(1)) not in known:
                # A forged field: a household of another unit is not a choice here.
                raise ValidationError(_("Every household must belong to this unit."))
        seen = {}
        for household in self.households:
            position = cleaned.get(f"{POSITION_PREFIX}{household.pk}")
            if position is None:
                continue
            if position in seen:
                raise ValidationError(
                    gettext(
                        "Rooms %(first)s and %(second)s both have place %(position)d: "
                        "give each household its own number."
                    )
                    % {"first": seen[position].room, "second": household.room, "position": position}
                )
            seen[position] = household
        return cleaned

    def ordered_ids(self) -> list[int]:
        positions = {h.pk: self.cleaned_data[f"{POSITION_PREFIX}{h.pk}"] for h in self.households}
        return sorted(positions, key=lambda pk: positions[pk])


class RosterForm(OrderFieldsMixin, forms.Form):
    """A new roster for one unit: duties (one per line), rotation, dates and the order."""

    duties = forms.CharField(
        label=_("Duties"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One duty per line, e.g. sweep the stairs, wipe the railings."),
        error_messages={"required": _("List at least one duty.")},
    )
    rotation = forms.ChoiceField(
        label=_label(DutyRoster, "rotation"),
        choices=DutyRoster.Rotation.choices,
        initial=DutyRoster.Rotation.WEEKLY,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(label=_label(DutyRoster, "starts_on"), widget=_date_widget())
    ends_on = forms.DateField(
        label=_label(DutyRoster, "ends_on"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave empty for a roster that runs on."),
    )

    def __init__(self, *args, user, unit, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.unit = unit
        if not self.is_bound:
            self.initial["starts_on"] = timezone.localdate()
        # Default order: by room number.
        self.add_position_fields(households, [h.pk for h in households])

    def clean_duties(self):
        lines = self.cleaned_data["duties"].splitlines()
        try:
            return roster_services.clean_duties(lines)
        except ValidationError as error:
            raise ValidationError(error.message_dict["duties"]) from error

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", gettext("The end must not be before the start."))
        return self.clean_positions(cleaned)


class RosterOrderForm(OrderFieldsMixin, forms.Form):
    """A new order from a date (today or later); earlier turns keep their households."""

    effective_from = forms.DateField(
        label=_("Applies from"),
        widget=_date_widget(),
        help_text=_("Turns from this date on are planned again; earlier turns stay as they are."),
    )

    def __init__(self, *args, user, roster, households, current_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.roster = roster
        if not self.is_bound:
            self.initial["effective_from"] = timezone.localdate()
        self.add_position_fields(households, current_order)

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < timezone.localdate():
            raise ValidationError(_("A new order applies from today on."))
        return day

    def clean(self):
        return self.clean_positions(super().clean())


class GenerateForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Weeks"),
        min_value=1,
        max_value=104,
        initial=8,
        error_messages={
            "required": _("Plan between 1 and 104 weeks ahead."),
            "min_value": _("Plan between 1 and 104 weeks ahead."),
            "max_value": _("Plan between 1 and 104 weeks ahead."),
        },
        widget=forms.NumberInput(attrs={"class": "form-control roster-weeks"}),
    )


class ExemptionForm(forms.ModelForm):
    """Exempt a household of the roster's unit (an elderly or ill household), with the reason."""

    class Meta:
        model = RosterExemption
        fields = ["household", "reason", "since"]
        widgets = {"since": _date_widget()}

    def __init__(self, *args, user, roster, **kwargs):
        super().__init__(*args, prefix="exempt", **kwargs)
        self.user = user
        self.roster = roster
        households = Household.objects.filter(unit=roster.unit_id).order_by("room", "pk")
        self.fields["household"].queryset = narrow(households, user)
        self.fields["household"].label_from_instance = room_label
        self.fields["reason"].widget.attrs["placeholder"] = gettext("e.g. elderly, living alone")
        if not self.is_bound:
            self.initial["since"] = timezone.localdate()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the exemption."))
        return reason


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (DutyShift.Status.DONE, DutyShift.Status.DONE.label),
            (DutyShift.Status.MISSED, DutyShift.Status.MISSED.label),
        ],
        error_messages={
            "required": _("Mark the turn done or missed."),
            "invalid_choice": _("Mark the turn done or missed."),
        },
    )
    note = forms.CharField(max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == DutyShift.Status.MISSED and not cleaned.get("note", "").strip():
            raise ValidationError(_("Say why the turn was missed."))
        return cleaned


def shift_label(shift) -> str:
    return gettext("%(start)s to %(end)s · room %(room)s") % {
        "start": shift.starts_on.isoformat(),
        "end": shift.ends_on.isoformat(),
        "room": shift.household.room,
    }


class SwapForm(forms.Form):
    """The other turns of the same roster still to come; nothing else is a choice."""

    other = forms.ModelChoiceField(
        label=_("Swap with"),
        queryset=DutyShift.objects.none(),
        empty_label=_("— choose a turn —"),
        error_messages={
            "required": _("Choose the turn to swap with."),
            "invalid_choice": _("Choose one of the listed turns of this roster."),
        },
    )

    def __init__(self, *args, user, shift, **kwargs):
        super().__init__(*args, **kwargs)
        others = (
            DutyShift.objects.visible_to(user)
            .filter(
                roster=shift.roster_id,
                status=DutyShift.Status.UPCOMING,
                ends_on__gte=timezone.localdate(),
            )
            .exclude(pk=shift.pk)
            .select_related("household")
            .order_by("starts_on")
        )
        self.fields["other"].queryset = others
        self.fields["other"].label_from_instance = shift_label


def period_start_of(roster, day):
    """The start of the roster's period that contains ``day`` (or the roster's start)."""
    if day <= roster.starts_on:
        return roster.starts_on
    elapsed = (day - roster.starts_on).days
    return roster.starts_on + timedelta(days=elapsed - elapsed % roster.period_days)


class SheetRangeForm(forms.Form):
    """The periods a printed sheet covers: from a date, a number of periods.

    Always bound: missing values are filled with the defaults (the period under way, 12
    periods), so the fields show what the sheet shows; invalid values show an error and
    the sheet falls back to the defaults.
    """

    start = forms.DateField(label=_("From"), widget=_date_widget())
    periods = forms.IntegerField(
        label=_("Periods"),
        min_value=1,
        max_value=MAX_PERIODS,
        error_messages={
            "min_value": _("Show between 1 and 104 periods."),
            "max_value": _("Show between 1 and 104 periods."),
        },
    )

    def __init__(self, query, *, roster, **kwargs):
        self.roster = roster
        self.default_start = period_start_of(roster, timezone.localdate())
        data = query.copy()
        if not data.get("start"):
            data["start"] = self.default_start.isoformat()
        if not data.get("periods"):
            data["periods"] = str(DEFAULT_PERIODS)
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def range(self):
        start, periods = self.default_start, DEFAULT_PERIODS
        if self.is_valid():
            start, periods = self.cleaned_data["start"], self.cleaned_data["periods"]
        return start, periods


class RosterFilter(BootstrapFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="unit__building__community",
        queryset=lambda request: Community.objects.visible_to(request.user),
        empty_label=_("any"),
    )
    is_active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(
            choices=[("", _("any")), ("true", _("active")), ("false", _("inactive"))]
        ),
    )
    unit = id_filter("unit")

    class Meta:
        model = DutyRoster
        fields = ["community", "is_active", "unit"]
