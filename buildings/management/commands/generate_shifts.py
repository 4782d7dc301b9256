"""``manage.py generate_shifts --weeks N [--unit-ids ID ...]``: plan the coming weeks of every
active duty roster in batches (see buildings/roster_bulk.py)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from buildings import roster_bulk


class Command(BaseCommand):
    help = (
        "Generate the shifts of the coming --weeks (from today, as the roster page does) for "
        "every active duty roster, or for the active rosters of --unit-ids. Reads a batch of "
        "rosters in a few queries and writes with bulk inserts; running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, required=True, help="Weeks ahead, 1 to 104.")
        parser.add_argument(
            "--unit-ids",
            type=int,
            nargs="+",
            metavar="ID",
            help="Only the rosters of these units.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=roster_bulk.ROSTER_BATCH,
            help=f"Rosters read and written together (default {roster_bulk.ROSTER_BATCH}).",
        )

    def handle(self, *args, weeks, unit_ids=None, batch_size, **options):
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks must be between 1 and 104.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        today = timezone.localdate()
        last = today + timedelta(weeks=weeks)  # the horizon of roster_services.shifts_generate
        verbose = options["verbosity"] >= 2

        def progress(result):
            if verbose:
                self.stdout.write(f"  {result.rosters} rosters, {result.created} shifts")

        result = roster_bulk.generate_many(
            first=today,
            last=last,
            rosters=roster_bulk.active_rosters(unit_ids),
            batch_size=batch_size,
            progress=progress,
        )
        self.stdout.write(
            f"{result.created} shifts generated for {result.rosters} active rosters "
            f"from {today} to {last} ({result.batches} batches)."
        )
