"""Reads of the programs app."""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.core.home import HomeCard, HomeContent, HomeSection
from doyak.core.money import format_won_short

from .models import Program

HOME_PROGRAM_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.COUNCIL_MEMBER, Role.INVESTOR})
HOME_PROGRAM_ROWS = 20


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """This year's programs: a card with their number and budget, and a table of the first ones."""
    if user.role not in HOME_PROGRAM_ROLES:
        return HomeContent()
    year = timezone.localdate().year
    programs = Program.objects.filter(year=year).order_by("code")
    budget = programs.aggregate(total=Sum("budget_krw"))["total"] or 0
    card = HomeCard.count(label=_("Programs in %(year)s") % {"year": year}, n=programs.count(),
                    sub=format_won_short(budget, lang=lang))
    rows = list(programs[:HOME_PROGRAM_ROWS])
    sections = (HomeSection(template="programs/_home_programs.html", data={"programs": rows}),) if rows else ()
    return HomeContent(cards=(card,), sections=sections)
