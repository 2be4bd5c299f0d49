"""The caseworkers of benchmarks/load.py (run by it: `locust -f` this file, headless).

Each simulated caseworker takes one signed-in session from the plan file that load.py wrote
(LANTERN_LOAD_PLAN: session cookies, each caseworker's caseload, the two timeline cases and the
names to search for) and, waiting 1-3 s between pages, opens the dashboard, a case of their
caseload, the 10- and 300-contact cases and their timelines (the first and a later page), logs a
contact (the form, then its POST with the CSRF and once-only tokens) and searches by name.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LANTERN_LOAD_PLAN"]).read())  # noqa: SIM115
_next_caseworker = itertools.count()
HIDDEN_INPUT = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>")
NAME = re.compile(r"name=\"([^\"]+)\"")
VALUE = re.compile(r"value=\"([^\"]*)\"")


def hidden_fields(html: str) -> dict:
    """The form's hidden inputs (csrfmiddlewaretoken, form_token)."""
    fields = {}
    for tag in HIDDEN_INPUT.findall(html):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


class Caseworker(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        plan = PLAN["caseworkers"][next(_next_caseworker) % len(PLAN["caseworkers"])]
        self.client.cookies.set(PLAN["session_cookie_name"], plan["session"])
        self.caseload = plan["caseload"]
        self.timeline_cases = PLAN["timeline_cases"]  # {"10": id, "300": id}

    def _get(self, url, name):
        with self.client.get(
            url,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"X-Load-Page": name},
        ) as got:
            if got.status_code != 200:
                got.failure(f"{got.status_code}")
        return got

    @task(3)
    def dashboard(self):
        self._get("/", "dashboard")

    @task(4)
    def case_page(self):
        self._get(f"/cases/{random.choice(self.caseload)}/", "case page")

    @task(1)
    def case_page_10_contacts(self):
        self._get(f"/cases/{self.timeline_cases['10']}/", "case page, 10 contacts")

    @task(1)
    def case_page_300_contacts(self):
        self._get(f"/cases/{self.timeline_cases['300']}/", "case page, 300 contacts")

    @task(1)
    def timeline_10(self):
        self._get(f"/cases/{self.timeline_cases['10']}/timeline/", "timeline, 10 contacts")

    @task(2)
    def timeline_300(self):
        self._get(f"/cases/{self.timeline_cases['300']}/timeline/", "timeline, 300 contacts")

    @task(1)
    def timeline_300_later_page(self):
        self._get(
            f"/cases/{self.timeline_cases['300']}/timeline/?page={random.randint(2, 15)}",
            "timeline, 300 contacts, later page",
        )

    @task(1)
    def log_contact(self):
        url = f"/cases/{random.choice(self.caseload)}/contacts/new/"
        form = self._get(url, "log contact (form)")
        if form.status_code != 200:
            return
        fields = hidden_fields(form.text)
        fields.update(
            occurred_at=PLAN["contact_moment"],
            contact_type="face_to_face",
            with_client="on",
            outcome="successful",
            duration_minutes="20",
            location="Office",
            notes="Load benchmark contact.",
        )
        with self.client.post(
            url,
            data=fields,
            name="log contact (save)",
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + url, "X-Load-Page": "log contact (save)"},
        ) as saved:
            if saved.status_code != 302:
                saved.failure(f"{saved.status_code}: not saved")

    @task(1)
    def search(self):
        form = self._get("/cases/search/", "search (form)")
        if form.status_code != 200:
            return
        fields = hidden_fields(form.text)
        fields["query"] = random.choice(PLAN["search_names"])
        with self.client.post(
            "/cases/search/",
            data=fields,
            name="search (results)",
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + "/cases/search/", "X-Load-Page": "search (results)"},
        ) as found:
            if found.status_code != 200:
                found.failure(f"{found.status_code}")
