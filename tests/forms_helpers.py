"""Turning a page's form into the POST a browser would send (for tests that load, change and
submit a form as a person would)."""

import datetime

from django import forms
from django.test import Client

from tests.signin import sign_in_with_second_factor


def signed_in(user) -> Client:
    """A browser of its own for the user (two people editing at once need two)."""
    return sign_in_with_second_factor(Client(), user)


def _posted(value) -> str:
    value = getattr(value, "pk", value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def form_data(form) -> dict:
    """What submitting the form as shown (bound or not) posts: hidden fields included."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value and value not in ("False", "false", "0"):
                data[bound.html_name] = "on"
        elif isinstance(bound.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[bound.html_name] = [_posted(item) for item in value or []]
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [_posted(item) for item in value]
        else:
            data[bound.html_name] = _posted(value)
    return data
