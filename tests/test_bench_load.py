"""bench/load.py keeps working: the whole load benchmark at small scale, for one second per
page -- data generated, gunicorn started with production settings, logins through the
form, wrk on every page -- on a scratch database of the same kind as the test run's."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import load

ROOT = Path(__file__).resolve().parent.parent


def _scratch_database_url(tmp_path) -> str:
    """A new, empty database whose name says "bench", beside the test run's database: on
    PostgreSQL one left by an earlier run is dropped first (its migrations may be older)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'bench_load_smoke.sqlite3'}"
    name = f"{settings['NAME']}_bench_smoke"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    user, password = settings["USER"], settings["PASSWORD"]
    return f"postgres://{user}:{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (.ci/run installs it)"
)
@pytest.mark.django_db(transaction=True)
def test_load_benchmark_runs_at_small_scale_and_reports_every_page(tmp_path):
    doc = tmp_path / "performance.md"
    environment = os.environ | {"DATABASE_URL": _scratch_database_url(tmp_path)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--smoke", "--doc", str(doc)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]

    text = doc.read_text()
    assert text.startswith("# Performance") and load.START in text and load.END in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    labels = {row.split(" | ")[0].strip("|* ") for row in rows[1:]}
    for label in (
        "Hello world (plain Django view)",
        "Resident list, first page",
        "Resident list, page 101",
        "District dashboard",
        "Public corridor page",
        "Admin: residents",
        "Django admin default: residents",
        "District dashboard from raw records",
    ):
        assert label in labels, f"{label} missing from the table"
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        queries, per_second = cells[2].split()[0], cells[3].replace(",", "")
        assert int(queries) >= 0 and float(per_second) > 0, row
        assert "bad answers" not in cells[0], row
    assert "Targets:" in text and "gunicorn workers: at most" in text
    # Django admin's default changelist counts the whole table; the portal's pages do not.
    assert "| *Django admin default: residents* | admin |" in text
    assert any("(full COUNT)" in row for row in rows if "Django admin default" in row)
    assert not any("(full COUNT)" in row for row in rows if "Admin: residents" in row)
