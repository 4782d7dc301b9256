"""Forms sent twice, and records edited by two people at once (docs/forms.md).

One-time form tokens
    Every create form carries a hidden random token (``TOKEN_FIELD``). The view claims it
    by inserting a ``corridor_portal.FormSubmission`` row inside the transaction that
    writes the record; the token is unique, so of two identical submits (a double tap, a
    resend after a timeout) one claims it and writes, the other waits for it and is sent
    to what the first created. A submit that fails (the form comes back with errors)
    rolls its claim back, so the corrected form can be sent with the same token.

Optimistic locking
    Every update form carries a signed fingerprint (``LOCK_FIELD``) of the values of the
    record's fields that the form edits, as they were when the form was shown. On POST
    the view locks the row (``select_for_update``) inside the transaction of the save and
    compares its values with the fingerprint: if someone changed a field meanwhile, and
    the field does not already hold what this person entered, nothing is saved and the
    form comes back listing each such field, its value now and the value entered, with a
    fresh fingerprint, so that sending it again overwrites knowingly.

The mixins in ``communities/mixins.py`` apply both; no model needs a version column.
"""

import uuid
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django import forms
from django.apps import apps
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext as _

TOKEN_FIELD = "submission_token"
LOCK_FIELD = "record_fingerprint"
SUBMISSION_DAYS = 7  # tokens older than this are purged (manage.py purge_form_submissions)
_SALT = "communities.concurrency"
_URL_LENGTH = 500


# One-time form tokens


def _submissions():
    # Looked up by name: communities sits below corridor_portal and does not import it.
    return apps.get_model("corridor_portal", "FormSubmission")


def add_token_field(form) -> None:
    """Give ``form`` the hidden one-time token; a new token whenever it is shown unbound."""
    form.fields[TOKEN_FIELD] = forms.UUIDField(
        widget=forms.HiddenInput, required=False, initial=uuid.uuid4
    )


def token_from(data) -> uuid.UUID | None:
    """The token a POST carries (in a form with a prefix too), or None (none sent, or not
    a token: no protection)."""
    value = data.get(TOKEN_FIELD, "")
    if not value:
        suffix = f"-{TOKEN_FIELD}"
        value = next((data[key] for key in data if key.endswith(suffix)), "")
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def used_token_url(token, user) -> str | None:
    """Where the submit that used ``token`` went: its URL, "" when the token is used but
    led nowhere known (another person's token, a submit still running), None if unused."""
    row = _submissions().objects.filter(token=token).values_list("user_id", "url").first()
    if row is None:
        return None
    user_id, url = row
    return url if user_id == user.pk else ""


def claim_token(token, user) -> bool:
    """Claim ``token`` for ``user`` in the current transaction; False if it is taken.

    On PostgreSQL a second claim of a token still being used waits for the first
    transaction: it fails once that commits, or succeeds if that rolled back.
    """
    try:
        with transaction.atomic():
            _submissions().objects.create(token=token, user=user)
    except IntegrityError:
        return False
    return True


def record_token_url(token, url: str) -> None:
    """Remember where the submit that claimed ``token`` led, for a replay to go there."""
    _submissions().objects.filter(token=token).update(url=url[:_URL_LENGTH])


def purge_tokens(*, days: int = SUBMISSION_DAYS) -> int:
    """Delete tokens used more than ``days`` ago; returns how many. A page left open that
    long and sent again is no longer recognised as sent twice."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = _submissions().objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Optimistic locking


def lock_fields(form, model) -> list[str]:
    """The form's fields that are editable fields of ``model`` (the fingerprinted ones)."""
    names = []
    for name in form.fields:
        if name in (TOKEN_FIELD, LOCK_FIELD):
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if (field.concrete or field.many_to_many) and field.editable and not field.auto_created:
            names.append(name)
    return names


def _normal(value) -> str:
    """One text for equal values, whether read from the database or from a form."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return ",".join(sorted(_normal(item) for item in value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, str):
        return value.strip().replace("\r\n", "\n")
    return str(value)


def _digest(name: str, value) -> str:
    return salted_hmac(_SALT, f"{name}\0{_normal(value)}").hexdigest()[:16]


def _raw_values(instance, names, initial=None) -> dict:
    """Field values of ``instance`` (foreign keys as ids). Many-to-many values come from
    ``initial`` when the form already loaded them (no query on GET), else from a query."""
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            if initial is not None and name in initial:
                values[name] = initial[name]
            else:
                values[name] = list(getattr(instance, name).all()) if instance.pk else []
        else:
            values[name] = field.value_from_object(instance)
    return values


def _sign(instance, digests: dict) -> str:
    payload = {"m": instance._meta.label_lower, "pk": str(instance.pk), "f": digests}
    return signing.dumps(payload, salt=_SALT, compress=True)


def _unsign(value: str, instance) -> dict | None:
    """The digests of a fingerprint made for ``instance``, or None (forged, other record)."""
    try:
        payload = signing.loads(value, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("f"), dict):
        return None
    if payload.get("m") != instance._meta.label_lower or payload.get("pk") != str(instance.pk):
        return None
    return payload["f"]


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield key, label


def display(form_field, value) -> str:
    """``value`` as a person reads it in ``form_field``: labels of choices, names of rows."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(display(form_field, item) for item in value) or "—"
    if not isinstance(form_field, forms.ModelChoiceField) and hasattr(form_field, "choices"):
        labels = {str(key): label for key, label in _flat_choices(form_field.choices)}
        if str(value) in labels:
            return str(labels[str(value)])
    return str(formats.localize(value))


def _now_value(instance, name, raw):
    """The value of ``name`` to show: the related row rather than its id."""
    field = instance._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        return getattr(instance, name)
    return raw


def add_fingerprint(form, instance) -> None:
    """Give ``form`` the fingerprint of ``instance``; when ``form`` is bound, check the one
    it was sent with against ``instance`` during validation.

    On POST ``instance`` must be the row as read under ``select_for_update`` in the
    transaction that will save it, so that no write can come between the check and
    the save.
    """
    names = lock_fields(form, type(instance))
    raw = _raw_values(instance, names, None if form.is_bound else form.initial)
    current = {name: _digest(name, value) for name, value in raw.items()}
    fingerprint = _sign(instance, current)
    form.fields[LOCK_FIELD] = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=fingerprint
    )
    form.conflicts = []
    if form.is_bound:
        # Runs in full_clean after every other field (it is the last field), with their
        # cleaned values at hand.
        setattr(
            form,
            f"clean_{LOCK_FIELD}",
            partial(_check_fingerprint, form, instance, names, raw, current, fingerprint),
        )


def _check_fingerprint(form, instance, names, raw, current, fingerprint):
    sent = form.cleaned_data.get(LOCK_FIELD) or ""
    if not sent:
        return sent  # sent without one (a script, not the page): nothing to compare
    loaded = _unsign(sent, instance)
    if loaded is None:
        form.add_error(
            None,
            _(
                "This form could not be compared with the saved record. "
                "Check the values below and save again."
            ),
        )
        _renew_fingerprint(form, fingerprint)
        return fingerprint
    conflicts = []
    for name in names:
        if loaded.get(name) == current[name]:
            continue
        if name in form.cleaned_data and _digest(name, form.cleaned_data[name]) == current[name]:
            continue  # it already holds what this person entered (the form sent twice)
        field = form.fields[name]
        entered = form.cleaned_data[name] if name in form.cleaned_data else form[name].value()
        conflicts.append(
            {
                "name": name,
                "label": capfirst(str(field.label or name)),
                "now": display(field, _now_value(instance, name, raw[name])),
                "entered": display(field, entered),
            }
        )
    if conflicts:
        form.conflicts = conflicts
        form.add_error(
            None,
            _(
                "Someone else changed this record after you opened this form; nothing was "
                "saved. Check the changes below: saving again replaces them with what you "
                "entered."
            ),
        )
        for conflict in conflicts:
            form.add_error(
                None,
                _("%(field)s — now: “%(now)s”; you entered: “%(entered)s”.")
                % {
                    "field": conflict["label"],
                    "now": conflict["now"],
                    "entered": conflict["entered"],
                },
            )
        _renew_fingerprint(form, fingerprint)
    return fingerprint


def _renew_fingerprint(form, fingerprint) -> None:
    """Show the form again with the fingerprint of the record as it is now."""
    data = form.data.copy()
    data[form.add_prefix(LOCK_FIELD)] = fingerprint
    form.data = data
