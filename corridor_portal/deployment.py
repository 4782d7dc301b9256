"""What several app servers share: the cache, the sessions and the media storage.

``settings.py`` calls these functions with ``os.environ``; they read nothing else, so a test
can build the same values from its own environment. Without ``REDIS_URL`` and
``S3_BUCKET`` a single machine keeps local-memory caching, database sessions and files
under ``MEDIA_ROOT``. See docs/deploy.md and docs/configuration.md.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
# Read from Redis, written to Redis and the database: every app server sees a session the
# moment it is saved, and none is lost when Redis restarts, evicts or is flushed.
CACHED_DB_SESSIONS = "django.contrib.sessions.backends.cached_db"
FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"


def _get(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def caches(environ: Mapping[str, str]) -> dict:
    """The ``CACHES`` setting: Redis at ``REDIS_URL``, else one cache per process."""
    url = _get(environ, "REDIS_URL")
    if not url:
        # Room for the dashboards' rows (one entry per community, building or unit and
        # period looked at); Django's default of 300 would evict them all the time.
        return {"default": {"BACKEND": LOCAL_MEMORY_CACHE, "OPTIONS": {"MAX_ENTRIES": 10_000}}}
    timeout = float(_get(environ, "REDIS_TIMEOUT_SECONDS") or 2)
    return {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": url,
            # Several deployments (or test runs) may share one Redis server.
            "KEY_PREFIX": _get(environ, "CACHE_KEY_PREFIX") or "corridor",
            "TIMEOUT": int(_get(environ, "CACHE_TIMEOUT_SECONDS") or 300),
            # A Redis that does not answer fails the request in seconds (a 503 page,
            # corridor_portal/faults.py) instead of holding a worker until gunicorn kills it.
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


def session_engine(environ: Mapping[str, str]) -> str:
    """Sessions in the shared cache backed by the database when Redis is configured."""
    return CACHED_DB_SESSIONS if _get(environ, "REDIS_URL") else DATABASE_SESSIONS


def media_storage(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry: a private S3 bucket when ``S3_BUCKET`` is set.

    Photos are never linked to the bucket: the photo views check scope and stream the
    object through ``default_storage`` (communities.images.serve_photo), so the bucket
    needs no public access and its address never reaches a browser.
    """
    bucket = _get(environ, "S3_BUCKET")
    if not bucket:
        return {"BACKEND": FILE_SYSTEM_STORAGE}
    if _get(environ, "PROTECTED_MEDIA_REDIRECT_PREFIX"):
        raise ImproperlyConfigured(
            "PROTECTED_MEDIA_REDIRECT_PREFIX serves files from MEDIA_ROOT through nginx; "
            "with S3_BUCKET the app streams photos from the bucket. Unset one of them."
        )
    options = {
        "bucket_name": bucket,
        # Private objects: no ACL is sent, so they take the bucket's own (private) policy;
        # providers that turned ACLs off refuse requests that send one.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        # Names are random (communities/images.py); never overwrite an existing object.
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    optional = {
        "endpoint_url": "S3_ENDPOINT_URL",
        "region_name": "S3_REGION",
        "access_key": "S3_ACCESS_KEY_ID",
        "secret_key": "S3_SECRET_ACCESS_KEY",
        "location": "S3_PREFIX",
        "addressing_style": "S3_ADDRESSING_STYLE",
    }
    for option, name in optional.items():
        value = _get(environ, name)
        if value:
            options[option] = value.strip("/") if option == "location" else value
    if ("access_key" in options) != ("secret_key" in options):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (boto3 then "
            "finds credentials itself: AWS_* variables, a profile, an instance role)."
        )
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}
