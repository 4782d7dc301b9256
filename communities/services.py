"""Writes on community-owned records.

Every write re-checks scope inside its transaction: a row that the acting user
could not edit after the write is rolled back, whatever the form allowed.
"""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from communities import scoping
from communities.models import Membership


@transaction.atomic
def scoped_save(*, form, by) -> models.Model:
    """Validate and save a ModelForm's instance, then prove ``by`` may edit the result.

    Invariant: the saved row (and its many-to-many links) exists only if it lies
    inside ``Model.objects.editable_by(by)``; otherwise nothing is saved and
    PermissionDenied is raised.
    """
    obj = form.save(commit=False)
    obj.full_clean()
    obj.save()
    form.save_m2m()
    if not type(obj)._default_manager.editable_by(by).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


@transaction.atomic
def leading_group_save(
    *, community, positions: Mapping[int, tuple[str, str]], by
) -> list[Membership]:
    """Set the leading-group position and job title of the community's memberships.

    ``positions`` maps membership ids (of this community) to ``(position, title)``. The
    group has at most one leader (组长).
    """
    if not scoping.is_secretary_of(by, community.pk):
        raise PermissionDenied
    memberships = {
        m.pk: m
        for m in Membership.objects.select_for_update().filter(community=community, is_active=True)
    }
    if set(positions) - set(memberships):
        raise ValidationError(_("Only this community's members can join its leading group."))
    before = {pk: (m.group_position, m.title) for pk, m in memberships.items()}
    for pk, (position, title) in positions.items():
        membership = memberships[pk]
        membership.group_position = position or ""
        membership.title = (title or "").strip()
        membership.full_clean()
    leaders = [
        m for m in memberships.values() if m.group_position == Membership.GroupPosition.LEADER
    ]
    if len(leaders) > 1:
        raise ValidationError(_("The leading group has one leader."))
    changed = [memberships[pk] for pk in positions]
    Membership.objects.bulk_update(changed, ["group_position", "title"])
    # A bulk update sends no signals: the history of the memberships that changed.
    Membership.history.bulk_history_create(
        [m for m in changed if (m.group_position, m.title) != before[m.pk]],
        update=True,
        default_user=by,
    )
    return changed
