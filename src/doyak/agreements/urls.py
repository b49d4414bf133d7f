from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("<int:agreement_id>/", views.detail, name="detail"),
    path("<int:agreement_id>/sign/", views.sign, name="sign"),
    path("<int:agreement_id>/versions/<int:number>/agreement.pdf", views.version_pdf, name="version_pdf"),
    path("<int:agreement_id>/changes/new/", views.change_new, name="change_new"),
    path("changes/<int:change_id>/", views.change_detail, name="change"),
    path("changes/<int:change_id>/<str:name>/", views.change_transition_view, name="change_transition"),
]
