"""Fixtures of the deployment tests: the test database's URL for other processes, the
shared Redis, production-like settings for app servers."""

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings

ON_SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
# A Redis database number of its own, flushed before and after each test that uses it.
REDIS_DB = 13
HOST = "portal.example.org"

requires_postgresql = pytest.mark.skipif(
    ON_SQLITE,
    reason="needs PostgreSQL (server processes sharing the test database, pg_dump): "
    "runs in the PostgreSQL pass (CI runs every test on PostgreSQL, then on SQLite)",
)


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's ``test_<name>``), for
    server processes; rows the test commits (``transaction=True``) are visible to them."""
    from django.db import connection

    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = quote(s["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def shared_redis():
    """(REDIS_URL, client) of an empty Redis database at 127.0.0.1:6379."""
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(
            "Redis is not running at 127.0.0.1:6379 (start redis-server; CI machines have it)"
        )
    client.flushdb()
    yield url, client
    client.flushdb()
    client.close()


def production_env(**values: str) -> dict[str, str]:
    """DJANGO_ENV=production behind a TLS-terminating proxy, as docs/deploy.md sets it up:
    the app servers speak plain HTTP to nginx, which says ``X-Forwarded-Proto: https``."""
    from tests.deploy import servers

    return servers.server_env(
        DJANGO_ENV="production",
        SECRET_KEY="deploy-tests-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        TRUST_X_FORWARDED_PROTO="1",
        **values,
    )
