from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.board_view, name="board"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<str:key>/", views.indicator_view, name="indicator"),
    path("export/<str:fmt>/", views.export_view, name="export"),
    path("packs/new/", views.pack_new, name="pack_new"),
    path("packs/<int:pk>/", views.pack_view, name="pack"),
    path("packs/<int:pk>/<str:fmt>/", views.pack_file, name="pack_file"),
]
