from django.urls import path

from . import views
from .retention import views as retention_views

app_name = "dataprotection"

urlpatterns = [
    path("cases/<int:pk>/corrections/", views.corrections, name="corrections"),
    path("cases/<int:pk>/corrections/new/", views.correction_record, name="correction_record"),
    path("cases/<int:pk>/legal-hold/", views.legal_hold, name="legal_hold"),
    path("cases/<int:pk>/erase/", views.erase, name="erase"),
    path("cases/<int:pk>/legal-hold/new/", views.legal_hold_place, name="legal_hold_place"),
    path(
        "cases/<int:pk>/legal-hold/<int:hold_pk>/lift/",
        views.legal_hold_lift,
        name="legal_hold_lift",
    ),
    path(
        "cases/<int:pk>/corrections/<int:request_pk>/answer/",
        views.correction_answer,
        name="correction_answer",
    ),
    path("cases/<int:pk>/subject-access/", views.subject_access, name="subject_access"),
    path(
        "cases/<int:pk>/subject-access/new/",
        views.subject_access_open,
        name="subject_access_open",
    ),
    path(
        "cases/<int:pk>/subject-access/<int:request_pk>/",
        views.subject_access_detail,
        name="subject_access_detail",
    ),
    path(
        "cases/<int:pk>/subject-access/<int:request_pk>/redactions/",
        views.subject_access_redact,
        name="subject_access_redact",
    ),
    path(
        "cases/<int:pk>/subject-access/<int:request_pk>/build/",
        views.subject_access_build,
        name="subject_access_build",
    ),
    path(
        "cases/<int:pk>/subject-access/<int:request_pk>/download/<str:kind>/",
        views.subject_access_download,
        name="subject_access_download",
    ),
    path(
        "cases/<int:pk>/subject-access/<int:request_pk>/sent/",
        views.subject_access_send,
        name="subject_access_send",
    ),
    path("retention/", retention_views.retention_home, name="retention"),
    path(
        "retention/<int:service_pk>/",
        retention_views.retention_review,
        name="retention_review",
    ),
    path(
        "retention/<int:service_pk>/list-now/",
        retention_views.retention_list_now,
        name="retention_list_now",
    ),
    path(
        "retention/<int:service_pk>/approve/",
        retention_views.retention_approve,
        name="retention_approve",
    ),
    path(
        "retention/<int:service_pk>/exclude/",
        retention_views.retention_exclude,
        name="retention_exclude",
    ),
]
