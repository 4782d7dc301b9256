"""The one scoping rule: which rows a user may see and which they may change.

Every model that belongs to a community declares a :class:`ScopePaths` as its
``scope`` attribute -- the ORM paths from that model to its district, community,
section and building head -- and uses :class:`ScopedQuerySet` (directly or through
``ScopedManager``). Views, forms, admin, exports and reports ask only
``Model.objects.visible_to(user)`` and ``Model.objects.editable_by(user)``.

Reading (``visible_to``):
    superuser            -> every row
    district official    -> rows of their district
    community secretary  -> rows of their community
    section cadre        -> rows of their section (community-level rows of their community)
    building head        -> rows of the buildings they head (community-level rows of
                            their community)
    anyone else          -> nothing

Writing (``editable_by``): the same paths, restricted to the roles listed in the
model's ``scope.write_roles``; district officials never write through this rule
(their review actions are services with their own checks).

The rule fails closed: an unknown role, an inactive membership or an anonymous
user yields an empty queryset. Memberships are read once per request and kept on
the user object, so a revoked membership takes effect on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from communities.models import Membership

OFFICIAL = "official"
SECRETARY = "secretary"
CADRE = "cadre"
HEAD = "head"

# Matches nothing; Django short-circuits it without a query.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a model to the objects that scope it.

    ``section`` and ``head`` are ``None`` for models that sit above a building
    (a community, a section): cadres and building heads then see them at the level
    of their community and never change them. ``community`` is ``None`` only for a
    district, which members of its communities see through their membership's district.
    """

    district: str
    community: str | None
    section: str | None = None
    head: str | None = None
    write_roles: frozenset[str] = field(default_factory=lambda: frozenset({SECRETARY, CADRE}))

    @classmethod
    def via_building(cls, building: str, **kwargs) -> ScopePaths:
        """The paths of a model that belongs to a building, reached through ``building``."""
        return cls(
            district=f"{building}__community__district",
            community=f"{building}__community",
            section=f"{building}__section",
            head=f"{building}__head",
            **kwargs,
        )


def memberships_of(user) -> list[Membership]:
    """The user's active memberships, read once per user object (one request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_corridor_memberships", None)
    if cached is None:
        from communities.models import Membership

        cached = list(
            Membership.objects.filter(user_id=user.pk, is_active=True).only(
                "id", "role", "district_id", "community_id", "section_id", "user_id"
            )
        )
        user._corridor_memberships = cached
    return cached


def membership_conditions(
    paths: ScopePaths, membership: Membership, user, *, write: bool
) -> dict[str, int] | None:
    """The rule for one membership, as ``{path: value}`` conditions that must all hold.

    ``None`` means the membership grants nothing on this model. Both the SQL filter
    (:func:`membership_q`) and the in-memory check (:func:`can_edit_loaded`) read it, so
    the rule is written once.
    """
    role = membership.role
    if write and role not in paths.write_roles:
        return None
    if role == OFFICIAL:
        return {paths.district: membership.district_id} if membership.district_id else None
    if not membership.community_id:
        return None
    if paths.community is None:
        return None if write else {paths.district: membership.district_id}
    in_community = {paths.community: membership.community_id}
    if role == SECRETARY:
        return in_community
    if role == CADRE:
        if paths.section is None:
            return None if write else in_community
        if not membership.section_id:
            return None
        return in_community | {paths.section: membership.section_id}
    if role == HEAD:
        if paths.head is None:
            return None if write else in_community
        return in_community | {paths.head: user.pk}
    return None


def membership_q(paths: ScopePaths, membership: Membership, user, *, write: bool) -> Q:
    conditions = membership_conditions(paths, membership, user, write=write)
    return NOTHING if conditions is None else Q(**conditions)


def scope_q(model: type[models.Model], user, *, write: bool = False) -> Q | None:
    """The filter for ``model`` and ``user``; ``None`` means every row (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return None
    paths: ScopePaths = model.scope
    combined = NOTHING
    for membership in memberships_of(user):
        combined |= membership_q(paths, membership, user, write=write)
    return combined


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows ``user`` may read."""
        q = scope_q(self.model, user)
        return self if q is None else self.filter(q)

    def editable_by(self, user):
        """Rows ``user`` may change."""
        q = scope_q(self.model, user, write=True)
        return self if q is None else self.filter(q)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def attachable_q(model: type[models.Model], user, roles: frozenset[str]) -> Q | None:
    """Rows of ``model`` that ``user`` may link a record to when writing as one of ``roles``.

    The read paths of ``model``, through only those memberships whose role may write the
    record being edited: a cadre creating a building may attach it to their community
    although they may not edit the community itself. ``None`` means every row.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return None
    combined = NOTHING
    for membership in memberships_of(user):
        if membership.role in roles:
            combined |= membership_q(model.scope, membership, user, write=False)
    return combined


def roles_of(user) -> set[str]:
    if user.is_authenticated and user.is_superuser:
        return {OFFICIAL, SECRETARY, CADRE, HEAD}
    return {m.role for m in memberships_of(user)}


def can_see_personal_data(user, community_id: int) -> bool:
    """Full phone numbers: superusers and the secretary and cadres of that community.

    Everyone else who may read a resident (district officials, building heads, other
    communities' staff in the admin) sees ``138****1234``: in pages, exports, the admin,
    the audit log and history.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in {SECRETARY, CADRE} and m.community_id == community_id
        for m in memberships_of(user)
    )


def can_see_party_membership(user, community_id: int, district_id: int) -> bool:
    """Whether a resident of that community is shown as a Party member or not.

    Superusers, the secretary and cadres of the resident's community and the district
    officials over it. Building heads and everyone else see neither "yes" nor "no":
    Party membership is not theirs to know (docs/privacy.md).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for m in memberships_of(user):
        if m.role in {SECRETARY, CADRE} and m.community_id == community_id:
            return True
        if m.role == OFFICIAL and m.district_id == district_id:
            return True
    return False


def party_visible_q(model: type[models.Model], user) -> Q | None:
    """Rows of ``model`` whose residents' Party membership ``user`` may see (the rule of
    :func:`can_see_party_membership` as a filter); ``None`` means every row.

    Filtering by Party membership goes through it, so that a filter cannot reveal what
    the column hides.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return None
    paths: ScopePaths = model.scope
    combined = NOTHING
    for m in memberships_of(user):
        if m.role == OFFICIAL and m.district_id:
            combined |= Q(**{paths.district: m.district_id})
        elif m.role in {SECRETARY, CADRE} and m.community_id and paths.community:
            combined |= Q(**{paths.community: m.community_id})
    return combined


# Who reads the audit log and the access log, and of which communities: district officials
# (their district) and community secretaries (their community). Cadres and building heads
# do not: the log names every change of the community, beyond their section or building.
AUDIT_ROLES = frozenset({OFFICIAL, SECRETARY})


def may_read_audit(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(m.role in AUDIT_ROLES for m in memberships_of(user))


def audit_community_ids(user) -> list[int] | None:
    """Communities whose audit and access logs ``user`` reads; ``None`` means all.

    One query for an official (the communities of their districts), none otherwise.
    """
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    from communities.models import Community

    q = attachable_q(Community, user, AUDIT_ROLES)
    ids = {m.community_id for m in memberships_of(user) if m.role == SECRETARY}
    if any(m.role == OFFICIAL for m in memberships_of(user)):
        ids |= set(Community.objects.filter(q).values_list("pk", flat=True))
    return sorted(i for i in ids if i)


def is_secretary_of(user, community_id: int) -> bool:
    """Superusers and the secretary of that community."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        m.role == SECRETARY and m.community_id == community_id for m in memberships_of(user)
    )


def is_official_of(user, district_id: int) -> bool:
    """Superusers and the district officials of that district."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        m.role == OFFICIAL and m.district_id == district_id for m in memberships_of(user)
    )


def _loaded_value(obj: models.Model, path: str):
    """Follow ``path`` through already-loaded relations; the last step gives the id."""
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step)
    if last == "pk":
        return obj.pk
    return getattr(obj, obj._meta.get_field(last).attname)


def sees_whole_community(user, community_id: int, district_id: int) -> bool:
    """Whether ``user`` reads every row of the community: a superuser, an official of its
    district or its secretary (cadres and building heads see their section or building).
    Figures such a user sees are everyone's and may be shared through a cache."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for membership in memberships_of(user):
        if membership.role == OFFICIAL and membership.district_id == district_id:
            return True
        if membership.role == SECRETARY and membership.community_id == community_id:
            return True
    return False


def can_edit_loaded(user, obj: models.Model) -> bool:
    """``can_edit`` without a query, for an object whose scope path is select_related."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    paths: ScopePaths = type(obj).scope
    for membership in memberships_of(user):
        conditions = membership_conditions(paths, membership, user, write=True)
        if conditions and all(_loaded_value(obj, p) == v for p, v in conditions.items()):
            return True
    return False


def can_edit(user, obj: models.Model) -> bool:
    """Whether ``user`` may change ``obj``; answers from memberships already loaded."""
    if not user.is_authenticated:
        return False
    return type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()


def writable_community_ids(user, model: type[models.Model]) -> list[int] | None:
    """Communities in which ``user`` may create rows of ``model``; ``None`` means all."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    roles = model.scope.write_roles
    return sorted(
        {m.community_id for m in memberships_of(user) if m.role in roles and m.community_id}
    )
