from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_edit, name="create"),
    path("programs/", views.program_list, name="programs"),
    path("<int:call_id>/", views.call_detail, name="detail"),
    path("<int:call_id>/edit/", views.call_edit, name="edit"),
    path("<int:call_id>/<str:action>/", views.call_transition, name="transition"),
]
