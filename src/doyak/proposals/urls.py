from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_start, name="create"),
    path("import/", views.import_upload, name="import"),
    path("<int:proposal_id>/", views.proposal_detail, name="detail"),
    path("<int:proposal_id>/receipt/", views.proposal_receipt, name="receipt"),
    path("<int:proposal_id>/edit/<str:step>/", views.proposal_edit, name="edit"),
    path("sanctions/", views.sanction_list, name="sanctions"),
    path("<int:proposal_id>/budget/check/", views.budget_check, name="budget_check"),
    path("<int:proposal_id>/consortium/check/", views.consortium_check, name="consortium_check"),
    path("<int:proposal_id>/team/check/", views.team_check, name="team_check"),
    path("<int:proposal_id>/parts/<str:part>/add/", views.part_add, name="part_add"),
    path("<int:proposal_id>/parts/<str:part>/<int:item_id>/remove/", views.part_remove, name="part_remove"),
    path("<int:proposal_id>/transitions/<str:name>/", views.proposal_transition_view, name="transition"),
    path("<int:proposal_id>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
