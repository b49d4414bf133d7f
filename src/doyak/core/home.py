"""The home page's cards and sections, contributed by the apps through their selectors.

core is the ground floor: it imports no domain app. Each app's ``selectors.home_content(*, user, lang)``
returns a ``HomeContent`` of plain data for the signed-in user (nothing when the user's role has no use
for it); ``settings.HOME_PAGE_PROVIDERS`` lists them in page order and the home view renders all cards
first, then all sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from doyak.accounts.rules import Actor


@dataclass(frozen=True)
class HomeCard:
    """A figure with its label, an optional line below it and an optional link."""

    label: str
    value: str
    sub: str = ""
    url: str = ""
    number: int | None = None  # a count: the page marks the figure up as a quantity (<data value>), not a year

    @classmethod
    def count(cls, *, label: str, n: int, sub: str = "", url: str = "") -> HomeCard:
        return cls(label=label, value=f"{n:,}", sub=sub, url=url, number=n)


@dataclass(frozen=True)
class HomeSection:
    """A block below the cards: ``template`` is included with ``data`` as its only context."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HomeContent:
    cards: tuple[HomeCard, ...] = ()
    sections: tuple[HomeSection, ...] = ()


HomeProvider = Callable[..., HomeContent]


@cache
def _providers(paths: tuple[str, ...]) -> tuple[HomeProvider, ...]:
    return tuple(import_string(path) for path in paths)


def home_content_for_user(*, user: Actor, lang: str) -> HomeContent:
    """Every provider's cards and sections for ``user``, in the order of ``HOME_PAGE_PROVIDERS``."""
    cards: list[HomeCard] = []
    sections: list[HomeSection] = []
    for provider in _providers(tuple(settings.HOME_PAGE_PROVIDERS)):
        content = provider(user=user, lang=lang)
        cards += content.cards
        sections += content.sections
    return HomeContent(cards=tuple(cards), sections=tuple(sections))
