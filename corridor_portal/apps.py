from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorridorPortalConfig(AppConfig):
    name = "corridor_portal"
    verbose_name = _("Corridor Portal")

    def ready(self):
        # Connects the login signal receivers (failure reset, session idle stamp).
        from corridor_portal import (
            login,  # noqa: F401
            sqlite_stats,
        )

        sqlite_stats.connect()
