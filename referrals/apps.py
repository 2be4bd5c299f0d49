from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_routes(sender, **kwargs):
    from .services import sync_builtin_routes

    sync_builtin_routes()


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        post_migrate.connect(_sync_builtin_routes, sender=self, dispatch_uid="referral_routes")
