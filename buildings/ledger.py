"""The database's guard over the ledger: UPDATE and DELETE on donations and expenses fail.

Installed by migration ``0004_ledger_guard`` on PostgreSQL (a trigger function) and SQLite
(RAISE triggers). The model refuses the same in Python; the triggers make raw SQL, bulk
updates and cascades refuse too.
"""

import contextlib

from communities import triggers

LEDGER_TABLES = ("buildings_donation", "buildings_expense")
MESSAGE = "ledger rows are immutable; record a reversing entry instead"


def _postgresql_install() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION corridor_ledger_immutable() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    ]
    for table in LEDGER_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION corridor_ledger_immutable()"
        )
    return statements


def _postgresql_remove() -> list[str]:
    statements = [f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}" for table in LEDGER_TABLES]
    statements.append("DROP FUNCTION IF EXISTS corridor_ledger_immutable()")
    return statements


def _sqlite_install() -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for table in LEDGER_TABLES
        for op in ("UPDATE", "DELETE")
    ]


def _sqlite_remove() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()}"
        for table in LEDGER_TABLES
        for op in ("UPDATE", "DELETE")
    ]


STATEMENTS = {
    "postgresql": (_postgresql_install, _postgresql_remove),
    "sqlite": (_sqlite_install, _sqlite_remove),
}


def _run(connection, which: int) -> None:
    triggers.run(connection, STATEMENTS, which, "ledger guard")


def install(connection) -> None:
    _run(connection, 0)


def remove(connection) -> None:
    _run(connection, 1)


@contextlib.contextmanager
def guard_lifted(connection):
    """Lift the guard for a maintenance step, and put it back whatever happens.

    Only for wiping whole test databases and for maintenance commands that an operator
    runs on purpose; the portal itself never calls it.
    """
    remove(connection)
    try:
        yield
    finally:
        install(connection)
