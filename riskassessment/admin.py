"""Checklists in the Django admin: read by the admin role, changed by superusers only (every
provider shares them). Case data (assessments, MARAC rows) is not here: admins see no case
content.

A published version is read-only here as everywhere (the models refuse changes too); new
wordings come in as new versions through the import page (/risk/checklists/import/) or
`manage.py import_checklist`, linked from the version list.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.admin import NationalListAdminMixin

from . import services
from .models import AnswerOption, AreaRule, Checklist, ChecklistVersion, Question, ScoreBand


class DraftOnlyInlineMixin(NationalListAdminMixin):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)


class QuestionInline(DraftOnlyInlineMixin, admin.StackedInline):
    model = Question
    fields = ["number", "order", "text", "help_text", "follow_up_prompt", "opens_checklist"]
    show_change_link = True


class ScoreBandInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = ScoreBand


class AnswerOptionInline(NationalListAdminMixin, admin.TabularInline):
    model = AnswerOption
    extra = 0

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.version.is_editable
        )

    has_add_permission = has_change_permission


@admin.register(Checklist)
class ChecklistAdmin(NationalListAdminMixin, admin.ModelAdmin):
    list_display = ["name", "key", "scoring", "is_follow_up"]
    search_fields = ["name", "key"]

    def get_readonly_fields(self, request, obj=None):
        # What its assessments mean is fixed once a version is published (Checklist.save).
        return list(Checklist.MEANING_FIELDS) if obj is not None and obj.is_in_use else []


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(NationalListAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "marac_threshold", "published_at"]
    list_filter = ["checklist", "status"]
    inlines = [ScoreBandInline, QuestionInline]
    actions = ["publish", "retire"]
    change_list_template = "riskassessment/admin_version_changelist.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [f.name for f in self.model._meta.fields]
        return ["status", "published_at", "retired_at"]

    @admin.action(description="Publish the selected draft versions", permissions=["change"])
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.version_publish(version=version, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)

    @admin.action(description="Retire the selected published versions", permissions=["change"])
    def retire(self, request, queryset):
        for version in queryset:
            try:
                services.version_retire(version=version, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(Question)
class QuestionAdmin(NationalListAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "version"]
    list_filter = ["version__checklist"]
    inlines = [AnswerOptionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.version.is_editable
        )


@admin.register(AreaRule)
class AreaRuleAdmin(NationalListAdminMixin, admin.ModelAdmin):
    list_display = ["checklist", "area", "marac_threshold", "escalation_call_outs"]
