"""Ids printed by templates stay plain numbers past 999 (anchors, form values), in Korean and English."""

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_an_id_over_999_renders_without_separators(lang):
    with translation.override(lang):
        html = Template('<tr id="member-{{ pk }}"><input value="{{ pk }}">').render(Context({"pk": 1273}))
    assert html == '<tr id="member-1273"><input value="1273">'
