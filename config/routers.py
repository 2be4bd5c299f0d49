"""Database routing: a report's reads go to the reporting database (a replica) when one is
configured (reporting.database); every other read and every write stays on default."""


class ReportingRouter:
    def db_for_read(self, model, **hints):
        # Imported here: settings load this module before the apps are ready.
        from reporting.database import in_report, reporting_alias

        return reporting_alias() if in_report() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # Asked on every foreign key set on a row (a bulk import sets hundreds of thousands):
        # the same database, the usual answer, is given before the import below, which cost a
        # tenth of an import's time.
        if obj1._state.db == obj2._state.db:
            return True
        from reporting.database import REPORTING_ALIAS

        # The replica is a copy of default: an object read from either relates to the other.
        if {obj1._state.db, obj2._state.db} <= {"default", REPORTING_ALIAS}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        from reporting.database import REPORTING_ALIAS

        # Migrations run on default; the replica copies them.
        if db == REPORTING_ALIAS:
            return False
        return None
