"""Installing database triggers written per database vendor.

The ledger's guard (buildings/ledger.py), the residents' community (buildings/
resident_community.py) and the data versions (corridor_portal/versions.py) each give, per
vendor, a function for the statements that install their triggers and one for those that
remove them; their migrations run them through :func:`run`.
"""

from collections.abc import Callable

Statements = dict[str, tuple[Callable[[], list[str]], Callable[[], list[str]]]]


def run(connection, statements: Statements, which: int, what: str) -> None:
    """Execute the install (``which`` 0) or remove (1) statements of ``what``."""
    if connection.vendor not in statements:
        raise NotImplementedError(f"no {what} for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements[connection.vendor][which]():
            cursor.execute(statement)
