from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_lookups(sender, **kwargs):
    from .services import sync_builtin_lookups

    sync_builtin_lookups()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Clients and cases"

    def ready(self):
        post_migrate.connect(_sync_builtin_lookups, sender=self, dispatch_uid="cases_lookups")
