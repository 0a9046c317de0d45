from django.urls import path

from . import views

app_name = "maintenance"
urlpatterns = [
    path("", views.status, name="status"),
    path("api/policy/decision", views.decision_api, name="decision-api"),
]
