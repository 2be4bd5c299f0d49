from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = "Data protection: backups and the data lifecycle"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.demo import register_demo_seeder
        from accounts.models import Role

        from . import demo
        from .dashboard import retention_panel

        register_home_panel(
            Role.SERVICE_MANAGER,
            40,
            "dataprotection/retention_home_panel.html",
            retention_panel,
        )
        # After the referrals, cases and forms (referrals 10, support 25, ...).
        register_demo_seeder(90, demo.seed_demo_retention)
