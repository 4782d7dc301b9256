"""Error pages: 400, 403, 404, 500 and a refused form, in Chinese, with no traceback.

The tests use this module as the URL configuration: the portal's own URLs plus three that
fail on purpose.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views.defaults import server_error

from corridor_portal.urls import urlpatterns as portal_urlpatterns


def _boom(request):
    raise RuntimeError("secret internals 0xdeadbeef")


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("forged input")


urlpatterns = [
    path("test-errors/boom/", _boom),
    path("test-errors/forbidden/", _forbidden),
    path("test-errors/suspicious/", _suspicious),
    *portal_urlpatterns,
]

pytestmark = pytest.mark.urls(__name__)

LEAKS = ("Traceback", "secret internals", "0xdeadbeef", "RuntimeError", "settings.py")


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _text(response) -> str:
    return response.content.decode()


def _assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text


def test_error_page_404_in_chinese(client, db):
    response = client.get("/no-such-page/")

    text = _text(response)
    assert response.status_code == 404
    assert 'lang="zh-hans"' in text
    assert "页面不存在" in text
    assert "返回首页" in text
    assert "Content-Security-Policy" in response.headers
    _assert_no_leak(text)


def test_error_page_403_in_chinese(client, world):
    client.force_login(world.a.head)

    response = client.get("/test-errors/forbidden/")

    text = _text(response)
    assert response.status_code == 403
    assert 'lang="zh-hans"' in text
    assert "无权操作" in text
    _assert_no_leak(text)


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("/test-errors/suspicious/", {}),
        ("/", {"HTTP_HOST": "attacker.example"}),
    ],
    ids=["suspicious_operation", "unknown_host"],
)
def test_error_page_400_in_chinese(client, db, url, extra):
    response = client.get(url, **extra)

    text = _text(response)
    assert response.status_code == 400
    assert "请求无效" in text
    assert "forged input" not in text
    _assert_no_leak(text)


def test_error_page_500_in_chinese_without_traceback(client, db):
    client.raise_request_exception = False

    response = client.get("/test-errors/boom/")

    text = _text(response)
    assert response.status_code == 500
    assert "服务器错误" in text
    assert "Content-Security-Policy" in response.headers
    _assert_no_leak(text)


def test_error_page_500_renders_without_database_or_context():
    # No db fixture: any query would raise here.
    response = server_error(RequestFactory().get("/"))

    text = _text(response)
    assert response.status_code == 500
    assert "服务器错误" in text
    assert "{%" not in text and "{{" not in text


def test_error_page_500_has_no_inline_script_or_style():
    text = _text(server_error(RequestFactory().get("/")))

    assert "<script" not in text
    assert "<style" not in text
    assert "style=" not in text


def test_csrf_failure_page_asks_to_reload_the_form(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.secretary)

    response = client.post(reverse("logout"))

    text = _text(response)
    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    assert 'lang="zh-hans"' in text
    assert "返回首页" in text
    _assert_no_leak(text)
    assert "_auth_user_id" in client.session  # the refused logout did nothing


def test_csrf_failure_page_in_english_says_reload(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.a.secretary)

    response = client.post(reverse("logout"))

    text = _text(response)
    assert response.status_code == 403
    assert "Go back, reload the page and fill in the form again." in text
    assert "CSRF verification failed" not in text
