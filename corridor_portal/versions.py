"""Each community's data version: a number the database raises whenever a record that a
dashboard figure, a community's counts or a public corridor page is computed from changes
in that community.

The dashboards cache their figures per row (a community, a building, a unit) under a key
that holds the row's community's version (``corridor_portal.dashboard``). Triggers, not
signals or services, raise the version, so that every write counts -- forms, services,
the admin, bulk inserts (``generate_shifts``, imports, ``generate_scale``), cascades and raw
SQL alike -- and a cached figure can never outlive the data it was computed from.

PostgreSQL: one statement-level trigger per table and event, reading the statement's
transition tables, so a bulk insert of a million duty turns raises each version once.
SQLite: row-level triggers (SQLite has no statement-level triggers).

The table is ``communities.DataVersion`` (read through ``DataVersion.of``); the triggers are
installed by migration ``corridor_portal.0001_data_versions``, here at the top because they
reach every app's tables. A new community gets its row from a trigger too. A community
without a row (none should exist) is never cached.
"""

from __future__ import annotations

import re

from communities import triggers

VERSION_TABLE = "communities_dataversion"  # communities.models.DataVersion

# The community of a row ``r`` of each table, as SQL scalar subqueries. A row may belong to
# two communities' figures (a donation counts for its fund and for the donor's household),
# so each table lists every path.
_BUILDING_OF_UNIT = (
    "SELECT b.community_id FROM buildings_unit u "
    "JOIN buildings_building b ON b.id = u.building_id WHERE u.id = {unit}"
)
_OF_UNIT = "(" + _BUILDING_OF_UNIT + ")"
_OF_FUND = (
    "(SELECT b.community_id FROM buildings_fund f "
    "JOIN buildings_building b ON b.id = f.building_id WHERE f.id = r.fund_id)"
)
_OF_BUILDING = "(SELECT b.community_id FROM buildings_building b WHERE b.id = r.building_id)"
_OF_HOUSEHOLD = (
    "(SELECT b.community_id FROM buildings_household h JOIN buildings_unit u ON u.id = h.unit_id "
    "JOIN buildings_building b ON b.id = u.building_id WHERE h.id = {household})"
)
_OF_CORRIDOR = (
    "(SELECT b.community_id FROM exhibits_corridor c JOIN buildings_unit u ON u.id = c.unit_id "
    "JOIN buildings_building b ON b.id = u.building_id WHERE c.id = {corridor})"
)
_OF_EXHIBIT = (
    "(SELECT b.community_id FROM exhibits_exhibit e "
    "JOIN exhibits_corridor c ON c.id = e.corridor_id JOIN buildings_unit u ON u.id = c.unit_id "
    "JOIN buildings_building b ON b.id = u.building_id "
    "WHERE e.id = r.exhibit_id)"
)

# table → (the events that change figures, the community paths of a row ``r``)
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "exhibits_corridor": (("INSERT", "UPDATE", "DELETE"), (_OF_UNIT.format(unit="r.unit_id"),)),
    "exhibits_exhibit": (
        ("INSERT", "UPDATE", "DELETE"),
        (_OF_CORRIDOR.format(corridor="r.corridor_id"),),
    ),
    "exhibits_exhibittransition": (("INSERT", "UPDATE", "DELETE"), (_OF_EXHIBIT,)),
    # The photos of the public corridor pages.
    "exhibits_exhibitphoto": (("INSERT", "UPDATE", "DELETE"), (_OF_EXHIBIT,)),
    "buildings_household": (("INSERT", "UPDATE", "DELETE"), (_OF_UNIT.format(unit="r.unit_id"),)),
    # The community's counts (the community list and page): through the household, which
    # SQLite's triggers may reach before the resident's own community is set.
    "buildings_resident": (
        ("INSERT", "UPDATE", "DELETE"),
        (_OF_HOUSEHOLD.format(household="r.household_id"),),
    ),
    # The ledger refuses UPDATE and DELETE (buildings/ledger.py): inserts are all there is.
    "buildings_donation": (
        ("INSERT",),
        (_OF_FUND, _OF_HOUSEHOLD.format(household="r.donor_household_id")),
    ),
    "buildings_expense": (("INSERT",), (_OF_FUND,)),
    "buildings_dutyshift": (
        ("INSERT", "UPDATE", "DELETE"),
        (
            "(SELECT b.community_id FROM buildings_dutyroster d JOIN buildings_unit u "
            "ON u.id = d.unit_id JOIN buildings_building b ON b.id = u.building_id "
            "WHERE d.id = r.roster_id)",
            _OF_HOUSEHOLD.format(household="r.household_id"),
        ),
    ),
    # A fund, unit or building that moves takes its records' figures with it.
    "buildings_fund": (("UPDATE", "DELETE"), (_OF_BUILDING,)),
    "buildings_unit": (("INSERT", "UPDATE", "DELETE"), (_OF_BUILDING,)),
    "buildings_building": (("INSERT", "UPDATE", "DELETE"), ("r.community_id",)),
    "engagement_suggestion": (("INSERT", "UPDATE", "DELETE"), ("r.community_id",)),
    "engagement_guidancevisit": (("INSERT", "UPDATE", "DELETE"), ("r.community_id",)),
    "engagement_guidanceproblem": (
        ("INSERT", "UPDATE", "DELETE"),
        ("(SELECT v.community_id FROM engagement_guidancevisit v WHERE v.id = r.visit_id)",),
    ),
    # The community's own figures (its corridor target).
    "communities_community": (("UPDATE",), ("r.id",)),
}


def _name(table: str, event: str) -> str:
    return f"corridor_dv_{table}_{event.lower()}"


def _communities_sql(table: str, aliases: tuple[str, ...]) -> str:
    """``SELECT community FROM <each alias>`` for every path of ``table``, united."""
    parts = []
    for alias in aliases:
        for path in SOURCES[table][1]:
            parts.append(f"SELECT {path} FROM {alias} r")
    return " UNION ".join(parts)


# PostgreSQL ---------------------------------------------------------------------------


def _postgresql_install() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION corridor_dv_new_community() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {VERSION_TABLE} (community_id, number)
                SELECT id, 1 FROM new_rows ON CONFLICT DO NOTHING;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER corridor_dv_communities_community_insert AFTER INSERT "
        "ON communities_community REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION corridor_dv_new_community()",
    ]
    for table, (events, _paths) in SOURCES.items():
        for event in events:
            transition = {
                "INSERT": ("REFERENCING NEW TABLE AS new_rows", ("new_rows",)),
                "DELETE": ("REFERENCING OLD TABLE AS old_rows", ("old_rows",)),
                "UPDATE": (
                    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                    ("old_rows", "new_rows"),
                ),
            }[event]
            name = _name(table, event)
            # Ordered by community so that two bulk statements lock the rows in one order.
            statements.append(
                f"""
                CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN
                    UPDATE {VERSION_TABLE} SET number = number + 1
                    WHERE community_id IN (
                        SELECT community_id FROM {VERSION_TABLE}
                        WHERE community_id IN ({_communities_sql(table, transition[1])})
                        ORDER BY community_id FOR UPDATE
                    );
                    RETURN NULL;
                END;
                $$ LANGUAGE plpgsql
                """
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {transition[0]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return statements


def _postgresql_remove() -> list[str]:
    statements = [
        "DROP TRIGGER IF EXISTS corridor_dv_communities_community_insert ON communities_community",
        "DROP FUNCTION IF EXISTS corridor_dv_new_community()",
    ]
    for table, (events, _paths) in SOURCES.items():
        for event in events:
            name = _name(table, event)
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements


# SQLite -------------------------------------------------------------------------------


def _sqlite_install() -> list[str]:
    statements = [
        "CREATE TRIGGER corridor_dv_communities_community_insert AFTER INSERT "
        f"ON communities_community BEGIN INSERT OR IGNORE INTO {VERSION_TABLE} "
        "(community_id, number) VALUES (NEW.id, 1); END"
    ]
    for table, (events, paths) in SOURCES.items():
        for event in events:
            rows = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]
            # Row-level: the paths read the row through NEW / OLD instead of an alias.
            communities = ", ".join(
                re.sub(r"\br\.", f"{row}.", path) for row in rows for path in paths
            )
            statements.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} BEGIN "
                f"UPDATE {VERSION_TABLE} SET number = number + 1 "
                f"WHERE community_id IN ({communities}); END"
            )
    return statements


def _sqlite_remove() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS corridor_dv_communities_community_insert"]
    for table, (events, _paths) in SOURCES.items():
        statements.extend(f"DROP TRIGGER IF EXISTS {_name(table, event)}" for event in events)
    return statements


STATEMENTS = {
    "postgresql": (_postgresql_install, _postgresql_remove),
    "sqlite": (_sqlite_install, _sqlite_remove),
}


def _run(connection, which: int) -> None:
    triggers.run(connection, STATEMENTS, which, "data-version triggers")


def install(connection) -> None:
    """Create the triggers, and a version row for every community that has none."""
    _run(connection, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (community_id, number) SELECT c.id, 1 "
            f"FROM communities_community c WHERE NOT EXISTS (SELECT 1 FROM {VERSION_TABLE} v "
            "WHERE v.community_id = c.id)"
        )


def remove(connection) -> None:
    _run(connection, 1)
