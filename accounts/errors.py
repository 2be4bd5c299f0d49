"""Lantern's own 500 page, which must itself never fail: the error may be the database, which the
layout's context (the menu, the current service) reads. It is tried with the full layout and
falls back to a page of plain HTML that still carries the quick-exit button."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# No template, no database, no settings: a neutral page and the quick-exit button (its post needs
# no CSRF token, see accounts.lock.quick_exit; the Esc Esc script needs the static file only).
FALLBACK_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Lantern</title>
<script src="/static/js/quick-exit.js" defer></script></head>
<body><header><form method="post" action="/quick-exit/" data-quick-exit>
<button type="submit">Quick exit</button></form></header>
<main><h1>Something went wrong</h1><p>Lantern could not finish this request.
What you saved before this page is kept.</p><p><a href="/">Back to your start page</a></p></main>
</body></html>"""


@requires_csrf_token
def server_error(request):
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page of last resort must not raise
        logger.exception("The 500 page could not be rendered; the plain one was sent.")
        return HttpResponseServerError(FALLBACK_PAGE)
