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
            register_prompt_source,
            register_timeline_source,
        )

        from . import demo, hooks

        post_migrate.connect(
            _sync_shipped_checklists, sender=self, dispatch_uid="riskassessment_checklists"
        )
        register_case_panel(20, "riskassessment/_case_panel.html", hooks.case_panel_context)
        register_timeline_source(hooks.case_timeline)
        register_prompt_source("team_leader", hooks.team_leader_prompts)
        register_demo_seeder(20, demo.seed)
        self._register_plan_sources(hooks)
        self._register_home_panels(hooks)

    @staticmethod
    def _register_plan_sources(hooks):
        # A safety plan answers one of the case's assessments; a MARAC referral counts as an
        # intervention on the case.
        from cases.hooks_plans import register_assessment_source, register_intervention_source

        register_assessment_source(hooks.plan_assessments)
        register_intervention_source("marac_referral", hooks.cases_referred_to_marac)

    @staticmethod
    def _register_home_panels(hooks):
        from accounts.dashboard import register_home_panel
        from accounts.models import Role

        register_home_panel(
            Role.MARAC_COORDINATOR,
            10,
            "riskassessment/_home_coordinator.html",
            hooks.coordinator_home_panel,
        )
        register_home_panel(
            Role.ADMIN, 50, "riskassessment/_home_admin.html", hooks.admin_home_panel
        )
