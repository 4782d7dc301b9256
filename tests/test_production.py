"""Production settings: `check --deploy` is clean, every response carries the security
headers and the Content-Security-Policy, static files get hashed names, photos are never
served as anything but images.

The production values are read from the real settings module in a subprocess with
DJANGO_ENV=production, then applied here with the ``settings`` fixture, so the header
tests exercise what a deployment gets rather than values copied into the test.
"""

import json
import os
import secrets
import subprocess
import sys
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from PIL import Image

from exhibits import services
from exhibits.models import Exhibit, ExhibitPhoto
from tests import factories

BASE_DIR = django_settings.BASE_DIR
HOST = "portal.example.org"
# Variables of the developer's shell that would change what the subprocess sees.
SCRUBBED = (
    "DEBUG",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUST_X_FORWARDED_PROTO",
    "ALLOWED_HOSTS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
)
SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
)
DUMP = """
import json
import django
django.setup()
from django.conf import settings
names = {names!r}
values = {{name: getattr(settings, name, None) for name in names}}
values["MIDDLEWARE"] = settings.MIDDLEWARE
values["STATICFILES_BACKEND"] = settings.STORAGES["staticfiles"]["BACKEND"]
print(json.dumps(values))
"""
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _production_env(tmp_path, **extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="corridor_portal.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    env.update(extra)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _dump(tmp_path, **extra) -> dict:
    code = DUMP.format(names=SECURITY_SETTINGS)
    result = _run(["-c", code], _production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """The security settings of DJANGO_ENV=production with no other variable set."""
    return _dump(tmp_path_factory.mktemp("production"))


def _apply(settings, values: dict) -> None:
    for name in SECURITY_SETTINGS:
        value = values[name]
        if name == "SECURE_PROXY_SSL_HEADER" and value is not None:
            value = tuple(value)
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = [HOST]


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {parts[0]: parts[1] if len(parts) > 1 else "" for parts in directives}


# manage.py check --deploy


def test_check_deploy_production_reports_no_issues(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_production_without_secret_key_refused(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _run(["manage.py", "check", "--deploy"], env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_check_deploy_production_with_debug_refused(tmp_path):
    result = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path, DEBUG="1"))

    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


# The production values


def test_production_settings_secure_by_default(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert "csp.middleware.CSPMiddleware" in production["MIDDLEWARE"]
    assert production["STATICFILES_BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_production_settings_behind_proxy_switches(tmp_path):
    values = _dump(
        tmp_path,
        TRUST_X_FORWARDED_PROTO="1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="0",
    )

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


def test_development_settings_keep_plain_http_working():
    # The test run uses the development defaults: no redirect, no HSTS, cookies over HTTP.
    assert django_settings.SECURE_SSL_REDIRECT is False
    assert django_settings.SECURE_HSTS_SECONDS == 0
    assert django_settings.SESSION_COOKIE_SECURE is False
    assert django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]


# Headers on responses


def test_headers_production_response_carries_every_security_header(
    client, db, settings, production
):
    _apply(settings, production)

    response = client.get(reverse("login"), secure=True, HTTP_HOST=HOST)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == production["SECURE_REFERRER_POLICY"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert _csp(response) == EXPECTED_CSP


def test_headers_production_cookies_secure_and_httponly(client, db, settings, production):
    _apply(settings, production)

    response = client.get(reverse("login"), secure=True, HTTP_HOST=HOST)

    csrf_cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"] is True
    assert csrf_cookie["httponly"] is True


def test_headers_production_plain_http_redirected_to_https(client, db, settings, production):
    _apply(settings, production)

    response = client.get(reverse("login"), HTTP_HOST=HOST)

    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}{reverse('login')}"


def test_headers_production_health_probe_not_redirected(client, db, settings, production):
    _apply(settings, production)

    response = client.get(reverse("healthz"), HTTP_HOST=HOST)

    assert response.status_code == 200


def test_headers_production_forwarded_proto_trusted_when_switched_on(
    client, db, settings, tmp_path
):
    _apply(settings, _dump(tmp_path, TRUST_X_FORWARDED_PROTO="1"))

    response = client.get(reverse("login"), HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_headers_development_pages_carry_the_same_policy(client, world):
    client.force_login(world.official)

    response = client.get(reverse("dashboard:district"))

    assert response.status_code == 200
    assert _csp(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"


# Static files: hashed names through whitenoise


def test_static_production_storage_serves_hashed_names(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    url = Template("{% load static %}{% static 'css/portal.css' %}").render(Context())
    response = Client().get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content

    assert url.startswith("/static/css/portal.") and url.endswith(".css")
    assert url != "/static/css/portal.css"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert body == (BASE_DIR / "static" / "css" / "portal.css").read_bytes()


# Photos: only ever images, with their own safe headers


def _jpeg_with_html_appended() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def test_photo_upload_html_disguised_as_jpeg_served_as_clean_image(client, world):
    client.force_login(world.a.secretary)
    corridor = services.corridor_create(unit=world.a.unit, theme="老年之友", by=world.a.secretary)
    upload = SimpleUploadedFile(
        "<b>page</b>.html.jpg", _jpeg_with_html_appended(), content_type="text/html"
    )
    client.post(
        reverse("exhibits:exhibit_create", args=[corridor.pk]),
        {
            "kind": "calligraphy",
            "title": "厚德载物",
            "creator_name": "老年大学学员",
            "floor": "3",
            "photos": [upload],
        },
    )
    photo = ExhibitPhoto.objects.get(exhibit__title="厚德载物")

    response = client.get(reverse("exhibits:photo", args=[photo.pk, "full"]))
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="')
    assert disposition.endswith('.jpg"')
    assert "<" not in disposition and "html" not in disposition
    assert b"<script" not in body and b"<html" not in body
    assert Image.open(BytesIO(body)).format == "JPEG"
    assert "Content-Security-Policy" in response


def test_photo_upload_html_file_refused_and_nothing_stored(client, world):
    client.force_login(world.a.secretary)
    corridor = services.corridor_create(unit=world.a.unit, theme="老年之友", by=world.a.secretary)
    upload = SimpleUploadedFile(
        "gallery.html", b"<!DOCTYPE html><script>alert(1)</script>", content_type="text/html"
    )

    response = client.post(
        reverse("exhibits:exhibit_create", args=[corridor.pk]),
        {
            "kind": "calligraphy",
            "title": "厚德载物",
            "creator_name": "老年大学学员",
            "floor": "3",
            "photos": [factories.image_upload("good.jpg"), upload],
        },
    )

    assert response.status_code == 200
    assert "gallery.html" in " ".join(response.context["form"].errors["photos"])
    assert not Exhibit.objects.filter(title="厚德载物").exists()
    assert not ExhibitPhoto.objects.exists()
