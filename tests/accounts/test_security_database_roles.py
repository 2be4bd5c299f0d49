"""Issue 16, item 8: the app's database role cannot empty or alter the audit trail.

The role is real: it is created on the test cluster, granted by the same post-migrate step that
production uses, and the statements are sent through its own connection.
"""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors

from accounts.audit import record_event
from accounts.models import AuditEvent

APP_ROLE = "lantern_app_test"
APP_PASSWORD = "lantern-app-test-only"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role(settings):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                f"PASSWORD '{APP_PASSWORD}'"
            )
    settings.DATABASE_APP_ROLE = APP_ROLE
    # The same step as in production: migrate grants the configured role after every run.
    call_command("migrate", verbosity=0)
    return APP_ROLE


@pytest.fixture
def app_connection(app_role):
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        dbname=params["NAME"],
        user=app_role,
        password=APP_PASSWORD,
        autocommit=True,
    ) as app:
        yield app


def _refused(app, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)


def test_item_8_app_role_cannot_truncate_alter_or_rewrite_the_audit_trail(app_connection):
    record_event(actor=None, action=AuditEvent.Action.LOGIN_FAILED, actor_email="x@example.org")

    for table in ("accounts_auditevent", "auditlog_logentry"):
        _refused(app_connection, f"TRUNCATE {table}")
        _refused(app_connection, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        _refused(app_connection, f"DROP TABLE {table}")
        _refused(app_connection, f"UPDATE {table} SET id = id")  # noqa: S608
        _refused(app_connection, f"DELETE FROM {table}")  # noqa: S608

    assert AuditEvent.objects.filter(actor_email="x@example.org").count() == 1


def test_item_8_app_role_reads_and_writes_rows_and_appends_to_the_audit_trail(app_connection):
    app_connection.execute("UPDATE accounts_user SET full_name = full_name WHERE false")
    app_connection.execute("SELECT count(*) FROM cases_case").fetchone()
    app_connection.execute(
        "INSERT INTO accounts_auditevent (at, actor_email, action, object_type, object_id, "
        "object_label, detail) VALUES (now(), 'app@example.org', 'login', '', '', '', '{}')"
    )
    assert AuditEvent.objects.filter(actor_email="app@example.org").exists()


def test_item_8_app_role_owns_nothing(app_connection):
    owned = app_connection.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = current_user"
    ).fetchone()[0]
    is_superuser = app_connection.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()[0]
    assert owned == 0
    assert is_superuser is False


def test_item_8_check_warns_when_the_app_connects_as_a_superuser():
    # The tests connect as the cluster's superuser (to create test databases): the check says so.
    from accounts.database_roles import check_app_role

    warnings = check_app_role(databases=["default"])
    assert [w.id for w in warnings] == ["lantern.W001"]


def test_item_8_check_is_quiet_for_the_app_role(app_role, settings):
    from django.db import connections

    from accounts.database_roles import check_app_role

    params = dict(connection.settings_dict, USER=app_role, PASSWORD=APP_PASSWORD)
    app = connections.create_connection("default")
    app.settings_dict = params
    connections["as_app_role"] = app
    try:
        assert check_app_role(databases=["as_app_role"]) == []
    finally:
        app.close()
        del connections["as_app_role"]
