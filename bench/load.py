"""Load benchmark: the portal under gunicorn with production settings, driven by wrk.

    DATABASE_URL=postgres://corridor:corridor@127.0.0.1:5432/corridor_bench \\
        .venv/bin/python bench/load.py --scale district --write

It migrates the database (its name must contain "bench"; without DATABASE_URL a scratch
SQLite file under var/), fills it with ``manage.py generate_scale`` (which does nothing
when the data of that scale and seed is already there, and refuses a database holding
anything else), collects the static files, and starts gunicorn (2 sync workers,
persistent database connections, ``DJANGO_ENV=production``: static files through
whitenoise with hashed names) on 127.0.0.1. It logs in through the login form as the
district's official, the first community's secretary and a superuser, then for each page:

- the number of SQL queries of one request (through Django's test client in this process,
  on the same database and settings);
- ``wrk`` with 8 connections for ``--duration`` seconds: requests per second, the median
  and the 95th percentile of the latency;
- ``wrk`` with one connection: the median latency.

Every page is requested once before it is measured, so a cached dashboard is measured
warm: what an official sees on every visit but the first after a change in a community.
Beside the portal's pages it measures references (bench/urls.py): a hello-world view,
Django admin's default changelists of residents and donations, and each dashboard
computed from the raw records on every request. Then the memory (RSS) of each gunicorn
worker, and EXPLAIN ANALYZE of the slowest query of the slowest pages.

``--write`` puts the results into docs/performance.md between ``<!-- bench:load -->`` and
``<!-- /bench:load -->``; ``--doc PATH`` writes them to another file. ``--smoke`` is the
test suite's run: small scale, one second per measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _common  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:load -->", "<!-- /bench:load -->"
SCRATCH_DB = ROOT / "var" / "bench_load.sqlite3"
PASSWORD = "bench-load-pass-2026"
ADMIN = "bench-load-admin"
SECRET_KEY = "bench-load-secret-key-not-for-production-use-0123456789abcdef"
WORKERS = 2
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--scale", default="district", choices=["small", "district", "city"])
    add("--seed", type=int, default=1)
    add("--duration", type=int, default=10, help="seconds of load per measurement")
    add("--connections", type=int, default=8)
    add("--write", action="store_true", help="write the results into docs/performance.md")
    add("--doc", type=Path, help="write the results into this file instead")
    add("--smoke", action="store_true", help="small scale, one second per measurement")
    add(
        "--only",
        help="measure only the pages whose label contains one of these comma-separated texts",
    )
    add("--skip", help="leave out the pages whose label contains one of these texts")
    add(
        "--marker",
        default="load",
        help="write between <!-- bench:MARKER --> and <!-- /bench:MARKER -->",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale, args.duration = "small", 1
    return args


def server_environment(port: int, static_root: Path) -> dict:
    """The environment of gunicorn and of this process's Django: production settings."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # The benchmark speaks plain HTTP to gunicorn as a TLS-terminating proxy would.
        "TRUST_X_FORWARDED_PROTO": "1",
        "STATIC_ROOT": str(static_root),
        "LOGIN_FAILURE_LIMIT": "1000",
        "CONN_MAX_AGE": "600",
    }


# HTTP ---------------------------------------------------------------------------------

HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}


def request(port, path, *, cookies="", method="GET", body=None, headers=None):
    """One request; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    all_headers = dict(HEADERS)
    if cookies:
        all_headers["Cookie"] = cookies
    all_headers.update(headers or {})
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _cookies(headers, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _sep, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def _jar_header(jar: dict) -> str:
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def login(port: int, username: str) -> str:
    """Log in through the login form; the Cookie header of the session."""
    status, headers, body = request(port, "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    jar = _cookies(headers, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, _body = request(
        port,
        "/accounts/login/",
        cookies=_jar_header(jar),
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
            "Host": f"127.0.0.1:{port}",
        },
    )
    assert status == 302, f"logging in as {username} answered {status}"
    jar = _cookies(headers, jar)
    return _jar_header(jar)


def follow_next(port: int, path: str, cookies: str, pages: int) -> str:
    """The URL of the list page ``pages`` pages after ``path``, following "Next" links."""
    for _i in range(pages):
        status, _headers, body = request(port, path, cookies=cookies)
        assert status == 200, f"{path} answered {status}"
        found = re.search(rb'href="(\?[^"]*)" rel="next"', body)
        if not found:
            break
        query = found.group(1).decode().replace("&amp;", "&")
        path = path.split("?", 1)[0] + query
    return path


# wrk ----------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    median_ms: float
    p95_ms: float
    bad_status: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(port: int, path: str, cookies: str, *, connections: int, duration: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        script.name,
        *(item for key, value in HEADERS.items() for item in ("-H", f"{key}: {value}")),
    ]
    if cookies:
        command += ["-H", f"Cookie: {cookies}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    count, micros, median, p95, bad, errors = (int(part) for part in line.split()[1:])
    return Load(count, micros / 1e6, median / 1000, p95 / 1000, bad, errors)


# The pages ----------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    role: str  # official, secretary, admin, anonymous
    path: str
    reference: bool = False  # a reference measurement, not a page of the portal
    queries: int | None = None
    full_count: bool = False
    loaded: Load | None = None
    single: Load | None = None
    slowest_sql: tuple[float, str] | None = None


@dataclass
class Subjects:
    official: object
    secretary: object
    admin: object
    community: object
    building: object
    fund: object
    roster: object
    slug: str
    surname: str
    extra: dict = field(default_factory=dict)


def find_subjects() -> Subjects:
    """The official of the district, the first community's secretary, their community,
    its first building, fund and roster, a certified corridor's public page."""
    from buildings.models import Building, DutyRoster, Fund, Resident
    from communities import scoping
    from communities.models import Membership, User
    from exhibits.models import Corridor

    official = (
        Membership.objects.filter(role=scoping.OFFICIAL, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    secretary_membership = (
        Membership.objects.filter(role=scoping.SECRETARY, is_active=True, community__isnull=False)
        .select_related("user", "community")
        .order_by("community_id", "pk")
        .first()
    )
    community = secretary_membership.community
    admin, _created = User.objects.get_or_create(
        username=ADMIN, defaults={"full_name": "基准管理员", "is_staff": True}
    )
    admin.is_staff = admin.is_superuser = True
    for user in (official, secretary_membership.user, admin):
        user.set_password(PASSWORD)
        user.save()
    building = Building.objects.filter(community=community).order_by("pk").first()
    fund = Fund.objects.filter(building__community=community).order_by("pk").first()
    roster = DutyRoster.objects.filter(unit__building__community=community).order_by("pk").first()
    corridor = (
        Corridor.objects.filter(unit__building__community=community, status="certified")
        .exclude(public_slug="")
        .order_by("pk")
        .first()
        or Corridor.objects.filter(unit__building__community=community).order_by("pk").first()
    )
    resident = Resident.objects.filter(household__unit__building__community=community).first()
    return Subjects(
        official=official,
        secretary=secretary_membership.user,
        admin=admin,
        community=community,
        building=building,
        fund=fund,
        roster=roster,
        slug=corridor.public_slug,
        surname=resident.name[:1],
    )


def pages(subjects: Subjects, port: int, cookies: dict) -> list[Page]:
    s = subjects
    residents = "/buildings/residents/"
    deep = follow_next(port, residents, cookies["secretary"], 100)
    c, b = s.community.pk, s.building.pk
    return [
        Page("Hello world (plain Django view)", "anonymous", "/bench/hello/", reference=True),
        # "/" sends each role to its page: an official to the communities of the district.
        Page("Home: the district's communities", "official", "/communities/"),
        Page("Community detail", "secretary", f"/communities/{c}/"),
        Page("Building detail", "secretary", f"/buildings/{b}/"),
        Page("Resident list, first page", "secretary", residents),
        Page("Resident list, page 101", "secretary", deep),
        Page("Resident list, search", "secretary", f"{residents}?{urlencode({'q': s.surname})}"),
        Page("Exhibit gallery", "secretary", "/exhibits/"),
        Page("Review queue", "official", "/exhibits/review/"),
        Page("Fund page", "secretary", f"/buildings/funds/{s.fund.pk}/"),
        Page("Roster sheet", "secretary", f"/buildings/rosters/{s.roster.pk}/sheet/"),
        Page("District dashboard", "official", "/dashboard/"),
        Page("Community dashboard", "official", f"/dashboard/c/{c}/"),
        Page("Public corridor page", "anonymous", f"/exhibits/g/{s.slug}/"),
        Page("Admin: residents", "admin", "/admin/buildings/resident/"),
        Page("Admin: donations", "admin", "/admin/buildings/donation/"),
        Page(
            "Django admin default: residents",
            "admin",
            "/bench/admin/buildings/resident/",
            reference=True,
        ),
        Page(
            "Django admin default: donations",
            "admin",
            "/bench/admin/buildings/donation/",
            reference=True,
        ),
        Page(
            "District dashboard from raw records",
            "official",
            "/bench/raw/district/",
            reference=True,
        ),
        Page(
            "Community dashboard from raw records",
            "official",
            "/bench/raw/community/",
            reference=True,
        ),
    ]


FULL_COUNT = re.compile(
    r'SELECT COUNT\(\*\) AS "__count" FROM "(buildings_resident|buildings_donation)"'
)


def count_queries(page: Page, subjects: Subjects) -> None:
    """The queries of one request of ``page`` through the test client, and its slowest."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers=HEADERS)
    user = {"official": subjects.official, "secretary": subjects.secretary}.get(page.role)
    if page.role == "admin":
        user = subjects.admin
    if user is not None:
        client.force_login(user)
    client.get(page.path)  # warm, like the measured pages
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, f"{page.path} answered {response.status_code}"
    page.queries = len(captured)
    page.full_count = any(FULL_COUNT.search(query["sql"]) for query in captured)
    timed = [(float(query["time"]), query["sql"]) for query in captured]
    if timed:
        page.slowest_sql = max(timed)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


# The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(port: int, environment: dict):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "corridor_portal.wsgi:application",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | environment)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                status, _h, _b = request(port, "/healthz")
                if status == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_memory(master_pid: int) -> list[float]:
    """The resident memory (MiB) of each gunicorn worker."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            text = status.read_text()
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(master_pid):
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


# The report ---------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def render(results: list[Page], *, meta: dict, memory: list[float], plans: list) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['machine']}; {meta['database']}; commit "
        f"{meta['commit']}; scale `{meta['scale']}` (seed {meta['seed']}): {meta['counts']}.",
        "",
        f"gunicorn with {WORKERS} sync workers, production settings, persistent connections; "
        f"wrk -t1 -c{meta['connections']} for {meta['duration']} s per page, then -c1. "
        "Each page was requested once before it was measured.",
        "",
        "| Page | As | Queries | Req/s (8 conn) | Median ms | p95 ms | Median ms (1 conn) |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for page in results:
        label = f"*{page.label}*" if page.reference else page.label
        flag = " (full COUNT)" if page.full_count else ""
        loaded, single = page.loaded, page.single
        errors = ""
        if loaded and (loaded.bad_status or loaded.socket_errors):
            errors = f" ({loaded.bad_status} bad answers, {loaded.socket_errors} socket errors)"
        lines.append(
            f"| {label}{errors} | {page.role} | {page.queries}{flag} | "
            f"{loaded.per_second:,.0f} | {_ms(loaded.median_ms)} | {_ms(loaded.p95_ms)} | "
            f"{_ms(single.median_ms if single else None)} |"
        )
    lines += ["", "*Italic rows* are the references (bench/urls.py).", ""]
    lines += city_targets(results) if meta["scale"] == "city" else targets(results, memory)
    if memory:
        lines += [
            "",
            "Memory of the gunicorn workers after the run: "
            + ", ".join(f"{size:,.0f} MiB" for size in memory)
            + " RSS.",
        ]
    for label, seconds, sql, plan in plans:
        lines += [
            "",
            f"Slowest query of *{label}* ({seconds * 1000:,.0f} ms):",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            plan,
            "```",
        ]
    return "\n".join(lines) + "\n"


def targets(results: list[Page], memory: list[float]) -> list[str]:
    """The targets of docs/performance.md, each met or missed by this run."""
    by = {page.label: page for page in results}

    def get(label):
        return by.get(label)

    checks = []

    def check(text, ok):
        checks.append(f"- {'met' if ok else '**missed**'}: {text}")

    admin = get("Django admin default: residents")
    for label in ("Resident list, first page", "Resident list, page 101"):
        page = get(label)
        if page and admin and admin.loaded.per_second:
            ratio = page.loaded.per_second / admin.loaded.per_second
            check(
                f"{label}: {ratio:,.1f}× the req/s of Django admin's default changelist (≥ 5×)",
                ratio >= 5,
            )
        if page and page.single:
            check(
                f"{label}: {page.single.median_ms:,.1f} ms median with one connection (< 15 ms)",
                page.single.median_ms < 15,
            )
    first, deep = get("Resident list, first page"), get("Resident list, page 101")
    if first and deep and first.single and deep.single:
        check(
            f"a deep page costs what the first costs: {deep.single.median_ms:,.1f} ms against "
            f"{first.single.median_ms:,.1f} ms, {deep.queries} queries against {first.queries}",
            deep.single.median_ms <= first.single.median_ms * 1.2 + 1
            and deep.queries <= first.queries,
        )
    district, raw = get("District dashboard"), get("District dashboard from raw records")
    if district:
        check(
            f"district dashboard: {district.single.median_ms:,.1f} ms median with one connection "
            "(< 50 ms)",
            district.single.median_ms < 50,
        )
        check(
            f"district dashboard: {district.loaded.per_second:,.0f} req/s (≥ 40)",
            district.loaded.per_second >= 40,
        )
        if raw and raw.loaded.per_second:
            ratio = district.loaded.per_second / raw.loaded.per_second
            check(f"district dashboard: {ratio:,.0f}× the raw grouped queries (> 5×)", ratio > 5)
    public = get("Public corridor page")
    if public:
        check(
            f"public corridor page: {public.loaded.per_second:,.0f} req/s (≥ 300)",
            public.loaded.per_second >= 300,
        )
    for label in ("Admin: residents", "Admin: donations"):
        page = get(label)
        if page:
            check(
                f"{label}: {'a' if page.full_count else 'no'} full-table COUNT(*), "
                f"{page.single.median_ms:,.1f} ms median with one connection (< 100 ms)",
                not page.full_count and page.single.median_ms < 100,
            )
    if memory:
        check(
            f"gunicorn workers: at most {max(memory):,.0f} MiB RSS after the run (< 150 MB)",
            max(memory) * 1.048576 < 150,
        )
    return ["Targets:", "", *checks]


def city_targets(results: list[Page]) -> list[str]:
    """The targets at city scale: the district dashboard and the resident list."""
    by = {page.label: page for page in results}
    checks = []
    for label, limit in (
        ("District dashboard", 100),
        ("Resident list, first page", 20),
        ("Resident list, page 101", 20),
    ):
        page = by.get(label)
        if page and page.single:
            ok = page.single.median_ms < limit
            checks.append(
                f"- {'met' if ok else '**missed**'}: {label}: {page.single.median_ms:,.1f} ms "
                f"median with one connection (< {limit} ms)"
            )
    return ["Targets at city scale:", "", *checks]


def write_doc(text: str, path: Path, marker: str = "load") -> None:
    start, end = f"<!-- bench:{marker} -->", f"<!-- /bench:{marker} -->"
    block = f"{start}\n{text}{end}"
    if path.exists():
        current = path.read_text()
        if start in current and end in current:
            before = current.split(start, 1)[0]
            after = current.split(end, 1)[1]
            path.write_text(before + block + after)
            return
        path.write_text(current.rstrip() + "\n\n" + block + "\n")
        return
    path.write_text(f"# Performance\n\n{block}\n")


# The run ------------------------------------------------------------------------------


def row_counts() -> str:
    from buildings.models import Building, Donation, DutyShift, Household, Resident, Unit
    from communities.models import Community
    from exhibits.models import Exhibit

    counts = [
        (Community, "communities"),
        (Building, "buildings"),
        (Unit, "units"),
        (Household, "households"),
        (Resident, "residents"),
        (Exhibit, "exhibits"),
        (Donation, "donations"),
        (DutyShift, "duty turns"),
    ]
    return ", ".join(f"{model.objects.count():,} {name}" for model, name in counts)


def _texts(option: str | None) -> list[str]:
    return [text.strip().lower() for text in (option or "").split(",") if text.strip()]


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist yet."""
    import dj_database_url
    import psycopg2

    settings = dj_database_url.parse(url)
    if "postgresql" not in settings["ENGINE"]:
        return
    server = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    finally:
        server.close()


def run(args, log=print) -> str:
    port = free_port()
    static_root = ROOT / "var" / "bench_static"
    environment = server_environment(port, static_root)
    os.environ.update(environment)
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH_DB}"
        SCRATCH_DB.parent.mkdir(parents=True, exist_ok=True)
    if "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1].lower():
        raise _common.Refused("the database's name does not contain 'bench'.")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = Path(str(connection.settings_dict["NAME"])).name
    if "bench" not in name.lower():
        raise _common.Refused(f"the database {name} does not have 'bench' in its name.")
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("generate_scale", scale=args.scale, seed=args.seed)
    log(f"data ready in {time.monotonic() - started:,.0f} s: {row_counts()}")
    call_command("collectstatic", verbosity=0, interactive=False)
    subjects = find_subjects()
    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": _common.machine_label(),
        "database": _common.database_label(connection),
        "commit": _common.git_commit(),
        "scale": args.scale,
        "seed": args.seed,
        "counts": row_counts(),
        "connections": args.connections,
        "duration": args.duration,
    }
    connection.close()
    results: list[Page] = []
    with gunicorn(port, environment) as server:
        cookies = {
            "anonymous": "",
            "official": login(port, subjects.official.username),
            "secretary": login(port, subjects.secretary.username),
            "admin": login(port, ADMIN),
        }
        for page in pages(subjects, port, cookies):
            wanted = [text.strip().lower() for text in (args.only or "").split(",") if text.strip()]
            if wanted and not any(text in page.label.lower() for text in wanted):
                continue
            unwanted = [
                text.strip().lower() for text in (args.skip or "").split(",") if text.strip()
            ]
            if any(text in page.label.lower() for text in unwanted):
                continue
            status, _h, _b = request(port, page.path, cookies=cookies[page.role])
            if status != 200:
                raise RuntimeError(f"{page.label}: {page.path} answered {status}")
            count_queries(page, subjects)
            connection.close()
            page.loaded = wrk(
                port,
                page.path,
                cookies[page.role],
                connections=args.connections,
                duration=args.duration,
            )
            page.single = wrk(
                port, page.path, cookies[page.role], connections=1, duration=args.duration
            )
            log(
                f"{page.label:45} {page.queries:>3} queries  {page.loaded.per_second:8,.0f} req/s  "
                f"median {page.loaded.median_ms:7.1f} ms  p95 {page.loaded.p95_ms:7.1f} ms  "
                f"1 conn {page.single.median_ms:7.1f} ms"
            )
            results.append(page)
        memory = worker_memory(server.pid)
    plans = []
    slow = sorted(
        (page for page in results if page.slowest_sql and page.single.median_ms > 15),
        key=lambda page: -page.slowest_sql[0],
    )
    for page in slow[:4]:
        seconds, sql = page.slowest_sql
        with contextlib.suppress(Exception):
            plans.append((page.label, seconds, sql, explain(sql)))
    connection.close()
    return render(results, meta=meta, memory=memory, plans=plans)


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is needed (Debian: apt-get install wrk).", file=sys.stderr)
        return 2
    try:
        text = run(args)
    except _common.Refused as refusal:
        print(f"Refused: {refusal} {_common.REFUSAL_HINT}", file=sys.stderr)
        return 2
    print(text)
    target = args.doc or (DOC if args.write else None)
    if target is not None:
        write_doc(text, target, args.marker)
        print(f"written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
