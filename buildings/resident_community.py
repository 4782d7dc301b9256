"""``Resident.community``: the community of the resident's household, kept by the database.

A resident reaches its community through household → unit → building. The resident list
and every scoped query on residents filter by community; through those joins a keyset page
of a community's residents walked the name index of the whole district (about 20 ms at
250,000 residents), where the column and its index ``(community, name, id)`` make a page
one index range (docs/performance.md).

Triggers keep the column right however a row is written -- ``save()``, ``bulk_create``,
COPY, raw SQL -- and when a household, unit or building moves. Installed by migration
``buildings.0009_resident_community`` on PostgreSQL (a BEFORE trigger sets the value) and
SQLite (AFTER triggers correct it, as SQLite triggers cannot change the row being written).
``Resident.save()`` also sets it in Python, so that a new instance knows it before a reload.
"""

from communities import triggers

COMMUNITY_OF_HOUSEHOLD = (
    "SELECT b.community_id FROM buildings_household h "
    "JOIN buildings_unit u ON u.id = h.unit_id "
    "JOIN buildings_building b ON b.id = u.building_id WHERE h.id = {household}"
)


def _postgresql_install() -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION corridor_resident_community() RETURNS trigger AS $$
        BEGIN
            NEW.community_id := ({COMMUNITY_OF_HOUSEHOLD.format(household="NEW.household_id")});
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER buildings_resident_community BEFORE INSERT OR UPDATE OF "
        "household_id, community_id ON buildings_resident FOR EACH ROW "
        "EXECUTE FUNCTION corridor_resident_community()",
        # A household, unit or building that moves takes its residents along: the update
        # of community_id fires the trigger above, which reads the new place.
        """
        CREATE OR REPLACE FUNCTION corridor_residents_follow() RETURNS trigger AS $$
        BEGIN
            IF TG_TABLE_NAME = 'buildings_household' THEN
                UPDATE buildings_resident SET community_id = NULL WHERE household_id = NEW.id;
            ELSIF TG_TABLE_NAME = 'buildings_unit' THEN
                UPDATE buildings_resident SET community_id = NULL WHERE household_id IN
                    (SELECT id FROM buildings_household WHERE unit_id = NEW.id);
            ELSE
                UPDATE buildings_resident SET community_id = NULL WHERE household_id IN
                    (SELECT h.id FROM buildings_household h
                     JOIN buildings_unit u ON u.id = h.unit_id WHERE u.building_id = NEW.id);
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        "CREATE TRIGGER buildings_household_residents_follow AFTER UPDATE OF unit_id "
        "ON buildings_household FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) "
        "EXECUTE FUNCTION corridor_residents_follow()",
        "CREATE TRIGGER buildings_unit_residents_follow AFTER UPDATE OF building_id "
        "ON buildings_unit FOR EACH ROW WHEN (OLD.building_id IS DISTINCT FROM NEW.building_id) "
        "EXECUTE FUNCTION corridor_residents_follow()",
        "CREATE TRIGGER buildings_building_residents_follow AFTER UPDATE OF community_id "
        "ON buildings_building FOR EACH ROW "
        "WHEN (OLD.community_id IS DISTINCT FROM NEW.community_id) "
        "EXECUTE FUNCTION corridor_residents_follow()",
    ]


def _postgresql_remove() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS buildings_resident_community ON buildings_resident",
        "DROP TRIGGER IF EXISTS buildings_household_residents_follow ON buildings_household",
        "DROP TRIGGER IF EXISTS buildings_unit_residents_follow ON buildings_unit",
        "DROP TRIGGER IF EXISTS buildings_building_residents_follow ON buildings_building",
        "DROP FUNCTION IF EXISTS corridor_resident_community()",
        "DROP FUNCTION IF EXISTS corridor_residents_follow()",
    ]


def _sqlite_install() -> list[str]:
    of_new = COMMUNITY_OF_HOUSEHOLD.format(household="NEW.household_id")
    recompute = (
        "UPDATE buildings_resident SET community_id = ("
        + COMMUNITY_OF_HOUSEHOLD.format(household="buildings_resident.household_id")
        + ") WHERE {where}"
    )
    return [
        "CREATE TRIGGER buildings_resident_community_insert AFTER INSERT ON buildings_resident "
        f"BEGIN UPDATE buildings_resident SET community_id = ({of_new}) WHERE id = NEW.id; END",
        "CREATE TRIGGER buildings_resident_community_update AFTER UPDATE OF "
        "household_id, community_id ON buildings_resident "
        f"BEGIN UPDATE buildings_resident SET community_id = ({of_new}) WHERE id = NEW.id; END",
        "CREATE TRIGGER buildings_household_residents_follow AFTER UPDATE OF unit_id "
        "ON buildings_household WHEN OLD.unit_id IS NOT NEW.unit_id BEGIN "
        + recompute.format(where="household_id = NEW.id")
        + "; END",
        "CREATE TRIGGER buildings_unit_residents_follow AFTER UPDATE OF building_id "
        "ON buildings_unit WHEN OLD.building_id IS NOT NEW.building_id BEGIN "
        + recompute.format(
            where="household_id IN (SELECT id FROM buildings_household WHERE unit_id = NEW.id)"
        )
        + "; END",
        "CREATE TRIGGER buildings_building_residents_follow AFTER UPDATE OF community_id "
        "ON buildings_building WHEN OLD.community_id IS NOT NEW.community_id BEGIN "
        + recompute.format(
            where="household_id IN (SELECT h.id FROM buildings_household h "
            "JOIN buildings_unit u ON u.id = h.unit_id WHERE u.building_id = NEW.id)"
        )
        + "; END",
    ]


def _sqlite_remove() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "buildings_resident_community_insert",
            "buildings_resident_community_update",
            "buildings_household_residents_follow",
            "buildings_unit_residents_follow",
            "buildings_building_residents_follow",
        )
    ]


STATEMENTS = {
    "postgresql": (_postgresql_install, _postgresql_remove),
    "sqlite": (_sqlite_install, _sqlite_remove),
}


def _run(connection, which: int) -> None:
    triggers.run(connection, STATEMENTS, which, "resident community triggers")


def install(connection) -> None:
    """Create the triggers and fill the column of the rows already there."""
    _run(connection, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE buildings_resident SET community_id = ("
            + COMMUNITY_OF_HOUSEHOLD.format(household="buildings_resident.household_id")
            + ")"
        )


def remove(connection) -> None:
    _run(connection, 1)
