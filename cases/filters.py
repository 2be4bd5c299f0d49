"""The case list's filters, read from the query string (django-filter). They narrow a queryset
the selector has already scoped to the user; they never widen it."""

import django_filters
from django import forms
from django.db.models import QuerySet

from .models import Case, RiskLevel

ACTIVE = "active"
ALL = "all"
STATUS_CHOICES = [
    (ACTIVE, "Open or on hold"),
    *Case.Status.choices,
    (ALL, "All"),
]


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    risk = django_filters.ChoiceFilter(
        label="Risk", field_name="risk_level", choices=RiskLevel.choices, empty_label="Any"
    )
    mine = django_filters.BooleanFilter(
        label="Only my cases", method="filter_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields = ["status", "risk", "mine"]

    def __init__(self, data=None, *args, user, **kwargs):
        # Open and on-hold cases unless the person asks otherwise.
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = ACTIVE
        super().__init__(data, *args, **kwargs)
        self.user = user

    def filter_status(self, queryset: QuerySet[Case], name, value) -> QuerySet[Case]:
        if value == ACTIVE:
            return queryset.exclude(status=Case.Status.CLOSED)
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def filter_mine(self, queryset: QuerySet[Case], name, value) -> QuerySet[Case]:
        return queryset.filter(caseworker=self.user) if value else queryset
