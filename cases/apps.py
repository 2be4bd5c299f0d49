from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_lookups(sender, **kwargs):
    from .services import sync_builtin_lookups

    sync_builtin_lookups()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Clients and cases"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.models import Role

        from . import dashboard

        post_migrate.connect(_sync_builtin_lookups, sender=self, dispatch_uid="cases_lookups")
        register_home_panel(
            Role.CASEWORKER, 10, "cases/home/caseworker_panel.html", dashboard.caseworker_panel
        )
        register_home_panel(
            Role.TEAM_LEADER, 20, "cases/home/team_leader_panel.html", dashboard.team_leader_panel
        )
