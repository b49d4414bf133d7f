from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.home, name="home"),
    # the pool
    path("profile/", views.profile, name="profile"),
    path("pool/", views.pool, name="pool"),
    path("pool/new/", views.pool_edit, name="pool_add"),
    path("pool/<int:profile_id>/", views.pool_edit, name="pool_edit"),
    # program managers
    path("calls/", views.calls, name="calls"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
    path("panels/<int:panel_id>/", views.panel_detail, name="panel"),
    path("panels/<int:panel_id>/edit/", views.panel_edit, name="panel_edit"),
    path("panels/<int:panel_id>/runs/", views.run_start, name="run_start"),
    path("runs/<int:run_id>/", views.run_progress, name="run_progress"),
    path("panels/<int:panel_id>/assignments/", views.assignment_add, name="assignment_add"),
    path("panels/<int:panel_id>/assignments/<int:assignment_id>/withdraw/", views.assignment_withdraw,
         name="assignment_withdraw"),
    path("panels/<int:panel_id>/conflicts/", views.conflict_declare, name="conflict_declare"),
    path("panels/<int:panel_id>/results/", views.panel_results, name="results"),
    path("panels/<int:panel_id>/publish/", views.panel_publish, name="publish"),
    path("proposals/<int:proposal_id>/conflicts/", views.proposal_conflicts, name="conflicts"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/answer/", views.appeal_answer, name="appeal_answer"),
    # evaluators
    path("assignments/", views.assignments, name="assignments"),
    path("review/<int:proposal_id>/", views.review, name="review"),
    path("review/<int:proposal_id>/recuse/", views.recuse, name="recuse"),
    # applicants
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/<int:proposal_id>/", views.decision_detail, name="decision"),
]
