from django import template
from django.utils.translation import gettext as _

from communities import scoping

register = template.Library()


@register.simple_tag(takes_context=True)
def resident_phone(context, resident):
    """The phone number in full for the community's secretary and cadres, masked otherwise.

    Expects ``resident.household.unit.building`` to be loaded (select_related) already.
    """
    community_id = resident.household.unit.building.community_id
    if scoping.can_see_personal_data(context["request"].user, community_id):
        return resident.phone
    return resident.masked_phone


@register.simple_tag(takes_context=True)
def resident_party(context, resident):
    """"yes" or "no" for those who may know a resident's Party membership, "—" otherwise.

    Expects ``resident.household.unit.building.community`` to be loaded (select_related).
    """
    community = resident.household.unit.building.community
    if scoping.can_see_party_membership(
        context["request"].user, community.pk, community.district_id
    ):
        return _("yes") if resident.is_party_member else _("no")
    return "—"
