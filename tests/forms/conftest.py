"""Helpers for the form tests: pages in English, forms filled in as a browser would."""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import Model


@pytest.fixture
def en_client(client):
    """The pages in English, so that assertions do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _posted(value):
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_data(form, **changes) -> dict:
    """What a browser sends for ``form`` as rendered (hidden fields included), with
    ``changes`` typed in. Checkboxes left unticked and empty file inputs send nothing."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [_posted(item) for item in value]
        else:
            data[field.html_name] = _posted(value)
    data.update(changes)
    return data
