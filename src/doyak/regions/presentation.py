"""Regions as people read them: province names, never the two-digit codes."""

from __future__ import annotations

from .models import Region


def region_names(codes) -> list[str]:
    """Province names of region codes (the latest name of each code), in the order given."""
    codes = [str(c) for c in codes or []]
    names: dict[str, str] = {}
    for region in Region.objects.filter(code__in=codes).order_by("code", "valid_from"):
        names[region.code] = region.name
    return [names.get(code, code) for code in codes]
