from django.urls import path

from . import views

app_name = "capacity"

urlpatterns = [
    path("", views.home, name="home"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/topics/<int:topic_id>/answer/", views.demand_answer, name="demand_answer"),
    path("surveys/<int:survey_id>/topics/<int:topic_id>/call/", views.topic_carry, name="topic_carry"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<int:fund_id>/commitments/", views.fund_commitment_new, name="fund_commitment_new"),
    path("funds/<int:fund_id>/exits/", views.fund_exit_new, name="fund_exit_new"),
    path("funds/<int:fund_id>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:fund_id>/letters/", views.fund_letter_confirm, name="fund_letter_confirm"),
    path("funds/<int:fund_id>/investments/", views.fund_investment_new, name="fund_investment_new"),
    path("investments/", views.investment_list, name="investments"),
    path("talent/", views.talent_home, name="talent"),
    path("talent/researchers/<int:researcher_id>/", views.researcher_career, name="career"),
    path("talent/researchers/<int:researcher_id>/accept/", views.stage_accept, name="stage_accept"),
    path("talent/researchers/<int:researcher_id>/records/", views.career_event_new, name="career_event_new"),
    path("talent/nominate/", views.nominate, name="nominate"),
    path("talent/nominations/<int:nomination_id>/", views.nomination_detail, name="nomination"),
    path("talent/nominations/<int:nomination_id>/panel/", views.nomination_panel_add, name="nomination_panel_add"),
    path("talent/nominations/<int:nomination_id>/opinion/", views.nomination_opinion, name="nomination_opinion"),
    path("talent/nominations/<int:nomination_id>/decision/", views.nomination_decide, name="nomination_decide"),
    path("joint-labs/", views.joint_lab_list, name="joint_labs"),
    path("graduate-schools/", views.graduate_school_list, name="graduate_schools"),
    path("joint-labs/new/", views.joint_lab_new, name="joint_lab_new"),
    path("joint-labs/<int:joint_lab_id>/projects/", views.joint_lab_projects, name="joint_lab_projects"),
    path("graduate-schools/new/", views.graduate_school_new, name="graduate_school_new"),
    path("graduate-schools/<int:graduate_school_id>/projects/", views.graduate_school_projects,
         name="graduate_school_projects"),
]
