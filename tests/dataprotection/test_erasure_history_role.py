"""The change history of erased records is deleted through lantern_erase_history only: the app's
own role (real, as in production) has no DELETE on the table, even with the trigger's flag set,
and the function deletes the entries of the objects it is given and nothing else."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from psycopg import errors

from cases.models import ClientAlias
from tests.accounts.test_security_database_roles import app_connection, app_role  # noqa: F401
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_app_role_erases_history_only_through_the_function(app_connection):  # noqa: F811
    client = ClientFactory()
    erased = ClientAlias.objects.create(client=client, name="Erased alias")
    kept = ClientAlias.objects.create(client=client, name="Kept alias")
    alias_type = ContentType.objects.get_for_model(ClientAlias).pk
    assert LogEntry.objects.filter(content_type_id=alias_type).count() == 2

    with app_connection.transaction(), pytest.raises(errors.InsufficientPrivilege):
        app_connection.execute("SELECT set_config('lantern.erasing_history', 'on', true)")
        app_connection.execute("DELETE FROM auditlog_logentry")

    with app_connection.transaction():
        removed = app_connection.execute(
            "SELECT lantern_erase_history(%s, %s)", [alias_type, [str(erased.pk)]]
        ).fetchone()[0]
        # The flag does not outlive the call, even inside the caller's transaction.
        flag = app_connection.execute(
            "SELECT current_setting('lantern.erasing_history', true)"
        ).fetchone()[0]

    assert removed == 1 and flag == "off"
    assert list(
        LogEntry.objects.filter(content_type_id=alias_type).values_list("object_pk", flat=True)
    ) == [str(kept.pk)]
