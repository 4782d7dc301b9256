"""Another community's ids: every URL that carries the id of a record of community A,
requested and POSTed to by the secretary, the cadre and the building head of community B
and by an official of another district.

"No access" must look exactly like "does not exist" (the same answer as for an id that
no row has), be a refusal (404, or 403/405 where the page refuses the role or the method
before it reads any record), show none of A's data, and a forged POST must change nothing.
"""

import pytest
from django.urls import reverse

from tests.security.support import (
    KWARGS,
    changed_models,
    fingerprint,
    object_urls,
    outsiders,
    post_forms,
    read,
    url_of,
)

MISSING_ID = 987_654_321

# What a POST-only URL is sent: what the form on its record's page sends.
POST_DATA = {
    "exhibits:corridor_certify": lambda w: {"note": "伪造"},
    "exhibits:corridor_withdraw": lambda w: {"note": "伪造"},
    "exhibits:exhibit_transition": lambda w: {"note": "伪造"},
    "buildings:roster_import_confirm": lambda w: {"token": "0" * 32},
    "buildings:donation_import_confirm": lambda w: {"token": "0" * 32},
    "buildings:donation_reverse": lambda w: {"reason": "伪造的冲销"},
    "buildings:expense_reverse": lambda w: {"reason": "伪造的冲销"},
    "buildings:shift_mark": lambda w: {"status": "done", "note": ""},
    "engagement:poll_close": lambda w: {"confirm": "yes"},
}

# What an empty field of a harvested form is filled with, by input type.
FILL = {
    "number": "1",
    "date": "2026-05-01",
    "text": "伪造",
    "textarea": "伪造的内容",
    "tel": "13900000000",
}


def _plausible(form) -> dict:
    data = form.data()
    for item in form.fields:
        if item.kind in FILL and not data.get(item.name, [""])[0]:
            data[item.name] = [FILL[item.kind]]
        if item.kind == "select" and not data.get(item.name, [""])[0]:
            chosen = next((value for value, _ticked in item.options if value), "")
            data[item.name] = [chosen]
    return data


def forged_data(client, world, name, url) -> dict:
    """What the page's own form would send (as a superuser sees it, empty fields filled
    in), or what the POST-only URL's form on its record's page sends."""
    if name in POST_DATA:
        return POST_DATA[name](world)
    client.force_login(world.superuser)
    response = client.get(url)
    if response.status_code != 200:
        return {"note": "伪造"}
    forms = post_forms(read(response), url)
    client.logout()
    return _plausible(forms[0]) if forms else {"note": "伪造"}


def _missing(name, world) -> str:
    kwargs = KWARGS[name](world)
    return reverse(
        name, kwargs={k: MISSING_ID if isinstance(v, int) else v for k, v in kwargs.items()}
    )


def _answer(client, method, url, data=None):
    response = client.post(url, data) if method == "POST" else client.get(url)
    return response.status_code, read(response)


@pytest.mark.parametrize("name", object_urls())
def test_other_community_cannot_read_or_write(client, exhibit_world, name):
    world = exhibit_world
    url = url_of(name, world)
    missing = _missing(name, world)
    data = forged_data(client, world, name, url)
    secrets = [world.a.community.name, world.a.resident.name]
    people = outsiders(world)
    before = fingerprint()

    for role, user in people.items():
        client.force_login(user)
        for method in ("GET", "POST"):
            status, body = _answer(client, method, url, data)
            missing_status, _body = _answer(client, method, missing, data)

            assert status in {403, 404, 405}, f"{role} {method} {url}: {status}"
            assert status == missing_status, (
                f"{role} {method} {url}: {status}, but {missing_status} for an id no row has"
            )
            leaked = [secret for secret in secrets if secret in body]
            assert not leaked, f"{role} {method} {url} shows {leaked}"
        client.logout()

    changed = changed_models(before, fingerprint())
    assert not changed, f"forged POSTs to {url} changed {changed}"
