"""Login throttling, no account enumeration, session expiry, password rules and changes."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from communities.models import Membership
from corridor_portal.login import REFRESHED_AT, client_ip
from tests.factories import DEFAULT_PASSWORD

LIMIT = 5
LOCKOUT_MINUTES = 15
NEW_PASSWORD = "Lantern-Courtyard-2031"


@pytest.fixture(autouse=True)
def _throttling(settings):
    """Throttling on, with the documented defaults, whatever the environment says."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
    settings.BEHIND_PROXY = 0


@pytest.fixture
def en_client(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _login(client, username, password, ip="198.51.100.1", **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def _fail(client, username, times, ip="198.51.100.1", **extra):
    for _ in range(times):
        response = _login(client, username, "wrong-password", ip=ip, **extra)
        assert response.status_code in {200, 429}


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


def _lockout_text(language: str) -> str:
    with translation.override(language):
        return gettext("Too many failed logins for this username or from this network.")


def _try_again_text(language: str) -> str:
    with translation.override(language):
        return ngettext(
            "Please try again in %(minutes)s minute.",
            "Please try again in %(minutes)s minutes.",
            LOCKOUT_MINUTES,
        ) % {"minutes": LOCKOUT_MINUTES}


def _alert(response, kind: str) -> str:
    content = response.content.decode()
    start = content.index(f'<div class="alert alert-{kind}"')
    return content[start : content.index("</div>", start)]


def _login_error(response) -> str:
    return _alert(response, "danger")


# Throttling ---------------------------------------------------------------------------


def test_login_failures_for_one_username_lock_it_even_with_right_password(client, world):
    username = world.a.secretary.username
    for i in range(LIMIT):  # every failure from a different address: only the name counts
        _login(client, username, "wrong-password", ip=f"198.51.100.{10 + i}")

    response = _login(client, username, DEFAULT_PASSWORD, ip="203.0.113.50")

    content = response.content.decode()
    assert response.status_code == 429
    assert not _logged_in(client)
    assert 'lang="zh-hans"' in content
    assert _lockout_text("zh-hans") in content
    assert _try_again_text("zh-hans") in content


def test_login_lockout_page_english_names_the_wait(en_client, world):
    _fail(en_client, world.a.secretary.username, LIMIT)

    response = _login(en_client, world.a.secretary.username, DEFAULT_PASSWORD)

    content = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed logins for this username or from this network." in content
    assert "Please try again in 15 minutes." in content


def test_login_lockout_without_cool_off_asks_for_the_administrator(en_client, settings, world):
    settings.AXES_COOLOFF_TIME = None
    _fail(en_client, world.a.secretary.username, LIMIT)

    response = _login(en_client, world.a.secretary.username, DEFAULT_PASSWORD)

    content = response.content.decode()
    assert response.status_code == 429
    assert "Please ask the portal administrator to unblock it." in content
    assert "Please try again" not in content


def test_login_failures_from_one_address_lock_it_across_usernames(client, world):
    for i in range(LIMIT):
        _login(client, f"guess-{i}", "wrong-password", ip="198.51.100.7")

    refused = _login(client, world.a.head.username, DEFAULT_PASSWORD, ip="198.51.100.7")
    other_address = _login(Client(), world.a.head.username, DEFAULT_PASSWORD, ip="198.51.100.8")

    assert refused.status_code == 429
    assert not _logged_in(client)
    assert other_address.status_code == 302


def test_login_below_limit_still_logs_in(client, world):
    _fail(client, world.a.secretary.username, LIMIT - 1)

    response = _login(client, world.a.secretary.username, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_login_success_resets_the_username_failures(client, world):
    username = world.a.secretary.username
    _fail(client, username, LIMIT - 1)
    assert _login(client, username, DEFAULT_PASSWORD).status_code == 302
    client.post(reverse("logout"))

    _fail(client, username, LIMIT - 1)
    response = _login(client, username, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_login_success_keeps_failures_against_other_usernames(client, world):
    attacker = "198.51.100.66"
    _fail(client, world.b.secretary.username, LIMIT - 1, ip=attacker)
    assert _login(Client(), world.a.head.username, DEFAULT_PASSWORD, ip=attacker).status_code == 302

    _fail(client, world.b.secretary.username, 1, ip=attacker)
    response = _login(client, world.b.secretary.username, DEFAULT_PASSWORD, ip=attacker)

    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username=world.b.secretary.username).exists()


def test_login_lockout_expires_after_cool_off(client, world):
    username = world.a.secretary.username
    _fail(client, username, LIMIT)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=LOCKOUT_MINUTES, seconds=1)
    )

    response = _login(client, username, DEFAULT_PASSWORD)

    assert response.status_code == 302


def test_admin_login_is_throttled_too(client, world):
    url = reverse("admin:login")
    for _ in range(LIMIT):
        client.post(url, {"username": "root", "password": "wrong"}, REMOTE_ADDR="198.51.100.3")

    response = client.post(
        url, {"username": "root", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="198.51.100.3"
    )

    assert response.status_code == 429
    assert not _logged_in(client)


def test_server_side_authenticate_without_request_is_not_throttled(world):
    from django.contrib.auth import authenticate

    user = authenticate(username=world.a.secretary.username, password=DEFAULT_PASSWORD)

    assert user == world.a.secretary


# The client's address ------------------------------------------------------------------


def test_login_forwarded_for_ignored_without_proxy(client, world):
    for i in range(LIMIT):  # a new forged address per guess, all from one real address
        _login(client, f"guess-{i}", "wrong", ip="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.9.0.{i}")

    response = _login(
        client,
        world.a.head.username,
        DEFAULT_PASSWORD,
        ip="198.51.100.9",
        HTTP_X_FORWARDED_FOR="10.9.0.200",
    )

    assert response.status_code == 429


def test_login_behind_proxy_counts_the_forwarded_address(client, settings, world):
    settings.BEHIND_PROXY = 1
    proxy = "10.0.0.2"
    for i in range(LIMIT):  # the client forges the left part; the proxy appends the real one
        _login(
            client,
            f"guess-{i}",
            "wrong",
            ip=proxy,
            HTTP_X_FORWARDED_FOR=f"10.9.0.{i}, 203.0.113.7",
        )

    refused = _login(
        client,
        world.a.head.username,
        DEFAULT_PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    neighbour = _login(
        Client(),
        world.a.head.username,
        DEFAULT_PASSWORD,
        ip=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert refused.status_code == 429
    assert neighbour.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (2, "203.0.113.7", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_from_proxy_setting(rf, settings, proxies, forwarded, expected):
    settings.BEHIND_PROXY = proxies
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


# No account enumeration -----------------------------------------------------------------


def test_login_unknown_user_and_wrong_password_get_the_same_answer(client, world):
    unknown = _login(client, "nobody-here", "wrong-password", ip="198.51.100.21")
    wrong = _login(client, world.a.secretary.username, "wrong-password", ip="198.51.100.22")

    assert unknown.status_code == wrong.status_code == 200
    assert _login_error(unknown) == _login_error(wrong)


def test_login_inactive_user_gets_the_same_answer(client, world):
    world.a.head.is_active = False
    world.a.head.save(update_fields=["is_active"])

    inactive = _login(client, world.a.head.username, DEFAULT_PASSWORD, ip="198.51.100.23")
    unknown = _login(client, "nobody-here", DEFAULT_PASSWORD, ip="198.51.100.24")

    assert inactive.status_code == unknown.status_code == 200
    assert _login_error(inactive) == _login_error(unknown)


def test_login_unknown_username_locks_like_an_existing_one(client, world):
    for username in ("nobody-here", world.a.secretary.username):
        for i in range(LIMIT):
            _login(client, username, "wrong-password", ip=f"198.51.{len(username)}.{i}")

    unknown = _login(client, "nobody-here", "whatever", ip="203.0.113.90")
    existing = _login(client, world.a.secretary.username, DEFAULT_PASSWORD, ip="203.0.113.91")

    assert unknown.status_code == existing.status_code == 429
    assert _alert(unknown, "warning") == _alert(existing, "warning")


def test_login_page_points_to_the_administrator_not_a_reset_form(client, db):
    with translation.override("zh-hans"):
        hint = gettext(
            "Forgotten your password? The portal administrator can set a new one for you."
        )

    content = client.get(reverse("login")).content.decode()

    assert hint in content
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")


# The admin of login records and of passwords ---------------------------------------------


def test_axes_records_hidden_from_staff_without_permission(client, staff_world):
    client.force_login(staff_world.a.secretary)

    index = client.get(reverse("admin:index"))
    attempts = client.get(reverse("admin:axes_accessattempt_changelist"))

    apps = {app["app_label"] for app in index.context["app_list"]}
    assert "axes" not in apps
    assert attempts.status_code == 403


def test_axes_records_shown_to_superuser(client, world):
    _fail(Client(), "nobody-here", 1)
    client.force_login(world.superuser)

    response = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert "nobody-here" in response.content.decode()


def test_admin_password_reset_refused_to_staff_secretary(client, staff_world):
    client.force_login(staff_world.a.secretary)
    url = reverse("admin:auth_user_password_change", args=[staff_world.a.head.pk])

    page = client.get(url)
    post = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    staff_world.a.head.refresh_from_db()
    assert page.status_code == post.status_code == 403
    assert staff_world.a.head.check_password(DEFAULT_PASSWORD)


def test_admin_password_reset_by_superuser_ends_the_user_sessions(client, world):
    user_client = Client()
    user_client.force_login(world.a.head)
    client.force_login(world.superuser)
    url = reverse("admin:auth_user_password_change", args=[world.a.head.pk])

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    world.a.head.refresh_from_db()
    assert response.status_code == 302
    assert world.a.head.check_password(NEW_PASSWORD)
    assert user_client.get(reverse("buildings:resident_list")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


# Sessions --------------------------------------------------------------------------------


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_login_cookie_lasts_the_idle_age(client, world):
    response = _login(client, world.a.secretary.username, DEFAULT_PASSWORD)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == django_settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


def test_session_request_after_refresh_interval_pushes_expiry_forward(client, world):
    client.force_login(world.a.secretary)
    session = client.session
    session[REFRESHED_AT] -= django_settings.SESSION_REFRESH_SECONDS + 1
    session.save()
    earlier = timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE - 600)
    Session.objects.filter(session_key=session.session_key).update(expire_date=earlier)

    response = client.get(reverse("buildings:resident_list"))

    expected = timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    assert response.status_code == 200
    assert abs(_session_row(client).expire_date - expected) < timedelta(seconds=30)
    assert django_settings.SESSION_COOKIE_NAME in response.cookies


def test_session_request_within_refresh_interval_writes_nothing(client, world):
    client.force_login(world.a.secretary)
    client.get(reverse("buildings:resident_list"))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("buildings:resident_list"))

    writes = [q["sql"] for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert response.status_code == 200
    assert writes == []
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_session_idle_longer_than_age_is_logged_out(client, world):
    client.force_login(world.a.secretary)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("buildings:resident_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_session_anonymous_request_is_not_saved(client, db):
    client.get(reverse("login"))

    assert not Session.objects.exists()


# Passwords -------------------------------------------------------------------------------


def _change_password(client, new_password, old_password=DEFAULT_PASSWORD):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old_password,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )


def test_password_change_ends_other_sessions_keeps_this_one(client, world):
    other = Client()
    other.force_login(world.a.secretary)
    client.force_login(world.a.secretary)

    response = _change_password(client, NEW_PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("buildings:resident_list")).status_code == 200
    after = other.get(reverse("buildings:resident_list"))
    assert after.status_code == 302
    assert after.url.startswith(reverse("login"))


def test_password_change_short_password_refused_in_chinese(client, world):
    client.force_login(world.a.secretary)

    response = _change_password(client, "x7Kq!zP")

    world.a.secretary.refresh_from_db()
    assert response.status_code == 200
    assert "密码长度太短。密码必须包含至少 10 个字符。" in response.content.decode()
    assert world.a.secretary.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("kind", ["numeric", "common", "like_username"])
def test_password_change_weak_password_refused(client, world, kind):
    user = world.a.secretary
    password = {
        "numeric": "3141592653589",
        "common": "password123",
        "like_username": user.username,
    }[kind]
    client.force_login(user)

    response = _change_password(client, password)

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.check_password(DEFAULT_PASSWORD)


# Memberships take effect on the next request ---------------------------------------------


def test_membership_revoked_takes_effect_on_next_request(client, world):
    client.force_login(world.a.secretary)
    url = reverse("portal:community_detail", kwargs={"pk": world.a.community.pk})
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=world.a.secretary).update(is_active=False)
    response = client.get(url)

    assert response.status_code == 404


def test_membership_role_changed_takes_effect_on_next_request(client, world):
    client.force_login(world.a.secretary)
    url = reverse("communities:community_update", kwargs={"pk": world.a.community.pk})
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=world.a.secretary).update(role=Membership.Role.HEAD)
    response = client.get(url)

    assert response.status_code == 403


def test_user_deactivated_is_logged_out_on_next_request(client, world):
    client.force_login(world.a.secretary)
    assert client.get(reverse("buildings:resident_list")).status_code == 200

    world.a.secretary.is_active = False
    world.a.secretary.save(update_fields=["is_active"])
    response = client.get(reverse("buildings:resident_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Production cookies ----------------------------------------------------------------------


COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_PATH",
)


def _settings_from(env_overrides: dict, names) -> dict:
    """Settings as a fresh process computes them from its environment."""
    code = (
        "import json, sys, corridor_portal.settings as s; "
        "from django.conf import global_settings as g; "
        "print(json.dumps({n: getattr(s if hasattr(s, n) else g, n) for n in sys.argv[1:]}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SESSION_", "CSRF_", "LOGIN_")) and key != "DEBUG"
    }
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=Path(django_settings.BASE_DIR),
        env=env | env_overrides,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_prefixed_and_secure():
    production = {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60}

    values = _settings_from(production, COOKIE_SETTINGS)

    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_PATH": "/",
    }


def test_development_cookies_keep_plain_names():
    values = _settings_from({"DJANGO_ENV": "development"}, COOKIE_SETTINGS[:2])

    assert values == {"SESSION_COOKIE_NAME": "sessionid", "CSRF_COOKIE_NAME": "csrftoken"}


def test_session_and_lockout_defaults_and_environment():
    names = (
        "SESSION_COOKIE_AGE",
        "SESSION_REFRESH_SECONDS",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_SAVE_EVERY_REQUEST",
        "AXES_FAILURE_LIMIT",
        "BEHIND_PROXY",
    )

    defaults = _settings_from({}, names)
    configured = _settings_from(
        {
            "SESSION_IDLE_MINUTES": "30",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE": "1",
            "LOGIN_FAILURE_LIMIT": "8",
            "BEHIND_PROXY": "2",
        },
        names,
    )
    proxied = _settings_from({"TRUST_X_FORWARDED_PROTO": "1"}, ("BEHIND_PROXY",))

    assert defaults == {
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SESSION_REFRESH_SECONDS": 300,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "AXES_FAILURE_LIMIT": 5,
        "BEHIND_PROXY": 0,
    }
    assert configured == {
        "SESSION_COOKIE_AGE": 30 * 60,
        "SESSION_REFRESH_SECONDS": 180,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_SAVE_EVERY_REQUEST": False,
        "AXES_FAILURE_LIMIT": 8,
        "BEHIND_PROXY": 2,
    }
    assert proxied == {"BEHIND_PROXY": 1}


def test_host_prefixed_session_cookie_sent_with_secure_and_root_path(client, settings, world):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.SESSION_COOKIE_SECURE = True

    response = client.post(
        reverse("login"),
        {"username": world.a.secretary.username, "password": DEFAULT_PASSWORD},
        secure=True,
    )

    cookie = response.cookies["__Host-sessionid"]
    assert response.status_code == 302
    assert cookie["secure"]
    assert cookie["path"] == "/"
    assert not cookie["domain"]
