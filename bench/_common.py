"""What the benchmarks share: Django on a scratch database, the refusal to touch any other,
the marker table that says a database is the benchmarks', and how the machine, the database
and the code are described in their results.

A benchmark works in its own SQLite file under var/ unless ``DATABASE_URL`` is set. It
refuses any database that holds data it did not put there: the target must be empty (no
tables, or the portal's tables without rows, as right after ``migrate``) and have "bench"
in its name, or carry the marker table of an earlier run (of any benchmark), whose rows it
then deletes (``flush``). The marker's note says which benchmark wrote the data, at what
scale, so that a run can reuse data that is already there.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

# The marker table and its note, shared with ``manage.py generate_scale``: data that either
# generated is the benchmarks' to replace.
from corridor_portal.scale import MARKER, marker_note, set_marker  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parent.parent
DEV_DB = ROOT / "var" / "db.sqlite3"
# The marker table of earlier versions of roster_generation.py: a database carrying it is
# the benchmarks' too.
OLD_MARKERS = ("bench_roster_generation",)
# Rows that ``migrate`` itself writes: a migrated database is still empty.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}
REFUSAL_HINT = (
    "Use an empty database named *bench* (or no DATABASE_URL: a scratch SQLite file under var/)."
)


def setup_django(scratch_db: Path) -> None:
    """Django on ``DATABASE_URL``, or on ``scratch_db`` when it is not set; DEBUG off."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch_db}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor_portal.settings"
    os.environ["DEBUG"] = "0"  # with DEBUG on, Django keeps every query in memory
    import django

    django.setup()


class Refused(Exception):
    pass


def check_target(connection) -> bool:
    """True when the database carries a benchmark's marker; raises Refused when it holds
    anything a benchmark did not write, or when it is an empty database whose name does not
    say "bench" (an empty corridor_dev is someone's database waiting to be migrated)."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and Path(name).resolve() == DEV_DB.resolve():
        raise Refused(f"{name} is the development database.")
    tables = set(connection.introspection.table_names())
    if tables & {MARKER, *OLD_MARKERS}:
        return True
    if "bench" not in Path(name).name.lower():
        raise Refused("it is not the benchmark's, and its name does not contain 'bench'.")
    known = set(connection.introspection.django_table_names(only_existing=True))
    foreign = tables - known - {"django_migrations"}
    if foreign:
        raise Refused(f"it has tables the portal does not know: {', '.join(sorted(foreign))}.")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(tables - BOOKKEEPING):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                raise Refused(f"it is not empty ({table} has rows) and has no {MARKER} table.")
    return False


def prepare(connection, *, ours: bool, note: str) -> None:
    """Migrate; delete every row when the database is ours (the ledger's guard lifted for
    that); leave the marker with ``note``."""
    from django.core.management import call_command

    from buildings import ledger

    call_command("migrate", verbosity=0, interactive=False)
    if ours:
        with ledger.guard_lifted(connection):
            call_command("flush", verbosity=0, interactive=False)
    set_marker(connection, note)


class QueryCounter:
    """Counts the statements sent to the database (an executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def database_label(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    if connection.vendor == "postgresql":
        version = connection.pg_version
        major, minor = version // 10000, version % 10000
        settings = connection.settings_dict
        return f"PostgreSQL {major}.{minor} ({settings['HOST']}/{settings['NAME']})"
    return connection.vendor


def machine_label() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.platform(terse=True)}"
    )


def git_commit() -> str:
    """The short commit of the working tree, "+ changes" when it has uncommitted ones."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} + uncommitted changes" if changed else commit
