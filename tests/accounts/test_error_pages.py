"""Errors get Lantern's own pages, with the layout and the quick-exit button, never a debug page;
the 500 page falls back to plain HTML (still with quick exit) when the layout cannot be drawn."""

from django.test import RequestFactory
from django.urls import reverse

from accounts import errors


def test_a_missing_page_has_the_layout_and_quick_exit(client_for, caseworker):
    response = client_for(caseworker).get("/cases/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert reverse("accounts:quick_exit") in page
    assert reverse("cases:case_list") in page  # the menu


def test_the_500_page_has_quick_exit_and_no_details(caseworker):
    request = RequestFactory().get("/cases/")
    request.user = caseworker

    response = errors.server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert reverse("accounts:quick_exit") in page
    assert "Traceback" not in page


def test_the_500_page_falls_back_to_plain_html_when_the_layout_fails(caseworker, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(errors, "render", broken)
    request = RequestFactory().get("/cases/")
    request.user = caseworker

    response = errors.server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert f'action="{reverse("accounts:quick_exit")}"' in page
    assert "the database is down" not in page
