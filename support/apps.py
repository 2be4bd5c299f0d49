from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_option_lists(sender, **kwargs):
    from cases.services import sync_option_lists

    from .models.areas import OPTION_LIST_KEYS

    sync_option_lists(OPTION_LIST_KEYS)


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Safety plans, support and interventions"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.demo import register_demo_seeder
        from accounts.models import Role
        from cases.extensions import (
            CaseloadCount,
            register_case_panel,
            register_caseload_count,
            register_closure_check,
            register_diary_source,
            register_prompt_source,
            register_timeline_source,
        )

        from . import case_page, closure_checks, dashboard, demo, demo_diary, selectors_appointments

        post_migrate.connect(_sync_option_lists, sender=self, dispatch_uid="support_options")
        register_case_panel(
            25,
            "support/_case_panel.html",
            case_page.case_panel_context,
            annotations=case_page.case_panel_annotations,
        )
        register_timeline_source(case_page.plans_timeline)
        register_closure_check(closure_checks.closure_gaps)
        register_prompt_source("caseworker", case_page.plan_review_prompts)
        register_demo_seeder(25, demo.seed_demo_plans)
        # The diary (issue 22): the week panel, the appointments in it, tomorrow's reminders.
        register_home_panel(
            Role.CASEWORKER, 15, "support/home/week_panel.html", dashboard.week_panel
        )
        register_diary_source(selectors_appointments.appointments_diary_source)
        register_prompt_source("caseworker", selectors_appointments.tomorrow_prompts)
        register_demo_seeder(26, demo_diary.seed_demo_appointments)
        # The team leader's caseload view counts the cases with no safety plan of any kind.
        register_caseload_count(
            CaseloadCount("no_safety_plan", "No safety plan", case_page.no_safety_plan)
        )
