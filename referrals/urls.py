from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("new/", views.referral_new, name="referral_new"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/triage/", views.referral_triage, name="referral_triage"),
    path("<int:pk>/contact/", views.referral_contact, name="referral_contact"),
]
