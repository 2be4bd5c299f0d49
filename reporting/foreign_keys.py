"""PostgreSQL's per-row foreign-key checks, replaced by one check per row pointed at.

A bulk load (generate_cases, the case-bundle import) writes tens of thousands of rows a batch,
each with a few foreign keys: PostgreSQL checks every key of every row with a trigger, locking the
row pointed at each time (the same questions, options and cases again and again). Its own advice
for bulk loads is to load first and check the keys afterwards, set-based ("Populating a
Database"). Where the connection's role may set session_replication_role (a superuser, or a role
granted SET on that parameter: docs/scaling.md), a batch turns the per-row checks off for its own
writes (per_row_checks_off), notes every value its rows point at (ReferenceCheck), checks each
once (verify) and turns them on again (per_row_checks_on). Elsewhere every row is checked by
PostgreSQL as always. session_replication_role = replica also holds back any other trigger: the
tables these loads write have none (the append-only and membership triggers are on other tables
or on UPDATE and DELETE only).
"""

from django.db import DatabaseError, IntegrityError, transaction


class ReferenceCheck:
    """The rows that a batch's rows point at, by table and column, each checked once at the end
    of the batch (verify), in place of PostgreSQL's check of every foreign key of every row. The
    check takes the lock the per-row check takes (FOR KEY SHARE), so nothing it names can be
    deleted before the batch commits; unique and check constraints are not triggers and hold as
    always."""

    def __init__(self):
        self.ids: dict[tuple[str, str], set] = {}

    def pointed_at(self, field) -> set:
        """The set collecting the values of foreign key `field`."""
        target = field.target_field
        return self.ids.setdefault((target.model._meta.db_table, target.column), set())

    def pointers(self, table, names) -> list[tuple[int, set]]:
        """(position in a row of `names`, the set its values go to) for each foreign key among
        `names`; a foreign key the rows leave at its default is noted once here. `table`: its
        model and the defaults of the fields the rows leave out (synthetic._Table)."""
        fields = {field.attname: field for field in table.model._meta.concrete_fields}
        pointers = []
        for attname, default in table.defaults.items():
            field = fields[attname]
            if not field.is_relation:
                continue
            if attname in names:
                pointers.append((names.index(attname), self.pointed_at(field)))
            elif default is not None:
                self.pointed_at(field).add(default)
        return pointers

    def verify(self, connection) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for (db_table, column), ids in self.ids.items():
                ids.discard(None)
                if not ids:
                    continue
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM "  # noqa: S608 - a model's table
                    f"{quote(db_table)} WHERE {quote(column)} = ANY(%s) FOR KEY SHARE) AS found",
                    [sorted(ids)],
                )
                (found,) = cursor.fetchone()
                if found != len(ids):
                    raise IntegrityError(
                        f"{len(ids) - found} row(s) of {db_table} that generated rows point "
                        "at do not exist."
                    )


def per_row_checks_off(connection) -> bool:
    """Turns PostgreSQL's per-row foreign-key checks off for the rest of the transaction, where
    the connection's role may (ReferenceCheck); True if it did."""
    if connection.vendor != "postgresql":  # the setting is PostgreSQL's
        return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not allowed to: every row is checked by PostgreSQL
        return False
    return True


def per_row_checks_on(connection) -> None:
    """Turns PostgreSQL's per-row checks on again for the rest of the transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
