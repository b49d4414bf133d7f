from django.urls import path

from . import views

app_name = "regulation"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("tasks/<int:task_id>/<str:name>/", views.task_action, name="task_action"),
    path("dependencies/", views.dependencies, name="dependencies"),
    path("dependencies/<int:dependency_id>/", views.dependency, name="dependency"),
    path("dependencies/<int:dependency_id>/<str:name>/", views.dependency_action, name="dependency_action"),
    path("workspace/", views.workspace, name="workspace"),
    path("progress/", views.progress, name="progress"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("agreements/<int:agreement_id>/", views.regulatory_agreement, name="regulatory_agreement"),
]
