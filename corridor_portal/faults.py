"""A friendly 503 page while the database (or the shared cache) cannot be reached.

``handler500`` in corridor_portal/urls.py. Django calls it for every exception that no
view or middleware handled, whichever layer raised it (a session read, a view, a session
save), so one place covers them all. An error that says the server cannot be reached or
the connection broke answers 503 with ``Retry-After``; anything else keeps the 500 page.

The page is rendered without the request: no context processor, no session, no user, no
query, so it shows while PostgreSQL is down. Its language comes from the request's
language cookie or ``Accept-Language`` header, which need no database either.

Recovery needs nothing here: with ``CONN_HEALTH_CHECKS`` Django tests a persistent
connection before the first query of each request and opens a new one when the old one
died, so the first request after the database is back works.
"""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

try:  # the Redis client is there when REDIS_URL can be used
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
else:
    UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)

TEMPLATE = "503.html"


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from, says a server is out of reach.

    Django's ``OperationalError`` covers a refused or broken connection, a server shutting
    down, and also a deadlock or a lock timeout: for all of them "try again in a moment"
    is the honest answer, and the transaction was rolled back.
    """
    seen = set()
    database_error = False
    while error is not None and id(error) not in seen:
        if isinstance(error, UNAVAILABLE):
            return True
        database_error = database_error or isinstance(error, DatabaseError)
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    # Some drivers report a connection lost mid-query (an SSL "EOF detected", say) as a
    # plain DatabaseError; the connection it broke tells.
    return database_error and _connection_lost()


def _connection_lost() -> bool:
    """Whether a database connection of this thread failed and is now closed: dropped by
    Django after a failed rollback, or marked closed by the driver (psycopg ``closed``)."""
    for connection in connections.all(initialized_only=True):
        if not connection.errors_occurred:
            continue
        raw = connection.connection
        if raw is None or getattr(raw, "closed", False):
            return True
    return False


def unavailable_response(request) -> HttpResponse:
    """The 503 page in the visitor's language, never cached, with ``Retry-After``."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.render_to_string(TEMPLATE, {"retry_after": retry_after()})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after())
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


def retry_after() -> int:
    return int(getattr(settings, "UNAVAILABLE_RETRY_AFTER", 30))


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Django's 500 view, or the 503 page when the error is an unreachable server.

    Django calls the handler inside its ``except`` block, so ``sys.exc_info()`` holds the
    exception being handled.
    """
    if is_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
