from django.urls import path

from . import views

urlpatterns = [
    path("", views.insights, name="insights"),
    path("export/", views.insights_export, name="insights_export"),
]
