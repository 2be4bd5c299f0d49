from django.apps import AppConfig


class RiskAssessmentConfig(AppConfig):
    name = "riskassessment"
    verbose_name = "Risk assessment and MARAC"
