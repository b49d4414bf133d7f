"""Forms: every Django form renders KRDS markup (krds-uiux 1.1.0): one renderer, set as ``FORM_RENDERER``.

KRDS's stylesheet hides every native checkbox and radio button and draws the box on the ``<label>`` that
follows the input inside ``.krds-form-check``: a checkbox rendered any other way is invisible. The field
template (``doyak/forms/field.html``) and the choice widgets (``django/forms/widgets/multiple_input.html``,
``input_option.html``, overridden in core's templates) give that structure; the renderer adds KRDS's class to
text inputs, text areas and selects, so no form or template has to remember it.

Dates and files get KRDS's components, progressively: a date is KRDS's date input (``calendar-input``: a text
field for YYYY-MM-DD and a calendar button that ``doyak/datepicker.js`` shows and wires to a keyboard-operable
KRDS calendar; without script the field alone works), a file is KRDS's file-upload block around the native
file input (which stays visible, focusable and labelled; ``doyak/file-upload.js`` adds dropping a file and the
list of chosen files). Every ``DateInput`` (or ``type=date``) and every file input of every form is rendered so;
templates that write a bare control use the ``date_input`` and ``file_input`` tags (``doyak_tags``).
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

from .money import WON_MAX, WonInvalid, parse_won

# widget template → KRDS class; inputs by their type (below)
_TEMPLATE_CLASSES = {
    "django/forms/widgets/select.html": "krds-form-select",
    "django/forms/widgets/textarea.html": "krds-input",
}
_INPUT_CLASSES = {
    "text": "krds-input", "email": "krds-input", "password": "krds-input", "number": "krds-input",
    "url": "krds-input", "tel": "krds-input", "search": "krds-input", "date": "krds-input",
    "datetime-local": "krds-input", "time": "krds-input", "file": "dy-file",
}


def krds_class(widget: dict) -> str | None:
    """The KRDS class for a widget's context (``None`` for checkboxes, radios and hidden inputs)."""
    if widget.get("template_name") in _TEMPLATE_CLASSES:
        return _TEMPLATE_CLASSES[widget["template_name"]]
    input_type = (widget.get("attrs") or {}).get("type") or widget.get("type")
    if widget.get("template_name", "").endswith(("multiple_input.html", "checkbox_select.html", "radio.html")):
        return None
    return _INPUT_CLASSES.get(input_type)


DATE_TEMPLATE = "doyak/forms/widgets/date.html"
FILE_TEMPLATE = "doyak/forms/widgets/file.html"
_DATE_WIDGETS = {"django/forms/widgets/date.html"}
_FILE_WIDGETS = {"django/forms/widgets/file.html", "django/forms/widgets/clearable_file_input.html"}


def _krds_component(template_name: str, widget: dict) -> tuple[str, dict]:
    """KRDS's date input for a date widget, its file-upload block for a file widget; others as they are."""
    attrs = dict(widget.get("attrs") or {})
    if template_name in _DATE_WIDGETS or attrs.get("type") == "date":
        attrs.pop("type", None)
        attrs.setdefault("placeholder", "YYYY-MM-DD")
        attrs.setdefault("inputmode", "numeric")
        attrs.setdefault("autocomplete", "off")
        attrs.setdefault("maxlength", "10")
        return DATE_TEMPLATE, {**widget, "type": "text", "attrs": attrs}
    if template_name in _FILE_WIDGETS:
        return FILE_TEMPLATE, {**widget, "type": "file", "attrs": attrs}
    return template_name, widget


class KrdsFormRenderer(TemplatesSetting):
    """Django's templates-setting renderer with doyak's form and field templates and KRDS widget classes."""

    form_template_name = "doyak/forms/form.html"
    field_template_name = "doyak/forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict):
            template_name, widget = _krds_component(template_name, widget)
            context = {**context, "widget": widget}
        if isinstance(widget, dict) and (css := krds_class(widget)):
            attrs = dict(widget.get("attrs") or {})
            classes = attrs.get("class", "").split()
            if css not in classes:
                attrs["class"] = " ".join([css, *classes])
            context = {**context, "widget": {**widget, "attrs": attrs}}
        return super().render(template_name, context, request=request)


class WonField(forms.CharField):
    """An amount in won, read by the money rule (``core.money.parse_won``): ``1,000,000``, ``1000.0`` and
    ``1,000,000원`` are one million won; ``12.5``, ``1e6`` and a 26-digit number are field errors, never a 500.

    A text input with a numeric keyboard (a number input would refuse the commas people type)."""

    widget = forms.TextInput

    def __init__(self, *, min_value: int = 0, max_value: int = WON_MAX, **kwargs) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": "40"})
        return attrs

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_won(text, minimum=self.min_value, maximum=self.max_value)
        except WonInvalid as exc:
            raise forms.ValidationError(str(exc), code="won_invalid") from None
