"""A request's memory of the policy versions it has read.

A page reads the same policies many times (a proposal's rule check cites some twenty, each read on its own),
and each read was a query. While a request runs, the first read for a date loads every policy version in force
on it (one query) and ``policy_record`` answers from that for the rest of the request. The memory starts empty
with every request and is forgotten at its end, and any write to a policy setting clears it, so a request that
changes a policy reads the new version. Outside a request (background runs, the
command line) nothing is remembered: every read asks the database.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict | None] = ContextVar("doyak_policy_memo", default=None)


def memo() -> dict | None:
    """The current request's memory, or None outside a request."""
    return _memo.get()


def memo_start(**_kwargs: Any) -> None:
    _memo.set({})


def memo_end(**_kwargs: Any) -> None:
    _memo.set(None)


def memo_clear(**_kwargs: Any) -> None:
    current = _memo.get()
    if current is not None:
        current.clear()
