from django.urls import path

from . import lock, views

app_name = "accounts"

urlpatterns = [
    path("service/switch/", views.switch_service, name="switch_service"),
    path("audit/", views.audit_log, name="audit_log"),
    path("downloads/<uuid:token>/", views.export_download, name="export_download"),
    # Under /quick-exit/ both: reachable while locked and before a second factor is set up.
    path("quick-exit/", lock.quick_exit, name="quick_exit"),
    path("quick-exit/unlock/", lock.unlock, name="unlock"),
]
