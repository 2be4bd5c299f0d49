from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, services and audit"

    def ready(self):
        from . import mfa, signals  # noqa: F401  (second-factor set-up; sign-in events audited)
