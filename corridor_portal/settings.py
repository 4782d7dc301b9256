"""Settings for Corridor Portal, read from the environment.

Every deployment-specific value comes from an environment variable; the defaults
give a development setup on SQLite under ``var/``. See docs/configuration.md.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if DJANGO_ENV == "production":
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # Development and tests: a random key kept in an ignored file, so that sessions
    # survive restarts without a secret ever being committed.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "communities",
    "buildings",
    "exhibits",
    "engagement",
    "corridor_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "corridor_portal.urls"
WSGI_APPLICATION = "corridor_portal.wsgi.application"
ASGI_APPLICATION = "corridor_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "corridor_portal.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, SQLite under var/ by default.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections: a new PostgreSQL connection per request costs
        # about half a list page's throughput.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's JIT compiles the dashboards' grouped queries at each call for ~300 ms
    # and saves far less than that on these short queries (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # select_for_update() is a no-op on SQLite; IMMEDIATE transactions take the
        # write lock up front so that concurrent writers queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "communities.User"

# Login, sessions and passwords ------------------------------------------------------
# See docs/security.md ("Login and sessions"); helpers in corridor_portal/login.py.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "full_name", "first_name", "last_name", "email")
        },
    },
    {
        # Django's rule with a message that shows translated (see the class).
        "NAME": "corridor_portal.login.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (django-axes): LOGIN_FAILURE_LIMIT failures for one username, or from one
# address, block further logins of that username / from that address until
# LOGIN_LOCKOUT_MINUTES have passed since the last failure. The same for names that do
# not exist, so the answer never tells whether an account exists.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "corridor_portal.login.WebLoginThrottleBackend",  # first: refuses blocked logins
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT") or 5)
# LOGIN_LOCKOUT_MINUTES=0: blocked until an administrator removes the failures.
_lockout_minutes = int(os.environ.get("LOGIN_LOCKOUT_MINUTES") or 15)
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes) if _lockout_minutes > 0 else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "corridor_portal.login.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A successful login clears only that username's failures (corridor_portal.login), not
# every failure from its address.
AXES_RESET_ON_SUCCESS = False
# The client's address. BEHIND_PROXY is the number of trusted proxies in front of the app
# that append to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for); 0 ignores the header.
# Defaults to one proxy when TRUST_X_FORWARDED_PROTO declares one.
AXES_CLIENT_IP_CALLABLE = "corridor_portal.login.client_ip"
_behind_proxy = os.environ.get("BEHIND_PROXY", "").strip().lower()
if _behind_proxy.isdigit():
    BEHIND_PROXY = int(_behind_proxy)
else:
    BEHIND_PROXY = int(env_bool("BEHIND_PROXY", default=env_bool("TRUST_X_FORWARDED_PROTO")))

# Sessions end after SESSION_IDLE_MINUTES without a request (sliding expiry, refreshed at
# most every SESSION_REFRESH_SECONDS instead of a database write on every request), and on
# a password change everywhere but where it was changed (Django's session hash).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES") or 8 * 60) * 60
SESSION_REFRESH_SECONDS = min(300, max(1, SESSION_COOKIE_AGE // 10))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE")
SESSION_SAVE_EVERY_REQUEST = False
if DJANGO_ENV == "production":
    # __Host- cookies: sent only over HTTPS, for Path=/ and this exact host (no Domain);
    # Secure comes with the production cookie settings below.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"

MIDDLEWARE += [
    "corridor_portal.login.SlidingSessionMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a blocked login into the lock-out page
]
# End of login, sessions and passwords -----------------------------------------------

# Internationalisation: Simplified Chinese by default, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# Static and media files.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if DJANGO_ENV == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploaded spreadsheets larger than this are refused before they are parsed.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))

PAGE_SIZE = 50

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Photos (communities/images.py)
# Per-file and per-submission limits of uploaded photos; see docs/photos.md.
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(15 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", "40000000"))
PHOTO_MAX_FILES = int(os.environ.get("PHOTO_MAX_FILES", "12"))
PHOTO_THUMB_SIZES = (400, 1600)
# e.g. "/protected-media": nginx serves the file from an internal location after the app
# has checked permission (X-Accel-Redirect). Empty: the app streams the file itself.
PROTECTED_MEDIA_REDIRECT_PREFIX = os.environ.get("PROTECTED_MEDIA_REDIRECT_PREFIX", "").rstrip("/")

# Dashboards: when a community is marked amber or red (corridor_portal/dashboard.py).
DASHBOARD_THRESHOLDS = {
    # Certified corridors as a share (%) of the community's target: below these, red / amber.
    "target_red_below": 50,
    "target_amber_below": 100,
    # Corridors planning or being built with no change for this many days are stalled.
    "stalled_days": 60,
    "stalled_amber": 1,
    "stalled_red": 3,
    # Duty turns that ended but were never marked.
    "overdue_amber": 1,
    "overdue_red": 5,
    # Suggestions new or under consideration for longer than this many days are unanswered.
    "unanswered_days": 30,
    "unanswered_amber": 1,
    "unanswered_red": 5,
}
# Each row's dashboard figures stay in the cache until a write in its community changes its
# data version (corridor_portal/versions.py); this only bounds how long an unused entry lives.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS") or 7 * 24 * 3600)

# Security headers and production hardening ------------------------------------------
# See docs/security.md ("Headers and CSP") and the variables in docs/configuration.md.
# `manage.py check --deploy` reports no issue with DJANGO_ENV=production and the defaults.
PRODUCTION = DJANGO_ENV == "production"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set it to 0).")

# HTTPS. Behind a TLS-terminating proxy, TRUST_X_FORWARDED_PROTO=1 makes Django trust the
# proxy's X-Forwarded-Proto (the proxy must overwrite any such header a client sends).
# SECURE_SSL_REDIRECT=0 only when the proxy itself redirects http:// to https://.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Health probes of a load balancer may come over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Cookies travel over HTTPS only in production (the development server speaks plain HTTP).
# No script reads the CSRF cookie: forms carry the token in a hidden field.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# X_FRAME_OPTIONS = "DENY" is set above; frame-ancestors below says the same to new browsers.

# Content-Security-Policy (django-csp), in every environment so that tests and the
# browser journeys run under it. Pages have no inline scripts, styles or event handlers;
# img-src allows data: for the SVG icons inside Bootstrap's CSS (select arrows, checks).
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Error pages: templates/400.html, 403.html, 404.html, 500.html; a refused form (CSRF) shows
# templates/403_csrf.html through Django's default CSRF failure view.
# End of security headers and production hardening -----------------------------------

# Deployment: cache, sessions and media storage ---------------------------------------
# Several stateless app servers behind nginx share one PostgreSQL, Redis (REDIS_URL) for the
# cache and the sessions, and media in an S3-compatible bucket (S3_BUCKET). Without them
# one machine keeps a cache per process, database sessions and files under MEDIA_ROOT.
# See docs/deploy.md; the functions live in corridor_portal/deployment.py.
from corridor_portal import deployment  # noqa: E402

CACHES = deployment.caches(os.environ)
# cached_db: reads come from Redis, every save also goes to the database, so a session
# outlives any one app server and a Redis restart or eviction (docs/deploy.md).
SESSION_ENGINE = deployment.session_engine(os.environ)
STORAGES["default"] = deployment.media_storage(os.environ)

# While the database or Redis cannot be reached every page answers 503 with this
# Retry-After (corridor_portal/faults.py, handler500 in urls.py); /healthz answers 503.
UNAVAILABLE_RETRY_AFTER = int(os.environ.get("UNAVAILABLE_RETRY_AFTER") or 30)
# End of deployment: cache, sessions and media storage --------------------------------
