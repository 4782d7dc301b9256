"""``manage.py generate_scale``: fill the database with a generated district (or city).

See docs/scale.md. It writes only into a database that is empty (right after ``migrate``)
or that holds data generated before (the marker says so); ``--force`` deletes whatever a
database holds first.
"""

import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from corridor_portal import scale as scales


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date such as 2026-05-01, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Fill the database with generated, internally consistent data at a scale: small (a "
        "few seconds, every kind of record), district (DESIGN.md's 100,000 households) or "
        "city (ten districts). Refuses a database holding records it did not generate "
        "unless --force, which deletes them first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", required=True, choices=sorted(scales.SCALES))
        parser.add_argument("--seed", type=int, default=1, help="Seed of the data (1).")
        parser.add_argument(
            "--today",
            type=_day,
            help="The day the data counts from, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--password",
            default=scales.DEFAULT_PASSWORD,
            help=f"Password of every generated login (default {scales.DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Delete everything in the database first, even records generate_scale did "
                "not write; also regenerate data of the same scale and seed."
            ),
        )

    def handle(self, *args, scale, seed, today, password, force, **options):
        if not password:
            raise CommandError("The password must not be empty.")
        connection = connections[DEFAULT_DB_ALIAS]
        chosen = scales.SCALES[scale]
        began = time.perf_counter()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write("Migrating the database first.")
            call_command("migrate", verbosity=0, interactive=False)
        note = f"generate_scale scale={scale} seed={seed}"
        current = scales.marker_note(connection)
        done = current and current.startswith(f"{note} today=") and ": complete" in current
        if done and not force:
            self.stdout.write(
                f"Already generated ({current}); nothing to do. Pass --force to generate it again."
            )
            return
        if current is None and not force:
            table = scales.first_foreign_rows(connection)
            if table is not None:
                raise CommandError(
                    f"Refusing to write into {connection.settings_dict['NAME']}: it holds "
                    f"records generate_scale did not write ({table} has rows). Use an empty "
                    "database, or pass --force to delete everything in it first."
                )
        if current is not None or force:
            self.stderr.write("Deleting the rows in the database.")
            scales.wipe(connection)
        scales.set_marker(connection, f"{note}: being generated")

        generator = scales.Generator(
            chosen, seed=seed, today=today, prefix="scale", log=self.stderr.write
        )
        timings = generator.write(password=password)
        statement_began = time.perf_counter()
        statement = scales.analyze(connection)
        timings[statement] = time.perf_counter() - statement_began
        total = time.perf_counter() - began
        scales.set_marker(
            connection, f"{note} today={generator.today:%Y-%m-%d}: complete, {total:.0f} s"
        )
        self.report(chosen, generator, timings, total, password)

    def report(self, chosen, generator, timings, total, password):
        write = self.stdout.write
        write(
            f"Generated the {chosen.name} scale (seed {generator.seed}, today "
            f"{generator.today:%Y-%m-%d}) in {total:.0f} s on {connections['default'].vendor}."
        )
        for name, seconds in timings.items():
            write(f"  {name}: {seconds:.1f} s")
        write("Rows:")
        for label, count in generator.writer.counts.items():
            write(f"  {label}: {count:,}")
        write(f"Logins (password {password!r}):")
        shown: dict[str, int] = {}
        for login in generator.logins:
            shown[login.role] = shown.get(login.role, 0) + 1
            if shown[login.role] <= 2:
                write(f"  {login.username:<24} {login.role:<10} {login.where}")
        for role, count in shown.items():
            if count > 2:
                write(f"  … {count:,} {role} logins in all, numbered the same way")
        self.stdout.write(self.style.SUCCESS("Done."))
