"""A SQLite database that was never analysed is analysed when a connection opens."""

import pytest
from django.db import connection

from corridor_portal import sqlite_stats
from tests import factories


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics only")
@pytest.mark.django_db
def test_a_database_never_analysed_gets_statistics():
    factories.HouseholdFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")

    sqlite_stats._analyse_once(sender=None, connection=connection)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'buildings_household'")
        assert cursor.fetchone()[0] > 0
