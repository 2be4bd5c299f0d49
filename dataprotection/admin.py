"""The retention schedule in the Django admin: a provider's admins set their provider's
schedule and stricter ones for its services (RetentionSchedule.clean refuses a looser one);
every add and change audited, in the managers' audit pages of the services it governs."""

from auditlog.registry import auditlog
from django.contrib import admin

from accounts import access, selectors
from accounts.admin import LanternAdminMixin
from accounts.audit import record_event_in_services
from accounts.models import AuditEvent, Service

from .models import RetentionSchedule

if not auditlog.contains(RetentionSchedule):
    auditlog.register(RetentionSchedule)


@admin.register(RetentionSchedule)
class RetentionScheduleAdmin(LanternAdminMixin, admin.ModelAdmin):
    list_display = [
        "provider",
        "service",
        "client_record_years",
        "referral_weeks",
        "draft_months",
        "impact_report_years",
    ]
    fields = [
        "provider",
        "service",
        "client_record_years",
        "referral_weeks",
        "draft_months",
        "impact_report_years",
    ]

    def get_queryset(self, request):
        schedules = super().get_queryset(request).select_related("provider", "service")
        if access.administers_everything(request.user):
            return schedules
        return schedules.filter(provider_id__in=access.administered_provider_ids(request.user))

    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = selectors.providers_administered_by(request.user)
        elif db_field.name == "service":
            kwargs["queryset"] = selectors.services_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        governed = (
            [obj.service_id]
            if obj.service_id
            else list(Service.objects.filter(provider=obj.provider).values_list("pk", flat=True))
        )
        record_event_in_services(
            governed,
            actor=request.user,
            action=AuditEvent.Action.ADMIN,
            obj=obj,
            label=str(obj),
            detail={
                "model": obj._meta.label_lower,
                "change": "changed" if change else "added",
                "fields": sorted(form.changed_data),
            },
        )
