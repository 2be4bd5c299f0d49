"""Lantern's date formats for en-GB: those in the settings (config/settings/base.py), which
Django's own en-GB formats (SHORT_DATE_FORMAT "d/m/Y") would otherwise override. Input formats
are left to Django's en-GB module."""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = settings.SHORT_DATETIME_FORMAT
