"""Reading a case bundle file as it streams: text that is not UTF-8, a line longer than
settings.CASE_BUNDLE_MAX_LINE_BYTES (1 MiB), or a last line cut short (no newline and not JSON)
refuses the whole file, whatever skip_invalid says, since a cut or garbled file cannot be trusted
line by line."""

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from django.conf import settings


class BundleFileError(Exception):
    """The file as a whole cannot be read (no header, another format): nothing is imported."""


def max_line_bytes() -> int:
    return settings.CASE_BUNDLE_MAX_LINE_BYTES


def _too_long(number: int, limit: int) -> BundleFileError:
    return BundleFileError(
        f"line {number}: longer than the limit of {limit:,} bytes; nothing imported."
    )


def bundle_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a bundle file opened in binary mode, decoded as UTF-8 as they are read.

    Reads at most one byte past the limit of any line, so a huge line is refused without being
    held in memory whole. Raises BundleFileError for a line that is too long or not UTF-8 (a
    last line cut inside a character is reported as cut short, which is what it is).
    """
    limit = max_line_bytes()
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise _too_long(number, limit)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark some editors write: not part of the JSON
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not raw.endswith(b"\n"):
                raise _cut_short(number) from None
            raise BundleFileError(
                f"line {number}: not UTF-8 text (byte {error.start + 1} of the line). "
                "Save the file as UTF-8 and import it again; nothing imported."
            ) from None


def _cut_short(number: int) -> BundleFileError:
    return BundleFileError(
        f"line {number}: the file ends in the middle of this line: it looks cut short. "
        "Nothing imported, even with skip-invalid."
    )


def _whole_lines(lines: Iterable[str]) -> Iterator[str]:
    """Refuses, as the whole file's error, a line over the size limit (for callers that pass
    text rather than a file) and a last line cut short: with no newline and not JSON."""
    limit = max_line_bytes()
    for number, text in enumerate(lines, start=1):
        if len(text) > limit // 4 and len(text.encode("utf-8")) > limit:
            raise _too_long(number, limit)
        if not text.endswith("\n") and text.strip():
            try:
                json.loads(text)
            except json.JSONDecodeError:
                raise _cut_short(number) from None
        yield text
