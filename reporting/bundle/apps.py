from django.apps import AppConfig


class BundleConfig(AppConfig):
    name = "reporting.bundle"
    label = "bundle"
    verbose_name = "Case bundles"
    default_auto_field = "django.db.models.BigAutoField"
