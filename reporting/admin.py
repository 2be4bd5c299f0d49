from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts import access, selectors
from accounts.admin import LanternAdminMixin
from accounts.models import Service
from accounts.services import admin_change_record

from .models import ImpactReport, ImpactReportEvent, UnitCost


class UnitCostForm(forms.ModelForm):
    class Meta:
        model = UnitCost
        fields = [
            "provider",
            "key",
            "label",
            "pence",
            "unit",
            "source",
            "price_year",
            "measure",
            "quantity",
            "position",
            "is_active",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("provider") is None and not access.administers_everything(self.actor):
            raise ValidationError({"provider": "Choose your provider: defaults are national."})
        return cleaned


@admin.register(UnitCost)
class UnitCostAdmin(LanternAdminMixin, admin.ModelAdmin):
    """The unit costs behind the reports' economic value. The national defaults (no provider)
    are changed by superusers only: an admin of one provider would otherwise change every
    provider's reports. A provider's admins see the defaults and keep their provider's own rows,
    which replace the default of the same key in their reports."""

    form = UnitCostForm
    list_display = ("label", "provider", "pence", "unit", "measure", "quantity", "is_active")
    list_filter = ("is_active", "measure")
    search_fields = ("label", "source")
    ordering = ("position", "label")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.administers_everything(request.user):
            return queryset
        return queryset.filter(provider=None) | queryset.filter(
            provider__in=selectors.providers_administered_by(request.user)
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or access.administers_everything(request.user):
            return True
        return obj.provider_id in access.administered_provider_ids(request.user)

    def has_delete_permission(self, request, obj=None):
        # Switch a cost off instead: the seeded ones would come back after the next migrate.
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = selectors.providers_administered_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        admin_change_record(
            actor=request.user, obj=obj, added=not change, changed_fields=form.changed_data
        )


class ImpactReportEventInline(LanternAdminMixin, admin.TabularInline):
    model = ImpactReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("old_status", "new_status", "at", "note")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImpactReport)
class ImpactReportAdmin(LanternAdminMixin, admin.ModelAdmin):
    """Read-only view of the jobs, for support: the figures and case studies stay with managers.
    A provider's admins see the reports of their provider's services only; a report that names a
    service of another provider is not theirs to see."""

    list_display = ("pk", "title", "period_start", "period_end", "status", "attempts", "created_at")
    list_filter = ("status",)
    exclude = ("figures", "introduction")
    inlines = [ImpactReportEventInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.administers_everything(request.user):
            return queryset
        outside = Service.objects.exclude(
            pk__in=selectors.services_administered_by(request.user).values("pk")
        )
        return queryset.filter(services__isnull=False).exclude(services__in=outside).distinct()

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
