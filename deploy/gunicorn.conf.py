"""gunicorn settings for one Corridor Portal app server (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py

Every value can be changed from the environment (the systemd unit sets GUNICORN_BIND per
instance). App servers are stateless: run as many as needed behind nginx.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


wsgi_app = "corridor_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: pages are short database-bound requests; nginx buffers slow clients and
# large uploads, so a worker is never held by a slow network. Two workers per core of the
# app server is a good start on the district's 2-core machines.
worker_class = "sync"
workers = _int("GUNICORN_WORKERS", 2)
# A request longer than this is killed (and logged); the slowest page, the district report
# as a Word file, takes a few seconds at district scale.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (deploys, systemctl stop) workers finish their current request first.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker after this many requests (plus jitter, so they do not all restart
# together): bounds the memory a worker can grow to after photo processing.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Load Django once in the master, then fork: faster worker starts, shared memory, and a
# broken configuration fails the start instead of every worker.
preload_app = _bool("GUNICORN_PRELOAD", True)

# Access log to stdout (journald under systemd); "" turns it off. Errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "corridor-portal"

# Only nginx talks to the app servers; it sets X-Forwarded-For and X-Forwarded-Proto.
# Django reads them itself (TRUST_X_FORWARDED_PROTO, BEHIND_PROXY in the environment).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Never hand a database connection opened in the master to a worker: two processes
    on one PostgreSQL socket corrupt each other's sessions. Django opens none at import
    time; this keeps it so if a module ever does."""
    if preload_app:
        from django.db import connections

        connections.close_all()
