import pytest

from doyak.core.files import evidence_content_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("slip.pdf", b"%PDF-1.7\n", "application/pdf"),
    ("SLIP.PDF", b"%PDF-1.7\n", "application/pdf"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0", "image/jpeg"),
    ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
    ("chart.png", PNG, "image/png"),
    ("chart.pdf", PNG, None),            # a PNG under a PDF's name
    ("slip.pdf", b"<html>%PDF-", None),  # the signature must open the file
    ("notes.txt", b"plain", None),
    ("slip.pdf", b"", None),
])
def test_evidence_content_type_needs_signature_and_name_to_agree(name, content, expected):
    assert evidence_content_type(name=name, content=content) == expected
