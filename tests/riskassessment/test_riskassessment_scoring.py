"""Checklists as versioned data, scoring, banding, MARAC criteria and the case's current risk."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import Role
from riskassessment import scoring, selectors, services
from riskassessment.models import (
    AnswerOption,
    AreaRule,
    Assessment,
    Checklist,
    ChecklistVersion,
    PublishedVersionIsImmutable,
    Question,
    ScoreBand,
)
from tests.factories import CaseFactory, MembershipFactory
from tests.factories_riskassessment import (
    answers_for,
    checklist_data,
    dash_version,
    make_checklist,
    merit_version,
    pattern,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return CaseFactory(service=service)


# --- Shipped checklists ----------------------------------------------------------------------


def test_shipped_checklists_are_published_data():
    dash = dash_version()
    assert dash.questions.count() == 24
    assert dash.marac_threshold == 14
    assert (dash.escalation_call_outs, dash.escalation_window_months) == (3, 12)
    options = {o.key: o for o in dash.questions.get(number=1).options.all()}
    assert [options[k].label for k in ("yes", "no", "dont_know", "not_asked")] == [
        "Yes",
        "No",
        "Don't know",
        "Not asked",
    ]
    assert options["yes"].counts_as_tick
    assert not options["dont_know"].counts_as_tick and not options["not_asked"].counts_as_tick
    assert dash.questions.get(number=8).opens_checklist.key == "stalking"
    assert dash.questions.get(number=4).opens_checklist.key == "honour_based_abuse"
    assert "copyright" in dash.source_note
    bands = [(b.level, b.min_score, b.max_score) for b in dash.bands.all()]
    assert bands == [("standard", 0, 9), ("medium", 10, 13), ("high", 14, None)]
    merit = merit_version()
    assert [(b.label, b.min_score) for b in merit.bands.all()] == [
        ("Bronze", 0),
        ("Silver", 45),
        ("Gold", 72),
    ]
    assert merit.marac_threshold == 72
    for key, count in (("stalking", 11), ("honour_based_abuse", 10)):
        version = selectors.published_version_of(Checklist.objects.get(key=key))
        assert version.questions.count() == count
        assert "not shipped" in version.source_note


def test_sync_of_shipped_checklists_is_idempotent():
    before = ChecklistVersion.objects.count()
    services.checklists_sync_shipped()
    assert ChecklistVersion.objects.count() == before


# --- Tick counting and banding ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticks", "level", "insights"),
    [
        (0, "standard", ""),
        (1, "standard", "Standard Risk (1 - 5)"),
        (5, "standard", "Standard Risk (1 - 5)"),
        (6, "standard", "Medium Risk (6 - 9)"),
        (9, "standard", "Medium Risk (6 - 9)"),
        (10, "medium", "High Risk (10+)"),
        (13, "medium", "High Risk (10+)"),
        (14, "high", "High Risk (10+)"),
        (24, "high", "High Risk (10+)"),
    ],
)
def test_dash_ticks_band_at_each_boundary(case, caseworker, ticks, level, insights):
    assessment = submitted(case, caseworker, ticks=ticks)
    assert assessment.score == ticks
    assert assessment.band_level == level
    assert assessment.risk_level == level
    assert assessment.insights_band == insights
    assert assessment.visible_high_risk is (ticks >= 14)
    assert assessment.marac_criteria_met is (ticks >= 14)
    assert assessment.high_risk_basis == ("Actuarial" if ticks >= 14 else "")


@pytest.mark.parametrize("ticks", [0, 1, 5, 6, 9, 10, 11, 25])
def test_insights_band_function(ticks):
    expected = {0: "", 1: "Standard Risk (1 - 5)", 5: "Standard Risk (1 - 5)"}
    expected.update({6: "Medium Risk (6 - 9)", 9: "Medium Risk (6 - 9)"})
    expected.update({10: "High Risk (10+)", 11: "High Risk (10+)", 25: "High Risk (10+)"})
    assert scoring.insights_dash_band(ticks) == expected[ticks]
    assert scoring.insights_dash_band(None) == ""


@pytest.mark.parametrize("rest", ["dont_know", "not_asked"])
def test_dont_know_and_not_asked_never_count_as_ticks(case, caseworker, rest):
    assessment = submitted(case, caseworker, ticks=3, rest=rest)
    assert assessment.score == 3
    assert assessment.risk_level == "standard"


def test_configured_bands_at_their_boundaries(case, caseworker):
    version = make_checklist(
        questions=20,
        bands=(("standard", 0, 4), ("medium", 5, 16), ("high", 17, None)),
        marac_threshold=17,
    )
    results = {
        ticks: submitted(case, caseworker, version=version, ticks=ticks) for ticks in (4, 5, 16, 17)
    }
    assert {t: a.risk_level for t, a in results.items()} == {
        4: "standard",
        5: "medium",
        16: "medium",
        17: "high",
    }
    assert not results[16].marac_criteria_met
    assert results[17].marac_criteria_met


def test_an_area_rule_moves_the_marac_threshold_to_17(case, caseworker, service):
    AreaRule.objects.create(
        checklist=Checklist.objects.get(key="dash"), area=service.area, marac_threshold=17
    )
    at_16 = submitted(case, caseworker, ticks=16)
    assert at_16.risk_level == "high"  # the local band still says high
    assert not at_16.visible_high_risk and not at_16.marac_criteria_met
    at_17 = submitted(case, caseworker, ticks=17)
    assert at_17.visible_high_risk and at_17.marac_criteria_met


# --- MeRIT weighted scoring ------------------------------------------------------------------


def _merit_answers_for_score(version, target):
    """Chooses yes on questions whose weights add up to exactly `target` (a small subset sum)."""
    questions = list(version.questions.prefetch_related("options").order_by("number"))
    weights = [next(o.score for o in q.options.all() if o.key == "yes") for q in questions]
    reachable = {0: []}
    for index, weight in enumerate(weights):
        for total, chosen in list(reachable.items()):
            reachable.setdefault(total + weight, [*chosen, index])
    chosen = set(reachable[target])
    return ["yes" if i in chosen else "no" for i in range(len(questions))]


@pytest.mark.parametrize(
    ("score", "label", "level", "marac"),
    [
        (44, "Bronze", "standard", False),
        (45, "Silver", "medium", False),
        (71, "Silver", "medium", False),
        (72, "Gold", "high", True),
    ],
)
def test_merit_weighted_scoring_at_its_cut_offs(case, caseworker, score, label, level, marac):
    version = merit_version()
    assessment = services.assessment_start(
        case=case, version=version, actor=caseworker, stage="intake"
    )
    keys = _merit_answers_for_score(version, score)
    assessment = services.assessment_save(
        assessment=assessment, actor=caseworker, answers=answers_for(assessment, keys), submit=True
    )
    assert assessment.score == score
    assert (assessment.risk_level, assessment.risk_level_label) == (level, label)
    assert assessment.marac_criteria_met is marac
    assert assessment.insights_band == ""  # only DASH ticks have an Insights band
    case.refresh_from_db()
    assert (case.risk_level, case.risk_level_label) == (level, label)


def test_weighted_score_ignores_ticks(case, caseworker):
    version = make_checklist(
        questions=3,
        scoring="weighted",
        weights=[30, 40, 5],
        bands=(("standard", 0, 40), ("medium", 41, 71), ("high", 72, None)),
        marac_threshold=72,
    )
    assessment = submitted(case, caseworker, version=version, ticks=2)
    assert assessment.score == 70
    assert assessment.risk_level == "medium"


# --- Professional judgement and escalation ---------------------------------------------------


def test_professional_judgement_needs_a_reason(case, caseworker):
    with pytest.raises(ValidationError) as error:
        submitted(case, caseworker, ticks=3, professional_judgement_level="high")
    assert "professional_judgement_reason" in error.value.message_dict
    assert not Assessment.objects.filter(status="submitted").exists()


def test_professional_judgement_raises_the_level(case, caseworker):
    assessment = submitted(
        case,
        caseworker,
        ticks=3,
        professional_judgement_level="high",
        professional_judgement_reason="Recent threats with a weapon to a family member.",
    )
    assert assessment.band_level == "standard"
    assert assessment.risk_level == "high"
    assert assessment.high_risk_basis == "Professional judgment"
    assert assessment.marac_criteria_met and not assessment.visible_high_risk


def test_professional_judgement_never_lowers_the_level(case, caseworker):
    with pytest.raises(ValidationError) as error:
        submitted(
            case,
            caseworker,
            ticks=15,
            professional_judgement_level="medium",
            professional_judgement_reason="Client has moved away.",
        )
    assert "professional_judgement_level" in error.value.message_dict


@pytest.mark.parametrize(("call_outs", "escalation"), [(2, False), (3, True), (None, False)])
def test_potential_escalation_from_police_call_outs(case, caseworker, call_outs, escalation):
    assessment = submitted(case, caseworker, ticks=4, police_call_outs=call_outs)
    assert assessment.potential_escalation is escalation
    assert assessment.marac_criteria_met is escalation
    assert assessment.risk_level == ("high" if escalation else "standard")
    assert assessment.high_risk_basis == ("Escalation" if escalation else "")


# --- Draft and submitted ---------------------------------------------------------------------


def test_a_draft_may_be_partial_but_submitting_needs_every_answer(case, caseworker):
    assessment = services.assessment_start(
        case=case, version=dash_version(), actor=caseworker, stage="intake"
    )
    partial = ["yes", "no", None] + [None] * 21
    services.assessment_save(
        assessment=assessment, actor=caseworker, answers=answers_for(assessment, partial)
    )
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.score is None
    case.refresh_from_db()
    assert case.risk_level == ""
    with pytest.raises(ValidationError) as error:
        services.assessment_save(assessment=assessment, actor=caseworker, answers={}, submit=True)
    assert "answers" in error.value.message_dict
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_a_submitted_assessment_cannot_be_changed(case, caseworker):
    assessment = submitted(case, caseworker, ticks=5)
    with pytest.raises(ValidationError):
        services.assessment_save(
            assessment=assessment,
            actor=caseworker,
            answers=answers_for(assessment, pattern(20, 24)),
            submit=True,
        )
    assessment.refresh_from_db()
    assert assessment.score == 5


def test_case_risk_follows_the_current_risk_rule_not_the_latest_assessment(case, caseworker):
    """A lower assessment inside the window of a higher one does not lower the risk; a complete
    one after the window does (riskassessment.current_risk; more in test_current_risk.py)."""
    first = submitted(case, caseworker, ticks=15, on=datetime.date(2026, 1, 10))
    case.refresh_from_db()
    assert (case.risk_level, case.risk_level_label) == ("high", "High")
    second = submitted(case, caseworker, ticks=2, on=datetime.date(2026, 3, 10), stage="review")
    assert second.supersedes == first
    case.refresh_from_db()
    assert case.risk_level == "high"
    submitted(case, caseworker, ticks=2, on=datetime.date(2026, 6, 1), stage="review")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    # A backdated assessment submitted later, not current on the newest one's day, does not
    # replace it.
    submitted(case, caseworker, ticks=20, on=datetime.date(2026, 2, 1), stage="ad_hoc")
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_follow_up_checklist_does_not_set_the_case_risk(case, caseworker):
    submitted(case, caseworker, ticks=2)
    stalking = selectors.published_version_of(Checklist.objects.get(key="stalking"))
    submitted(case, caseworker, version=stalking, ticks=11)
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_read_only_caseworker_cannot_assess(case, service):
    reader = MembershipFactory(service=service, role=Role.CASEWORKER, read_only=True).user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.assessment_start(case=case, version=dash_version(), actor=reader, stage="intake")


# --- Version immutability --------------------------------------------------------------------


def test_published_version_is_immutable():
    version = dash_version()
    version.label = "Changed"
    with pytest.raises(PublishedVersionIsImmutable):
        version.save()
    question = version.questions.get(number=1)
    question.text = "Something else"
    with pytest.raises(PublishedVersionIsImmutable):
        question.save()
    option = question.options.get(key="dont_know")
    option.counts_as_tick = True
    with pytest.raises(PublishedVersionIsImmutable):
        option.save()
    band = version.bands.get(level="high")
    band.min_score = 10
    with pytest.raises(PublishedVersionIsImmutable):
        band.save()
    with pytest.raises(PublishedVersionIsImmutable):
        Question.objects.filter(version=version).update(text="x")
    with pytest.raises(PublishedVersionIsImmutable):
        AnswerOption.objects.filter(question__version=version).update(score=5)
    with pytest.raises(PublishedVersionIsImmutable):
        ScoreBand.objects.filter(version=version).delete()
    with pytest.raises(PublishedVersionIsImmutable):
        version.delete()
    with pytest.raises(PublishedVersionIsImmutable):
        Question.objects.create(version=version, number=99, text="New")
    assert dash_version().questions.get(number=1).text.startswith("Current incident")


def test_new_version_leaves_old_assessments_alone(case, caseworker):
    old = submitted(case, caseworker, ticks=12)
    data = json.loads((services.SHIPPED_DIR / "dash.json").read_text())
    data["version"]["label"] = "Area bands 2027"
    data["bands"] = [
        {"level": "standard", "label": "Standard", "min_score": 0, "max_score": 5},
        {"level": "medium", "label": "Medium", "min_score": 6, "max_score": 9},
        {"level": "high", "label": "High", "min_score": 10, "max_score": None},
    ]
    new = services.checklist_import(data=data, publish=True)
    assert new.number == old.version.number + 1
    services.version_retire(version=old.version)
    old.refresh_from_db()
    assert old.risk_level == "medium" and old.version.status == "retired"
    assert selectors.published_version_of(Checklist.objects.get(key="dash")) == new
    assert submitted(case, caseworker, version=new, ticks=12).risk_level == "high"


def test_import_a_new_checklist_needs_no_code(tmp_path):
    data = checklist_data(key="dara", questions=4, publish=False)
    path = tmp_path / "dara.json"
    path.write_text(json.dumps(data))
    call_command("import_checklist", str(path))
    version = ChecklistVersion.objects.get(checklist__key="dara")
    assert version.status == "draft"
    version.label = "A draft can still change"
    version.save()
    services.version_publish(version=version)
    assert selectors.published_versions().filter(pk=version.pk).exists()


def test_import_refuses_a_bad_file_and_writes_nothing():
    data = checklist_data(key="broken", questions=3)
    data["questions"][1]["number"] = 1
    data["bands"][1]["min_score"] = 5  # overlaps the standard band
    with pytest.raises(ValidationError) as error:
        services.checklist_import(data=data)
    messages = error.value.message_dict["file"]
    assert any("numbers" in m for m in messages)
    assert any("overlap" in m for m in messages)
    assert not Checklist.objects.filter(key="broken").exists()


def test_a_redone_intake_assessment_replaces_the_first_in_the_dash_change(case, caseworker):
    from cases.models import Case

    first = submitted(case, caseworker, ticks=3, stage="intake", on=datetime.date(2026, 1, 1))
    # Redone the next day with what the client disclosed later: it supersedes the first.
    redone = submitted(case, caseworker, ticks=16, stage="intake", on=datetime.date(2026, 1, 2))
    assert redone.supersedes == first
    submitted(case, caseworker, ticks=6, stage="exit", on=datetime.date(2026, 3, 1))
    change = selectors.dash_change_between_intake_and_exit(Case.objects.filter(pk=case.pk))
    assert change == {case.pk: {"intake": 16, "exit": 6, "change": -10}}
