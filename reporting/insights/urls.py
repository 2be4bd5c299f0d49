from django.urls import path

from . import views

urlpatterns = [
    path("", views.insights, name="insights"),
    path("export/", views.insights_export, name="insights_export"),
    path("at-a-glance/", views.insights_at_a_glance, name="insights_at_a_glance"),
    path("key-findings/", views.insights_key_findings, name="insights_key_findings"),
    path(
        "results/<int:pk>/recompute/",
        views.insights_result_recompute_view,
        name="insights_result_recompute",
    ),
    path(
        "results/<int:pk>/<slug:page>/",
        views.insights_result_status,
        name="insights_result_status",
    ),
]
