"""A caseworker's tasks on a case, and a team leader's supervision notes (issue 22, items 4-5)."""

from django.conf import settings
from django.db import models

from accounts.audit import audited
from accounts.concurrency import version_field

from .case import Case, CaseChild


@audited
class Task(CaseChild):
    """A to-do on a case: the caseworker's own, one a team leader set, or a dashboard reminder
    that was snoozed or handed to someone else (`source_key` names the reminder, e.g.
    "review_due:<case>:<date>"; cases.selectors_work.reminder_key). Reassignments are in the
    change history (django-auditlog), not a table of their own."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SNOOZED = "snoozed", "Snoozed"
        DONE = "done", "Done"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_key = models.CharField(max_length=100, blank=True)
    version = version_field()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # One task per reminder occurrence: snoozing it again updates that task.
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="task_one_per_reminder",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="snoozed") | models.Q(snoozed_until__isnull=False),
                name="task_snoozed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_at__isnull=False),
                name="task_done_has_time",
            ),
        ]
        indexes = [
            # "My tasks": a user's open and snoozed tasks, earliest due first.
            models.Index(fields=["assigned_to", "status", "due_on"], name="task_assignee_status"),
        ]

    @property
    def audit_label(self):
        return f"Task {self.pk} on case {self.case.reference}"


@audited
class SupervisionNote(CaseChild):
    """A team leader's supervision of a case: seen only by the service's team leaders and the
    allocated caseworker (cases.selectors_work.supervision_notes_for)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervision_notes")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    noted_on = models.DateField()
    text = models.TextField()
    follow_up_actions = models.TextField(blank=True)

    class Meta:
        ordering = ["-noted_on", "-pk"]

    @property
    def audit_label(self):
        return f"Supervision note {self.pk} on case {self.case.reference}"
