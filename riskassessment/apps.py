from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_shipped_checklists(sender, **kwargs):
    from .services import checklists_sync_shipped

    checklists_sync_shipped()


class RiskAssessmentConfig(AppConfig):
    name = "riskassessment"
    verbose_name = "Risk assessment and MARAC"

    def ready(self):
        from accounts.demo import register_demo_seeder
        from cases.extensions import (
            register_case_panel,
            register_closure_check,
            register_prompt_source,
            register_timeline_source,
        )

        from . import case_page, closure_checks, dashboard, demo

        post_migrate.connect(
            _sync_shipped_checklists, sender=self, dispatch_uid="riskassessment_checklists"
        )
        register_case_panel(
            20,
            "riskassessment/_case_panel.html",
            case_page.case_panel_context,
            annotations=case_page.case_panel_annotations,
        )
        register_timeline_source(case_page.case_timeline)
        register_closure_check(closure_checks.closure_gaps)
        register_prompt_source("team_leader", case_page.team_leader_prompts)
        register_demo_seeder(20, demo.seed)
        self._register_home_panels(dashboard)

    @staticmethod
    def _register_home_panels(dashboard):
        from accounts.dashboard import register_home_panel
        from accounts.models import Role

        register_home_panel(
            Role.MARAC_COORDINATOR,
            10,
            "riskassessment/_home_coordinator.html",
            dashboard.coordinator_home_panel,
        )
        register_home_panel(
            Role.ADMIN, 50, "riskassessment/_home_admin.html", dashboard.admin_home_panel
        )
