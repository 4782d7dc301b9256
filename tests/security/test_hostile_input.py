"""Hostile input never gives a 500 and never writes: ids that are not numbers, numbers
too large for any column (2**63, 10**30, a thousand nines), a NUL character and strings of
100,000 characters, in path ids, in every query parameter a page reads (its filter form's
fields and the usual ``q``, ``page``, ``cursor``, ``sort``, ``year`` ...) and in every field
of every form.

Pages and forms are found from the URL resolver and the pages' own HTML, so that a new
page or a new field is tested without a new row here. PostgreSQL is where most of these
bugs live (an integer beyond ``bigint`` or a NUL is a database error there, not an empty
result): run this module on it too (see the brief in docs/security.md).
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.support import (
    HUGE_INTS,
    KWARGS,
    LONG,
    changed_models,
    fingerprint,
    forms_of,
    portal_routes,
    post_forms,
    read,
    url_of,
)

NUL = "1\x00"
QUERY_VALUES = ["abc", "-1", *HUGE_INTS, "9" * 1000, NUL, "2026-13-45"]
# Parameters every list may be sent, whether or not its filter form shows them.
COMMON_PARAMETERS = [
    "q",
    "page",
    "cursor",
    "sort",
    "year",
    "month",
    "community",
    "section",
    "building",
    "unit",
    "campaign",
    "status",
    "kind",
    "tag",
    "level",
    "period",
    "from",
    "to",
]


def attempt(client, method, url, data=None) -> str | int:
    """The status of one request, or the exception it raised (the test client re-raises
    what the view raised). Each request runs in a savepoint, so that a database error
    leaves the connection usable for the next one."""
    try:
        with transaction.atomic():
            response = client.get(url, data) if method == "GET" else client.post(url, data)
            if response.streaming:
                b"".join(response.streaming_content)
    except Exception as exc:  # noqa: BLE001  (every exception is the finding)
        return f"{type(exc).__name__}: {str(exc)[:160]}"
    return response.status_code


def _failed(result) -> bool:
    return isinstance(result, str) or result >= 500


def _short(value: str) -> str:
    return value if len(value) <= 24 else f"{value[:12]}…({len(value)} chars)"


# Path ids


ID_ROUTES = [
    route for route in portal_routes() if any(kind == "IntConverter" for kind in route.converters)
]


@pytest.mark.parametrize("route", ID_ROUTES, ids=[route.name for route in ID_ROUTES])
def test_huge_path_ids_are_not_found(exhibit_world, route):
    world = exhibit_world
    client = Client()
    client.force_login(world.superuser)
    kwargs = KWARGS[route.name](world)
    failures = []
    for argument, kind in zip(route.arguments, route.converters, strict=True):
        if kind != "IntConverter":
            continue
        for value in [*HUGE_INTS, "9" * 1000]:
            url = reverse(route.name, kwargs=kwargs | {argument: 1}).replace("/1/", f"/{value}/", 1)
            for method in ("GET", "POST"):
                result = attempt(client, method, url, {"note": "x"})
                if _failed(result) or result not in {403, 404, 405}:
                    failures.append(f"{method} {_short(url)}: {result}")
    assert not failures, "\n".join(failures)


# Query parameters


GET_PAGES = sorted({route.name for route in portal_routes()} - {"logout", "set_language"})


def _query_parameters(html: str) -> dict[str, str]:
    """The fields of the page's GET forms (its filters) and their kinds."""
    fields = {}
    for form in forms_of(html):
        if form.method == "get":
            fields |= {item.name: item.kind for item in form.fields}
    return fields


@pytest.mark.parametrize("name", GET_PAGES)
def test_hostile_query_parameters(exhibit_world, name):
    """Every parameter at once with each hostile value, then the page's own filters one
    by one (100,000 characters in its search boxes and in ``q``), as a superuser and as
    side A's secretary (whose choices are narrowed)."""
    world = exhibit_world
    url = url_of(name, world)
    failures = []
    for role in (world.superuser, world.a.secretary):
        client = Client()
        client.force_login(role)
        first = client.get(url)
        body = read(first)
        html = body if first.get("Content-Type", "").startswith("text/html") else ""
        own = _query_parameters(html)
        if role != world.superuser and not own:
            continue  # no choices to narrow: the superuser's requests were the same
        before = fingerprint(reads_logged=True)
        requests = [dict.fromkeys([*COMMON_PARAMETERS, *own], value) for value in QUERY_VALUES]
        requests.append({"q": LONG})
        for parameter, kind in own.items():
            values = [*QUERY_VALUES, LONG] if kind in {"text", "search"} else QUERY_VALUES
            requests += [{parameter: value} for value in values]
        for data in requests:
            result = attempt(client, "GET", url, data)
            if _failed(result):
                shown = ", ".join(sorted(data)) if len(data) > 1 else next(iter(data))
                value = _short(next(iter(data.values())))
                failures.append(f"{role} GET {url} {shown}={value!r}: {result}")
        changed = changed_models(before, fingerprint(reads_logged=True))
        assert not changed, f"GET {url} with hostile parameters changed {changed}"
    assert not failures, "\n".join(failures)


# Forms


def _writer_forms(client, url):
    response = client.get(url)
    body = read(response)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    return post_forms(body, url)


# Values for a field that holds an id, a choice, a number or a date.
CHOICE_VALUES = ["abc", "-1", *HUGE_INTS, "9" * 1000, NUL, LONG]
# Values for a field of free text.
TEXT_VALUES = [LONG, NUL]
SKIPPED = {"csrfmiddlewaretoken"}


def _hostile_values(item) -> list[str]:
    if item.kind in {"submit", "button", "reset", "image", "file"} or item.name in SKIPPED:
        return []
    if item.kind in {"checkbox", "radio"} and item.options == ["on"]:
        return []  # a tick box: any value is a tick
    if item.kind in {"text", "textarea", "search"}:
        return TEXT_VALUES
    return CHOICE_VALUES


FORM_PAGES = sorted(
    {route.name for route in portal_routes()} - {"logout", "set_language", "login", "healthz"}
)


@pytest.mark.parametrize("name", FORM_PAGES)
def test_hostile_form_fields(exhibit_world, name):
    """Each field of each POST form of the page, one at a time, as a superuser: no 500,
    and nothing written (the form comes back with an error, or the POST is refused)."""
    world = exhibit_world
    url = url_of(name, world)
    client = Client()
    client.force_login(world.superuser)
    forms = _writer_forms(client, url)
    if not forms:
        pytest.skip(f"{name}: no form on the page")
    failures = []
    before = fingerprint(reads_logged=True)
    for form in forms:
        data = form.data()
        for item in form.fields:
            for value in _hostile_values(item):
                result = attempt(client, "POST", url, data | {item.name: value})
                if _failed(result) or result not in {200, 400, 403, 404, 405, 302}:
                    failures.append(f"POST {url} {item.name}={_short(value)!r}: {result}")
            changed = changed_models(before, fingerprint(reads_logged=True))
            assert not changed, f"hostile values of {item.name} to {url} saved {changed}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ["login", "admin:login"])
def test_login_form_with_hostile_values(client, world, name):
    url = reverse(name)
    failures = []
    for value in [LONG, NUL, *HUGE_INTS]:
        for field in ("username", "password"):
            data = {"username": "root", "password": "x"} | {field: value}
            result = attempt(client, "POST", url, data)
            if result not in {200, 429}:  # the form again, or locked out after 5 failures
                failures.append(f"POST {url} {field}={_short(value)!r}: {result}")
    assert not failures, "\n".join(failures)
