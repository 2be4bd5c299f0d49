"""Pages of a case's documents: list, upload, download (streamed, never a storage URL) and
delete with a reason. Thin: the selectors scope and audit, the services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.idempotency import AlreadySubmitted

from . import selectors, selectors_documents, services_documents
from .document_content import CONTENT_TYPES, EXTENSIONS
from .forms_documents import DocumentDeleteForm, DocumentUploadForm
from .models import CaseDocument
from .views import already_saved, apply_errors, edit_case_or_403


@login_required
@require_GET
def document_list(request, pk):
    case = selectors.case_get_for_user(request.user, pk, read={"documents": "list"})
    return render(
        request,
        "cases/documents/list.html",
        {
            "case": case,
            "documents": selectors_documents.documents_of_case(case),
            "can_edit": selectors.can_edit_case(request.user, case),
            "max_bytes": services_documents.max_bytes(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk):
    case = edit_case_or_403(request.user, pk)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services_documents.document_upload(
                case=case,
                actor=request.user,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                form_token=form.cleaned_data.get("form_token"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except AlreadySubmitted:
            return already_saved(request, "cases:document_list", pk=case.pk)
        else:
            if document.scan_status == CaseDocument.ScanStatus.PENDING:
                messages.success(
                    request, "Document uploaded. It is being checked for viruses before it opens."
                )
            else:
                messages.success(request, "Document uploaded.")
            return redirect("cases:document_list", pk=case.pk)
    return render(
        request,
        "cases/documents/upload.html",
        {"case": case, "form": form, "max_bytes": services_documents.max_bytes()},
    )


@login_required
@require_GET
def document_download(request, pk, document_pk):
    document = selectors_documents.document_for_download(request.user, pk, document_pk)
    if document.is_deleted:
        raise Http404("No such document.")
    if not document.is_downloadable:
        selectors_documents.refuse_download(request.user, document)
        pending = document.scan_status == CaseDocument.ScanStatus.PENDING
        return render(
            request,
            "cases/documents/unavailable.html",
            {"case": document.case, "document": document, "pending": pending},
            status=409 if pending else 403,
        )
    # The case reference and the document's number only: a download's name is seen in the
    # browser's download list, so it never carries the client's name.
    extension = sorted(EXTENSIONS[document.file_type])[0]
    name = f"{document.case.reference}-document-{document.pk}.{extension}"
    try:
        stored = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[document.file_type],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk, document_pk):
    case = edit_case_or_403(request.user, pk)
    document = selectors_documents.document_get_for_user(request.user, case.pk, document_pk)
    if document.is_deleted:
        messages.info(request, "That document was already deleted.")
        return redirect("cases:document_list", pk=case.pk)
    form = DocumentDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_documents.document_delete(
                document=document, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Document deleted.")
            return redirect("cases:document_list", pk=case.pk)
    return render(
        request, "cases/documents/delete.html", {"case": case, "document": document, "form": form}
    )
