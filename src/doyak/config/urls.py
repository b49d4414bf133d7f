from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

from doyak.config.api import api

admin.site.site_header = gettext_lazy("doyak administration")
admin.site.site_title = gettext_lazy("doyak administration")
admin.site.index_title = gettext_lazy("Reference data and records")

handler400 = "doyak.core.error_pages.bad_request"
handler403 = "doyak.core.error_pages.permission_denied"
handler404 = "doyak.core.error_pages.page_not_found"
handler500 = "doyak.core.error_pages.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("doyak.accounts.urls")),
    path("organizations/", include("doyak.organizations.urls")),
    path("policies/", include("doyak.policies.urls")),
    path("calls/", include("doyak.calls.urls")),
    path("proposals/", include("doyak.proposals.urls")),
    path("evaluation/", include("doyak.evaluation.urls")),
    path("portfolio/", include("doyak.portfolio.urls")),
    path("agreements/", include("doyak.agreements.urls")),
    path("execution/", include("doyak.execution.urls")),
    path("finance/", include("doyak.finance.urls")),
    path("max/", include("doyak.max.urls")),
    path("kpi/", include("doyak.kpi.urls")),
    path("regulation/", include("doyak.regulation.urls")),
    path("capacity/", include("doyak.capacity.urls")),
    path("", include("doyak.core.urls")),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL)
