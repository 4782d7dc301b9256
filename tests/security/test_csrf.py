"""CSRF: every URL of the project -- the portal's, the account pages, the language switch
and the whole admin -- refuses a POST that carries no token, and writes nothing.

The URLs come from the resolver, so a view added later with ``@csrf_exempt`` fails here.
The POST is sent by a superuser, whom no permission check would stop: only the CSRF check
stands between the request and a write.
"""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security.support import changed_models, fingerprint, routes

# Values tried for a URL's arguments, in order, until ``reverse`` accepts one.
ARGUMENT_VALUES = {
    "app_label": ["communities"],
    "action": ["approve"],
    "side": ["before"],
    "size": ["small"],
}


def _url(route) -> str:
    kwargs = {}
    for argument, converter in zip(route.arguments, route.converters, strict=True):
        default = ["x"] if converter == "StringConverter" else ["1"]
        kwargs[argument] = ARGUMENT_VALUES.get(argument, default)[0]
    try:
        if route.positional:
            return reverse(route.name, args=["1"] * route.positional)
        return reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        pytest.fail(f"{route.name}: add its arguments to ARGUMENT_VALUES ({kwargs})")


ROUTES = routes()
ANONYMOUS = {"login", "admin:login", "set_language"}

DATA = {
    "username": "root",
    "password": "test-pass-1234",
    "language": "en",
    "next": "/",
    "name": "伪造",
    "note": "伪造",
    "reason": "伪造",
    "confirm": "yes",
    "action": "delete_selected",
    "_selected_action": "1",
    "post": "yes",
}


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and "403_csrf.html" in {
        template.name for template in response.templates
    }


@pytest.fixture
def csrf_client(db):
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_post_without_token_is_refused(csrf_client, world, route):
    url = _url(route)
    csrf_client.force_login(world.superuser)
    before = fingerprint()

    response = csrf_client.post(url, DATA)

    assert _is_csrf_refusal(response), f"POST {url} without a token: {response.status_code}"
    assert not changed_models(before, fingerprint())


@pytest.mark.parametrize("name", sorted(ANONYMOUS))
def test_anonymous_post_without_token_is_refused(csrf_client, world, name):
    url = reverse(name)

    response = csrf_client.post(url, DATA)

    assert _is_csrf_refusal(response), f"POST {url} without a token: {response.status_code}"
    assert "_auth_user_id" not in csrf_client.session
    assert "django_language" not in response.cookies


def test_login_with_a_token_is_not_refused(csrf_client, world):
    """The refusals above are the CSRF check's: the same POST with the token logs in."""
    page = csrf_client.get(reverse("login"))
    token = page.context["csrf_token"]

    response = csrf_client.post(reverse("login"), DATA | {"csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302
    assert csrf_client.session["_auth_user_id"] == str(world.superuser.pk)


def test_logout_without_token_keeps_the_session(csrf_client, world):
    csrf_client.force_login(world.a.secretary)

    response = csrf_client.post(reverse("logout"))

    assert _is_csrf_refusal(response)
    assert csrf_client.get(reverse("buildings:building_list")).status_code == 200


def test_language_switch_without_token_keeps_the_language(csrf_client, world):
    csrf_client.force_login(world.a.secretary)

    response = csrf_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert _is_csrf_refusal(response)
    assert "django_language" not in response.cookies
    page = csrf_client.get(reverse("buildings:building_list"))
    assert page["Content-Language"] == "zh-hans"


def test_the_routes_reach_into_the_admin():
    """The walk of the resolver goes into included URLconfs, the admin's among them."""
    names = {route.name for route in ROUTES}

    assert {"admin:login", "admin:buildings_resident_change", "logout"} <= names
