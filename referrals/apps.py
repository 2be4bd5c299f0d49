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
        from cases.extensions import (
            SearchSource,
            register_client_merge_step,
            register_search_source,
        )

        from . import search
        from .demo import seed_referrals_and_cases
        from .services import referrals_move_on_client_merge

        post_migrate.connect(_sync_builtin_routes, sender=self, dispatch_uid="referral_routes")
        register_demo_seeder(10, seed_referrals_and_cases)
        register_search_source(SearchSource(case_ids=search.case_ids, hits=search.hits))
        register_client_merge_step(referrals_move_on_client_merge)
