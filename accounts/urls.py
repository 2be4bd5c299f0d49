from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("service/switch/", views.switch_service, name="switch_service"),
    path("audit/", views.audit_log, name="audit_log"),
    path("downloads/<uuid:token>/", views.export_download, name="export_download"),
]
