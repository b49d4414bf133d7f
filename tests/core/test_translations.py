"""The English catalogues must read English: a Korean msgstr for an English msgid is a copy-paste slip."""

import re
from pathlib import Path

import pytest

import doyak

HANGUL = re.compile(r"[\uac00-\ud7a3]")
ENTRY = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"$', re.MULTILINE)
CATALOGUES = sorted(Path(doyak.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_english_catalogue_has_no_korean_for_english_source(po):
    text = po.read_text(encoding="utf-8")
    slips = [msgid for msgid, msgstr in ENTRY.findall(text) if HANGUL.search(msgstr) and not HANGUL.search(msgid)]
    assert slips == []


def test_english_catalogues_found():
    assert len(CATALOGUES) >= 6


@pytest.mark.django_db
def test_english_navigation_reads_english(client, make_user):
    client.force_login(make_user(role="program_manager"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    for label in ("Calls", "Proposals", "Evaluation", "Portfolio", "Research funds"):
        assert f">{label}</a>" in body
