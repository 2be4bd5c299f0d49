"""Demo documents (synthetic only): a short letter as a PDF and a plain-text note on the first
two open cases of each demo service. Idempotent: a service with documents is left alone."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .models import Case, CaseDocument
from .selectors import demo_editor
from .services_documents import document_upload


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, written by hand (no renderer needed)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


DEMO_DOCUMENTS = [
    (
        "Letter from the housing office",
        CaseDocument.Kind.HOUSING,
        "housing-letter.pdf",
        minimal_pdf("Synthetic demo letter: priority housing application received."),
    ),
    (
        "Note of a call with the police",
        CaseDocument.Kind.POLICE,
        "police-call.txt",
        b"Synthetic demo note: the officer in the case confirmed the bail conditions by phone.\n",
    ),
]


def seed_demo_documents(*, services, stdout=None) -> None:
    added = 0
    for service in services.values():
        if CaseDocument.objects.filter(case__service=service).exists():
            continue
        cases = Case.objects.filter(service=service, status=Case.Status.OPEN).order_by("pk")[:2]
        for case in cases:
            editor = demo_editor(case)
            if editor is None:
                continue
            for title, kind, name, content in DEMO_DOCUMENTS:
                document_upload(
                    case=case,
                    actor=editor,
                    title=title,
                    kind=kind,
                    upload=SimpleUploadedFile(name, content),
                )
                added += 1
    if stdout is not None:
        stdout.write(f"Documents: {added} added.")
