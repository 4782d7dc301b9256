"""Forms for corridors and exhibits; related-row choices are narrowed to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buildings.models import Resident
from communities import images, scoping
from communities.forms import ScopedModelForm
from exhibits.models import EDITOR_ROLES, Corridor, Exhibit


class CorridorForm(ScopedModelForm):
    class Meta:
        model = Corridor
        fields = ["theme", "style_notes", "status"]
        widgets = {"style_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Certification is the district's act, through its own button.
        choices = [c for c in Corridor.Status.choices if c[0] != Corridor.Status.CERTIFIED]
        if self.instance.status == Corridor.Status.CERTIFIED:
            self.fields["status"].disabled = True
        else:
            self.fields["status"].choices = choices


class ExhibitForm(ScopedModelForm):
    """Log or edit an exhibit, with photos in the same form.

    The creator is a resident of the corridor's building (a select of a few dozen names
    that works on a phone without JavaScript) or a typed name such as 老年大学学员.
    """

    photos = images.MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP; several at once."),
    )

    class Meta:
        model = Exhibit
        fields = [
            "kind",
            "title",
            "creator_resident",
            "creator_name",
            "description",
            "floor",
            "on_landing",
            "installed_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "installed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, corridor, **kwargs):
        self.corridor = corridor
        super().__init__(*args, **kwargs)
        residents = Resident.objects.filter(household__unit__building=corridor.unit.building_id)
        q = scoping.attachable_q(Resident, self.user, EDITOR_ROLES)
        if q is not None:
            residents = residents.filter(q)
        self.fields["creator_resident"].queryset = residents.select_related(
            "household__unit"
        ).order_by("household__unit__number", "household__room", "name")
        self.fields["creator_resident"].label_from_instance = lambda r: (
            f"{r.name}（{r.household.unit.number}单元{r.household.room}室）"
        )
        self.fields["floor"].widget.attrs["max"] = corridor.unit.floors

    def clean(self):
        cleaned = super().clean()
        resident = cleaned.get("creator_resident")
        name = (cleaned.get("creator_name") or "").strip()
        if not resident and not name and "creator_resident" not in self.errors:
            self.add_error("creator_name", _("Pick a resident or type the creator's name."))
        floor = cleaned.get("floor")
        if floor and floor > self.corridor.unit.floors:
            self.add_error(
                "floor",
                _("This unit has %(floors)d floors.") % {"floors": self.corridor.unit.floors},
            )
        return cleaned

    def exhibit_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(forms.Form):
    corridor = forms.ModelChoiceField(label=_("Corridor"), queryset=Corridor.objects.none())
    floor = forms.IntegerField(label=_("Floor"), required=False, min_value=1, max_value=60)
    on_landing = forms.BooleanField(label=_("On the landing"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user, exhibit, **kwargs):
        super().__init__(*args, **kwargs)
        community = exhibit.corridor.unit.building.community_id
        self.fields["corridor"].queryset = (
            Corridor.objects.editable_by(user)
            .filter(unit__building__community=community)
            .select_related("unit__building")
            .order_by("unit__building__compound", "unit__building__number", "unit__number")
        )
        self.fields["corridor"].initial = exhibit.corridor_id

    def clean(self):
        cleaned = super().clean()
        corridor, floor = cleaned.get("corridor"), cleaned.get("floor")
        if corridor and floor and floor > corridor.unit.floors:
            self.add_error(
                "floor", _("This unit has %(floors)d floors.") % {"floors": corridor.unit.floors}
            )
        return cleaned


class SinglePhotoField(images.MultiplePhotoField):
    """One photo through the same pipeline; ``clean()`` returns a one-element list."""

    widget = forms.ClearableFileInput(attrs={"accept": images.ACCEPT})


class PairForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), required=False, max_length=100)
    before = SinglePhotoField(label=_("Before"))
    after = SinglePhotoField(label=_("After"))
