from django.contrib import admin

from .models import ImpactReport, ImpactReportEvent, UnitCost


@admin.register(UnitCost)
class UnitCostAdmin(admin.ModelAdmin):
    """The unit costs behind the reports' economic value: admins keep them current."""

    list_display = ("label", "pence", "unit", "measure", "quantity", "is_active", "source")
    list_editable = ("pence", "quantity", "is_active")
    list_filter = ("is_active", "measure")
    search_fields = ("label", "source")
    ordering = ("position", "label")

    def has_delete_permission(self, request, obj=None):
        # Switch a cost off instead: the seeded ones would come back after the next migrate.
        return False


class ImpactReportEventInline(admin.TabularInline):
    model = ImpactReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("old_status", "new_status", "at", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImpactReport)
class ImpactReportAdmin(admin.ModelAdmin):
    """Read-only view of the jobs, for support: the figures and case studies stay with managers."""

    list_display = ("pk", "title", "period_start", "period_end", "status", "attempts", "created_at")
    list_filter = ("status",)
    exclude = ("figures", "introduction")
    inlines = [ImpactReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
