import pytest
from django.conf import settings as django_settings


@pytest.fixture
def en_client(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
