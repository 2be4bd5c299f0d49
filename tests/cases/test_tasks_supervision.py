"""Issue 22, items 4 and 5: tasks, reminders that can be snoozed or handed on, supervision notes
seen only by line management, and the team leader's caseloads with bulk reallocation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from cases import selectors, selectors_work, services_work
from cases.models import CaseAllocation, SupervisionNote, Task
from tests.factories import CaseFactory, ContactFactory, MembershipFactory
from tests.factories_support import SafetyPlanFactory
from tests.factories_work import SupervisionNoteFactory, TaskFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def second_caseworker(service):
    return MembershipFactory(service=service, role=Role.CASEWORKER).user


def _review_overdue_case(service, caseworker, today):
    return CaseFactory(
        service=service, caseworker=caseworker, review_due_on=today - datetime.timedelta(days=2)
    )


def _dashboard_reminder_keys(caseworker, today):
    cases = list(selectors.my_open_cases(caseworker))
    hidden = selectors_work.hidden_reminder_keys(
        selectors.cases_visible_to(caseworker).filter(caseworker=caseworker), today
    )
    return [r.key for r in selectors.reminders_for(cases, today, hidden_keys=hidden)]


# --- Reminders ---------------------------------------------------------------------------------
def test_snoozed_reminder_is_hidden_until_its_date_then_shows_again(service, caseworker, today):
    case = _review_overdue_case(service, caseworker, today)
    key = f"review_due:{case.pk}:{case.review_due_on.isoformat()}"
    assert _dashboard_reminder_keys(caseworker, today) == [key]

    reminder = selectors_work.current_reminder(case, key, today)
    task = services_work.reminder_snooze(
        case=case,
        actor=caseworker,
        reminder=reminder,
        until=today + datetime.timedelta(days=3),
        reason="Client in hospital this week",
    )
    assert task.status == Task.Status.SNOOZED and task.source_key == key
    assert _dashboard_reminder_keys(caseworker, today) == []
    assert _dashboard_reminder_keys(caseworker, today + datetime.timedelta(days=2)) == []
    # On the date the snooze hides nothing: the reminder is back (no job needed).
    assert key in _dashboard_reminder_keys(caseworker, today + datetime.timedelta(days=3))
    # And a snoozed reminder is not a task on anyone's list.
    assert selectors_work.my_tasks(caseworker, today + datetime.timedelta(days=3)) == []


def test_snoozing_a_reminder_again_updates_its_one_task(service, caseworker, today):
    case = _review_overdue_case(service, caseworker, today)
    reminder = selectors.reminders_for(selectors.my_open_cases(caseworker), today)[0]
    for days in (2, 5):
        services_work.reminder_snooze(
            case=case,
            actor=caseworker,
            reminder=reminder,
            until=today + datetime.timedelta(days=days),
            reason="Waiting for the court date",
        )
    task = Task.objects.get(case=case)
    assert task.snoozed_until == today + datetime.timedelta(days=5)


def test_a_snooze_needs_a_reason_and_a_later_date(service, caseworker, today):
    case = _review_overdue_case(service, caseworker, today)
    reminder = selectors.reminders_for(selectors.my_open_cases(caseworker), today)[0]
    with pytest.raises(ValidationError) as error:
        services_work.reminder_snooze(
            case=case, actor=caseworker, reminder=reminder, until=today, reason=" "
        )
    assert set(error.value.error_dict) == {"snoozed_until", "snooze_reason"}
    assert not Task.objects.exists()


def test_a_new_review_date_is_a_new_reminder_the_old_snooze_does_not_hide(
    service, caseworker, today
):
    case = _review_overdue_case(service, caseworker, today)
    reminder = selectors.reminders_for(selectors.my_open_cases(caseworker), today)[0]
    services_work.reminder_snooze(
        case=case,
        actor=caseworker,
        reminder=reminder,
        until=today + datetime.timedelta(days=10),
        reason="Review booked",
    )
    case.review_due_on = today + datetime.timedelta(days=1)
    case.save()
    assert _dashboard_reminder_keys(caseworker, today) == [
        f"review_due:{case.pk}:{case.review_due_on.isoformat()}"
    ]


def test_team_leader_hands_a_reminder_on_as_a_task(
    service, caseworker, second_caseworker, team_leader, today
):
    case = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    ContactFactory(case=case, occurred_at=timezone.now() - datetime.timedelta(days=9))
    reminder = selectors.reminders_for(selectors.my_open_cases(caseworker), today)[0]
    assert reminder.key.startswith(f"no_contact:{case.pk}:")

    task = services_work.reminder_reassign(
        case=case, actor=team_leader, reminder=reminder, assigned_to=second_caseworker
    )
    assert task.assigned_to == second_caseworker and task.status == Task.Status.OPEN
    assert _dashboard_reminder_keys(caseworker, today) == []
    assert [t.pk for t in selectors_work.my_tasks(second_caseworker, today)] == [task.pk]
    # A caseworker cannot hand reminders on.
    with pytest.raises(PermissionDenied):
        services_work.reminder_reassign(
            case=case, actor=caseworker, reminder=reminder, assigned_to=second_caseworker
        )


def test_reminder_page_snoozes_through_the_dashboard_link(client_for, service, caseworker, today):
    case = _review_overdue_case(service, caseworker, today)
    client = client_for(caseworker)
    home = client.get(reverse("home")).content.decode()
    key = f"review_due:{case.pk}:{case.review_due_on.isoformat()}"
    url = reverse("cases:reminder_act", args=[case.pk, key])
    assert url in home
    response = client.post(
        url,
        {
            "action": "snooze",
            "snoozed_until": (today + datetime.timedelta(days=4)).isoformat(),
            "snooze_reason": "On holiday",
        },
    )
    assert response.status_code == 302
    assert url not in client.get(reverse("home")).content.decode()
    # A stale link (a reminder that is not there) is a 404, not a task.
    stale = reverse("cases:reminder_act", args=[case.pk, f"review_due:{case.pk}:2020-01-01"])
    assert client.get(stale).status_code == 404


# --- Tasks -------------------------------------------------------------------------------------
def test_caseworker_adds_a_task_once_for_themself(client_for, service, caseworker, today):
    case = CaseFactory(service=service, caseworker=caseworker)
    client = client_for(caseworker)
    form = client.get(reverse("cases:task_add", args=[case.pk])).context["form"]
    assert "assigned_to" not in form.fields
    data = {
        "title": "Call the school",
        "due_on": today.isoformat(),
        "form_token": str(form["form_token"].initial),
    }
    first = client.post(reverse("cases:task_add", args=[case.pk]), data)
    second = client.post(reverse("cases:task_add", args=[case.pk]), data)
    assert first.status_code == second.status_code == 302
    task = Task.objects.get(case=case)
    assert task.assigned_to == caseworker and task.set_by == caseworker


def test_team_leader_sets_a_task_for_a_caseworker_and_reassigns_it(
    service, caseworker, second_caseworker, team_leader, today
):
    case = CaseFactory(service=service, caseworker=caseworker)
    task = services_work.task_create(
        case=case, actor=team_leader, title="Chase the GP letter", assigned_to=caseworker
    )
    assert task.set_by == team_leader
    services_work.task_reassign(task=task, actor=team_leader, assigned_to=second_caseworker)
    task.refresh_from_db()
    assert task.assigned_to == second_caseworker
    # The reassignment is in the task's change history.
    from auditlog.models import LogEntry

    changes = [entry.changes_dict for entry in LogEntry.objects.get_for_object(task)]
    assert any("assigned_to" in change for change in changes)


def test_caseworker_cannot_set_tasks_for_others_nor_for_another_service(
    service, caseworker, second_caseworker, outsider
):
    case = CaseFactory(service=service, caseworker=caseworker)
    with pytest.raises(PermissionDenied):
        services_work.task_create(
            case=case, actor=caseworker, title="x", assigned_to=second_caseworker
        )
    with pytest.raises(PermissionDenied):
        services_work.task_create(case=case, actor=outsider, title="x")
    assert not Task.objects.exists()


def test_my_tasks_overdue_first_and_done_or_snoozed_left_out(service, caseworker, today):
    case = CaseFactory(service=service, caseworker=caseworker)
    later = TaskFactory(case=case, assigned_to=caseworker, due_on=today + datetime.timedelta(3))
    undated = TaskFactory(case=case, assigned_to=caseworker, due_on=None)
    overdue = TaskFactory(case=case, assigned_to=caseworker, due_on=today - datetime.timedelta(3))
    done = TaskFactory(case=case, assigned_to=caseworker)
    services_work.task_done(task=done, actor=caseworker)
    snoozed = TaskFactory(case=case, assigned_to=caseworker)
    services_work.task_snooze(
        task=snoozed, actor=caseworker, until=today + datetime.timedelta(2), reason="Wait"
    )
    assert [t.pk for t in selectors_work.my_tasks(caseworker, today)] == [
        overdue.pk,
        later.pk,
        undated.pk,
    ]
    in_two_days = selectors_work.my_tasks(caseworker, today + datetime.timedelta(2))
    assert snoozed.pk in [t.pk for t in in_two_days]


def test_task_edit_refuses_a_save_over_someone_elses_change(service, caseworker, team_leader):
    case = CaseFactory(service=service, caseworker=caseworker)
    task = TaskFactory(case=case, assigned_to=caseworker, title="First")
    loaded_version = task.version
    services_work.task_update(task=task, actor=team_leader, version=loaded_version, title="Second")
    with pytest.raises(ValidationError):
        services_work.task_update(task=task, actor=caseworker, version=loaded_version, title="Mine")
    task.refresh_from_db()
    assert task.title == "Second"


def test_task_list_is_audited_and_another_service_gets_404(
    client_for, service, caseworker, outsider
):
    case = CaseFactory(service=service, caseworker=caseworker)
    TaskFactory(case=case, assigned_to=caseworker)
    assert client_for(caseworker).get(reverse("cases:task_list", args=[case.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, case_id=case.pk, detail__page="tasks"
    ).exists()
    assert client_for(outsider).get(reverse("cases:task_list", args=[case.pk])).status_code == 404


def test_task_tables_scroll_in_their_own_box_on_a_narrow_screen(client_for, service, caseworker):
    """Both task tables (a case's, and My tasks) sit in a .table-responsive box: bare, at 390px
    they made the whole page scroll sideways (72px on My tasks)."""
    case = CaseFactory(service=service, caseworker=caseworker)
    TaskFactory(case=case, assigned_to=caseworker)
    browser = client_for(caseworker)
    for url in (reverse("cases:task_list", args=[case.pk]), reverse("cases:my_tasks")):
        page = browser.get(url).content.decode()
        assert '<div class="table-responsive"><table class="table table-sm align-middle">' in page


# --- Supervision -------------------------------------------------------------------------------
def test_supervision_notes_only_for_team_leaders_and_the_allocated_caseworker(
    client_for, service, caseworker, second_caseworker, team_leader, manager, outsider
):
    case = CaseFactory(service=service, caseworker=caseworker)
    SupervisionNoteFactory(case=case, written_by=team_leader, text="Discussed the risk")
    url = reverse("cases:supervision_notes", args=[case.pk])
    for user in (caseworker, team_leader):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Discussed the risk" in response.content.decode()
    for user in (second_caseworker, manager, outsider):
        assert client_for(user).get(url).status_code == 404
    # The reads are audited, and so is the refusal of another caseworker of the service.
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW, case_id=case.pk, detail__page="supervision"
        ).count()
        == 2
    )
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, case_id=case.pk, actor=second_caseworker
    ).exists()
    # The case page's task list offers the link only to those who may follow it.
    tasks_page = client_for(second_caseworker).get(reverse("cases:task_list", args=[case.pk]))
    assert url not in tasks_page.content.decode()


def test_team_leader_writes_a_supervision_note_once(client_for, service, caseworker, team_leader):
    case = CaseFactory(service=service, caseworker=caseworker)
    client = client_for(team_leader)
    form = client.get(reverse("cases:supervision_note_add", args=[case.pk])).context["form"]
    data = {
        "noted_on": timezone.localdate().isoformat(),
        "text": "Went through the plan",
        "follow_up_actions": "Refer to MARAC",
        "form_token": str(form["form_token"].initial),
    }
    for _ in range(2):
        assert (
            client.post(reverse("cases:supervision_note_add", args=[case.pk]), data).status_code
            == 302
        )
    note = SupervisionNote.objects.get(case=case)
    assert note.written_by == team_leader
    # The allocated caseworker reads but does not write them.
    caseworker_client = client_for(caseworker)
    add = reverse("cases:supervision_note_add", args=[case.pk])
    assert caseworker_client.post(add, data).status_code == 404


# --- Caseloads ---------------------------------------------------------------------------------
def _caseload_world(service, caseworker, count, today):
    for number in range(count):
        case = CaseFactory(
            service=service,
            caseworker=caseworker,
            risk_level=("high", "medium", "standard")[number % 3],
            review_due_on=today - datetime.timedelta(days=1) if number % 2 else None,
        )
        if number % 4 == 0:
            ContactFactory(case=case, occurred_at=timezone.now() - datetime.timedelta(days=1))
        if number % 5 == 0:
            SafetyPlanFactory(case=case, created_by=caseworker)


def test_caseload_counts(service, caseworker, second_caseworker, team_leader, today):
    _caseload_world(service, caseworker, 12, today)
    rows = {
        row["caseworker"]: row["counts"] for row in selectors_work.caseloads(team_leader, service)
    }
    counts = rows[caseworker]
    assert counts["total"] == 12
    assert (counts["high"], counts["medium"], counts["standard"]) == (4, 4, 4)
    # High risk: numbers 0, 3, 6, 9; contacted this week: 0 and 8 (and 4): of the high, only 0.
    assert counts["high_no_contact"] == 3
    assert counts["reviews_overdue"] == 6
    # Safety plans on numbers 0, 5, 10.
    assert counts["no_safety_plan"] == 9
    assert rows[second_caseworker]["total"] == 0


def test_caseload_page_query_count_does_not_grow(
    client_for, service, caseworker, second_caseworker, team_leader, today
):
    client = client_for(team_leader)
    url = reverse("cases:caseloads")
    _caseload_world(service, caseworker, 3, today)
    client.get(url)  # the first page of a session reads what later ones have cached
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _caseload_world(service, caseworker, 30, today)
    _caseload_world(service, second_caseworker, 30, today)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_caseloads_are_for_team_leaders(client_for, caseworker, manager):
    for user in (caseworker, manager):
        assert client_for(user).get(reverse("cases:caseloads")).status_code == 403


def test_bulk_reallocation_writes_allocation_history(
    client_for, service, caseworker, second_caseworker, team_leader
):
    cases = [CaseFactory(service=service, caseworker=caseworker) for _ in range(3)]
    client = client_for(team_leader)
    url = reverse("cases:caseload_reallocate", args=[caseworker.pk])
    response = client.post(
        url, {"cases": [cases[0].pk, cases[1].pk], "to_caseworker": second_caseworker.pk}
    )
    assert response.status_code == 302
    for case in cases:
        case.refresh_from_db()
    assert [case.caseworker for case in cases] == [second_caseworker, second_caseworker, caseworker]
    history = CaseAllocation.objects.filter(case__in=cases[:2])
    assert {(a.case_id, a.caseworker_id, a.allocated_by_id) for a in history} == {
        (cases[0].pk, second_caseworker.pk, team_leader.pk),
        (cases[1].pk, second_caseworker.pk, team_leader.pk),
    }
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ADMIN, object_label="Bulk reallocation", detail__cases=2
    ).exists()


def test_bulk_reallocation_refuses_a_caseworker_of_another_service_and_moves_nothing(
    client_for, service, caseworker, team_leader, outsider
):
    cases = [CaseFactory(service=service, caseworker=caseworker) for _ in range(2)]
    with pytest.raises(ValidationError):
        services_work.caseload_reallocate(
            service=service, actor=team_leader, cases=cases, to_caseworker=outsider
        )
    # Through the page: not a choice, the form says so, nothing moves.
    response = client_for(team_leader).post(
        reverse("cases:caseload_reallocate", args=[caseworker.pk]),
        {"cases": [case.pk for case in cases], "to_caseworker": outsider.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["to_caseworker"]
    assert not CaseAllocation.objects.filter(case__in=cases).exists()
    for case in cases:
        case.refresh_from_db()
        assert case.caseworker == caseworker


def test_bulk_reallocation_is_all_or_nothing(service, caseworker, second_caseworker, team_leader):
    open_case = CaseFactory(service=service, caseworker=caseworker)
    closed_case = CaseFactory(
        service=service, caseworker=caseworker, status="closed", closed_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        services_work.caseload_reallocate(
            service=service,
            actor=team_leader,
            cases=[open_case, closed_case],
            to_caseworker=second_caseworker,
        )
    open_case.refresh_from_db()
    assert open_case.caseworker == caseworker
    assert not CaseAllocation.objects.filter(case=open_case).exists()


def test_demo_seeder_adds_tasks_and_a_note_once(service, caseworker, team_leader):
    from cases.demo_work import seed_demo_work

    CaseFactory(service=service, caseworker=caseworker)
    CaseFactory(service=service, caseworker=caseworker)
    seed_demo_work(services={"S": service})
    counts = (Task.objects.count(), SupervisionNote.objects.count())
    assert counts == (1 + 1 + 2 + 1, 1)
    seed_demo_work(services={"S": service})
    assert (Task.objects.count(), SupervisionNote.objects.count()) == counts


def test_bulk_reallocation_of_all_a_caseworkers_open_cases(
    client_for, service, caseworker, second_caseworker, team_leader
):
    cases = [CaseFactory(service=service, caseworker=caseworker) for _ in range(3)]
    other = CaseFactory(service=service, caseworker=second_caseworker)
    response = client_for(team_leader).post(
        reverse("cases:caseload_reallocate", args=[caseworker.pk]),
        {"all_cases": "on", "to_caseworker": second_caseworker.pk},
    )
    assert response.status_code == 302
    assert CaseAllocation.objects.filter(case__in=cases, caseworker=second_caseworker).count() == 3
    assert not CaseAllocation.objects.filter(case=other).exists()


def test_bulk_reallocation_with_nothing_ticked_is_refused_in_place(
    client_for, service, caseworker, second_caseworker, team_leader
):
    CaseFactory(service=service, caseworker=caseworker)
    response = client_for(team_leader).post(
        reverse("cases:caseload_reallocate", args=[caseworker.pk]),
        {"to_caseworker": second_caseworker.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cases"]
    assert not CaseAllocation.objects.exists()
