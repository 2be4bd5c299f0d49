"""Reads of case documents, through the case's scope (cases_visible_to: services, then
restricted cases), so a document follows its case's restriction with nothing to keep in step."""

from django.db.models import QuerySet

from accounts import access, lookup
from accounts.audit import record_event
from accounts.models import AuditEvent

from .models import Case, CaseDocument
from .selectors import cases_visible_to


def documents_of_case(case: Case) -> QuerySet[CaseDocument]:
    """The case's documents, deleted ones included (the list shows who deleted them and why)."""
    return CaseDocument.objects.filter(case=case).select_related("uploaded_by", "deleted_by")


def document_get_for_user(
    user, case_pk, document_pk, *, capability=access.Capability.VIEW_CASES
) -> CaseDocument:
    """The document if it is on case `case_pk` and the user may see that case (with
    `capability`); otherwise 404, the refusal audited (accounts.lookup)."""
    scoped = CaseDocument.objects.filter(
        case_id=lookup.pk_or_404(case_pk), case__in=cases_visible_to(user, capability)
    ).select_related("case", "case__service", "uploaded_by", "deleted_by")
    return lookup.get_in_scope(scoped, document_pk, user=user, capability=capability)


def document_for_download(user, case_pk, document_pk) -> CaseDocument:
    """The document to stream, its download audited; the caller checks is_downloadable."""
    document = document_get_for_user(user, case_pk, document_pk)
    if document.is_downloadable:
        lookup.record_read(
            user,
            document,
            read={"document": "download"},
            service_id=document.case.service_id,
            case_id=document.case_id,
            action=AuditEvent.Action.DOWNLOAD,
        )
    return document


def refuse_download(user, document: CaseDocument) -> None:
    """Audits a refused download (pending, infected or deleted)."""
    record_event(
        actor=user,
        action=AuditEvent.Action.DENIED,
        service=document.case.service_id,
        case_id=document.case_id,
        obj=document,
        detail={"document": "download", "scan_status": document.scan_status},
    )
