from django.urls import include, path

app_name = "reporting"

urlpatterns = [
    path("insights/", include("reporting.insights.urls")),
    path("impact/", include("reporting.impact.urls")),
]
