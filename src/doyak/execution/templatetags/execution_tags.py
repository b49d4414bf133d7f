"""``{% execution_section agreement %}``: the reports due and evaluations block of the agreement page."""

from django import template

from ..presentation import report_rows
from ..selectors import evaluation_list, report_list

register = template.Library()


@register.inclusion_tag("execution/_agreement_section.html", takes_context=True)
def execution_section(context, agreement):
    return {"agreement": agreement, "reports": report_rows(report_list(agreement=agreement)),
            "evaluations": list(evaluation_list(agreement=agreement)), "request": context.get("request")}
