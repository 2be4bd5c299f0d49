"""Django admin for referral routes. Routes are retired, never deleted: old referrals and reports
keep them. A route offered by no service in particular is offered by all the services it reaches.

The national list (the Insights routes, no provider) is every provider's: only a superuser
changes it, and a provider's admin withdraws a national route from their own services. A
provider's admin adds and changes routes of their own provider, offered to its services only.
"""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin
from django.db.models import Q

from accounts import access, selectors
from accounts.admin import LanternAdminMixin
from accounts.services import admin_change_record

from .models import ReferralRoute

if not auditlog.contains(ReferralRoute):
    auditlog.register(ReferralRoute, m2m_fields={"offered_by", "withdrawn_by"})

# Checkboxes rather than the filter widget: readable and usable with the keyboard alone.
SERVICE_CHECKBOXES = {"widget": forms.CheckboxSelectMultiple}


@admin.register(ReferralRoute)
class ReferralRouteAdmin(LanternAdminMixin, admin.ModelAdmin):
    list_display = ["name", "group", "position", "owner", "offered_to", "is_retired"]
    list_filter = ["is_retired", "group"]
    search_fields = ["name", "group"]
    formfield_overrides = {ReferralRoute.offered_by.field.__class__: SERVICE_CHECKBOXES}

    def get_queryset(self, request):
        routes = super().get_queryset(request).prefetch_related("offered_by")
        if access.administers_everything(request.user):
            return routes
        return routes.filter(
            Q(provider__isnull=True)
            | Q(provider_id__in=access.administered_provider_ids(request.user))
        )

    def _is_national(self, route) -> bool:
        return route is not None and route.provider_id is None

    def get_fields(self, request, obj=None):
        if access.administers_everything(request.user):
            return ["provider", "name", "group", "position", "offered_by", "is_retired"]
        if self._is_national(obj):
            return ["name", "group", "offered_by", "is_retired", "withdrawn_by"]
        return ["provider", "name", "group", "position", "offered_by", "is_retired"]

    def get_readonly_fields(self, request, obj=None):
        if self._is_national(obj) and not access.administers_everything(request.user):
            # The national route itself is every provider's; only its withdrawal is theirs.
            return ["name", "group", "offered_by", "is_retired"]
        return []

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    has_view_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider" and not access.administers_everything(request.user):
            kwargs["queryset"] = selectors.providers_administered_by(request.user)
            kwargs["required"] = True
            kwargs["empty_label"] = None
            kwargs["help_text"] = "The route is your provider's, offered to its services only."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in {"offered_by", "withdrawn_by"}:
            kwargs["queryset"] = selectors.services_administered_by(request.user)
            kwargs.update(SERVICE_CHECKBOXES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        admin_change_record(
            actor=request.user, obj=obj, added=not change, changed_fields=form.changed_data
        )

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RouteForm(form_class):
            def clean(self):
                cleaned = super().clean()
                provider = cleaned.get("provider", getattr(self.instance, "provider", None))
                offered = cleaned.get("offered_by") or []
                if provider is not None and any(s.provider_id != provider.pk for s in offered):
                    self.add_error("offered_by", "Choose services of the route's provider only.")
                return cleaned

        for field in RouteForm.base_fields.values():
            # No "add a provider or service" shortcuts beside the choices: those are managed on
            # their own pages, within the admin's scope.
            for shortcut in ("can_add_related", "can_change_related", "can_view_related"):
                if hasattr(field.widget, shortcut):
                    setattr(field.widget, shortcut, False)
        return RouteForm

    def save_related(self, request, form, formsets, change):
        # The form offers only this admin's services: keep the other providers' choices on a
        # national route, which the form neither shows nor may clear.
        route = form.instance
        theirs = selectors.services_administered_by(request.user).values("pk")
        kept = {
            name: list(getattr(route, name).exclude(pk__in=theirs))
            for name in ("offered_by", "withdrawn_by")
        }
        super().save_related(request, form, formsets, change)
        for name, services in kept.items():
            getattr(route, name).add(*services)

    @admin.display(description="Provider")
    def owner(self, route):
        return route.provider or "National list"

    @admin.display(description="Offered to")
    def offered_to(self, route):
        return ", ".join(service.name for service in route.offered_by.all()) or "All services"
