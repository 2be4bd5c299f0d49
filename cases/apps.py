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
        from accounts.demo import register_demo_seeder
        from accounts.models import Role
        from accounts.selectors import register_case_references

        from . import dashboard, demo_work, selectors

        post_migrate.connect(_sync_builtin_lookups, sender=self, dispatch_uid="cases_lookups")
        # The audit trail names cases by reference and filters by it.
        register_case_references(
            references=selectors.audit_case_references, case_id=selectors.audit_case_id
        )
        register_home_panel(
            Role.CASEWORKER, 10, "cases/home/caseworker_panel.html", dashboard.caseworker_panel
        )
        register_home_panel(
            Role.CASEWORKER, 12, "cases/home/tasks_panel.html", dashboard.tasks_panel
        )
        register_home_panel(
            Role.TEAM_LEADER, 20, "cases/home/team_leader_panel.html", dashboard.team_leader_panel
        )
        # After the cases (referrals, 10) and the support app's plans (25).
        register_demo_seeder(40, demo_work.seed_demo_work)
