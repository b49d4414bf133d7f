"""What an uploaded evidence file is, judged by its first bytes and its name together (never by either alone)."""

from __future__ import annotations

_SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
_EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def evidence_content_type(*, name: str, content: bytes) -> str | None:
    """``application/pdf``, ``image/jpeg`` or ``image/png`` when the content starts with that format's signature
    and the name ends with one of its extensions; ``None`` for anything else (the caller refuses it)."""
    kind = next((ctype for magic, ctype in _SIGNATURES.items() if content.startswith(magic)), None)
    if kind is None or not name.lower().endswith(_EXTENSIONS[kind]):
        return None
    return kind
