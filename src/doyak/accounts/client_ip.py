"""The address a sign-in comes from, for the lock-out: the client's, not the reverse proxy's.

Behind a reverse proxy (``DOYAK_BEHIND_PROXY``) every connection comes from the proxy, so its address
would be every user's. The proxy appends the address it saw to ``X-Forwarded-For`` (nginx:
``proxy_add_x_forwarded_for``); we take that right-most entry, and only when the connection comes from a
trusted proxy (``DOYAK_TRUSTED_PROXIES``). Entries to its left are whatever the client sent and are ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _trusted(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.DOYAK_TRUSTED_PROXIES)


def client_ip_address(request) -> str | None:
    """The connection's address, or the one the trusted proxy reports for it."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None or not settings.DOYAK_BEHIND_PROXY or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    return _address(forwarded[-1]) or remote
