from django.urls import path

from . import views

app_name = "dataprotection"

urlpatterns = [
    path("cases/<int:pk>/corrections/", views.corrections, name="corrections"),
    path("cases/<int:pk>/corrections/new/", views.correction_record, name="correction_record"),
    path(
        "cases/<int:pk>/corrections/<int:request_pk>/answer/",
        views.correction_answer,
        name="correction_answer",
    ),
]
