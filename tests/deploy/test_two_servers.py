"""Two stateless app servers (gunicorn, production settings) on two ports, one PostgreSQL,
Redis as their shared cache and session store: what nginx in front of them relies on.

A browser logs in through A and keeps its cookies when nginx sends it to B; both show the
same data; a write through A shows on B's pages, and what A removes from the cache is
gone for B too.
"""

from datetime import date

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.models import Session

from buildings import services as fund_services
from tests.deploy import servers
from tests.deploy.conftest import HOST, database_url, production_env, requires_postgresql

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

PASSWORD = "deploy-test-password-1"
SESSION_COOKIE = "__Host-sessionid"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Hashed, compressed static files as `collectstatic` writes them for production."""
    root = tmp_path_factory.mktemp("static")
    servers.manage(production_env(STATIC_ROOT=str(root)), "collectstatic", "--noinput")
    return root


@pytest.fixture
def app_servers(shared_redis, static_root, tmp_path):
    redis_url, _client = shared_redis
    env = production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX="deploy-test",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    started = []
    try:
        for name in ("a", "b"):
            started.append(servers.Gunicorn(env, tmp_path, workers=1, name=name).start())
        yield started
    finally:
        for server in started:
            server.stop()


def _set_password(user) -> None:
    # Tests hash with MD5 for speed; the servers only accept their own hashers.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])


def _session_key(client) -> str:
    return client.cookies[SESSION_COOKIE]


def test_two_app_servers_share_sessions_data_and_cache(app_servers, world, shared_redis):
    server_a, server_b = app_servers
    _redis_url, redis = shared_redis
    _set_password(world.a.secretary)
    fund = fund_services.fund_create(
        building=world.a.building,
        data={"purpose": "楼馨园", "opened_on": date.today()},
        by=world.a.secretary,
    )
    # One browser; nginx sends each of its requests to either server.
    a = servers.WebClient(server_a.port, host=HOST, forwarded_proto="https")
    b = a.on(server_b.port)

    # Logged in through A, logged in on B.
    before_login = b.get("/communities/")
    a.login(world.a.secretary.username, PASSWORD)
    on_b = b.get("/communities/")

    assert before_login.status == 302 and "/accounts/login/" in before_login.header("Location")
    assert on_b.status == 200, on_b.text[:500]
    assert world.a.community.name in on_b.text
    assert world.b.community.name not in on_b.text
    # The session is in Redis, under the deployment's prefix, for both servers to read.
    assert redis.exists(f"deploy-test:1:django.contrib.sessions.cached_db{_session_key(a)}")

    # Same data on both; a donation recorded through A shows on B's dashboard.
    before_b = servers.headline_money_raised(b.get("/dashboard/").text)
    before_a = servers.headline_money_raised(a.get("/dashboard/").text)
    recorded = a.submit(
        f"/buildings/funds/{fund.pk}/donations/new/",
        {
            "kind": "money",
            "donor_household": str(world.a.household.pk),
            "donor_resident": "",
            "donor_name": "",
            "raised_by": "",
            "amount": "570.00",
            "description": "",
            "date": date.today().isoformat(),
            "receipt_no": "QF-570",
        },
    )
    after_b = servers.headline_money_raised(b.get("/dashboard/").text)

    assert recorded.status == 302, recorded.text[:2000]
    assert fund.donations.count() == 1
    assert before_a == before_b == "0.00"
    assert after_b == "570.00"

    # With the database's copy of the session gone, B can only know it from the cache
    # entry A wrote (A saved the refreshed expiry on its first page after the login).
    Session.objects.all().delete()
    from_cache = b.get("/communities/")
    # A logs out: it deletes the session from the cache, and B must stop honouring it.
    logged_out = a.post("/accounts/logout/", a.form_fields("/accounts/logout/", "/communities/"))
    after_logout = b.get("/communities/")

    assert from_cache.status == 200, from_cache.text[:500]
    assert world.a.community.name in from_cache.text
    assert logged_out.status == 302
    assert after_logout.status == 302 and "/accounts/login/" in after_logout.header("Location")

    # Static files: hashed names, served by whitenoise from STATIC_ROOT, cached for good.
    page = b.get("/accounts/login/")
    stylesheet = servers.first_stylesheet(page.text)
    css = b.get(stylesheet)

    assert servers.is_hashed_static(stylesheet), stylesheet
    assert css.status == 200
    assert css.header("Content-Type").startswith("text/css")
    assert "immutable" in css.header("Cache-Control")
    assert "max-age=315360000" in css.header("Cache-Control")
    assert css.header("X-Content-Type-Options") == "nosniff"
