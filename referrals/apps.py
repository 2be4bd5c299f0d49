from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_routes(sender, **kwargs):
    from .services import sync_builtin_routes

    sync_builtin_routes()


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from accounts.demo import register_demo_seeder

        from .demo import seed_referrals_and_cases

        post_migrate.connect(_sync_builtin_routes, sender=self, dispatch_uid="referral_routes")
        register_demo_seeder(10, seed_referrals_and_cases)
