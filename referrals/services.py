"""Writes for referrals: routes, filing, duplicate matching and triage."""

from django.db import transaction

from cases.catalogue import insights

from .models import ReferralRoute

ROUTE_GROUPS = {
    "Police": "Criminal justice",
    "Marac": "Multi-agency",
    "MASH": "Multi-agency",
    "Domestic Violence Court": "Criminal justice",
    "Probation": "Criminal justice",
    "CRC": "Criminal justice",
    "Health": "Health",
    "Hospital - Emergency department": "Health",
    "Hospital - Maternity": "Health",
    "Community health": "Health",
    "Mental health": "Health",
    "Drug services": "Health",
    "Alcohol services": "Health",
    "Children's social services": "Social care",
    "Adult's social services": "Social care",
    "Housing": "Housing",
    "Education": "Education",
    "Refuge": "Specialist domestic abuse",
    "Outreach": "Specialist domestic abuse",
    "DVA & SV services (internal)": "Specialist domestic abuse",
    "DVA & SV services (external)": "Specialist domestic abuse",
    "Helpline": "Specialist domestic abuse",
    "Specialist services": "Specialist domestic abuse",
    "Self": "Self",
    "Other": "Other",
}


@transaction.atomic
def sync_builtin_routes() -> None:
    """Creates the Insights referral routes once; admins then rename, regroup, reorder, retire
    them and choose which services offer each (a route offered by no service in particular is
    offered by all, so a new service starts with the whole list)."""
    existing = set(ReferralRoute.objects.values_list("name", flat=True))
    for position, name in enumerate(insights.TABLES_BY_KEY["referral_route"].options):
        if name not in existing:
            ReferralRoute.objects.create(
                name=name,
                group=ROUTE_GROUPS.get(name, ""),
                position=(position + 1) * 10,
                is_builtin=True,
            )
