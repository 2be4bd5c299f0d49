from django.urls import path

from . import views

app_name = "riskassessment"

urlpatterns = [
    path("cases/<int:case_pk>/", views.case_risk, name="case_risk"),
    path("cases/<int:case_pk>/assess/", views.assessment_start, name="assessment_start"),
    path("cases/<int:case_pk>/marac/", views.marac_refer, name="marac_refer"),
    path("cases/<int:case_pk>/lower-risk/", views.risk_decision, name="risk_decision"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(
        "assessments/<int:pk>/follow-up/", views.assessment_follow_up, name="assessment_follow_up"
    ),
    path("marac/", views.meeting_list, name="meeting_list"),
    path("marac/new/", views.meeting_add, name="meeting_add"),
    path("marac/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("marac/<int:pk>/hearings/", views.hearing_add, name="hearing_add"),
    path("marac/hearings/<int:pk>/outcome/", views.hearing_outcome, name="hearing_outcome"),
    path("marac/hearings/<int:pk>/facts/", views.hearing_facts, name="hearing_facts"),
    path("marac/hearings/<int:pk>/actions/", views.action_add, name="action_add"),
    path("marac/actions/<int:pk>/done/", views.action_toggle, name="action_toggle"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/import/", views.checklist_import, name="checklist_import"),
    path("checklists/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("checklists/versions/<int:pk>/status/", views.version_status, name="version_status"),
]
