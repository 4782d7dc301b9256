"""``manage.py load_demo``: load the report's district, communities, people and demo logins."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from corridor_portal.demo import DEFAULT_PASSWORD, format_logins, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data of the report (东安区, 清福/花园/建福社区): buildings, residents, "
        "funds, corridors and exhibits with generated photos, duty rosters, the pilot's "
        "campaign, suggestions and poll, guidance visits, theme rules, and one login per role. "
        "Idempotent: "
        "running it again restores the demo rows and passwords and keeps existing exhibits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                "Password for every demo login "
                f"(default: $DEMO_PASSWORD, else {DEFAULT_PASSWORD!r})."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (demo logins with a known password!).",
        )

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: it creates logins with a known "
                "password. Set DEBUG=1, or pass --force if this really is a demo site."
            )
        if password is None:
            password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not password:
            raise CommandError("The demo password must not be empty.")

        result = load_demo(password=password, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(format_logins(result.logins, password))
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
