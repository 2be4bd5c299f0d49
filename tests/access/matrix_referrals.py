from django.utils import timezone

from referrals.models import ReferralRoute
from tests.factories import ClientFactory
from tests.factories_referrals import ReferralFactory

from .matrix import (
    ADMIN,
    ANON,
    CASEWORKER,
    MANAGER,
    MARAC_COORDINATOR,
    NO_SERVICE,
    OUTSIDER,
    READ_ONLY,
    TEAM_LEADER,
    Entry,
)
from .matrix_cases import READ, SERVICE_LIST, statuses


def build(world):
    world.referral = ReferralFactory(
        service=world.service,
        reference="RMTX-2026-00001",
        received_at=timezone.now(),
        route=ReferralRoute.objects.get(name="Police"),
        client=ClientFactory(service=world.service),
        recorded_by=world.users[CASEWORKER],
    )


BUILDERS = dict.fromkeys(("referral",), build)


def referral_kwargs(world):
    return {"pk": world.referral.pk}


FILE_HERE = {
    ANON: 302,
    NO_SERVICE: 403,
    CASEWORKER: 200,
    READ_ONLY: 403,
    TEAM_LEADER: 200,
    MANAGER: 403,
    MARAC_COORDINATOR: 403,
    ADMIN: 403,
    OUTSIDER: 200,
}
# An empty POST is refused with its form errors (400) for those allowed.
POST_EDIT = statuses(**{CASEWORKER: 400, READ_ONLY: 403, TEAM_LEADER: 400, MANAGER: 403})

ENTRIES = [
    Entry("referrals:referral_list", expected=SERVICE_LIST),
    Entry("referrals:referral_new", expected=FILE_HERE),
    Entry("referrals:referral_detail", referral_kwargs, READ),
    Entry("referrals:referral_triage", referral_kwargs, POST_EDIT, method="post"),
    Entry("referrals:referral_contact", referral_kwargs, POST_EDIT, method="post"),
]
