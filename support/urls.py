"""Safety plans, support by area of need and interventions, under /cases/ beside the case pages
(config/urls.py). IDs only in the paths."""

from django.urls import path

from . import views
from . import views_appointments as diary

app_name = "support"

urlpatterns = [
    path("<int:case_pk>/plans/", views.plan_list, name="plan_list"),
    path("<int:case_pk>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/versions/<int:number>/", views.plan_detail, name="plan_version"),
    path("plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path("plans/<int:pk>/versions/<int:number>/print/", views.plan_print, name="plan_print"),
    path("plans/<int:pk>/versions/<int:number>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<int:case_pk>/support/", views.support_list, name="support_list"),
    path("<int:case_pk>/support/<slug:area>/", views.support_edit, name="support_edit"),
    path("<int:case_pk>/interventions/", views.intervention_list, name="intervention_list"),
    path("<int:case_pk>/interventions/new/", views.intervention_add, name="intervention_add"),
    path("interventions/<int:pk>/delete/", views.intervention_delete, name="intervention_delete"),
    path("<int:case_pk>/appointments/", diary.appointment_list, name="appointment_list"),
    path(
        "<int:case_pk>/appointments/new/",
        diary.appointment_add,
        name="appointment_add",
    ),
    path("appointments/<int:pk>/", diary.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/edit/", diary.appointment_edit, name="appointment_edit"),
    path(
        "appointments/<int:pk>/cancel/",
        diary.appointment_cancel,
        name="appointment_cancel",
    ),
    path("diary/team/", diary.team_diary, name="team_diary"),
]
