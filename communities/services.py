"""Writes on community-owned records.

Every write re-checks scope inside its transaction: a row that the acting user
could not edit after the write is rolled back, whatever the form allowed.
"""

from django.core.exceptions import PermissionDenied
from django.db import models, transaction


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
