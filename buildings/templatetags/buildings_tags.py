from django import template

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
