from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = "Data protection: backups and the data lifecycle"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.demo import register_demo_seeder
        from accounts.models import Role
        from cases.extensions import register_case_panel, register_prompt_source

        from . import case_page, dashboard, demo

        # First of the panels: whoever opens a held case, or one with a request to answer,
        # sees it before working on the record.
        register_case_panel(
            5,
            "dataprotection/_case_panel.html",
            case_page.case_panel_context,
            annotations=case_page.case_panel_annotations,
        )
        register_prompt_source("team_leader", case_page.correction_request_prompts)

        template = "dataprotection/_home_subject_access.html"
        register_home_panel(Role.TEAM_LEADER, 15, template, dashboard.subject_access_panel)
        register_home_panel(
            Role.SERVICE_MANAGER, 15, template, dashboard.subject_access_panel_for_manager
        )
        register_home_panel(
            Role.SERVICE_MANAGER,
            40,
            "dataprotection/retention_home_panel.html",
            dashboard.retention_panel,
        )
        # After the referrals, cases and forms (referrals 10, support 25, ...).
        register_demo_seeder(90, demo.seed_demo_retention)
        register_demo_seeder(91, demo.seed_demo_data_rights)
