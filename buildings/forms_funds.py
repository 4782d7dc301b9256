"""Forms for funds and their ledger: opening a fund, donations, expenses, reversals.

Every choice of a related row (unit, household, resident, leader, raiser) is narrowed to
the fund's building or community and then with the scoping rule for fund editors: a
forged id outside it fails as "not a valid choice", and the services check again.
Money is a Decimal of at most two places between 0.01 and 1,000,000 yuan.
"""

import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings.filters import BootstrapFilterSet, id_filter
from buildings.models import Donation, Expense, Fund, Household, Resident, Unit
from buildings.models.funds import FUND_EDITORS, MAX_AMOUNT
from communities import images, scoping
from communities.forms import ScopedModelForm
from communities.models import Community

MIN_AMOUNT = Decimal("0.01")

MONEY_ERRORS = {
    "invalid": _("Enter an amount in yuan, such as 300 or 12.50."),
    "min_value": _("The amount must be at least 0.01 yuan."),
    "max_value": _("The amount may be at most 1,000,000 yuan."),
    "max_decimal_places": _("Give the amount in yuan with at most two decimal places."),
    "max_digits": _("The amount may be at most 1,000,000 yuan."),
    "max_whole_digits": _("The amount may be at most 1,000,000 yuan."),
}


class MoneyField(forms.DecimalField):
    """Yuan with two decimals, 0.01 to 1,000,000, with messages a treasurer understands."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", MIN_AMOUNT)
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs["error_messages"] = MONEY_ERRORS | kwargs.get("error_messages", {})
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        return attrs


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _narrow(queryset, user, roles=FUND_EDITORS):
    q = scoping.attachable_q(queryset.model, user, roles)
    return queryset if q is None else queryset.filter(q)


def household_label(household) -> str:
    return gettext("Unit %(unit)s, room %(room)s") % {
        "unit": household.unit.number,
        "room": household.room,
    }


def resident_label(resident) -> str:
    """A name and where the person lives; never a phone number."""
    return gettext("%(name)s (unit %(unit)s, room %(room)s)") % {
        "name": resident.name,
        "unit": resident.household.unit.number,
        "room": resident.household.room,
    }


def party_members(community_id: int, user):
    """Party members of a community whom ``user`` may name as a fund's leader or raiser."""
    members = Resident.objects.filter(
        is_party_member=True, household__unit__building__community=community_id
    )
    return (
        _narrow(members, user)
        .select_related("household__unit")
        .order_by("household__unit__building_id", "household__unit__number", "household__room")
    )


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


# Funds


class FundForm(ScopedModelForm):
    """Open a fund for a building or one of its units."""

    submit_label = _("Open the fund")

    target = MoneyField(label=_label(Fund, "target"), required=False)
    quota = MoneyField(
        label=_label(Fund, "quota"),
        required=False,
        help_text=_("Leave empty when households give what they wish."),
    )

    class Meta:
        model = Fund
        fields = ["unit", "purpose", "description", "target", "quota", "leader", "opened_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "opened_on": _date_widget(),
        }

    def __init__(self, *args, building, **kwargs):
        super().__init__(*args, **kwargs)
        self.building = building
        if "unit" in self.fields:
            self.fields["unit"].queryset = _narrow(
                Unit.objects.filter(building=building), self.user
            )
            self.fields["unit"].empty_label = gettext("The whole building")
            self.fields["unit"].label_from_instance = lambda unit: (
                gettext("Unit %(number)s") % {"number": unit.number}
            )
        leaders = party_members(building.community_id, self.user)
        if self.instance.leader_id:
            # A leader chosen by someone with a wider scope stays valid when this user saves.
            leaders = leaders | Resident.objects.filter(pk=self.instance.leader_id)
        self.fields["leader"].queryset = leaders
        self.fields["leader"].label_from_instance = resident_label
        if "opened_on" in self.fields and not self.is_bound and not self.instance.opened_on:
            self.initial["opened_on"] = timezone.localdate()

    def fund_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class FundUpdateForm(FundForm):
    submit_label = _("Save")

    class Meta(FundForm.Meta):
        fields = ["purpose", "description", "target", "quota", "leader", "is_open"]


class FundFilter(BootstrapFilterSet):
    q = django_filters.CharFilter(
        label=_("Purpose"), field_name="purpose", lookup_expr="icontains", max_length=50
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        field_name="building__community",
        queryset=lambda request: Community.objects.visible_to(request.user),
        empty_label=_("any"),
    )
    is_open = django_filters.BooleanFilter(
        label=_("Open or closed"),
        widget=forms.Select(choices=[("", _("any")), ("true", _("open")), ("false", _("closed"))]),
    )
    building = id_filter("building")

    class Meta:
        model = Fund
        fields = ["q", "community", "is_open", "building"]


# The ledger


class LedgerForm(ScopedModelForm):
    """What the donation and expense forms share: the fund, receipt numbers, dates.

    ``token`` is a hidden uuid4 made when the form is rendered: the same form sent twice
    (a double tap on a slow phone) carries the same token, and the service records once.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, fund, **kwargs):
        self.fund = fund
        kwargs.setdefault("instance", self._meta.model(fund=fund))
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4()
            self.initial["date"] = timezone.localdate()
        self.fields["receipt_no"].help_text = _("As written on the paper receipt, if there is one.")

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])

    def clean_receipt_no(self):
        receipt_no = self.cleaned_data["receipt_no"].strip()
        model = self._meta.model
        if receipt_no and model.objects.filter(fund=self.fund, receipt_no=receipt_no).exists():
            raise forms.ValidationError(duplicate_receipt_message())
        return receipt_no

    def entry_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def duplicate_receipt_message():
    return gettext("This receipt number is already recorded in this fund.")


class DonationForm(LedgerForm):
    """One short form: who gave what, who brought it in, and the receipt."""

    submit_label = _("Record the donation")

    amount = MoneyField(
        label=_label(Donation, "amount"),
        required=False,
        help_text=_("For labour and goods: an estimated value, if any."),
    )

    class Meta:
        model = Donation
        fields = [
            "kind",
            "donor_household",
            "donor_resident",
            "donor_name",
            "raised_by",
            "amount",
            "description",
            "date",
            "receipt_no",
        ]
        widgets = {"kind": forms.RadioSelect, "date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fund = self.fund
        households = Household.objects.filter(unit__building=fund.building_id)
        if fund.unit_id:
            households = households.filter(unit=fund.unit_id)
        self.fields["donor_household"].queryset = (
            _narrow(households, self.user)
            .select_related("unit")
            .order_by("unit__number", "room", "pk")
        )
        self.fields["donor_household"].label_from_instance = household_label
        self.fields["donor_household"].empty_label = gettext("— not a household —")
        # Residents of the fund's building keep the select short on a phone.
        residents = Resident.objects.filter(household__unit__building=fund.building_id)
        self.fields["donor_resident"].queryset = (
            _narrow(residents, self.user)
            .select_related("household__unit")
            .order_by("household__unit__number", "household__room", "name", "pk")
        )
        self.fields["donor_resident"].label_from_instance = resident_label
        self.fields["donor_resident"].empty_label = gettext("— not a resident —")
        self.fields["raised_by"].queryset = party_members(fund.building.community_id, self.user)
        self.fields["raised_by"].label_from_instance = resident_label
        self.fields["raised_by"].empty_label = gettext("— nobody —")

    def clean_donor_name(self):
        return self.cleaned_data["donor_name"].strip()

    def clean_description(self):
        return self.cleaned_data["description"].strip()

    def clean(self):
        cleaned = super().clean()
        donors = [
            name
            for name in ("donor_household", "donor_resident", "donor_name")
            if cleaned.get(name)
        ]
        donor_errors = {"donor_household", "donor_resident", "donor_name"} & set(self.errors)
        if len(donors) != 1 and not donor_errors:
            self.add_error(
                "donor_name",
                gettext(
                    "Give exactly one donor: a household, a resident or an outside donor's name."
                ),
            )
        kind = cleaned.get("kind")
        if kind == Donation.Kind.MONEY and cleaned.get("amount") is None:
            if "amount" not in self.errors:
                self.add_error("amount", gettext("Enter the amount of money."))
        elif kind in {Donation.Kind.LABOUR, Donation.Kind.GOODS} and not cleaned.get("description"):
            self.add_error("description", gettext("Say what labour or goods were given."))
        return cleaned


class ReceiptPhotoField(images.MultiplePhotoField):
    """One receipt photo through the shared photo pipeline; ``clean()`` returns a list of
    at most one processed photo."""

    widget = forms.ClearableFileInput(attrs={"accept": images.ACCEPT})


class ExpenseForm(LedgerForm):
    submit_label = _("Record the expense")

    amount = MoneyField(label=_label(Expense, "amount"))
    receipt = ReceiptPhotoField(
        label=_("Receipt photo"),
        required=False,
        help_text=_("A photo of the receipt: JPEG, PNG or WebP."),
    )

    class Meta:
        model = Expense
        fields = ["item", "amount", "date", "receipt_no"]
        widgets = {"date": _date_widget()}

    def clean_item(self):
        return self.cleaned_data["item"].strip()

    def photo(self):
        photos = self.cleaned_data.get("receipt") or []
        return photos[0] if photos else None


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Say why the entry is reversed.")},
    )
