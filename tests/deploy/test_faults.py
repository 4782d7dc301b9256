"""The portal while PostgreSQL is down: 503 on /healthz, a friendly 503 page everywhere
else, nothing half saved, and recovery by itself when the database is back.

The real test starts a PostgreSQL cluster of its own (initdb into a temporary folder, its
own port), runs the portal under gunicorn against it, and kills the database under a
stream of multi-row form posts. The in-process tests pin down which errors get the 503
page; this module is also their URL configuration.
"""

import threading
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, OperationalError
from django.test import Client
from django.urls import path, reverse

from corridor_portal import deployment
from corridor_portal.urls import urlpatterns as portal_urlpatterns
from tests.deploy import servers
from tests.factories import DEFAULT_PASSWORD

ON_SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _database_gone(request):
    try:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    except OperationalError as error:
        # As Django raises it: its error wraps the driver's, and a view may wrap it again.
        raise RuntimeError("while loading the page") from error


def _bug(request):
    raise DatabaseError("column does not exist")


urlpatterns = [
    path("test-faults/gone/", _database_gone),
    path("test-faults/bug/", _bug),
    *portal_urlpatterns,
]
handler500 = "corridor_portal.faults.server_error"

LEAKS = ("Traceback", "Connection refused", "OperationalError", "column does not exist")


@pytest.fixture
def raw_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.urls(__name__)
def test_unreachable_database_gives_friendly_503_with_retry_after(raw_client, db):
    response = raw_client.get("/test-faults/gone/", HTTP_ACCEPT_LANGUAGE="en")

    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(django_settings.UNAVAILABLE_RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Temporarily unavailable</h1>" in text
    assert 'lang="en"' in text
    assert "may not have been saved" in text
    for leak in LEAKS:
        assert leak not in text


@pytest.mark.urls(__name__)
def test_unreachable_database_page_in_chinese_by_default(raw_client, db):
    response = raw_client.get("/test-faults/gone/")

    assert response.status_code == 503
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_other_database_error_stays_500(raw_client, db):
    response = raw_client.get("/test-faults/bug/")

    text = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in text
    assert "Retry-After" not in response
    for leak in LEAKS:
        assert leak not in text


def test_unreachable_redis_gives_friendly_503(raw_client, world, settings):
    # A session saved while Redis was up (its database copy is what cached_db reads back).
    raw_client.force_login(world.a.secretary)
    # Nothing listens on that port: the connection is refused, as when Redis is down.
    environ = {"REDIS_URL": f"redis://127.0.0.1:{servers.free_port()}/0"}
    settings.CACHES = deployment.caches(environ)
    settings.SESSION_ENGINE = deployment.session_engine(environ)

    response = raw_client.get(reverse("portal:community_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()
    assert response["Retry-After"] == str(django_settings.UNAVAILABLE_RETRY_AFTER)


# The real thing: a database that goes away under a running server.

VISITORS = 12
PROBLEMS = 12
SEED = """
import django
django.setup()
from communities.models import Membership
from tests import factories
district = factories.DistrictFactory(name="东安区", code="dongan")
community = factories.CommunityFactory(district=district, name="清福社区", code="qingfu")
official = factories.UserFactory(username="official", full_name="王毅")
factories.MembershipFactory(
    user=official, role=Membership.Role.OFFICIAL, community=None, district=district
)
print(community.pk)
"""


def _visit_data(community_pk: int, n: int) -> dict:
    return {
        "community": str(community_pk),
        "visited_on": date.today().isoformat(),
        "visitors": "\n".join(f"访客{n}-{i} 区委干部" for i in range(VISITORS)),
        "purpose": f"检查楼道文化建设 #{n}",
        "notes": "",
        "problems": "\n".join(f"问题{n}-{i}：楼道灯不亮" for i in range(PROBLEMS)),
    }


def _visit_rows(pg) -> list[tuple[int, int, int]]:
    """(visit id, visitors, problems) for every visit in the database."""
    connection = pg.connect("corridor")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                select v.id,
                  (select count(*) from engagement_guidancevisitor g where g.visit_id = v.id),
                  (select count(*) from engagement_guidanceproblem p where p.visit_id = v.id)
                from engagement_guidancevisit v order by v.id
                """
            )
            return cursor.fetchall()
    finally:
        connection.close()


def _is_friendly_503(response) -> bool:
    return (
        response.status == 503
        and "Temporarily unavailable" in response.text
        and response.header("Retry-After") is not None
        and "Traceback" not in response.text
    )


@pytest.fixture
def throwaway_pg():
    pg = servers.ThrowawayPostgres().init()
    try:
        pg.start()
        yield pg
    finally:
        pg.destroy()


@pytest.mark.skipif(ON_SQLITE, reason="runs a PostgreSQL cluster of its own; PostgreSQL runs only")
def test_database_down_and_back_under_running_server(throwaway_pg, tmp_path):
    pg = throwaway_pg
    admin = pg.connect()
    admin.cursor().execute("create database corridor")
    admin.close()
    env = servers.server_env(
        DATABASE_URL=pg.url("corridor"), SECRET_KEY="faults-test-" + "x" * 40, DEBUG="0"
    )
    servers.manage(env, "migrate", "--noinput")
    community_pk = int(servers.manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    app = servers.Gunicorn(env, tmp_path, workers=2, name="faults").start()
    try:
        browser = servers.WebClient(app.port)
        browser.login("official", DEFAULT_PASSWORD)
        create = "/engagement/visits/new/"
        first = browser.submit(create, _visit_data(community_pk, 0))
        assert first.status == 302, first.text[:1000]
        assert [(v, p) for _pk, v, p in _visit_rows(pg)] == [(VISITORS, PROBLEMS)]

        # An official keeps posting visits (25 rows each) while the database is killed.
        outcomes: list[int] = []
        unexpected = []
        stop = threading.Event()

        def keep_posting():
            hidden, n = {}, 1
            while not stop.is_set():
                form = browser.get(create)
                if form.status == 200:
                    hidden = browser.hidden_fields(form, create)
                elif not _is_friendly_503(form):
                    unexpected.append((form.status, form.text[:2000]))
                response = browser.post(create, {**hidden, **_visit_data(community_pk, n)})
                outcomes.append(response.status)
                if response.status != 302 and not _is_friendly_503(response):
                    unexpected.append((response.status, response.text[:2000]))
                n += 1

        poster = threading.Thread(target=keep_posting)
        poster.start()
        servers.wait_until(lambda: len(outcomes) >= 3, 60, "posts before the outage")
        pg.stop("immediate")  # every backend ends at once, transactions in flight too
        down_at = len(outcomes)
        servers.wait_until(lambda: len(outcomes) >= down_at + 3, 60, "posts during the outage")

        health = browser.get("/healthz")
        page = browser.get("/communities/")
        stop.set()
        poster.join(timeout=60)

        assert unexpected == []
        assert health.status == 503
        assert b'"database": "unavailable"' in health.body
        assert _is_friendly_503(page), (page.status, page.text[:1000])
        assert 503 in outcomes[down_at:]
        assert "Content-Security-Policy" in page.headers

        pg.start()
        # The first requests after the restart work on every worker: each replaces its
        # dead persistent connection (CONN_HEALTH_CHECKS) without a failed request.
        answers = [browser.get("/healthz").status for _ in range(6)]
        home = browser.get("/communities/")
        after = browser.submit(create, _visit_data(community_pk, 9999))

        assert answers == [200] * 6
        assert home.status == 200 and "清福社区" in home.text  # the session survived
        assert after.status == 302
        rows = _visit_rows(pg)
        saved = outcomes.count(302)
        assert len(rows) >= 2 + saved
        # No half record: every visit has all its visitors and all its problems.
        assert [(v, p) for _pk, v, p in rows] == [(VISITORS, PROBLEMS)] * len(rows)
        assert len(set(_purposes(pg))) == len(rows)
    finally:
        app.stop()


def _purposes(pg) -> list[str]:
    connection = pg.connect("corridor")
    try:
        with connection.cursor() as cursor:
            cursor.execute("select purpose from engagement_guidancevisit")
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
