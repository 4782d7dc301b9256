"""Delete one-time form tokens once no page sent twice can still carry them."""

from django.core.management.base import BaseCommand

from communities import concurrency


class Command(BaseCommand):
    help = (
        "Delete one-time form tokens used more than --days ago "
        f"(default {concurrency.SUBMISSION_DAYS})."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=concurrency.SUBMISSION_DAYS)

    def handle(self, *args, days, **options):
        deleted = concurrency.purge_tokens(days=days)
        if options["verbosity"]:
            self.stdout.write(f"{deleted} form token(s) deleted.")
