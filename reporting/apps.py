from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_unit_costs(sender, **kwargs):
    from .impact.services import sync_default_unit_costs

    sync_default_unit_costs()


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from accounts.dashboard import register_home_panel
        from accounts.health import register_health_check
        from accounts.models import Role
        from accounts.retention import register_retention_source

        from .dashboard import impact_panel
        from .freshness import connect_receivers
        from .impact.health import StuckImpactReports
        from .impact.retention import SOURCE as impact_report_retention
        from .signals import connect_read_model_receivers

        post_migrate.connect(_sync_unit_costs, sender=self, dispatch_uid="reporting_unit_costs")
        register_home_panel(
            Role.SERVICE_MANAGER, 30, "reporting/impact/home_panel.html", impact_panel
        )
        register_health_check("jobs", StuckImpactReports, failed_status="stuck")
        register_retention_source(impact_report_retention)
        # The reporting read model, kept current by every write (reporting/signals.py), and
        # the per-service data versions that tell a stored Insights result is stale
        # (reporting/freshness.py): both in the writer's own transaction.
        connect_read_model_receivers()
        connect_receivers()
