"""Real processes for the deployment tests: gunicorn app servers, a throwaway PostgreSQL
cluster, an S3-compatible endpoint (moto's server mode), and a small HTTP client that
keeps its own cookies and fills in a form's hidden fields as a browser would.

Everything listens on 127.0.0.1 on a free port and is stopped by the test that started it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Variables of the developer's shell that would change what a server process sees.
SCRUBBED = (
    "DEBUG",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "TRUST_X_FORWARDED_PROTO",
    "BEHIND_PROXY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "PROTECTED_MEDIA_REDIRECT_PREFIX",
    "GUNICORN_BIND",
    "GUNICORN_WORKERS",
    "GUNICORN_ACCESS_LOG",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Call ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError as error:  # refused, reset: not up yet
            last_error = error
        else:
            if result:
                return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} ({last_error})")


def server_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "corridor_portal.settings",
            "PYTHONPATH": str(BASE_DIR),
            "PYTHONDONTWRITEBYTECODE": "1",
            "LOG_LEVEL": "ERROR",
        }
    )
    env.update(values)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``manage.py`` with ``env``; its output, or a failure showing it."""
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# HTTP


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class _Forms(HTMLParser):
    """The forms of a page: action, method and the hidden inputs of each."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": (attrs.get("method") or "get").lower(),
                    "hidden": {},
                }
            )
        elif (
            tag == "input"
            and self.forms
            and (attrs.get("type") or "").lower() == "hidden"
            and attrs.get("name")
        ):
            self.forms[-1]["hidden"][attrs["name"]] = attrs.get("value") or ""


@dataclass
class WebClient:
    """A browser-like client for one server: cookies, and forms with their hidden fields.

    ``forwarded_proto="https"`` speaks as nginx does in front of the app (TLS ends there):
    the request carries ``X-Forwarded-Proto: https``, Secure and ``__Host-`` cookies are
    kept and sent back, and the Referer of a form post is the https page it came from.
    """

    port: int
    host: str = "127.0.0.1"
    forwarded_proto: str = ""
    language: str = "en"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def on(self, port: int) -> WebClient:
        """The same browser (same cookies, from now on shared) talking to another server."""
        other = WebClient(
            port, self.host, self.forwarded_proto, self.language, timeout=self.timeout
        )
        other.cookies = self.cookies
        return other

    @property
    def origin(self) -> str:
        return f"{self.forwarded_proto or 'http'}://{self.host}"

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        all_headers = {"Host": self.host, "Accept-Language": self.language}
        if self.forwarded_proto:
            all_headers["X-Forwarded-Proto"] = self.forwarded_proto
            all_headers["X-Forwarded-For"] = "192.0.2.10"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict, referer_path: str | None = None) -> Response:
        body = urlencode(data, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + (referer_path or path),
        }
        return self.request("POST", path, body=body, headers=headers)

    def form_fields(self, path: str, page_path: str | None = None) -> dict[str, str]:
        """The hidden fields (CSRF token, form token) of the form that posts to ``path``
        on the page at ``page_path`` (default: ``path``); the page must answer 200."""
        page = self.get(page_path or path)
        assert page.status == 200, (page_path or path, page.status, page.text[:500])
        return self.hidden_fields(page, path)

    @staticmethod
    def hidden_fields(page: Response, path: str) -> dict[str, str]:
        parser = _Forms()
        parser.feed(page.text)
        for form in parser.forms:
            target = urlsplit(form["action"]).path or path
            if form["method"] == "post" and target == path:
                return dict(form["hidden"])
        raise AssertionError(f"no form posting to {path}")

    def submit(self, path: str, data: dict) -> Response:
        """Open the form page, then post ``data`` with the form's hidden fields."""
        return self.post(path, {**self.form_fields(path), **data})

    def login(self, username: str, password: str) -> Response:
        response = self.submit("/accounts/login/", {"username": username, "password": password})
        assert response.status == 302, (response.status, response.text[:1000])
        return response


# Processes


class Gunicorn:
    """The portal under gunicorn with deploy/gunicorn.conf.py, on a free port."""

    def __init__(self, env: dict[str, str], log_dir: Path, workers: int = 1, name: str = "app"):
        self.port = free_port()
        self.log_path = Path(log_dir) / f"gunicorn-{name}-{self.port}.log"
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESS_LOG": "",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
            env=self.env,
            cwd=BASE_DIR,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers, 30, f"gunicorn on port {self.port}\n{self.log()}")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log()}")
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-5000:]
        return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: finish requests, exit
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own: initdb into a temporary folder, its own port.

    initdb and the server refuse to run as root; as root they run as the ``postgres``
    system user (the Debian package creates it), otherwise as the current user.
    """

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="corridor-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}{result.stderr}"
        return result

    def init(self) -> ThrowawayPostgres:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",  # only 127.0.0.1 and its own socket folder, for minutes
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` ends every backend at once, as a crash would; the next start
        recovers from the write-ahead log."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database
        )
        connection.autocommit = True
        return connection

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def destroy(self) -> None:
        if self.is_running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class MotoS3:
    """moto's server mode: the S3 API over HTTP on 127.0.0.1, in memory."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_path = Path(log_dir) / f"moto-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoS3:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def up():
            if self.process.poll() is not None:
                raise AssertionError(self.log_path.read_text(errors="replace"))
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/")
                return connection.getresponse().status < 500
            finally:
                connection.close()

        wait_until(up, 30, f"moto on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()


def first_stylesheet(page: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert match, "no stylesheet on the page"
    return match.group(1)


def is_hashed_static(url: str) -> bool:
    """``/static/css/portal.3f2a9c1e0b4d.css``: ManifestStaticFilesStorage's name."""
    return re.fullmatch(r"/static/.+\.[0-9a-f]{12}\.[a-z0-9]+", url) is not None


def headline_money_raised(page: str) -> str:
    """The "Money raised (yuan)" headline figure of a dashboard page in English."""
    match = re.search(r"Money raised \(yuan\)</h3>\s*<p[^>]*>([^<]*)</p>", page)
    assert match, "no money raised figure on the dashboard"
    return match.group(1).strip()
