"""Forms for buildings, units, households and residents.

Every choice of a related row is narrowed to what the user may edit; a forged id
outside it fails as "not a valid choice", and the save re-checks scope.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, Household, Resident, ResidentTag, Unit
from communities import scoping
from communities.forms import ScopedModelForm
from communities.models import Community, Membership, Section, User


def _narrow(queryset, user, roles):
    q = scoping.attachable_q(queryset.model, user, roles)
    return queryset if q is None else queryset.filter(q)


class BuildingForm(ScopedModelForm):
    class Meta:
        model = Building
        fields = ["community", "section", "compound", "number", "name", "head"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = Building.scope.write_roles
        communities = _narrow(Community.objects.all(), self.user, roles)
        sections = _narrow(Section.objects.select_related("community"), self.user, roles)
        community_ids = scoping.writable_community_ids(self.user, Building)
        heads = User.objects.filter(
            memberships__role=Membership.Role.HEAD, memberships__is_active=True
        )
        if community_ids is not None:
            heads = heads.filter(memberships__community_id__in=community_ids)
        self.fields["community"].queryset = communities
        self.fields["section"].queryset = sections
        self.fields["head"].queryset = heads.distinct().order_by("username")
        if len(community_ids or []) == 1 and not self.instance.pk:
            self.fields["community"].initial = community_ids[0]
        if self.instance.pk:
            # Moving a building between communities would carry its residents along.
            self.fields["community"].disabled = True

    def clean(self):
        cleaned = super().clean()
        community = cleaned.get("community")
        section = cleaned.get("section")
        head = cleaned.get("head")
        if community and section and section.community_id != community.pk:
            self.add_error("section", _("The section must belong to the chosen community."))
        if (
            community
            and head
            and not head.memberships.filter(
                role=Membership.Role.HEAD, is_active=True, community=community
            ).exists()
        ):
            self.add_error("head", _("This person is not a building head of the community."))
        if (
            community
            and section is None
            and not self.user.is_superuser
            and not any(
                m.role == scoping.SECRETARY and m.community_id == community.pk
                for m in scoping.memberships_of(self.user)
            )
        ):
            self.add_error("section", _("Choose the section you guide."))
        return cleaned


class UnitForm(ScopedModelForm):
    class Meta:
        model = Unit
        fields = ["number", "floors"]

    def clean_number(self):
        number = self.cleaned_data["number"]
        duplicate = Unit.objects.filter(building=self.instance.building, number=number)
        if duplicate.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This building already has a unit with this number."))
        return number


class HouseholdForm(ScopedModelForm):
    class Meta:
        model = Household
        fields = ["room", "occupancy"]

    def clean_room(self):
        room = self.cleaned_data["room"].strip().upper()
        duplicate = Household.objects.filter(unit=self.instance.unit, room=room)
        if duplicate.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This unit already has a household in this room."))
        return room


#: The earliest year of birth a resident may have; the latest is the current year.
EARLIEST_BIRTH_YEAR = 1900


def bound_birth_year(field: forms.IntegerField) -> forms.IntegerField:
    """Limit a year-of-birth form field to 1900 .. the current year (the model accepts
    years up to 2100: a person is born by this year at the latest)."""
    latest = timezone.localdate().year
    field.min_value, field.max_value = EARLIEST_BIRTH_YEAR, latest
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ] + [MinValueValidator(EARLIEST_BIRTH_YEAR), MaxValueValidator(latest)]
    field.widget.attrs.update(
        {"min": EARLIEST_BIRTH_YEAR, "max": latest, "step": 1, "inputmode": "numeric"}
    )
    return field


class ResidentForm(ScopedModelForm):
    class Meta:
        model = Resident
        fields = ["name", "phone", "is_party_member", "birth_year", "tags"]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = ResidentTag.objects.all()
        bound_birth_year(self.fields["birth_year"])

    def clean_phone(self):
        return self.cleaned_data["phone"].replace(" ", "")
