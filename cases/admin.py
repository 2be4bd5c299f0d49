"""Django admin for the cases app's lookup lists: partner agencies and the multi-select options
(read by the admin role, changed by superusers only: every provider shares them). Nothing is
deleted: agencies and options are retired, so that the records that used them keep them.
Built-in options (from the seed catalogues) keep their list and label; superusers add options
beside them."""

from auditlog.registry import auditlog
from django import forms
from django.contrib import admin

from accounts.admin import NationalListAdminMixin
from catalogue.insights import TABLES_BY_KEY

from .models import Agency, Option

for _model in (Agency, Option):
    if not auditlog.contains(_model):
        auditlog.register(_model)


@admin.register(Agency)
class AgencyAdmin(NationalListAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_retired"]
    list_filter = ["is_retired", "kind"]
    search_fields = ["name", "kind"]


def _list_key_choices():
    keys = set(Option.objects.values_list("list_key", flat=True).distinct())
    return [
        (key, f"{key}: {TABLES_BY_KEY[key].question}" if key in TABLES_BY_KEY else key)
        for key in sorted(keys)
    ]


class OptionAdminForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["list_key", "label", "position", "is_retired"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "list_key" in self.fields:
            # Only the lists Lantern's forms use: an option in a list nobody reads is lost.
            self.fields["list_key"] = forms.ChoiceField(label="List", choices=_list_key_choices())


@admin.register(Option)
class OptionAdmin(NationalListAdminMixin, admin.ModelAdmin):
    form = OptionAdminForm
    list_display = ["label", "list_key", "position", "is_builtin", "is_retired"]
    list_filter = ["list_key", "is_builtin", "is_retired"]
    search_fields = ["label", "list_key"]
    ordering = ["list_key", "position", "label"]

    def get_readonly_fields(self, request, obj=None):
        # A built-in option's wording is the seed's: reports match on it, so it is not edited.
        if obj is not None and obj.is_builtin:
            return ["list_key", "label", "is_builtin"]
        return ["is_builtin"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_builtin = False
        super().save_model(request, obj, form, change)
