"""Every Django form renders KRDS markup (krds-uiux 1.1.0): one renderer, set as ``FORM_RENDERER``.

KRDS's stylesheet hides every native checkbox and radio button and draws the box on the ``<label>`` that
follows the input inside ``.krds-form-check``: a checkbox rendered any other way is invisible. The field
template (``doyak/forms/field.html``) and the choice widgets (``django/forms/widgets/multiple_input.html``,
``input_option.html``, overridden in core's templates) give that structure; the renderer adds KRDS's class to
text inputs, text areas and selects, so no form or template has to remember it.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting

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


class KrdsFormRenderer(TemplatesSetting):
    """Django's templates-setting renderer with doyak's form and field templates and KRDS widget classes."""

    form_template_name = "doyak/forms/form.html"
    field_template_name = "doyak/forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and (css := krds_class(widget)):
            attrs = dict(widget.get("attrs") or {})
            classes = attrs.get("class", "").split()
            if css not in classes:
                attrs["class"] = " ".join([css, *classes])
            context = {**context, "widget": {**widget, "attrs": attrs}}
        return super().render(template_name, context, request=request)
