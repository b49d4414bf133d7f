"""Every form's date and file fields render KRDS's components (core.forms.KrdsFormRenderer), and still work
without script: a date is a labelled text field read as YYYY-MM-DD, a file the native input inside the block."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    day = forms.DateField(label="날짜", widget=forms.DateInput(attrs={"type": "date"}))
    paper = forms.FileField(label="파일")


def test_date_field_is_krds_date_input_read_as_iso_date():
    html = str(_Form(initial={"day": dt.date(2026, 3, 1)})["day"])
    # KRDS's date input: the text field (no native type=date), its calendar button hidden until the script runs
    assert 'class="calendar-conts dy-date" data-datepicker' in html
    assert re.search(r'<input type="text" name="day" value="2026-03-01" class="datepicker cal krds-input" required '
                     r'id="id_day" placeholder="YYYY-MM-DD" inputmode="numeric"', html)
    assert 'type="date"' not in html
    assert re.search(r'<button type="button" class="krds-btn medium icon form-btn-datepicker" hidden '
                     r'aria-expanded="false" aria-controls="id_day_calendar">', html)
    assert '<div class="krds-calendar-area" id="id_day_calendar"></div>' in html
    # and the form reads what a person types, as without script
    form = _Form(data={"day": "2026-03-01"}, files={})
    form.is_valid()
    assert form.cleaned_data["day"] == dt.date(2026, 3, 1)
    form = _Form(data={"day": "2026-13-45"}, files={})
    assert not form.is_valid() and "day" in form.errors


def test_file_field_is_krds_file_upload_block_around_the_visible_native_input():
    html = str(_Form()["paper"])
    assert '<div class="krds-file-upload dy-file-upload" data-file-upload' in html
    assert '<input type="file" name="paper" required id="id_paper" class="dy-file">' in html
    assert "hidden>" not in html.split('<input type="file"')[1].split(">")[0]


def test_bare_date_and_file_tags_render_the_same_components():
    html = Template('{% load doyak_tags %}{% date_input "since" day id="f-since" %}{% file_input "file" id="f" '
                    'accept=".csv" required=True %}').render(Context({"day": dt.date(2026, 5, 4)}))
    assert re.search(r'<input type="text" name="since" value="2026-05-04" class="datepicker cal krds-input" '
                     r'id="f-since"', html)
    assert '<input type="file" name="file" id="f" accept=".csv" required class="dy-file">' in html
