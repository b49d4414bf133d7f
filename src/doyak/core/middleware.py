"""Turn application errors raised in views into the right page (403/404/400), never a 500."""

from __future__ import annotations

from .error_pages import error_response
from .errors import DoyakError


class DoyakErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DoyakError) or request.path.startswith("/api/"):
            return None
        return error_response(request, exception.http_status, detail=str(exception.message), code=exception.code)


class KoreanFirstLocaleMiddleware:
    """Korean unless the person chose English with the language switch (a cookie).

    Pages ignore the browser's Accept-Language so that everyone starts in Korean; API clients may
    still ask for English with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in supported:
            chosen = settings.LANGUAGE_CODE
            if request.path.startswith("/api/"):
                chosen = translation.get_language_from_request(request) or chosen
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response
