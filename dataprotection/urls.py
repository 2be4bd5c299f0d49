from django.urls import path

from . import views

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
]
