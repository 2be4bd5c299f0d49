"""The PostgreSQL role Lantern's web and worker processes run as.

Migrations run as the database's owner; the app connects as another role (DATABASE_APP_ROLE) that
owns nothing. It may read and write rows, but it cannot TRUNCATE, ALTER or drop a table, nor
disable a trigger (all need ownership), so the audit trail's append-only trigger binds it; on the
audit tables it has no UPDATE or DELETE either. The grants are applied after every `migrate`, so a
table added by a later migration is covered the moment it exists.

docker-compose.yml creates both roles (docker/postgres/init-roles.sh); the README says how to set
them up on another server.
"""

from django.conf import settings
from django.db import connections

# Rows the app writes in the ordinary way: everything but the schema itself.
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# Append-only: the app adds rows and reads them, nothing more.
AUDIT_TABLES = ("accounts_auditevent", "auditlog_logentry")
ERASE_HISTORY_FUNCTION = "lantern_erase_history(integer, text[])"


def grant_app_role(connection, role: str) -> None:
    """Give `role` the row privileges the app needs on every table and sequence of the schema,
    and only INSERT and SELECT on the audit tables. Idempotent."""
    quoted_role = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted_role}")
        cursor.execute(
            f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {quoted_role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted_role}")
        # The one way to delete change history: an erasure's (dataprotection migration 0003).
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [ERASE_HISTORY_FUNCTION])
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {ERASE_HISTORY_FUNCTION} TO {quoted_role}")
        existing = set(connection.introspection.table_names(cursor))
        for table in AUDIT_TABLES:
            if table in existing:
                cursor.execute(
                    f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} "
                    f"FROM {quoted_role}"
                )


def grant_app_role_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: re-apply the grants when an app role is configured."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    if role and connection.vendor == "postgresql":
        grant_app_role(connection, role)


def check_app_role(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default`: warns when the app connects as a role that could
    empty the audit trail (a superuser, or the owner of the audit table)."""
    from django.core.checks import Warning

    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE') "
                "FROM pg_roles r LEFT JOIN pg_class c ON c.relname = %s "
                "AND c.relnamespace = 'public'::regnamespace WHERE r.rolname = current_user",
                [AUDIT_TABLES[0]],
            )
            is_superuser, owns_audit = cursor.fetchone()
        if is_superuser or owns_audit:
            found.append(
                Warning(
                    "The app connects to the database as a superuser or as the owner of the "
                    "audit table, so it could empty or alter the audit trail.",
                    hint="Connect as a role that owns nothing (DATABASE_APP_ROLE); run "
                    "migrations as the owner. See the README, 'The full stack'.",
                    id="lantern.W001",
                    obj=alias,
                )
            )
    return found
