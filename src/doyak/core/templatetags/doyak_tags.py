from django import template
from django.utils.translation import get_language

from doyak.core import labels
from doyak.core.money import format_won, format_won_short
from doyak.core.presentation import recovery_notes

register = template.Library()


@register.filter
def won(amount):
    """``{{ amount|won }}`` → 1,234,567원 / ₩1,234,567."""
    return format_won(amount, lang=get_language() or "ko")


@register.filter
def won_short(amount):
    """``{{ amount|won_short }}`` → 12억 3,456만원 / ₩1.23B."""
    return format_won_short(amount, lang=get_language() or "ko")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination and filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.inclusion_tag("core/_run_recoveries.html")
def run_recoveries(run):
    """What happened to a background run whose worker stopped: ``{% run_recoveries run %}``."""
    return {"notes": recovery_notes(run)}


@register.simple_tag(takes_context=True)
def query_page(context, number, param=""):
    """The current query string with page ``number`` in ``param`` (``page`` unless a page holds two lists)."""
    return query_with(context, **{param or "page": number})


@register.filter
def policy_value(record):
    """``{{ policy|policy_value }}`` → 예, 30%, 3년, 2030, 지역 전용 (the value by its unit, codes as labels)."""
    return labels.policy_text(record)


@register.filter
def audit_action(action):
    """``{{ event.action|audit_action }}`` → 점수 제출 (the registered label, never the code)."""
    return labels.audit_action_label(action)


@register.filter
def seoul(value, seconds=""):
    """``{{ moment|seoul }}`` → 2026-03-04 09:30 in Asia/Seoul, for datetimes and ISO strings alike."""
    return labels.local_time_text(value, seconds=bool(seconds))


@register.filter
def yes_no(value):
    return labels.yes_no(value)


@register.filter
def share(value):
    """``{{ 0.3|share }}`` → 30%."""
    return "" if value in (None, "") else labels.share_text(value)


@register.filter
def choice_labels(values, choices):
    """``{{ call.required_documents|choice_labels:kinds }}``: the labels of a list of codes, joined."""
    return ", ".join(labels.choice_labels(choices, values))


@register.simple_tag
def date_input(name, value=None, **attrs):
    """``{% date_input "since" filters.since id="f-since" %}``: a bare date control (a filter, not a form field)
    as every form's date field is, KRDS's date input (``core.forms``)."""
    from django import forms
    from django.forms.renderers import get_default_renderer

    text = value.isoformat() if hasattr(value, "isoformat") else (value or "")
    return forms.DateInput(attrs=attrs).render(name, text, renderer=get_default_renderer())


@register.simple_tag
def file_input(name, **attrs):
    """``{% file_input "file" id="id_file" accept=".csv" required=True %}``: a bare file control, KRDS's
    file-upload block as every form's file field is (``core.forms``)."""
    from django import forms
    from django.forms.renderers import get_default_renderer

    return forms.FileInput(attrs=attrs).render(name, None, renderer=get_default_renderer())
