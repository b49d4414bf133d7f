from django.urls import path

from . import views

app_name = "max"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("register/", views.asset_register_view, name="register"),
    path("<int:asset_id>/", views.asset_detail, name="detail"),
    path("<int:asset_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:asset_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("<int:asset_id>/verify/", views.asset_verify_view, name="verify"),
]
