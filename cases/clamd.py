"""A small client for ClamAV's daemon (clamd), through its INSTREAM command.

Configured by CLAMD_SOCKET (a unix socket path) or CLAMD_HOST and CLAMD_PORT; with neither,
there is no scanner and documents are stored as "not scanned" (the README asks production to
configure one).

The protocol: send `zINSTREAM\\0`, then the content in chunks, each prefixed by its length as
4 bytes big-endian, then a zero length; clamd answers `stream: OK` or
`stream: <signature> FOUND` (or `... ERROR`), terminated by a NUL (the `z` prefix).
"""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK_BYTES = 64 * 1024


class ScannerError(Exception):
    """clamd could not be reached or could not scan: the document stays pending."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    finding: str = ""


def scanner_configured() -> bool:
    return bool(
        getattr(settings, "CLAMD_SOCKET", "")
        or (getattr(settings, "CLAMD_HOST", "") and getattr(settings, "CLAMD_PORT", None))
    )


def _connect() -> socket.socket:
    timeout = getattr(settings, "CLAMD_TIMEOUT_SECONDS", 60)
    path = getattr(settings, "CLAMD_SOCKET", "")
    try:
        if path:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(timeout)
            connection.connect(path)
            return connection
        return socket.create_connection(
            (settings.CLAMD_HOST, int(settings.CLAMD_PORT)), timeout=timeout
        )
    except OSError as error:
        raise ScannerError(f"clamd unreachable: {type(error).__name__}") from None


def scan_bytes(content: bytes) -> ScanResult:
    """Scan `content` with clamd; ScannerError when it cannot give an answer."""
    with _connect() as connection:
        try:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CHUNK_BYTES):
                chunk = content[start : start + CHUNK_BYTES]
                connection.sendall(struct.pack(">I", len(chunk)) + chunk)
            connection.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = connection.recv(4096)
                if not received:
                    break
                reply += received
        except OSError as error:
            raise ScannerError(f"clamd connection failed: {type(error).__name__}") from None
    return parse_reply(reply.rstrip(b"\0").decode("utf-8", "replace").strip())


def parse_reply(reply: str) -> ScanResult:
    if reply.endswith(": OK"):
        return ScanResult(clean=True)
    if reply.endswith(" FOUND"):
        finding = reply.split(": ", 1)[-1].removesuffix(" FOUND").strip()
        return ScanResult(clean=False, finding=finding[:200])
    # "INSTREAM size limit exceeded. ERROR", or anything unexpected.
    raise ScannerError("clamd could not scan the file")
