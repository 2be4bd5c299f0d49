"""The referral queue's filters, read from the query string (django-filter). They narrow a
queryset the selector has already scoped to the user; they never widen it."""

import django_filters
from django.db.models import QuerySet

from .models import Referral

OPEN = "open"
ALL = "all"
# Waiting for a decision: not yet triaged, or the client was made aware but has not engaged.
OPEN_TRIAGES = (Referral.Triage.PENDING, Referral.Triage.MADE_AWARE)
TRIAGE_CHOICES = [(OPEN, "Waiting or made aware"), *Referral.Triage.choices, (ALL, "All")]


class ReferralFilter(django_filters.FilterSet):
    triage = django_filters.ChoiceFilter(
        label="Triage", choices=TRIAGE_CHOICES, method="filter_triage", empty_label=None
    )

    class Meta:
        model = Referral
        fields = ["triage"]

    def __init__(self, data=None, *args, **kwargs):
        # The referrals still waiting unless the person asks otherwise.
        data = data.copy() if data is not None else {}
        if not data.get("triage"):
            data["triage"] = OPEN
        super().__init__(data, *args, **kwargs)

    def filter_triage(self, queryset: QuerySet[Referral], name, value) -> QuerySet[Referral]:
        if value == OPEN:
            return queryset.filter(triage__in=OPEN_TRIAGES)
        if value == ALL:
            return queryset
        return queryset.filter(triage=value)
