"""Thin views: the selectors scope, the forms validate, the services write."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.idempotency import AlreadySubmitted
from cases.selectors import (
    can_edit_case,
    case_get_for_editing,
    case_get_for_user,
    require_case_capability,
)
from cases.views import already_saved

from . import current_risk, scoring, selectors, services
from .forms import (
    AssessmentForm,
    AssessmentStartForm,
    ChecklistImportForm,
    FollowUpStartForm,
    MaracActionForm,
    MaracHearingFactsForm,
    MaracHearingForm,
    MaracMeetingForm,
    MaracOutcomeForm,
    MaracReferralForm,
    RiskDecisionForm,
)
from .models import Checklist, ChecklistVersion


def _editable_case(request, case_pk):
    """The case if the user may change it: 404 outside their scope, 403 if read only; the
    opening audited."""
    return case_get_for_editing(request.user, case_pk)


def _apply_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Assessments -----------------------------------------------------------------------------


@login_required
def case_risk(request, case_pk):
    """The case's current risk and its history as a small timeline, with its MARAC record."""
    case = case_get_for_user(request.user, case_pk, read=True)
    assessments = list(selectors.assessments_for_case(case))
    can_edit = can_edit_case(request.user, case)
    return render(
        request,
        "riskassessment/case_risk.html",
        {
            "case": case,
            "risk": current_risk.current_risk_of(case),
            "decisions": list(selectors.risk_decisions_for_case(case)),
            "assessments": assessments,
            "referrals": list(selectors.referrals_for_case(case)),
            "hearings": selectors.hearings_for_case(case),
            "can_edit": can_edit,
            "can_lower": can_edit and selectors.can_lower_risk(request.user, case),
        },
    )


@login_required
def risk_decision(request, case_pk):
    """A team leader's reasoned decision to lower the case's current risk (the only way it
    comes down while a higher assessment is current: riskassessment.current_risk)."""
    case = case_get_for_editing(request.user, case_pk)
    require_case_capability(request.user, case, access.Capability.LOWER_RISK)
    risk = current_risk.current_risk_of(case)
    form = RiskDecisionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_decision_record(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            # The form comes back against the case as it is now (its risk may have changed
            # meanwhile: that is one of the errors), keeping the reason typed.
            case.refresh_from_db()
            risk = current_risk.current_risk_of(case)
            data = request.POST.copy()
            data["seen_level"] = case.risk_level
            form = RiskDecisionForm(data, case=case)
            form.is_valid()
            _apply_errors(form, error)
        else:
            messages.success(request, "Risk lowered; the decision and its reason are recorded.")
            return redirect("riskassessment:case_risk", case_pk=case.pk)
    return render(
        request,
        "riskassessment/risk_decision.html",
        {
            "case": case,
            "risk": risk,
            "form": form,
            "can_lower_further": bool(form.fields["to_level"].choices) and not case.is_closed,
        },
    )


@login_required
def assessment_start(request, case_pk):
    case = _editable_case(request, case_pk)
    form = AssessmentStartForm(
        request.POST or None, initial={"assessed_on": timezone.localdate(), "stage": "intake"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(
                case=case, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("riskassessment:assessment_edit", pk=assessment.pk)
    return render(request, "riskassessment/assessment_start.html", {"case": case, "form": form})


@login_required
@require_POST
def assessment_follow_up(request, pk):
    """Starts the follow-up checklist (e.g. the stalking screen) an answer opened."""
    parent = selectors.assessment_get_for_user(request.user, pk)
    require_case_capability(request.user, parent.case)
    form = FollowUpStartForm(request.POST)
    if not form.is_valid():
        raise Http404
    checklist = Checklist.objects.filter(key=form.cleaned_data["checklist"]).first()
    opened = selectors.follow_ups_opened(selectors.answers_for(parent))
    if checklist is None or checklist not in opened:
        raise Http404
    version = selectors.published_version_of(checklist)
    if version is None:
        messages.error(request, f"{checklist.name} has no published version.")
        return redirect("riskassessment:assessment_detail", pk=parent.pk)
    assessment = services.assessment_start(
        case=parent.case,
        version=version,
        actor=request.user,
        stage=parent.stage,
        source=parent.source,
        parent=parent,
    )
    return redirect("riskassessment:assessment_edit", pk=assessment.pk)


@login_required
def assessment_edit(request, pk):
    """The whole checklist on one page: save as a draft, or submit."""
    assessment = selectors.assessment_get_for_editing(
        request.user, pk, read=request.method == "GET"
    )
    if assessment.is_submitted:
        messages.info(request, "This assessment was submitted: start a new one to supersede it.")
        return redirect("riskassessment:assessment_detail", pk=assessment.pk)
    answers = selectors.answers_for(assessment)
    form = AssessmentForm(request.POST or None, assessment=assessment, answers=answers)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            assessment = services.assessment_save(
                assessment=assessment,
                actor=request.user,
                answers=form.answer_data(),
                submit=submit,
                **form.assessment_fields(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if submit:
                messages.success(request, "Assessment submitted.")
                return redirect("riskassessment:assessment_detail", pk=assessment.pk)
            messages.success(request, "Draft saved.")
            return redirect("riskassessment:assessment_edit", pk=assessment.pk)
    checklist = assessment.version.checklist
    return render(
        request,
        "riskassessment/assessment_form.html",
        {
            "assessment": assessment,
            "case": assessment.case,
            "form": form,
            "rows": form.question_rows(),
            "weighted": checklist.scoring == Checklist.Scoring.WEIGHTED,
        },
    )


@login_required
def assessment_detail(request, pk):
    assessment = selectors.assessment_get_for_user(request.user, pk, read=True)
    answers = selectors.answers_for(assessment)
    can_edit = can_edit_case(request.user, assessment.case)
    follow_ups = []
    if assessment.is_submitted:
        started = {
            a.version.checklist_id: a for a in assessment.follow_ups.select_related("version")
        }
        follow_ups = [
            {"checklist": checklist, "assessment": started.get(checklist.pk)}
            for checklist in selectors.follow_ups_opened(answers)
        ]
    return render(
        request,
        "riskassessment/assessment_detail.html",
        {
            "assessment": assessment,
            "case": assessment.case,
            "answers": answers,
            "can_edit": can_edit,
            "follow_ups": follow_ups,
            "thresholds": scoring.thresholds_for(assessment.version, assessment.case.service.area),
        },
    )


# --- MARAC: referrals from cases -------------------------------------------------------------


@login_required
def marac_refer(request, case_pk):
    case = _editable_case(request, case_pk)
    # The referral starts from the assessment that gives the case its current risk (an
    # incomplete checklist submitted since does not), else from the latest one.
    latest = current_risk.current_risk_of(case).assessment or scoring.latest_submitted_assessment(
        case
    )
    initial = {"referred_on": timezone.localdate()}
    if latest is not None:
        initial.update(
            assessment=latest.pk,
            visible_high_risk=latest.visible_high_risk,
            professional_judgement=latest.professional_judgement_level == "high",
            potential_escalation=latest.potential_escalation,
        )
    earlier = selectors.earlier_referral_within_window(
        client_id=case.client_id, on_date=timezone.localdate()
    )
    form = MaracReferralForm(
        request.POST or None, case=case, initial=initial, earlier_referral=earlier
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.marac_refer(case=case, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, "riskassessment:case_risk", case_pk=case.pk)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Referred to MARAC.")
            return redirect("riskassessment:case_risk", case_pk=case.pk)
    return render(request, "riskassessment/marac_refer.html", {"case": case, "form": form})


# --- MARAC: the coordinator's meetings -------------------------------------------------------


def _coordinator_maracs(request):
    maracs = selectors.maracs_for(request.user)
    if not maracs:
        raise PermissionDenied
    return maracs


@login_required
def meeting_list(request):
    _coordinator_maracs(request)
    filters, meetings = selectors.meeting_list_for(request.user, request.GET)
    return render(
        request,
        "riskassessment/meeting_list.html",
        {"meetings": meetings, "filters": filters},
        status=200 if filters.is_valid() else 400,
    )


@login_required
def meeting_add(request):
    maracs = _coordinator_maracs(request)
    form = MaracMeetingForm(request.POST or None, maracs=maracs)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.marac_meeting_create(
                actor=request.user,
                marac=form.cleaned_data["marac"],
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("riskassessment:meeting_detail", pk=meeting.pk)
    return render(request, "riskassessment/meeting_form.html", {"form": form})


def _meeting_context(request, meeting, **forms):
    hearings = selectors.hearings_for_meeting(request.user, meeting)
    bad_facts = forms.get("bad_facts")
    for hearing in hearings:
        hearing.facts_form = (
            bad_facts
            if bad_facts is not None and forms.get("bad_hearing") == hearing.pk
            else MaracHearingFactsForm(instance=hearing, prefix=f"facts{hearing.pk}")
        )
    return {
        "meeting": meeting,
        "hearings": hearings,
        "hearing_form": (
            forms.get("hearing_form") or MaracHearingForm(meeting=meeting, user=request.user)
        ),
        "outcome_form": MaracOutcomeForm(),
        "action_form": MaracActionForm(),
        "bad_form": forms.get("bad_form"),
        "bad_hearing": forms.get("bad_hearing"),
    }


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    return render(request, "riskassessment/meeting_detail.html", _meeting_context(request, meeting))


@login_required
@require_POST
def hearing_add(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    form = MaracHearingForm(request.POST, meeting=meeting, user=request.user)
    if form.is_valid():
        try:
            services.marac_hearing_add(
                meeting=meeting, referral=form.cleaned_data["referral"], actor=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("riskassessment:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "riskassessment/meeting_detail.html",
        _meeting_context(request, meeting, hearing_form=form),
    )


@login_required
@require_POST
def hearing_outcome(request, pk):
    hearing = selectors.hearing_get_for_user(request.user, pk)
    form = MaracOutcomeForm(request.POST)
    if form.is_valid():
        services.marac_hearing_record_outcome(
            hearing=hearing, actor=request.user, outcome=form.cleaned_data["outcome"]
        )
        return redirect("riskassessment:meeting_detail", pk=hearing.meeting_id)
    return render(
        request,
        "riskassessment/meeting_detail.html",
        _meeting_context(request, hearing.meeting, bad_form=form, bad_hearing=hearing.pk),
    )


@login_required
@require_POST
def hearing_facts(request, pk):
    hearing = selectors.hearing_get_for_user(request.user, pk)
    form = MaracHearingFactsForm(request.POST, instance=hearing, prefix=f"facts{hearing.pk}")
    if form.is_valid():
        services.marac_hearing_record_facts(
            hearing=hearing,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        return redirect("riskassessment:meeting_detail", pk=hearing.meeting_id)
    return render(
        request,
        "riskassessment/meeting_detail.html",
        _meeting_context(
            request, hearing.meeting, bad_form=form, bad_hearing=hearing.pk, bad_facts=form
        ),
    )


@login_required
@require_POST
def action_add(request, pk):
    hearing = selectors.hearing_get_for_user(request.user, pk)
    form = MaracActionForm(request.POST)
    if form.is_valid():
        services.marac_action_add(hearing=hearing, actor=request.user, **form.cleaned_data)
        return redirect("riskassessment:meeting_detail", pk=hearing.meeting_id)
    return render(
        request,
        "riskassessment/meeting_detail.html",
        _meeting_context(request, hearing.meeting, bad_form=form, bad_hearing=hearing.pk),
    )


@login_required
@require_POST
def action_toggle(request, pk):
    action = selectors.action_get_for_user(request.user, pk)
    services.marac_action_set_done(action=action, actor=request.user, done=not action.done)
    if action.hearing.meeting.marac_id in selectors.marac_ids_for(request.user):
        return redirect("riskassessment:meeting_detail", pk=action.hearing.meeting_id)
    return redirect("riskassessment:case_risk", case_pk=action.case_id)


# --- Checklists (admin) ----------------------------------------------------------------------


def _require_admin(request):
    user = request.user
    if not (access.can(user, access.Capability.ADMINISTER) or access.administers_everything(user)):
        raise PermissionDenied


@login_required
def checklist_list(request):
    _require_admin(request)
    return render(
        request,
        "riskassessment/checklist_list.html",
        {"versions": selectors.versions_for_admin()},
    )


@login_required
def checklist_import(request):
    # A new version of a checklist every provider uses: a superuser's change, as in the admin.
    if not access.administers_everything(request.user):
        raise PermissionDenied
    form = ChecklistImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            form.add_error("file", "The file is not valid JSON.")
        else:
            try:
                version = services.checklist_import(
                    data=data, actor=request.user, publish=form.cleaned_data["publish"]
                )
            except ValidationError as error:
                for message in error.message_dict.get("file", error.messages):
                    form.add_error("file", message)
            else:
                messages.success(request, f"Imported {version}.")
                return redirect("riskassessment:checklist_list")
    return render(request, "riskassessment/checklist_import.html", {"form": form})


@login_required
def version_detail(request, pk):
    _require_admin(request)
    version = (
        ChecklistVersion.objects.select_related("checklist").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if version is None:
        raise Http404
    questions = version.questions.select_related("opens_checklist").prefetch_related("options")
    return render(
        request,
        "riskassessment/version_detail.html",
        {"version": version, "questions": questions, "bands": version.bands.all()},
    )


@login_required
@require_POST
def version_status(request, pk):
    """Publish a draft, or retire a published version."""
    _require_admin(request)
    version = ChecklistVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404
    try:
        if request.POST.get("to") == "retired":
            services.version_retire(version=version, actor=request.user)
        else:
            services.version_publish(version=version, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("riskassessment:checklist_list")
