"""Turn application errors raised in views into the right page (403/404/400), never a 500."""

from __future__ import annotations

from django.shortcuts import render

from .errors import DoyakError


class DoyakErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DoyakError) or request.path.startswith("/api/"):
            return None
        return render(request, "core/error.html", {"error": exception}, status=exception.http_status)
