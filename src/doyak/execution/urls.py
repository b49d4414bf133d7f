from django.urls import path

from . import views

app_name = "execution"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("agreements/<int:agreement_id>/", views.project, name="project"),
    path("agreements/<int:agreement_id>/stop/", views.stop_new, name="stop_new"),
    path("agreements/<int:agreement_id>/sanction/", views.sanction_open, name="sanction_open"),
    path("stops/<int:stop_id>/special/", views.stop_special, name="stop_special"),
    path("reports/<int:report_id>/", views.report, name="report"),
    path("reports/<int:report_id>/<str:name>/", views.report_action, name="report_action"),
    path("evaluations/mine/", views.my_evaluations, name="my_evaluations"),
    path("evaluations/<int:evaluation_id>/", views.evaluation, name="evaluation"),
    path("evaluations/<int:evaluation_id>/grade/", views.evaluation_grade, name="evaluation_grade"),
    path("evaluations/<int:evaluation_id>/panel/", views.evaluation_panel, name="evaluation_panel"),
    path("evaluations/<int:evaluation_id>/result/", views.evaluation_result, name="evaluation_result"),
    path("sanctions/<int:case_id>/", views.sanction, name="sanction"),
    path("sanctions/<int:case_id>/<str:name>/", views.sanction_action, name="sanction_action"),
]
