"""Importing a checklist file: whatever the file holds, the admin gets the problems listed in
place (never a server error) and nothing is written from a file with errors."""

import copy
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from riskassessment import services
from riskassessment.models import AnswerOption, Checklist, ChecklistVersion, Question, ScoreBand
from tests.factories_riskassessment import checklist_data

pytestmark = pytest.mark.django_db


def _good():
    # A deep copy: the factory's option list is shared, and the broken files change it.
    return copy.deepcopy(checklist_data(key="dara", questions=3, publish=False))


def _broken(change):
    data = _good()
    change(data)
    return data


def _set(path, value):
    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


BROKEN_FILES = {
    "a list, not an object": None,
    "checklist is a string": _set(["checklist"], "dara"),
    "key with spaces": _set(["checklist", "key"], "my checklist"),
    "key too long": _set(["checklist", "key"], "k" * 41),
    "name not text": _set(["checklist", "name"], 12),
    "is_follow_up not a flag": _set(["checklist", "is_follow_up"], "yes"),
    "version label missing": _set(["version"], {}),
    "threshold as text": _set(["version", "marac_threshold"], "fourteen"),
    "threshold true": _set(["version", "marac_threshold"], True),
    "window of zero months": _set(["version", "escalation_window_months"], 0),
    "questions not a list": _set(["questions"], {"1": "x"}),
    "question not an object": _set(["questions", 0], "Question 1"),
    "question without a number": lambda d: d["questions"][0].pop("number"),
    "question number as text": _set(["questions", 0, "number"], "1"),
    "question text a number": _set(["questions", 1, "text"], 5),
    "follow-up prompt too long": _set(["questions", 1, "follow_up_prompt"], "x" * 301),
    "order negative": _set(["questions", 1, "order"], -1),
    "scores a list": _set(["questions", 0, "scores"], [1, 2]),
    "score for an unknown option": _set(["questions", 0, "scores"], {"maybe": 2}),
    "score as text": _set(["questions", 0, "scores"], {"yes": "two"}),
    "options not a list": _set(["questions", 0, "options"], "yes/no"),
    "option without a key": _set(["questions", 0, "options"], [{"label": "Yes"}]),
    "option score as text": _set(
        ["answer_options", 0], {"key": "yes", "label": "Yes", "score": "1"}
    ),
    "no options anywhere": lambda d: d.pop("answer_options"),
    "opens an unknown checklist": _set(["questions", 0, "opens_checklist"], "nowhere"),
    "opens a number": _set(["questions", 0, "opens_checklist"], 7),
    "bands not a list": _set(["bands"], {"level": "high"}),
    "band min missing": lambda d: d["bands"][0].pop("min_score"),
    "band max below min": _set(["bands", 0, "max_score"], -5),
    "band level unknown": _set(["bands", 0, "level"], "extreme"),
    "band label too long": _set(["bands", 0, "label"], "L" * 41),
    "bands leave a gap": _set(["bands", 1, "min_score"], 11),
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_a_broken_file_is_refused_in_place_and_writes_nothing(client_for, superuser, name):
    data = [_good()] if name == "a list, not an object" else _broken(BROKEN_FILES[name])
    before = (
        ChecklistVersion.objects.count(),
        Question.objects.count(),
        AnswerOption.objects.count(),
        ScoreBand.objects.count(),
    )
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "broken.json"
    response = client_for(superuser).post(
        reverse("riskassessment:checklist_import"), {"file": upload, "publish": "on"}
    )
    assert response.status_code == 200, name
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    after = (
        ChecklistVersion.objects.count(),
        Question.objects.count(),
        AnswerOption.objects.count(),
        ScoreBand.objects.count(),
    )
    assert after == before
    assert not Checklist.objects.filter(key="dara").exists()


def test_the_good_file_imports(client_for, superuser):
    # The same file the broken ones start from imports cleanly, so each refusal above is down
    # to its one change.
    upload = io.BytesIO(json.dumps(_good()).encode())
    upload.name = "dara.json"
    response = client_for(superuser).post(
        reverse("riskassessment:checklist_import"), {"file": upload}
    )
    assert response.status_code == 302
    assert ChecklistVersion.objects.get(checklist__key="dara").questions.count() == 3


def test_gap_between_bands_is_named():
    data = _broken(_set(["bands", 1, "min_score"], 11))
    with pytest.raises(ValidationError) as error:
        services.checklist_import(data=data)
    assert any("gap: scores from 10 to 10" in m for m in error.value.message_dict["file"])


def test_a_new_version_cannot_change_how_a_checklist_is_scored():
    data = json.loads((services.SHIPPED_DIR / "dash.json").read_text())
    data["checklist"]["scoring"] = "weighted"
    data["version"]["label"] = "Weighted DASH"
    with pytest.raises(ValidationError) as error:
        services.checklist_import(data=data)
    assert any("scored as" in m for m in error.value.message_dict["file"])
    assert not ChecklistVersion.objects.filter(label="Weighted DASH").exists()


# The checklist file's JSON Schema (riskassessment/services/checklist_file.py) answers in the
# admin's words: the part of the file, and what it must hold.
MESSAGES = {
    "a list, not an object": "The file must hold one JSON object.",
    "checklist is a string": '"checklist" needs a "key" and a "name".',
    "key with spaces": '"checklist" needs a "key" (letters, digits, - and _, up to 40) and a '
    '"name" (up to 120 characters).',
    "threshold true": '"version.marac_threshold" must be a whole number from 0, or null.',
    "window of zero months": '"version.escalation_window_months" must be from 1 to 120.',
    "question number as text": "Question numbers must be whole numbers from 1, each used once.",
    "question text a number": "Question 2 has no text.",
    "follow-up prompt too long": 'Question 2: "help" and "follow_up_prompt" (up to 300) must be '
    "text.",
    "option without a key": "Question 1: options need unique keys (letters, digits, - and _).",
    "option score as text": '"answer_options": an option\'s "score" must be a whole number and '
    '"counts_as_tick" true or false.',
    "score for an unknown option": "Question 1: scores name unknown options ['maybe'].",
    "opens a number": 'Question 1: "opens_checklist" must be a checklist key.',
    "band max below min": 'Band Standard: "min_score" must be a whole number and "max_score" one '
    "at least as large, or null for no top.",
    "band label too long": "Band standard: the label must be text (up to 40).",
    "band level unknown": "Bands: each level (standard, medium, high) at most once.",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_a_broken_file_is_named_in_plain_words(name):
    data = [_good()] if name == "a list, not an object" else _broken(BROKEN_FILES[name])
    assert services.checklist_errors(data) == [MESSAGES[name]]


@pytest.mark.django_db
def test_what_a_checklists_assessments_mean_is_fixed_once_a_version_is_published(
    client_for, superuser
):
    """Scoring, kind and the Insights band decide past figures and the reporting read model:
    they cannot change once a version is in use (the name can); a draft-only checklist is free."""
    from riskassessment.models.checklists import PublishedVersionIsImmutable
    from tests.factories_riskassessment import make_checklist

    draft_only = make_checklist(publish=False).checklist
    draft_only.has_insights_band = True
    draft_only.save()

    checklist = make_checklist().checklist
    checklist.name = "Renamed"
    checklist.save()
    checklist.has_insights_band = not checklist.has_insights_band
    with pytest.raises(PublishedVersionIsImmutable):
        checklist.save()
    checklist.refresh_from_db()

    response = client_for(superuser).get(f"/admin/riskassessment/checklist/{checklist.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="has_insights_band"' not in page and 'name="scoring"' not in page
    assert 'name="name"' in page
    assert Checklist.objects.get(pk=checklist.pk).name == "Renamed"
