from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, services and audit"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in events go to the audit trail)
