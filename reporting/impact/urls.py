from django.urls import path

from . import views

urlpatterns = [
    path("", views.impact_list, name="impact_list"),
    path("new/", views.impact_create, name="impact_create"),
    path("<int:pk>/", views.impact_detail, name="impact_detail"),
    path("<int:pk>/status/", views.impact_status, name="impact_status"),
    path("<int:pk>/rebuild/", views.impact_rebuild, name="impact_rebuild"),
    path("<int:pk>/download/", views.impact_download, name="impact_download"),
    path("<int:pk>/xlsx/", views.impact_xlsx, name="impact_xlsx"),
    path("<int:pk>/case-studies/new/", views.impact_case_study, name="impact_case_study_add"),
    path(
        "<int:pk>/case-studies/<int:study_pk>/",
        views.impact_case_study,
        name="impact_case_study_edit",
    ),
]
