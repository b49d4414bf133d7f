from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:agreement_id>/", views.ledger, name="ledger"),
    path("agreements/<int:agreement_id>/import/", views.transactions_import_view, name="import"),
    path("agreements/<int:agreement_id>/transactions/new/", views.transaction_new, name="transaction_new"),
    path("agreements/<int:agreement_id>/close/", views.agreement_close, name="close"),
    path("transactions/<int:transaction_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag"),
    path("flags/<int:flag_id>/decide/", views.flag_decide_view, name="flag_decide"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/agreements/", views.agreements_create_view, name="agreements_create"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="run_resume"),
    path("runs/<int:run_id>/report.xlsx", views.run_report, name="run_report"),
    path("what-if/", views.what_if, name="what_if"),
]
