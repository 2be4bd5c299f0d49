from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_option_lists(sender, **kwargs):
    from cases.services import sync_option_lists

    from .questions import OPTION_LISTS

    sync_option_lists(OPTION_LISTS)


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcome forms"

    def ready(self):
        from accounts.demo import register_demo_seeder
        from cases.extensions import (
            register_case_panel,
            register_closure_check,
            register_diary_source,
            register_prompt_source,
            register_timeline_source,
        )

        from . import case_page, closure_checks, demo, demo_hearings, selectors_hearings

        post_migrate.connect(_sync_option_lists, sender=self, dispatch_uid="outcomes_options")
        register_case_panel(40, "outcomes/_case_panel.html", case_page.panel_context)
        register_timeline_source(case_page.timeline_items)
        register_closure_check(closure_checks.closure_gaps)
        register_prompt_source("caseworker", case_page.caseworker_prompts)
        register_demo_seeder(30, demo.seed_outcome_forms)
        # Court dates (issue 22): on the timeline and in the diary.
        register_timeline_source(selectors_hearings.hearings_timeline)
        register_diary_source(selectors_hearings.hearings_diary_source)
        register_demo_seeder(31, demo_hearings.seed_demo_hearings)
