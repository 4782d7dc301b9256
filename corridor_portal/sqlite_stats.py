"""SQLite gathers no statistics by itself: without ``ANALYZE`` its planner guesses, and on
the dashboards' grouped queries it guessed badly enough to take 27 s at 5,000 households
instead of 12 ms (docs/performance.md). A new connection to a SQLite database that has
never been analysed analyses it once (milliseconds for a small database), and every
connection asks SQLite to refresh statistics that have gone stale when it closes
(``PRAGMA optimize``), which persistent connections do every ``CONN_MAX_AGE`` seconds."""

from django.db.backends.signals import connection_created


def _analyse_once(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        analysed = cursor.fetchone() is not None
        if analysed:
            cursor.execute("SELECT 1 FROM sqlite_stat1 LIMIT 1")
            analysed = cursor.fetchone() is not None
        if not analysed:
            cursor.execute("ANALYZE")
    close = connection.close

    def close_with_optimize():
        if connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA optimize")
            except Exception:  # noqa: BLE001 -- closing must not fail for statistics
                pass
        close()

    if not getattr(connection, "_optimize_on_close", False):
        connection.close = close_with_optimize
        connection._optimize_on_close = True


def connect() -> None:
    connection_created.connect(_analyse_once, dispatch_uid="corridor_sqlite_stats")
