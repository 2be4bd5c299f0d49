"""Django admin for users, providers, services, teams and memberships: for the admin role only.

Scope: a superuser manages everything; an admin manages the providers of the services where they
hold the admin role, and nothing outside them (accounts.selectors.*_administered_by): every list,
every change page and every choice of a related record goes through that one scope. Nobody grants
a membership to themselves, only superusers see or change superusers, and nobody sets another
user's password: a new user gets an invitation to set their own, and an admin can send a reset link.

Every add and change made here is an AuditEvent (shown on the managers' audit page), and the
models are registered with django-auditlog for field-level before/after (passwords excluded).
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError

from . import access, selectors
from .models import Marac, Membership, Provider, Service, Team, User
from .services import admin_change_record, end_all_sessions, user_send_password_link

for model, options in (
    (User, {"exclude_fields": ["password", "last_login"]}),
    (Provider, {}),
    (Service, {}),
    (Team, {}),
    (Membership, {}),
    (Marac, {}),
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


class NationalListAdminMixin(LanternAdminMixin):
    """A list every provider shares (the Insights option lists, partner agencies, the risk
    checklists and their area rules): a provider's admin may read it, only a superuser changes
    it, since a change reaches every provider's forms and reports."""

    def has_add_permission(self, request, *args):
        return access.administers_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return access.administers_everything(request.user)


# The scope of each model an admin may reach, and of each foreign key's choices.
SCOPES = {
    Marac: selectors.maracs_administered_by,
    Provider: selectors.providers_administered_by,
    Service: selectors.services_administered_by,
    Team: selectors.teams_administered_by,
    Membership: selectors.memberships_administered_by,
    User: selectors.users_administered_by,
}


def in_scope(request, obj) -> bool:
    return SCOPES[type(obj)](request.user).filter(pk=obj.pk).exists()


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a related record offering only the records the admin manages."""

    def field_choices(self, field, request, model_admin):
        return [(obj.pk, str(obj)) for obj in SCOPES[field.related_model](request.user)]


class ProviderScopedMixin(LanternAdminMixin):
    """Lists, change pages and related choices limited to what the signed-in admin manages;
    every add and change audited."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=SCOPES[self.model](request.user).values("pk"))
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or in_scope(request, obj)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = SCOPES.get(db_field.related_model)
        if scope is not None:
            choices = scope(request.user)
            if db_field.related_model is User:
                # Nobody grants anything to themselves.
                choices = choices.exclude(pk=request.user.pk)
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        admin_change_record(
            actor=request.user, obj=obj, added=not change, changed_fields=form.changed_data
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            admin_change_record(actor=request.user, obj=obj, added=True)
        for obj, fields in formset.changed_objects:
            admin_change_record(actor=request.user, obj=obj, added=False, changed_fields=fields)


class MembershipForm(forms.ModelForm):
    """A membership an admin grants: never their own, and a team of the membership's service."""

    class Meta:
        model = Membership
        fields = ["user", "service", "role", "team", "read_only"]

    def clean(self):
        cleaned = super().clean()
        actor = getattr(self, "actor", None)
        user = cleaned.get("user")
        user_id = user.pk if user is not None else self.instance.user_id
        if actor is not None and user_id == actor.pk:
            raise ValidationError("Nobody can grant or change a membership of their own.")
        # A team of another service is refused by Membership.clean, on the team field.
        return cleaned


def _with_actor(form_class, actor):
    """The form class, knowing who is granting (the admin builds forms without the request)."""
    return type(form_class.__name__, (form_class,), {"actor": actor})


class MembershipInline(ProviderScopedMixin, admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["service"]
    fk_name = "user"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _with_actor(self.form, request.user)
        return super().get_formset(request, obj, **kwargs)

    def get_min_num(self, request, obj=None, **kwargs):
        # An admin's new user is theirs to manage through the membership they are created with.
        if obj is None and not access.administers_everything(request.user):
            return 1
        return 0

    def get_extra(self, request, obj=None, **kwargs):
        return 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _is_self(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_lantern_admin(request) and not _is_self(request, obj)

    def has_view_permission(self, request, obj=None):
        return is_lantern_admin(request)


def _is_self(request, user) -> bool:
    return user is not None and isinstance(user, User) and user.pk == request.user.pk


class UserInviteForm(forms.ModelForm):
    """A new user: no password. They are sent a link to set their own."""

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(ProviderScopedMixin, DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "last_login"]
    list_filter = [
        "is_active",
        "memberships__role",
        ("memberships__service", ScopedRelatedFilter),
    ]
    search_fields = ["full_name", "email"]
    add_form = UserInviteForm
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name"]})]
    inlines = [MembershipInline]
    actions = ["send_password_reset_link"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        status = ["is_active", "is_demo_user", "last_login", "date_joined"]
        if access.administers_everything(request.user):
            status[1:1] = ["is_staff", "is_superuser"]
        return [(None, {"fields": ["email", "full_name"]}), ("Status", {"fields": status})]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined", "is_demo_user"]
        if obj is not None and not access.administers_everything(request.user):
            # A changed address would receive the next reset link: the account would be taken.
            readonly.append("email")
            if not selectors.user_wholly_administered_by(request.user, obj):
                # Shared with another provider: the account itself is not this admin's to change.
                readonly += ["full_name", "is_active"]
        return readonly

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another user's password: they are sent a link to set it themselves.
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A disabled user's sessions end at once, not at their next idle timeout.
            end_all_sessions(obj)
        if not change:
            user_send_password_link(user=obj, actor=request.user, request=request, invitation=True)

    @admin.action(description="Send a link to set a new password")
    def send_password_reset_link(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_send_password_link(
                user=user, actor=request.user, request=request, invitation=False
            )
            count += 1
        self.message_user(
            request, f"A password link is on its way to {count} user(s).", messages.SUCCESS
        )


class TeamInline(ProviderScopedMixin, admin.TabularInline):
    model = Team
    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_lantern_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_lantern_admin(request)


@admin.register(Provider)
class ProviderAdmin(ProviderScopedMixin, admin.ModelAdmin):
    search_fields = ["name"]

    def has_add_permission(self, request, *args):
        return access.administers_everything(request.user)


@admin.register(Service)
class ServiceAdmin(ProviderScopedMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "provider",
        "area",
        "marac",
        "requires_closure_sign_off",
        "is_active",
    ]
    list_filter = [("provider", ScopedRelatedFilter), "is_active"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]

    def get_readonly_fields(self, request, obj=None):
        # The MARAC decides which coordinators see the service's cases at meetings: a service's
        # own admin cannot move it, only a superuser or an admin of the MARAC (to one of theirs).
        maracs = selectors.maracs_administered_by(request.user)
        current = obj.marac_id if obj is not None else None
        if not maracs.exists() or (current is not None and not maracs.filter(pk=current).exists()):
            return ["marac"]
        return []


@admin.register(Marac)
class MaracAdmin(ProviderScopedMixin, admin.ModelAdmin):
    """MARAC partnerships: superusers add them and name their admins; a MARAC's admins see it."""

    list_display = ["name", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["admins"]

    def has_add_permission(self, request, *args):
        return access.administers_everything(request.user)

    def has_change_permission(self, request, obj=None):
        return access.administers_everything(request.user)

    def has_view_permission(self, request, obj=None):
        # Listed only for those who administer a MARAC: a provider's admin named on none
        # would find an empty list ("0 MARACs") where nothing is theirs to see.
        return super().has_view_permission(request, obj) and (
            obj is not None or selectors.maracs_administered_by(request.user).exists()
        )


@admin.register(Membership)
class MembershipAdmin(ProviderScopedMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "service", "role", "team", "read_only"]
    list_filter = [("service", ScopedRelatedFilter), "role", "read_only"]
    autocomplete_fields = ["user", "service"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return _with_actor(form, request.user)

    def has_change_permission(self, request, obj=None):
        # One's own memberships are shown, never changed.
        return super().has_change_permission(request, obj) and not (
            obj is not None and obj.user_id == request.user.pk
        )
