from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("compare/", views.compare, name="compare"),
    path("<int:scenario_id>/", views.detail, name="detail"),
    path("<int:scenario_id>/solve/", views.solve, name="solve"),
    path("<int:scenario_id>/submit/", views.submit, name="submit"),
    path("<int:scenario_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:scenario_id>/approve/", views.approve, name="approve"),
    path("<int:scenario_id>/delete/", views.delete, name="delete"),
]
