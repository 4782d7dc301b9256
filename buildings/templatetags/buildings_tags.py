from django import template

from buildings.privacy import party_shown, phone_shown

register = template.Library()


@register.simple_tag(takes_context=True)
def resident_phone(context, resident):
    return phone_shown(context["request"].user, resident)


@register.simple_tag(takes_context=True)
def resident_party(context, resident):
    return party_shown(context["request"].user, resident)
