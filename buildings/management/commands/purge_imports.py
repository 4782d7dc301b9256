"""Delete uploaded roster files whose preview was never confirmed."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from buildings.importing import UPLOAD_DIR


class Command(BaseCommand):
    help = "Delete roster uploads awaiting confirmation for longer than --hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        cutoff = timezone.now() - timedelta(hours=hours)
        try:
            _dirs, files = default_storage.listdir(UPLOAD_DIR)
        except FileNotFoundError:
            files = []
        deleted = 0
        for name in files:
            path = f"{UPLOAD_DIR}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        self.stdout.write(f"{deleted} stale upload(s) deleted.")
