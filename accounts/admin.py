"""Django admin for users, services, teams and memberships: for the admin role only.

Every change made here is recorded: Django's admin keeps its own change log, and these models are
registered with django-auditlog for field-level before/after (passwords excluded).
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import access
from .models import Membership, Provider, Service, Team, User
from .services import end_all_sessions

for model, options in (
    (User, {"exclude_fields": ["password", "last_login"]}),
    (Provider, {}),
    (Service, {}),
    (Team, {}),
    (Membership, {}),
):
    auditlog.register(model, **options)

# The change history is read on Lantern's own audit page, scoped to the reader's services.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


def is_lantern_admin(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or access.can(user, access.Capability.ADMINISTER))


admin.site.has_permission = is_lantern_admin


class LanternAdminMixin:
    """The admin role manages these models; nothing is deleted (accounts are deactivated)."""

    def has_module_permission(self, request):
        return is_lantern_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_lantern_admin(request)

    def has_add_permission(self, request, *args):
        return is_lantern_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_lantern_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(LanternAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["service"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(LanternAdminMixin, DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role", "memberships__service"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_demo_user", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "is_demo_user"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A disabled user's sessions end at once, not at their next idle timeout.
            end_all_sessions(obj)


class TeamInline(LanternAdminMixin, admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Provider)
class ProviderAdmin(LanternAdminMixin, admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Service)
class ServiceAdmin(LanternAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "provider", "area", "requires_closure_sign_off", "is_active"]
    list_filter = ["provider", "is_active"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


@admin.register(Membership)
class MembershipAdmin(LanternAdminMixin, admin.ModelAdmin):
    list_display = ["user", "service", "role", "team", "read_only"]
    list_filter = ["service", "role", "read_only"]
    autocomplete_fields = ["user", "service"]
