"""Django admin for referral routes (for the admin role only, as accounts.admin). Routes are
retired, never deleted: old referrals and reports keep them. A route offered by no service in
particular is offered by all."""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin

from accounts.admin import LanternAdminMixin

from .models import ReferralRoute

if not auditlog.contains(ReferralRoute):
    auditlog.register(ReferralRoute, m2m_fields={"offered_by"})


@admin.register(ReferralRoute)
class ReferralRouteAdmin(LanternAdminMixin, admin.ModelAdmin):
    list_display = ["name", "group", "position", "offered_to", "is_retired"]
    list_filter = ["is_retired", "group", "offered_by"]
    search_fields = ["name", "group"]
    fields = ["name", "group", "position", "offered_by", "is_retired"]
    # Checkboxes rather than the filter widget: readable and usable with the keyboard alone.
    formfield_overrides = {
        ReferralRoute.offered_by.field.__class__: {"widget": forms.CheckboxSelectMultiple}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("offered_by")

    @admin.display(description="Offered to")
    def offered_to(self, route):
        return ", ".join(service.name for service in route.offered_by.all()) or "All services"
