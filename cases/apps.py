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

        from . import (  # noqa: F401 (tasks_documents: see below)
            dashboard,
            demo_documents,
            demo_transfers,
            demo_work,
            selectors,
            selectors_transfers,
            tasks_documents,
        )
        from .extensions import register_case_panel

        post_migrate.connect(_sync_builtin_lookups, sender=self, dispatch_uid="cases_lookups")
        # The audit trail names cases by reference and filters by it.
        register_case_references(
            references=selectors.audit_case_references, case_id=selectors.audit_case_id
        )
        # Where a case went or came from (another service of the provider), and its history.
        register_case_panel(
            5,
            "cases/_transfer_panel.html",
            selectors_transfers.case_transfer_panel,
            annotations=selectors_transfers.case_transfer_panel_annotations,
        )
        # After the other apps' demo records, so that the transferred case has a history.
        register_demo_seeder(80, demo_transfers.seed_demo_transfer)
        register_home_panel(
            Role.CASEWORKER, 10, "cases/home/caseworker_panel.html", dashboard.caseworker_panel
        )
        register_home_panel(
            Role.CASEWORKER, 12, "cases/home/tasks_panel.html", dashboard.tasks_panel
        )
        register_home_panel(
            Role.TEAM_LEADER, 20, "cases/home/team_leader_panel.html", dashboard.team_leader_panel
        )
        # tasks_documents is imported above so that workers know the scan task (autodiscovery
        # looks for cases.tasks only). Demo documents go on the cases the referrals made (10).
        register_demo_seeder(26, demo_documents.seed_demo_documents)
        register_home_panel(
            Role.TEAM_LEADER,
            21,
            "cases/home/transfers_panel.html",
            selectors_transfers.transfers_home_panel,
        )
        # After the cases (referrals, 10) and the support app's plans (25).
        register_demo_seeder(40, demo_work.seed_demo_work)
