"""A caseworker keeps a document on a case (issue 22 item 1): from the case page to the
documents, uploads a PDF, downloads it (audited), and deletes it with a reason. Keyboard only
(the file itself is chosen as the browser's file picker would give it), every page checked
with axe-core."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cases.models import CaseDocument
from tests.factories import CaseFactory, ClientFactory

from .journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_download_and_delete_a_document(
    signed_in_tab, screenshot, caseworker, service, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_SOCKET = ""
    client = ClientFactory(service=service, first_name="Nell", last_name="Ambridge")
    case = CaseFactory(service=service, client=client, caseworker=caseworker)
    tab, errors = signed_in_tab(caseworker)
    journey = Journey(tab, errors, name="documents", screenshot=screenshot)
    tab.goto(reverse("cases:case_detail", args=[case.pk]))
    journey.page("case")

    journey.follow(tab.get_by_role("link", name="Documents", exact=True))
    journey.page("documents-empty")
    journey.follow(tab.get_by_role("link", name="Upload a document"))
    journey.page("upload")
    journey.type_into(tab.get_by_label("Title"), "Non-molestation order")
    journey.choose(tab.get_by_label("Type of document"), "Court papers")
    file_input = tab.get_by_label("File")
    journey.focus_by_tab(file_input)
    file_input.set_input_files(
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    journey.submit(tab.get_by_role("button", name="Upload"))
    journey.page("documents")
    assert "Non-molestation order" in tab.locator("main").inner_text()
    document = CaseDocument.objects.get(case=case)

    link = tab.get_by_role("link", name="Download Non-molestation order")
    journey.focus_by_tab(link)
    with tab.expect_download() as download_info:
        tab.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"{case.reference}-document-{document.pk}.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, case_id=case.pk).exists()

    journey.follow(tab.get_by_role("link", name="Delete Non-molestation order"))
    journey.page("delete")
    journey.type_into(tab.get_by_label("Reason"), "Uploaded to the wrong case")
    journey.submit(tab.get_by_role("button", name="Delete the document"))
    journey.page("documents-after-delete")
    assert "Uploaded to the wrong case" in tab.locator("main").inner_text()
    document.refresh_from_db()
    assert document.is_deleted and not document.file
    journey.finish()
