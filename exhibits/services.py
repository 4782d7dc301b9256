"""Writes on corridors and exhibits: the workflow, placements and photos.

Every service is keyword-only and atomic, validates with ``full_clean()``, re-checks the
acting user's scope and records who did what. Views and admin actions call these; nothing
else changes an exhibit's status.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import images, scoping
from exhibits.models import (
    BeforeAfterPair,
    Corridor,
    Exhibit,
    ExhibitPhoto,
    ExhibitPlacement,
    ExhibitTransition,
)

S = Exhibit.Status

PHOTO_THUMB_SMALL, PHOTO_THUMB_LARGE = 400, 1600


# Who may do what


def can_edit_exhibit(user, exhibit: Exhibit) -> bool:
    """Editors (secretary, cadre of the section, head of the building) of its corridor."""
    return Exhibit.objects.editable_by(user).filter(pk=exhibit.pk).exists()


_is_secretary_of = scoping.is_secretary_of
_is_official_of = scoping.is_official_of


def can_check(user, exhibit: Exhibit) -> bool:
    """The first sign-off: the secretary of the exhibit's community."""
    community = exhibit.corridor.unit.building.community_id
    return exhibit.status == S.SUBMITTED and _is_secretary_of(user, community)


def can_approve(user, exhibit: Exhibit) -> bool:
    """The second sign-off: a district official of the exhibit's district."""
    district = exhibit.corridor.unit.building.community.district_id
    return exhibit.status == S.CHECKED and _is_official_of(user, district)


def can_return(user, exhibit: Exhibit) -> bool:
    return can_check(user, exhibit) or can_approve(user, exhibit)


def can_submit(user, exhibit: Exhibit) -> bool:
    return exhibit.status in {S.DRAFT, S.RETURNED} and can_edit_exhibit(user, exhibit)


def can_retire(user, exhibit: Exhibit) -> bool:
    community = exhibit.corridor.unit.building.community_id
    return exhibit.status == S.APPROVED and _is_secretary_of(user, community)


def can_certify(user, corridor: Corridor) -> bool:
    district = corridor.unit.building.community.district_id
    return corridor.status == Corridor.Status.COMPLETE and _is_official_of(user, district)


def can_withdraw_certification(user, corridor: Corridor) -> bool:
    district = corridor.unit.building.community.district_id
    return corridor.status == Corridor.Status.CERTIFIED and _is_official_of(user, district)


# Corridors


@transaction.atomic
def corridor_create(*, unit, theme: str, style_notes: str = "", by) -> Corridor:
    """Start the corridor of ``unit``; ``by`` must be able to edit the unit's corridor."""
    corridor = Corridor(unit=unit, theme=theme, style_notes=style_notes, created_by=by)
    corridor.full_clean()
    corridor.save()
    if not Corridor.objects.editable_by(by).filter(pk=corridor.pk).exists():
        raise PermissionDenied
    return corridor


@transaction.atomic
def corridor_certify(*, corridor: Corridor, by) -> Corridor:
    corridor = Corridor.objects.select_for_update().get(pk=corridor.pk)
    if not can_certify(by, corridor):
        raise PermissionDenied
    corridor.status = Corridor.Status.CERTIFIED
    corridor.certified_by = by
    corridor.certified_at = timezone.now()
    corridor.save(update_fields=["status", "certified_by", "certified_at", "updated_at"])
    return corridor


@transaction.atomic
def corridor_withdraw_certification(*, corridor: Corridor, by) -> Corridor:
    corridor = Corridor.objects.select_for_update().get(pk=corridor.pk)
    if not can_withdraw_certification(by, corridor):
        raise PermissionDenied
    corridor.status = Corridor.Status.COMPLETE
    corridor.certified_by = None
    corridor.certified_at = None
    corridor.save(update_fields=["status", "certified_by", "certified_at", "updated_at"])
    return corridor


@transaction.atomic
def pair_create(*, corridor: Corridor, before, after, caption: str = "", by) -> BeforeAfterPair:
    """Store a before and an after photo (already processed) as one pair."""
    if not Corridor.objects.editable_by(by).filter(pk=corridor.pk).exists():
        raise PermissionDenied
    folder = _folder("corridors")
    with images.stored_photos_guard() as guard:
        stored_before = guard.store(before, folder=folder)
        stored_after = guard.store(after, folder=folder)
        pair = BeforeAfterPair(
            corridor=corridor,
            caption=caption,
            before_image=stored_before.name,
            before_thumb=stored_before.thumbnail_names[PHOTO_THUMB_LARGE],
            before_content_type=stored_before.thumbnail_content_type,
            after_image=stored_after.name,
            after_thumb=stored_after.thumbnail_names[PHOTO_THUMB_LARGE],
            after_content_type=stored_after.thumbnail_content_type,
            created_by=by,
        )
        pair.full_clean()
        pair.save()
    return pair


# Exhibits


def _folder(kind: str) -> str:
    today = timezone.localdate()
    return f"photos/{kind}/{today:%Y/%m}"


def _record(exhibit: Exhibit, to_status: str, by, note: str = "") -> None:
    ExhibitTransition.objects.create(
        exhibit=exhibit, from_status=exhibit.status, to_status=to_status, by=by, note=note
    )
    exhibit.status = to_status
    exhibit.status_changed_at = timezone.now()
    exhibit.save(update_fields=["status", "status_changed_at", "updated_at"])


def _add_photos(exhibit: Exhibit, photos, guard) -> None:
    start = exhibit.photos.count()
    folder = _folder("exhibits")
    rows = []
    for offset, processed in enumerate(photos):
        stored = guard.store(processed, folder=folder)
        rows.append(
            ExhibitPhoto(
                exhibit=exhibit,
                image=stored.name,
                thumb_small=stored.thumbnail_names[PHOTO_THUMB_SMALL],
                thumb_large=stored.thumbnail_names[PHOTO_THUMB_LARGE],
                content_type=stored.content_type,
                thumb_content_type=stored.thumbnail_content_type,
                width=stored.width,
                height=stored.height,
                position=start + offset,
            )
        )
    ExhibitPhoto.objects.bulk_create(rows)


@transaction.atomic
def exhibit_create(*, corridor: Corridor, data: dict, photos=(), by) -> Exhibit:
    """Log a new exhibit as a draft, with its photos and its first placement.

    Invariant: either the exhibit, its placement and every photo (rows and files) exist,
    or none of them does.
    """
    if not Corridor.objects.editable_by(by).filter(pk=corridor.pk).exists():
        raise PermissionDenied
    exhibit = Exhibit(corridor=corridor, created_by=by, status_changed_at=timezone.now(), **data)
    _validate_creator(exhibit, corridor)
    exhibit.full_clean()
    with images.stored_photos_guard() as guard:
        exhibit.save()
        ExhibitTransition.objects.create(exhibit=exhibit, from_status="", to_status=S.DRAFT, by=by)
        ExhibitPlacement.objects.create(
            exhibit=exhibit,
            corridor=corridor,
            floor=exhibit.floor,
            on_landing=exhibit.on_landing,
            by=by,
        )
        _add_photos(exhibit, photos, guard)
    return exhibit


def _validate_creator(exhibit: Exhibit, corridor: Corridor) -> None:
    if not exhibit.creator_resident_id and not exhibit.creator_name.strip():
        raise ValidationError({"creator_name": _("Pick a resident or type the creator's name.")})
    if exhibit.creator_resident_id:
        community = corridor.unit.building.community_id
        resident_community = exhibit.creator_resident.household.unit.building.community_id
        if resident_community != community:
            raise ValidationError(
                {"creator_resident": _("The creator must live in this community.")}
            )


@transaction.atomic
def exhibit_update(*, exhibit: Exhibit, data: dict, photos=(), by) -> Exhibit:
    """Change a draft or returned exhibit's text and add photos."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    if not can_edit_exhibit(by, exhibit):
        raise PermissionDenied
    if not exhibit.is_editable_status:
        raise ValidationError(_("Only a draft or a returned exhibit can be changed."))
    for field, value in data.items():
        setattr(exhibit, field, value)
    _validate_creator(exhibit, exhibit.corridor)
    exhibit.full_clean()
    with images.stored_photos_guard() as guard:
        exhibit.save()
        _add_photos(exhibit, photos, guard)
    return exhibit


def _transition(exhibit: Exhibit, *, allowed, to_status: str, by, note: str = "") -> Exhibit:
    exhibit = (
        Exhibit.objects.select_for_update()
        .select_related("corridor__unit__building__community")
        .get(pk=exhibit.pk)
    )
    if not allowed(by, exhibit):
        raise PermissionDenied
    _record(exhibit, to_status, by, note)
    return exhibit


@transaction.atomic
def exhibit_submit(*, exhibit: Exhibit, by, note: str = "") -> Exhibit:
    return _transition(exhibit, allowed=can_submit, to_status=S.SUBMITTED, by=by, note=note)


@transaction.atomic
def exhibit_check(*, exhibit: Exhibit, by, note: str = "") -> Exhibit:
    return _transition(exhibit, allowed=can_check, to_status=S.CHECKED, by=by, note=note)


@transaction.atomic
def exhibit_approve(*, exhibit: Exhibit, by, note: str = "") -> Exhibit:
    return _transition(exhibit, allowed=can_approve, to_status=S.APPROVED, by=by, note=note)


@transaction.atomic
def exhibit_return(*, exhibit: Exhibit, by, note: str) -> Exhibit:
    """Send an exhibit back to its author; the note says what to change."""
    if not note.strip():
        raise ValidationError({"note": _("Say what should change before returning it.")})
    return _transition(exhibit, allowed=can_return, to_status=S.RETURNED, by=by, note=note)


@transaction.atomic
def exhibit_retire(*, exhibit: Exhibit, by, note: str = "") -> Exhibit:
    exhibit = _transition(exhibit, allowed=can_retire, to_status=S.RETIRED, by=by, note=note)
    ExhibitPlacement.objects.filter(exhibit=exhibit, until__isnull=True).update(
        until=timezone.now()
    )
    return exhibit


@transaction.atomic
def exhibit_move(
    *, exhibit: Exhibit, corridor: Corridor, floor=None, on_landing=False, by, note=""
) -> Exhibit:
    """Hang the exhibit elsewhere: close its current placement, open a new one.

    The new corridor must be one ``by`` may edit; the history keeps every earlier place.
    """
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    if not can_edit_exhibit(by, exhibit):
        raise PermissionDenied
    if not Corridor.objects.editable_by(by).filter(pk=corridor.pk).exists():
        raise PermissionDenied
    if exhibit.status == S.RETIRED:
        raise ValidationError(_("A retired exhibit no longer hangs anywhere."))
    if corridor.unit.building.community_id != exhibit.corridor.unit.building.community_id:
        raise ValidationError(_("An exhibit moves only within its community."))
    now = timezone.now()
    ExhibitPlacement.objects.filter(exhibit=exhibit, until__isnull=True).update(until=now)
    exhibit.corridor = corridor
    exhibit.floor = floor
    exhibit.on_landing = on_landing
    exhibit.full_clean()
    exhibit.save(update_fields=["corridor", "floor", "on_landing", "updated_at"])
    ExhibitPlacement.objects.create(
        exhibit=exhibit, corridor=corridor, floor=floor, on_landing=on_landing, by=by, note=note
    )
    return exhibit


# Deleting (superusers only): rows go, and their files once the deletion has committed


@transaction.atomic
def exhibit_delete(*, exhibit: Exhibit, by) -> None:
    """Delete an exhibit with its history and photos; the photo files follow on commit."""
    if not by.is_superuser:
        raise PermissionDenied
    names = []
    for photo in ExhibitPhoto.objects.filter(exhibit=exhibit):
        names += [*images.files_of(photo.image), photo.thumb_small, photo.thumb_large]
    Exhibit.objects.filter(pk=exhibit.pk).delete()
    images.delete_files_on_commit(set(names))


@transaction.atomic
def pair_delete(*, pair: BeforeAfterPair, by) -> None:
    """Delete a before-and-after pair; its four photos' files follow on commit."""
    if not by.is_superuser:
        raise PermissionDenied
    names = [*images.files_of(pair.before_image), *images.files_of(pair.after_image)]
    BeforeAfterPair.objects.filter(pk=pair.pk).delete()
    images.delete_files_on_commit(set(names))
