"""Access-matrix rows of a case's documents (issue 22 item 1): read like the case, written by
those who may edit it; another service, a MARAC coordinator and an admin get 404."""

from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import CaseDocument

from .matrix import CASEWORKER, Entry
from .matrix_cases import EDIT, READ


def build(world):
    world.document = CaseDocument(
        case=world.case,
        title="Matrix letter",
        kind=CaseDocument.Kind.CORRESPONDENCE,
        original_filename="letter.txt",
        file_type=CaseDocument.FileType.TEXT,
        size_bytes=6,
        uploaded_by=world.users[CASEWORKER],
        uploaded_at=timezone.now(),
        scan_status=CaseDocument.ScanStatus.NOT_SCANNED,
    )
    world.document.file.save("document.txt", ContentFile(b"letter"), save=True)


BUILDERS = {"document": build}


def case_kwargs(world):
    return {"pk": world.case.pk}


def document_kwargs(world):
    return {"pk": world.case.pk, "document_pk": world.document.pk}


ENTRIES = [
    Entry("cases:document_list", case_kwargs, READ),
    Entry("cases:document_upload", case_kwargs, EDIT),
    Entry("cases:document_upload", case_kwargs, EDIT, method="post"),
    Entry("cases:document_download", document_kwargs, READ),
    Entry("cases:document_delete", document_kwargs, EDIT),
    Entry("cases:document_delete", document_kwargs, EDIT, method="post"),
]
