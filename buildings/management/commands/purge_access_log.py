"""Delete access-log entries older than the retention period (docs/privacy.md)."""

from django.core.management.base import BaseCommand, CommandError

from buildings import privacy


class Command(BaseCommand):
    help = (
        "Delete access-log entries older than --days (default: the ACCESS_LOG_DAYS setting, "
        "365). Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = privacy.purge_access_log(days=days)
        self.stdout.write(f"{deleted} access-log entr{'y' if deleted == 1 else 'ies'} deleted.")
