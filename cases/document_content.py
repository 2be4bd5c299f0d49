"""What an uploaded file is, found from its content (never its name), and photos' metadata removed.

The name's extension must agree with the content: a ".pdf" that is plain text is refused, so that
nobody opening a download is surprised by what their computer does with it.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .models import CaseDocument

FileType = CaseDocument.FileType

# The name's extensions each type may carry.
EXTENSIONS = {
    FileType.PDF: {"pdf"},
    FileType.PNG: {"png"},
    FileType.JPEG: {"jpg", "jpeg"},
    FileType.GIF: {"gif"},
    FileType.DOCX: {"docx"},
    FileType.DOC: {"doc"},
    FileType.TEXT: {"txt", "text"},
}
CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.GIF: "image/gif",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.DOC: "application/msword",
    FileType.TEXT: "text/plain; charset=utf-8",
}
ACCEPTED = "PDF, Word (.doc or .docx), JPEG, PNG or GIF images, or plain text (.txt)"

OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_type(content: bytes) -> str | None:
    """The FileType of `content` from its first bytes, or None for anything else."""
    if content.startswith(b"%PDF-"):
        return FileType.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return FileType.GIF
    if content.startswith(OLE2_HEADER):
        return FileType.DOC
    if content.startswith(b"PK\x03\x04"):
        return FileType.DOCX if _is_word_document(content) else None
    if content and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return FileType.TEXT
    return None


def _is_word_document(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def checked_type(*, content: bytes, filename: str) -> str:
    """The FileType of an upload whose name agrees with its content; otherwise ValidationError."""
    file_type = detect_type(content)
    if file_type is None:
        raise ValidationError(
            {"file": f"This kind of file cannot be kept on a case. Upload {ACCEPTED}."}
        )
    extension = extension_of(filename)
    if extension not in EXTENSIONS[file_type]:
        expected = " or ".join(f".{name}" for name in sorted(EXTENSIONS[file_type]))
        said = f'".{extension}"' if extension else "no extension"
        raise ValidationError(
            {
                "file": (
                    f"The file's name ends in {said}, but its content is "
                    f"{FileType(file_type).label}: rename it to end in {expected} if that is "
                    "what it is, or choose the right file."
                )
            }
        )
    return file_type


# An animated GIF is re-encoded frame by frame in memory: past this many pixels in all its
# frames (about 100 frames of 500 x 500) it is refused rather than held whole by a web worker.
GIF_MOST_PIXELS = 25_000_000

UNREADABLE = "The image could not be read: it may be damaged. Try saving it again."


def without_metadata(content: bytes, file_type: str) -> bytes:
    """A JPEG, PNG or GIF re-encoded from its pixels alone: EXIF (GPS location, camera, time),
    XMP, comments and text chunks are dropped. A photo taken in a refuge would otherwise give its
    address away. The EXIF orientation is applied first so the picture still stands upright; an
    animated GIF keeps its frames, their timing and its looping."""
    if file_type not in (FileType.JPEG, FileType.PNG, FileType.GIF):
        return content
    try:
        with Image.open(io.BytesIO(content)) as image:
            if file_type == FileType.GIF:
                return _gif_without_metadata(image)
            image.load()
            upright = ImageOps.exif_transpose(image)
            # Only what drawing the pixels needs survives; everything else in info is metadata.
            transparency = upright.info.get("transparency")
            upright.info = {}
            out = io.BytesIO()
            if file_type == FileType.JPEG:
                if upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                upright.save(out, format="JPEG", quality=90)
            else:
                options = {"transparency": transparency} if transparency is not None else {}
                upright.save(out, format="PNG", optimize=True, **options)
    except (UnidentifiedImageError, OSError, ValueError, EOFError, Image.DecompressionBombError):
        raise ValidationError({"file": UNREADABLE}) from None
    return out.getvalue()


def _gif_without_metadata(image) -> bytes:
    """Each frame copied with only its pixels, palette and transparency, then written again
    with the frames' durations, disposal and the loop count: comments and application
    extensions (XMP, which may hold a location) are left behind."""
    frames = getattr(image, "n_frames", 1)
    if frames * image.width * image.height > GIF_MOST_PIXELS:
        raise ValidationError(
            {
                "file": (
                    f"This animated GIF ({frames} frames of {image.width} x {image.height}) is "
                    "too large to clear of its hidden details. Save the frame that matters as "
                    "a PNG and upload that."
                )
            }
        )
    loop = image.info.get("loop")
    copies, durations, disposals = [], [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 0))
        disposals.append(getattr(frame, "disposal_method", 0))
        copy = frame.copy()
        transparency = frame.info.get("transparency")
        copy.info = {"transparency": transparency} if transparency is not None else {}
        copies.append(copy)
    out = io.BytesIO()
    options = {"loop": loop} if loop is not None else {}
    if len(copies) > 1:
        options |= {"save_all": True, "append_images": copies[1:], "disposal": disposals}
    copies[0].save(
        out, format="GIF", duration=durations if len(copies) > 1 else durations[0], **options
    )
    return out.getvalue()
