from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, services and audit"

    def ready(self):
        from . import mfa, signals  # noqa: F401  (second-factor set-up; sign-in events audited)
        from .database_roles import check_app_role, grant_app_role_after_migrate

        # post_migrate is sent once per app after the whole migrate: keyed on this app, the
        # grants run once, when every table exists.
        post_migrate.connect(
            grant_app_role_after_migrate, sender=self, dispatch_uid="lantern-grant-app-role"
        )
        checks.register(check_app_role, checks.Tags.database)
