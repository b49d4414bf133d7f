"""The project's URLs plus two views that fail on purpose, for the error-page tests (400 and 500 handlers
are the project's: Django finds them in this module)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from doyak.config.urls import handler400, handler403, handler404, handler500
from doyak.config.urls import urlpatterns as project_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def _boom(request):
    raise RuntimeError("a bug")


def _denied(request):
    raise PermissionDenied


urlpatterns = [path("test-boom/", _boom), path("test-denied/", _denied), path("api/v1/test-boom", _boom),
               *project_urls]
