"""Form fields shared by every app's forms."""

from __future__ import annotations

from django import forms

from .money import WON_MAX, WonInvalid, parse_won


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
