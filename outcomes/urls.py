from django.urls import path, register_converter

from . import views, views_hearings
from .services import KINDS


class KindConverter:
    regex = "|".join(KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KindConverter, "form_kind")

app_name = "outcomes"

urlpatterns = [
    path("case/<int:case_id>/", views.case_forms, name="case_forms"),
    path("case/<int:case_id>/<form_kind:kind>/start/", views.form_start, name="form_start"),
    path("<form_kind:kind>/<int:pk>/", views.form_detail, name="form_detail"),
    path("<form_kind:kind>/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("<form_kind:kind>/<int:pk>/autosave/", views.form_autosave, name="form_autosave"),
    path("<form_kind:kind>/<int:pk>/discard/", views.form_discard, name="form_discard"),
    path("criminal/<int:pk>/reports/add/", views.police_report_add, name="police_report_add"),
    path("reports/<int:pk>/", views.police_report_edit, name="police_report_edit"),
    path("reports/<int:pk>/delete/", views.police_report_delete, name="police_report_delete"),
    path("case/<int:case_id>/hearings/", views_hearings.hearing_list, name="hearing_list"),
    path("case/<int:case_id>/hearings/new/", views_hearings.hearing_add, name="hearing_add"),
    path("hearings/<int:pk>/", views_hearings.hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/edit/", views_hearings.hearing_edit, name="hearing_edit"),
]
