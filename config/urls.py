from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.health import HealthView
from accounts.signin import admin_login

# The admin site signs in through the same form as everyone else: one lockout, one second factor.
admin.site.login = admin_login
admin.site.site_header = f"{settings.LANTERN_PRODUCT_NAME} administration"
admin.site.site_title = settings.LANTERN_PRODUCT_NAME

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("cases/", include("support.urls")),
    path("referrals/", include("referrals.urls")),
    path("risk/", include("riskassessment.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("reports/", include("reporting.urls")),
    path("data-protection/", include("dataprotection.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", HealthView.as_view(), name="healthz"),
]

# Lantern's own 500 page (404 and 403 are templates/404.html and 403.html): see accounts.errors.
handler500 = "accounts.errors.server_error"
