from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = "Data protection: backups and the data lifecycle"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.models import Role

        from . import dashboard

        template = "dataprotection/_home_subject_access.html"
        register_home_panel(Role.TEAM_LEADER, 15, template, dashboard.subject_access_panel)
        register_home_panel(
            Role.SERVICE_MANAGER, 15, template, dashboard.subject_access_panel_for_manager
        )
